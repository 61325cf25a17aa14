"""Alerts in the caller's scope: list and detail with evidence and history; acknowledge and resolve by hand.

Writes need the role responder (or admin), the alert's region in the caller's scope, and a small JSON body; each
is audited with the alert before and after.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from sqlalchemy import select

from service.alerting.rules import Ruleset
from service.api.deps import Caller, CallerDep, SessionDep, require_role
from service.api.pagination import Limit, decode_int_cursor, split_page
from service.api.problems import Problem
from service.api.schemas import AlertDetail, AlertEventOut, AlertOut, Page
from service.audit import record
from service.db.alerts import AlertStateError, acknowledge, resolve_by_hand
from service.db.tables import Alert, AlertEvent

router = APIRouter(prefix="/api/v1", tags=["alerts"])

LEVELS = {1: ("I", "特别严重"), 2: ("II", "严重"), 3: ("III", "较重"), 4: ("IV", "一般")}


def _out(alert: Alert) -> dict:
    code, name = LEVELS[alert.grade]
    fields = {k: getattr(alert, k) for k in AlertOut.model_fields if hasattr(alert, k)}
    return {**fields, "level_code": code, "level_name_zh": name}


@router.get("/alerts", summary="Alerts in your scope, newest first")
def list_alerts(
    caller: CallerDep,
    db: SessionDep,
    state: Literal["open", "acknowledged", "resolved", "live"] | None = None,
    region: str | None = None,
    limit: Limit = 100,
    cursor: str | None = None,
) -> Page[AlertOut]:
    if region is not None and not caller.can_see(region):
        raise Problem(403, f"region {region} is outside your scope")
    q = select(Alert).where(Alert.region_code.in_([region] if region else caller.scope))
    if state == "live":
        q = q.where(Alert.state != "resolved")
    elif state:
        q = q.where(Alert.state == state)
    after = decode_int_cursor(cursor)
    if after:
        q = q.where(Alert.id < after)
    rows = db.scalars(q.order_by(Alert.id.desc()).limit(limit + 1)).all()
    rows, next_cursor = split_page(rows, limit, key=lambda r: r.id)
    return Page[AlertOut](items=[AlertOut(**_out(a)) for a in rows], next_cursor=next_cursor)


@router.get("/alerts/{alert_id}", summary="One alert with its evidence, response plan and history")
def get_alert(alert_id: int, caller: CallerDep, db: SessionDep, request: Request) -> AlertDetail:
    alert = db.get(Alert, alert_id)
    if alert is None or not caller.can_see(alert.region_code):
        raise Problem(404, f"no alert {alert_id} in your scope")
    ruleset: Ruleset | None = request.app.state.ruleset()
    level = ruleset.level(alert.grade) if ruleset else None
    events = db.scalars(select(AlertEvent).where(AlertEvent.alert_id == alert.id).order_by(AlertEvent.id)).all()
    return AlertDetail(
        **_out(alert),
        rule_ids=list(alert.rule_ids),
        evidence=alert.evidence,
        response_zh=level.response_zh if level else "",
        response_en=level.response_en if level else "",
        events=[AlertEventOut.model_validate(e) for e in events],
    )


MAX_BODY_BYTES = 16 * 1024
Responder = Annotated[Caller, Depends(require_role("responder"))]


def small_body(request: Request) -> None:
    """Refuse oversized bodies before reading them (a note is a few sentences, not a document)."""
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_BODY_BYTES:
        raise Problem(413, f"the body may be at most {MAX_BODY_BYTES} bytes")


class AcknowledgeIn(BaseModel):
    note: str | None = Field(default=None, max_length=2000, description="What is being done (记录处置情况)")


class ResolveIn(BaseModel):
    note: str = Field(min_length=1, max_length=2000, description="Why it is resolved (解除理由)")


def _state(alert: Alert) -> dict:
    return {
        "state": alert.state,
        "grade": alert.grade,
        "responsible_region_code": alert.responsible_region_code,
        "acknowledged_by": alert.acknowledged_by,
        "ack_note": alert.ack_note,
        "resolved_by": alert.resolved_by,
        "resolution_note": alert.resolution_note,
    }


def fresh_transaction(db) -> None:
    """End the read transaction authentication opened, so the write below is one transaction of its own."""
    if db.in_transaction():
        db.commit()


def _act(alert_id: int, caller: Caller, db, request: Request, action: str, work) -> AlertDetail:
    now = dt.datetime.now(dt.UTC)
    fresh_transaction(db)
    with db.begin():
        alert = db.get(Alert, alert_id, with_for_update=db.get_bind().dialect.name == "postgresql")
        if alert is None or not caller.can_see(alert.region_code):
            raise Problem(404, f"no alert {alert_id} in your scope")
        before = _state(alert)
        try:
            work(alert, now)
        except AlertStateError as exc:
            raise Problem(409, str(exc)) from exc
        record(
            db,
            action=action,
            object_type="alert",
            object_id=alert.id,
            now=now,
            user_id=caller.user_id,
            before=before,
            after=_state(alert),
            remote_addr=request.client.host if request.client else None,
            request_id=getattr(request.state, "request_id", None),
        )
    return get_alert(alert_id, caller, db, request)


@router.post(
    "/alerts/{alert_id}/acknowledge",
    summary="Acknowledge (签收) an open alert: stops reminders and escalation until the grade worsens",
    dependencies=[Depends(small_body)],
    responses={404: {"description": "No such alert in your scope"}, 409: {"description": "Not open"}},
)
def acknowledge_alert(
    alert_id: int, body: AcknowledgeIn, caller: Responder, db: SessionDep, request: Request
) -> AlertDetail:
    def work(alert: Alert, now: dt.datetime) -> None:
        acknowledge(db, alert=alert, user_id=caller.user_id, note=body.note, now=now)

    return _act(alert_id, caller, db, request, "alert.acknowledge", work)


@router.post(
    "/alerts/{alert_id}/resolve",
    summary="Resolve an alert by hand with a note; subscribers are told",
    dependencies=[Depends(small_body)],
    responses={404: {"description": "No such alert in your scope"}, 409: {"description": "Already resolved"}},
)
def resolve_alert(alert_id: int, body: ResolveIn, caller: Responder, db: SessionDep, request: Request) -> AlertDetail:
    ruleset: Ruleset | None = request.app.state.ruleset()

    def work(alert: Alert, now: dt.datetime) -> None:
        resolve_by_hand(db, alert=alert, user_id=caller.user_id, note=body.note, ruleset=ruleset, now=now)

    return _act(alert_id, caller, db, request, "alert.resolve", work)
