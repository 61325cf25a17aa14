"""The synthetic demo world: determinism, frame schemas, calibration to the plans, the Zhuzhou layoff wave and
the quiet of every other city. Indicators are recomputed here with pandas, independently of the generator."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from ingestion.credit_code import validate_credit_code
from service.demo import LABEL, MIN_END_MONTH, OCCUPATIONS, WAVE_CITY, generate_world, labour_force_weights

ROOT = Path(__file__).resolve().parents[2]
PROVINCE = "430000"
ZHUZHOU = "430200"
REGIONS = yaml.safe_load((ROOT / "service/registry/regions/hunan.yaml").read_text(encoding="utf-8"))
CITIES = [c["code"] for c in REGIONS["cities"]]
COUNTIES = {c["code"]: {k["code"] for k in c["counties"]} for c in REGIONS["cities"]}
INDICATORS = {
    i["code"]
    for i in yaml.safe_load((ROOT / "service/registry/indicators.yaml").read_text(encoding="utf-8"))["indicators"]
}
END_MONTHS = ["2026-10", "2025-06"]


def _month(text: str) -> pd.Period:
    return pd.Period(text, freq="M")


_CACHE: dict[tuple[str, int], object] = {}


def world_for(end: str, seed: int = 2018):
    if (end, seed) not in _CACHE:
        _CACHE[(end, seed)] = generate_world(end_month=_month(end), seed=seed)
    return _CACHE[(end, seed)]


@pytest.fixture(scope="module")
def world():
    return world_for("2026-10")


# --- reading the frames back ---------------------------------------------------------------------------------


def series(w, indicator: str, region: str, group: str = "total") -> pd.Series:
    o = w.observations
    rows = o[(o.indicator == indicator) & (o.region_code == region) & (o.population_group == group)]
    return pd.Series(rows["value"].to_numpy(), index=pd.PeriodIndex(list(rows["period"])))


def wide(w, indicator: str) -> pd.DataFrame:
    """(month, city) for a city indicator."""
    return pd.DataFrame({c: series(w, indicator, c) for c in CITIES})


def posting_ratio(w) -> pd.DataFrame:
    r = w.recruitment.groupby(["period", "region_code"])[["job_postings", "job_seekers"]].sum()
    return (r["job_postings"] / r["job_seekers"]).unstack()[CITIES]


def ma3(df):
    return df.rolling(3).mean()


def sahm_rises(df) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rise of the 3-month mean above its 12-month low: low over t-12..t-1, and over t-11..t."""
    m = ma3(df)
    return m - m.shift(1).rolling(12).min(), m - m.rolling(12).min()


def filings_with_months(w) -> pd.DataFrame:
    f = w.layoff_filings.copy()
    f["filed_month"] = pd.PeriodIndex([pd.Period(d, "M") for d in f["filed_on"]])
    f["planned_month"] = pd.PeriodIndex([pd.Period(d, "M") for d in f["planned_on"]])
    f["city"] = f["region_code"].str[:4] + "00"
    return f


# --- determinism and schemas -----------------------------------------------------------------------------------

FRAMES = ["observations", "recruitment", "enterprises", "headcounts", "layoff_filings"]


def test_same_seed_and_end_month_give_identical_frames(world):
    again = generate_world(end_month=_month("2026-10"), seed=2018)
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(world, name), getattr(again, name), check_exact=True)


def test_another_seed_gives_another_world(world):
    other = world_for("2026-10", seed=7)
    for name in ["observations", "recruitment", "enterprises", "headcounts"]:
        assert not getattr(world, name).equals(getattr(other, name)), name


def test_label_seed_and_end_month(world):
    assert world.label == LABEL == "合成演示数据（非真实统计） synthetic demo data, not real statistics"
    assert (world.seed, world.end_month) == (2018, _month("2026-10"))
    with pytest.raises(AttributeError):
        world.seed = 1


def test_end_month_before_the_supported_range_is_refused():
    with pytest.raises(ValueError, match="end_month"):
        generate_world(end_month=MIN_END_MONTH - 1)


