"""Is a series seasonal? Seasonal strength from an STL decomposition, and simple additive seasonal indices.

Seasonal strength (Wang, Smith & Hyndman 2006; FPP3 section 4.3): F_s = max(0, 1 - Var(R) / Var(S + R)), where
S and R are the seasonal and remainder parts of a robust STL decomposition. Seasonally adjusted series score near
0, raw monthly survey or payroll series well above 0.6. We call a series seasonal when F_s >= 0.6 and it has at
least three full seasons; otherwise it is treated as non-seasonal (season_length 1).
"""

from __future__ import annotations

import warnings

import numpy as np

__all__ = ["SEASONAL_STRENGTH_THRESHOLD", "choose_season_length", "seasonal_indices", "seasonal_strength"]

SEASONAL_STRENGTH_THRESHOLD = 0.6


def seasonal_strength(y: np.ndarray, period: int) -> float:
    """F_s in [0, 1]; 0 when the series is too short (fewer than three seasons) to tell."""
    from statsmodels.tsa.seasonal import STL

    y = np.asarray(y, dtype=float)
    y = y[np.isfinite(y)]
    if period < 2 or y.size < 3 * period:
        return 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = STL(y, period=period, robust=True).fit()
    r = np.asarray(res.resid)
    sr = r + np.asarray(res.seasonal)
    var_sr = float(np.var(sr))
    if var_sr <= 0:
        return 0.0
    return float(max(0.0, 1.0 - np.var(r) / var_sr))


def choose_season_length(y: np.ndarray, period: int, threshold: float = SEASONAL_STRENGTH_THRESHOLD) -> int:
    """`period` when the series is clearly seasonal at that period, else 1."""
    if period < 2:
        return 1
    return period if seasonal_strength(y, period) >= threshold else 1


def seasonal_indices(y: np.ndarray, period: int) -> np.ndarray:
    """Additive seasonal indices (classical decomposition): the mean, by position in the season, of the series
    minus its centred moving average; they sum to zero. Position i is for y[i], y[i + period], ...
    NaN values are ignored; positions with no information get 0."""
    y = np.asarray(y, dtype=float)
    n = y.size
    if period < 2 or n < 2 * period + 1:
        return np.zeros(max(period, 1))
    w = np.ones(period + 1) if period % 2 == 0 else np.ones(period)
    if period % 2 == 0:
        w[0] = w[-1] = 0.5
    w /= w.sum()
    half = w.size // 2
    trend = np.full(n, np.nan)
    for t in range(half, n - half):
        seg = y[t - half : t + half + 1]
        trend[t] = float(seg @ w) if np.all(np.isfinite(seg)) else np.nan
    detr = y - trend
    idx = np.zeros(period)
    for i in range(period):
        vals = detr[i::period]
        vals = vals[np.isfinite(vals)]
        idx[i] = vals.mean() if vals.size else 0.0
    return idx - idx.mean()
