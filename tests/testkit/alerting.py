"""Pure alerting test helpers (importable as testkit.alerting): monthly frames, a small region tree, rulesets."""

from pathlib import Path

import pandas as pd

from service.alerting import RegionTable, load_rules, load_rules_file

ROOT = Path(__file__).resolve().parents[2]


def default_rules():
    return load_rules_file(ROOT / "thresholds.yaml")


def tree() -> RegionTable:
    """A province, two cities, and two counties of the first city."""

    class R:
        def __init__(self, code, level, parent, zh, en, path):
            self.code, self.level, self.parent_code, self.name_zh, self.name_en, self.path = (
                code, level, parent, zh, en, path,
            )  # fmt: skip

    return RegionTable.from_records(
        [
            R("430000", "province", None, "湖南省", "Hunan", "430000"),
            R("430200", "city", "430000", "株洲市", "Zhuzhou", "430000/430200"),
            R("430100", "city", "430000", "长沙市", "Changsha", "430000/430100"),
            R("430211", "county", "430200", "天元区", "Tianyuan", "430000/430200/430211"),
            R("430212", "county", "430200", "渌口区", "Lukou", "430000/430200/430212"),
        ]
    )


def frame(values, *, region="430200", indicator="surveyed_unemployment_rate", start="2025-01", **extra):
    periods = pd.period_range(start, periods=len(values), freq="M")
    return pd.DataFrame(
        {
            "region_code": region,
            "indicator_code": indicator,
            "population_group": "total",
            "period": [p.to_timestamp().date() for p in periods],
            "value": values,
            **extra,
        }
    )


RULE_HEAD = """
version: 1
lookback_months: 24
levels:
  - {grade: 1, code: I, name_zh: 特别严重, name_en: Especially serious, colour: red, lead_unit_zh: a, lead_unit_en: a,
     response_zh: a, response_en: a, report_within_hours: 2, ack_within_hours: 2, source: s}
  - {grade: 2, code: II, name_zh: 严重, name_en: Serious, colour: orange, lead_unit_zh: a, lead_unit_en: a,
     response_zh: a, response_en: a, report_within_hours: 2, ack_within_hours: 2, source: s}
  - {grade: 3, code: III, name_zh: 较重, name_en: Fairly serious, colour: yellow, lead_unit_zh: a, lead_unit_en: a,
     response_zh: a, response_en: a, report_within_hours: 12, ack_within_hours: 12, source: s}
  - {grade: 4, code: IV, name_zh: 一般, name_en: General, colour: blue, lead_unit_zh: a, lead_unit_en: a,
     response_zh: a, response_en: a, report_within_hours: 24, ack_within_hours: 24, source: s}
risks:
  - {code: unemployment, name_zh: 失业, name_en: Unemployment}
  - {code: layoffs, name_zh: 裁员, name_en: Layoffs}
  - {code: data, name_zh: 数据, name_en: Data, inhibited_by_higher_grades: false}
rules:
"""


def rules_with(*rule_yaml: str):
    """A ruleset with the standard levels and risks and the given rules (YAML list items)."""
    return load_rules(RULE_HEAD + "\n".join(rule_yaml), source="test.yaml")
