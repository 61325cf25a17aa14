"""The month-by-month replay: causal, works on unadjusted series, writes the timeline the CLI promises."""

import numpy as np
import pandas as pd
import pytest
from testkit.alerting import default_rules, rules_with

from service.alerting.backtest import backtest_frame, restrict, timeline_csv

RNG = np.random.default_rng(5)


def tidy(values: dict[str, np.ndarray], start="2000-01", indicator="rate"):
    rows = []
    for code, series in values.items():
        for i, v in enumerate(series):
            rows.append((f"name {code}", code, str(pd.Period(start, "M") + i), indicator, v))
    return pd.DataFrame(rows, columns=["region", "region_code", "period", "indicator", "value"])


def walk(n=120, bump_at=None):
    x = 5.0 + np.cumsum(RNG.normal(0, 0.08, n))
    if bump_at is not None:
        x[bump_at:] += np.linspace(0, 2.0, n - bump_at)
    return np.round(x, 1)


def test_the_timeline_at_a_month_does_not_depend_on_later_figures():
    data = {"a": walk(bump_at=80), "b": walk(), "c": walk(bump_at=60)}
    rules = default_rules()
    full = backtest_frame(tidy(data), indicator="rate", ruleset=rules, start=pd.Period("2002-01", "M")).timeline
    cut = "2006-06"
    changed = {k: np.r_[v[:78], v[78:] + 3.0] for k, v in data.items()}  # rewrite everything after 2006-06
    other = backtest_frame(tidy(changed), indicator="rate", ruleset=rules, start=pd.Period("2002-01", "M")).timeline
    before = full[full["period"] <= cut].reset_index(drop=True)
    assert not before.empty
    pd.testing.assert_frame_equal(before, other[other["period"] <= cut].reset_index(drop=True))
    assert not full.equals(other)


def test_rules_the_file_cannot_feed_are_skipped():
    kept, skipped = restrict(default_rules(), indicators={"surveyed_unemployment_rate"}, filings=False)
    assert {r.id for r in kept.rules} == {"surveyed-rate-level", "surveyed-rate-rise", "surveyed-rate-forecast",
                                         "survey-data-late"}  # fmt: skip
    assert "layoff-largest" in skipped and "ui-claims-yoy" in skipped


SEASONAL_RISE = (
    "  - {id: rise, risk: unemployment, kind: rise, name_zh: 升, name_en: Rise, indicator: surveyed_unemployment_rate,"
    " transform: mean3, seasonal: SEASONAL, grades: {3: 0.5}, source: s}"
)


@pytest.mark.parametrize("seasonal,fires", [("none", True), ("auto", False), ("adjust", False)])
def test_unadjusted_series_need_no_flag_with_seasonal_auto(seasonal, fires):
    months = np.arange(120)
    nsa = 5.0 + 0.9 * np.sin(2 * np.pi * months / 12) + RNG.normal(0, 0.03, 120)  # a 1.8 pp swing a year
    rules = rules_with(SEASONAL_RISE.replace("SEASONAL", seasonal))
    bt = backtest_frame(tidy({"a": nsa}), indicator="rate", ruleset=rules, start=pd.Period("2006-01", "M"))
    assert (not bt.timeline.empty) is fires


def test_seasonal_auto_leaves_adjusted_series_alone():
    data = {"a": walk(bump_at=80), "b": walk()}
    runs = [
        backtest_frame(
            tidy(data),
            indicator="rate",
            ruleset=rules_with(SEASONAL_RISE.replace("SEASONAL", s)),
            start=pd.Period("2004-01", "M"),
        ).timeline
        for s in ("none", "auto")
    ]
    pd.testing.assert_frame_equal(*runs)


def test_forecast_rules_get_forecasts_made_at_each_month():
    rules = rules_with(
        "  - {id: fc, risk: unemployment, kind: forecast_probability, name_zh: 预测, name_en: Forecast, "
        "indicator: surveyed_unemployment_rate, level: 6.0, horizon: 3, grades: {4: 0.6}, source: s}"
    )
    x = np.r_[np.full(60, 5.0) + RNG.normal(0, 0.02, 60), 5.0 + 0.1 * np.arange(1, 31)]  # +0.1 pp a month
    bt = backtest_frame(tidy({"a": x}), indicator="rate", ruleset=rules, start=pd.Period("2004-01", "M"))
    first = pd.Period(bt.timeline["period"].min(), "M")
    crossed = pd.Period("2000-01", "M") + int(np.argmax(x >= 6.0))
    assert bt.forecast_model and first < crossed  # warned before the rate got there


def test_timeline_csv_has_one_row_per_region_and_month_with_roman_grades():
    out = timeline_csv(pd.DataFrame({"region": ["b", "a"], "period": ["2001-02", "2001-03"], "grade": [3, 1]}))
    assert out.splitlines() == ["region,period,grade", "a,2001-03,I", "b,2001-02,III"]
