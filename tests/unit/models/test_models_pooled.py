"""The pooled direct autoregression: shared dynamics across a panel, a common factor, robust to one shock."""

import numpy as np
import pytest

from models import DirectAR, PooledAR


def _panel(T=240, N=12, phi=0.6, seed=1, shock=False):
    rng = np.random.default_rng(seed)
    common = rng.normal(0, 0.02, T)
    D = np.zeros((T, N))
    for t in range(1, T):
        D[t] = phi * D[t - 1] + common[t] + rng.normal(0, 0.05, N)
    if shock:
        D[150, :] += 5.0
        D[151, :] -= 5.0
    return 5 + np.cumsum(D, axis=0)


def test_one_step_coefficient_recovers_the_shared_ar_dynamics():
    model = PooledAR(p=1, national_lags=0).fit(_panel())
    model.predict(1)
    assert model.coef_[1][0] == pytest.approx(0.6, abs=0.08)


def test_direct_h_step_coefficient_is_the_sum_of_powers():
    model = PooledAR(p=1, national_lags=0, robust=False).fit(_panel(T=600))
    model.predict(3)
    assert model.coef_[3][0] == pytest.approx(0.6 + 0.36 + 0.216, abs=0.1)


def test_a_single_shock_barely_moves_the_robust_fit():
    calm = PooledAR(p=2, national_lags=0).fit(_panel())
    calm.predict(1)
    shocked = PooledAR(p=2, national_lags=0).fit(_panel(shock=True))
    shocked.predict(1)
    plain = PooledAR(p=2, national_lags=0, robust=False).fit(_panel(shock=True))
    plain.predict(1)
    assert np.abs(shocked.coef_[1] - calm.coef_[1]).max() < 0.05
    assert np.abs(plain.coef_[1] - calm.coef_[1]).max() > 0.1


def test_shapes_missing_series_and_params():
    Y = _panel(N=5)
    Y[:100, 2] = np.nan  # a series that starts late still contributes and is forecast
    out = PooledAR().fit(Y).predict(4)
    assert out["mean"].shape == (4, 5)
    assert np.all(np.isfinite(out["mean"]))
    assert np.all(out["lo-95"] < out["lo-80"]) and np.all(out["hi-80"] < out["hi-95"])


def test_a_series_without_a_value_at_the_origin_gets_no_forecast():
    Y = _panel(N=4)
    Y[-1, 1] = np.nan
    out = PooledAR().fit(Y).predict(2)
    assert np.all(np.isnan(out["mean"][:, 1])) and np.all(np.isfinite(out["mean"][:, 0]))


def test_direct_ar_is_the_panel_of_one():
    y = _panel(N=1)[:, 0]
    a = DirectAR(p=3).forecast(y, 3)["mean"]
    b = PooledAR(p=3, national_lags=3).fit(y[:, None]).predict(3)["mean"][:, 0]
    np.testing.assert_allclose(a, b)


def test_too_short_is_refused():
    with pytest.raises(ValueError):
        PooledAR(p=6).fit(np.ones((5, 3)))
