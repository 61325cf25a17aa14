"""Exponential smoothing (ETS, additive errors) on statsmodels' state-space ETSModel.

    ETS(trend="add", damped=True).fit(y).predict(6)        # Holt's damped trend, the default
    AutoETS(season_length=12).fit(y).predict(6)             # picks by AICc among a small set of forms

Additive errors keep the prediction variance analytic (FPP3 section 8.7), so intervals need no simulation.
`update(y)` keeps the estimated smoothing parameters and initial states and only re-runs the smoother on the
longer history: valid for an expanding window whose start does not move, and about 20 times cheaper than a fit.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Self

import numpy as np
import pandas as pd

from models.base import as_series, check_horizon, normal_interval

__all__ = ["ETS", "AutoETS"]


def _spec_alias(trend: str | None, damped: bool, seasonal: str | None) -> str:
    t = "N" if trend is None else ("Ad" if damped else "A")
    s = "N" if seasonal is None else "A"
    return f"A{t}{s}"


class ETS:
    """One ETS form with additive errors: trend None or "add" (optionally damped), seasonal None or "add"."""

    def __init__(
        self,
        trend: str | None = "add",
        damped: bool = True,
        seasonal: str | None = None,
        season_length: int = 1,
    ) -> None:
        if trend not in (None, "add") or seasonal not in (None, "add"):
            raise ValueError("trend and seasonal must be None or 'add'")
        if seasonal is not None and season_length < 2:
            raise ValueError("a seasonal ETS needs season_length of at least 2")
        self.trend = trend
        self.damped = bool(damped and trend is not None)
        self.seasonal = seasonal
        self.season_length = season_length
        self.alias = "ets_" + _spec_alias(trend, self.damped, seasonal).lower()

    def _model(self, y: np.ndarray):
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        # a pandas series, not an array: ETSModel.get_prediction needs an index (statsmodels 0.14-0.15)
        return ETSModel(
            pd.Series(y),
            error="add",
            trend=self.trend,
            damped_trend=self.damped,
            seasonal=self.seasonal,
            seasonal_periods=self.season_length if self.seasonal else None,
        )

    def min_obs(self) -> int:
        # enough points to identify the initial states plus the parameters, with some slack
        n = 4 + (2 if self.trend else 0) + (2 * self.season_length if self.seasonal else 0)
        return max(n, 10)

    def fit(self, y: np.ndarray, X: np.ndarray | None = None) -> Self:
        y = as_series(y)
        if y.size < self.min_obs():
            raise ValueError(f"{self.alias} needs at least {self.min_obs()} observations, got {y.size}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.result_ = self._model(y).fit(disp=False, maxiter=200)
        self._finish()
        return self

    def update(self, y: np.ndarray, X: np.ndarray | None = None) -> Self:
        """Same parameters, longer history: re-run the smoother only (the history must start where it did)."""
        y = as_series(y)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.result_ = self._model(y).smooth(self.result_.params)
        self._finish()
        return self

    def _finish(self) -> None:
        r = self.result_
        names = r.model.param_names
        self.params_ = {
            "form": _spec_alias(self.trend, self.damped, self.seasonal),
            **{n: float(v) for n, v in zip(names, np.asarray(r.params), strict=True) if not n.startswith("initial_")},
            "aicc": float(r.aicc) if np.isfinite(r.aicc) else None,
        }
        self.aicc_ = float(r.aicc)

    def predict(
        self, h: int, X_future: np.ndarray | None = None, level: Sequence[int] = (80, 95)
    ) -> dict[str, np.ndarray]:
        h = check_horizon(h)
        r = self.result_
        n = r.model.nobs
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pred = r.get_prediction(start=n, end=n + h - 1)
            mean = np.asarray(pred.predicted_mean, dtype=float)
            var = np.asarray(pred.forecast_variance, dtype=float)
        return normal_interval(mean, np.sqrt(np.maximum(var, 0.0)), level)

    def forecast(self, y, h, X=None, X_future=None, level=(80, 95)) -> dict[str, np.ndarray]:
        return type(self)(self.trend, self.damped, self.seasonal, self.season_length).fit(y, X).predict(h, None, level)


class AutoETS:
    """ETS with the form chosen by AICc among none/additive/damped trend (and additive seasonality when m > 1).

    The set is small on purpose: additive errors only (rates and counts here are far from zero), and the
    seasonal forms only when the series has at least three full seasons.
    """

    def __init__(self, season_length: int = 1) -> None:
        self.season_length = season_length
        self.alias = "autoets"

    def candidates(self, n: int) -> list[ETS]:
        out = [ETS(None, False), ETS("add", False), ETS("add", True)]
        m = self.season_length
        if m > 1 and n >= 3 * m:
            out += [ETS(None, False, "add", m), ETS("add", True, "add", m)]
        return out

    def fit(self, y: np.ndarray, X: np.ndarray | None = None) -> Self:
        y = as_series(y)
        best, errors = None, []
        for cand in self.candidates(y.size):
            if y.size < cand.min_obs():
                continue
            try:
                cand.fit(y)
            except (ValueError, np.linalg.LinAlgError) as exc:
                errors.append(f"{cand.alias}: {exc}")
                continue
            if np.isfinite(cand.aicc_) and (best is None or cand.aicc_ < best.aicc_):
                best = cand
        if best is None:
            raise ValueError("no ETS form could be fitted" + (f" ({'; '.join(errors)})" if errors else ""))
        self.model_ = best
        self.params_ = dict(best.params_)
        return self

    def update(self, y: np.ndarray, X: np.ndarray | None = None) -> Self:
        self.model_.update(y)
        self.params_ = dict(self.model_.params_)
        return self

    def predict(
        self, h: int, X_future: np.ndarray | None = None, level: Sequence[int] = (80, 95)
    ) -> dict[str, np.ndarray]:
        return self.model_.predict(h, None, level)

    def forecast(self, y, h, X=None, X_future=None, level=(80, 95)) -> dict[str, np.ndarray]:
        return type(self)(self.season_length).fit(y, X).predict(h, None, level)
