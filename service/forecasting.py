"""Forecasting in the service: the engine (models/) on the data as known at `now`, stored and later scored.

    forecast(session, now=now, executor="process")   # one run over every target series; returns a summary
    score_forecasts(session, now=now)               # every stored point whose actual has arrived gets a score

A run reads observations as known at `now` (or up to `origin`, which makes it reproducible: an origin's
forecast does not change when later data arrive), backtests and combines models per series
(models.forecast_panel), and stores the live forecast of each series with its model, parameters, calibrated
80/95 % intervals and the running accuracy of each member so far. A series too short for backtests gets the
seasonal-naive baseline, and the reason is stored with it. The caller owns the transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from models import Naive, PanelConfig, SeasonalNaive, forecast_panel
from service.db.queries import observations_as_of
from service.db.tables import ForecastPoint, ForecastRun, ForecastScore, ForecastSeries

__all__ = ["FORECAST_TARGETS", "ForecastTarget", "forecast", "score_forecasts"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ForecastTarget:
    indicator: str
    freq: str  # M or Q
    horizon: int
    origins: int  # backtest origins reported (one period apart) ...
    warmup: int  # ... after this many more used only for model choice and calibration
    sample_size: bool = False  # pass survey sample sizes to the signal-plus-noise models


# What the service forecasts: survey and social-insurance series by month, the registered rate by quarter.
FORECAST_TARGETS = (
    ForecastTarget("surveyed_unemployment_rate", "M", 6, 12, 24, sample_size=True),
    ForecastTarget("ui_new_claims", "M", 6, 12, 24),
    ForecastTarget("ui_recipients", "M", 6, 12, 24),
    ForecastTarget("registered_unemployment_rate", "Q", 2, 4, 8),
)


def _config(target: ForecastTarget) -> PanelConfig:
    return PanelConfig(
        horizon=target.horizon,
        origins=target.origins,
        step=1,
        warmup=target.warmup,
        freq=target.freq,
        sample_size="sample_size" if target.sample_size else None,
        live=True,
    )


def _frame(session: Session, target: ForecastTarget, *, now: dt.datetime, origin: dt.date | None) -> pd.DataFrame:
    obs = observations_as_of(session, as_of=now, indicators=[target.indicator], end=origin)
    obs = obs[obs["occupation"] == "total"]
    if obs.empty:
        return obs
    periods = pd.PeriodIndex(pd.to_datetime(obs["period"]), freq=target.freq)
    frame = pd.DataFrame(
        {
            "series_id": (obs["region_code"] + "|" + obs["population_group"]).to_numpy(),
            "period": periods.astype(str),
            "value": obs["value"].to_numpy(dtype=float),
        }
    )
    if target.sample_size:
        frame["sample_size"] = pd.to_numeric(obs["sample_size"], errors="coerce").to_numpy(dtype=float)
    return frame


def forecast(
    session: Session,
    *,
    now: dt.datetime,
    trigger: str = "manual",
    executor: str = "serial",
    targets: tuple[ForecastTarget, ...] = FORECAST_TARGETS,
    origin: dt.date | None = None,
    regions: frozenset[str] | None = None,
) -> dict:
    """One run over the targets' series (only those of `regions`, when given); returns a summary."""
    run = ForecastRun(
        started_at=now,
        status="running",
        data_as_of=now,
        trigger=trigger,
        spec={
            "engine": "models.forecast_panel",
            "targets": [asdict(t) for t in targets],
            "levels": [80, 95],
            "origin": origin.isoformat() if origin else None,
            "regions": sorted(regions) if regions is not None else None,
            "executor": executor,
        },
    )
    session.add(run)
    session.flush()
    stored = fallbacks = 0
    for target in targets:
        frame = _frame(session, target, now=now, origin=origin)
        if regions is not None and not frame.empty:
            frame = frame[frame["series_id"].str.split("|").str[0].isin(regions)]
        if frame.empty:
            continue
        result = forecast_panel(frame, _config(target), executor=executor)
        live = result.points[result.points["kind"] == "live"]
        series_info = result.series.set_index("series_id")
        for series_id, pts in live.groupby("series_id", sort=True):
            extra = _accuracy_so_far(result.accuracy, series_id)
            params = json.loads(pts["params"].iloc[0]) if pts["params"].iloc[0] else {}
            info = series_info.loc[series_id]
            params.update({"season_length": int(info["season_length"]), "scale": _num(info["scale"]),
                           "interval": pts["interval"].iloc[0], "accuracy": extra})  # fmt: skip
            reason = _fallback_reason(result.fallbacks, series_id)
            fallbacks += reason is not None
            _store(session, run, target, series_id, pts, model=pts["model"].iloc[0], params=params,
                   n_obs=int(info["n_obs"]), reason=reason)  # fmt: skip
            stored += 1
        for series_id in sorted(set(frame["series_id"]) - set(live["series_id"])):
            _store_baseline(session, run, target, frame[frame["series_id"] == series_id])
            stored += 1
            fallbacks += 1
    run.status, run.finished_at, run.n_series, run.n_fallbacks = "succeeded", now, stored, fallbacks
    return {"run_id": run.id, "series": stored, "fallbacks": fallbacks}


def _num(x) -> float | None:
    return None if x is None or pd.isna(x) else float(x)


