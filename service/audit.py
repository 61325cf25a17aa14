"""The audit log: every write records who, what, when, from where, and the object before and after."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from service.db.tables import AuditLog

__all__ = ["record"]


def record(
    session: Session,
    *,
    action: str,
    object_type: str,
    object_id: str | int | None,
    now: dt.datetime,
    user_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    remote_addr: str | None = None,
    request_id: str | None = None,
) -> AuditLog:
    entry = AuditLog(
        at=now,
        user_id=user_id,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        before=before,
        after=after,
        remote_addr=remote_addr,
        request_id=request_id,
    )
    session.add(entry)
    return entry
