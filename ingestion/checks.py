"""Row checks on Arrow chunks: the tidy-observation checker and the helpers every source's checker shares.

A checker sees a table chunk by chunk (`check(chunk) -> Checked`) and then once more at the end (`finish()`)
for what spans chunks, such as duplicates. It never raises for bad rows: each problem names the file, the row,
the column as written in the header, the value and the reason (English, with the Chinese an official reads).

Speed comes from working on distinct values: a column of a million cells holds a few dozen distinct regions,
indicators and periods, so each is normalised (NFKC, trimmed) and looked up once and the answers are spread
back to the rows with integer indexes.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ingestion.contracts import Reference
from ingestion.errors import RowProblem
from ingestion.periods import parse_periods

__all__ = ["MAX_STORED_PROBLEMS", "Checked", "ChunkChecker", "Flagger", "ObservationChecker", "distinct", "numbers"]

MAX_STORED_PROBLEMS = 10_000  # problems kept in memory per batch; all are counted
COUNT_UNITS = {"persons", "positions"}
VALUE_REASONS = {
    "nan": ("not a number", "不是数字"),
    "fraction": ("a rate given as a fraction (0.055); give percent (5.5)", "比率应以百分数填写（如 5.5），不是小数"),
    "negative": ("a count must not be negative", "人数不能为负数"),
    "whole": ("a count must be a whole number", "人数必须为整数"),
}
_EPOCH_MONTH = 1900 * 12


@dataclass
class Checked:
    good: pa.Table  # the chunk's valid rows, in the source's output columns
    problems: list[RowProblem] = field(default_factory=list)
    problems_total: int = 0
    bad_rows: int = 0


class ChunkChecker(Protocol):
    def check(self, chunk: pa.Table) -> Checked: ...

    def finish(self) -> Checked: ...


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def distinct(column: pa.ChunkedArray | pa.Array) -> tuple[list[str], np.ndarray]:
    """The column's distinct cells (NFKC-normalised, trimmed) and, per row, the index of its cell among them."""
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    encoded = pc.dictionary_encode(arr)
    return [_norm(v) for v in encoded.dictionary.to_pylist()], encoded.indices.to_numpy(zero_copy_only=False)


class Flagger:
    """Collects the problems of one chunk; keeps the first MAX_STORED_PROBLEMS, counts them all."""

    def __init__(self, filename: str, header: Mapping[str, str], chunk: pa.Table) -> None:
        self.filename, self.header, self.chunk = filename, header, chunk
        self.rows = chunk["row"].to_numpy()
        self.bad = np.zeros(chunk.num_rows, dtype=bool)
        self.problems: list[RowProblem] = []
        self.total = 0

    def __call__(self, mask: np.ndarray, column: str, reason: str, reason_zh: str, values=None) -> None:
        hits = np.flatnonzero(mask)
        if not len(hits):
            return
        self.bad[hits] = True
        self.total += len(hits)
        keep = hits[: max(0, MAX_STORED_PROBLEMS - len(self.problems))]
        if not len(keep):
            return
        if values is None and column in self.chunk.column_names:
            values = self.chunk[column].take(pa.array(keep)).to_pylist()
        elif values is not None:
            values = [values[i] for i in keep]
        else:
            values = [None] * len(keep)
        shown = self.header.get(column, column)
        for i, v in zip(keep, values, strict=True):
            text = None if v is None else _norm(str(v))
            self.problems.append(RowProblem(self.filename, int(self.rows[i]), shown, text, reason, reason_zh))

    def each(self, mask: np.ndarray, column: str, reason: Callable[[int], tuple[str, str]]) -> None:
        """Like calling the flagger, with a reason of its own for each row (no value shown)."""
        hits = np.flatnonzero(mask)
        self.bad[hits] = True
        self.total += len(hits)
        shown = self.header.get(column, column)
        for i in hits[: max(0, MAX_STORED_PROBLEMS - len(self.problems))]:
            text, text_zh = reason(i)
            self.problems.append(RowProblem(self.filename, int(self.rows[i]), shown, None, text, text_zh))

    def checked(self, good: pa.Table) -> Checked:
        return Checked(good, self.problems, self.total, int(self.bad.sum()))


