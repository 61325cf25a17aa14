"""The audit log: every write records who, what, when, from where, and the object before and after.

    actor = Actor(user_id=caller.user_id, remote_addr="10.0.0.7", request_id="9f2c…")   # or cli_actor()
    record(session, action="user.update", object_type="user", object_id=user.id, now=now, actor=actor,
           before=snapshot(user, USER_FIELDS), after=...)

`record` only adds a row to the caller's transaction: the change and its audit entry commit together or not at
all. Values that are secrets (key hashes, subscription secrets, passwords) never enter the log: `snapshot`
replaces the fields named in SECRET_FIELDS by "[redacted]".
"""

from __future__ import annotations

import datetime as dt
import getpass
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from service.db.tables import AuditLog

__all__ = ["SECRET_FIELDS", "Actor", "cli_actor", "jsonable", "record", "snapshot"]

SECRET_FIELDS = frozenset({"secret", "secret_hash", "password", "password_hash", "key"})
REDACTED = "[redacted]"


@dataclass(frozen=True)
class Actor:
    """Who made a change and from where: a user (None for the command line or the system) and an address."""

    user_id: int | None
    remote_addr: str | None = None
    request_id: str | None = None


def cli_actor() -> Actor:
    """The command line: no user row; the address names the operating-system account and host."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        who = "unknown"
    return Actor(user_id=None, remote_addr=f"cli:{who}@{socket.gethostname()}"[:64])


def jsonable(value: Any) -> Any:
    """A JSON-safe copy: datetimes and dates as ISO 8601 text, sets as sorted lists."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(jsonable(v) for v in value)
    return value


def snapshot(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    """The named attributes of `obj` as a JSON-safe dict, secrets redacted (present or not, never the value)."""
    out = {}
    for name in fields:
        value = getattr(obj, name)
        out[name] = (REDACTED if value else None) if name in SECRET_FIELDS else jsonable(value)
    return out


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
    actor: Actor | None = None,
) -> AuditLog:
    """Add one audit entry to the session (the caller commits it with the change it describes)."""
    if actor is not None:
        user_id = actor.user_id if user_id is None else user_id
        remote_addr = remote_addr or actor.remote_addr
        request_id = request_id or actor.request_id
    entry = AuditLog(
        at=now,
        user_id=user_id,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        before=_scrub(before),
        after=_scrub(after),
        remote_addr=None if remote_addr is None else remote_addr[:64],
        request_id=None if request_id is None else request_id[:64],
    )
    session.add(entry)
    return entry


def _scrub(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {k: (REDACTED if v and k in SECRET_FIELDS else jsonable(v)) for k, v in values.items()}
