"""Forecast every series of a panel: backtest each model, combine them per series, calibrate the intervals.

    result = forecast_panel(frame, PanelConfig(horizon=6, origins=20, step=6), executor="process")
    result.points      one row per series, origin and horizon: mean, lo80, hi80, lo95, hi95, model, params
    result.accuracy    each model's running MASE by horizon per series, as of each origin (and the combination's)
    result.fallbacks   every (series, model, origin) where a model failed and a baseline stood in
    result.members     each member model's own forecast at every origin (warm-up too), for scoring single models
    result.series      per series: season length chosen, scale, observations, interpolated gaps

The order of work, and why:
1. Origins: the reported ones (the last `horizon` periods before the end of data, then every `step` before it),
   preceded by `warmup` more origins whose errors only feed model choice and calibration.
2. Season length per series, from data up to the first origin only (seasonal strength test, models/season.py).
3. Per-series models at every origin, fanned out over series (models/fanout.py); panel models (pooled_ar) at
   every origin in this process, one fit per group of series sharing a season length.
4. Per series, the members are combined with weights from their errors known at each origin (models/combine.py).
5. Intervals for the combination from its own scaled errors known at each origin (models/calibrate.py).
Steps 4 and 5 and the result frames live in models/result.py.
With `live=True` the last period of each series is one more origin: the forecast the service publishes.
Nothing here reads settings, files or databases: a frame in, frames out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.backtest import Fallback, SeriesRun, SeriesTask, origin_rows, panel_backtest, run_series
from models.base import check_levels, forecast_keys
from models.baselines import Naive, SeasonalNaive
from models.combine import STRATEGIES
from models.fanout import Executor, make_executor, single_thread_blas
from models.panel_data import PanelData
from models.registry import PANEL_MODELS, default_models, validate_names
from models.result import PanelResult, SeriesMembers, SeriesPlan, assemble
from models.season import choose_season_length

__all__ = ["PanelConfig", "PanelResult", "forecast_panel"]

_PERIOD = {"M": 12, "Q": 4}


@dataclass(frozen=True)
class PanelConfig:
    """What to backtest and how to combine; every field has a default chosen on US state data before 2015.

    PanelConfig(horizon=2, origins=8, step=1, freq="Q")          # quarterly indicator, 1-2 quarters ahead
    PanelConfig(models=("ets", "theta"), combine="best")          # name the members and the weighting
    """

    horizon: int = 6
    origins: int = 20
    step: int = 6
    warmup: int = 20  # extra origins before the first reported one, for model choice and calibration only
    models: tuple[str, ...] | None = None  # None: registry.default_models(season length) per series
    combine: str = "inverse"
    calibrate: str = "panel"  # "panel" | "series" | "none" (keep the members' own intervals)
    calibration_method: str = "abs"
    calibration_window: int | None = None  # periods of origins to keep errors from; None = all
    min_calibration_errors: int = 30
    calibration_adapt: float | None = 0.05  # adaptive conformal step (Gibbs & Candes 2021); None = fixed level
    season_length: int | None = None  # None: detect per series; 1 forces non-seasonal models
    freq: str = "M"
    start: str | None = None
    levels: tuple[int, ...] = (80, 95)
    refit_every: int = 12
    min_train: int | None = None  # None: three seasons of 12 (monthly) or 4 (quarterly), at least 24 periods
    live: bool = True
    exog: tuple[tuple[str, int], ...] = ()  # (column, lag) for sarimax
    sample_size: str | None = None  # column of survey sample sizes for ll_noise / llt_noise
    origin_periods: tuple[str, ...] | None = None  # explicit origins (oldest first); the first `warmup` are warm-up

    def __post_init__(self) -> None:
        if self.freq not in _PERIOD:
            raise ValueError("freq must be 'M' or 'Q'")
        if self.horizon < 1 or self.origins < 1 or self.step < 1 or self.warmup < 0:
            raise ValueError("horizon, origins and step must be positive, warmup not negative")
        if self.combine not in STRATEGIES:
            raise ValueError(f"combine must be one of {', '.join(STRATEGIES)}")
        if self.calibrate not in ("panel", "series", "none"):
            raise ValueError("calibrate must be 'panel', 'series' or 'none'")
        check_levels(self.levels)
        if self.models is not None:
            validate_names(self.models)


def _origins(data: PanelData, cfg: PanelConfig) -> tuple[list[int], set[int]]:
    """All backtest origin rows (oldest first) and the reported subset."""
    if cfg.origin_periods is not None:
        rows = sorted({int((pd.Period(p, freq=cfg.freq) - data.periods[0]).n) for p in cfg.origin_periods})
        rows = [r for r in rows if 0 <= r < len(data.periods)]
        return rows, set(rows[cfg.warmup :])
    rows = origin_rows(len(data.periods), cfg.origins, cfg.step, cfg.horizon, cfg.warmup)
    return rows, set(rows[-cfg.origins :])


def _plan(data: PanelData, cfg: PanelConfig, rows: list[int]) -> list[SeriesPlan]:
    """Per series: its origins (enough history, data at the origin), season length (from data up to its first
    origin only) and members."""
    min_train = cfg.min_train or max(24, 3 * _PERIOD[cfg.freq])
    plans = []
    for i, sid in enumerate(data.ids):
        first, last = int(data.first[i]), int(data.last[i])
        own = [r for r in rows if first + min_train - 1 <= r <= last]
        if cfg.live and last not in own and last - first + 1 >= min_train:
            own.append(last)
        y = data.Y[first : (own[0] if own else last) + 1, i]
        m = cfg.season_length if cfg.season_length is not None else choose_season_length(y, _PERIOD[cfg.freq])
        names = tuple(cfg.models) if cfg.models else default_models(m)
        plans.append(SeriesPlan(i, sid, first, last, tuple(own), m, names))
    return plans


def _task(data: PanelData, cfg: PanelConfig, plan: SeriesPlan, levels: tuple[int, ...]) -> SeriesTask | None:
    series_models = tuple(n for n in plan.models if n not in PANEL_MODELS)
    if not plan.origins or not series_models:
        return None
    span = slice(plan.first, plan.last + 1)
    return SeriesTask(
        series_id=plan.series_id,
        y=data.Y[span, plan.col].copy(),
        first=data.label(plan.first),
        freq=cfg.freq,
        origins=tuple(r - plan.first for r in plan.origins),
        horizon=cfg.horizon,
        models=series_models,
        season_length=plan.season_length,
        refit_every=cfg.refit_every,
        levels=levels,
        X=None if data.X is None else data.X[span, plan.col, :].copy(),
        exog_lags=tuple(lag for _, lag in cfg.exog) or None,
        sample_size=None if data.sample_size is None else data.sample_size[span, plan.col].copy(),
    )


def _panel_models(data: PanelData, plans: list[SeriesPlan], horizon: int, levels: tuple[int, ...]) -> dict:
    """Panel models at every origin any member series needs: one fit per origin and group sharing a season
    length. Returns {(series_id, model): (forecasts by row, params by row, failures by row, column)}."""
    out: dict[tuple[str, str], tuple] = {}
    for name in sorted(PANEL_MODELS):
        for m in sorted({p.season_length for p in plans if name in p.models}):
            group = [p for p in plans if name in p.models and p.season_length == m]
            needed = sorted({r for p in group for r in p.origins})
            fc, params, failed = panel_backtest(data.Y[:, [p.col for p in group]], needed, horizon, name, m, levels)
            for j, p in enumerate(group):
                out[(p.series_id, name)] = (fc, params, failed, j)
    return out


def _members(
    data: PanelData, plan: SeriesPlan, run: SeriesRun | None, panel: dict, horizon: int, levels, keys, fallbacks
) -> SeriesMembers:
    """Gather one series' member forecasts; a panel model with no forecast for it gets a baseline, recorded."""
    fc = {k: np.empty((len(plan.origins), horizon, len(plan.models))) for k in keys}
    params: dict[tuple[int, str], dict] = {}
    y = data.Y[:, plan.col]
    for m, name in enumerate(plan.models):
        for j, r in enumerate(plan.origins):
            if name in PANEL_MODELS:
                out, prm, failed, col = panel[(plan.series_id, name)]
                if r in out and np.all(np.isfinite(out[r]["mean"][:, col])):
                    vals = {k: out[r][k][:, col] for k in keys}
                    params[(r, name)] = prm[r]
                else:
                    fb = SeasonalNaive(plan.season_length) if plan.season_length > 1 else Naive()
                    vals = fb.fit(y[plan.first : r + 1]).predict(horizon, None, levels)
                    reason = failed.get(r, "no forecast for this series (no value at the origin?)")
                    fallbacks.append(Fallback(plan.series_id, name, data.label(r), reason, fb.alias))
                    params[(r, name)] = {"fallback": fb.alias, "reason": reason}
            else:
                vals = run.forecasts[(r - plan.first, name)]
                params[(r, name)] = run.params[(r - plan.first, name)]
            for k in keys:
                fc[k][j, :, m] = vals[k]
    return SeriesMembers(fc, params)


