"""Model choice per series uses only errors already known at each origin."""

import numpy as np
import pytest

from models.combine import combine_series, running_mase

# three origins (rows 10, 12, 14), horizon 2: targets 11-12, 13-14, 15-16
ORIGINS = np.array([10, 12, 14])
TARGET = ORIGINS[:, None] + np.array([1, 2])
ACTUAL = np.array([[1.0, 1.0], [1.0, 1.0], [1.0, 1.0]])
SCALE = np.ones(3)
# model A is always right, model B always 1 off
MEANS = np.stack([np.ones((3, 2)), np.full((3, 2), 2.0)], axis=-1)


def test_running_mase_counts_only_targets_at_or_before_the_origin():
    m = running_mase(ORIGINS, TARGET, ACTUAL, SCALE, MEANS)
    assert np.all(np.isnan(m[0]))  # at row 10 nothing has happened yet
    # at row 12: origin 10's targets 11 and 12 are known
    np.testing.assert_allclose(m[1], [[0.0, 1.0], [0.0, 1.0]])
    np.testing.assert_allclose(m[2, :, 1], [1.0, 1.0])


def test_running_mase_ignores_missing_actuals():
    actual = ACTUAL.copy()
    actual[0, 0] = np.nan
    m = running_mase(ORIGINS, TARGET, actual, SCALE, MEANS)
    assert np.isnan(m[1, 0, 0]) and m[1, 1, 1] == 1.0


@pytest.mark.parametrize(
    ("strategy", "weights_at_last"),
    [("mean", [0.5, 0.5]), ("best", [1.0, 0.0]), ("first", [1.0, 0.0]), ("inverse", [1.0, 0.0])],
)
def test_strategies(strategy, weights_at_last):
    res = combine_series(ORIGINS, TARGET, ACTUAL, SCALE, MEANS, strategy)
    np.testing.assert_allclose(res.weights[-1], weights_at_last, atol=1e-9)
    if strategy != "first":
        np.testing.assert_allclose(res.weights[0], [0.5, 0.5])  # no errors known yet: equal weights


def test_inverse_weights_are_proportional_to_one_over_mase():
    means = np.stack([np.full((3, 2), 1.5), np.full((3, 2), 2.0)], axis=-1)  # MASE 0.5 and 1.0
    res = combine_series(ORIGINS, TARGET, ACTUAL, SCALE, means, "inverse")
    np.testing.assert_allclose(res.weights[-1], [2 / 3, 1 / 3])
    np.testing.assert_allclose(res.mean[-1], 2 / 3 * 1.5 + 1 / 3 * 2.0)


def test_a_choice_cannot_depend_on_errors_after_the_origin():
    late = ACTUAL.copy()
    late[2] = 50.0  # targets 15, 16: after every origin
    a = combine_series(ORIGINS, TARGET, ACTUAL, SCALE, MEANS, "best")
    b = combine_series(ORIGINS, TARGET, late, SCALE, MEANS, "best")
    np.testing.assert_array_equal(a.weights, b.weights)
    np.testing.assert_array_equal(a.mean, b.mean)


def test_median_and_unknown_strategy():
    res = combine_series(
        ORIGINS, TARGET, ACTUAL, SCALE, np.stack([MEANS[..., 0], MEANS[..., 1], MEANS[..., 1]], -1), "median"
    )
    np.testing.assert_allclose(res.mean, 2.0)
    with pytest.raises(ValueError, match="strategy"):
        combine_series(ORIGINS, TARGET, ACTUAL, SCALE, MEANS, "vote")
