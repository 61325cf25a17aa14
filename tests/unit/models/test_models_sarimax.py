"""SARIMAX with lagged signals: the lag decides what the forecast may see, and X_future when it must be given."""

import numpy as np
import pytest

from models import SARIMAX

RNG = np.random.default_rng(11)
N = 150
CLAIMS = RNG.normal(0, 1, N + 6)
# the rate responds to claims two periods earlier, plus AR(1) noise
NOISE = np.zeros(N)
for t in range(1, N):
    NOISE[t] = 0.5 * NOISE[t - 1] + RNG.normal(0, 0.05)
RATE = 5.0 + 0.4 * np.r_[np.zeros(2), CLAIMS[: N - 2]] + NOISE


def fitted(lags=2, X=CLAIMS[:N]):
    return SARIMAX(order=(1, 0, 0), lags=lags, trend="c").fit(RATE, X)


def test_recovers_the_signal_coefficient():
    assert fitted().params_["x1"] == pytest.approx(0.4, abs=0.03)


@pytest.mark.parametrize(("h", "needs_future"), [(1, False), (2, False), (3, True), (6, True)])
def test_future_signals_needed_only_beyond_the_lag(h, needs_future):
    model = fitted()
    if needs_future:
        with pytest.raises(ValueError, match="X_future"):
            model.predict(h)
        out = model.predict(h, X_future=CLAIMS[N : N + h])
    else:
        out = model.predict(h)
    assert out["mean"].shape == (h,)


def test_forecast_within_the_lag_uses_the_observed_signal():
    model = fitted()
    expected_step1 = 0.4 * CLAIMS[N - 1]  # period N uses claims at N - 2 + 1 = N - 1
    out = model.predict(2)["mean"]
    no_signal = SARIMAX(order=(1, 0, 0), trend="c").fit(RATE).predict(2)["mean"]
    assert (out[1] - no_signal[1]) == pytest.approx(expected_step1, abs=0.15)


def test_signal_values_after_the_origin_cannot_change_a_forecast_within_the_lag():
    a = fitted().predict(2)["mean"]
    later = np.r_[CLAIMS[:N], 99.0, -99.0]
    b = SARIMAX(order=(1, 0, 0), lags=2, trend="c").fit(RATE, later[:N]).predict(2, X_future=later[N:])["mean"]
    np.testing.assert_allclose(a, b)


@pytest.mark.parametrize(
    ("lags", "X", "match"),
    [
        (0, CLAIMS[:N], "at least 1"),
        ([1, 2], CLAIMS[:N], "lag"),
        (1, CLAIMS[: N - 1], "rows"),
        (1, np.r_[CLAIMS[: N - 1], np.nan], "NaN"),
    ],
)
def test_bad_signal_setups_are_refused(lags, X, match):
    with pytest.raises(ValueError, match=match):
        SARIMAX(order=(1, 0, 0), lags=lags).fit(RATE, X)


def test_short_x_future_is_refused():
    with pytest.raises(ValueError, match="X_future"):
        fitted(lags=1).predict(4, X_future=CLAIMS[:2])
