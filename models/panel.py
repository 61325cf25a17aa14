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
With `live=True` the last period of each series is one more origin: the forecast the service publishes.
Nothing here reads settings, files or databases: a frame in, frames out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from models.backtest import Fallback, SeriesTask, naive_scale, origin_rows, panel_backtest, run_series
from models.base import check_levels, forecast_keys
from models.baselines import Naive, SeasonalNaive
from models.calibrate import calibrated_bounds
from models.combine import STRATEGIES, combine_series
from models.fanout import Executor, make_executor, single_thread_blas
from models.panel_data import PanelData
from models.registry import PANEL_MODELS, default_models, validate_names
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


@dataclass
class PanelResult:
    points: pd.DataFrame
    accuracy: pd.DataFrame
    fallbacks: pd.DataFrame
    members: pd.DataFrame
    series: pd.DataFrame
    config: PanelConfig = field(repr=False)


def _origins(data: PanelData, cfg: PanelConfig) -> tuple[list[int], set[int]]:
    """All backtest origin rows (oldest first) and the reported subset."""
    if cfg.origin_periods is not None:
        rows = sorted({int((pd.Period(p, freq=cfg.freq) - data.periods[0]).n) for p in cfg.origin_periods})
        rows = [r for r in rows if 0 <= r < len(data.periods)]
        return rows, set(rows[cfg.warmup :])
    rows = origin_rows(len(data.periods), cfg.origins, cfg.step, cfg.horizon, cfg.warmup)
    return rows, set(rows[-cfg.origins :])


