"""Storing forecast runs: the run, each series' model and parameters, and its points with intervals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import insert
from sqlalchemy.orm import Session

from models.panel import SeriesForecast
from service.db.tables import ForecastPoint, ForecastRun, ForecastSeries

__all__ = ["start_run", "store_series"]


def start_run(session: Session, *, now: dt.datetime, data_as_of: dt.datetime, trigger: str, spec: dict) -> ForecastRun:
    run = ForecastRun(started_at=now, status="running", data_as_of=data_as_of, trigger=trigger, spec=spec)
    session.add(run)
    session.flush()
    return run


def store_series(
    session: Session, *, run: ForecastRun, forecasts: Iterable[SeriesForecast], keys: dict[str, tuple[str, str, str]]
) -> int:
    """Store each series forecast; `keys` maps a series id to (region_code, indicator_code, population_group)."""
    n = 0
    for f in forecasts:
        region, indicator, group = keys[f.series_id]
        series = ForecastSeries(
            run_id=run.id,
            region_code=region,
            indicator_code=indicator,
            population_group=group,
            origin=f.origin.to_timestamp().date(),
            model=f.model,
            params=f.extra.get("params", {}),
            n_obs=f.n_obs,
            fallback_reason=f.fallback_reason,
        )
        session.add(series)
        session.flush()
        session.execute(
            insert(ForecastPoint),
            [
                {
                    "series_id": series.id,
                    "period": p.to_timestamp().date(),
                    "horizon": h,
                    "mean": float(f.values["mean"][h - 1]),
                    "lo80": float(f.values["lo-80"][h - 1]),
                    "hi80": float(f.values["hi-80"][h - 1]),
                    "lo95": float(f.values["lo-95"][h - 1]),
                    "hi95": float(f.values["hi-95"][h - 1]),
                }
                for h, p in enumerate(f.periods, start=1)
            ],
        )
        n += 1
    return n
