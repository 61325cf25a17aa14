"""The one interface every forecasting model follows, after statsforecast.

    model = SeasonalNaive(season_length=12)
    model.fit(y)                          # returns self; fitted state ends in "_"
    out = model.predict(h=6, level=(80, 95))
    out["mean"], out["lo-80"], out["hi-80"], out["lo-95"], out["hi-95"]   # arrays of length h

`forecast(y, h, level=...)` fits and predicts in one call and keeps no state. A model's name is data: `alias`.
`y` is a 1-D float array, oldest first, without gaps; `X` (optional) is a 2-D array of exogenous signals aligned
with `y`, and `X_future` holds their values for the h periods ahead.

After `fit`, every model exposes `params_`: a JSON-able dict of what it estimated (stored with each forecast run).
Models that can take new observations without re-estimating their parameters also offer `update(y, X)`: it keeps
the fitted parameters and re-runs only the filter on the longer history (the backtest uses it between refits).

Panel models (`PanelForecaster`) fit all series at once: `Y` is a 2-D array, periods by series, NaN where a
series has no value; their forecasts are arrays of shape (h, series).
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import NormalDist
from typing import Protocol, Self, runtime_checkable

import numpy as np

__all__ = [
    "Forecaster",
    "PanelForecaster",
    "as_exog",
    "as_series",
    "check_horizon",
    "check_levels",
    "forecast_keys",
    "normal_interval",
]


@runtime_checkable
class Forecaster(Protocol):
    alias: str

    def fit(self, y: np.ndarray, X: np.ndarray | None = None) -> Self: ...

    def predict(
        self, h: int, X_future: np.ndarray | None = None, level: Sequence[int] = (80, 95)
    ) -> dict[str, np.ndarray]: ...

    def forecast(
        self,
        y: np.ndarray,
        h: int,
        X: np.ndarray | None = None,
        X_future: np.ndarray | None = None,
        level: Sequence[int] = (80, 95),
    ) -> dict[str, np.ndarray]: ...


@runtime_checkable
class PanelForecaster(Protocol):
    alias: str

    def fit(self, Y: np.ndarray) -> Self: ...

    def predict(self, h: int, level: Sequence[int] = (80, 95)) -> dict[str, np.ndarray]: ...


def as_series(y: np.ndarray) -> np.ndarray:
    """A clean 1-D float history: non-empty, finite; raises ValueError otherwise."""
    y = np.asarray(y, dtype=float)
    if y.ndim != 1 or y.size == 0:
        raise ValueError("y must be a non-empty 1-D array")
    if not np.all(np.isfinite(y)):
        raise ValueError("y must not contain NaN or infinite values")
    return y


def as_exog(X: np.ndarray | None, n: int, name: str = "X") -> np.ndarray | None:
    """Exogenous signals as a 2-D float array with `n` rows (a 1-D array is one signal)."""
    if X is None:
        return None
    X = np.asarray(X, dtype=float)
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2 or X.shape[0] != n:
        raise ValueError(f"{name} must have {n} rows (one per period), got shape {X.shape}")
    return X


def check_horizon(h: int) -> int:
    if not isinstance(h, int | np.integer) or h < 1:
        raise ValueError(f"horizon h must be a positive integer, got {h!r}")
    return int(h)


def forecast_keys(level: Sequence[int]) -> list[str]:
    """The keys of a forecast dict for these levels: mean, then lo/hi pairs in ascending level."""
    keys = ["mean"]
    for lv in sorted(level):
        keys += [f"lo-{lv}", f"hi-{lv}"]
    return keys


def check_levels(level: Sequence[int]) -> list[int]:
    """Validate interval levels once for every model: integers strictly between 0 and 100."""
    out = []
    for lv in level:
        if not isinstance(lv, int | np.integer) or not 0 < lv < 100:
            raise ValueError(f"interval level must be an integer percentage in (0, 100), got {lv!r}")
        out.append(int(lv))
    return sorted(out)


def normal_interval(mean: np.ndarray, sigma: np.ndarray, level: Sequence[int]) -> dict[str, np.ndarray]:
    """Gaussian bounds around `mean` with per-step standard deviation `sigma`."""
    out: dict[str, np.ndarray] = {"mean": mean}
    for lv in check_levels(level):
        z = NormalDist().inv_cdf(0.5 + lv / 200.0)
        out[f"lo-{lv}"] = mean - z * sigma
        out[f"hi-{lv}"] = mean + z * sigma
    return out
