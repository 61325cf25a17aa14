"""Indicator figures of the report, pure over a Snapshot: province headline against targets, cities, key groups.

Each figure carries the batches it was read from, so the report can footnote them (see provenance.py).
Rates are in percent and their changes in percentage points; counts are persons.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from service.reports.quarters import month_add
from service.reports.snapshot import Place, Snapshot

__all__ = [
    "KEY_GROUPS",
    "CityRow",
    "ForecastCell",
    "GroupRow",
    "Headline",
    "city_rows",
    "grade_in_force",
    "group_rows",
    "headlines",
    "history",
    "monthly",
]

SURVEYED = "surveyed_unemployment_rate"
REGISTERED = "registered_unemployment_rate"
KEY_GROUPS = ("youth_16_24", "graduates", "migrant_workers", "poverty_alleviated")


@dataclass(frozen=True)
class Headline:
    key: str  # the indicator code
    value: float | None
    period: dt.date | None
    target: float | None = None
    target_op: str | None = None
    target_year: int | None = None
    target_source: str | None = None
    met: bool | None = None
    change_q: float | None = None
    change_y: float | None = None
    batches: tuple[int, ...] = ()
    estimated: bool = False  # derived from the cities because the province figure was not reported
    reporting: tuple[int, int] | None = None  # (cities reporting, cities) for sums over cities
    progress: float | None = None  # share of the year's target reached (new urban jobs)
    time_progress: float | None = None  # share of the year elapsed at the quarter's end


@dataclass(frozen=True)
class ForecastCell:
    period: dt.date
    mean: float
    lo80: float
    hi80: float
    lo95: float
    hi95: float
    model: str
    run_id: int
    origin: dt.date


@dataclass(frozen=True)
class CityRow:
    place: Place
    rate: float | None
    period: dt.date | None
    change_q: float | None
    change_y: float | None
    forecast: ForecastCell | None
    registered: float | None
    claims_change: float | None  # new UI claims in the quarter against the same quarter a year earlier, percent
    grade: int | None
    batches: tuple[int, ...]


@dataclass(frozen=True)
class GroupRow:
    code: str
    name_zh: str
    name_en: str
    value: float | None
    quarter_mean: float | None
    change_q: float | None
    change_y: float | None
    batches: tuple[int, ...]


def monthly(snap: Snapshot, indicator: str, region: str, group: str = "total") -> pd.DataFrame:
    """One series' rows (period, value, batch_id, vintage), oldest first."""
    o = snap.observations
    if o.empty:
        return o
    rows = o[(o["indicator_code"] == indicator) & (o["region_code"] == region) & (o["population_group"] == group)]
    return rows.sort_values("period")


def _at(series: pd.DataFrame, period: dt.date) -> pd.Series | None:
    hit = series[series["period"] == period] if not series.empty else series
    return None if hit.empty else hit.iloc[-1]


def _diff(a: pd.Series | None, b: pd.Series | None) -> float | None:
    return None if a is None or b is None else round(float(a["value"]) - float(b["value"]), 4)


def _batches(*rows: pd.Series | None) -> tuple[int, ...]:
    return tuple(sorted({int(r["batch_id"]) for r in rows if r is not None}))


def _met(value: float | None, target: dict | None) -> bool | None:
    if value is None or not target:
        return None
    op, bound = target.get("op"), float(target["value"])
    return {"<": value < bound, "<=": value <= bound, ">": value > bound, ">=": value >= bound}.get(op)


def _target_fields(snap: Snapshot, indicator: str) -> dict:
    target = (snap.indicators.get(indicator) or {}).get("target") or {}
    return {
        "target": float(target["value"]) if target else None,
        "target_op": target.get("op"),
        "target_year": target.get("year"),
        "target_source": target.get("source"),
    }


