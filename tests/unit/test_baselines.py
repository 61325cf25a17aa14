import numpy as np
import pytest

from models import Naive, SeasonalNaive, forecast_keys


def test_seasonal_naive_repeats_last_season_and_widens_by_season():
    y = np.tile(np.arange(12.0), 3) + np.repeat([0.0, 1.0, 2.0], 12)
    out = SeasonalNaive(12).forecast(y, 24, level=(80,))
    np.testing.assert_allclose(out["mean"][:12], y[-12:])
    np.testing.assert_allclose(out["mean"][12:], y[-12:])
    width = out["hi-80"] - out["lo-80"]
    assert width[12] == pytest.approx(width[0] * np.sqrt(2))
    assert list(out) == forecast_keys([80])


def test_seasonal_naive_falls_back_to_naive_on_short_history():
    out = SeasonalNaive(12).forecast(np.array([1.0, 2.0, 3.0]), 2)
    np.testing.assert_allclose(out["mean"], [3.0, 3.0])


def test_naive_interval_grows_with_sqrt_h():
    y = np.array([0.0, 1.0, 0.0, 1.0, 0.0])
    out = Naive().forecast(y, 4, level=(95,))
    w = out["hi-95"] - out["lo-95"]
    np.testing.assert_allclose(w / w[0], np.sqrt([1, 2, 3, 4]))


@pytest.mark.parametrize("bad", [[np.nan, 1.0], []])
def test_bad_history_is_refused(bad):
    with pytest.raises(ValueError):
        Naive().fit(np.array(bad))


@pytest.mark.parametrize("level", [(0,), (100,), (80.5,)])
def test_bad_levels_are_refused(level):
    with pytest.raises(ValueError, match="interval level"):
        Naive().forecast(np.arange(5.0), 2, level=level)
