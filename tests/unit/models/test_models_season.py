"""Seasonality test: raw monthly series are seasonal, adjusted ones are not."""

import numpy as np
import pytest

from models.season import choose_season_length, seasonal_indices, seasonal_strength

RNG = np.random.default_rng(4)
T = 120
_D = np.zeros(T)
for _t in range(1, T):  # smooth like a seasonally adjusted rate: changes follow an AR(1)
    _D[_t] = 0.7 * _D[_t - 1] + RNG.normal(0, 0.05)
WALK = 5 + np.cumsum(_D)
PATTERN = np.tile([0.6, 0.9, 0.4, 0.0, -0.2, -0.3, -0.4, -0.3, -0.1, 0.0, -0.2, -0.4], T // 12)


@pytest.mark.parametrize(
    ("y", "period", "expected"),
    [
        (WALK, 12, 1),
        (WALK + PATTERN, 12, 12),
        (WALK[:30] + PATTERN[:30], 12, 1),  # under three seasons: cannot tell, treat as non-seasonal
        (WALK + PATTERN, 1, 1),
        (5 + np.tile([0.5, -0.2, 0.1, -0.4], 30) + RNG.normal(0, 0.05, 120), 4, 4),
    ],
)
def test_choose_season_length(y, period, expected):
    assert choose_season_length(y, period) == expected


def test_strength_is_between_zero_and_one():
    assert 0.0 <= seasonal_strength(WALK, 12) < 0.4
    assert 0.8 < seasonal_strength(WALK + PATTERN, 12) <= 1.0


def test_seasonal_indices_recover_the_pattern():
    idx = seasonal_indices(5 + 0.01 * np.arange(T) + PATTERN, 12)
    np.testing.assert_allclose(idx, PATTERN[:12] - PATTERN[:12].mean(), atol=0.02)
    assert idx.sum() == pytest.approx(0.0, abs=1e-9)
