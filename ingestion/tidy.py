"""Tidy observation batches: one row per region, indicator, period (and breakdown) with a value.

This is the contract of survey uploads and of regional aggregates from social insurance, HR statistics and
recruitment: `parse_observations(raw, filename=..., reference=...)` returns a `ParsedBatch` whose `frame` is
ready to land, or whose `problems` list every row that is wrong and why. It never raises for bad rows.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ingestion.contracts import Reference
from ingestion.errors import RowProblem, UnreadableInput
from ingestion.periods import parse_periods
from ingestion.read import read_table

__all__ = ["ALIASES", "ParsedBatch", "content_hash", "parse_observations"]

# Canonical column -> headers bureaus use for it (Chinese first). Matching ignores case, spaces and underscores.
ALIASES: dict[str, tuple[str, ...]] = {
    "region": ("地区代码", "地区", "行政区划代码", "区划代码", "地区名称", "region_code", "region"),
    "period": ("时期", "统计时期", "期别", "月份", "period", "month"),
    "indicator": ("指标", "指标代码", "指标名称", "indicator", "indicator_code"),
    "value": ("数值", "值", "指标值", "value"),
    "sample_size": ("样本量", "样本数", "sample_size", "sample"),
    "population_group": ("群体", "人群", "population_group", "group"),
    "occupation": ("职业", "职业类别", "occupation"),
}
REQUIRED = ("region", "period", "indicator", "value")
COUNT_UNITS = {"persons", "positions"}
OUTPUT_COLUMNS = [
    "row",
    "region_code",
    "indicator_code",
    "period",
    "population_group",
    "occupation",
    "value",
    "sample_size",
]


@dataclass
class ParsedBatch:
    filename: str
    content_hash: str
    frame: pd.DataFrame  # OUTPUT_COLUMNS; empty when nothing could be read
    problems: list[RowProblem] = field(default_factory=list)
    rows_total: int = 0
    format: str = "csv"
    encoding: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems and not self.frame.empty


def content_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def parse_observations(
    raw: bytes, *, filename: str, reference: Reference, source: str | None = None, sheet: str | None = None
) -> ParsedBatch:
    """Read and validate a tidy batch; with `source`, every indicator must come from that source."""
    digest = content_hash(raw)
    try:
        table = read_table(raw, filename=filename, aliases=ALIASES, required=REQUIRED, sheet=sheet)
    except UnreadableInput as exc:
        return ParsedBatch(filename, digest, pd.DataFrame(columns=OUTPUT_COLUMNS), exc.problems)
    data, header = table.data, table.columns
    problems: list[RowProblem] = []

    def flag(mask: pd.Series, column: str, reason: str, reason_zh: str) -> None:
        for row, value in zip(
            data.loc[mask, "row"], data.loc[mask, column] if column in data else [None] * mask.sum(), strict=True
        ):
            problems.append(RowProblem(filename, int(row), header.get(column, column), _text(value), reason, reason_zh))

    missing = data[list(REQUIRED)].isna() | data[list(REQUIRED)].eq("")
    for column in REQUIRED:
        flag(missing[column], column, "required value is empty", "必填项为空")
    present = ~missing.any(axis=1)

    region = data["region"].map(lambda t: reference.region_code(t) if isinstance(t, str) else None)
    flag(present & region.isna(), "region", "unknown region code or name", "地区代码或名称不存在")

    contracts = data["indicator"].map(lambda t: reference.indicator(t) if isinstance(t, str) else None)
    flag(
        present & contracts.isna(),
        "indicator",
        "unknown indicator (use a code or Chinese name from the dictionary)",
        "指标不在指标字典中",
    )
    if source is not None:
        foreign = contracts.map(lambda c: c is not None and c.source != source)
        flag(
            present & foreign,
            "indicator",
            f"indicator does not belong to the {source!r} source of this upload",
            "该指标不属于本次上传的数据来源",
        )
    known = present & contracts.notna()
    code = contracts.map(lambda c: c.code if c else None)
    unit = contracts.map(lambda c: c.unit if c else None)
    freq = contracts.map(lambda c: c.frequency if c else "M")

    period = parse_periods(data["period"].fillna(""), freq)
    flag(
        known & period.isna() & freq.eq("Q"),
        "period",
        "not a quarter (write 2025Q1 or 2025年第一季度)",
        "季度格式错误（应为 2025Q1）",
    )
    flag(
        known & period.isna() & freq.ne("Q"),
        "period",
        "not a month (write 2025-03, 2025年3月 or 202503)",
        "月份格式错误（应为 2025-03）",
    )
    this_month = pd.Timestamp(reference.today.year, reference.today.month, 1)
    flag(period.notna() & (period > this_month), "period", "period is in the future", "时期晚于当前月份")

    value, value_problem = _numbers(data["value"].fillna(""), unit)
    for reason, reason_zh in _VALUE_REASONS:
        flag(present & value_problem.eq(reason), "value", reason, reason_zh)
    lo = contracts.map(lambda c: c.value_min if c else -np.inf).astype(float)
    hi = contracts.map(lambda c: c.value_max if c else np.inf).astype(float)
    flag(
        value.notna() & ((value < lo) | (value > hi)),
        "value",
        "outside the valid range of this indicator",
        "数值超出该指标的有效范围",
    )

    groups = data["population_group"].fillna("") if "population_group" in data else pd.Series("", index=data.index)
    group = groups.map(lambda t: "total" if t == "" else reference.group_code(t))
    flag(groups.ne("") & group.isna(), "population_group", "unknown population group", "群体名称不存在")
    allowed = [g is None or c is None or g in c.groups for g, c in zip(group, contracts, strict=True)]
    flag(
        known & group.notna() & ~pd.Series(allowed, index=data.index),
        "population_group",
        "this indicator is not published for that group",
        "该指标没有此群体的数据",
    )

    occupation = data["occupation"].fillna("").replace("", "total") if "occupation" in data else "total"
    sample = pd.Series(pd.NA, index=data.index, dtype="Int64")
    if "sample_size" in data:
        raw_sample = data["sample_size"].fillna("").str.replace(",", "", regex=False)
        sample = pd.to_numeric(raw_sample.replace("", None), errors="coerce")
        bad = raw_sample.ne("") & (sample.isna() | (sample < 1) | (sample % 1 != 0))
        flag(bad, "sample_size", "sample size must be a positive whole number", "样本量必须为正整数")
        sample = sample.where(~bad).round().astype("Int64")

    out = pd.DataFrame(
        {
            "row": data["row"],
            "region_code": region,
            "indicator_code": code,
            "period": period.dt.date,
            "population_group": group,
            "occupation": occupation,
            "value": value,
            "sample_size": sample,
        }
    )
    key = ["region_code", "indicator_code", "period", "population_group", "occupation"]
    complete = out[key].notna().all(axis=1)
    dup = complete & out.duplicated(key, keep="first")
    if dup.any():
        first = out[complete].groupby(key, dropna=False)["row"].transform("first")
        for i in out.index[dup]:
            problems.append(
                RowProblem(
                    filename,
                    int(out.at[i, "row"]),
                    header["region"],
                    None,
                    f"duplicate of row {int(first[i])} (same region, indicator, period and group)",
                    f"与第 {int(first[i])} 行重复",
                )
            )
    problems.sort(key=lambda p: (p.row or 0, p.column or ""))
    frame = out[OUTPUT_COLUMNS] if not problems else out.iloc[0:0][OUTPUT_COLUMNS]
    return ParsedBatch(
        filename, digest, frame.reset_index(drop=True), problems, len(data), table.format, table.encoding
    )


_VALUE_REASONS = (
    ("not a number", "不是数字"),
    ("a rate given as a fraction (0.055); give percent (5.5)", "比率应以百分数填写（如 5.5），不是小数"),
    ("a count must not be negative", "人数不能为负数"),
    ("a count must be a whole number", "人数必须为整数"),
)


def _numbers(text: pd.Series, unit: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse numbers written with thousands separators, spaces or a trailing %; return values and problems."""
    cleaned = text.str.replace(r"(?<=\d)[,，\s](?=\d{3}(\D|$))", "", regex=True).str.rstrip("%").str.strip()
    value = pd.to_numeric(cleaned.replace("", None), errors="coerce").astype(float)
    problem = pd.Series(None, index=text.index, dtype="object")
    problem[value.isna()] = _VALUE_REASONS[0][0]
    percent = unit.eq("percent")
    problem[percent & value.gt(0) & value.lt(1) & ~text.str.endswith("%")] = _VALUE_REASONS[1][0]
    counts = unit.isin(COUNT_UNITS)
    problem[counts & value.lt(0)] = _VALUE_REASONS[2][0]
    problem[counts & value.ge(0) & (value % 1 != 0)] = _VALUE_REASONS[3][0]
    return value.where(problem.isna()), problem


def _text(value: object) -> str | None:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA else str(value)
