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
            for o in np.unique(origin[at_h]):
                use = p_target <= o
                if window is not None:
                    use &= p_origin > o - window
                e = p_err[use]
                if e.size < min_errors:
                    continue
                sel = at_h[origin[at_h] == o]
                for lv in levels:
                    if method == "abs":
                        q = conformal_quantile(np.abs(e), lv / 100)
                        lo_q, hi_q = -q, q
                    else:
                        tail = (1 - lv / 100) / 2
                        lo_q = -conformal_quantile(-e, 1 - tail)
                        hi_q = conformal_quantile(e, 1 - tail)
                    out[f"lo-{lv}"][sel] = mean[sel] + lo_q * scale[sel]
                    out[f"hi-{lv}"][sel] = mean[sel] + hi_q * scale[sel]
    return out
