"""What the warning rules read, as known at a moment: observations, forecasts, layoff filings, the region tree.

    inputs = load_inputs(session, ruleset=ruleset, now=now, as_of=month)
    regions = region_table(session)

Everything is read as it was known at `now`: observation vintages and forecast runs up to `now`, filings received
by `now`. Queries only; the caller owns the transaction.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.alerting.inputs import Inputs, RegionTable
from service.alerting.kinds import ForecastRule, LayoffRule
from service.alerting.rules import Ruleset
from service.calendar import last_complete_month
from service.db.queries import observations_as_of
from service.db.tables import ForecastPoint, ForecastRun, ForecastSeries, LayoffFiling, Region

__all__ = ["evaluation_month", "load_inputs", "region_table"]

# Months of figures before the lookback the rules may need (12-month lows, a year earlier, seasonal factors).
_HISTORY_MONTHS = 84


def evaluation_month(now: dt.datetime) -> pd.Period:
    """The month the service evaluates: the last complete month in Beijing (a month's figures come after it ends)."""
    return last_complete_month(now)


def region_table(session: Session) -> RegionTable:
    rows = session.scalars(select(Region).where(Region.active.is_(True)).order_by(Region.path)).all()
    return RegionTable.from_records(rows)


def load_inputs(session: Session, *, ruleset: Ruleset, now: dt.datetime, as_of: pd.Period) -> Inputs:
    first = (as_of - ruleset.lookback_months - _HISTORY_MONTHS).to_timestamp().date()
    obs = observations_as_of(session, as_of=now, indicators=sorted(ruleset.indicators), start=first)
    if obs.empty:
        obs = pd.DataFrame(
            columns=["region_code", "indicator_code", "population_group", "occupation", "period", "value"]
        )
    forecasts = None
    wanted = sorted({r.indicator for r in ruleset.rules if isinstance(r, ForecastRule)})
    if wanted:
        forecasts = _forecasts(session, indicators=wanted, now=now, since=(as_of - ruleset.lookback_months))
    filings = None
    if any(isinstance(r, LayoffRule) for r in ruleset.rules):
        f = LayoffFiling
        rows = session.execute(
            select(f.region_code, f.filed_on, f.layoffs, f.staff_before, f.credit_code).where(
                f.received_at <= now, f.filed_on >= first, f.status != "withdrawn"
            )
        ).all()
        filings = pd.DataFrame(rows, columns=["region_code", "filed_on", "layoffs", "staff_before", "credit_code"])
    return Inputs(observations=obs, forecasts=forecasts, filings=filings)


def _forecasts(session: Session, *, indicators: list[str], now: dt.datetime, since: pd.Period) -> pd.DataFrame:
    """For each series and origin, the points of the latest run that had finished by `now`."""
    s, r, p = ForecastSeries, ForecastRun, ForecastPoint
    latest = (
        select(s.region_code, s.indicator_code, s.population_group, s.origin, func.max(s.run_id).label("run_id"))
        .join(r, r.id == s.run_id)
        .where(
            s.indicator_code.in_(indicators),
            s.origin >= since.to_timestamp().date(),
            r.status == "succeeded",
            r.finished_at <= now,
        )
        .group_by(s.region_code, s.indicator_code, s.population_group, s.origin)
        .subquery()
    )
    q = (
        select(
            s.region_code,
            s.indicator_code,
            s.population_group,
            s.origin,
            p.horizon,
            p.mean,
            p.lo80,
            p.hi80,
            p.lo95,
            p.hi95,
        )
        .join(
            latest,
            (latest.c.run_id == s.run_id)
            & (latest.c.region_code == s.region_code)
            & (latest.c.indicator_code == s.indicator_code)
            & (latest.c.population_group == s.population_group)
            & (latest.c.origin == s.origin),
        )
        .join(p, p.series_id == s.id)
    )
    cols = [
        "region_code",
        "indicator_code",
        "population_group",
        "origin",
        "horizon",
        "mean",
        "lo80",
        "hi80",
        "lo95",
        "hi95",
    ]
    return pd.DataFrame(session.execute(q).all(), columns=cols)
