"""Landing a batch: parse, refuse or accept whole, recognise identical re-uploads, keep refused input.

    result = land_observations(session, source="survey", filename=..., raw=..., reference=..., now=now)
    result.status   # "landed", "duplicate" or "rejected"

The caller owns the transaction: the batch row and all its observations commit together or not at all.
Rows stream from the file through validation into a temporary staging table chunk by chunk (see
service/db/staging.py); only when the whole file has passed do they reach `observations`, in one statement.
A refused batch commits only its Batch row (status "rejected", with the problem report) and its file kept
under data_dir/rejected/ for inspection.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, SessionTransaction

from ingestion.contracts import Reference
from ingestion.errors import RowProblem, UnreadableInput
from ingestion.read import DEFAULT_CHUNK_ROWS
from ingestion.tidy import content_hash, open_observations
from service.db.queries import find_landed_batch
from service.db.staging import ObservationWriter
from service.db.tables import Batch

__all__ = [
    "MAX_REPORTED_PROBLEMS",
    "LandingResult",
    "Progress",
    "duplicate_of",
    "land_observations",
    "landed_already",
    "open_batch",
    "record_rejected",
]

MAX_REPORTED_PROBLEMS = 1000  # a report longer than this stores the first ones and the count
Progress = Callable[[int, int], None]  # (rows read so far, rows expected), called after each chunk


@dataclass
class LandingResult:
    status: str  # landed, duplicate, rejected
    batch_id: int
    filename: str
    rows_total: int = 0
    rows_landed: int = 0
    rows_unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    problems_total: int = 0
    source: str = ""

    def as_dict(self) -> dict:
        return {
            "status": self.status,
            "batch_id": self.batch_id,
            "source": self.source,
            "filename": self.filename,
            "rows_total": self.rows_total,
            "rows_landed": self.rows_landed,
            "rows_unchanged": self.rows_unchanged,
            "problems": [p.as_dict() for p in self.problems[:MAX_REPORTED_PROBLEMS]],
            "problems_total": max(self.problems_total, len(self.problems)),
        }


def _format(raw) -> str:
    head = bytes(raw[:4])
    return "xlsx" if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0") else "csv"


def record_rejected(
    session: Session,
    *,
    source: str,
    filename: str,
    raw,
    digest: str,
    problems: list[RowProblem],
    problems_total: int,
    rows_total: int,
    rows_rejected: int,
    now: dt.datetime,
    data_dir: Path | None = None,
    user_id: int | None = None,
    fmt: str | None = None,
    synthetic: bool = False,
    note: str | None = None,
) -> LandingResult:
    """Keep a refused batch: its Batch row with the report, and its bytes under data_dir/rejected/."""
    batch = Batch(
        source_code=source,
        filename=filename[:255],
        content_hash=digest,
        format=fmt or _format(raw),
        status="rejected",
        rows_total=rows_total,
        rows_rejected=rows_rejected,
        error_report=[p.as_dict() for p in problems[:MAX_REPORTED_PROBLEMS]],
        submitted_by=user_id,
        received_at=now,
        synthetic=synthetic,
        note=note,
    )
    session.add(batch)
    session.flush()
    if data_dir is not None:
        batch.stored_path = str(keep_rejected(data_dir, batch.id, filename, raw))
    return LandingResult(
        "rejected", batch.id, filename, rows_total, problems=problems, problems_total=problems_total, source=source
    )


def landed_already(session: Session, *, source: str, digest: str, filename: str) -> LandingResult | None:
    """The answer to an identical re-upload: the batch that already landed, with nothing written."""
    existing = find_landed_batch(session, source=source, content_hash=digest)
    return None if existing is None else duplicate_of(existing, filename)


def duplicate_of(batch: Batch, filename: str) -> LandingResult:
    return LandingResult(
        "duplicate", batch.id, filename, batch.rows_total, 0, batch.rows_total, source=batch.source_code
    )


def open_batch(
    session: Session,
    *,
    source: str,
    filename: str,
    digest: str,
    fmt: str,
    now: dt.datetime,
    rows_total: int = 0,
    user_id: int | None = None,
    synthetic: bool = False,
    note: str | None = None,
) -> tuple[Batch, SessionTransaction] | LandingResult:
    """A landed Batch row inside a new savepoint that will also hold its rows: commit it, or roll it back.

    If an identical batch of the source landed between our check and this insert (the unique index on landed
    content), that batch wins and the answer is a duplicate, with nothing left written.
    """
    batch = Batch(source_code=source, filename=filename[:255], content_hash=digest, format=fmt, status="landed",
                  rows_total=rows_total, submitted_by=user_id, received_at=now, landed_at=now, synthetic=synthetic,
                  note=note)  # fmt: skip
    landing = session.begin_nested()
    try:
        with session.begin_nested():
            session.add(batch)
            session.flush()
    except IntegrityError:
        landing.rollback()
        winner = find_landed_batch(session, source=source, content_hash=digest)
        if winner is None:
            raise
        return duplicate_of(winner, filename)
    return batch, landing


def land_observations(
    session: Session,
    *,
    source: str,
    filename: str,
    raw,
    reference: Reference,
    now: dt.datetime,
    data_dir: Path | None = None,
    user_id: int | None = None,
    synthetic: bool = False,
    note: str | None = None,
    scope: frozenset[str] | None = None,
    sheet: str | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    progress: Progress | None = None,
) -> LandingResult:
    """Land a tidy batch whole, or record it as rejected with every problem; `raw` may be bytes or an mmap."""
    digest = content_hash(raw)
    duplicate = landed_already(session, source=source, digest=digest, filename=filename)
    if duplicate is not None:
        return duplicate
    common = {"source": source, "filename": filename, "raw": raw, "digest": digest, "now": now}
    common |= {"data_dir": data_dir, "user_id": user_id, "synthetic": synthetic, "note": note}
    try:
        stream = open_observations(
            raw, filename=filename, reference=reference, source=source, sheet=sheet, scope=scope, chunk_rows=chunk_rows
        )
    except UnreadableInput as exc:
        return record_rejected(
            session, **common, problems=exc.problems, problems_total=len(exc.problems), rows_total=0, rows_rejected=0
        )
    # One savepoint holds the batch row and its rows: a refused batch rolls it back and is recorded instead.
    opened = open_batch(session, source=source, filename=filename, digest=digest, fmt=stream.table.format, now=now,
                        user_id=user_id, synthetic=synthetic, note=note)  # fmt: skip
    if isinstance(opened, LandingResult):
        return opened
    batch, landing = opened
    try:
        with ObservationWriter(session, batch_id=batch.id, vintage=now) as writer:
            for chunk in stream:
                if stream.problems_total == 0:
                    writer.add(chunk)
                if progress is not None:
                    progress(stream.table.rows_read, stream.table.rows_estimate)
        if stream.ok:
            landed, unchanged = writer.settle()
    except BaseException:
        landing.rollback()
        raise
    if not stream.ok:
        landing.rollback()
        return record_rejected(
            session,
            **common,
            problems=stream.problems,
            problems_total=stream.problems_total,
            rows_total=stream.rows_total,
            rows_rejected=stream.rows_rejected,
            fmt=stream.table.format,
        )
    batch.rows_total, batch.rows_landed, batch.rows_unchanged = stream.rows_total, landed, unchanged
    landing.commit()
    return LandingResult("landed", batch.id, filename, stream.rows_total, landed, unchanged, source=source)


def keep_rejected(data_dir: Path, batch_id: int, filename: str, raw) -> Path:
    safe = re.sub(r"[^\w.\-]+", "_", Path(filename).name)[:120] or "upload"
    folder = data_dir / "rejected"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{batch_id:08d}-{safe}"
    path.write_bytes(raw)
    return path