def numbers(text: pd.Series, unit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Parse numbers written with thousands separators, spaces, full-width digits or a trailing %.

    Returns the values (NaN where bad) and, per row, a VALUE_REASONS key or "" when the value is fine.
    """
    text = text.str.normalize("NFKC").str.strip()
    cleaned = text.str.replace(r"(?<=\d)[,\s](?=\d{3}(\D|$))", "", regex=True).str.rstrip("%").str.strip()
    value = pd.to_numeric(cleaned.replace("", None), errors="coerce").astype(float).to_numpy()
    return value, value_reasons(value, unit, text.str.endswith("%").fillna(False).to_numpy())


def value_reasons(value: np.ndarray, unit: np.ndarray, percent_sign: np.ndarray | None = None) -> np.ndarray:
    reason = np.full(len(value), "", dtype=object)
    finite = np.isfinite(value)
    reason[~finite] = "nan"
    sign = percent_sign if percent_sign is not None else np.zeros(len(value), dtype=bool)
    reason[finite & (unit == "percent") & (value > 0) & (value < 1) & ~sign] = "fraction"
    counts = np.isin(unit, list(COUNT_UNITS)) & finite
    reason[counts & (value < 0)] = "negative"
    reason[counts & (value >= 0) & (np.mod(value, 1) != 0)] = "whole"
    return reason


def month_numbers(texts: list[str], frequency: str) -> np.ndarray:
    """Months since year 0 (year * 12 + month - 1) for each text, -1 where it is not a period of `frequency`."""
    if not texts:
        return np.empty(0, dtype=np.int64)
    parsed = parse_periods(pd.Series(texts, dtype="string"), frequency)
    ok = parsed.notna().to_numpy()
    out = np.full(len(texts), -1, dtype=np.int64)
    out[ok] = parsed[ok].dt.year.to_numpy() * 12 + parsed[ok].dt.month.to_numpy() - 1
    return out


def month_dates(months: np.ndarray) -> pa.Array:
    days = (months - 1970 * 12).astype("datetime64[M]").astype("datetime64[D]")
    return pa.array(days, pa.date32())


class _Ids:
    """Interned small integers for the parts of a duplicate key, across all chunks of a batch."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def of(self, values: list) -> np.ndarray:
        return np.array([self.ids.setdefault(v, len(self.ids)) if v is not None else -1 for v in values], np.int64)


class Duplicates:
    """Finds rows whose key appeared earlier in the batch (in this chunk or an earlier one), chunk by chunk.

    Checked before a chunk's rows are written, so a repeated key is a reported problem, never a constraint error.
    Keys are int64 built from interned ids; the keys seen so far stay sorted for binary search.
    """

    def __init__(self) -> None:
        self.keys = np.empty(0, np.int64)
        self.rows = np.empty(0, np.int64)

    def check(self, keys: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """For each key, the row of its first occurrence if it is a repeat, else 0."""
        order = np.lexsort((rows, keys))
        k, r = keys[order], rows[order]
        repeat = np.zeros(len(k), dtype=bool)
        repeat[1:] = k[1:] == k[:-1]
        first = r[np.maximum.accumulate(np.where(~repeat, np.arange(len(k)), 0))] if len(k) else r
        at = np.searchsorted(self.keys, k)
        seen = at < len(self.keys)
        seen[seen] = self.keys[at[seen]] == k[seen]
        if seen.any():
            first = np.where(seen, self.rows[np.minimum(at, len(self.rows) - 1)], first)
        dup = repeat | seen
        firsts = np.zeros(len(keys), dtype=np.int64)
        firsts[order] = np.where(dup, first, 0)
        merged_keys = np.concatenate([self.keys, k[~dup]])
        merged_rows = np.concatenate([self.rows, r[~dup]])
        keep = np.argsort(merged_keys, kind="stable")
        self.keys, self.rows = merged_keys[keep], merged_rows[keep]
        return firsts


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
        sample_u = pd.to_numeric(pd.Series([u.replace(",", "") for u in uniq], dtype="object").replace("", None))
        sample_u = sample_u.astype(float).to_numpy()
        bad_sample_u = np.array([u != "" for u in uniq]) & ~((sample_u >= 1) & (np.mod(sample_u, 1) == 0))
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