def _rate_headline(snap: Snapshot, indicator: str, region: str) -> Headline:
    q = snap.quarter
    series = monthly(snap, indicator, region)
    now = _at(series, q.last_month)
    before = _at(series, q.previous.last_month)
    year_ago = _at(series, q.year_ago.last_month)
    value = None if now is None else float(now["value"])
    return Headline(
        key=indicator,
        value=value,
        period=q.last_month if now is not None else None,
        change_q=_diff(now, before),
        change_y=_diff(now, year_ago),
        batches=_batches(now, before, year_ago),
        met=_met(value, (snap.indicators.get(indicator) or {}).get("target")),
        **_target_fields(snap, indicator),
    )


def _registered_headline(snap: Snapshot) -> Headline:
    """The province's registered rate for the quarter; if not reported, the insured-weighted mean of its cities."""
    q, code = snap.quarter, snap.region.code
    series = monthly(snap, REGISTERED, code)
    if not series.empty and _at(series, q.start) is not None:
        now, before, ago = _at(series, q.start), _at(series, q.previous.start), _at(series, q.year_ago.start)
        value = float(now["value"])
        return Headline(
            REGISTERED, value, q.start, change_q=_diff(now, before), change_y=_diff(now, ago),
            batches=_batches(now, before, ago), met=_met(value, (snap.indicators.get(REGISTERED) or {}).get("target")),
            **_target_fields(snap, REGISTERED),
        )  # fmt: skip

    def weighted(period: dt.date, weight_month: dt.date) -> tuple[float | None, list, int]:
        values, weights, used = [], [], []
        for city in snap.cities:
            rate = _at(monthly(snap, REGISTERED, city.code), period)
            weight = _at(monthly(snap, "ui_insured", city.code), weight_month)
            if rate is not None and weight is not None:
                values.append(float(rate["value"]))
                weights.append(float(weight["value"]))
                used += [rate, weight]
        if not values or sum(weights) <= 0:
            return None, used, len(values)
        return round(float(np.average(values, weights=weights)), 4), used, len(values)

    value, used, n = weighted(q.start, q.last_month)
    prev, used_p, _ = weighted(q.previous.start, q.previous.last_month)
    ago, used_y, _ = weighted(q.year_ago.start, q.year_ago.last_month)
    return Headline(
        key=REGISTERED,
        value=value,
        period=q.start if value is not None else None,
        change_q=None if value is None or prev is None else round(value - prev, 4),
        change_y=None if value is None or ago is None else round(value - ago, 4),
        batches=_batches(*used, *used_p, *used_y),
        met=_met(value, (snap.indicators.get(REGISTERED) or {}).get("target")),
        estimated=True,
        reporting=(n, len(snap.cities)),
        **_target_fields(snap, REGISTERED),
    )


def _sum_headline(snap: Snapshot, indicator: str, period: dt.date, *, year_to_date: bool = False) -> Headline:
    """A count for the province: its own figure when reported, else the sum over its cities."""
    own = _at(monthly(snap, indicator, snap.region.code), period)
    if own is not None:
        rows, n = [own], None
    else:
        rows = [r for c in snap.cities if (r := _at(monthly(snap, indicator, c.code), period)) is not None]
        n = (len(rows), len(snap.cities))
    value = float(sum(float(r["value"]) for r in rows)) if rows else None
    fields = _target_fields(snap, indicator)
    progress = time_progress = None
    if year_to_date:
        time_progress = snap.quarter.number / 4
        if value is not None and fields["target"]:
            progress = value / fields["target"]
    return Headline(
        key=indicator,
        value=value,
        period=period if rows else None,
        batches=_batches(*rows),
        met=_met(value, (snap.indicators.get(indicator) or {}).get("target"))
        if not year_to_date
        else (None if progress is None else progress >= time_progress),
        reporting=n,
        progress=progress,
        time_progress=time_progress,
        **fields,
    )


def headlines(snap: Snapshot) -> list[Headline]:
    """The four plan indicators for the province, in the order the plans list them."""
    q = snap.quarter
    return [
        _rate_headline(snap, SURVEYED, snap.region.code),
        _registered_headline(snap),
        _sum_headline(snap, "new_urban_jobs", q.last_month, year_to_date=True),
        _sum_headline(snap, "ui_insured", q.last_month),
    ]


