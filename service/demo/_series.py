"""Time-axis helpers shared by the demo world's parts: anchors, seasonal patterns, the 2020 shock, the wave."""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Sized

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from service.demo import calibration as cal

__all__ = [
    "by_year",
    "clipped_normal",
    "in_2020",
    "ma3",
    "month_pattern",
    "month_range",
    "sahm_rise",
    "shock_profile",
    "wave_profile",
    "yearly",
]


def month_range(end_month: pd.Period) -> pd.PeriodIndex:
    return pd.period_range(cal.FIRST_MONTH, end_month, freq="M")


def _fractional_year(months: pd.PeriodIndex) -> np.ndarray:
    return np.asarray(months.year, dtype=float) + (np.asarray(months.month, dtype=float) - 0.5) / 12


def yearly(months: pd.PeriodIndex, anchors: Mapping[int, float]) -> np.ndarray:
    """Anchors placed mid-year, interpolated linearly by month, held flat beyond the first and last."""
    years = sorted(anchors)
    return np.interp(_fractional_year(months), np.array(years, dtype=float) + 0.5, [anchors[y] for y in years])


def by_year(months: pd.PeriodIndex, values: Mapping[int, float]) -> np.ndarray:
    """Each month's calendar-year value, the first and last years' values held beyond them (no interpolation)."""
    years = sorted(values)
    clipped = np.clip(np.asarray(months.year), years[0], years[-1])
    return np.array([values[int(y)] for y in clipped], dtype=float)


def month_pattern(months: pd.PeriodIndex, pattern: Sequence[float]) -> np.ndarray:
    """Pattern value for each month's calendar month (pattern is Jan..Dec)."""
    return np.asarray(pattern, dtype=float)[np.asarray(months.month) - 1]


def in_2020(months: pd.PeriodIndex, by_month: Mapping[int, float], default: float) -> np.ndarray:
    """Values for the named calendar months of 2020, ``default`` elsewhere."""
    out = np.full(len(months), default, dtype=float)
    for i, p in enumerate(months):
        if p.year == 2020 and p.month in by_month:
            out[i] = by_month[p.month]
    return out


def shock_profile(months: pd.PeriodIndex) -> np.ndarray:
    """The 2020 shock as a share of its height: 1 in Feb-Apr 2020, then halving every SHOCK_HALF_LIFE months."""
    age = np.asarray([(p - pd.Period("2020-04", freq="M")).n for p in months], dtype=float)
    out = np.exp(-np.log(2) * np.clip(age, 0, None) / cal.SHOCK_HALF_LIFE)
    out[age < -2] = 0.0
    return out


def wave_profile(months: Sized, shape: Sequence[float] = cal.WAVE_SHAPE) -> np.ndarray:
    """``shape`` laid on the last len(shape) of ``months``, zero before."""
    out = np.zeros(len(months))
    out[-len(shape) :] = shape
    return out


def clipped_normal(rng: np.random.Generator, size, clip: float = 2.0) -> np.ndarray:
    """Standard normal draws clipped at +-clip: bounded noise keeps the constructed properties exact."""
    return np.clip(rng.standard_normal(size), -clip, clip)


def ma3(x: np.ndarray) -> np.ndarray:
    """Trailing 3-month mean along the last axis; NaN for the first two months."""
    x = np.asarray(x, dtype=float)
    out = np.full(x.shape, np.nan)
    out[..., 2:] = (x[..., 2:] + x[..., 1:-1] + x[..., :-2]) / 3
    return out


def sahm_rise(x: np.ndarray, *, include_current: bool = False) -> np.ndarray:
    """Rise of the 3-month mean above its low over the previous 12 months, along the last axis.

    The low is taken over months t-12..t-1, or t-11..t with ``include_current`` (rules are written both ways).
    NaN where fewer than 12 earlier 3-month means exist.
    """
    m = ma3(x)
    out = np.full(m.shape, np.nan)
    if m.shape[-1] < 13:
        return out
    lows = sliding_window_view(m, 12, axis=-1).min(axis=-1)  # lows[..., j] = min of m[j..j+11]
    if include_current:
        out[..., 11:] = m[..., 11:] - lows
    else:
        out[..., 12:] = m[..., 12:] - lows[..., :-1]
    return out