def test_frame_columns_and_dtypes(world):
    o = world.observations
    assert list(o.columns) == ["region_code", "indicator", "period", "population_group", "value", "sample_size"]
    assert o["value"].dtype == np.float64 and str(o["sample_size"].dtype) == "Int64"
    assert all(isinstance(v, str) for v in o["region_code"]) and set(o["indicator"]) <= INDICATORS
    assert list(world.recruitment.columns) == ["region_code", "period", "occupation", "job_postings", "job_seekers"]
    assert world.recruitment["period"].dtype == pd.PeriodDtype("M")
    assert world.recruitment[["job_postings", "job_seekers"]].dtypes.eq(np.int64).all()
    assert list(world.enterprises.columns) == [
        "credit_code", "name_zh", "region_code", "city_code", "industry", "industry_zh",
    ]  # fmt: skip
    h = world.headcounts
    assert list(h.columns) == ["credit_code", "period", "insured"]
    assert h["period"].dtype == pd.PeriodDtype("M") and h["insured"].dtype == np.int64
    f = world.layoff_filings
    assert list(f.columns) == [
        "credit_code", "region_code", "filed_on", "planned_on", "staff_before", "layoffs", "reason_zh",
    ]  # fmt: skip
    assert all(type(d) is dt.date for d in [*f["filed_on"], *f["planned_on"]])
    assert f[["staff_before", "layoffs"]].dtypes.eq(np.int64).all()


def test_observations_cover_every_city_indicator_and_month(world):
    o = world.observations
    months = pd.period_range("2018-01", "2026-10", freq="M")
    monthly = ["surveyed_unemployment_rate", "new_urban_jobs", "ui_insured", "ui_recipients", "ui_new_claims",
               "ui_contribution_stops", "poverty_alleviated_employed"]  # fmt: skip
    for indicator in monthly:
        for city in CITIES:
            s = series(world, indicator, city)
            assert list(s.index) == list(months), (indicator, city)
    quarterly = series(world, "registered_unemployment_rate", ZHUZHOU)
    assert list(quarterly.index) == list(pd.period_range("2018Q1", "2026Q3", freq="Q"))
    province = o[o.region_code == PROVINCE]
    assert set(province["indicator"]) == {"surveyed_unemployment_rate"}
    assert set(province["population_group"]) == {"total", "youth_16_24", "graduates", "migrant_workers",
                                                 "poverty_alleviated"}  # fmt: skip
    assert set(o[o.region_code != PROVINCE]["population_group"]) == {"total"}
    assert set(o["region_code"]) == {PROVINCE, *CITIES}
    assert not o.duplicated(["region_code", "indicator", "period", "population_group"]).any()
    assert o["value"].notna().all() and (o["value"] >= 0).all()


def test_sample_size_only_on_survey_rows(world):
    o = world.observations
    survey = o["indicator"] == "surveyed_unemployment_rate"
    assert o.loc[survey, "sample_size"].notna().all() and (o.loc[survey, "sample_size"] > 0).all()
    assert o.loc[~survey, "sample_size"].isna().all()


# --- calibration ---------------------------------------------------------------------------------------------


def test_province_rate_by_year(world):
    total = series(world, "surveyed_unemployment_rate", PROVINCE)
    by_year = total.groupby(total.index.year).mean()
    assert 5.4 <= by_year[2020] <= 6.2
    for year in range(2023, 2027):
        assert 5.0 <= by_year[year] <= 5.7, year
    assert by_year[2026] < by_year[2023] < by_year[2021]
    shock = total["2020-02":"2020-04"].mean() - total["2019-02":"2019-04"].mean()
    assert 0.8 <= shock <= 1.6


def test_province_total_is_the_labour_force_weighted_mean_of_cities(world):
    total = series(world, "surveyed_unemployment_rate", PROVINCE)
    weighted = wide(world, "surveyed_unemployment_rate") @ labour_force_weights(tuple(CITIES))
    assert (total - weighted).abs().max() <= 0.35
    assert (total - weighted).groupby(total.index.year).mean().abs().max() <= 0.1


def _seasonal_effect(s: pd.Series, months: list[int]) -> float:
    """Mean over years of (those months' mean - the year's mean), full years only."""
    full = s[: pd.Period(f"{s.index[-1].year - 1}-12", "M")]
    deviation = full - full.groupby(full.index.year).transform("mean")
    return float(deviation[np.isin(full.index.month, months)].mean())


def test_seasonal_peaks_after_spring_festival_and_at_graduation(world):
    total = series(world, "surveyed_unemployment_rate", PROVINCE)
    assert _seasonal_effect(total, [2, 3]) > 0.05
    assert _seasonal_effect(total, [7, 8]) > 0.02
    cities = wide(world, "surveyed_unemployment_rate").mean(axis=1)
    assert _seasonal_effect(cities, [2, 3]) > 0.05
    for group in ["youth_16_24", "graduates"]:
        s = series(world, "surveyed_unemployment_rate", PROVINCE, group)
        assert _seasonal_effect(s, [7, 8]) > 5 * _seasonal_effect(total, [7, 8]), group


