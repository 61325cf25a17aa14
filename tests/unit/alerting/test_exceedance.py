"""Exceedance probability read off a forecast's quantiles."""

import math

import numpy as np
import pytest

from service.alerting.exceedance import Z80, Z95, exceedance


def normal_sf(z):
    return 0.5 * math.erfc(z / math.sqrt(2))


@pytest.mark.parametrize("level", [4.0, 5.2, 5.5, 5.9, 6.6, 8.0])
def test_a_symmetric_forecast_gives_the_normal_answer(level):
    mean, sd = 5.5, 0.4
    p = exceedance(level, mean=mean, lo80=mean - Z80 * sd, hi80=mean + Z80 * sd, lo95=mean - Z95 * sd,
                   hi95=mean + Z95 * sd)  # fmt: skip
    assert float(p) == pytest.approx(normal_sf((level - mean) / sd), abs=1e-6)


def test_a_skewed_forecast_keeps_its_skew():
    kw = {"mean": 5.0, "lo80": 4.9, "hi80": 5.8, "lo95": 4.85, "hi95": 6.2}
    assert float(exceedance(5.8, **kw)) == pytest.approx(0.1)
    assert float(exceedance(4.9, **kw)) == pytest.approx(0.9)
    assert float(exceedance(5.4, **kw)) > 0.25  # more mass above the mean than a symmetric fit would give


def test_probability_falls_as_the_level_rises_and_handles_gaps():
    levels = np.linspace(3, 8, 51)
    p = exceedance(levels, mean=5.5, lo80=5.0, hi80=6.0, lo95=4.7, hi95=6.3)
    assert np.all(np.diff(p) <= 0) and p[0] > 0.999 and p[-1] < 0.001
    assert np.isnan(exceedance(5.0, mean=np.nan, lo80=1, hi80=2, lo95=0, hi95=3))
    flat = exceedance(np.array([4.9, 5.0, 5.1]), mean=5.0, lo80=5.0, hi80=5.0, lo95=5.0, hi95=5.0)
    assert flat.tolist() == [1.0, 1.0, 0.0]
