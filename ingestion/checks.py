"""Row checks on Arrow chunks: what every source's checker shares (observations.py, headcounts.py).

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

from ingestion.errors import RowProblem
from ingestion.periods import parse_periods

__all__ = [
    "MAX_STORED_PROBLEMS",
    "VALUE_REASONS",
    "Checked",
    "ChunkChecker",
    "Duplicates",
    "Flagger",
    "distinct",
    "month_dates",
    "month_numbers",
    "numbers",
    "value_reasons",
]

MAX_STORED_PROBLEMS = 10_000  # problems kept in memory per batch; all are counted
COUNT_UNITS = {"persons", "positions"}
VALUE_REASONS = {
    "nan": ("not a number", "不是数字"),
    "fraction": ("a rate given as a fraction (0.055); give percent (5.5)", "比率应以百分数填写（如 5.5），不是小数"),
    "negative": ("a count must not be negative", "人数不能为负数"),
    "whole": ("a count must be a whole number", "人数必须为整数"),
}


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
    return value, value_reasons(value, unit, text.str.endswith("%").fillna(False).to_numpy(dtype=bool))


def value_reasons(value: np.ndarray, unit: np.ndarray, percent_sign: np.ndarray | None = None) -> np.ndarray:
    reason = np.full(len(value), "", dtype=object)
    finite = np.isfinite(value)
    reason[~finite] = "nan"
    sign = percent_sign if percent_sign is not None else np.zeros(len(value), dtype=bool)
    reason[finite & (unit == "percent") & (value > 0) & (value < 1) & ~sign] = "fraction"
    counts = np.isin(unit, list(COUNT_UNITS)) & finite
    reason[counts & (value < 0)] = "negative"
    with np.errstate(invalid="ignore"):  # NaN and inf are already "nan" above
        fractional = np.mod(value, 1) != 0
    reason[counts & (value >= 0) & fractional] = "whole"
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
