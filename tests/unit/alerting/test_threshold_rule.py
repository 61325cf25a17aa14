import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from service.alerting import RulesError, evaluate, load_rules, load_rules_file

ROOT = Path(__file__).resolve().parents[3]
RULES = load_rules_file(ROOT / "thresholds.yaml")


def frame(values, start="2025-01", region="430200"):
    periods = pd.period_range(start, periods=len(values), freq="M")
    return pd.DataFrame(
        {
            "region_code": region,
            "indicator_code": "surveyed_unemployment_rate",
            "population_group": "total",
            "period": [p.to_timestamp().date() for p in periods],
            "value": values,
        }
    )


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
def test_threshold_grades(values, grade):
    signals = evaluate(RULES, frame(values), regions=["430200"], names={"430200": "株洲市"})
    assert [s.grade for s in signals] == ([grade] if grade else [])
    if grade:
        s = signals[0]
        assert s.period == dt.date(2025, 6, 1) and s.evidence["threshold"] == RULES.rules[0].grades[grade]
        assert s.explanation_zh.startswith("株洲市") and "级" in s.explanation_zh and s.explanation_en


def test_regions_not_asked_for_are_not_evaluated():
    assert evaluate(RULES, frame([9.0] * 6), regions=["430100"]) == []


@pytest.mark.parametrize(
    "change,needle",
    [
        (("for: 2", "for: 0"), "rules.0.for: Input should be greater than or equal to 1"),
        (("4: 5.5", "4: 9.5"), "more severe grade"),
        (("kind: threshold", "kind: sorcery"), "rules.0"),
        (("  - grade: 4\n", "  - grade: 3\n"), "levels must define grades 1-4"),
        (("version: 1", "version: 2"), "version"),
    ],
)
def test_bad_files_are_refused_with_line_numbers(change, needle):
    text = (ROOT / "thresholds.yaml").read_text(encoding="utf-8").replace(*change)
    with pytest.raises(RulesError) as err:
        load_rules(text, source="thresholds.yaml")
    assert any(needle in p for p in err.value.problems), err.value.problems
    assert all(p.startswith("thresholds.yaml:") and p.split(":")[1].isdigit() for p in err.value.problems)
