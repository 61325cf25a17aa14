"""Every per-series model honours the one interface: shapes, keys, ordered intervals, JSON-able params."""

import json

import numpy as np
import pytest

from models import forecast_keys, make_model
from models.registry import SERIES_MODELS

RNG = np.random.default_rng(7)
N = 96
SEASONAL = 5 + 0.5 * np.sin(np.arange(N) * 2 * np.pi / 12) + np.cumsum(RNG.normal(0, 0.05, N))
SIGNAL = RNG.normal(0, 1, N)

# (name, season_length, needs exogenous signals)
CASES = [(name, m, name == "sarimax") for name in sorted(SERIES_MODELS - {"prophet"}) for m in (1, 12)]


@pytest.mark.parametrize(("name", "m", "exog"), CASES)
def test_forecast_shape_keys_and_interval_order(name, m, exog):
    model = make_model(name, season_length=m, exog_lags=[2] if exog else None)
    X = SIGNAL if exog else None
    model.fit(SEASONAL, X)
    out = model.predict(2, level=(95, 80))
    assert list(out) == forecast_keys([80, 95])
    for key, arr in out.items():
        assert arr.shape == (2,), key
        assert np.all(np.isfinite(arr)), key
    assert np.all(out["lo-95"] <= out["lo-80"] + 1e-12)
    assert np.all(out["lo-80"] <= out["mean"] + 1e-12)
    assert np.all(out["mean"] <= out["hi-80"] + 1e-12)
    assert np.all(out["hi-80"] <= out["hi-95"] + 1e-12)
    json.dumps(model.params_)  # storable as it is


@pytest.mark.parametrize("name", ["naive", "ets", "theta", "ll_noise", "direct_ar", "arima"])
def test_forecast_is_stateless_and_equals_fit_then_predict(name):
    model = make_model(name)
    once = model.forecast(SEASONAL, 3)
    assert not any(k.endswith("_") for k in vars(model)), "forecast() must not leave fitted state"
    again = make_model(name).fit(SEASONAL).predict(3)
    for key in once:
        np.testing.assert_allclose(once[key], again[key])


@pytest.mark.parametrize("name", ["ets", "autoets", "arima", "ll_noise", "llt_noise", "naive"])
def test_update_keeps_parameters_and_uses_new_data(name):
    model = make_model(name).fit(SEASONAL[:80])
    before = {k: v for k, v in model.params_.items() if k not in ("aicc", "loglik", "sigma")}
    model.update(SEASONAL)
    after = {k: v for k, v in model.params_.items() if k not in ("aicc", "loglik", "sigma")}
    assert after == before
    fresh_filter = model.predict(1)["mean"]
    refit_short = make_model(name).fit(SEASONAL[:80]).predict(1)["mean"]
    assert not np.allclose(fresh_filter, refit_short), "update must move the forecast origin"


@pytest.mark.parametrize("name", sorted(SERIES_MODELS - {"prophet", "sarimax"}))
@pytest.mark.parametrize("bad", [[], [1.0, np.nan, 2.0]])
def test_bad_history_is_refused(name, bad):
    with pytest.raises(ValueError):
        make_model(name).fit(np.array(bad))


@pytest.mark.parametrize("h", [0, -1, 1.5])
def test_bad_horizon_is_refused(h):
    model = make_model("ets").fit(SEASONAL)
    with pytest.raises(ValueError, match="horizon"):
        model.predict(h)
