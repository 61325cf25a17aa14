"""The synthetic demo world: realistic made-up labour-market data for Hunan's 14 cities (MISSION.md 3.13).

    from service.demo import generate_world
    world = generate_world(end_month=pd.Period("2026-10", freq="M"), seed=2018)

Pure: numpy, pandas and the registry YAML only; no database, web or settings. Labelled synthetic wherever a person
sees it (``world.label``, every enterprise name, every filing's reason).

Frames of a ``DemoWorld``:

    observations    region_code, indicator, period, population_group, value, sample_size (Int64, survey rows only)
                    cities: surveyed_unemployment_rate (M), registered_unemployment_rate (Q), new_urban_jobs (M,
                    year to date), ui_insured, ui_recipients, ui_new_claims, ui_contribution_stops,
                    poverty_alleviated_employed (M); province 430000: surveyed_unemployment_rate (M) for total,
                    youth_16_24, graduates, migrant_workers, poverty_alleviated
    recruitment     region_code, period (M), occupation (a code of OCCUPATIONS), job_postings, job_seekers
    enterprises     credit_code, name_zh, region_code (county), city_code, industry (GB/T 4754 section), industry_zh
    headcounts      credit_code, period (M), insured
    layoff_filings  credit_code, region_code (county), filed_on, planned_on (datetime.date), staff_before, layoffs,
                    reason_zh
"""

from service.demo.calibration import MIN_END_MONTH, OCCUPATIONS, WAVE_CITY
from service.demo.survey import labour_force_weights
from service.demo.world import LABEL, DemoWorld, generate_world

__all__ = [
    "LABEL",
    "MIN_END_MONTH",
    "OCCUPATIONS",
    "WAVE_CITY",
    "DemoWorld",
    "generate_world",
    "labour_force_weights",
]