def _accuracy_so_far(accuracy: pd.DataFrame, series_id: str) -> dict[str, dict[str, float]]:
    """Each model's running MASE by horizon at the latest backtest origin of the series."""
    rows = accuracy[accuracy["series_id"] == series_id]
    if rows.empty:
        return {}
    rows = rows[rows["origin"] == rows["origin"].max()]
    out: dict[str, dict[str, float]] = {}
    for r in rows.itertuples(index=False):
        if r.mase == r.mase:  # not NaN
            out.setdefault(str(r.model), {})[str(int(r.horizon))] = round(float(r.mase), 4)
    return out


def _fallback_reason(fallbacks: pd.DataFrame, series_id: str) -> str | None:
    rows = fallbacks[fallbacks["series_id"] == series_id]
    if rows.empty:
        return None
    return "; ".join(sorted({f"{r.model}: {r.reason}" for r in rows.itertuples(index=False)}))[:2000]


def _split(series_id: str) -> tuple[str, str]:
    region, group = series_id.split("|", 1)
    return region, group


def _period_start(text: str, freq: str) -> dt.date:
    return pd.Period(text, freq=freq).start_time.date()


def _store(session, run, target, series_id, pts: pd.DataFrame, *, model, params, n_obs, reason) -> None:
    region, group = _split(series_id)
    series = ForecastSeries(
        run_id=run.id,
        region_code=region,
        indicator_code=target.indicator,
        population_group=group,
        origin=_period_start(str(pts["origin"].iloc[0]), target.freq),
        model=str(model)[:64],
        params=params,
        n_obs=n_obs,
        fallback_reason=reason,
    )
    session.add(series)
    session.flush()
    session.execute(
        insert(ForecastPoint),
        [
            {
                "series_id": series.id,
                "period": _period_start(str(p.period), target.freq),
                "horizon": int(p.horizon),
                **{k: float(getattr(p, k)) for k in ("mean", "lo80", "hi80", "lo95", "hi95")},
            }
            for p in pts.sort_values("horizon").itertuples(index=False)
        ],
    )


def _store_baseline(session, run, target, rows: pd.DataFrame) -> None:
    """A series too short to backtest: the seasonal-naive baseline (naive under two seasons), said so."""
    rows = rows.sort_values("period")
    y = rows["value"].to_numpy(dtype=float)
    season = 12 if target.freq == "M" else 4
    model = SeasonalNaive(season) if y.size >= 2 * season else Naive()
    values = model.forecast(y, target.horizon, level=(80, 95))
    origin = pd.Period(rows["period"].iloc[-1], freq=target.freq)
    pts = pd.DataFrame(
        {
            "origin": str(origin),
            "period": [str(origin + h) for h in range(1, target.horizon + 1)],
            "horizon": range(1, target.horizon + 1),
            "mean": values["mean"],
            "lo80": values["lo-80"],
            "hi80": values["hi-80"],
            "lo95": values["lo-95"],
            "hi95": values["hi-95"],
        }
    )
    reason = f"history of {y.size} periods is too short to backtest and combine models; baseline used"
    _store(session, run, target, rows["series_id"].iloc[0], pts, model=model.alias,
           params={"season_length": season if isinstance(model, SeasonalNaive) else 1}, n_obs=int(y.size),
           reason=reason)  # fmt: skip


def score_forecasts(session: Session, *, now: dt.datetime) -> dict:
    """Score every stored point whose actual figure is now known: error, scaled error, interval coverage."""
    s, p = ForecastSeries, ForecastPoint
    rows = session.execute(
        select(p.id, p.period, p.mean, p.lo80, p.hi80, p.lo95, p.hi95, s.region_code, s.indicator_code,
               s.population_group, s.params)
        .join(s, s.id == p.series_id)
        .outerjoin(ForecastScore, ForecastScore.point_id == p.id)
        .where(ForecastScore.point_id.is_(None), p.period <= now.date())
    ).all()  # fmt: skip
    if not rows:
        return {"scored": 0}
    pts = pd.DataFrame(rows, columns=["point_id", "period", "mean", "lo80", "hi80", "lo95", "hi95", "region_code",
                                      "indicator_code", "population_group", "params"])  # fmt: skip
    actuals = observations_as_of(
        session, as_of=now, indicators=sorted(pts["indicator_code"].unique()),
        regions=sorted(pts["region_code"].unique()), start=min(pts["period"]), end=max(pts["period"]),
    )  # fmt: skip
    if actuals.empty:
        return {"scored": 0}
    actuals = actuals[actuals["occupation"] == "total"]
    key = ["region_code", "indicator_code", "population_group", "period"]
    merged = pts.merge(actuals[[*key, "value", "vintage"]], on=key, how="inner")
    scored = []
    for r in merged.itertuples(index=False):
        scale = (r.params or {}).get("scale")
        error = float(r.value) - float(r.mean)
        scored.append(
            {
                "point_id": int(r.point_id),
                "actual": float(r.value),
                "error": error,
                "scaled_abs_error": abs(error) / scale if scale else None,
                "covered80": bool(r.lo80 <= r.value <= r.hi80),
                "covered95": bool(r.lo95 <= r.value <= r.hi95),
                "actual_vintage": r.vintage.to_pydatetime() if hasattr(r.vintage, "to_pydatetime") else r.vintage,
                "scored_at": now,
            }
        )
    if scored:
        session.execute(insert(ForecastScore), scored)
    return {"scored": len(scored), "covered80": float(np.mean([x["covered80"] for x in scored])) if scored else None}
