"""Read everything one quarterly report needs, once, as of one moment: the only module here that queries.

    snap = read_snapshot(session, region_code="430000", quarter=Quarter.parse("2026Q3"), as_of=now)

Figures come from `observations_as_of` (the latest vintage not after `as_of`), so a report can be rebuilt
exactly as it was. Every frame keeps its `batch_id` (and observations their `vintage`), which is what makes
each figure of the report traceable. The builders in this package are pure functions of the snapshot.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.alerting.rules import load_rules
from service.db.queries import latest_forecast_series, observations_as_of, subtree_codes
from service.db.tables import (
    Alert,
    AlertEvent,
    Batch,
    Enterprise,
    EnterpriseHeadcount,
    ForecastPoint,
    ForecastRun,
    ForecastScore,
    ForecastSeries,
    Indicator,
    LayoffFiling,
    PopulationGroup,
    Region,
    ThresholdVersion,
)
from service.reports.errors import ReportError
from service.reports.quarters import Quarter, month_add

__all__ = ["HISTORY_MONTHS", "REPORT_INDICATORS", "Level", "Place", "Snapshot", "read_snapshot"]

# The indicators a report reads: from HISTORY_MONTHS before the quarter's end up to the latest known month (charts
# continue to where the forecasts start; the figures themselves read the quarter's months only).
REPORT_INDICATORS = (
    "surveyed_unemployment_rate",
    "registered_unemployment_rate",
    "new_urban_jobs",
    "ui_insured",
    "ui_new_claims",
    "ui_recipients",
)
HISTORY_MONTHS = 36
FORECAST_INDICATORS = ("surveyed_unemployment_rate", "registered_unemployment_rate")

# Used only when no thresholds version is in force (a database without rules still gets a readable report).
_DEFAULT_LEVELS = {
    1: ("I", "特别严重", "Especially serious", "red"),
    2: ("II", "严重", "Serious", "orange"),
    3: ("III", "较重", "Fairly serious", "yellow"),
    4: ("IV", "一般", "General", "blue"),
}


@dataclass(frozen=True)
class Place:
    code: str
    name_zh: str
    name_en: str
    level: str
    parent_code: str | None = None

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh" else self.name_en


@dataclass(frozen=True)
class Level:
    grade: int
    code: str
    name_zh: str
    name_en: str
    colour: str


@dataclass(frozen=True)
class Snapshot:
    region: Place
    quarter: Quarter
    as_of: dt.datetime
    places: dict[str, Place]  # every region of the subtree, by code
    cities: tuple[Place, ...]
    indicators: dict[str, dict[str, Any]]  # code -> name_zh, name_en, unit, target
    groups: dict[str, tuple[str, str]]  # code -> (name_zh, name_en)
    observations: pd.DataFrame
    forecasts: pd.DataFrame  # the latest successful run at as_of
    past_forecasts: pd.DataFrame  # the last run made before the quarter began, points inside the quarter
    alerts: pd.DataFrame
    alert_events: pd.DataFrame
    filings: pd.DataFrame
    headcounts: pd.DataFrame
    batches: pd.DataFrame
    levels: dict[int, Level] = field(default_factory=dict)

    def place(self, code: str) -> Place:
        return self.places.get(code) or Place(code, code, code, "unknown")


def read_snapshot(session: Session, *, region_code: str, quarter: Quarter, as_of: dt.datetime) -> Snapshot:
    region = session.get(Region, region_code)
    if region is None:
        raise ReportError(f"unknown region {region_code}")
    codes = subtree_codes(session, region_code=region_code)
    places = {
        r.code: Place(r.code, r.name_zh, r.name_en, r.level, r.parent_code)
        for r in session.scalars(select(Region).where(Region.code.in_(codes)))
    }
    cities = tuple(
        sorted(
            (p for p in places.values() if p.parent_code == region_code and p.level == "city"),
            key=lambda p: p.code,
        )
    )
    area = [region_code, *(c.code for c in cities)]
    observations = observations_as_of(
        session,
        as_of=as_of,
        indicators=REPORT_INDICATORS,
        regions=area,
        start=month_add(quarter.last_month, -HISTORY_MONTHS),
    )
    if not observations.empty:
        observations = observations[observations["occupation"] == "total"].reset_index(drop=True)
    filings = _filings(session, codes, quarter)
    headcounts = _headcounts(session, codes, quarter, as_of)
    batch_ids = set(observations.get("batch_id", pd.Series(dtype=int)).dropna().astype(int))
    batch_ids |= set(filings["batch_id"].dropna().astype(int)) | set(headcounts["batch_id"].dropna().astype(int))
    return Snapshot(
        region=places[region_code],
        quarter=quarter,
        as_of=as_of,
        places=places,
        cities=cities,
        indicators={
            i.code: {"name_zh": i.name_zh, "name_en": i.name_en, "unit": i.unit, "target": i.spec.get("target")}
            for i in session.scalars(select(Indicator))
        },
        groups={g.code: (g.name_zh, g.name_en) for g in session.scalars(select(PopulationGroup))},
        observations=observations,
        forecasts=_forecasts(session, area, as_of=as_of),
        past_forecasts=_forecasts(session, area, as_of=quarter.start_instant, strictly_before=True, quarter=quarter),
        alerts=_alerts(session, codes, quarter, as_of),
        alert_events=_events(session, codes, quarter, as_of),
        filings=filings,
        headcounts=headcounts,
        batches=_batches(session, batch_ids),
        levels=_levels(session),
    )


def _frame(rows, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)


def _forecasts(
    session: Session,
    regions: list[str],
    *,
    as_of: dt.datetime,
    strictly_before: bool = False,
    quarter: Quarter | None = None,
) -> pd.DataFrame:
    """Each series' latest forecast points from runs that saw data up to `as_of` (or strictly before it)."""
    cols = ["run_id", "data_as_of", "region_code", "indicator_code", "population_group", "origin", "model",
            "point_id", "period", "horizon", "mean", "lo80", "hi80", "lo95", "hi95", "actual", "covered80",
            "covered95"]  # fmt: skip
    ids = latest_forecast_series(session, indicators=FORECAST_INDICATORS, regions=regions, as_of=as_of,
                                 strictly_before=strictly_before)  # fmt: skip
    if not ids:
        return pd.DataFrame(columns=cols)
    s, p, sc = ForecastSeries, ForecastPoint, ForecastScore
    q = (
        select(
            s.run_id,
            ForecastRun.data_as_of,
            s.region_code,
            s.indicator_code,
            s.population_group,
            s.origin,
            s.model,
            p.id,
            p.period,
            p.horizon,
            p.mean,
            p.lo80,
            p.hi80,
            p.lo95,
            p.hi95,
            sc.actual,
            sc.covered80,
            sc.covered95,
        )
        .select_from(s)
        .join(ForecastRun, ForecastRun.id == s.run_id)
        .join(p, p.series_id == s.id)
        .outerjoin(sc, sc.point_id == p.id)
        .where(s.id.in_(ids))
        .order_by(s.region_code, s.indicator_code, s.population_group, p.horizon)
    )
    if quarter is not None:
        q = q.where(p.period >= quarter.start, p.period <= quarter.last_month)
    return _frame(session.execute(q).all(), cols)


