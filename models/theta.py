"""The Theta method (Assimakopoulos & Nikolopoulos 2000) on statsmodels' ThetaModel.

Equivalent to simple exponential smoothing with drift equal to half the slope of a linear trend
(Hyndman & Billah 2003). With `season_length > 1` the series is tested for seasonality (statsmodels' 90 % ACF
test) and multiplicatively deseasonalised first, as in the M3 competition entry.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Self

import numpy as np
import pandas as pd

from models.base import as_series, check_horizon, check_levels, normal_interval

__all__ = ["Theta"]


class Theta:
    def __init__(self, season_length: int = 1, theta: float = 2.0) -> None:
        if season_length < 1:
            raise ValueError("season_length must be at least 1")
        self.season_length = season_length
        self.theta = theta
        self.alias = "theta"

    def fit(self, y: np.ndarray, X: np.ndarray | None = None) -> Self:
        from statsmodels.tsa.forecasting.theta import ThetaModel

        y = as_series(y)
        m = self.season_length
        if y.size < max(10, 2 * m + 1):
            raise ValueError(f"theta needs at least {max(10, 2 * m + 1)} observations, got {y.size}")
        # multiplicative deseasonalising needs positive values; otherwise leave the series as it is
        seasonal = m > 1 and bool(np.all(y > 0))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = ThetaModel(pd.Series(y), period=m, deseasonalize=seasonal, use_test=seasonal)
            self.result_ = model.fit()
        self.params_ = {k: float(v) for k, v in self.result_.params.items()} | {"theta": self.theta}
        self.sigma2_ = self._sigma2(self._adjusted(y, model))
        return self

    def _adjusted(self, y: np.ndarray, model) -> np.ndarray:
        """The series as the Theta line sees it: deseasonalised when the seasonality test said so."""
        seasonal = np.asarray(getattr(self.result_, "_seasonal", np.empty(0)), dtype=float)
        if seasonal.size == 0:
            return y
        factors = seasonal[np.arange(y.size) % seasonal.size]
        return y / factors if getattr(model, "_method", "mul") == "mul" else y - factors

    def _sigma2(self, y: np.ndarray) -> float:
        """One-step error variance of the fitted SES-with-drift recursion on the (deseasonalised) series.
        statsmodels would fit an ARIMA(0,1,1) for this, ten times the cost of the Theta fit itself."""
        alpha = float(self.result_.params["alpha"])
        drift = float(self.result_.params["b0"]) * (1 - 1 / self.theta)
        level, errors = y[0], np.empty(y.size - 1)
        for t in range(1, y.size):
            errors[t - 1] = y[t] - (level + drift)
            level = level + drift + alpha * errors[t - 1]
        return float(np.mean(errors**2))

    def predict(
        self, h: int, X_future: np.ndarray | None = None, level: Sequence[int] = (80, 95)
    ) -> dict[str, np.ndarray]:
        h = check_horizon(h)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mean = np.asarray(self.result_.forecast(h, theta=self.theta), dtype=float)
        # the variance of an integrated MA(1) with the smoothing parameter alpha, as statsmodels gives it
        alpha = float(self.result_.params["alpha"])
        var = self.sigma2_ * (1 + np.arange(h) * (1 + (alpha - 1) ** 2))
        return normal_interval(mean, np.sqrt(var), check_levels(level))

    def forecast(self, y, h, X=None, X_future=None, level=(80, 95)) -> dict[str, np.ndarray]:
        return type(self)(self.season_length, self.theta).fit(y, X).predict(h, None, level)
