"""Surveyed urban unemployment rates: 14 cities (total) and the province (total and key groups).

Each rate is a true rate plus sampling noise with standard error sqrt(p(1-p) deff / n), rounded to 0.1 as
published. The province total is the labour-force-weighted mean of the cities' true rates plus the province
sample's own, smaller noise; key groups exist for the province only.

Two properties are made by construction over the last months, both against the published (rounded) values:
- every city but the wave city is quiet over the last 12 months (3-month mean < QUIET_LEVEL, its rise above
  the 12-month low < QUIET_RISE): the noise of the last QUIET_WINDOW months is redrawn from a few spare draws,
  then scaled down step by step, until that holds (the noise-free rates satisfy it by calibration for every
  end month from MIN_END_MONTH on);
- the wave city rises to a grade-III Sahm signal: a wave of height ``a`` on WAVE_SHAPE is added, ``a`` chosen
  so the rise at the end month is nearest WAVE_RISE_TARGET while the level bounds of `_wave_ok` hold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from service.demo import calibration as cal
from service.demo._series import (
    clipped_normal,
    ma3,
    month_pattern,
    sahm_rise,
    shock_profile,
    wave_profile,
    yearly,
)

__all__ = ["QUIET_LEVEL", "QUIET_RISE", "SurveyedRates", "labour_force_weights", "surveyed_rates"]

QUIET_LEVEL = 5.4  # pp: every quiet city's 3-month mean stays below this over the last 12 months
QUIET_RISE = 0.35  # pp: and its rise above the 12-month low stays below this
QUIET_WINDOW = 26  # months whose noise may be scaled: the last 12 and the 14 their 12-month lows look back on
_MARGIN = 0.01
_NOISE_SCALES = (1.0, 0.75, 0.5, 0.25, 0.0)
_SPARE_DRAWS = 8  # alternative noise draws for a quiet city's window, tried before the noise is scaled down
_WAVE_NOISE_SCALES = (0.5, 0.25, 0.0)
_WAVE_HEIGHTS = np.round(np.arange(0.30, 1.60, 0.01), 2)


@dataclass(frozen=True)
class SurveyedRates:
    """Published rates (percent, 0.1 steps) and sample sizes; rows follow ``city_codes``, columns the months."""

    city_codes: tuple[str, ...]
    city: np.ndarray
    city_samples: np.ndarray
    province: dict[str, tuple[np.ndarray, np.ndarray]]  # group -> (rates, samples)
    wave_height: float  # pp added to the wave city at the wave's height (WAVE_SHAPE = 1)


def labour_force_weights(city_codes: tuple[str, ...]) -> np.ndarray:
    """Each city's share of the urban labour force: the weights of the province surveyed rate."""
    lf = np.array([cal.CITIES[c].labour_force for c in city_codes], dtype=float)
    return lf / lf.sum()


def _convergence(months: pd.PeriodIndex) -> np.ndarray:
    """City offsets at full size until 2022-01, shrinking linearly to OFFSET_CONVERGENCE by 2024-06."""
    t = np.asarray(months.year, dtype=float) + (np.asarray(months.month, dtype=float) - 1) / 12
    frac = np.clip((t - 2022.0) / 2.5, 0.0, 1.0)
    return 1.0 - (1.0 - cal.OFFSET_CONVERGENCE) * frac


def _standard_error(rate: np.ndarray, n: np.ndarray) -> np.ndarray:
    p = rate / 100
    return 100 * np.sqrt(p * (1 - p) * cal.SURVEY_DEFF / n)


def _is_quiet(values: np.ndarray) -> bool:
    last = slice(-12, None)
    rise = np.fmax(sahm_rise(values)[last], sahm_rise(values, include_current=True)[last])
    # Published rates step by 0.1, so 3-month means step by 1/30 and may land on QUIET_LEVEL itself; the margin
    # keeps such a mean out however a reader sums it.
    return bool(np.all(ma3(values)[last] < QUIET_LEVEL - _MARGIN) and np.all(rise < QUIET_RISE - _MARGIN))


def _wave_ok(values: np.ndarray) -> float | None:
    """The end-month rise if the wave city shows the designed grade-III picture, else None.

    3-month mean at the end month in [5.75, 6.5] and >= 5.55 for each of the last three months; the rise above
    the 12-month low in [0.62, 0.93] however the low's window is drawn, and below 1.0 throughout the last year;
    no single month at 7.0 or more in the last year.
    """
    m = ma3(values)
    previous, including = sahm_rise(values), sahm_rise(values, include_current=True)
    ok = (
        5.75 <= m[-1] <= 6.5
        and np.all(m[-3:] >= 5.55)
        and min(previous[-1], including[-1]) >= 0.62
        and max(previous[-1], including[-1]) <= 0.93
        and np.all(np.fmax(previous[-12:], including[-12:]) < 1.0)
        and np.all(values[-12:] < 7.0)
    )
    return float(previous[-1]) if ok else None


