"""Forecast every series of a long frame with one model, falling back to a simpler one when a fit fails.

Input: a frame with columns `series_id`, `period` (pandas Period or Timestamp, regular frequency) and `value`.
Output: one `SeriesForecast` per series; the fallback used, if any, is recorded on it, never raised.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from models.base import Forecaster
from models.baselines import Naive

__all__ = ["SeriesForecast", "forecast_panel"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SeriesForecast:
    series_id: str
    origin: pd.Period  # the last observed period the forecast starts from
    periods: list[pd.Period]
    values: dict[str, np.ndarray]  # mean, lo-80, hi-80, ...
    model: str
    fallback_reason: str | None = None
    n_obs: int = 0
    extra: dict = field(default_factory=dict)


def forecast_panel(
    frame: pd.DataFrame,
    make_model: Callable[[], Forecaster],
    *,
    h: int,
    level: Sequence[int] = (80, 95),
    freq: str = "M",
    make_fallback: Callable[[], Forecaster] = Naive,
) -> list[SeriesForecast]:
    """Fit and forecast each series; a series whose model fails gets the fallback and the reason."""
    if h < 1:
        raise ValueError("h must be at least 1")
    out: list[SeriesForecast] = []
    for series_id, g in frame.groupby("series_id", sort=True):
        g = g.sort_values("period")
        periods = pd.PeriodIndex(g["period"], freq=freq)
        y = g["value"].to_numpy(dtype=float)
        origin = periods[-1]
        future = [origin + i for i in range(1, h + 1)]
        model = make_model()
        try:
            values = model.forecast(y, h, level=level)
            out.append(SeriesForecast(str(series_id), origin, future, values, model.alias, n_obs=y.size))
        except Exception as exc:  # a model that cannot fit one series must not stop the panel
            log.warning("model %s failed on series %s: %s; using fallback", model.alias, series_id, exc)
            fallback = make_fallback()
            values = fallback.forecast(y, h, level=level)
            out.append(
                SeriesForecast(
                    str(series_id), origin, future, values, fallback.alias, f"{type(exc).__name__}: {exc}", y.size
                )
            )
    return out