def test_key_group_levels(world):
    youth = series(world, "surveyed_unemployment_rate", PROVINCE, "youth_16_24")
    assert youth.max() <= 20.5 and youth.groupby(youth.index.year).mean().between(13, 18).all()
    graduates = series(world, "surveyed_unemployment_rate", PROVINCE, "graduates")
    assert graduates.groupby(graduates.index.year).mean().between(10, 16).all()
    for group in ["migrant_workers", "poverty_alleviated"]:
        s = series(world, "surveyed_unemployment_rate", PROVINCE, group)
        assert s.groupby(s.index.year).mean().between(4.5, 7.0).all(), group


def test_city_levels_differ_and_noise_is_small_sample_sized(world):
    rates = wide(world, "surveyed_unemployment_rate")["2018":"2024"].mean()
    assert rates.idxmin() == "430100"  # Changsha lowest
    assert rates.max() - rates.min() >= 0.25
    o = world.observations
    city = o[(o.indicator == "surveyed_unemployment_rate") & (o.region_code != PROVINCE)]
    p = city["value"].to_numpy() / 100
    se = pd.Series(100 * np.sqrt(p * (1 - p) * 1.5 / city["sample_size"].to_numpy(dtype=float)))
    recent = se[[pd.Period(x, "M").year >= 2023 for x in city["period"]]]
    assert recent.min() >= 0.13 and recent.max() <= 0.32  # 0.15-0.3 pp at the usual level
    assert 0.15 <= se.median() <= 0.3 and se.max() <= 0.38  # a little more at the 2020 peak


def test_registered_rate_stays_under_the_target(world):
    reg = wide_quarterly = pd.DataFrame({c: series(world, "registered_unemployment_rate", c) for c in CITIES})
    assert wide_quarterly.min().min() >= 2.8 and wide_quarterly.max().max() < 4.5
    by_year = reg.mean(axis=1).groupby(reg.index.year).mean()
    assert by_year.between(3.0, 4.2).all()


def test_ui_insured_follow_the_plan(world):
    total = wide(world, "ui_insured").sum(axis=1)
    assert total[_month("2020-12")] == pytest.approx(6_410_000, rel=0.02)
    assert total[_month("2025-12")] == pytest.approx(7_450_000, rel=0.02)
    assert total[_month("2021-12")] == pytest.approx(6_700_000, rel=0.02)
    assert total[_month("2026-10")] > total[_month("2025-12")]
    shares = wide(world, "ui_insured").iloc[-1]
    assert shares.idxmax() == "430100"


def test_claims_recipients_and_stops_relative_to_insured(world):
    insured = wide(world, "ui_insured").sum(axis=1)
    year = insured.index.year
    claims = (wide(world, "ui_new_claims").sum(axis=1) / insured).groupby(year).mean()
    recipients = (wide(world, "ui_recipients").sum(axis=1) / insured).groupby(year).mean()
    stops = (wide(world, "ui_contribution_stops").sum(axis=1) / insured).groupby(year).mean()
    assert claims.drop(2020).between(0.0025, 0.0035).all() and claims[2020] > claims[2019] * 1.2
    assert recipients.drop([2020, 2021]).between(0.015, 0.025).all() and recipients[2020] > recipients[2019] * 1.2
    assert stops.between(0.008, 0.015).all()


def test_new_urban_jobs_are_year_to_date_and_about_700k(world):
    jobs = wide(world, "new_urban_jobs")
    december = jobs[jobs.index.month == 12].sum(axis=1)
    assert december.between(620_000, 780_000).all() and len(december) == 8
    assert december["2021":"2025"].sum() >= 3_250_000  # the plan's five-year target
    for year, block in jobs.groupby(jobs.index.year):
        assert (block.diff().dropna() >= 0).all().all(), year  # cumulative within the year
    january = jobs[jobs.index.month == 1].sum(axis=1)
    assert (january < december.mean() * 0.15).all()  # reset each January
    assert jobs.iloc[-1].idxmax() == "430100"


def test_poverty_alleviated_labour_in_work(world):
    total = wide(world, "poverty_alleviated_employed").sum(axis=1)
    assert total["2022":].groupby(total["2022":].index.year).mean().between(2_400_000, 2_500_000).all()


