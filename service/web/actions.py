"""Acknowledge and resolve an alert from the web pages: state, event and audit record, in the caller's transaction.

Interim: the warnings area is writing the service-layer functions for these in service/db/alerts.py; when they
land, the routes in service/web/alerts.py call those instead and this module goes.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from service.api.deps import Caller
from service.audit import record
from service.db.tables import Alert, AlertEvent
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


def _event(session: Session, alert: Alert, *, kind: str, before: str, caller: Caller, now: dt.datetime, note: str):
    session.add(
        AlertEvent(
            alert_id=alert.id,
            at=now,
            kind=kind,
            reason=f"{kind}_by_user",
            from_grade=alert.grade,
            to_grade=alert.grade,
            from_state=before,
            to_state=alert.state,
            actor_user_id=caller.user_id,
            detail={"note": note[:MAX_NOTE]} if note else {},
        )
    )


def acknowledge(
    session: Session, *, alert_id: int, caller: Caller, now: dt.datetime, note: str = "", remote_addr: str | None = None
) -> Alert:
    alert = _alert_for(session, alert_id=alert_id, caller=caller)
    if alert.state != "open":
        raise ActionRefused(409, "该预警不是待签收状态。", "This warning is not awaiting acknowledgement.")
    before = alert.state
    alert.state, alert.acknowledged_at, alert.acknowledged_by, alert.updated_at = (
        "acknowledged",
        now,
        caller.user_id,
        now,
    )
    _event(session, alert, kind="acknowledged", before=before, caller=caller, now=now, note=note)
    record(session, action="alert.acknowledge", object_type="alert", object_id=alert.id, now=now,
           user_id=caller.user_id, before={"state": before}, after={"state": alert.state, "note": note[:MAX_NOTE]},
           remote_addr=remote_addr)  # fmt: skip
    return alert


def resolve(
    session: Session, *, alert_id: int, caller: Caller, now: dt.datetime, note: str = "", remote_addr: str | None = None
) -> Alert:
    alert = _alert_for(session, alert_id=alert_id, caller=caller)
    if alert.state == "resolved":
        raise ActionRefused(409, "该预警已经解除。", "This warning is already resolved.")
    before = alert.state
    alert.state, alert.resolved_at, alert.ack_deadline, alert.updated_at = "resolved", now, None, now
    _event(session, alert, kind="resolved", before=before, caller=caller, now=now, note=note)
    record(session, action="alert.resolve", object_type="alert", object_id=alert.id, now=now,
           user_id=caller.user_id, before={"state": before}, after={"state": "resolved", "note": note[:MAX_NOTE]},
           remote_addr=remote_addr)  # fmt: skip
    return alert
