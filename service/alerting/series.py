"""Transforms of monthly series, all causal: the value at period t uses figures up to t only.

Arrays are (periods, regions) floats with NaN for a missing figure, which is never guessed: a gap makes every
value that would need it NaN too. Because each transform is causal, evaluating the rules on data cut at month t
gives the same values up to t as evaluating them later on longer data (the backtest relies on it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

__all__ = [
    "SEASONAL_STRENGTH",
    "change",
    "deseasonalise",
    "local_level",
    "mean3",
    "rise",
    "rolling_extreme",
    "rolling_mean",
    "rolling_sum",
    "smooth",
]

# A region's series is seasonally adjusted under `seasonal: auto` when the month-of-year pattern explains at
# least this share of its detrended variance (over at least three years of history).
SEASONAL_STRENGTH = 0.25
_SEASONAL_YEARS = 5


def _frame(x: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(np.asarray(x, dtype=float))


def mean3(x: np.ndarray) -> np.ndarray:
    """Trailing 3-period average; NaN unless all three figures exist."""
    x = np.asarray(x, dtype=float)
    out = np.full(x.shape, np.nan)
    out[2:] = (x[2:] + x[1:-1] + x[:-2]) / 3.0
    return out


def rolling_sum(x: np.ndarray, window: int, *, partial: bool = False) -> np.ndarray:
    """Trailing sum over `window` periods; NaN unless all figures exist (or, `partial`, over what exists)."""
    x = np.asarray(x, dtype=float)
    gap = np.isnan(x)
    total = np.cumsum(np.where(gap, 0.0, x), axis=0)
    gaps = np.cumsum(gap, axis=0)
    total[window:] = total[window:] - total[:-window]
    gaps[window:] = gaps[window:] - gaps[:-window]
    if partial:
        return total
    out = np.where(gaps == 0, total, np.nan)
    out[: window - 1] = np.nan
    return out


def rolling_mean(x: np.ndarray, window: int) -> np.ndarray:
    return rolling_sum(x, window) / window


def rolling_extreme(x: np.ndarray, window: int, *, how: str = "min", partial: bool = False) -> np.ndarray:
    """Trailing min or max over `window` periods; NaN if a figure is missing (`partial`: over what exists)."""
    x = np.asarray(x, dtype=float)
    fill = np.nan if not partial else (np.inf if how == "min" else -np.inf)
    padded = np.concatenate([np.full((window - 1, *x.shape[1:]), fill), x], axis=0)
    if partial:
        padded = np.where(np.isnan(padded), fill, padded)
    windows = sliding_window_view(padded, window, axis=0)
    out = windows.min(axis=-1) if how == "min" else windows.max(axis=-1)
    return np.where(np.isinf(out), np.nan, out) if partial else out


def local_level(x: np.ndarray, q: float) -> np.ndarray:
    """Filtered level of a local-level (random walk plus noise) model, signal-to-noise variance ratio q.

    The signal-plus-noise view of a small-sample survey rate (as BLS LAUS models state rates): each figure is the
    true level plus sampling noise, and the level moves slowly. Only the filter (no smoother) is used, so the
    level at t depends on figures up to t. A missing figure leaves the level where it was; before a region's first
    figure the level is NaN.
    """
    x = np.asarray(x, dtype=float)
    n_t, n_r = x.shape
    out = np.full((n_t, n_r), np.nan)
    level = np.full(n_r, np.nan)
    var = np.full(n_r, np.nan)
    for t in range(n_t):
        y = x[t]
        seen = ~np.isnan(y)
        fresh = seen & np.isnan(level)
        level = np.where(fresh, y, level)
        var = np.where(fresh, 1.0, var)
        prior = var + q
        update = seen & ~fresh
        gain = prior / (prior + 1.0)
        level = np.where(update, level + gain * (y - level), level)
        var = np.where(update, (1 - gain) * prior, np.where(fresh, var, prior))
        out[t] = level
    return out


def deseasonalise(x: np.ndarray, mode: str, period: int = 12) -> np.ndarray:
    """Remove a month-of-year pattern estimated from earlier years only (mode none, adjust or auto).

    The factor for period t is the mean, over up to five earlier years, of the figure minus its centred 12-month
    average at t-12, t-24, ...; a centred average at t-12 needs figures up to t-6, so the adjustment is causal.
    """
    x = np.asarray(x, dtype=float)
    if mode == "none" or x.shape[0] < 3 * period:
        return x
    frame = _frame(x)
    half = period // 2
    centred = (
        frame.rolling(period, min_periods=period).mean() + frame.rolling(period, min_periods=period).mean().shift(-1)
    ) / 2
    # centred.iloc[u] above averages x[u-11..u+1]: shift so it centres on u (x[u-6..u+6] with half weights)
    centred = centred.shift(-(half - 1))
    detrended = (frame - centred).to_numpy()
    factor = np.zeros_like(x)
    count = np.zeros_like(x)
    for j in range(1, _SEASONAL_YEARS + 1):
        lag = np.full_like(x, np.nan)
        lag[j * period :] = detrended[: -j * period]
        ok = ~np.isnan(lag)
        factor += np.where(ok, lag, 0.0)
        count += ok
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = np.where(count >= 2, factor / np.maximum(count, 1), 0.0)
    if mode == "auto":
        factor = factor * _seasonal_regions(detrended, period)[None, :]
    return x - factor


def _seasonal_regions(detrended: np.ndarray, period: int) -> np.ndarray:
    """1.0 for regions whose history shows a clear month-of-year pattern, else 0.0."""
    n_t, n_r = detrended.shape
    flags = np.zeros(n_r)
    months = np.arange(n_t) % period
    for r in range(n_r):
        d = detrended[:, r]
        ok = ~np.isnan(d)
        if ok.sum() < 3 * period:
            continue
        means = pd.Series(d[ok]).groupby(months[ok]).mean()
        total = np.nanvar(d[ok])
        years = ok.sum() / period
        # Without any pattern the month means still vary, by about 1/years of the total: ask for well over that.
        if total > 0 and np.var(means.to_numpy()) / total >= max(SEASONAL_STRENGTH, 3.0 / years):
            flags[r] = 1.0
    return flags


def smooth(x: np.ndarray, *, transform: str, seasonal: str = "none", q: float = 0.2) -> np.ndarray:
    """The series a rule looks at: seasonal adjustment first, then the transform (value, mean3, local_level)."""
    x = deseasonalise(x, seasonal)
    if transform == "mean3":
        return mean3(x)
    if transform == "local_level":
        return local_level(x, q)
    return np.asarray(x, dtype=float)


def rise(s: np.ndarray, *, window: int, include_current: bool) -> np.ndarray:
    """s minus its lowest value over the previous `window` periods (or the last `window` including t)."""
    s = np.asarray(s, dtype=float)
    low = rolling_extreme(s, window, how="min")
    if not include_current:
        low = np.concatenate([np.full((1, *s.shape[1:]), np.nan), low[:-1]], axis=0)
    return s - low


def change(s: np.ndarray, *, periods: int, relative: bool) -> np.ndarray:
    """Change over `periods`: the difference, or (relative) percent of the earlier figure."""
    s = np.asarray(s, dtype=float)
    earlier = np.full_like(s, np.nan)
    earlier[periods:] = s[:-periods]
    if not relative:
        return s - earlier
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(earlier > 0, (s / earlier - 1.0) * 100.0, np.nan)
