"""A direct autoregression on monthly changes, pooled across the regions of a panel, with a common factor.

For each horizon h, one regression over every region and month of the training data:

    y[i, t+h] - y[i, t] = sum_k a[h, k] * dy[i, t-k]   (k < p: the region's own recent changes)
                        + sum_k b[h, k] * dn[t-k]       (k < q: the cross-region mean change, a national factor)

Pooling 14 or 53 regions gives each coefficient hundreds of times more data than a per-region fit (a strong form
of hierarchical shrinkage: every region shares the same dynamics), and the national factor carries what all
regions feel at once. Direct (one regression per h) rather than iterated forecasts keep errors from compounding.
Estimation is robust in both directions, so that a shock such as April 2020 does not set the coefficients for the
years after it: Huber weights (IRLS, tuning constant 1.345) for large residuals, and Mallows weights for rows whose
recent changes are far outside the usual range (`leverage`, in robust standard deviations).

With `season_length > 1` each region's additive seasonal indices are taken out first and put back on the
forecast. A single series (`DirectAR`) is the same model with no factor: a panel of one.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Self

import numpy as np

from models.base import as_series, check_horizon, normal_interval
from models.season import seasonal_indices

__all__ = ["DirectAR", "PooledAR"]

_MIN_ROWS = 24


def _wls(A: np.ndarray, b: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    """Weighted least squares by the normal equations (a handful of columns, thousands of rows)."""
    Aw = A if w is None else A * w[:, None]
    G = Aw.T @ A + 1e-10 * np.eye(A.shape[1])
    return np.linalg.solve(G, Aw.T @ b)


def _leverage_weights(A: np.ndarray, c: float | None) -> np.ndarray | None:
    """Mallows weights min(1, (c / d)^2): d is a row's largest feature in robust standard deviations (MAD).
    Huber weights alone bound the pull of a large residual, not of a large regressor (a leverage point);
    these bound that too (a GM-estimator, Hampel et al. 1986)."""
    if c is None:
        return None
    s = 1.4826 * np.median(np.abs(A - np.median(A, axis=0)), axis=0)
    s = np.where(s > 0, s, 1.0)
    d = np.max(np.abs(A) / s, axis=1)
    return np.minimum(1.0, (c / np.maximum(d, 1e-12)) ** 2)


def _huber_lstsq(A: np.ndarray, b: np.ndarray, robust: bool, leverage: float | None, iterations: int = 20):
    wx = _leverage_weights(A, leverage) if robust else None
    coef = _wls(A, b, wx)
    if not robust:
        return coef
    for _ in range(iterations):
        r = np.abs(b - A @ coef)
        s = 1.4826 * np.median(r)
        if s <= 0:
            break
        c = 1.345 * s
        w = np.where(r <= c, 1.0, c / np.maximum(r, 1e-300))
        new = _wls(A, b, w if wx is None else w * wx)
        done = np.allclose(new, coef, rtol=1e-6, atol=1e-9)
        coef = new
        if done:
            break
    return coef


class PooledAR:
    """Panel model: `fit(Y)` with Y of shape (periods, series), NaN where a series has no value."""

    def __init__(
        self,
        p: int = 6,
        national_lags: int = 3,
        robust: bool = True,
        season_length: int = 1,
        leverage: float | None = 8.0,
    ) -> None:
        if p < 1 or national_lags < 0:
            raise ValueError("p must be >= 1 and national_lags >= 0")
        self.leverage = leverage
        self.p = p
        self.national_lags = national_lags
        self.robust = robust
        self.season_length = season_length
        self.alias = "pooled_ar"

    def fit(self, Y: np.ndarray) -> Self:
        Y = np.asarray(Y, dtype=float)
        if Y.ndim != 2 or Y.shape[0] < self.p + 2:
            raise ValueError(f"Y must be 2-D (periods, series) with more than {self.p + 1} periods")
        T, N = Y.shape
        m = self.season_length
        if m > 1:
            self.seasonal_ = np.stack([seasonal_indices(Y[:, i], m) for i in range(N)], axis=1)  # (m, N)
            Y = Y - self.seasonal_[np.arange(T) % m]
        else:
            self.seasonal_ = None
        D = np.vstack([np.full((1, N), np.nan), np.diff(Y, axis=0)])
        # the common factor needs several regions to mean anything
        self.q_ = self.national_lags if N >= 3 else 0
        with np.errstate(invalid="ignore"):
            counts = np.sum(np.isfinite(D), axis=1)
            nat = np.where(counts >= max(3, N // 2), np.nansum(D, axis=1) / np.maximum(counts, 1), np.nan)
        self.Y_, self.D_, self.nat_ = Y, D, nat
        self.coef_: dict[int, np.ndarray] = {}
        self.sigma_: dict[int, np.ndarray] = {}
        self.params_ = {"p": self.p, "national_lags": self.q_, "robust": self.robust, "coef": {}}
        return self

    def _features(self, t: np.ndarray) -> np.ndarray:
        """(len(t), N, p + q) features at rows t."""
        N = self.D_.shape[1]
        own = [self.D_[t - k] for k in range(self.p)]
        nat = [np.broadcast_to(self.nat_[t - k][:, None], (t.size, N)) for k in range(self.q_)]
        return np.stack(own + nat, axis=-1)

    def _fit_horizon(self, h: int) -> None:
        T = self.Y_.shape[0]
        lo = max(self.p, self.q_)  # first row whose lags all exist (row 0 of D is NaN)
        rows = np.arange(lo, T - h)
        if rows.size == 0:
            raise ValueError(f"too little history for horizon {h}")
        F = self._features(rows)
        tgt = self.Y_[rows + h] - self.Y_[rows]
        ok = np.all(np.isfinite(F), axis=-1) & np.isfinite(tgt)
        if ok.sum() < _MIN_ROWS:
            raise ValueError(f"too little history for horizon {h}: {int(ok.sum())} usable rows")
        A, b = F[ok], tgt[ok]
        coef = _huber_lstsq(A, b, self.robust, self.leverage)
        resid = np.full(tgt.shape, np.nan)
        resid[ok] = b - A @ coef
        # per-series residual scale, robust (MAD); pooled where a series has too few residuals
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a series with no residual at all: pooled below
            mad = np.nanmedian(np.abs(resid - np.nanmedian(resid, axis=0)), axis=0) * 1.4826
        pooled = 1.4826 * np.median(np.abs(resid[ok] - np.median(resid[ok])))
        enough = np.sum(np.isfinite(resid), axis=0) >= _MIN_ROWS
        self.coef_[h] = coef
        self.sigma_[h] = np.where(enough & np.isfinite(mad), mad, pooled)
        self.params_["coef"][str(h)] = [round(float(c), 6) for c in coef]

    def predict(self, h: int, level: Sequence[int] = (80, 95)) -> dict[str, np.ndarray]:
        h = check_horizon(h)
        T, N = self.Y_.shape
        t0 = np.array([T - 1])
        x = self._features(t0)[0]  # (N, k)
        last = self.Y_[T - 1]
        mean, sd = np.empty((h, N)), np.empty((h, N))
        for step in range(1, h + 1):
            if step not in self.coef_:
                self._fit_horizon(step)
            mean[step - 1] = last + x @ self.coef_[step]
            sd[step - 1] = self.sigma_[step]
        if self.seasonal_ is not None:
            mean = mean + self.seasonal_[np.arange(T, T + h) % self.season_length]
        return normal_interval(mean, sd, level)


class DirectAR:
    """The pooled model on one series (no common factor): a per-series Forecaster."""

    def __init__(self, p: int = 6, robust: bool = True, season_length: int = 1) -> None:
        self.p = p
        self.robust = robust
        self.season_length = season_length
        self.alias = "direct_ar"

    def fit(self, y: np.ndarray, X: np.ndarray | None = None) -> Self:
        y = as_series(y)
        self.model_ = PooledAR(self.p, 0, self.robust, self.season_length).fit(y[:, None])
        self.params_ = self.model_.params_
        return self

    def predict(
        self, h: int, X_future: np.ndarray | None = None, level: Sequence[int] = (80, 95)
    ) -> dict[str, np.ndarray]:
        out = self.model_.predict(h, level)
        return {k: v[:, 0] for k, v in out.items()}

    def forecast(self, y, h, X=None, X_future=None, level=(80, 95)) -> dict[str, np.ndarray]:
        return type(self)(self.p, self.robust, self.season_length).fit(y, X).predict(h, None, level)
