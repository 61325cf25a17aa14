"""Bytes to a stream of text tables: UTF-8, UTF-8 with BOM or GBK; CSV here, Excel in excel.py; title rows.

    stream = open_table(raw, filename="2025-03.csv", aliases=ALIASES, required=REQUIRED)
    stream.columns          # canonical column -> header as written in the file
    for chunk in stream:    # pyarrow Tables of string cells, canonical names, plus "row" (the row a person sees)
        ...
    stream.problems         # rows that could not be split into the header's fields (found while streaming)

CSV files are parsed by Arrow's streaming reader in chunks of `chunk_rows`, so a million-row file never becomes
a million Python objects; `raw` may be bytes, a memoryview or an mmap. Cells stay text here (not yet NFKC-
normalised: the validators normalise the few distinct values of each column, which is much cheaper); typing and
validation happen in the source modules (tidy.py, headcounts.py, ...). Row numbers are those a person sees:
the line in the CSV file or the row in the spreadsheet (1-based).
"""

from __future__ import annotations

import codecs
import csv
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from ingestion.errors import RowProblem, UnreadableInput

__all__ = [
    "DEFAULT_CHUNK_ROWS",
    "HEADER_SEARCH_ROWS",
    "TableStream",
    "decode",
    "find_header",
    "header_positions",
    "no_header",
    "normalise_header",
    "open_table",
    "table_from_rows",
    "unreadable",
]

HEADER_SEARCH_ROWS = 10
DEFAULT_CHUNK_ROWS = 250_000
_HEAD_BYTES = 64 * 1024
_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"
_CHECK_BLOCK = 8 * 1024 * 1024


@dataclass
class TableStream:
    """A table read lazily in chunks. Iterate once; `problems` fills up while iterating."""

    filename: str
    columns: dict[str, str]  # canonical column name -> header as written in the file
    format: str  # csv, xlsx
    encoding: str | None
    sheet: str | None
    rows_estimate: int  # lines (or sheet rows) below the header, for progress bars
    chunks: Iterator[pa.Table]
    problems: list[RowProblem] = field(default_factory=list)
    rows_read: int = 0  # non-blank data rows seen so far

    def __iter__(self) -> Iterator[pa.Table]:
        for chunk in self.chunks:
            self.rows_read += chunk.num_rows
            yield chunk


def normalise_header(text: str) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip().lower().replace(" ", "").replace("_", "")


def unreadable(filename: str, reason: str, reason_zh: str, value: str | None = None) -> UnreadableInput:
    return UnreadableInput([RowProblem(filename, None, None, value, reason, reason_zh)])


def _valid(raw, codec: str) -> UnicodeDecodeError | None:
    """Check `raw` decodes with `codec` block by block, without building the whole text."""
    decoder = codecs.getincrementaldecoder(codec)()
    view = memoryview(raw)
    try:
        for start in range(0, len(view), _CHECK_BLOCK):
            decoder.decode(view[start : start + _CHECK_BLOCK], final=start + _CHECK_BLOCK >= len(view))
        if not len(view):
            decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        return exc
    return None


def _encoding(raw, filename: str) -> str:
    """UTF-8 with BOM, UTF-8, then GBK (read as GB18030, its superset)."""
    if bytes(raw[:3]) == b"\xef\xbb\xbf":
        error = _valid(memoryview(raw)[3:], "utf-8")
        if error is None:
            return "utf-8-sig"
    elif _valid(raw, "utf-8") is None:
        return "utf-8"
    error = _valid(raw, "gb18030")
    if error is None:
        return "gbk"
    raise unreadable(
        filename,
        f"not UTF-8 or GBK text: {error.reason} at byte {error.start}",
        "文件编码无法识别（应为 UTF-8 或 GBK）",
    )


