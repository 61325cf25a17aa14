"""HR administrative statistics of the 14 cities: registered unemployment rate (quarterly), new urban jobs
(year to date) and poverty-alleviated labour in work. Arrays are (city, period) in ``city_codes`` order."""

from __future__ import annotations

import numpy as np
import pandas as pd

from service.demo import calibration as cal
from service.demo._series import (
    by_year,
    clipped_normal,
    in_2020,
    month_pattern,
    shock_profile,
    wave_profile,
    yearly,
)

__all__ = ["complete_quarters", "new_urban_jobs", "poverty_alleviated_employed", "registered_rates"]


def _shares(values: list[float]) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    return v / v.sum()


def _wave(months: pd.PeriodIndex, city_codes: tuple[str, ...]) -> np.ndarray:
    """(city, month): the wave's progress in the wave city, zero elsewhere."""
    out = np.zeros((len(city_codes), len(months)))
    out[city_codes.index(cal.WAVE_CITY)] = wave_profile(months)
    return out


def complete_quarters(months: pd.PeriodIndex) -> pd.PeriodIndex:
    """Quarters whose three months all lie in ``months``: a quarterly figure exists once its quarter is over."""
    quarters = months.asfreq("Q")
    counts = pd.Series(1, index=quarters).groupby(level=0).size()
    return pd.PeriodIndex(counts.index[counts.to_numpy() == 3], freq="Q")


def registered_rates(
    *, months: pd.PeriodIndex, city_codes: tuple[str, ...], rng: np.random.Generator
) -> tuple[pd.PeriodIndex, np.ndarray]:
    """Registered urban unemployment rate by complete quarter, percent to 0.01, within REGISTERED_BOUNDS."""
    cities = [cal.CITIES[c] for c in city_codes]
    monthly = (
        yearly(months, cal.REGISTERED_ANCHORS)
        + np.array([c.registered_offset for c in cities])[:, None]
        + cal.REGISTERED_SHOCK * np.array([c.shock for c in cities])[:, None] * shock_profile(months)
        + cal.REGISTERED_WAVE * _wave(months, city_codes)
    )
    quarters = complete_quarters(months)
    z = clipped_normal(rng, (len(quarters), len(city_codes))).T
    frame = pd.DataFrame(monthly.T, index=months.asfreq("Q"))
    quarterly = frame.groupby(level=0).mean().loc[quarters].to_numpy().T
    return quarters, np.clip(np.round(quarterly + 0.03 * z, 2), *cal.REGISTERED_BOUNDS)


def new_urban_jobs(*, months: pd.PeriodIndex, city_codes: tuple[str, ...], rng: np.random.Generator) -> np.ndarray:
    """New urban jobs, year to date (reset each January), persons."""
    shares = _shares([cal.CITIES[c].jobs_share for c in city_codes])
    pattern = month_pattern(months, cal.NEW_JOBS_MONTHLY)
    # 2020: the epidemic months are slow and the rest of the year catches up; the year's total stays its anchor.
    slow = cal.NEW_JOBS_2020
    lost = sum(cal.NEW_JOBS_MONTHLY[m - 1] * (1 - f) for m, f in slow.items())
    catch_up = 1 + lost / (1 - sum(cal.NEW_JOBS_MONTHLY[m - 1] for m in slow))
    factor = in_2020(months, slow, 1.0)
    factor[(months.year == 2020) & ~np.isin(months.month, list(slow))] = catch_up
    pattern = pattern * factor
    z = clipped_normal(rng, (len(months), len(city_codes))).T
    flows = by_year(months, cal.NEW_JOBS) * pattern * shares[:, None] * (1 + 0.03 * z)
    flows *= 1 - 0.25 * _wave(months, city_codes)
    ytd = pd.DataFrame(flows.T, index=months).groupby(months.year).cumsum().to_numpy().T
    return np.round(ytd).astype(np.int64)


def poverty_alleviated_employed(
    *, months: pd.PeriodIndex, city_codes: tuple[str, ...], rng: np.random.Generator
) -> np.ndarray:
    """Poverty-alleviated labour in work, persons."""
    shares = _shares([cal.CITIES[c].poverty_share for c in city_codes])
    province = (
        yearly(months, cal.POVERTY_EMPLOYED)
        * (1 + month_pattern(months, cal.POVERTY_SEASONAL))
        * (1 + in_2020(months, cal.POVERTY_2020, 0.0))
    )
    z = clipped_normal(rng, (len(months), len(city_codes))).T
    return np.round(province * shares[:, None] * (1 + 0.004 * z)).astype(np.int64)
