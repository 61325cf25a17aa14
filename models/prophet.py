"""Prophet (Taylor & Letham 2018) behind the one interface: an adapter, never a dependency of the other models.

    Prophet(start="2015-01", freq="M").fit(y).predict(6)

Prophet needs calendar dates, so the adapter takes the first period of `y` (`start`) and its frequency ("M" or
"Q"); the rest are consecutive. Intervals come from Prophet's own posterior predictive samples, so one fit gives
every level. Its loggers (prophet, cmdstanpy) are silenced; the fitted Stan model is never pickled: an adapter
sent to another process travels unfitted (its `__getstate__` drops the fitted model), and `params_` holds the
JSON-able summary (growth rate, offset, changepoint count) instead.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Self

import numpy as np
import pandas as pd

from models.base import as_exog, as_series, check_horizon, check_levels

__all__ = ["INSTALL_HINT", "Prophet"]

INSTALL_HINT = "Prophet is not installed; install it with: .venv/bin/pip install -c constraints.txt 'prophet>=1.1.5'"


def _quiet() -> None:
    # cmdstanpy installs its own INFO handler only on a logger without handlers: give it a silent one first
    for name in ("prophet", "prophet.plot", "prophet.models", "cmdstanpy"):
        lg = logging.getLogger(name)
        if not any(isinstance(hd, logging.NullHandler) for hd in lg.handlers):
            lg.addHandler(logging.NullHandler())
        lg.setLevel(logging.CRITICAL)
        lg.propagate = False


def _import_prophet():
    try:
        _quiet()
        from prophet import Prophet as _Prophet
    except ImportError as exc:  # the adapter is optional: say how to get it
        raise ImportError(INSTALL_HINT) from exc
    _quiet()
    return _Prophet


class Prophet:
    def __init__(self, start: str | pd.Period = "2000-01", freq: str = "M", seed: int = 0, **prophet_kwargs) -> None:
        if freq not in ("M", "Q"):
            raise ValueError("freq must be 'M' (monthly) or 'Q' (quarterly)")
        self.start = pd.Period(start, freq=freq)
        self.freq = freq
        self.seed = seed
        self.prophet_kwargs = prophet_kwargs
        self.alias = "prophet"

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.pop("model_", None)  # a fitted Stan model is not something to pickle
        return state

    def _dates(self, first: int, n: int) -> pd.DatetimeIndex:
        return pd.period_range(self.start + first, periods=n, freq=self.freq).to_timestamp()

    def fit(self, y: np.ndarray, X: np.ndarray | None = None) -> Self:
        _Prophet = _import_prophet()
        y = as_series(y)
        X = as_exog(X, y.size)
        if y.size < 4:
            raise ValueError(f"prophet needs at least 4 observations, got {y.size}")
        model = _Prophet(**self.prophet_kwargs)
        df = pd.DataFrame({"ds": self._dates(0, y.size), "y": y})
        if X is not None:
            for j in range(X.shape[1]):
                model.add_regressor(f"x{j}")
                df[f"x{j}"] = X[:, j]
        model.fit(df)
        self.model_, self.n_, self.k_ = model, y.size, 0 if X is None else X.shape[1]
        p = model.params
        self.params_ = {
            "growth_rate": float(np.ravel(p["k"])[0]),
            "offset": float(np.ravel(p["m"])[0]),
            "n_changepoints": len(model.changepoints),
            "yearly_seasonality": bool(model.seasonalities.get("yearly")),
        }
        return self

    def predict(
        self, h: int, X_future: np.ndarray | None = None, level: Sequence[int] = (80, 95)
    ) -> dict[str, np.ndarray]:
        h = check_horizon(h)
        future = pd.DataFrame({"ds": self._dates(self.n_, h)})
        if self.k_:
            Xf = as_exog(None if X_future is None else np.asarray(X_future)[:h], h, "X_future")
            if Xf is None:
                raise ValueError("prophet with regressors needs X_future for every step ahead")
            for j in range(self.k_):
                future[f"x{j}"] = Xf[:, j]
        np.random.seed(self.seed)  # Prophet samples with numpy's global generator; make runs repeatable
        mean = np.asarray(self.model_.predict(future)["yhat"], dtype=float)
        samples = self.model_.predictive_samples(future)["yhat"]  # (h, samples)
        out = {"mean": mean}
        for lv in check_levels(level):
            out[f"lo-{lv}"] = np.quantile(samples, 0.5 - lv / 200, axis=1)
            out[f"hi-{lv}"] = np.quantile(samples, 0.5 + lv / 200, axis=1)
        return out

    def forecast(self, y, h, X=None, X_future=None, level=(80, 95)) -> dict[str, np.ndarray]:
        clone = type(self)(self.start, self.freq, self.seed, **self.prophet_kwargs)
        return clone.fit(y, X).predict(h, X_future, level)
