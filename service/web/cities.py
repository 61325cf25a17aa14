"""A city's page: latest figures, history with the forecast fan chart, the grade timeline and the rules that fired."""

from __future__ import annotations

import base64
import datetime as dt

from fastapi import APIRouter
from fastapi.responses import RedirectResponse
from sqlalchemy import select

from service.db.queries import latest_forecast_series, observations_as_of, subtree_codes
from service.db.tables import Alert, AlertEvent, ForecastPoint, ForecastSeries, Indicator, Region
from service.reports.charts import Band, fan_chart
from service.reports.quarters import month_add
from service.web.context import PageDep, render
from service.web.errors import WebError
from service.web.timeline import grade_segments

__all__ = ["router"]

router = APIRouter(prefix="/web", include_in_schema=False)
SURVEYED = "surveyed_unemployment_rate"
LATEST = (SURVEYED, "registered_unemployment_rate", "ui_new_claims", "ui_recipients", "ui_insured",
          "new_urban_jobs", "job_postings", "job_seekers")  # fmt: skip
HISTORY_MONTHS = 36


@router.get("/city")
def my_city(page: PageDep):
    return RedirectResponse(f"/web/cities/{page.caller.region_code}", status_code=303)


def _forecast(page, code: str):
    ids = latest_forecast_series(page.db, indicators=[SURVEYED], regions=[code], groups=["total"])
    series = page.db.get(ForecastSeries, ids[0]) if ids else None
    if series is None:
        return None, []
    points = page.db.scalars(
        select(ForecastPoint).where(ForecastPoint.series_id == series.id).order_by(ForecastPoint.horizon)
    ).all()
    return series, points


def _chart(page, history, points, target: float | None) -> str | None:
    if history.empty:
        return None
    t = page.t
    band = None
    if points:
        band = Band([p.period for p in points], [p.mean for p in points], [p.lo80 for p in points],
                    [p.hi80 for p in points], [p.lo95 for p in points], [p.hi95 for p in points])  # fmt: skip
    svg = fan_chart(
        periods=list(history["period"]),
        values=list(history["value"]),
        band=band,
        target=target,
        labels={"y": "%", "history": t["history"], "forecast": t["forecast"], "band80": t["band80"],
                "band95": t["band95"], "target": t["target_line"].format(value=target) if target else ""},
    )  # fmt: skip
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


@router.get("/cities/{code}")
def city(page: PageDep, code: str):
    region = page.db.get(Region, code)
    # Outside the scope answers exactly like a region that does not exist: nothing to learn by probing.
    if region is None or not page.caller.can_see(code):
        raise WebError(404, "没有找到该地区，或不在您的辖区范围内。", "No such region in your scope.")
    indicators = {i.code: i for i in page.db.scalars(select(Indicator).where(Indicator.code.in_(LATEST)))}
    obs = observations_as_of(page.db, as_of=page.now, indicators=LATEST, regions=[code], population_groups=["total"])
    obs = obs[obs["occupation"] == "total"] if not obs.empty else obs
    latest = []
    for ind in LATEST:
        rows = obs[obs["indicator_code"] == ind] if not obs.empty else obs
        if not rows.empty and ind in indicators:
            r = rows.sort_values("period").iloc[-1]
            latest.append((indicators[ind], r["period"], float(r["value"]), int(r["batch_id"]), r["vintage"]))
    history = obs[obs["indicator_code"] == SURVEYED] if not obs.empty else obs
    if not history.empty:
        last = history["period"].max()
        history = history[history["period"] > month_add(last, -HISTORY_MONTHS)].sort_values("period")
    series, points = _forecast(page, code)
    target = (indicators[SURVEYED].spec.get("target") or {}).get("value") if SURVEYED in indicators else None
    subtree = subtree_codes(page.db, region_code=code)
    alerts = page.db.scalars(select(Alert).where(Alert.region_code.in_(subtree)).order_by(Alert.id)).all()
    by_id = {a.id: a for a in alerts}
    events = page.db.execute(
        select(AlertEvent.alert_id, AlertEvent.at, AlertEvent.kind, AlertEvent.to_grade)
        .where(AlertEvent.alert_id.in_(list(by_id)))
        .order_by(AlertEvent.at)
    ).all() if by_id else []  # fmt: skip
    segments = grade_segments(
        type("E", (), {"alert_id": e.alert_id, "at": e.at, "kind": e.kind, "to_grade": e.to_grade,
                       "risk": by_id[e.alert_id].risk})()
        for e in events
    )  # fmt: skip
    ruleset = page.request.app.state.ruleset()
    levels = {lv.grade: lv for lv in ruleset.levels} if ruleset else {}
    rule_names = {r.id: r for r in ruleset.rules} if ruleset else {}
    live = [a for a in alerts if a.state != "resolved"]
    return render(
        page,
        "city.html",
        region=region,
        latest=latest,
        chart=_chart(page, history, points, target),
        series=series,
        points=points,
        segments=segments,
        alerts=by_id,
        live=live,
        levels=levels,
        rule_names=rule_names,
        today=dt.date.today(),
    )
