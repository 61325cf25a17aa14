"""Signal plus survey noise for small-sample rates, as BLS LAUS models state and area rates.

    y_t  = s_t + e_t,          e_t ~ N(0, v_t)                 the published survey rate
    s_t  = s_{t-1} + b_{t-1} + u_t,   u_t ~ N(0, q_level)     the true rate: a local level ...
    b_t  = b_{t-1} + w_t,             w_t ~ N(0, q_slope)     ... or a local linear trend (trend=True)

The survey noise variance comes from the sample size when it is known: for a rate p (a fraction) estimated from
n people, v_t = p (1 - p) / n_t * design_effect (in squared percentage points when the rate is in percent). City
samples of a few hundred people give a noise of about half a point, as large as a year's true change, and the
filter then follows the signal, not the noise. Without sample sizes the noise variance is estimated by maximum
likelihood with the signal variances.

Sample sizes come in as the first column of `X` (persons interviewed in each period), or as a constant
`sample_size`; the forecast adds the noise of the last period's sample to the signal's uncertainty, because the
number to be published next month carries survey noise too.

A small exact Kalman filter in numpy (state dimension 1 or 2), with a diffuse start: the first `k` one-step
errors are left out of the likelihood (Durbin & Koopman 2012, section 5.7 approximation).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Self

import numpy as np

from models.base import as_exog, as_series, check_horizon, normal_interval

__all__ = ["SignalPlusNoise", "survey_noise_variance"]

_BIG = 1e7


def survey_noise_variance(rate: np.ndarray, n: np.ndarray, design_effect: float = 1.5, percent: bool = True):
    """Sampling variance of a rate from n respondents: p(1-p)/n * deff, in the rate's own unit squared."""
    k = 100.0 if percent else 1.0
    p = np.clip(np.asarray(rate, dtype=float) / k, 1e-4, 1 - 1e-4)
    n = np.asarray(n, dtype=float)
    if np.any(~np.isfinite(n)) or np.any(n <= 0):
        raise ValueError("sample sizes must be positive and finite")
    return k * k * p * (1 - p) / n * design_effect


def _filter(y: np.ndarray, v: np.ndarray, q: np.ndarray, trend: bool):
    """Run the filter; return log-likelihood (diffuse part left out), last predicted state and covariance."""
    n = y.size
    ll = 0.0
    if not trend:
        a, p = float(y[0]), _BIG
        ql = float(q[0])
        for t in range(n):
            f = p + v[t]
            e = y[t] - a
            k = p / f
            if t >= 1:
                ll -= 0.5 * (math.log(2 * math.pi * f) + e * e / f)
            a = a + k * e
            p = p * (1 - k) + ql
        return ll, np.array([a]), np.array([[p]])
    a0, a1 = float(y[0]), 0.0
    p00, p01, p11 = _BIG, 0.0, _BIG
    ql, qs = float(q[0]), float(q[1])
    for t in range(n):
        f = p00 + v[t]
        e = y[t] - a0
        k0, k1 = p00 / f, p01 / f
        if t >= 2:
            ll -= 0.5 * (math.log(2 * math.pi * f) + e * e / f)
        # update
        a0, a1 = a0 + k0 * e, a1 + k1 * e
        u00, u01, u11 = p00 - k0 * p00, p01 - k0 * p01, p11 - k1 * p01
        # predict with T = [[1, 1], [0, 1]]
        a0 = a0 + a1
        p00, p01, p11 = u00 + 2 * u01 + u11 + ql, u01 + u11, u11 + qs
    return ll, np.array([a0, a1]), np.array([[p00, p01], [p01, p11]])


class SignalPlusNoise:
    def __init__(
        self,
        trend: bool = False,
        sample_size: float | None = None,
        design_effect: float = 1.5,
        percent: bool = True,
    ) -> None:
        if sample_size is not None and sample_size <= 0:
            raise ValueError("sample_size must be positive")
        self.trend = trend
        self.sample_size = sample_size
        self.design_effect = design_effect
        self.percent = percent
        self.alias = "llt_noise" if trend else "ll_noise"

    def _noise(self, y: np.ndarray, X: np.ndarray | None) -> np.ndarray | None:
        X = as_exog(X, y.size)
        if X is not None:
            return survey_noise_variance(y, X[:, 0], self.design_effect, self.percent)
        if self.sample_size is not None:
            return survey_noise_variance(y, np.full(y.size, self.sample_size), self.design_effect, self.percent)
        return None

    def _negll(self, theta: np.ndarray, y: np.ndarray, v_known: np.ndarray | None) -> float:
        var = np.exp(theta)
        k = 2 if self.trend else 1
        v = v_known if v_known is not None else np.full(y.size, var[k])
        ll, _, _ = _filter(y, v, var[:k], self.trend)
        return -ll

    def fit(self, y: np.ndarray, X: np.ndarray | None = None) -> Self:
        from scipy.optimize import minimize

        y = as_series(y)
        if y.size < 8:
            raise ValueError(f"{self.alias} needs at least 8 observations, got {y.size}")
        v_known = self._noise(y, X)
        d = np.diff(y)
        s2 = float(np.var(d)) if d.size > 1 else 1.0
        s2 = s2 if s2 > 0 else 1e-6
        k = 2 if self.trend else 1
        start = [math.log(s2 / 2)] + ([math.log(s2 / 100)] if self.trend else [])
        if v_known is None:
            start.append(math.log(s2 / 2))
        floor = math.log(s2 * 1e-8)
        bounds = [(floor, math.log(s2 * 10))] * len(start)
        opt = minimize(self._negll, np.array(start), args=(y, v_known), method="L-BFGS-B", bounds=bounds)
        var = np.exp(opt.x)
        self.q_ = var[:k]
        self.noise_var_ = None if v_known is not None else float(var[k])
        self.loglik_ = -float(opt.fun)
        self.params_ = {
            "level_var": float(self.q_[0]),
            **({"slope_var": float(self.q_[1])} if self.trend else {}),
            "noise_var": self.noise_var_ if v_known is None else "from sample size",
            "design_effect": self.design_effect if v_known is not None else None,
            "loglik": self.loglik_,
        }
        return self._run(y, v_known)

    def update(self, y: np.ndarray, X: np.ndarray | None = None) -> Self:
        """Keep the variances; filter the longer history."""
        y = as_series(y)
        return self._run(y, self._noise(y, X))

    def _run(self, y: np.ndarray, v_known: np.ndarray | None) -> Self:
        v = v_known if v_known is not None else np.full(y.size, self.noise_var_)
        _, self.state_, self.cov_ = _filter(y, v, self.q_, self.trend)
        self.last_noise_ = float(v[-1])
        return self

    def predict(
        self, h: int, X_future: np.ndarray | None = None, level: Sequence[int] = (80, 95)
    ) -> dict[str, np.ndarray]:
        h = check_horizon(h)
        a, P = self.state_.copy(), self.cov_.copy()
        mean, var = np.empty(h), np.empty(h)
        if self.trend:
            T = np.array([[1.0, 1.0], [0.0, 1.0]])
            Q = np.diag(self.q_)
        else:
            T, Q = np.eye(1), np.diag(self.q_)
        for i in range(h):
            mean[i] = a[0]
            var[i] = P[0, 0] + self.last_noise_
            a, P = T @ a, T @ P @ T.T + Q
        return normal_interval(mean, np.sqrt(var), level)

    def forecast(self, y, h, X=None, X_future=None, level=(80, 95)) -> dict[str, np.ndarray]:
        clone = type(self)(self.trend, self.sample_size, self.design_effect, self.percent)
        return clone.fit(y, X).predict(h, X_future, level)
