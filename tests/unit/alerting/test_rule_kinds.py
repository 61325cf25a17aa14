"""Each rule kind on small frames, through evaluate(): which grade, with what evidence and words."""

import datetime as dt

import pandas as pd
import pytest
from testkit.alerting import default_rules, frame, rules_with, tree

from service.alerting import Inputs, evaluate

ZZ = "430200"
RATE = "surveyed_unemployment_rate"


def grades(rules, obs, *, as_of=None, regions=None, **kw):
    result = evaluate(rules, Inputs(observations=obs, **kw), regions=regions or tree(), as_of=as_of)
    return {(s.region_code, s.rule_id): s.grade for s in result.signals}, result


@pytest.mark.parametrize(
    "values,grade",
    [
        ([5.0] * 6, None),
        ([5.0, 5.0, 5.5, 5.5, 5.5, 5.5], 4),  # 3-month average reaches 5.5 in the last two months
        ([5.0, 5.0, 5.0, 5.0, 5.5, 6.5], None),  # only one month of 3-month average >= 5.5: `for: 2` not met
        ([6.0, 6.0, 6.1, 6.1, 6.2, 6.2], 3),
        ([7.0, 7.5, 7.6, 7.1, 7.2, 9.9], 2),  # last two averages 7.30 and 8.07: II held for both months
        ([5.6, 5.6, 5.6, float("nan"), 5.6, 5.6], None),  # a missing month breaks the average; never guessed
    ],
)
def test_level_threshold(values, grade):
    rules = default_rules().model_copy(update={"rules": [default_rules().rule("surveyed-rate-level")]})
    got, result = grades(rules, frame(values))
    assert got.get((ZZ, "surveyed-rate-level")) == grade
    if grade:
        s = result.signals[0]
        assert s.period == dt.date(2025, 6, 1) and s.evidence["threshold"] == rules.rules[0].grades[grade]
        assert s.explanation_zh.startswith("株洲市") and "级" in s.explanation_zh
        assert s.explanation_en.startswith("Zhuzhou:"), s.explanation_en  # English words use the English name


def test_rise_is_measured_against_the_previous_twelve_months():
    rules = default_rules().model_copy(update={"rules": [default_rules().rule("surveyed-rate-rise")]})
    base = [5.0] * 14
    got, _ = grades(rules, frame([*base, 5.4, 5.6, 5.8]))  # averages 5.13, 5.33, 5.6: rise 0.6
    assert got == {(ZZ, "surveyed-rate-rise"): 3}
    got, result = grades(rules, frame([*base, 5.9, 6.3, 6.8]))  # average 6.33: rise 1.33
    assert got == {(ZZ, "surveyed-rate-rise"): 2}
    ev = result.signals[0].evidence
    assert ev["shown"]["low"]["2026-05"] == 5.0 and ev["value"] == pytest.approx(1.3333, abs=1e-3)


def test_claims_year_on_year():
    rules = default_rules().model_copy(update={"rules": [default_rules().rule("ui-claims-yoy")]})
    last_year = [1000.0] * 12
    got, result = grades(
        rules, frame([*last_year[:10], 1000, 1000, *[1000] * 10, 1350, 1360], indicator="ui_new_claims")
    )
    assert got == {(ZZ, "ui-claims-yoy"): 3}
    assert "1360" in result.signals[0].explanation_zh and "36%" in result.signals[0].explanation_zh
    got, _ = grades(rules, frame([*last_year, *[1000] * 10, 1600, 1350], indicator="ui_new_claims"))
    assert got == {(ZZ, "ui-claims-yoy"): 3}  # II needs +50 % for two months; the second month is +35 %


def test_ratio_below_one_for_two_months():
    rules = default_rules().model_copy(update={"rules": [default_rules().rule("posting-seeker-ratio")]})
    postings = frame([100, 100, 95, 90], indicator="job_postings", occupation="total")
    seekers = frame([90, 90, 100, 100], indicator="job_seekers", occupation="total")
    other = frame([10, 10, 10, 10], indicator="job_postings", occupation="manufacturing")
    got, _ = grades(rules, pd.concat([postings, seekers, other]))
    assert got == {(ZZ, "posting-seeker-ratio"): 4}


