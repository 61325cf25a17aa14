"""Acknowledge and resolve an alert from the web pages, through the same lifecycle functions the API uses.

The page checks scope and role and maps refusals to Chinese-first messages; the state change, its event and
the resolution notices come from service/db/alerts.py, and the write is audited here like the API's.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from service.api.deps import Caller
from service.audit import record
from service.db import alerts as lifecycle
from service.db.tables import Alert
from service.web.errors import ActionRefused, WebError

__all__ = ["RESPONDERS", "acknowledge", "resolve"]

RESPONDERS = ("responder", "admin")
MAX_NOTE = 2000


def _alert_for(session: Session, *, alert_id: int, caller: Caller) -> Alert:
    alert = session.get(Alert, alert_id, with_for_update=True)
    if alert is None or not caller.can_see(alert.region_code):
        raise WebError(404, "没有找到该预警，或不在您的辖区范围内。", "No such warning in your region.")
    if caller.role not in RESPONDERS:
        raise ActionRefused(403, "只有响应人员和管理员可以处理预警。", "Only responders and admins handle warnings.")
    return alert


def _audit(session, alert: Alert, action: str, before: str, caller: Caller, now, note: str, remote_addr) -> None:
    record(session, action=action, object_type="alert", object_id=alert.id, now=now, user_id=caller.user_id,
           before={"state": before}, after={"state": alert.state, "note": note}, remote_addr=remote_addr)  # fmt: skip


def acknowledge(
    session: Session, *, alert_id: int, caller: Caller, now: dt.datetime, note: str = "", remote_addr: str | None = None
) -> Alert:
    alert = _alert_for(session, alert_id=alert_id, caller=caller)
    before, note = alert.state, note[:MAX_NOTE]
    try:
        lifecycle.acknowledge(session, alert=alert, user_id=caller.user_id, note=note or None, now=now)
    except lifecycle.AlertStateError as exc:
        raise ActionRefused(409, "该预警不是待签收状态。", "This warning is not awaiting acknowledgement.") from exc
    _audit(session, alert, "alert.acknowledge", before, caller, now, note, remote_addr)
    return alert


def resolve(
    session: Session, *, alert_id: int, caller: Caller, now: dt.datetime, note: str = "", remote_addr: str | None = None
) -> Alert:
    alert = _alert_for(session, alert_id=alert_id, caller=caller)
    before, note = alert.state, note[:MAX_NOTE]
    if not note:
        raise ActionRefused(422, "解除预警须填写处理情况说明。", "Resolving a warning needs a note on what was done.")
    try:
        lifecycle.resolve_by_hand(session, alert=alert, user_id=caller.user_id, note=note, ruleset=None, now=now)
    except lifecycle.AlertStateError as exc:
        raise ActionRefused(409, "该预警已经解除。", "This warning is already resolved.") from exc
    _audit(session, alert, "alert.resolve", before, caller, now, note, remote_addr)
    return alert
