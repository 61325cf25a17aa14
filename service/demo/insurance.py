"""Unemployment insurance of the 14 cities: insured, new claims, recipients, contribution stops (monthly).

Insured follow the plans' province totals (December anchors) split by city share. New claims are a share of
insured with bounded noise, so outside the wave a year-on-year change stays well under +15 %; in the wave city
each wave month's claims are set against the same month a year earlier (WAVE_CLAIMS_GROWTH). Recipients are a
stock fed by claims and drained at an exit rate, so they follow claims. Arrays are (city, month).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from service.demo import calibration as cal
from service.demo._series import by_year, clipped_normal, in_2020, month_pattern

__all__ = ["Insurance", "insurance", "insured_baseline"]


@dataclass(frozen=True)
class Insurance:
    insured: np.ndarray
    recipients: np.ndarray
    new_claims: np.ndarray
    contribution_stops: np.ndarray


def _province_insured(months: pd.PeriodIndex) -> np.ndarray:
    """December anchors interpolated geometrically by month; UI_GROWTH_AFTER a year after the last anchor."""
    anchors = dict(cal.UI_INSURED_DEC)
    last = max(anchors)
    for year in range(last + 1, int(months.year.max()) + 1):
        anchors[year] = anchors[year - 1] * (1 + cal.UI_GROWTH_AFTER)
    years = sorted(anchors)
    t = np.asarray(months.year, dtype=float) + (np.asarray(months.month) - 12) / 12
    level = np.exp(np.interp(t, np.array(years, dtype=float), np.log([anchors[y] for y in years])))
    return level * (1 + month_pattern(months, cal.UI_INSURED_SEASONAL)) * (1 + in_2020(months, cal.UI_INSURED_2020, 0))


def insured_baseline(*, months: pd.PeriodIndex, city_codes: tuple[str, ...], rng: np.random.Generator) -> np.ndarray:
    """UI insured by city before the wave's layoffs, persons (float). Changsha's share drifts up 1 % a year."""
    share = np.array([cal.CITIES[c].ui_share for c in city_codes])[:, None]
    drift = np.array([0.01 if c == "430100" else 0.0 for c in city_codes])[:, None]
    share = share * np.exp(drift * (np.asarray(months.year) - 2018 + (np.asarray(months.month) - 1) / 12))
    share = share / share.sum(axis=0)
    z = clipped_normal(rng, (len(months), len(city_codes))).T
    return _province_insured(months) * share * (1 + 0.0015 * z)


def insurance(
    *,
    months: pd.PeriodIndex,
    city_codes: tuple[str, ...],
    baseline: np.ndarray,
    laid_off: np.ndarray,
    wave_laid_off: np.ndarray,
    rng: np.random.Generator,
) -> Insurance:
    """The four UI series. ``laid_off`` (city, month): persons whose filed layoff takes effect that month, all
    filings; ``wave_laid_off`` the same for the wave's filings only (they leave the wave city's insured)."""
    n_cities, n_months = baseline.shape
    claim_z = clipped_normal(rng, (n_months, n_cities)).T
    wave_z = clipped_normal(rng, (len(cal.WAVE_SHAPE),))
    stop_z = clipped_normal(rng, (n_months, n_cities)).T

    insured = baseline - 0.8 * np.cumsum(wave_laid_off, axis=1)
    rate = by_year(months, cal.UI_CLAIM_RATE)
    spring_2020 = in_2020(months, cal.UI_CLAIM_2020, np.nan)
    rate = np.where(np.isnan(spring_2020), rate, spring_2020)
    claims = insured * rate * month_pattern(months, cal.UI_CLAIM_SEASONAL) * (1 + cal.UI_CLAIM_NOISE * claim_z)
    w = city_codes.index(cal.WAVE_CITY)
    for k, growth in enumerate(cal.WAVE_CLAIMS_GROWTH):
        t = n_months - len(cal.WAVE_CLAIMS_GROWTH) + k
        claims[w, t] = claims[w, t - 12] * (1 + growth) * (1 + 0.0075 * wave_z[k])
    claims = np.round(claims)

    exit_rate = np.where(
        (months >= pd.Period("2020-02", "M")) & (months <= pd.Period("2021-06", "M")),
        cal.UI_EXIT_RATE_2020,
        cal.UI_EXIT_RATE,
    )
    recipients = np.empty_like(claims)
    stock = claims[:, :12].mean(axis=1) / cal.UI_EXIT_RATE  # start in steady state
    for t in range(n_months):
        stock = np.round(stock * (1 - exit_rate[t]) + claims[:, t])
        recipients[:, t] = stock

    stops = (
        insured
        * cal.UI_STOP_RATE
        * month_pattern(months, cal.UI_STOP_SEASONAL)
        * (1 + in_2020(months, {2: 0.8, 3: 0.6, 4: 0.3}, 0.0))
        * (1 + 0.03 * stop_z)
        + laid_off
    )
    return Insurance(
        insured=np.round(insured).astype(np.int64),
        recipients=recipients.astype(np.int64),
        new_claims=claims.astype(np.int64),
        contribution_stops=np.round(stops).astype(np.int64),
    )
