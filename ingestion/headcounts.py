"""Enterprise monthly insured headcounts (social insurance): one row per enterprise and month.

    stream = open_headcounts(raw, filename=..., reference=...)
    for chunk in stream: ...      # OUTPUT_COLUMNS, valid rows only
    stream.problems               # every bad row once iteration ends

Checks: the 统一社会信用代码 (18 characters, GB 32100-2015 check character), the enterprise name, the region (a
city or county code or name: enterprises sit in a county, or directly under a city), the industry (GB/T 4754:
a section letter A-T optionally with its division digits, or 2-4 digits), the month (not in the future), the
insured headcount (a whole number, not negative; thousands separators allowed), and one row per enterprise and
month in a batch.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd
import pyarrow as pa

from ingestion.checks import Checked, Duplicates, Flagger, distinct, month_dates, month_numbers, numbers
from ingestion.contracts import Reference
from ingestion.credit_code import validate_credit_code
from ingestion.read import DEFAULT_CHUNK_ROWS, open_table
from ingestion.tidy import ValidatedStream, validated

__all__ = ["ALIASES", "OUTPUT_COLUMNS", "REQUIRED", "HeadcountChecker", "open_headcounts"]

ALIASES: dict[str, tuple[str, ...]] = {
    "credit_code": ("统一社会信用代码", "社会信用代码", "信用代码", "credit_code", "uscc"),
    "name": ("企业名称", "单位名称", "name", "enterprise_name", "name_zh"),
    "region": ("地区代码", "行政区划代码", "所在地区", "地区", "region_code", "region"),
    "industry": ("行业代码", "行业门类", "行业", "industry", "industry_code"),
    "industry_name": ("行业名称", "industry_name", "industry_zh"),
    "period": ("时期", "月份", "期别", "period", "month"),
    "insured": ("参保人数", "参保职工人数", "在职参保人数", "insured", "headcount"),
}
REQUIRED = ("credit_code", "name", "region", "period", "insured")
OUTPUT_COLUMNS = ["row", "credit_code", "name", "region_code", "industry", "industry_name", "period", "insured"]
_INDUSTRY = re.compile(r"^(?:[A-T](?:\d{2,3})?|\d{2,4})$")
_MAX_INSURED = 1_000_000


class HeadcountChecker:
    def __init__(
        self, *, filename: str, header: Mapping[str, str], reference: Reference, scope: frozenset[str] | None = None
    ) -> None:
        self.filename, self.header, self.reference, self.scope = filename, header, reference, scope
        self.this_month = reference.today.year * 12 + reference.today.month - 1
        self.codes: dict[str, int] = {}
        self.duplicates = Duplicates()

    def check(self, chunk: pa.Table) -> Checked:
        n = chunk.num_rows
        flag = Flagger(self.filename, self.header, chunk)
        cols = {
            name: distinct(chunk[name]) if name in chunk.column_names else ([""], np.zeros(n, np.int64))
            for name in ("credit_code", "name", "region", "industry", "industry_name", "period")
        }
        for name in REQUIRED:
            if name == "insured":
                continue
            uniq, idx = cols[name]
            flag(np.array([u == "" for u in uniq], dtype=bool)[idx], name, "required value is empty", "必填项为空")

        uniq, c_idx = cols["credit_code"]
        codes_u = [u.upper().replace(" ", "") for u in uniq]
        reasons_u = [validate_credit_code(c) if c else None for c in codes_u]
        for reason in sorted({r for r in reasons_u if r}):
            mask = np.array([r == reason for r in reasons_u], dtype=bool)[c_idx]
            flag(mask, "credit_code", f"not a valid unified social credit code: {reason}", "统一社会信用代码无效")

        uniq, n_idx = cols["name"]
        flag(
            np.array([len(u) > 128 for u in uniq], dtype=bool)[n_idx],
            "name",
            "name longer than 128 characters",
            "名称过长",
        )

        uniq, r_idx = cols["region"]
        region_u = [self.reference.region_code(u) if u else None for u in uniq]
        present = np.array([u != "" for u in uniq], dtype=bool)[r_idx]
        known = np.array([c is not None for c in region_u], dtype=bool)[r_idx]
        flag(present & ~known, "region", "unknown region code or name", "地区代码或名称不存在")
        level_ok = np.array(
            [c is None or self.reference.region_level(c) in {"city", "county"} for c in region_u], dtype=bool
        )[r_idx]
        flag(~level_ok, "region", "an enterprise's region must be a city or county, not a province", "地区应为市或县级")
        if self.scope is not None:
            outside = np.array([c is not None and c not in self.scope for c in region_u], dtype=bool)[r_idx]
            flag(outside, "region", "region is outside your organisation's area", "地区不在本单位管辖范围内")

        uniq, i_idx = cols["industry"]
        industry_u = [u.upper() for u in uniq]
        flag(
            np.array([u != "" and not _INDUSTRY.match(u) for u in industry_u], dtype=bool)[i_idx],
            "industry",
            "not a GB/T 4754 industry code (a letter A-T, optionally with digits, e.g. C36)",
            "行业代码不符合 GB/T 4754",
        )

        uniq, p_idx = cols["period"]
        month = month_numbers(uniq, "M")[p_idx]
        given = np.array([u != "" for u in uniq], dtype=bool)[p_idx]
        flag(
            given & (month < 0),
            "period",
            "not a month (write 2025-03, 2025年3月 or 202503)",
            "月份格式错误（应为 2025-03）",
        )
        flag(month > self.this_month, "period", "period is in the future", "时期晚于当前月份")

        text = pd.Series(chunk["insured"].to_pylist(), dtype="string") if "insured" in chunk.column_names else None
        empty = text.fillna("").str.strip().eq("").to_numpy()
        flag(empty, "insured", "required value is empty", "必填项为空")
        insured, why = numbers(text.fillna(""), np.full(n, "persons", dtype=object))
        for key, (reason, reason_zh) in {
            "nan": ("not a number", "不是数字"),
            "negative": ("a count must not be negative", "人数不能为负数"),
            "whole": ("a count must be a whole number", "人数必须为整数"),
        }.items():
            flag(~empty & (why == key), "insured", reason, reason_zh)
        flag((why == "") & (insured > _MAX_INSURED), "insured", "more than a million insured", "参保人数超过一百万")

        code_ids = np.array([self.codes.setdefault(c, len(self.codes)) for c in codes_u], dtype=np.int64)[c_idx]
        complete = np.array([r is None and c != "" for r, c in zip(reasons_u, codes_u, strict=True)], dtype=bool)[c_idx]
        complete &= month >= 0
        keys = (code_ids << 20) | np.clip(month, 0, (1 << 20) - 1)
        firsts = np.zeros(n, dtype=np.int64)
        firsts[complete] = self.duplicates.check(keys[complete], chunk["row"].to_numpy()[complete])
        flag.each(
            firsts > 0,
            "credit_code",
            lambda i: (f"duplicate of row {firsts[i]} (same enterprise and month)", f"与第 {firsts[i]} 行重复"),
        )

        def column(values: list, idx: np.ndarray, blank_is_null: bool = False) -> pa.Array:
            arr = pa.array([None if blank_is_null and v == "" else v for v in values], pa.string())
            return arr.take(pa.array(idx))

        good = pa.table(
            {
                "row": chunk["row"],
                "credit_code": column(codes_u, c_idx),
                "name": column(cols["name"][0], n_idx),
                "region_code": column([c or "" for c in region_u], r_idx),
                "industry": column(industry_u, i_idx, blank_is_null=True),
                "industry_name": column(cols["industry_name"][0], cols["industry_name"][1], blank_is_null=True),
                "period": month_dates(np.maximum(month, 0)),
                "insured": pa.array(np.where(np.isfinite(insured), insured, 0).astype(np.int64)),
            }
        ).take(pa.array(np.flatnonzero(~flag.bad)))
        return flag.checked(good)

    def finish(self) -> Checked:
        return Checked(pa.table({}))


def open_headcounts(
    raw,
    *,
    filename: str,
    reference: Reference,
    sheet: str | None = None,
    scope: frozenset[str] | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> ValidatedStream:
    table = open_table(raw, filename=filename, aliases=ALIASES, required=REQUIRED, sheet=sheet, chunk_rows=chunk_rows)
    return validated(table, HeadcountChecker(filename=filename, header=table.columns, reference=reference, scope=scope))