def forecast_panel(
    frame: pd.DataFrame, config: PanelConfig | None = None, executor: str | Executor | None = "serial"
) -> PanelResult:
    """Backtest, combine and calibrate every series of `frame` (see the module docstring)."""
    with single_thread_blas():
        return _forecast_panel(frame, config or PanelConfig(), executor)


def _forecast_panel(frame: pd.DataFrame, cfg: PanelConfig, executor: str | Executor | None) -> PanelResult:
    data = PanelData.from_frame(
        frame, freq=cfg.freq, exog=[c for c, _ in cfg.exog], sample_size=cfg.sample_size, start=cfg.start
    )
    rows, reported = _origins(data, cfg)
    levels = tuple(check_levels(cfg.levels))
    keys = forecast_keys(levels)
    plans = _plan(data, cfg, rows)
    tasks = [t for t in (_task(data, cfg, p, levels) for p in plans) if t is not None]
    owns_executor = not isinstance(executor, Executor)
    ex = make_executor(executor) if owns_executor else executor
    try:
        runs = {r.series_id: r for r in ex.map(run_series, tasks)}
    finally:
        if owns_executor:
            ex.close()
    panel = _panel_models(data, plans, cfg.horizon, levels)
    fallbacks = [f for r in runs.values() for f in r.fallbacks]
    members = {
        p.series_id: _members(data, p, runs.get(p.series_id), panel, cfg.horizon, levels, keys, fallbacks)
        for p in plans
        if p.origins
    }
    return assemble(data, cfg, plans, members, fallbacks, reported, keys)
