"""Known simple series: each model must reproduce what any forecaster should on them."""

import numpy as np
import pytest

from models import ETS, AutoETS, DirectAR, Naive, SeasonalNaive, SignalPlusNoise, Theta

CONST = np.full(60, 4.2) + np.tile([0.0, 1e-6], 30)
TREND = 3.0 + 0.05 * np.arange(80)
SEASON = np.tile([5.0, 6.0, 7.0, 6.5, 5.5, 5.2, 5.0, 4.8, 4.9, 5.1, 5.3, 5.6], 6)


@pytest.mark.parametrize(
    "model",
    [Naive(), ETS(None, False), ETS(), AutoETS(), Theta(), DirectAR(), SignalPlusNoise(), SignalPlusNoise(True)],
    ids=lambda m: m.alias,
)
def test_flat_series_forecasts_its_level(model):
    out = model.forecast(CONST, 6)
    np.testing.assert_allclose(out["mean"], 4.2, atol=1e-3)


@pytest.mark.parametrize(
    ("model", "tol"),
    [(ETS("add", False), 1e-3), (DirectAR(p=2), 1e-6), (SignalPlusNoise(True), 1e-3)],
    ids=lambda m: getattr(m, "alias", ""),
)
def test_linear_trend_is_extrapolated(model, tol):
    out = model.forecast(TREND, 4)
    np.testing.assert_allclose(out["mean"], 3.0 + 0.05 * np.arange(80, 84), atol=tol)


def test_damped_trend_forecasts_below_the_straight_line_and_above_the_last_value():
    out = ETS("add", True).forecast(TREND + np.random.default_rng(0).normal(0, 0.01, 80), 12)["mean"]
    line = 3.0 + 0.05 * np.arange(80, 92)
    assert out[-1] < line[-1]
    assert out[0] > TREND[-1]


@pytest.mark.parametrize(
    "model",
    [SeasonalNaive(12), ETS(None, False, "add", 12), AutoETS(12), DirectAR(p=1, season_length=12)],
    ids=lambda m: m.alias,
)
def test_a_repeating_year_is_repeated(model):
    out = model.forecast(SEASON, 12)
    np.testing.assert_allclose(out["mean"], SEASON[:12], atol=0.05)


def test_theta_on_a_seasonal_series_deseasonalises():
    out = Theta(12).forecast(SEASON * (1 + 0.001 * np.arange(72)), 12)
    assert np.corrcoef(out["mean"], SEASON[:12])[0, 1] > 0.95


def test_interval_width_grows_with_horizon_for_random_walk_models():
    y = np.cumsum(np.random.default_rng(3).normal(0, 0.1, 200)) + 5
    for model in (Naive(), ETS(None, False), SignalPlusNoise()):
        out = model.forecast(y, 6)
        width = out["hi-80"] - out["lo-80"]
        assert np.all(np.diff(width) > 0), model.alias
