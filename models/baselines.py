"""Naive and seasonal-naive baselines: the yardsticks every other model must beat (MASE is scaled by them).

Intervals follow Hyndman & Athanasopoulos, FPP3 section 5.5: the residual standard deviation of the
one-step (naive) or one-season (seasonal naive) change, widened with the square root of the steps ahead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Self

import numpy as np

from models.base import as_series, check_horizon, normal_interval

__all__ = ["Naive", "SeasonalNaive"]


class Naive:
    """Tomorrow looks like today."""

    alias = "naive"

    def fit(self, y: np.ndarray, X: np.ndarray | None = None) -> Self:
        y = as_series(y)
        self.last_ = float(y[-1])
        diffs = np.diff(y)
        self.sigma_ = float(np.sqrt(np.mean(diffs**2))) if diffs.size else 0.0
        self.params_ = {"sigma": self.sigma_}
        return self

    def update(self, y: np.ndarray, X: np.ndarray | None = None) -> Self:
        return self.fit(y, X)

    def predict(
        self, h: int, X_future: np.ndarray | None = None, level: Sequence[int] = (80, 95)
    ) -> dict[str, np.ndarray]:
        h = check_horizon(h)
        steps = np.arange(1, h + 1)
        mean = np.full(h, self.last_, dtype=float)
        return normal_interval(mean, self.sigma_ * np.sqrt(steps), level)

    def forecast(self, y, h, X=None, X_future=None, level=(80, 95)) -> dict[str, np.ndarray]:
        return type(self)().fit(y, X).predict(h, X_future, level)


class SeasonalNaive:
    """This month looks like the same month last year; falls back to naive on less than a season of data."""

    def __init__(self, season_length: int = 12) -> None:
        if season_length < 1:
            raise ValueError("season_length must be at least 1")
        self.season_length = season_length
        self.alias = "seasonal_naive"

    def fit(self, y: np.ndarray, X: np.ndarray | None = None) -> Self:
        y = as_series(y)
        m = self.season_length
        if y.size <= m:
            self.naive_ = Naive().fit(y)
            self.params_ = {"fallback": "naive", **self.naive_.params_}
            return self
        self.naive_ = None
        self.last_season_ = y[-m:]
        diffs = y[m:] - y[:-m]
        self.sigma_ = float(np.sqrt(np.mean(diffs**2)))
        self.params_ = {"season_length": m, "sigma": self.sigma_}
        return self

    def update(self, y: np.ndarray, X: np.ndarray | None = None) -> Self:
        return self.fit(y, X)

    def predict(
        self, h: int, X_future: np.ndarray | None = None, level: Sequence[int] = (80, 95)
    ) -> dict[str, np.ndarray]:
        h = check_horizon(h)
        if self.naive_ is not None:
            return self.naive_.predict(h, X_future, level)
        m = self.season_length
        idx = np.arange(h)
        mean = self.last_season_[idx % m].astype(float)
        seasons_ahead = idx // m + 1
        return normal_interval(mean, self.sigma_ * np.sqrt(seasons_ahead), level)

    def forecast(self, y, h, X=None, X_future=None, level=(80, 95)) -> dict[str, np.ndarray]:
        return type(self)(self.season_length).fit(y, X).predict(h, X_future, level)
