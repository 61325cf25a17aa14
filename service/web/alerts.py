"""The alert board: alerts in the caller's scope by city and grade, with acknowledge and resolve."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse
from sqlalchemy import select

from service.db.tables import Alert, Region, User
from service.web.actions import RESPONDERS, acknowledge, resolve
from service.web.context import PageDep, check_csrf, render

__all__ = ["router"]

router = APIRouter(prefix="/web", include_in_schema=False)


def _city_of(regions: dict[str, Region], code: str) -> str:
    r = regions.get(code)
    return r.parent_code if r is not None and r.level == "county" and r.parent_code else code


@router.get("/")
def home(page: PageDep):
    return RedirectResponse("/web/alerts", status_code=303)


@router.get("/alerts")
def board(
    page: PageDep,
    state: Literal["live", "all", "open", "acknowledged", "resolved"] = "live",
    grade: int | None = None,
    city: str | None = None,
    done: str | None = None,
):
    scope = page.caller.scope
    regions = {r.code: r for r in page.db.scalars(select(Region).where(Region.code.in_(scope)))}
    q = select(Alert).where(Alert.region_code.in_(scope))
    if state == "live":
        q = q.where(Alert.state != "resolved")
    elif state != "all":
        q = q.where(Alert.state == state)
    if grade in (1, 2, 3, 4):
        q = q.where(Alert.grade == grade)
    alerts = page.db.scalars(q.order_by(Alert.grade, Alert.region_code, Alert.id.desc()).limit(500)).all()
    if city:
        alerts = [a for a in alerts if _city_of(regions, a.region_code) == city]
    groups: dict[str, list[Alert]] = {}
    for a in alerts:
        groups.setdefault(_city_of(regions, a.region_code), []).append(a)
    ackers = {a.acknowledged_by for a in alerts if a.acknowledged_by}
    names = dict(page.db.execute(select(User.id, User.display_name).where(User.id.in_(ackers))).all()) if ackers else {}
    ruleset = page.request.app.state.ruleset()
    levels = {lv.grade: lv for lv in ruleset.levels} if ruleset else {}
    cities = sorted((r for r in regions.values() if r.level == "city"), key=lambda r: r.code)
    return render(
        page,
        "alerts.html",
        groups=[(regions.get(code), items) for code, items in sorted(groups.items())],
        levels=levels,
        cities=cities,
        state=state,
        grade=grade,
        city=city,
        done=done,
        ackers=names,
        can_act=page.caller.role in RESPONDERS,
    )


def _act(page, alert_id: int, csrf_token: str, note: str, action) -> RedirectResponse:
    check_csrf(page, csrf_token)
    with page.request.app.state.sessions.begin() as s:
        action(s, alert_id=alert_id, caller=page.caller, now=page.now, note=note.strip(),
               remote_addr=page.request.client.host if page.request.client else None)  # fmt: skip
    return RedirectResponse(f"/web/alerts?done={action.__name__}-{alert_id}", status_code=303)


@router.post("/alerts/{alert_id}/acknowledge")
def acknowledge_alert(
    page: PageDep,
    alert_id: int,
    csrf_token: Annotated[str, Form(max_length=64)],
    note: Annotated[str, Form(max_length=2000)] = "",
):
    return _act(page, alert_id, csrf_token, note, acknowledge)


@router.post("/alerts/{alert_id}/resolve")
def resolve_alert(
    page: PageDep,
    alert_id: int,
    csrf_token: Annotated[str, Form(max_length=64)],
    note: Annotated[str, Form(max_length=2000)] = "",
):
    return _act(page, alert_id, csrf_token, note, resolve)