def test_forecast_exceedance_from_the_stored_bounds():
    rules = default_rules().model_copy(update={"rules": [default_rules().rule("surveyed-rate-forecast")]})
    obs = frame([5.3, 5.4, 5.5])
    origin = dt.date(2025, 3, 1)

    def fc(mean):
        return pd.DataFrame(
            [{"region_code": ZZ, "indicator_code": RATE, "origin": origin, "horizon": h, "mean": mean,
              "lo80": mean - 0.3, "hi80": mean + 0.3, "lo95": mean - 0.46, "hi95": mean + 0.46} for h in (1, 2, 3, 4)]
        )  # fmt: skip

    assert grades(rules, obs, forecasts=fc(5.7))[0] == {(ZZ, "surveyed-rate-forecast"): 4}  # P = 0.8
    assert grades(rules, obs, forecasts=fc(5.4))[0] == {}  # P = 0.37
    _, result = grades(rules, obs, forecasts=fc(5.6))  # P = 0.66
    assert result.signals[0].evidence["value"] == pytest.approx(0.657, abs=0.01)


FILING = {"staff_before": 1000, "credit_code": "x"}


def filings(*rows):
    return pd.DataFrame([{**FILING, **r} for r in rows])


def test_layoff_measures_aggregate_counties_to_their_city():
    rules = default_rules().model_copy(update={"rules": [r for r in default_rules().rules if r.kind == "layoffs"]})
    insured = frame([50_000] * 4, indicator="ui_insured")
    f = filings(
        {"region_code": "430211", "filed_on": dt.date(2025, 2, 3), "layoffs": 250, "credit_code": "a"},
        {"region_code": "430212", "filed_on": dt.date(2025, 4, 9), "layoffs": 300, "credit_code": "b"},
        {"region_code": "430100", "filed_on": dt.date(2024, 1, 9), "layoffs": 30, "credit_code": "c"},  # too old
    )
    got, result = grades(rules, insured, filings=f)
    assert got == {(ZZ, "layoff-filings"): 4, (ZZ, "layoff-largest"): 3, (ZZ, "layoff-share-of-insured"): 3}
    share = next(s for s in result.signals if s.rule_id == "layoff-share-of-insured")
    assert share.evidence["value"] == pytest.approx(1.1) and "550" in share.explanation_zh


def test_county_cluster_counts_enterprises_of_one_county_in_one_month():
    rules = default_rules().model_copy(update={"rules": [default_rules().rule("layoff-county-cluster")]})
    big = [{"region_code": "430211", "filed_on": dt.date(2025, 4, d), "layoffs": 60, "credit_code": f"e{d}"}
           for d in range(1, 6)]  # fmt: skip
    got, _ = grades(rules, frame([1, 1, 1, 1], indicator="ui_insured"), filings=filings(*big))
    assert got == {(ZZ, "layoff-county-cluster"): 2}
    split = [dict(r, region_code="430212") if i % 2 else r for i, r in enumerate(big)]  # two counties: 3 + 2
    assert grades(rules, frame([1] * 4, indicator="ui_insured"), filings=filings(*split))[0] == {}
    small_share = [dict(r, layoffs=40, staff_before=100) for r in big]  # 40 % of staff counts too
    assert grades(rules, frame([1] * 4, indicator="ui_insured"), filings=filings(*small_share))[0] != {}


def test_a_filing_known_by_now_counts_in_the_evaluation_month():
    rules = default_rules().model_copy(update={"rules": [default_rules().rule("layoff-filings")]})
    f = filings({"region_code": "430211", "filed_on": dt.date(2025, 5, 6), "layoffs": 30})
    obs = frame([1, 1, 1, 1], indicator="ui_insured")
    month = pd.Period("2025-04", "M")
    early = evaluate(rules, Inputs(observations=obs, filings=f), regions=tree(), as_of=month, now=dt.date(2025, 5, 5))
    late = evaluate(rules, Inputs(observations=obs, filings=f), regions=tree(), as_of=month, now=dt.date(2025, 5, 7))
    assert (len(early.signals), len(late.signals)) == (0, 1)


