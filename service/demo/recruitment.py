"""Recruitment: monthly job postings and job seekers by city and occupation.

Each city-month has an overall posting-to-seeker ratio (求人倍率): the city's typical level, a seasonal swing
(high after Spring Festival, low at graduation), bounded noise, and in the wave city a fall as the wave grows.
Seekers are split over OCCUPATIONS by share; postings follow each occupation's relative tightness and are then
scaled so the city's postings over seekers equals its ratio. Over the last 12 months a quiet city's ratio is
held at or above QUIET_RATIO_FLOOR and the wave city's last three months at or below WAVE_RATIO_CAP.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from service.demo import calibration as cal
from service.demo._series import clipped_normal, in_2020, month_pattern, wave_profile

__all__ = ["OCCUPATION_CODES", "recruitment"]

OCCUPATION_CODES = tuple(cal.OCCUPATIONS)
_SEEKER_SHARE = np.array([v[2] for v in cal.OCCUPATIONS.values()])
_TIGHTNESS = np.array([v[3] for v in cal.OCCUPATIONS.values()])
_MANUFACTURING = OCCUPATION_CODES.index("manufacturing")


def _city_ratio(months: pd.PeriodIndex, code: str, z: np.ndarray) -> np.ndarray:
    ratio = (
        cal.CITIES[code].ratio
        * month_pattern(months, cal.RATIO_SEASONAL)
        * in_2020(months, cal.RATIO_2020, 1.0)
        * (1 + 0.025 * z)
    )
    if code == cal.WAVE_CITY:
        ratio = ratio * (1 - cal.WAVE_RATIO_DROP * wave_profile(months))
        ratio[-3:] = np.minimum(ratio[-3:], cal.WAVE_RATIO_CAP)
    else:
        ratio[-12:] = np.maximum(ratio[-12:], cal.QUIET_RATIO_FLOOR)
    return ratio


def recruitment(*, months: pd.PeriodIndex, city_codes: tuple[str, ...], rng: np.random.Generator) -> pd.DataFrame:
    """Columns region_code, period, occupation, job_postings, job_seekers; one row per city, month, occupation."""
    n_months, n_occ = len(months), len(OCCUPATION_CODES)
    frames = []
    for code in city_codes:
        ratio_z = clipped_normal(rng, n_months)
        size_z = clipped_normal(rng, n_months)
        occ_z = clipped_normal(rng, (n_months, 2, n_occ))
        wave = wave_profile(months) if code == cal.WAVE_CITY else np.zeros(n_months)

        seekers_total = (
            cal.CITIES[code].labour_force
            * 10_000
            * cal.SEEKERS_PER_LABOUR_FORCE
            * month_pattern(months, cal.SEEKERS_SEASONAL)
            * in_2020(months, cal.SEEKERS_2020, 1.0)
            * (1 + 0.03 * size_z)
            * (1 + 0.25 * wave)
        )
        split = _SEEKER_SHARE * (1 + 0.05 * occ_z[:, 0, :])
        seekers = np.round(seekers_total[:, None] * split / split.sum(axis=1, keepdims=True))
        tightness = np.tile(_TIGHTNESS, (n_months, 1)) * (1 + 0.05 * occ_z[:, 1, :])
        tightness[:, _MANUFACTURING] *= 1 - 0.3 * wave  # factories stop hiring first
        raw = seekers * tightness
        target = _city_ratio(months, code, ratio_z) * seekers.sum(axis=1)
        postings = np.round(raw * (target / raw.sum(axis=1))[:, None])
        frames.append(
            pd.DataFrame(
                {
                    "region_code": code,
                    "period": months.repeat(n_occ),
                    "occupation": np.tile(OCCUPATION_CODES, n_months),
                    "job_postings": postings.ravel().astype(np.int64),
                    "job_seekers": seekers.ravel().astype(np.int64),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
