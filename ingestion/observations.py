"""The checker of tidy observation rows: region, indicator (and its source), period, value, group, occupation.

Used through ingestion.tidy.open_observations / parse_observations. Every problem names the file, the row, the
column as written in the header, the value and the reason; duplicates are found across chunks before a chunk is
handed on, so nothing repeated is ever written.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ingestion.checks import (
    VALUE_REASONS,
    Checked,
    Duplicates,
    Flagger,
    distinct,
    month_dates,
    month_numbers,
    numbers,
    value_reasons,
)
from ingestion.contracts import Reference

__all__ = ["ObservationChecker"]

_EPOCH_MONTH = 1900 * 12


class _Ids:
    """Interned small integers for the parts of a duplicate key, across all chunks of a batch."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def of(self, values: list) -> np.ndarray:
        return np.array([self.ids.setdefault(v, len(self.ids)) if v is not None else -1 for v in values], np.int64)


class ObservationChecker:
    """Checks tidy observation rows against the reference: region, indicator, period, value, group, occupation."""

    def __init__(
        self,
        *,
        filename: str,
        header: Mapping[str, str],
        reference: Reference,
        source: str | None = None,
        scope: frozenset[str] | None = None,
    ) -> None:
        self.filename, self.header, self.reference = filename, header, reference
        self.source, self.scope = source, scope
        self.this_month = reference.today.year * 12 + reference.today.month - 1
        self.ids = {k: _Ids() for k in ("region", "indicator", "group", "occupation")}
        self.duplicates = Duplicates()

    def check(self, chunk: pa.Table) -> Checked:
        n = chunk.num_rows
        flag = Flagger(self.filename, self.header, chunk)
        ref = self.reference
        cols = {}
        for name in ("region", "indicator", "period", "value", "population_group", "occupation", "sample_size"):
            cols[name] = distinct(chunk[name]) if name in chunk.column_names else ([""], np.zeros(n, np.int64))
        missing = {}
        for name in ("region", "period", "indicator", "value"):
            uniq, idx = cols[name]
            missing[name] = np.array([u == "" for u in uniq], dtype=bool)[idx]
            flag(missing[name], name, "required value is empty", "必填项为空")
        present = ~(missing["region"] | missing["period"] | missing["indicator"] | missing["value"])

        uniq, r_idx = cols["region"]
        region_u = [ref.region_code(u) if u else None for u in uniq]
        region_ok = np.array([c is not None for c in region_u], dtype=bool)[r_idx]
        flag(present & ~region_ok, "region", "unknown region code or name", "地区代码或名称不存在")
        if self.scope is not None:
            outside = np.array([c is not None and c not in self.scope for c in region_u], dtype=bool)[r_idx]
            flag(present & outside, "region", "region is outside your organisation's area", "地区不在本单位管辖范围内")

        uniq, i_idx = cols["indicator"]
        contract_u = [ref.indicator(u) if u else None for u in uniq]
        known = np.array([c is not None for c in contract_u], dtype=bool)[i_idx]
        flag(
            present & ~known,
            "indicator",
            "unknown indicator (use a code or Chinese name from the dictionary)",
            "指标不在指标字典中",
        )
        if self.source is not None:
            foreign = np.array([c is not None and c.source != self.source for c in contract_u], dtype=bool)[i_idx]
            flag(
                present & foreign,
                "indicator",
                f"indicator does not belong to the {self.source!r} source of this upload",
                "该指标不属于本次上传的数据来源",
            )
        known &= present
        freq = np.array([c.frequency if c else "M" for c in contract_u], dtype=object)[i_idx]
        unit = np.array([c.unit if c else "" for c in contract_u], dtype=object)[i_idx]
        lo = np.array([c.value_min if c else -np.inf for c in contract_u], dtype=float)[i_idx]
        hi = np.array([c.value_max if c else np.inf for c in contract_u], dtype=float)[i_idx]

        uniq, p_idx = cols["period"]
        quarterly = freq == "Q"
        month = np.where(quarterly, month_numbers(uniq, "Q")[p_idx], month_numbers(uniq, "M")[p_idx])
        bad_period = known & (month < 0)
        flag(
            bad_period & quarterly,
            "period",
            "not a quarter (write 2025Q1 or 2025年第一季度)",
            "季度格式错误（应为 2025Q1）",
        )
        flag(
            bad_period & ~quarterly,
            "period",
            "not a month (write 2025-03, 2025年3月 or 202503)",
            "月份格式错误（应为 2025-03）",
        )
        flag(month > self.this_month, "period", "period is in the future", "时期晚于当前月份")

        value, reason = self._values(chunk["value"], unit)
        for key, (text, text_zh) in VALUE_REASONS.items():
            flag(present & (reason == key), "value", text, text_zh)
        flag(
            (reason == "") & ((value < lo) | (value > hi)),
            "value",
            "outside the valid range of this indicator",
            "数值超出该指标的有效范围",
        )

        uniq, g_idx = cols["population_group"]
        group_u = ["total" if u == "" else ref.group_code(u) for u in uniq]
        flag(
            np.array([g is None for g in group_u], dtype=bool)[g_idx],
            "population_group",
            "unknown population group",
            "群体名称不存在",
        )
        allowed = np.ones((len(contract_u), len(group_u)), dtype=bool)
        for a, c in enumerate(contract_u):
            for b, g in enumerate(group_u):
                allowed[a, b] = c is None or g is None or g in c.groups
        flag(
            known & ~allowed[i_idx, g_idx],
            "population_group",
            "this indicator is not published for that group",
            "该指标没有此群体的数据",
        )

        uniq, o_idx = cols["occupation"]
        occupation_u = ["total" if u == "" else u for u in uniq]
        flag(
            np.array([len(o) > 32 for o in occupation_u], dtype=bool)[o_idx],
            "occupation",
            "occupation code longer than 32 characters",
            "职业代码超过 32 个字符",
        )

        uniq, s_idx = cols["sample_size"]
        sample_u = pd.to_numeric(
            pd.Series([u.replace(",", "") for u in uniq], dtype="object").replace("", None), errors="coerce"
        )
        sample_u = sample_u.astype(float).to_numpy()
        with np.errstate(invalid="ignore"):
            whole = (sample_u >= 1) & (np.mod(sample_u, 1) == 0)
        bad_sample_u = np.array([u != "" for u in uniq], dtype=bool) & ~whole
        flag(bad_sample_u[s_idx], "sample_size", "sample size must be a positive whole number", "样本量必须为正整数")

        region_codes = [c or "" for c in region_u]
        code_u = [c.code if c else "" for c in contract_u]
        group_codes = [g or "" for g in group_u]
        complete = region_ok & known & (month >= 0) & np.array([g is not None for g in group_u], dtype=bool)[g_idx]
        keys = (
            (self.ids["region"].of(region_codes)[r_idx] << 42)
            | (self.ids["indicator"].of(code_u)[i_idx] << 34)
            | (self.ids["group"].of(group_codes)[g_idx] << 28)
            | (self.ids["occupation"].of(occupation_u)[o_idx] << 14)
            | np.clip(month - _EPOCH_MONTH, 0, (1 << 14) - 1)
        )
        firsts = np.zeros(n, dtype=np.int64)
        firsts[complete] = self.duplicates.check(keys[complete], chunk["row"].to_numpy()[complete])
        flag.each(
            firsts > 0,
            "region",
            lambda i: (
                f"duplicate of row {firsts[i]} (same region, indicator, period and group)",
                f"与第 {firsts[i]} 行重复",
            ),
        )

        take = pa.array(np.flatnonzero(~flag.bad))
        sample = np.where(np.isfinite(sample_u), sample_u, 0).astype(np.int64)
        good = pa.table(
            {
                "row": chunk["row"],
                "region_code": pa.array(region_codes, pa.string()).take(pa.array(r_idx)),
                "indicator_code": pa.array(code_u, pa.string()).take(pa.array(i_idx)),
                "period": month_dates(np.maximum(month, 0)),
                "population_group": pa.array(group_codes, pa.string()).take(pa.array(g_idx)),
                "occupation": pa.array(occupation_u, pa.string()).take(pa.array(o_idx)),
                "value": pa.array(np.where(np.isfinite(value), value, 0.0), pa.float64()),
                "sample_size": pa.array(sample[s_idx], pa.int64(), mask=~np.isfinite(sample_u)[s_idx]),
            }
        ).take(take)
        return flag.checked(good)

    def _values(self, column: pa.ChunkedArray, unit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        try:  # the common case: plain decimal numbers, parsed by Arrow without Python objects
            value = pc.cast(column, pa.float64()).to_numpy()
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return numbers(pd.Series(column.to_pylist(), dtype="string"), unit)
        return value, value_reasons(value, unit)

    def finish(self) -> Checked:
        return Checked(pa.table({}))