def test_stale_data_is_its_own_alert_never_normal():
    rules = default_rules().model_copy(update={"rules": [default_rules().rule("survey-data-late")]})
    obs = pd.concat([frame([5.0] * 6), frame([5.0] * 2, region="430100")])
    got, result = grades(rules, obs, as_of=pd.Period("2025-06", "M"))
    assert got == {("430100", "survey-data-late"): 4, ("430000", "survey-data-late"): 4}
    s = next(s for s in result.signals if s.region_code == "430100")
    assert s.risk == "data" and "落后 4 个月" in s.explanation_zh
    assert "has none" in next(s for s in result.signals if s.region_code == "430000").explanation_en
    # Everyone quiet is not one region's gap (the source's silence pages operations instead).
    assert grades(rules, obs, as_of=pd.Period("2026-06", "M"))[0] == {("430100", "survey-data-late"): 4,
                                                                      ("430000", "survey-data-late"): 4}  # fmt: skip
    only_one = grades(rules, frame([5.0] * 2), as_of=pd.Period("2026-06", "M"))[0]
    assert only_one == {("430100", "survey-data-late"): 4, ("430000", "survey-data-late"): 4}


COMPOSITE = [
    "  - {id: hi, risk: unemployment, kind: threshold, alert: false, name_zh: 高, name_en: High, "
    "indicator: surveyed_unemployment_rate, grades: {4: 5.5}, source: s}",
    "  - {id: up, risk: unemployment, kind: change, alert: false, name_zh: 升, name_en: Up, periods: 3, "
    "indicator: surveyed_unemployment_rate, grades: {4: 0.3}, source: s}",
    "  - {id: both, risk: unemployment, kind: composite, members: [hi, up], name_zh: 两项, name_en: Both, "
    "grades: {3: 2}, source: s}",
]


def test_composite_n_of_m():
    rules = rules_with(*COMPOSITE)
    assert grades(rules, frame([5.0, 5.2, 5.4, 5.6]))[0] == {(ZZ, "both"): 3}
    assert grades(rules, frame([5.6, 5.6, 5.6, 5.6]))[0] == {}  # high but not rising
    _, result = grades(rules, frame([5.0, 5.2, 5.4, 5.6]))
    assert "高、升" in result.signals[0].explanation_zh and result.signals[0].evidence["members"] == {
        "hi": True,
        "up": True,
    }


def test_breadth_and_only_when():
    rules = rules_with(
        "  - {id: up, risk: unemployment, kind: change, alert: false, name_zh: 升, name_en: Up, periods: 1, "
        "indicator: surveyed_unemployment_rate, grades: {4: 0.2}, source: s}",
        "  - {id: wide, risk: unemployment, kind: breadth, member: up, alert: false, name_zh: 广, name_en: Wide, "
        "grades: {4: 60}, source: s}",
        "  - {id: early, risk: unemployment, kind: change, periods: 1, name_zh: 早, name_en: Early, only_when: [wide], "
        "indicator: surveyed_unemployment_rate, grades: {3: 0.2}, source: s}",
    )
    alone = pd.concat([frame([5.0, 5.3]), frame([5.0, 5.0], region="430100")])
    assert grades(rules, alone)[0] == {}  # 1 city of 2 rising: 50 %, short of 60 %
    together = pd.concat([frame([5.0, 5.3]), frame([5.0, 5.3], region="430100")])
    assert grades(rules, together)[0] == {(ZZ, "early"): 3, ("430100", "early"): 3}


def test_overrides_apply_to_a_region_and_below():
    rules = rules_with(
        "  - {id: lvl, risk: unemployment, kind: threshold, name_zh: 率, name_en: Rate, region_level: [city, county], "
        "indicator: surveyed_unemployment_rate, grades: {4: 5.5}, source: s, "
        "overrides: {'430200': {grades: {4: 6.0}, reason: 'runs high'}, '430212': {enabled: false, reason: 'pilot'}}}"
    )
    obs = pd.concat([frame([5.8], region=r) for r in ("430200", "430100", "430211", "430212")])
    assert grades(rules, obs)[0] == {("430100", "lvl"): 4}