def grade_in_force(snap: Snapshot, region: str) -> int | None:
    """The most severe grade among the region's alerts in force at the snapshot's moment."""
    a = snap.alerts
    if a.empty:
        return None
    live = a[(a["region_code"] == region) & (a["resolved_at"].isna() | (a["resolved_at"] > snap.as_of))]
    return None if live.empty else int(live["grade"].min())


def _forecast_cell(snap: Snapshot, region: str, period: dt.date) -> ForecastCell | None:
    f = snap.forecasts
    if f.empty:
        return None
    hit = f[
        (f["region_code"] == region)
        & (f["indicator_code"] == SURVEYED)
        & (f["population_group"] == "total")
        & (f["period"] == period)
    ]
    if hit.empty:
        return None
    r = hit.iloc[0]
    return ForecastCell(
        period, float(r["mean"]), float(r["lo80"]), float(r["hi80"]), float(r["lo95"]), float(r["hi95"]),
        str(r["model"]), int(r["run_id"]), r["origin"],
    )  # fmt: skip


def _ends(series: pd.DataFrame, q) -> tuple[pd.Series | None, pd.Series | None, pd.Series | None]:
    """The quarter's last month, the previous quarter's and the same month a year earlier."""
    return _at(series, q.last_month), _at(series, q.previous.last_month), _at(series, q.year_ago.last_month)


def _quarter_sum(series: pd.DataFrame, months: tuple[dt.date, ...]) -> tuple[float | None, list]:
    rows = [r for m in months if (r := _at(series, m)) is not None]
    return (float(sum(float(r["value"]) for r in rows)) if len(rows) == len(months) else None), rows


def city_rows(snap: Snapshot) -> list[CityRow]:
    q = snap.quarter
    out = []
    for city in snap.cities:
        series = monthly(snap, SURVEYED, city.code)
        now, before, ago = _ends(series, q)
        registered = _at(monthly(snap, REGISTERED, city.code), q.start)
        claims = monthly(snap, "ui_new_claims", city.code)
        this_q, rows_c = _quarter_sum(claims, q.months)
        last_y, rows_y = _quarter_sum(claims, q.year_ago.months)
        change = None if not this_q or not last_y else round(100 * (this_q / last_y - 1), 1)
        out.append(
            CityRow(
                place=city,
                rate=None if now is None else float(now["value"]),
                period=q.last_month if now is not None else None,
                change_q=_diff(now, before),
                change_y=_diff(now, ago),
                forecast=_forecast_cell(snap, city.code, q.next.months[-1]),
                registered=None if registered is None else float(registered["value"]),
                claims_change=change,
                grade=grade_in_force(snap, city.code),
                batches=_batches(now, before, ago, registered, *rows_c, *rows_y),
            )
        )
    return out


def group_rows(snap: Snapshot) -> list[GroupRow]:
    q, code = snap.quarter, snap.region.code
    out = []
    for group in ("total", *KEY_GROUPS):
        series = monthly(snap, SURVEYED, code, group)
        now, before, ago = _ends(series, q)
        in_q = [r for m in q.months if (r := _at(series, m)) is not None]
        name_zh, name_en = snap.groups.get(group, (group, group))
        out.append(
            GroupRow(
                code=group,
                name_zh=name_zh,
                name_en=name_en,
                value=None if now is None else float(now["value"]),
                quarter_mean=round(float(np.mean([float(r["value"]) for r in in_q])), 4) if len(in_q) == 3 else None,
                change_q=_diff(now, before),
                change_y=_diff(now, ago),
                batches=_batches(now, before, ago, *in_q),
            )
        )
    return out


def history(
    snap: Snapshot,
    indicator: str,
    region: str,
    group: str = "total",
    *,
    months: int = 36,
    until: dt.date | None = None,
) -> pd.DataFrame:
    """`months` months of a series up to `until` (default: the quarter's last month), for charts."""
    series = monthly(snap, indicator, region, group)
    if series.empty:
        return series
    until = until or snap.quarter.last_month
    return series[(series["period"] > month_add(until, -months)) & (series["period"] <= until)]
