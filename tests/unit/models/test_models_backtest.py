"""Rolling origins: where they fall, how errors are scaled, and that a failing model is recorded, not raised."""

import numpy as np
import pytest

from models import coverage, mase, naive_scale, origin_rows, rmse
from models.backtest import SeriesTask, run_series


@pytest.mark.parametrize(
    ("n", "origins", "step", "horizon", "warmup", "expected"),
    [
        (100, 3, 6, 6, 0, [81, 87, 93]),  # last origin = 100 - 1 - 6
        (100, 1, 6, 6, 0, [93]),
        (100, 3, 1, 1, 0, [96, 97, 98]),
        (100, 2, 6, 6, 2, [75, 81, 87, 93]),  # warm-up origins come first
        (20, 5, 6, 6, 0, [1, 7, 13]),  # origins before the data are dropped
        (596, 20, 6, 6, 0, list(range(589 - 19 * 6, 590, 6))),
    ],
)
def test_origin_rows(n, origins, step, horizon, warmup, expected):
    assert origin_rows(n, origins, step, horizon, warmup) == expected


def test_us_protocol_origins_are_2015_08_to_2025_02():
    import pandas as pd

    periods = pd.period_range("1990-01", "2025-08", freq="M")
    rows = origin_rows(len(periods), 20, 6, 6)
    assert [str(periods[r]) for r in (rows[0], rows[-1])] == ["2015-08", "2025-02"]


@pytest.mark.parametrize("bad", [(0, 6, 6, 0), (3, 0, 6, 0), (3, 6, 0, 0), (3, 6, 6, -1)])
def test_bad_origin_settings_are_refused(bad):
    with pytest.raises(ValueError):
        origin_rows(100, *bad)


@pytest.mark.parametrize(
    ("y", "upto", "expected"),
    [([1, 2, 4, 7], None, 2.0), ([1, 2, 4, 7], 2, 1.5), ([5, 5, 5], None, 0.0), ([1, np.nan, 3, 4], None, 1.0)],
)
def test_naive_scale_is_mean_absolute_one_step_change(y, upto, expected):
    assert naive_scale(np.array(y, dtype=float), upto) == pytest.approx(expected)


def test_scores():
    actual, fc = np.array([1.0, 2.0, 3.0]), np.array([1.5, 2.0, 2.0])
    assert mase(actual, fc, 0.5) == pytest.approx(1.0)
    assert rmse(actual, fc) == pytest.approx(np.sqrt((0.25 + 1) / 3))
    assert coverage(actual, fc - 0.6, fc + 0.6) == pytest.approx(2 / 3)


def _task(models, y, origins=(40, 46, 52, 58), refit_every=12, m=1):
    return SeriesTask(
        "s", y, "2000-01", "M", tuple(origins), 3, tuple(models), season_length=m, refit_every=refit_every
    )


Y = 5 + np.cumsum(np.random.default_rng(0).normal(0, 0.1, 64))


def test_forecasts_only_see_data_up_to_their_origin():
    a = run_series(_task(["ets", "naive"], Y))
    b = run_series(_task(["ets", "naive"], np.r_[Y[:59], Y[59:] + 100]))  # the future changes wildly
    for key in a.forecasts:
        for k in a.forecasts[key]:
            np.testing.assert_array_equal(a.forecasts[key][k], b.forecasts[key][k])


def test_refit_schedule_refits_every_twelve_periods_and_updates_between():
    run = run_series(_task(["ets"], Y))
    how = [run.params[(o, "ets")]["estimated"] for o in (40, 46, 52, 58)]
    assert how == ["fit", "update", "fit", "update"]


def test_a_failing_model_is_replaced_and_recorded(monkeypatch):
    import models.registry as registry

    real = registry.make_model

    class Broken:
        alias = "broken"

        def fit(self, y, X=None):
            if len(y) > 50:
                raise np.linalg.LinAlgError("singular matrix")
            return self

        def predict(self, h, X_future=None, level=(80, 95)):
            return {k: np.full(h, np.nan) for k in ("mean", "lo-80", "hi-80", "lo-95", "hi-95")}

    monkeypatch.setattr(registry, "make_model", lambda name, **kw: Broken() if name == "ets" else real(name, **kw))
    run = run_series(_task(["ets", "naive"], Y))
    reasons = {(f.origin, f.model): f.reason for f in run.fallbacks}
    # up to 50 observations Broken fits but forecasts NaN; beyond it raises; without `update` it refits each time
    assert set(reasons) == {("2003-05", "ets"), ("2003-11", "ets"), ("2004-05", "ets"), ("2004-11", "ets")}
    assert "non-finite" in reasons[("2003-05", "ets")]
    assert "LinAlgError" in reasons[("2004-05", "ets")]
    assert all(f.used == "naive" for f in run.fallbacks)
    np.testing.assert_allclose(run.forecasts[(52, "ets")]["mean"], Y[52])