def _window_scale(n_months: int, scale: float) -> np.ndarray:
    out = np.ones(n_months)
    out[-QUIET_WINDOW:] = scale
    return out


def _quiet_city(true: np.ndarray, noise: np.ndarray, spares: np.ndarray, code: str) -> np.ndarray:
    """Published rates of a quiet city: the first of its window noises (its own, then the spare draws), at the
    largest scale, that keeps the last 12 months quiet; noise-free as the last resort."""
    for scale in _NOISE_SCALES:
        for window_noise in (noise[-QUIET_WINDOW:], *spares):
            trial = noise.copy()
            trial[-QUIET_WINDOW:] = window_noise * scale
            values = np.round(true + trial, 1)
            if _is_quiet(values):
                return values
    raise RuntimeError(f"demo calibration: city {code} cannot be made quiet in the last 12 months")


def _wave_city(true: np.ndarray, noise: np.ndarray) -> tuple[np.ndarray, float]:
    shape = wave_profile(true)
    for scale in _WAVE_NOISE_SCALES:
        base = true + noise * _window_scale(len(true), scale)
        best: tuple[float, float, np.ndarray] | None = None
        for height in _WAVE_HEIGHTS:
            values = np.round(base + height * shape, 1)
            rise = _wave_ok(values)
            if rise is not None and (best is None or abs(rise - cal.WAVE_RISE_TARGET) < best[0]):
                best = (abs(rise - cal.WAVE_RISE_TARGET), float(height), values)
        if best is not None:
            return best[2], best[1]
    raise RuntimeError(f"demo calibration: no wave height gives city {cal.WAVE_CITY} its grade-III rise")


def surveyed_rates(*, months: pd.PeriodIndex, city_codes: tuple[str, ...], rng: np.random.Generator) -> SurveyedRates:
    n_cities, n_months = len(city_codes), len(months)
    cities = [cal.CITIES[c] for c in city_codes]
    weights = labour_force_weights(city_codes)
    # Draw every random number first, in a fixed order.
    sample_z = clipped_normal(rng, (n_months, n_cities)).T
    noise_z = clipped_normal(rng, (n_months, n_cities)).T
    group_z = clipped_normal(rng, (n_months, 1 + len(cal.GROUPS))).T
    spare_z = clipped_normal(rng, (_SPARE_DRAWS, QUIET_WINDOW, n_cities)).transpose(2, 0, 1)

    shock = shock_profile(months) * cal.SHOCK_PP
    offsets = np.array([c.rate_offset for c in cities])
    offsets = offsets - weights @ offsets  # the province is the weighted mean: offsets average to zero
    true = (
        yearly(months, cal.RATE_ANCHORS)
        + month_pattern(months, cal.RATE_SEASONAL)
        + offsets[:, None] * _convergence(months)
        + np.array([c.shock for c in cities])[:, None] * shock
    )
    samples = np.round(np.array([c.sample_size for c in cities])[:, None] * (1 + 0.02 * sample_z)).astype(np.int64)
    noise = noise_z * _standard_error(true, samples)

    published = np.empty_like(true)
    wave_height = 0.0
    for i, code in enumerate(city_codes):
        if code == cal.WAVE_CITY:
            published[i], wave_height = _wave_city(true[i], noise[i])
            true[i] = true[i] + wave_height * wave_profile(months)
        else:
            spares = spare_z[i] * _standard_error(true[i, -QUIET_WINDOW:], samples[i, -QUIET_WINDOW:])
            published[i] = _quiet_city(true[i], noise[i], spares, code)

    province: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    total_true = weights @ true
    total_n = samples.sum(axis=0)
    province["total"] = (np.round(total_true + group_z[0] * _standard_error(total_true, total_n), 1), total_n)
    # The wave city's rise reaches the key groups through its weight, as it does the total.
    wave_share = weights[list(city_codes).index(cal.WAVE_CITY)] * wave_height * wave_profile(months)
    for k, (group, g) in enumerate(cal.GROUPS.items(), start=1):
        g_true = yearly(months, g.anchors) + month_pattern(months, g.seasonal) + g.shock * shock + wave_share
        g_n = np.round(total_n * g.sample_share).astype(np.int64)
        province[group] = (np.round(g_true + group_z[k] * _standard_error(g_true, g_n), 1), g_n)
    return SurveyedRates(city_codes, published, samples, province, wave_height)
