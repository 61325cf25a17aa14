"""How accurate last quarter's forecasts were for the quarter just ended. Pure over a Snapshot.

The forecasts judged are those of the last successful run made before the quarter began (the figures a
previous assessment would have seen). Where the scoring job has filled `forecast_scores`, its actuals are used;
otherwise each point is compared with the figure known now. If no run predates the quarter (a new install, the
demo world), the section says so and shows a backtest instead: the seasonal-naive baseline refitted on the data
up to the quarter's start, clearly labelled, never passed off as a stored forecast.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.baselines import SeasonalNaive
from service.reports.figures import SURVEYED, monthly
from service.reports.snapshot import Place, Snapshot

__all__ = ["AccuracyRow", "AccuracySection", "accuracy_section"]


@dataclass(frozen=True)
class AccuracyRow:
    place: Place
    n: int
    mean_abs_error: float  # percentage points
    bias: float  # actual minus forecast, mean, percentage points
    covered80: int
    covered95: int


@dataclass(frozen=True)
class AccuracySection:
    basis: str  # "scores", "stored" (points vs actuals now), "backtest", "none"
    run_id: int | None
    data_as_of: dt.datetime | None
    model: str | None
    rows: list[AccuracyRow]

    @property
    def n(self) -> int:
        return sum(r.n for r in self.rows)

    def _weighted(self, attr: str) -> float | None:
        return round(sum(getattr(r, attr) * r.n for r in self.rows) / self.n, 3) if self.n else None

    @property
    def mean_abs_error(self) -> float | None:
        return self._weighted("mean_abs_error")

    @property
    def coverage80(self) -> float | None:
        return round(100 * sum(r.covered80 for r in self.rows) / self.n, 1) if self.n else None

    @property
    def coverage95(self) -> float | None:
        return round(100 * sum(r.covered95 for r in self.rows) / self.n, 1) if self.n else None


def _row(place: Place, pts: pd.DataFrame) -> AccuracyRow:
    err = pts["actual"] - pts["mean"]
    return AccuracyRow(
        place=place,
        n=len(pts),
        mean_abs_error=round(float(err.abs().mean()), 3),
        bias=round(float(err.mean()), 3),
        covered80=int(((pts["lo80"] <= pts["actual"]) & (pts["actual"] <= pts["hi80"])).sum()),
        covered95=int(((pts["lo95"] <= pts["actual"]) & (pts["actual"] <= pts["hi95"])).sum()),
    )


def _places(snap: Snapshot) -> list[Place]:
    return [snap.region, *snap.cities]


def _stored(snap: Snapshot) -> AccuracySection | None:
    f = snap.past_forecasts
    if f.empty:
        return None
    f = f[(f["indicator_code"] == SURVEYED) & (f["population_group"] == "total")]
    if f.empty:
        return None
    scored = f["actual"].notna().all()
    if not scored:
        actual = []
        for r in f.itertuples(index=False):
            series = monthly(snap, SURVEYED, r.region_code)
            hit = series[series["period"] == r.period] if not series.empty else series
            actual.append(float(hit["value"].iloc[-1]) if not hit.empty else np.nan)
        f = f.assign(actual=np.where(f["actual"].notna(), f["actual"], actual))
    f = f[f["actual"].notna()]
    rows = [_row(p, f[f["region_code"] == p.code]) for p in _places(snap) if (f["region_code"] == p.code).any()]
    first = snap.past_forecasts.iloc[0]
    return AccuracySection(
        "scores" if scored else "stored", int(first["run_id"]), first["data_as_of"], str(first["model"]), rows
    )


def _backtest(snap: Snapshot) -> AccuracySection:
    q = snap.quarter
    model = SeasonalNaive(12)
    rows = []
    for place in _places(snap):
        series = monthly(snap, SURVEYED, place.code)
        if series.empty:
            continue
        history = series[series["period"] < q.start]["value"].to_numpy(dtype=float)
        actual = series.set_index("period")["value"].reindex(list(q.months))
        if len(history) < 13 or actual.isna().any():
            continue
        out = model.forecast(history, h=3, level=(80, 95))
        pts = pd.DataFrame(
            {
                "actual": actual.to_numpy(dtype=float),
                "mean": out["mean"],
                "lo80": out["lo-80"],
                "hi80": out["hi-80"],
                "lo95": out["lo-95"],
                "hi95": out["hi-95"],
            }
        )
        rows.append(_row(place, pts))
    return AccuracySection("backtest" if rows else "none", None, None, model.alias, rows)


def accuracy_section(snap: Snapshot) -> AccuracySection:
    return _stored(snap) or _backtest(snap)
