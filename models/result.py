"""The result of a panel run, and how per-series member forecasts become it (combine, calibrate, tabulate).

    PanelResult.points      series_id, origin, period, horizon, mean, lo80, hi80, lo95, hi95, model, interval,
                            kind ("backtest" or "live"), actual, params (JSON: weights and member parameters)
    PanelResult.accuracy    series_id, model, origin, horizon, mase: running MASE as of each origin
    PanelResult.fallbacks   series_id, model, origin, reason, used
    PanelResult.members     each member's own forecast at every origin, with kind "warmup", "backtest" or "live"
    PanelResult.series      series_id, season_length, models, n_obs, first, last, filled, origins, scale

Everything a store needs is a plain column: periods are text ("2024-03"), parameters JSON text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from models.backtest import Fallback, naive_scale
from models.calibrate import calibrated_bounds
from models.combine import combine_series, running_mase
from models.panel_data import PanelData

__all__ = ["PanelResult", "SeriesMembers", "SeriesPlan", "assemble", "combine_members"]


@dataclass(frozen=True)
class SeriesPlan:
    """One series' share of the run: where it sits in the panel, its origins, season length and members."""

    col: int
    series_id: str
    first: int  # first and last rows with a value
    last: int
    origins: tuple[int, ...]  # origin rows, oldest first (the live origin last)
    season_length: int
    models: tuple[str, ...]


@dataclass
class SeriesMembers:
    """Member forecasts of one series: arrays (origins, horizon, members) per key, parameters per (row, model)."""

    forecasts: dict[str, np.ndarray]
    params: dict[tuple[int, str], dict]


@dataclass
class PanelResult:
    points: pd.DataFrame
    accuracy: pd.DataFrame
    fallbacks: pd.DataFrame
    members: pd.DataFrame
    series: pd.DataFrame
    config: object = field(repr=False)


@dataclass
class _Rows:
    combined: list = field(default_factory=list)
    members: list = field(default_factory=list)
    accuracy: list = field(default_factory=list)


def _label(names: tuple[str, ...], weights: np.ndarray, strategy: str) -> list[str]:
    if len(names) == 1:
        return [names[0]] * weights.shape[0]
    if strategy in ("best", "first"):
        return [names[int(np.argmax(w))] for w in weights]
    return ["combo:" + "+".join(names)] * weights.shape[0]


def _json_default(v):
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray):
        return v.tolist()
    return str(v)


def combine_members(
    plan: SeriesPlan,
    members: SeriesMembers,
    data: PanelData,
    keys: list[str],
    strategy: str,
    reported: set[int],
    rows: _Rows,
) -> None:
    """Combine one series' members at each origin and append its rows (combined, members, accuracy)."""
    own = np.array(plan.origins)
    H = members.forecasts["mean"].shape[1]
    target = own[:, None] + np.arange(1, H + 1)[None, :]
    y = data.Y[:, plan.col]
    actual = np.where(target <= plan.last, y[np.minimum(target, len(y) - 1)], np.nan)
    scale = np.array([naive_scale(y[plan.first : r + 1]) for r in own])
    scale = np.where(scale > 0, scale, 1.0)
    fc, names = members.forecasts, plan.models
    comb = combine_series(own, target, actual, scale, fc["mean"], strategy)
    w = comb.weights
    bounds = {
        k: np.median(fc[k], axis=-1) if strategy == "median" else np.einsum("ohm,om->oh", fc[k], w) for k in keys[1:]
    }
    label = _label(names, w, strategy)
    combo_mase = running_mase(own, target, actual, scale, comb.mean)
    for j, r in enumerate(own):
        params = json.dumps(
            {
                "weights": {n: round(float(v), 4) for n, v in zip(names, w[j], strict=True)},
                "members": {n: members.params[(r, n)] for n in names},
            },
            default=_json_default,
        )
        kind = "backtest" if r in reported else ("live" if r == plan.last else "warmup")
        for k in range(H):
            t, a = int(target[j, k]), actual[j, k]
            rows.combined.append(
                (
                    plan.series_id,
                    r,
                    k + 1,
                    t,
                    comb.mean[j, k],
                    a,
                    scale[j],
                    label[j],
                    params,
                    *(bounds[b][j, k] for b in keys[1:]),
                )
            )
            for m, name in enumerate(names):
                rows.members.append(
                    (plan.series_id, r, k + 1, t, name, *(fc[b][j, k, m] for b in keys), a, scale[j], kind)
                )
            if kind != "warmup":
                rows.accuracy.extend((plan.series_id, n, r, k + 1, comb.mase[j, k, m]) for m, n in enumerate(names))
                rows.accuracy.append((plan.series_id, label[j], r, k + 1, combo_mase[j, k]))


