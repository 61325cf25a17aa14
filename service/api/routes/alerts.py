"""Alerts in the caller's scope: list and detail with evidence and history."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from sqlalchemy import select

from service.alerting.rules import Ruleset
from service.api.deps import CallerDep, SessionDep
from service.api.pagination import Limit, decode_int_cursor, encode_cursor
from service.api.problems import Problem
from service.api.schemas import AlertDetail, AlertEventOut, AlertOut, Page
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
    more = len(rows) > limit
    rows = rows[:limit]
    return Page[AlertOut](
        items=[AlertOut(**_out(a)) for a in rows], next_cursor=encode_cursor(rows[-1].id) if more else None
    )


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
