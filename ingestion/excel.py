"""Excel workbooks (.xlsx, .xls) as a stream of text tables, read with calamine row by row.

The first sheet whose first rows hold the header is used, unless a sheet is named. Rows come from calamine's
iterator into chunks, so a large workbook never becomes one list of Python rows. Row numbers are the
spreadsheet's own (1-based, blank top rows included).
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pyarrow as pa

from ingestion.read import (
    HEADER_SEARCH_ROWS,
    TableStream,
    find_header,
    header_positions,
    no_header,
    table_from_rows,
    unreadable,
)

__all__ = ["excel_stream"]


def excel_stream(raw, filename, sheet, lookup, aliases, required, chunk_rows) -> TableStream:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(bytes(raw)))
    except Exception as exc:  # calamine raises its own error types for corrupt workbooks
        raise unreadable(filename, f"not a readable Excel workbook: {exc}", "Excel 文件无法读取") from exc
    names = list(book.sheet_names)
    if sheet is not None and sheet not in names:
        raise unreadable(filename, f"no sheet named {sheet!r}; sheets are {names}", "找不到指定的工作表", sheet)
    for name in [sheet] if sheet else names:
        # Rows come one at a time from calamine's iterator: only the header search and one chunk are Python lists.
        rows = book.get_sheet_by_name(name).iter_rows()
        head = [[_cell(v) for v in row] for _, row in zip(range(HEADER_SEARCH_ROWS), rows, strict=False)]
        header_at = find_header(head, lookup, required)
        if header_at is None:
            continue
        columns, positions = header_positions(head[header_at], lookup)
        sheet_obj = book.get_sheet_by_name(name)  # iter_rows yields from row 1, blank top rows included
        chunks = _excel_chunks(head[header_at + 1 :], rows, positions, header_at + 2, chunk_rows)
        return TableStream(filename, columns, "xlsx", None, name, max(sheet_obj.height - header_at - 1, 0), chunks)
    if sheet:
        raise no_header(filename, aliases, required)
    raise unreadable(
        filename, f"no sheet has the required header; sheets are {names}", "没有工作表包含所需表头（可能选错了工作表）"
    )


def _excel_chunks(first: list[list[str]], rest, positions, first_row: int, chunk_rows: int) -> Iterator[pa.Table]:
    buffer, start = list(first), first_row
    for row in rest:
        buffer.append([_cell(v) for v in row])
        if len(buffer) >= chunk_rows:
            yield table_from_rows(buffer, positions, start)
            start += len(buffer)
            buffer = []
    if buffer:
        yield table_from_rows(buffer, positions, start)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m")  # a date cell in a period column means its month
    return str(value)
