"""A small, fast forecaster for the backtest: a local linear trend (level + slope + noise) Kalman filter.

    forecasts = trend_forecasts(wide, months, regions, indicator="surveyed_unemployment_rate", horizon=6)

One forward pass over each series gives, at every month t, the forecast from the data up to t only (the filter
never looks ahead), with 80 % and 95 % bounds from the filtered state's variance and a noise variance estimated
from the one-step errors seen so far. The frame has the columns service/alerting/inputs.py expects of stored
forecasts, so forecast rules read it exactly as they read the forecasting engine's runs in the live service.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from service.alerting.exceedance import Z80, Z95

__all__ = ["trend_forecasts"]

# Variances of the level and slope disturbances relative to the observation noise: a smooth level with a
# slowly turning slope, as fits monthly unemployment rates.
Q_LEVEL = 0.5
Q_SLOPE = 0.05
DAMPING = 0.95  # the slope fades by this factor a month into the future


def trend_forecasts(x: np.ndarray, months: pd.PeriodIndex, regions, *, indicator: str, horizon: int) -> pd.DataFrame:
    """Forecasts (origin, horizon 1..h) for every month with a figure, from a (periods, regions) array."""
    n_t, n_r = x.shape
    a = np.full((n_r, 2), np.nan)  # level, slope
    p = np.zeros((n_r, 2, 2))
    scale = np.full(n_r, np.nan)  # running mean of squared standardised one-step errors (noise variance)
    seen = np.zeros(n_r)
    transition = np.array([[1.0, 1.0], [0.0, 1.0]])
    q = np.diag([Q_LEVEL, Q_SLOPE])
    rows = []
    for t in range(n_t):
        y = x[t]
        fresh = ~np.isnan(y) & np.isnan(a[:, 0])
        a[fresh] = np.column_stack([y[fresh], np.zeros(fresh.sum())])
        p[fresh] = np.diag([1.0, 0.1])
        ok = ~np.isnan(y) & ~fresh & ~np.isnan(a[:, 0])
        # predict
        a_pred = a @ transition.T
        p_pred = transition @ p @ transition.T + q
        innov = y - a_pred[:, 0]
        f = p_pred[:, 0, 0] + 1.0
        gain = p_pred[:, :, 0] / f[:, None]
        new_a = a_pred + gain * innov[:, None]
        new_p = p_pred - gain[:, :, None] * p_pred[:, 0, :][:, None, :]
        a = np.where(ok[:, None], new_a, np.where(fresh[:, None], a, a_pred))
        p = np.where(ok[:, None, None], new_p, np.where(fresh[:, None, None], p, p_pred))
        sq = np.where(ok, innov**2 / f, np.nan)
        seen = seen + ok
        scale = np.where(ok, np.where(np.isnan(scale), sq, scale + (sq - scale) / np.maximum(seen, 1)), scale)
        usable = ~np.isnan(y) & (seen >= 12)
        if not usable.any():
            continue
        idx = np.flatnonzero(usable)
        level, slope, s2 = a[idx, 0], a[idx, 1], scale[idx]
        cov = p[idx]
        for h in range(1, horizon + 1):
            damp = sum(DAMPING**i for i in range(1, h + 1))
            mean = level + damp * slope
            # variance of level + damp * slope, plus the disturbances and noise accumulated over h months
            var = cov[:, 0, 0] + 2 * damp * cov[:, 0, 1] + damp**2 * cov[:, 1, 1] + h * Q_LEVEL + h**3 * Q_SLOPE / 3 + 1
            sd = np.sqrt(np.maximum(var * s2, 1e-12))
            rows.append(
                pd.DataFrame(
                    {
                        "region_code": np.asarray(regions, dtype=object)[idx],
                        "indicator_code": indicator,
                        "origin": months[t],
                        "horizon": h,
                        "mean": mean,
                        "lo80": mean - Z80 * sd,
                        "hi80": mean + Z80 * sd,
                        "lo95": mean - Z95 * sd,
                        "hi95": mean + Z95 * sd,
                    }
                )
            )
    if not rows:
        return pd.DataFrame(
            columns=["region_code", "indicator_code", "origin", "horizon", "mean", "lo80", "hi80", "lo95", "hi95"]
        )
    return pd.concat(rows, ignore_index=True)