def _first_scale(data: PanelData, plan: SeriesPlan, reported: set[int]) -> float:
    """MASE denominator: mean absolute one-step change up to the series' first reported origin."""
    rep = [r for r in plan.origins if r in reported]
    return naive_scale(data.Y[plan.first : rep[0] + 1, plan.col]) if rep else float("nan")


def _calibrate(lf: pd.DataFrame, cfg, levels: tuple[int, ...], bound_cols: list[str]) -> None:
    lf["interval"] = "model"
    if cfg.calibrate == "none" or lf.empty:
        return
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


def assemble(
    data: PanelData,
    cfg,
    plans: list[SeriesPlan],
    members: dict[str, SeriesMembers],
    fallbacks: list[Fallback],
    reported: set[int],
    keys: list[str],
) -> PanelResult:
    """Combine every series, calibrate the combination's intervals over the panel, and build the frames."""
    rows = _Rows()
    for plan in plans:
        if plan.series_id in members:
            combine_members(plan, members[plan.series_id], data, keys, cfg.combine, reported, rows)
    bound_cols = keys[1:]
    flat = {k: k.replace("-", "") for k in bound_cols}
    lf = pd.DataFrame(
        rows.combined,
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
    _calibrate(lf, cfg, tuple(int(k.split("-")[1]) for k in bound_cols[::2]), bound_cols)
    last = {p.series_id: p.last for p in plans}
    keep = lf["origin_row"].isin(reported) | (lf["origin_row"] == lf["series_id"].map(last))
    pts = lf[keep].copy()
    pts["origin"] = [data.label(r) for r in pts["origin_row"]]
    pts["period"] = [data.label(r) for r in pts["target_row"]]
    pts["kind"] = np.where(pts["origin_row"].isin(reported), "backtest", "live")
    pts = pts.rename(columns=flat)
    cols = [
        "series_id",
        "origin",
        "period",
        "horizon",
        "mean",
        *flat.values(),
        "model",
        "interval",
        "kind",
        "actual",
        "params",
    ]
    pts = pts[cols].reset_index(drop=True)

    mem = pd.DataFrame(
        rows.members,
        columns=["series_id", "origin_row", "horizon", "target_row", "model", *keys, "actual", "scale", "kind"],
    )
    mem.insert(1, "origin", [data.label(r) for r in mem["origin_row"]])
    mem.insert(3, "period", [data.label(r) for r in mem["target_row"]])
    mem = mem.rename(columns=flat)
    acc = pd.DataFrame(rows.accuracy, columns=["series_id", "model", "origin_row", "horizon", "mase"])
    acc.insert(2, "origin", [data.label(r) for r in acc.pop("origin_row")])
    fb = pd.DataFrame([f.__dict__ for f in fallbacks], columns=["series_id", "model", "origin", "reason", "used"])
    series = pd.DataFrame(
        [
            (
                p.series_id,
                p.season_length,
                "+".join(p.models),
                p.last - p.first + 1,
                data.label(p.first),
                data.label(p.last),
                int(data.filled[p.col]),
                sum(r in reported for r in p.origins),
                _first_scale(data, p, reported),
            )
            for p in plans
        ],
        columns=["series_id", "season_length", "models", "n_obs", "first", "last", "filled", "origins", "scale"],
    )
    return PanelResult(pts, acc, fb, mem, series, cfg)
