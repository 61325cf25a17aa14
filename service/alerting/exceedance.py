"""P(value >= level) from a stored forecast: its mean and its 80 % and 95 % bounds.

The five numbers are read as quantiles (2.5, 10, 50, 90, 97.5 %) of the forecast distribution. The probability is
read off a piecewise-linear fit of those quantiles on the normal scale: between two quantiles the normal score is
interpolated linearly, beyond the outer ones the outer slope is extended. A symmetric interval gives exactly the
normal answer; a skewed one (rates bounded below, say) keeps its skew.

    exceedance(6.0, mean=5.6, lo80=5.2, hi80=6.0, lo95=5.0, hi95=6.2)   # 0.10
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["Z80", "Z95", "exceedance"]

Z80 = 1.2815515655446004  # the normal score of the 90th percentile: an 80 % central interval
Z95 = 1.959963984540054
_Z = np.array([-Z95, -Z80, 0.0, Z80, Z95])


def _erfc(x: np.ndarray) -> np.ndarray:
    """Complementary error function, vectorised (Abramowitz and Stegun 7.1.26, absolute error < 1.5e-7)."""
    z = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * z)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    with np.errstate(over="ignore", invalid="ignore"):
        out = poly * np.exp(-z * z)
    out = np.where(np.isinf(z), 0.0, out)
    return np.where(x >= 0, out, 2.0 - out)


def exceedance(level, *, mean, lo80, hi80, lo95, hi95) -> np.ndarray:
    """Probability that the outcome is at or above `level`, elementwise; NaN where the forecast is missing."""
    knots = np.sort(np.stack(np.broadcast_arrays(*map(np.asarray, (lo95, lo80, mean, hi80, hi95))), axis=-1), axis=-1)
    x = np.asarray(level, dtype=float)
    lead = np.broadcast_shapes(x.shape, knots.shape[:-1])
    knots, x = np.broadcast_to(knots, (*lead, 5)), np.broadcast_to(x, lead)
    seg = np.clip((x[..., None] >= knots).sum(axis=-1), 1, 4)
    lo = np.take_along_axis(knots, (seg - 1)[..., None], axis=-1)[..., 0]
    hi = np.take_along_axis(knots, seg[..., None], axis=-1)[..., 0]
    z_lo, z_hi = _Z[seg - 1], _Z[seg]
    width = hi - lo
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(width > 0, z_lo + (x - lo) * (z_hi - z_lo) / width, np.where(x > hi, np.inf, -np.inf))
    # A degenerate forecast (all five equal): certain above, impossible below.
    flat = np.ptp(knots, axis=-1) == 0
    z = np.where(flat, np.where(x <= knots[..., 2], -np.inf, np.inf), z)
    p = 0.5 * _erfc(np.asarray(z, dtype=float) / math.sqrt(2.0))
    return np.where(np.isnan(knots).any(axis=-1) | np.isnan(x), np.nan, p)
