"""Intervals from backtest errors: 80 % covers about 80 % out of sample, and never sees the future."""

import numpy as np
import pytest

from models import Naive
from models.backtest import SeriesTask, naive_scale, run_series
from models.calibrate import calibrated_bounds, conformal_quantile


@pytest.mark.parametrize(
    ("values", "level", "expected"),
    [(np.arange(1, 10), 0.8, 8), (np.arange(1, 10), 0.5, 5), (np.arange(1, 5), 0.95, 4), (np.array([3.0]), 0.8, 3)],
)
def test_conformal_quantile(values, level, expected):
    assert conformal_quantile(values, level) == expected


def _ar_series(T=1400, phi=0.7, seed=3):
    rng = np.random.default_rng(seed)
    y = np.zeros(T)
    e = rng.standard_t(5, T) * 0.3  # heavy tails: Gaussian model intervals would be off
    for t in range(1, T):
        y[t] = phi * y[t - 1] + e[t]
    return 10 + y


def _backtest(y, origins, h=3):
    # a deliberately mis-specified model (naive on a mean-reverting AR(1)): its own intervals are not to be trusted
    run = run_series(SeriesTask("s", y, "1900-01", "M", tuple(origins), h, ("naive",)))
    rows = []
    for o in origins:
        f = run.forecasts[(o, "naive")]
        for k in range(h):
            t = o + k + 1
            rows.append((o, k + 1, t, f["mean"][k], y[t] if t < y.size else np.nan, naive_scale(y[: o + 1])))
    return np.array(rows, dtype=float)


def _bounds(rows, **kw):
    return calibrated_bounds(
        series=np.zeros(len(rows)),
        origin=rows[:, 0],
        h=rows[:, 1],
        target=rows[:, 2],
        mean=rows[:, 3],
        actual=rows[:, 4],
        scale=rows[:, 5],
        levels=(80, 95),
        **kw,
    )


@pytest.mark.parametrize("adapt", [None, 0.05])
@pytest.mark.parametrize("method", ["abs", "signed"])
def test_80_percent_intervals_cover_75_to_85_percent_out_of_sample(method, adapt):
    y = _ar_series()
    rows = _backtest(y, range(100, 1390))
    b = _bounds(rows, method=method, min_errors=50, adapt=adapt)
    ok = np.isfinite(b["lo-80"]) & np.isfinite(rows[:, 4])
    assert ok.sum() > 3000
    inside80 = (rows[ok, 4] >= b["lo-80"][ok]) & (rows[ok, 4] <= b["hi-80"][ok])
    inside95 = (rows[ok, 4] >= b["lo-95"][ok]) & (rows[ok, 4] <= b["hi-95"][ok])
    assert 0.75 <= inside80.mean() <= 0.85
    assert 0.92 <= inside95.mean() <= 0.98


def test_the_model_own_intervals_would_not_have_been_calibrated():
    # the reason for calibrating: the naive model's own 3-step intervals on this AR series miss the 75-85 % band
    y = _ar_series()
    inside = []
    for o in range(100, 1390, 7):
        f = Naive().forecast(y[: o + 1], 3)
        inside.append(f["lo-80"][2] <= y[o + 3] <= f["hi-80"][2])
    assert not 0.75 <= np.mean(inside) <= 0.85


def test_calibration_never_uses_errors_from_after_the_origin():
    y = _ar_series(T=400)
    rows = _backtest(y, range(100, 390))
    later = rows.copy()
    cut = 300
    later[later[:, 2] > cut, 4] += 50.0  # the world goes mad after row 300
    a, b = _bounds(rows, min_errors=30), _bounds(later, min_errors=30)
    upto = rows[:, 0] <= cut
    np.testing.assert_array_equal(a["lo-80"][upto], b["lo-80"][upto])
    assert not np.allclose(a["hi-95"][~upto], b["hi-95"][~upto], equal_nan=True)


def test_too_few_errors_leave_bounds_missing_and_window_limits_the_pool():
    y = _ar_series(T=300)
    rows = _backtest(y, range(100, 290))
    b = _bounds(rows, min_errors=30)
    assert np.isnan(b["lo-80"][rows[:, 0] < 120]).all()  # fewer than 30 errors known by then
    w = _bounds(rows, min_errors=30, window=20)
    assert np.isnan(w["lo-80"]).all()  # a 20-period window never holds 30 errors of one horizon


def test_bad_options_are_refused():
    rows = _backtest(_ar_series(T=200), range(100, 190))
    with pytest.raises(ValueError):
        _bounds(rows, pool="world")


def test_adaptive_calibration_recovers_nominal_coverage_after_a_calm_spell():
    # a turbulent first half fills the error pool; in the calm second half fixed-level intervals over-cover
    rng = np.random.default_rng(8)
    T = 1200
    sd = np.where(np.arange(T) < 600, 1.0, 0.3)
    y = 10 + np.cumsum(rng.normal(0, 1, T) * sd)
    rows = _backtest(y, range(50, 1190))
    late = (rows[:, 0] > 800) & np.isfinite(rows[:, 4])

    def late_coverage(**kw):
        b = _bounds(rows, min_errors=50, **kw)
        return np.mean((rows[late, 4] >= b["lo-80"][late]) & (rows[late, 4] <= b["hi-80"][late]))

    fixed, adaptive = late_coverage(), late_coverage(adapt=0.05)
    assert fixed > 0.9
    assert 0.75 <= adaptive <= 0.85