def decode(raw: bytes, filename: str) -> tuple[str, str]:
    """Text and the encoding it was read with (for small inputs; large ones stream through `open_table`)."""
    encoding = _encoding(raw, filename)
    codec = {"utf-8-sig": "utf-8-sig", "utf-8": "utf-8", "gbk": "gb18030"}[encoding]
    return bytes(raw).decode(codec), encoding


def open_table(
    raw,
    *,
    filename: str,
    aliases: Mapping[str, tuple[str, ...]],
    required: tuple[str, ...],
    sheet: str | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> TableStream:
    """Find the header row among the first rows, map its cells to canonical names, stream the rows below it."""
    if len(raw) == 0 or (len(raw) <= _HEAD_BYTES and not bytes(raw).strip()):
        raise unreadable(filename, "the file is empty", "文件为空")
    lookup = {normalise_header(a): canon for canon, names in aliases.items() for a in (canon, *names)}
    head = bytes(raw[:4])
    if head.startswith(_XLSX_MAGIC) or head.startswith(_XLS_MAGIC):
        from ingestion.excel import excel_stream

        return excel_stream(raw, filename, sheet, lookup, aliases, required, chunk_rows)
    if sheet is not None:
        raise unreadable(
            filename, f"a sheet ({sheet!r}) was named but the file is not a workbook", "文件不是 Excel 工作簿"
        )
    return _csv_stream(raw, filename, lookup, aliases, required, chunk_rows)


def no_header(filename: str, aliases, required) -> UnreadableInput:
    want = ", ".join(f"{c} ({'/'.join(aliases[c][:2])})" for c in required)
    return unreadable(
        filename,
        f"no header row with the required columns {want} in the first {HEADER_SEARCH_ROWS} rows",
        "未找到包含必需列的表头行",
    )


def find_header(grid: list[list[str]], lookup: Mapping[str, str], required: tuple[str, ...]) -> int | None:
    for i, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        found = {lookup.get(normalise_header(c)) for c in row}
        if all(r in found for r in required):
            return i
    return None


def header_positions(header: list[str], lookup: Mapping[str, str]) -> tuple[dict[str, str], dict[str, int]]:
    columns: dict[str, str] = {}
    positions: dict[str, int] = {}
    for i, cell in enumerate(header):
        canon = lookup.get(normalise_header(cell))
        if canon and canon not in columns:
            columns[canon] = str(cell).strip()
            positions[canon] = i
    return columns, positions


# ------------------------------------------------------------------------------------------------------ CSV


def _csv_stream(raw, filename, lookup, aliases, required, chunk_rows) -> TableStream:
    encoding = _encoding(raw, filename)
    codec = {"utf-8-sig": "utf-8", "utf-8": "utf-8", "gbk": "gb18030"}[encoding]
    start = 3 if encoding == "utf-8-sig" else 0
    head_bytes = bytes(raw[start : start + _HEAD_BYTES])
    head_text = head_bytes.decode(codec, errors="ignore")
    if len(raw) > start + _HEAD_BYTES:  # sniff whole lines only
        head_text = head_text[: head_text.rfind("\n") + 1] or head_text
    try:
        delimiter = csv.Sniffer().sniff(head_text[:4096], delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    lines = head_text.splitlines(keepends=True)[: HEADER_SEARCH_ROWS + 1]
    try:
        grid = list(csv.reader(lines, delimiter=delimiter))
    except csv.Error as exc:
        raise unreadable(filename, f"not a readable CSV file: {exc}", "CSV 文件格式错误") from exc
    header_at = find_header(grid, lookup, required)
    if header_at is None:
        raise no_header(filename, aliases, required)
    header = grid[header_at]
    columns, positions = header_positions(header, lookup)
    # The header is the (header_at + 1)-th physical line: feed Arrow the bytes from there on.
    pos = 0
    for _ in range(header_at):
        pos = head_bytes.index(b"\n", pos) + 1
    offset = start + pos
    rows_estimate = max(_count_lines(raw, offset) - 1, 0)
    width = len(header)
    stream = TableStream(filename, columns, "csv", encoding, None, rows_estimate, iter(()))
    stream.chunks = _csv_chunks(raw, offset, codec, delimiter, width, positions, header_at + 1, chunk_rows, stream)
    return stream


def _count_lines(raw, offset: int) -> int:
    view = memoryview(raw)[offset:]
    n = 0
    for start in range(0, len(view), _CHECK_BLOCK):
        n += bytes(view[start : start + _CHECK_BLOCK]).count(b"\n")
    if len(view) and view[-1] != ord("\n"):
        n += 1
    return n


def _csv_chunks(raw, offset, codec, delimiter, width, positions, header_line, chunk_rows, stream) -> Iterator[pa.Table]:
    names = [f"c{i}" for i in range(width)]
    skipped: list[int] = []  # physical lines (relative: 1 = header) that did not split into `width` fields

    def malformed(row) -> str:
        skipped.append(row.number)
        stream.problems.append(
            RowProblem(
                stream.filename,
                None if row.number is None else header_line - 1 + row.number,
                None,
                row.text[:200],
                f"the row has {row.actual_columns} fields, the header has {row.expected_columns}",
                "该行的列数与表头不一致",
            )
        )
        return "skip"

    # ~60 bytes a row keeps Arrow's blocks near `chunk_rows` rows; small chunks are for tests and progress.
    block = max(64 * 1024, min(64 * 1024 * 1024, chunk_rows * 64))
    try:
        reader = pa_csv.open_csv(
            pa.BufferReader(pa.py_buffer(raw)[offset:]),
            read_options=pa_csv.ReadOptions(
                column_names=names,
                skip_rows=1,
                use_threads=False,
                block_size=block,
                encoding="utf8" if codec == "utf-8" else codec,
            ),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter, invalid_row_handler=malformed, ignore_empty_lines=False
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                include_columns=[f"c{p}" for p in positions.values()],
            ),
        )
    except pa.ArrowInvalid as exc:
        raise unreadable(stream.filename, f"not a readable CSV file: {exc}", "CSV 文件格式错误") from exc
    seen = 0  # valid rows before this batch
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            return
        except pa.ArrowInvalid as exc:  # e.g. an unterminated quote: the rest of the file cannot be split
            stream.problems.append(
                RowProblem(stream.filename, None, None, None, f"not a readable CSV file: {exc}", "CSV 文件格式错误")
            )
            return
        n = batch.num_rows
        k = np.arange(seen, seen + n)
        gaps = np.asarray([s for s in skipped if s is not None], dtype=np.int64)
        gaps = np.sort(gaps) - 2 - np.arange(len(gaps))  # index of the valid row each malformed line precedes
        lines = header_line + 1 + k + np.searchsorted(gaps, k, side="right")
        seen += n
        table = pa.table({canon: batch.column(f"c{pos}") for canon, pos in positions.items()})
        yield _drop_blank(table.append_column("row", pa.array(lines, pa.int64())))


def _drop_blank(table: pa.Table) -> pa.Table:
    """Rows whose cells are all empty or spaces are not data (bureau files end with a few)."""
    blank = None
    for name in table.column_names:
        if name == "row":
            continue
        empty = pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(table[name])), 0)
        blank = empty if blank is None else pc.and_(blank, empty)
    return table if blank is None or not pc.any(blank).as_py() else table.filter(pc.invert(blank))


# ------------------------------------------------------------------------------------- rows already split


def table_from_rows(rows: list[list[str]], positions: Mapping[str, int], first_row: int) -> pa.Table:
    """A chunk from rows of cells (spreadsheets, SQL results); `first_row` is the row number of rows[0]."""
    cols = {
        canon: pa.array([r[pos] if pos < len(r) else "" for r in rows], pa.string()) for canon, pos in positions.items()
    }
    cols["row"] = pa.array(range(first_row, first_row + len(rows)), pa.int64())
    return _drop_blank(pa.table(cols))
