"""Seasonal ARIMA with lagged exogenous signals, on statsmodels' SARIMAX.

    model = SARIMAX(order=(1, 1, 0), lags=[1, 2])     # claims lagged 1 period, postings ratio lagged 2
    model.fit(rate, X=np.column_stack([claims, ratio]))
    model.predict(2)                                  # h <= every lag: the design is already observed
    model.predict(6, X_future=signals_ahead)          # h > a lag: the signals' future values must be given

Why lags: new unemployment-insurance claims, the postings-to-seekers ratio (求人倍率) and layoff filings lead the
surveyed rate. Each column j of `X` enters as X[t - lags[j]], so the forecast for period t uses only signal
values published before t. For h <= lags[j] no future signal value is needed; beyond that, `X_future` (the raw
signal values for the h periods after the last observation) must supply them, or predict refuses.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Self

import numpy as np

from models.base import as_exog, as_series, check_horizon, normal_interval

__all__ = ["SARIMAX"]


class SARIMAX:
    def __init__(
        self,
        order: tuple[int, int, int] = (1, 1, 0),
        seasonal_order: tuple[int, int, int, int] = (0, 0, 0, 0),
        lags: int | Sequence[int] | None = None,
        trend: str | None = None,
    ) -> None:
        self.order = tuple(order)
        self.seasonal_order = tuple(seasonal_order)
        self.lags = lags
        self.trend = trend
        self.alias = "sarimax" if lags is not None else "arima"

    def _lags(self, k: int) -> np.ndarray:
        lags = np.full(k, 1) if self.lags is None else np.atleast_1d(np.asarray(self.lags, dtype=int))
        if lags.size == 1 and k > 1:
            lags = np.full(k, int(lags[0]))
        if lags.size != k:
            raise ValueError(f"lags gives {lags.size} lag(s) for {k} exogenous column(s)")
        if np.any(lags < 1):
            raise ValueError("every exogenous lag must be at least 1 period (no same-period signal values)")
        return lags

    def _design(self, X: np.ndarray, lags: np.ndarray, n_rows: int) -> np.ndarray:
        """Z[t, j] = X[t - lags[j], j] for t in [0, n_rows); NaN where the source index is before the data."""
        Z = np.full((n_rows, X.shape[1]), np.nan)
        for j, lag in enumerate(lags):
            src = np.arange(n_rows) - lag
            ok = (src >= 0) & (src < X.shape[0])
            Z[ok, j] = X[src[ok], j]
        return Z

    def _model(self, y: np.ndarray, Z: np.ndarray | None):
        from statsmodels.tsa.statespace.sarimax import SARIMAX as _SARIMAX

        return _SARIMAX(y, exog=Z, order=self.order, seasonal_order=self.seasonal_order, trend=self.trend)

    def _prepare(self, y: np.ndarray, X: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
        y = as_series(y)
        X = as_exog(X, y.size)
        if X is None:
            self.lags_, self.X_, self.skip_ = None, None, 0
            return y, None
        if not np.all(np.isfinite(X)):
            raise ValueError("exogenous signals must not contain NaN or infinite values")
        lags = self._lags(X.shape[1])
        self.lags_, self.X_, self.skip_ = lags, X, int(lags.max())
        if y.size - self.skip_ < 10:
            raise ValueError(f"too short for lags up to {self.skip_}: {y.size} observations")
        Z = self._design(X, lags, y.size)
        return y[self.skip_ :], Z[self.skip_ :]

    def fit(self, y: np.ndarray, X: np.ndarray | None = None) -> Self:
        y, Z = self._prepare(y, X)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.result_ = self._model(y, Z).fit(disp=False)
        self._finish()
        return self

    def update(self, y: np.ndarray, X: np.ndarray | None = None) -> Self:
        """Keep the estimated coefficients; filter the longer history (and its signals) only."""
        params = self.result_.params
        y, Z = self._prepare(y, X)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.result_ = self._model(y, Z).filter(params)
        self._finish()
        return self

    def _finish(self) -> None:
        r = self.result_
        self.n_ = int(r.nobs) + self.skip_
        self.params_ = {
            "order": list(self.order),
            "seasonal_order": list(self.seasonal_order),
            "lags": None if self.lags_ is None else [int(v) for v in self.lags_],
            **{str(k): float(v) for k, v in zip(r.model.param_names, np.asarray(r.params), strict=True)},
        }

    def predict(
        self, h: int, X_future: np.ndarray | None = None, level: Sequence[int] = (80, 95)
    ) -> dict[str, np.ndarray]:
        h = check_horizon(h)
        Zf = None
        if self.X_ is not None:
            need = int(max(0, h - self.lags_.min()))
            full = self.X_
            if need:
                if X_future is None:
                    raise ValueError(
                        f"h={h} exceeds the shortest signal lag ({int(self.lags_.min())}): "
                        f"X_future must give the signals for at least {need} period(s) ahead"
                    )
                Xf = np.asarray(X_future, dtype=float)
                Xf = Xf[:, None] if Xf.ndim == 1 else Xf
                if Xf.shape[0] < need or Xf.shape[1] != self.X_.shape[1] or not np.all(np.isfinite(Xf[:need])):
                    raise ValueError(f"X_future must have {need}+ finite rows and {self.X_.shape[1]} column(s)")
                full = np.vstack([self.X_, Xf[:need]])
            Zf = self._design(full, self.lags_, self.n_ + h)[self.n_ :]
            if not np.all(np.isfinite(Zf)):
                raise ValueError("X_future does not cover every signal needed for this horizon")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fc = self.result_.get_forecast(h, exog=Zf)
            mean = np.asarray(fc.predicted_mean, dtype=float)
            sd = np.sqrt(np.maximum(np.asarray(fc.var_pred_mean, dtype=float), 0.0))
        return normal_interval(mean, sd, level)

    def forecast(self, y, h, X=None, X_future=None, level=(80, 95)) -> dict[str, np.ndarray]:
        clone = type(self)(self.order, self.seasonal_order, self.lags, self.trend)
        return clone.fit(y, X).predict(h, X_future, level)