def _alerts(session: Session, codes: list[str], quarter: Quarter, as_of: dt.datetime) -> pd.DataFrame:
    """Alerts that were in force at some moment between the quarter's start and `as_of`."""
    cols = ["id", "region_code", "risk", "grade", "state", "period", "rule_ids", "evidence", "summary_zh",
            "summary_en", "opened_at", "acknowledged_at", "resolved_at", "ack_deadline"]  # fmt: skip
    a = Alert
    rows = session.execute(
        select(
            a.id,
            a.region_code,
            a.risk,
            a.grade,
            a.state,
            a.period,
            a.rule_ids,
            a.evidence,
            a.summary_zh,
            a.summary_en,
            a.opened_at,
            a.acknowledged_at,
            a.resolved_at,
            a.ack_deadline,
        )
        .where(
            a.region_code.in_(codes),
            a.opened_at <= as_of,
            (a.resolved_at.is_(None)) | (a.resolved_at >= quarter.start_instant),
        )
        .order_by(a.id)
    ).all()
    return _frame(rows, cols)


def _events(session: Session, codes: list[str], quarter: Quarter, as_of: dt.datetime) -> pd.DataFrame:
    """Every event of the subtree's alerts up to `as_of` (the builders pick the quarter's window)."""
    cols = ["id", "alert_id", "region_code", "at", "kind", "reason", "from_grade", "to_grade", "actor_user_id"]
    e = AlertEvent
    rows = session.execute(
        select(e.id, e.alert_id, Alert.region_code, e.at, e.kind, e.reason, e.from_grade, e.to_grade, e.actor_user_id)
        .join(Alert, Alert.id == e.alert_id)
        .where(Alert.region_code.in_(codes), e.at <= as_of)
        .order_by(e.at, e.id)
    ).all()
    return _frame(rows, cols)