def test_recruitment_ratio_and_occupations(world):
    assert set(world.recruitment["occupation"]) == set(OCCUPATIONS) and len(OCCUPATIONS) == 6
    assert all(isinstance(zh, str) and zh for zh, *_ in OCCUPATIONS.values())
    ratio = posting_ratio(world).drop(columns=ZHUZHOU)
    typical = ratio.stack()
    assert typical.quantile(0.1) >= 1.1 and typical.quantile(0.9) <= 1.6
    by_month = ratio.mean(axis=1).groupby(ratio.index.month).mean()
    assert by_month[[2, 3]].mean() > by_month.mean() + 0.05  # high after Spring Festival


# --- enterprises, headcounts, filings --------------------------------------------------------------------------


def test_enterprises_have_valid_codes_in_their_own_county(world):
    e = world.enterprises
    assert 1900 <= len(e) <= 2100
    assert e["credit_code"].is_unique and e["name_zh"].is_unique
    assert [validate_credit_code(c) for c in e["credit_code"]] == [None] * len(e)
    assert (e["credit_code"].str[2:8] == e["region_code"]).all()
    assert all(r in COUNTIES[c] for r, c in zip(e["region_code"], e["city_code"], strict=True))
    assert e["name_zh"].str.contains("合成").all()
    assert e["industry"].str.fullmatch("[A-T]").all()
    assert e.groupby("industry")["industry_zh"].nunique().eq(1).all()
    per_city = e["city_code"].value_counts()
    assert set(per_city.index) == set(CITIES) and per_city.idxmax() == "430100"
    weights = pd.Series(labour_force_weights(tuple(CITIES)), index=CITIES)
    assert (per_city / len(e) - weights).abs().max() < 0.005  # proportional to city size


def test_headcounts_churn_like_real_payrolls(world):
    h = world.headcounts.pivot(index="period", columns="credit_code", values="insured")
    assert h.shape == (106, len(world.enterprises)) and (h > 0).all().all()
    change = (h.diff().abs() / h.shift(1)).stack()
    assert 0.002 <= change.median() <= 0.03


def test_layoffs_show_in_headcounts_and_staff_before_matches(world):
    h = world.headcounts.pivot(index="period", columns="credit_code", values="insured")
    drops, layoffs = [], []
    for row in filings_with_months(world).itertuples():
        assert h.at[row.filed_month, row.credit_code] == row.staff_before
        if row.planned_month <= world.end_month:
            drop = h.at[row.planned_month - 1, row.credit_code] - h.at[row.planned_month, row.credit_code]
            # Churn and the 2020 recovery move a payroll a few per cent in a month besides the layoff.
            assert drop >= row.layoffs - 0.08 * row.staff_before, row
            drops.append(drop)
            layoffs.append(row.layoffs)
    assert sum(drops) >= 0.8 * sum(layoffs) and len(drops) >= 40


@pytest.mark.parametrize("end", END_MONTHS)
def test_every_filing_complies_with_art_41(end):
    w = world_for(end)
    f = w.layoff_filings
    assert len(f) >= 20
    big_enough = (f["layoffs"] >= 20) | (f["layoffs"] >= 0.1 * f["staff_before"])
    assert big_enough.all()
    assert (f["layoffs"] < f["staff_before"]).all()
    assert all(p >= d + dt.timedelta(days=30) for d, p in zip(f["filed_on"], f["planned_on"], strict=True))
    assert f["filed_on"].max() <= (w.end_month.end_time.date())
    region_of = w.enterprises.set_index("credit_code")["region_code"]
    assert (f["region_code"].to_numpy() == region_of[f["credit_code"]].to_numpy()).all()
    assert f["reason_zh"].str.contains("合成").all()
    assert ((f["layoffs"] < 20) & (f["layoffs"] >= 0.1 * f["staff_before"])).any()  # both branches of art. 41


# --- the Zhuzhou layoff wave and the quiet of the others -------------------------------------------------------

SEEDS = [(end, 2018) for end in END_MONTHS] + [("2026-10", 7), ("2025-04", 11), ("2027-03", 3)]


@pytest.mark.parametrize(("end", "seed"), SEEDS)
def test_zhuzhou_surveyed_rate_rises_to_grade_iii(end, seed):
    rates = wide(world_for(end, seed), "surveyed_unemployment_rate")[ZHUZHOU]
    m = ma3(rates)
    previous, including = sahm_rises(rates)
    assert WAVE_CITY == ZHUZHOU
    assert 5.7 <= m.iloc[-1] <= 6.6
    assert (m.iloc[-3:] >= 5.5).all()
    assert 0.6 <= previous.iloc[-1] <= 0.95 and 0.6 <= including.iloc[-1] <= 0.95
    assert (rates.iloc[-12:] < 7.0).all()


