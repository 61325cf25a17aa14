"""thresholds.yaml: the default file is valid and sourced; bad files are refused with every problem and its line."""

import pytest
from testkit.alerting import ROOT, RULE_HEAD, default_rules, rules_with

from service.alerting import RulesError, load_rules

TEXT = (ROOT / "thresholds.yaml").read_text(encoding="utf-8")


def test_default_file_has_four_levels_every_kind_of_3a_and_a_source_for_each():
    rules = default_rules()
    assert [lv.code for lv in sorted(rules.levels, key=lambda lv: lv.grade)] == ["I", "II", "III", "IV"]
    assert rules.level(3).name_zh == "较重" and rules.level(3).report_within_hours == 12
    assert rules.level(1).report_within_hours == rules.level(2).report_within_hours == 2
    kinds = {r.kind for r in rules.rules}
    assert {"threshold", "rise", "change", "forecast_probability", "ratio", "layoffs", "stale"} <= kinds
    assert all(len(r.source) > 20 for r in rules.rules)
    assert {r.measure for r in rules.rules if r.kind == "layoffs"} == {
        "filings", "largest", "share_of_insured", "county_cluster",
    }  # fmt: skip


@pytest.mark.parametrize(
    "change,needle",
    [
        (
            (
                "    for: 2\n    clear_margin: 0.2\n    region_level",
                "    for: 0\n    clear_margin: 0.2\n    region_level",
            ),
            "rules.0.for: Input should be greater than or equal to 1",
        ),
        (("{4: 5.5, 3: 6.0", "{4: 9.5, 3: 6.0"), "more severe grade"),
        (("kind: threshold", "kind: sorcery"), "rules.0"),
        (("  - grade: 4\n", "  - grade: 3\n"), "levels must define grades 1-4"),
        (("version: 1", "version: 2"), "version"),
        (
            (
                "risk: layoffs\n    kind: layoffs\n    measure: filings",
                "risk: lay0ffs\n    kind: layoffs\n    measure: filings",
            ),
            "unknown risk 'lay0ffs'",
        ),
        (("grades: {4: 0.6}", "grades: {4: 60}"), "probabilities in (0, 1]"),
    ],
)
def test_bad_files_are_refused_with_line_numbers(change, needle):
    assert change[0] in TEXT, change[0]
    with pytest.raises(RulesError) as err:
        load_rules(TEXT.replace(*change), source="thresholds.yaml")
    assert any(needle in p for p in err.value.problems), err.value.problems
    assert all(p.startswith("thresholds.yaml:") and p.split(":")[1].isdigit() for p in err.value.problems)


def test_the_line_named_is_the_line_of_the_bad_value():
    bad = TEXT.replace("    periods: 12\n", "    periods: 99\n")
    line = bad.splitlines().index("    periods: 99") + 1
    with pytest.raises(RulesError) as err:
        load_rules(bad, source="t.yaml")
    assert err.value.problems == [f"t.yaml:{line}: rules.3.periods: Input should be less than or equal to 24"]


def test_every_problem_is_reported_at_once():
    bad = TEXT.replace("    periods: 12\n", "    periods: 99\n").replace("{3: 0.5, 2: 1.0", "{3: 0.5, 2: 0.1")
    with pytest.raises(RulesError) as err:
        load_rules(bad)
    assert len(err.value.problems) == 2


def test_not_yaml_names_the_line():
    with pytest.raises(RulesError) as err:
        load_rules("version: 1\nlevels: [\n", source="x.yaml")
    assert err.value.problems[0].startswith("x.yaml:3: not valid YAML")


GOOD = "  - {id: a, risk: unemployment, kind: rise, name_zh: a, name_en: a, indicator: x, grades: {3: 0.3}, source: s}"


@pytest.mark.parametrize(
    "extra,needle",
    [
        (
            "  - {id: c, risk: unemployment, kind: composite, members: [a, nope], name_zh: c, name_en: c, "
            "grades: {3: 2}, source: s}",
            "member 'nope' is not a rule id",
        ),
        (
            "  - {id: b, risk: unemployment, kind: breadth, member: a, name_zh: b, name_en: b, grades: {3: 20}, "
            "source: s, only_when: [b]}",
            "only_when 'b' is not another rule's id",
        ),
        (
            "  - {id: a, risk: unemployment, kind: rise, name_zh: a, name_en: a, indicator: x, grades: {3: 1}, "
            "source: s}",
            "rule ids must be unique",
        ),
        (
            "  - {id: o, risk: unemployment, kind: threshold, name_zh: o, name_en: o, indicator: x, grades: {4: 5}, "
            "source: s, overrides: {'430200': {grades: {4: 5, 3: 4}, reason: r}}}",
            "override 430200: a more severe",
        ),
        (
            "  - {id: o, risk: unemployment, kind: threshold, name_zh: o, name_en: o, indicator: x, grades: {4: 5}, "
            "source: s, overrides: {'430200': {for: 2}}}",
            "reason",
        ),
    ],
)
def test_cross_references_and_overrides_are_checked(extra, needle):
    with pytest.raises(RulesError) as err:
        rules_with(GOOD, extra)
    assert any(needle in p for p in err.value.problems), err.value.problems


def test_a_sha_identifies_the_text():
    assert rules_with(GOOD).sha256 != rules_with(GOOD, GOOD.replace("id: a", "id: b")).sha256
    assert RULE_HEAD.startswith("\nversion: 1")