def _filings(session: Session, codes: list[str], quarter: Quarter) -> pd.DataFrame:
    cols = ["id", "credit_code", "name_zh", "industry_zh", "region_code", "filed_on", "planned_on", "staff_before",
            "layoffs", "reason", "batch_id", "received_at"]  # fmt: skip
    f = LayoffFiling
    rows = session.execute(
        select(
            f.id,
            f.credit_code,
            Enterprise.name_zh,
            Enterprise.industry_zh,
            f.region_code,
            f.filed_on,
            f.planned_on,
            f.staff_before,
            f.layoffs,
            f.reason,
            f.batch_id,
            f.received_at,
        )
        .join(Enterprise, Enterprise.credit_code == f.credit_code)
        .where(f.region_code.in_(codes), f.filed_on >= quarter.start, f.filed_on <= quarter.end)
        .order_by(f.filed_on, f.id)
    ).all()
    return _frame(rows, cols)


def _headcounts(session: Session, codes: list[str], quarter: Quarter, as_of: dt.datetime) -> pd.DataFrame:
    """Insured headcount per enterprise for the month before the quarter and its three months, as known at as_of."""
    cols = ["credit_code", "name_zh", "region_code", "period", "insured", "batch_id", "vintage"]
    h = EnterpriseHeadcount
    rank = (
        func.row_number().over(partition_by=(h.credit_code, h.period), order_by=(h.vintage.desc(), h.id.desc()))
    ).label("rank")
    sub = (
        select(
            h.credit_code, Enterprise.name_zh, Enterprise.region_code, h.period, h.insured, h.batch_id, h.vintage, rank
        )
        .join(Enterprise, Enterprise.credit_code == h.credit_code)
        .where(
            Enterprise.region_code.in_(codes),
            h.vintage <= as_of,
            h.period >= month_add(quarter.start, -1),
            h.period <= quarter.last_month,
        )
        .subquery()
    )
    rows = session.execute(select(*[sub.c[c] for c in cols]).where(sub.c.rank == 1)).all()
    return _frame(rows, cols)


def _batches(session: Session, ids: set[int]) -> pd.DataFrame:
    cols = ["id", "source_code", "filename", "received_at", "landed_at", "rows_landed", "synthetic", "note"]
    if not ids:
        return pd.DataFrame(columns=cols)
    b = Batch
    rows = session.execute(
        select(b.id, b.source_code, b.filename, b.received_at, b.landed_at, b.rows_landed, b.synthetic, b.note)
        .where(b.id.in_(sorted(ids)))
        .order_by(b.id)
    ).all()
    return _frame(rows, cols)


def _levels(session: Session) -> dict[int, Level]:
    version = session.scalar(select(ThresholdVersion).where(ThresholdVersion.status == "active"))
    if version is not None:
        ruleset = load_rules(version.content, source=f"threshold version {version.id}")
        return {lv.grade: Level(lv.grade, lv.code, lv.name_zh, lv.name_en, lv.colour) for lv in ruleset.levels}
    return {g: Level(g, *v) for g, v in _DEFAULT_LEVELS.items()}
