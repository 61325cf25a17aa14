"""Ingestion errors. Validation never raises per row: it collects every problem, then answers once.

    IngestionError            anything that stops a batch from landing
    ├── UnreadableInput       the bytes cannot be read as a table (encoding, empty file, wrong sheet, no header)
    └── BatchRefused          the table was read but rows failed validation; carries every RowProblem

A RowProblem names the file, the row (1-based line or spreadsheet row), the column as written in the file,
the offending value and the reason, in English with a Chinese gloss for officials.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

__all__ = ["BatchRefused", "IngestionError", "RowProblem", "UnreadableInput"]


@dataclass(frozen=True)
class RowProblem:
    file: str
    row: int | None
    column: str | None
    value: str | None
    reason: str
    reason_zh: str = ""

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        where = self.file + (f", row {self.row}" if self.row is not None else "")
        where += f", column {self.column!r}" if self.column else ""
        value = f" (value {self.value!r})" if self.value is not None else ""
        return f"{where}: {self.reason}{value}"


class IngestionError(Exception):
    """Base class: a batch did not land."""

    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = problems
        head = "; ".join(str(p) for p in problems[:3])
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        super().__init__(head + more)


class UnreadableInput(IngestionError):
    """The input could not be read as a table at all."""


class BatchRefused(IngestionError):
    """Rows failed validation; nothing from the batch lands."""
