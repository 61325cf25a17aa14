"""Tidy observation batches: one row per region, indicator, period (and breakdown) with a value.

This is the contract of survey uploads and of regional aggregates from social insurance, HR statistics and
recruitment. Two ways in:

    parsed = parse_observations(raw, filename=..., reference=...)    # small files: a ParsedBatch with a frame
    stream = open_observations(raw, filename=..., reference=...)     # any size: validated Arrow chunks
    for chunk in stream: ...                                         # rows ready to land (OUTPUT_COLUMNS)
    stream.problems                                                  # every bad row, once iteration ends

Validation never raises for bad rows: it collects every problem (file, row, column, value, reason), then the
caller refuses the batch whole. Each chunk is checked with vectorised operations on the few distinct values of
each column, so a million-row file validates in about a second.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa

from ingestion.checks import MAX_STORED_PROBLEMS, Checked, ChunkChecker
from ingestion.contracts import Reference
from ingestion.errors import RowProblem, UnreadableInput
from ingestion.observations import ObservationChecker
from ingestion.read import DEFAULT_CHUNK_ROWS, TableStream, open_table

__all__ = [
    "ALIASES",
    "OUTPUT_COLUMNS",
    "REQUIRED",
    "ParsedBatch",
    "ValidatedStream",
    "content_hash",
    "open_observations",
    "parse_observations",
    "validated",
]

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


def content_hash(raw) -> str:
    return hashlib.sha256(raw).hexdigest()


@dataclass
class ValidatedStream:
    """Chunks of a table that passed validation so far; `problems` is complete once iteration has finished.

    Iterating yields each chunk's valid rows as a pyarrow Table; after the first problem the caller should stop
    writing (the batch will be refused) but keep iterating, so that the report lists every bad row.
    """

    table: TableStream
    checker: ChunkChecker
    problems: list[RowProblem] = field(default_factory=list)
    problems_total: int = 0
    rows_rejected: int = 0
    finished: bool = False

    @property
    def filename(self) -> str:
        return self.table.filename

    @property
    def rows_total(self) -> int:
        return self.table.rows_read + len(self.table.problems)

    def __iter__(self) -> Iterator[pa.Table]:
        for chunk in self.table:
            checked = self.checker.check(chunk)
            self._add(checked)
            yield checked.good
        malformed = self.table.problems
        self._add(Checked(pa.table({}), malformed, len(malformed), len(malformed)))
        self._add(self.checker.finish())
        if self.table.rows_read == 0 and not malformed:
            self._add(Checked(pa.table({}), [_no_rows(self.filename)], 1, 0))
        self.problems.sort(key=lambda p: (p.row or 0, p.column or ""))
        self.finished = True

    def _add(self, checked: Checked) -> None:
        self.problems_total += checked.problems_total
        self.rows_rejected += checked.bad_rows
        room = MAX_STORED_PROBLEMS - len(self.problems)
        if room > 0:
            self.problems.extend(checked.problems[:room])

    @property
    def ok(self) -> bool:
        return self.finished and self.problems_total == 0


def _no_rows(filename: str) -> RowProblem:
    return RowProblem(filename, None, None, None, "the file has a header but no data rows", "文件只有表头，没有数据行")


def validated(table: TableStream, checker: ChunkChecker) -> ValidatedStream:
    return ValidatedStream(table, checker)


def open_observations(
    raw,
    *,
    filename: str,
    reference: Reference,
    source: str | None = None,
    sheet: str | None = None,
    scope: frozenset[str] | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> ValidatedStream:
    """Open a tidy batch for streaming validation; UnreadableInput if it cannot be read as a table at all.

    With `source`, every indicator must come from that source; with `scope`, every region must be in it.
    """
    table = open_table(raw, filename=filename, aliases=ALIASES, required=REQUIRED, sheet=sheet, chunk_rows=chunk_rows)
    checker = ObservationChecker(
        filename=filename, header=table.columns, reference=reference, source=source, scope=scope
    )
    return validated(table, checker)


@dataclass
class ParsedBatch:
    filename: str
    content_hash: str
    frame: pd.DataFrame  # OUTPUT_COLUMNS; empty when anything is wrong
    problems: list[RowProblem] = field(default_factory=list)
    rows_total: int = 0
    format: str = "csv"
    encoding: str | None = None
    problems_total: int = 0
    rows_rejected: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and not self.frame.empty


def parse_observations(
    raw,
    *,
    filename: str,
    reference: Reference,
    source: str | None = None,
    sheet: str | None = None,
    scope: frozenset[str] | None = None,
) -> ParsedBatch:
    """Read and validate a whole tidy batch into a data frame (for small files; large ones use the stream)."""
    digest = content_hash(raw)
    try:
        stream = open_observations(raw, filename=filename, reference=reference, source=source, sheet=sheet, scope=scope)
    except UnreadableInput as exc:
        return ParsedBatch(filename, digest, frame_of([]), exc.problems, problems_total=len(exc.problems))
    chunks = [c for c in stream if c.num_rows]
    frame = frame_of(chunks if stream.ok else [])
    return ParsedBatch(
        filename,
        digest,
        frame,
        stream.problems,
        stream.rows_total,
        stream.table.format,
        stream.table.encoding,
        stream.problems_total,
        stream.rows_rejected,
    )


def frame_of(chunks: list[pa.Table]) -> pd.DataFrame:
    """Validated chunks as one pandas frame: dates as datetime.date, sample sizes as nullable integers."""
    if not chunks:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in OUTPUT_COLUMNS})
    table = pa.concat_tables(chunks)
    frame = table.to_pandas(date_as_object=True, types_mapper={pa.int64(): pd.Int64Dtype()}.get)
    frame["row"] = frame["row"].astype("int64")
    return frame[OUTPUT_COLUMNS]
