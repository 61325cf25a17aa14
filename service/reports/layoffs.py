"""Layoffs in the quarter, pure over a Snapshot: art. 41 filings, and enterprises whose insured headcount fell.

Filings are what enterprises reported (Labour Contract Law art. 41). Headcount signals are what social
insurance shows whether or not anyone filed: an enterprise whose insured staff fell over the quarter by the
art. 41 scale (>= 20 people, or >= 10 % of staff) while also losing more than the 5.5 % a job-retention refund
allows (so ordinary churn in a large firm is not flagged), by >= 200 people (one enterprise >= 200, MISSION.md 3a),
or by >= 30 % within one month (Shandong 2016 scheme). A signal without a filing is worth a telephone call.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from service.reports.quarters import month_add
from service.reports.snapshot import Place, Snapshot

__all__ = [
    "ART41_MIN_PERSONS",
    "ART41_MIN_SHARE",
    "LARGE_LAYOFF",
    "MONTH_DROP_SHARE",
    "REFUND_MAX_SHARE",
    "CityLayoffs",
    "FilingRow",
    "HeadcountSignal",
    "LayoffSection",
    "layoff_section",
]

ART41_MIN_PERSONS = 20
ART41_MIN_SHARE = 0.10
REFUND_MAX_SHARE = 0.055  # job-retention refunds need a layoff rate <= 5.5 % (MISSION.md 3a)
LARGE_LAYOFF = 200
MONTH_DROP_SHARE = 0.30
MIN_DROP_FOR_SHARE = 3  # below this many people a share says nothing (a firm of 5 losing 1 is 20 %)
SHOWN_SIGNALS = 15


@dataclass(frozen=True)
class FilingRow:
    enterprise: str
    credit_code: str
    city: Place
    county: Place
    industry: str | None
    filed_on: dt.date
    planned_on: dt.date
    staff_before: int
    layoffs: int
    share: float  # layoffs / staff_before, percent
    large: bool  # >= LARGE_LAYOFF people
    batch_id: int | None


@dataclass(frozen=True)
class CityLayoffs:
    city: Place
    filings: int
    persons: int
    large: int


@dataclass(frozen=True)
class HeadcountSignal:
    enterprise: str
    credit_code: str
    city: Place
    county: Place
    start: int
    end: int
    drop: int
    share: float  # percent of the starting headcount
    worst_month_share: float  # percent
    reasons: tuple[str, ...]  # art41, large, month30
    filed: bool
    batch_ids: tuple[int, ...]


@dataclass(frozen=True)
class LayoffSection:
    filings: list[FilingRow]
    by_city: list[CityLayoffs]
    signals: list[HeadcountSignal]  # the largest SHOWN_SIGNALS
    signals_total: int
    signals_unfiled: int
    enterprises_watched: int
    batches: tuple[int, ...]

    @property
    def persons(self) -> int:
        return sum(f.layoffs for f in self.filings)


def _city_and_county(snap: Snapshot, code: str) -> tuple[Place, Place]:
    place = snap.place(code)
    if place.level == "county" and place.parent_code:
        return snap.place(place.parent_code), place
    return place, place


def _filings(snap: Snapshot) -> list[FilingRow]:
    rows = []
    for r in snap.filings.itertuples(index=False):
        city, county = _city_and_county(snap, r.region_code)
        rows.append(
            FilingRow(
                enterprise=r.name_zh,
                credit_code=r.credit_code,
                city=city,
                county=county,
                industry=r.industry_zh,
                filed_on=r.filed_on,
                planned_on=r.planned_on,
                staff_before=int(r.staff_before),
                layoffs=int(r.layoffs),
                share=round(100 * r.layoffs / r.staff_before, 1) if r.staff_before else 0.0,
                large=int(r.layoffs) >= LARGE_LAYOFF,
                batch_id=None if pd.isna(r.batch_id) else int(r.batch_id),
            )
        )
    return sorted(rows, key=lambda f: (-f.layoffs, f.filed_on))


def _by_city(snap: Snapshot, filings: list[FilingRow]) -> list[CityLayoffs]:
    out = []
    for city in snap.cities:
        mine = [f for f in filings if f.city.code == city.code]
        if mine:
            out.append(CityLayoffs(city, len(mine), sum(f.layoffs for f in mine), sum(f.large for f in mine)))
    return sorted(out, key=lambda c: -c.persons)


def _signals(snap: Snapshot, filed: set[str]) -> tuple[list[HeadcountSignal], int]:
    h = snap.headcounts
    if h.empty:
        return [], 0
    q = snap.quarter
    months = [month_add(q.start, -1), *q.months]
    wide = h.pivot_table(index="credit_code", columns="period", values="insured", aggfunc="last")
    wide = wide.reindex(columns=months)
    complete = wide.dropna()
    info = h.drop_duplicates("credit_code", keep="last").set_index("credit_code")
    batches = h.groupby("credit_code")["batch_id"].agg(lambda s: tuple(sorted({int(b) for b in s})))
    out = []
    for code, row in complete.iterrows():
        start, end = int(row.iloc[0]), int(row.iloc[-1])
        drop = start - end
        if drop <= 0 or start <= 0:
            continue
        share = drop / start
        monthly = [(a - b) / a for a, b in zip(row.iloc[:-1], row.iloc[1:], strict=True) if a > 0]
        worst = max(monthly, default=0.0)
        reasons = []
        art41_scale = drop >= ART41_MIN_PERSONS or share >= ART41_MIN_SHARE
        if art41_scale and share > REFUND_MAX_SHARE and drop >= MIN_DROP_FOR_SHARE:
            reasons.append("art41")
        if drop >= LARGE_LAYOFF:
            reasons.append("large")
        if worst >= MONTH_DROP_SHARE and drop >= MIN_DROP_FOR_SHARE:
            reasons.append("month30")
        if not reasons:
            continue
        city, county = _city_and_county(snap, info.loc[code, "region_code"])
        out.append(
            HeadcountSignal(
                enterprise=info.loc[code, "name_zh"],
                credit_code=code,
                city=city,
                county=county,
                start=start,
                end=end,
                drop=drop,
                share=round(100 * share, 1),
                worst_month_share=round(100 * worst, 1),
                reasons=tuple(reasons),
                filed=code in filed,
                batch_ids=batches.loc[code],
            )
        )
    out.sort(key=lambda s: (-s.drop, s.credit_code))
    return out, len(complete)


def layoff_section(snap: Snapshot) -> LayoffSection:
    filings = _filings(snap)
    signals, watched = _signals(snap, {f.credit_code for f in filings})
    batches = {f.batch_id for f in filings if f.batch_id is not None}
    for s in signals[:SHOWN_SIGNALS]:
        batches.update(s.batch_ids)
    return LayoffSection(
        filings=filings,
        by_city=_by_city(snap, filings),
        signals=signals[:SHOWN_SIGNALS],
        signals_total=len(signals),
        signals_unfiled=sum(not s.filed for s in signals),
        enterprises_watched=watched,
        batches=tuple(sorted(batches)),
    )