def _season_length(y: np.ndarray, cfg: PanelConfig) -> int:
    if cfg.season_length is not None:
        return cfg.season_length
    return choose_season_length(y[np.isfinite(y)], _PERIOD[cfg.freq])


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
    period = _PERIOD[cfg.freq]
    min_train = cfg.min_train or max(24, 3 * period)
    levels = tuple(check_levels(cfg.levels))
    H = cfg.horizon

    # per series: origins, season length, models
    plans = []
    for i, sid in enumerate(data.ids):
        f, la = int(data.first[i]), int(data.last[i])
        own = [r for r in rows if f + min_train - 1 <= r <= la]
        if cfg.live and la not in own and la - f + 1 >= min_train:
            own.append(la)
        y = data.Y[f : la + 1, i]
        sl = _season_length(y[: (own[0] - f + 1) if own else y.size], cfg)
        names = tuple(cfg.models) if cfg.models else default_models(sl)
        plans.append((i, sid, f, la, own, sl, names))

    tasks = []
    for i, sid, f, la, own, sl, names in plans:
        series_models = tuple(n for n in names if n not in PANEL_MODELS)
        if not own or not series_models:
            continue
        tasks.append(
            SeriesTask(
                series_id=sid,
                y=data.Y[f : la + 1, i].copy(),
                first=data.label(f),
                freq=cfg.freq,
                origins=tuple(r - f for r in own),
                horizon=H,
                models=series_models,
                season_length=sl,
                refit_every=cfg.refit_every,
                levels=levels,
                X=None if data.X is None else data.X[f : la + 1, i, :].copy(),
                exog_lags=tuple(lag for _, lag in cfg.exog) or None,
                sample_size=None if data.sample_size is None else data.sample_size[f : la + 1, i].copy(),
            )
        )
    owns_executor = not isinstance(executor, Executor)
    ex = make_executor(executor) if owns_executor else executor
    try:
        runs = {r.series_id: r for r in ex.map(run_series, tasks)}
    finally:
        if owns_executor:
            ex.close()

    # panel models: one fit per origin row and group of series sharing a season length
    panel_out: dict[tuple[str, int], tuple] = {}
    for name in sorted(PANEL_MODELS):
        for sl in sorted({p[5] for p in plans if name in p[6]}):
            cols = [p[0] for p in plans if name in p[6] and p[5] == sl]
            needed = sorted({r for p in plans if p[0] in cols for r in p[4]})
            out, params, failed = panel_backtest(data.Y[:, cols], needed, H, name, sl, levels)
            for j, c in enumerate(cols):
                panel_out[(data.ids[c], name)] = (out, params, failed, j)

    keys = forecast_keys(levels)
    long_rows, member_rows, acc_rows, fallbacks = [], [], [], []
    for i, sid, f, la, own, sl, names in plans:
        if not own:
            continue
        run = runs.get(sid)
        if run is not None:
            fallbacks.extend(run.fallbacks)
        o_arr = np.array(own)
        target = o_arr[:, None] + np.arange(1, H + 1)[None, :]
        yi = data.Y[:, i]
        actual = np.where(target <= la, yi[np.minimum(target, len(yi) - 1)], np.nan)
        scale = np.array([naive_scale(yi[f : r + 1]) for r in own])
        scale = np.where(scale > 0, scale, 1.0)
        fc = {k: np.empty((len(own), H, len(names))) for k in keys}
        params: dict[tuple[int, str], dict] = {}
        for m, name in enumerate(names):
            for j, r in enumerate(own):
                if name in PANEL_MODELS:
                    out, prm, failed, col = panel_out[(sid, name)]
                    if r in out and np.all(np.isfinite(out[r]["mean"][:, col])):
                        vals = {k: out[r][k][:, col] for k in keys}
                        params[(r, name)] = prm[r]
                    else:
                        fb = SeasonalNaive(sl) if sl > 1 else Naive()
                        vals = fb.fit(yi[f : r + 1]).predict(H, None, levels)
                        reason = failed.get(r, "no forecast for this series")
                        fallbacks.append(Fallback(sid, name, data.label(r), reason, fb.alias))
                        params[(r, name)] = {"fallback": fb.alias, "reason": reason}
                else:
                    vals = run.forecasts[(r - f, name)]
                    params[(r, name)] = run.params[(r - f, name)]
                for k in keys:
                    fc[k][j, :, m] = vals[k]
        comb = combine_series(o_arr, target, actual, scale, fc["mean"], cfg.combine)
        w = comb.weights
        model_bounds = {}
        for k in keys[1:]:
            model_bounds[k] = (
                np.median(fc[k], axis=-1) if cfg.combine == "median" else np.einsum("ohm,om->oh", fc[k], w)
            )
        label = _label(names, w, cfg.combine)
        for j, r in enumerate(own):
            ptxt = json.dumps(
                {
                    "weights": {n: round(float(v), 4) for n, v in zip(names, w[j], strict=True)},
                    "members": {n: params[(r, n)] for n in names},
                },
                default=_json_default,
            )
            for hh in range(H):
                long_rows.append(
                    (
                        sid,
                        r,
                        hh + 1,
                        int(target[j, hh]),
                        comb.mean[j, hh],
                        actual[j, hh],
                        scale[j],
                        label[j],
                        ptxt,
                        *(model_bounds[k][j, hh] for k in keys[1:]),
                    )
                )
                kind = "backtest" if r in reported else ("live" if r == la else "warmup")
                for m, name in enumerate(names):
                    member_rows.append(
                        (
                            sid,
                            r,
                            hh + 1,
                            int(target[j, hh]),
                            name,
                            *(fc[k][j, hh, m] for k in keys),
                            actual[j, hh],
                            scale[j],
                            kind,
                        )
                    )
        combo_mase = _combo_mase(o_arr, target, actual, scale, comb.mean)
        for j, r in enumerate(own):
            if r not in reported and r != la:
                continue
            for hh in range(H):
                for m, name in enumerate(names):
                    acc_rows.append((sid, name, r, hh + 1, comb.mase[j, hh, m]))
                acc_rows.append((sid, label[j], r, hh + 1, combo_mase[j, hh]))

    return _assemble(data, cfg, levels, keys, long_rows, member_rows, acc_rows, fallbacks, reported, plans)


def _combo_mase(o_arr, target, actual, scale, mean):
    from models.combine import running_mase

    return running_mase(o_arr, target, actual, scale, mean)


