"""Rolling-origin backtests: where the origins fall, what each model forecast from each, and how good that was.

    rows = origin_rows(n_periods=596, n_origins=20, step=6, horizon=6)      # row positions, oldest first
    run = run_series(SeriesTask(...))                                      # one series, every model, every origin

An origin is the last period a forecast may see. The last origin is `horizon` periods before the last period
of data, so every one of its forecasts can be scored; the others are `step` periods apart before it. A model is
re-estimated at an origin when `refit_every` periods have passed since its last estimation, otherwise (if it
offers `update`) it keeps its parameters and only filters the new observations: the expensive part runs once a
year, not every origin.

A model that fails at an origin (an exception, or a non-finite forecast) is replaced there by the naive (or
seasonal naive) forecast, and the failure is recorded as a `Fallback`; it never stops the run.

Scores: MASE divides absolute errors by the in-sample mean absolute one-step change (the naive model's MAE) of
the series up to the first origin; RMSE is in the series' own unit; coverage is the share of actual values
inside an interval.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from models.base import forecast_keys
from models.baselines import Naive, SeasonalNaive

__all__ = [
    "Fallback",
    "SeriesRun",
    "SeriesTask",
    "coverage",
    "mase",
    "naive_scale",
    "origin_rows",
    "panel_backtest",
    "rmse",
    "run_series",
]

log = logging.getLogger(__name__)


def origin_rows(n_periods: int, n_origins: int, step: int, horizon: int, warmup: int = 0) -> list[int]:
    """Row positions (0-based) of the origins, oldest first: the last at n_periods - 1 - horizon, then every
    `step` rows before it, `n_origins + warmup` in all; positions before the data are dropped."""
    if n_origins < 1 or step < 1 or horizon < 1 or warmup < 0:
        raise ValueError("origins, step and horizon must be positive; warmup must not be negative")
    last = n_periods - 1 - horizon
    rows = [last - step * k for k in range(n_origins + warmup)]
    return sorted(r for r in rows if r >= 0)


def naive_scale(y: np.ndarray, upto: int | None = None) -> float:
    """Mean absolute one-step change of y[: upto + 1] (NaN ignored): the in-sample naive MAE."""
    y = np.asarray(y, dtype=float)
    if upto is not None:
        y = y[: upto + 1]
    d = np.abs(np.diff(y))
    d = d[np.isfinite(d)]
    return float(d.mean()) if d.size else float("nan")


def mase(actual, forecast, scale: float | np.ndarray) -> float:
    e = np.abs(np.asarray(actual, dtype=float) - np.asarray(forecast, dtype=float)) / scale
    return float(np.nanmean(e))


def rmse(actual, forecast) -> float:
    e = np.asarray(actual, dtype=float) - np.asarray(forecast, dtype=float)
    return float(np.sqrt(np.nanmean(e**2)))


def coverage(actual, lo, hi) -> float:
    a, lo, hi = (np.asarray(v, dtype=float) for v in (actual, lo, hi))
    ok = np.isfinite(a) & np.isfinite(lo) & np.isfinite(hi)
    return float(np.mean((a[ok] >= lo[ok]) & (a[ok] <= hi[ok]))) if ok.any() else float("nan")


@dataclass(frozen=True)
class Fallback:
    series_id: str
    model: str
    origin: str  # period label of the origin
    reason: str
    used: str  # the model whose forecast stood in


@dataclass(frozen=True)
class SeriesTask:
    """Everything one worker needs for one series; plain arrays so it pickles cheaply."""

    series_id: str
    y: np.ndarray  # consecutive periods, no gaps
    first: str  # period label of y[0]
    freq: str  # "M" or "Q"
    origins: tuple[int, ...]  # positions in y
    horizon: int
    models: tuple[str, ...]
    season_length: int = 1
    refit_every: int = 12
    levels: tuple[int, ...] = (80, 95)
    X: np.ndarray | None = None  # exogenous signals for sarimax, aligned with y
    exog_lags: tuple[int, ...] | None = None
    sample_size: np.ndarray | None = None  # survey sample sizes for ll_noise / llt_noise, aligned with y


@dataclass
class SeriesRun:
    series_id: str
    # one entry per (origin position, model): forecast dict (arrays of length horizon) and parameters
    forecasts: dict[tuple[int, str], dict[str, np.ndarray]] = field(default_factory=dict)
    params: dict[tuple[int, str], dict] = field(default_factory=dict)
    fallbacks: list[Fallback] = field(default_factory=list)


def _fallback_model(season_length: int):
    return SeasonalNaive(season_length) if season_length > 1 else Naive()


def _exog_for(task: SeriesTask, name: str, upto: int) -> np.ndarray | None:
    if name == "sarimax":
        return None if task.X is None else task.X[: upto + 1]
    if name in ("ll_noise", "llt_noise"):
        return None if task.sample_size is None else task.sample_size[: upto + 1]
    return None


def _future_exog(task: SeriesTask, name: str, upto: int) -> np.ndarray | None:
    # signals after the origin are not known at the origin: carry the last value forward (a naive signal forecast)
    if name == "sarimax" and task.X is not None:
        return np.repeat(task.X[upto : upto + 1], task.horizon, axis=0)
    return None


def run_series(task: SeriesTask) -> SeriesRun:
    """Every model of `task` at every origin, fitted only on the data up to that origin."""
    from models.fanout import single_thread_blas

    with single_thread_blas():
        return _run_series(task)


def _run_series(task: SeriesTask) -> SeriesRun:
    from models.registry import make_model

    run = SeriesRun(task.series_id)
    first = pd.Period(task.first, freq=task.freq)
    keys = forecast_keys(task.levels)
    for name in task.models:
        model, last_fit = None, None
        for o in task.origins:
            y = task.y[: o + 1]
            X = _exog_for(task, name, o)
            try:
                if model is not None and hasattr(model, "update") and o - last_fit < task.refit_every:
                    model.update(y, X)
                    how = "update"
                else:
                    model = make_model(
                        name,
                        season_length=task.season_length,
                        start=first,
                        freq=task.freq,
                        exog_lags=task.exog_lags,
                    )
                    model.fit(y, X)
                    last_fit, how = o, "fit"
                out = model.predict(task.horizon, _future_exog(task, name, o), task.levels)
                if not all(np.all(np.isfinite(out[k])) for k in keys):
                    raise FloatingPointError("non-finite forecast")
                params = {**getattr(model, "params_", {}), "estimated": how}
            except Exception as exc:  # one model failing on one series at one origin must not stop the run
                reason = f"{type(exc).__name__}: {exc}"[:300]
                fb = _fallback_model(task.season_length)
                log.info("%s failed on %s at %s: %s", name, task.series_id, first + o, reason)
                run.fallbacks.append(Fallback(task.series_id, name, str(first + o), reason, fb.alias))
                out = fb.fit(y).predict(task.horizon, None, task.levels)
                params = {"fallback": fb.alias, "reason": reason}
                model = None  # estimate afresh at the next origin
            run.forecasts[(o, name)] = {k: np.asarray(out[k], dtype=float) for k in keys}
            run.params[(o, name)] = params
    return run


def panel_backtest(
    Y: np.ndarray,
    origins: Sequence[int],
    horizon: int,
    name: str,
    season_length: int,
    levels: Sequence[int],
) -> tuple[dict[int, dict[str, np.ndarray]], dict[int, dict], dict[int, str]]:
    """A panel model at each origin row of Y (periods x series): forecasts (h x series), params, failures."""
    from models.registry import make_panel_model

    out, params, failed = {}, {}, {}
    keys = forecast_keys(levels)
    for o in origins:
        try:
            model = make_panel_model(name, season_length=season_length).fit(Y[: o + 1])
            res = model.predict(horizon, levels)
            out[o] = {k: np.asarray(res[k], dtype=float) for k in keys}
            params[o] = dict(model.params_)
        except Exception as exc:  # recorded per series by the caller, never raised
            failed[o] = f"{type(exc).__name__}: {exc}"[:300]
    return out, params, failed
