"""Naive and seasonal-naive baselines: the yardsticks every other model must beat (MASE is scaled by them).

Intervals follow Hyndman & Athanasopoulos, FPP3 section 5.5: the residual standard deviation of the
one-step (naive) or one-season (seasonal naive) change, widened with the square root of the steps ahead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Self

import numpy as np

from models.base import normal_interval

__all__ = ["Naive", "SeasonalNaive"]


def _as_series(y: np.ndarray) -> np.ndarray:
    y = np.asarray(y, dtype=float)
    if y.ndim != 1 or y.size == 0:
        raise ValueError("y must be a non-empty 1-D array")
    if not np.all(np.isfinite(y)):
        raise ValueError("y must not contain NaN or infinite values")
    return y


class Naive:
    """Tomorrow looks like today."""

    alias = "naive"

    def fit(self, y: np.ndarray, X: np.ndarray | None = None) -> Self:
        y = _as_series(y)
        self.last_ = y[-1]
        diffs = np.diff(y)
        self.sigma_ = float(np.sqrt(np.mean(diffs**2))) if diffs.size else 0.0
        return self

    def predict(
        self, h: int, X_future: np.ndarray | None = None, level: Sequence[int] = (80, 95)
    ) -> dict[str, np.ndarray]:
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
        y = _as_series(y)
        m = self.season_length
        if y.size <= m:
            self.naive_ = Naive().fit(y)
            return self
        self.naive_ = None
        self.last_season_ = y[-m:]
        diffs = y[m:] - y[:-m]
        self.sigma_ = float(np.sqrt(np.mean(diffs**2)))
        return self

    def predict(
        self, h: int, X_future: np.ndarray | None = None, level: Sequence[int] = (80, 95)
    ) -> dict[str, np.ndarray]:
        if self.naive_ is not None:
            return self.naive_.predict(h, X_future, level)
        m = self.season_length
        idx = np.arange(h)
        mean = self.last_season_[idx % m].astype(float)
        seasons_ahead = idx // m + 1
        return normal_interval(mean, self.sigma_ * np.sqrt(seasons_ahead), level)

    def forecast(self, y, h, X=None, X_future=None, level=(80, 95)) -> dict[str, np.ndarray]:
        return type(self)(self.season_length).fit(y, X).predict(h, X_future, level)