def _label(names, weights, strategy) -> list[str]:
    if len(names) == 1:
        return [names[0]] * weights.shape[0]
    if strategy in ("best", "first"):
        return [names[int(np.argmax(w))] for w in weights]
    return ["combo:" + "+".join(names)] * weights.shape[0]


def _first_scale(data: PanelData, plan, reported: set[int]) -> float:
    """MASE denominator: mean absolute one-step change up to the series' first reported origin."""
    i, _, f, _, own, *_ = plan
    rep = [r for r in own if r in reported]
    return naive_scale(data.Y[f : rep[0] + 1, i]) if rep else float("nan")


def _json_default(v):
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray):
        return v.tolist()
    return str(v)


def _assemble(data, cfg, levels, keys, long_rows, member_rows, acc_rows, fallbacks, reported, plans) -> PanelResult:
    bound_cols = [k for k in keys[1:]]
    lf = pd.DataFrame(
        long_rows,
        columns=[
            "series_id",
            "origin_row",
            "horizon",
            "target_row",
            "mean",
            "actual",
            "scale",
            "model",
            "params",
            *bound_cols,
        ],
    )
    lf["interval"] = "model"
    if cfg.calibrate != "none" and not lf.empty:
        cal = calibrated_bounds(
            series=lf["series_id"].to_numpy(),
            origin=lf["origin_row"].to_numpy(),
            h=lf["horizon"].to_numpy(),
            target=lf["target_row"].to_numpy(),
            mean=lf["mean"].to_numpy(),
            actual=lf["actual"].to_numpy(),
            scale=lf["scale"].to_numpy(),
            levels=levels,
            pool=cfg.calibrate,
            method=cfg.calibration_method,
            window=cfg.calibration_window,
            min_errors=cfg.min_calibration_errors,
            adapt=cfg.calibration_adapt,
        )
        ok = np.isfinite(cal[bound_cols[0]])
        for k in bound_cols:
            lf.loc[ok, k] = cal[k][ok]
        lf.loc[ok, "interval"] = "calibrated"
    last_rows = {p[1]: p[3] for p in plans}
    keep = lf["origin_row"].isin(reported) | (lf["origin_row"] == lf["series_id"].map(last_rows))
    pts = lf[keep].copy()
    pts["origin"] = [data.label(r) for r in pts["origin_row"]]
    pts["period"] = [data.label(r) for r in pts["target_row"]]
    pts["kind"] = np.where(pts["origin_row"].isin(reported), "backtest", "live")
    pts = pts.rename(columns={k: k.replace("-", "") for k in bound_cols})
    cols = [
        "series_id",
        "origin",
        "period",
        "horizon",
        "mean",
        *[k.replace("-", "") for k in bound_cols],
        "model",
        "interval",
        "kind",
        "actual",
        "params",
    ]
    pts = pts[cols].reset_index(drop=True)
    members = pd.DataFrame(
        member_rows,
        columns=["series_id", "origin_row", "horizon", "target_row", "model", *keys, "actual", "scale", "kind"],
    )
    members.insert(1, "origin", [data.label(r) for r in members["origin_row"]])
    members.insert(3, "period", [data.label(r) for r in members["target_row"]])
    members = members.rename(columns={k: k.replace("-", "") for k in bound_cols})
    acc = pd.DataFrame(acc_rows, columns=["series_id", "model", "origin_row", "horizon", "mase"])
    acc.insert(2, "origin", [data.label(r) for r in acc.pop("origin_row")])
    fb = pd.DataFrame([f.__dict__ for f in fallbacks], columns=["series_id", "model", "origin", "reason", "used"])
    series = pd.DataFrame(
        [
            (
                p[1],
                p[5],
                "+".join(p[6]),
                int(p[3] - p[2] + 1),
                data.label(p[2]),
                data.label(p[3]),
                int(data.filled[p[0]]),
                len([r for r in p[4] if r in reported]),
                _first_scale(data, p, reported),
            )
            for p in plans
        ],
        columns=["series_id", "season_length", "models", "n_obs", "first", "last", "filled", "origins", "scale"],
    )
    return PanelResult(pts, acc, fb, members, series, cfg)