@pytest.mark.parametrize(("end", "seed"), SEEDS)
def test_zhuzhou_claims_recipients_and_recruitment(end, seed):
    w = world_for(end, seed)
    claims = wide(w, "ui_new_claims")[ZHUZHOU]
    yoy = claims / claims.shift(12) - 1
    assert (yoy.iloc[-2:] >= 0.30).all() and (yoy.iloc[-9:] < 0.5).all()  # grade III, not II's +50 %
    recipients = wide(w, "ui_recipients")[ZHUZHOU]
    assert recipients.iloc[-1] >= 1.1 * recipients.iloc[-10] and recipients.iloc[-1] >= 1.1 * recipients.iloc[-13]
    ratio = posting_ratio(w)[ZHUZHOU]
    assert (ratio.iloc[-3:] < 1.0).all() and ratio.iloc[-1] < ratio.iloc[-10] - 0.2


@pytest.mark.parametrize(("end", "seed"), SEEDS)
def test_zhuzhou_layoff_filings(end, seed):
    w = world_for(end, seed)
    end_month = w.end_month
    f = filings_with_months(w)
    recent = f[f["filed_month"] > end_month - 9]
    assert set(recent["city"]) == {ZHUZHOU}
    assert len(recent) >= 5 and recent["region_code"].nunique() >= 2
    assert (recent[recent["filed_month"] > end_month - 3]["layoffs"] >= 200).any()
    over_50 = f[f["layoffs"] > 50].groupby(["region_code", "filed_month"]).size()
    assert over_50.max() < 5  # never grade II's five enterprises in one county and month
    insured = wide(w, "ui_insured")[ZHUZHOU]
    zz = f[f["city"] == ZHUZHOU]
    # The last complete calendar quarter: the end month's own when it closes a quarter, else the one before.
    last_quarter = pd.Period(end_month.end_time, "Q") - (0 if end_month.month % 3 == 0 else 1)
    windows = [(end_month - 2 - lag, end_month - lag) for lag in range(3)]
    windows.append((last_quarter.asfreq("M", "start"), last_quarter.asfreq("M", "end")))
    for first, last in windows:
        filed = zz[(zz["filed_month"] >= first) & (zz["filed_month"] <= last)]["layoffs"].sum()
        assert filed >= 0.01 * insured[last], (first, last)


@pytest.mark.parametrize(("end", "seed"), SEEDS)
def test_every_other_city_is_quiet_for_the_last_12_months(end, seed):
    w = world_for(end, seed)
    others = [c for c in CITIES if c != ZHUZHOU]
    rates = wide(w, "surveyed_unemployment_rate")[others]
    previous, including = sahm_rises(rates)
    assert (ma3(rates).iloc[-12:] < 5.4).all().all()
    assert (previous.iloc[-12:] < 0.35).all().all() and (including.iloc[-12:] < 0.35).all().all()
    claims = wide(w, "ui_new_claims")[others]
    assert ((claims / claims.shift(12) - 1).iloc[-12:] < 0.15).all().all()
    assert (posting_ratio(w)[others].iloc[-12:] > 1.05).all().all()
    f = filings_with_months(w)
    late = f[(f["city"] != ZHUZHOU) & ((f["filed_month"] > w.end_month - 12) | (f["planned_month"] > w.end_month - 12))]
    assert late.empty
    assert (f["city"] != ZHUZHOU).sum() >= 10  # older scattered filings keep the history from being empty


class _NoNoise:
    """A stand-in generator whose every normal draw is 0: the surveyed rates without sampling noise."""

    def standard_normal(self, size):
        return np.zeros(size)


def test_noise_free_rates_meet_the_promises_for_every_supported_end_month():
    # The quiet cities fall back to noise-free rates and the wave city to a noise-free base, so the promises
    # hold for any seed exactly when they hold here.
    from service.demo.survey import surveyed_rates

    for end in pd.period_range(MIN_END_MONTH, "2030-12", freq="M"):
        months = pd.period_range("2018-01", end, freq="M")
        rates = surveyed_rates(months=months, city_codes=tuple(CITIES), rng=_NoNoise())
        assert rates.wave_height > 0, end
