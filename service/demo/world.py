"""The synthetic demo world for Hunan's 14 cities: ``generate_world(end_month=...)``.

Pure (numpy, pandas, the registry YAML): the same seed and end month give identical frames, bit for bit. Data
run from 2018-01 to the end month. One city, 株洲 Zhuzhou (WAVE_CITY), goes through a layoff wave over the last
nine months that should raise a grade-III (yellow) warning: art. 41 filings in several counties (one of 200 or
more in the last three months, more than 1 % of the city's insured in a quarter, never five firms of more than
50 in one county and month), new claims up 30-50 % on a year earlier, recipients up, the posting-to-seeker ratio
under 1.0, and a surveyed-rate rise of 0.6-0.95 pp above its 12-month low. Every other city is quiet over the
last 12 months. Each part lives in its own module (survey, hr_admin, insurance, recruitment, enterprises,
layoffs); this one draws them together with independent random streams and lays out the frames.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from service.demo import calibration as cal
from service.demo._registry import indicator_codes, load_province
from service.demo._series import month_range
from service.demo.enterprises import base_headcounts, headcount_frame, make_enterprises
from service.demo.hr_admin import new_urban_jobs, poverty_alleviated_employed, registered_rates
from service.demo.insurance import insurance, insured_baseline
from service.demo.layoffs import filings_frame, historic_filings, layoff_effects, wave_filings
from service.demo.recruitment import recruitment
from service.demo.survey import surveyed_rates

__all__ = ["LABEL", "OBSERVATION_COLUMNS", "DemoWorld", "generate_world"]

LABEL = "合成演示数据（非真实统计） synthetic demo data, not real statistics"
OBSERVATION_COLUMNS = ["region_code", "indicator", "period", "population_group", "value", "sample_size"]
# One random stream per part, so changing one part leaves the others' numbers as they were.
_STREAMS = ("survey", "registered", "jobs", "poverty", "insured", "insurance", "recruitment", "enterprises",
            "headcounts", "historic", "wave")  # fmt: skip


@dataclass(frozen=True)
class DemoWorld:
    """Everything the demo loads; the frames and their columns are listed in service/demo/__init__.py."""

    label: str
    seed: int
    end_month: pd.Period
    observations: pd.DataFrame
    recruitment: pd.DataFrame
    enterprises: pd.DataFrame
    headcounts: pd.DataFrame
    layoff_filings: pd.DataFrame


def _rngs(seed: int) -> dict[str, np.random.Generator]:
    return {name: np.random.default_rng([seed, i]) for i, name in enumerate(_STREAMS)}


def _long(region_codes, indicator: str, periods: pd.PeriodIndex, values: np.ndarray, group: str = "total", n=None):
    """Observation rows for a (region, period) array."""
    n_regions, n_periods = values.shape
    samples = pd.array(np.asarray(n).ravel() if n is not None else [pd.NA] * values.size, dtype="Int64")
    return pd.DataFrame(
        {
            "region_code": np.repeat(np.asarray(region_codes, dtype=object), n_periods),
            "indicator": indicator,
            "period": np.tile(np.asarray(periods, dtype=object), n_regions),
            "population_group": group,
            "value": values.astype(float).ravel(),
            "sample_size": samples,
        }
    )


def generate_world(*, end_month: pd.Period, seed: int = 2018) -> DemoWorld:
    """The demo world from 2018-01 to ``end_month`` (a monthly period, from MIN_END_MONTH on)."""
    end_month = pd.Period(end_month, freq="M")
    if end_month < cal.MIN_END_MONTH:
        raise ValueError(f"end_month {end_month} is before {cal.MIN_END_MONTH}: the quiet year needs 2020-22 passed")
    rng = _rngs(seed)
    province, cities = load_province("hunan")
    codes = tuple(c.code for c in cities)
    months = month_range(end_month)
    wave_row = codes.index(cal.WAVE_CITY)

    # Enterprises and their layoffs first: the wave's size depends on the wave city's insured.
    book = make_enterprises(cities=cities, rng=rng["enterprises"])
    base = base_headcounts(book=book, months=months, rng=rng["headcounts"])
    baseline = insured_baseline(months=months, city_codes=codes, rng=rng["insured"])
    history = historic_filings(book=book, months=months, base=base, rng=rng["historic"])
    wave = wave_filings(book=book, months=months, base=base, insured=baseline[wave_row, -1], rng=rng["wave"])
    leaving = layoff_effects(history + wave, months, len(book.staff))
    wave_leaving = layoff_effects(wave, months, len(book.staff)).sum(axis=0)
    headcount = np.maximum(np.round(base).astype(np.int64) - np.cumsum(leaving, axis=1), 1)

    city_of = book.frame["city_code"].to_numpy()
    laid_off = np.stack([leaving[city_of == c].sum(axis=0) for c in codes])
    wave_laid_off = np.zeros_like(laid_off)
    wave_laid_off[wave_row] = wave_leaving
    ui = insurance(
        months=months,
        city_codes=codes,
        baseline=baseline,
        laid_off=laid_off,
        wave_laid_off=wave_laid_off,
        rng=rng["insurance"],
    )
    rates = surveyed_rates(months=months, city_codes=codes, rng=rng["survey"])
    quarters, registered = registered_rates(months=months, city_codes=codes, rng=rng["registered"])

    parts = [
        _long(codes, "surveyed_unemployment_rate", months, rates.city, n=rates.city_samples),
        *(
            _long([province], "surveyed_unemployment_rate", months, v[None, :], group=g, n=n[None, :])
            for g, (v, n) in rates.province.items()
        ),
        _long(codes, "registered_unemployment_rate", quarters, registered),
        _long(codes, "new_urban_jobs", months, new_urban_jobs(months=months, city_codes=codes, rng=rng["jobs"])),
        _long(codes, "ui_insured", months, ui.insured),
        _long(codes, "ui_recipients", months, ui.recipients),
        _long(codes, "ui_new_claims", months, ui.new_claims),
        _long(codes, "ui_contribution_stops", months, ui.contribution_stops),
        _long(
            codes,
            "poverty_alleviated_employed",
            months,
            poverty_alleviated_employed(months=months, city_codes=codes, rng=rng["poverty"]),
        ),
    ]
    observations = pd.concat(parts, ignore_index=True)[OBSERVATION_COLUMNS]
    unknown = set(observations["indicator"]) - indicator_codes()
    if unknown:
        raise RuntimeError(f"indicators missing from indicators.yaml: {sorted(unknown)}")

    return DemoWorld(
        label=LABEL,
        seed=seed,
        end_month=end_month,
        observations=observations,
        recruitment=recruitment(months=months, city_codes=codes, rng=rng["recruitment"]),
        enterprises=book.frame,
        headcounts=headcount_frame(book=book, months=months, insured=headcount),
        layoff_filings=filings_frame(history + wave),
    )
