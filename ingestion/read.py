"""Bytes to a table of strings: encodings (UTF-8, UTF-8 with BOM, GBK), CSV or Excel, title rows above the header.

Every cell stays text here; typing and validation happen in the source modules (survey.py, ...).
Row numbers are those a person sees: the line in the CSV file or the row in the spreadsheet (1-based).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from ingestion.errors import RowProblem, UnreadableInput

__all__ = ["RawTable", "decode", "normalise_header", "read_table"]

HEADER_SEARCH_ROWS = 10
_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"


@dataclass(frozen=True)
class RawTable:
    columns: dict[str, str]  # canonical column name -> header as written in the file
    data: pd.DataFrame  # canonical columns, string cells (NFKC-normalised and stripped), plus "row"
    format: str  # csv, xlsx
    encoding: str | None
    sheet: str | None


def normalise_header(text: str) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip().lower().replace(" ", "").replace("_", "")


def decode(raw: bytes, filename: str) -> tuple[str, str]:
    """Text and the encoding it was read with: UTF-8 with BOM, UTF-8, then GBK (read as GB18030, its superset)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), "gbk"
    except UnicodeDecodeError as exc:
        raise UnreadableInput(
            [
                RowProblem(
                    filename,
                    None,
                    None,
                    None,
                    f"not UTF-8 or GBK text: {exc.reason} at byte {exc.start}",
                    "文件编码无法识别（应为 UTF-8 或 GBK）",
                )
            ]
        ) from exc


def read_table(
    raw: bytes,
    *,
    filename: str,
    aliases: Mapping[str, tuple[str, ...]],
    required: tuple[str, ...],
    sheet: str | None = None,
) -> RawTable:
    """Find the header row among the first rows, map its cells to canonical names, return the rows below it."""
    if not raw or not raw.strip():
        raise UnreadableInput([RowProblem(filename, None, None, None, "the file is empty", "文件为空")])
    lookup = {normalise_header(a): canon for canon, names in aliases.items() for a in (canon, *names)}
    if raw.startswith(_XLSX_MAGIC) or raw.startswith(_XLS_MAGIC):
        grid, used_sheet = _excel_grid(raw, filename, sheet, lookup, required)
        fmt, encoding = "xlsx", None
    else:
        text, encoding = decode(raw, filename)
        grid = _csv_grid(text, filename)
        fmt, used_sheet = "csv", None
    header_at = _find_header(grid, lookup, required)
    if header_at is None:
        want = ", ".join(f"{c} ({'/'.join(aliases[c][:2])})" for c in required)
        raise UnreadableInput(
            [
                RowProblem(
                    filename,
                    None,
                    None,
                    None,
                    f"no header row with the required columns {want} in the first {HEADER_SEARCH_ROWS} rows",
                    "未找到包含必需列的表头行",
                )
            ]
        )
    header = grid[header_at]
    columns: dict[str, str] = {}
    positions: dict[str, int] = {}
    for i, cell in enumerate(header):
        canon = lookup.get(normalise_header(cell))
        if canon and canon not in columns:
            columns[canon] = str(cell).strip()
            positions[canon] = i
    body = grid[header_at + 1 :]
    width = len(header)
    records = [r + [""] * (width - len(r)) if len(r) < width else r for r in body]
    frame = pd.DataFrame(records, dtype="string") if records else pd.DataFrame(columns=range(width), dtype="string")
    data = pd.DataFrame(
        {canon: frame[pos] if pos in frame else pd.Series(dtype="string") for canon, pos in positions.items()}
    )
    data = data.apply(lambda s: s.str.normalize("NFKC").str.strip())
    data["row"] = range(header_at + 2, header_at + 2 + len(data))
    blank = data.drop(columns="row").fillna("").eq("").all(axis=1)
    data = data[~blank].reset_index(drop=True)
    if data.empty:
        raise UnreadableInput(
            [
                RowProblem(
                    filename, None, None, None, "the file has a header but no data rows", "文件只有表头，没有数据行"
                )
            ]
        )
    return RawTable(columns, data, fmt, encoding, used_sheet)


def _csv_grid(text: str, filename: str) -> list[list[str]]:
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    try:
        return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error as exc:
        raise UnreadableInput(
            [RowProblem(filename, None, None, None, f"not a readable CSV file: {exc}", "CSV 文件格式错误")]
        ) from exc


def _excel_grid(
    raw: bytes, filename: str, sheet: str | None, lookup: Mapping[str, str], required: tuple[str, ...]
) -> tuple[list[list[str]], str]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(raw))
    except Exception as exc:  # calamine raises its own error types for corrupt workbooks
        raise UnreadableInput(
            [RowProblem(filename, None, None, None, f"not a readable Excel workbook: {exc}", "Excel 文件无法读取")]
        ) from exc
    names = list(book.sheet_names)
    if sheet is not None and sheet not in names:
        raise UnreadableInput(
            [
                RowProblem(
                    filename, None, None, sheet, f"no sheet named {sheet!r}; sheets are {names}", "找不到指定的工作表"
                )
            ]
        )
    for name in [sheet] if sheet else names:
        grid = [[_cell(v) for v in row] for row in book.get_sheet_by_name(name).to_python()]
        if _find_header(grid, lookup, required) is not None:
            return grid, name
    raise UnreadableInput(
        [
            RowProblem(
                filename,
                None,
                None,
                None,
                f"no sheet has the required header; sheets are {names}",
                "没有工作表包含所需表头（可能选错了工作表）",
            )
        ]
    )


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m")  # a date cell in a period column means its month
    return str(value)


def _find_header(grid: list[list[str]], lookup: Mapping[str, str], required: tuple[str, ...]) -> int | None:
    for i, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        found = {lookup.get(normalise_header(c)) for c in row}
        if all(r in found for r in required):
            return i
    return None
