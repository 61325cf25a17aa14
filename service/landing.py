"""Landing a batch: parse, refuse or accept whole, recognise identical re-uploads, keep refused input.

    result = land_observations(session, source="survey", filename=..., raw=..., reference=..., now=now)
    result.status   # "landed", "duplicate" or "rejected"

The caller owns the transaction: the batch row and all its observations commit together or not at all.
A refused batch commits only its Batch row (status "rejected", with the problem report) and its file kept
under data_dir/rejected/ for inspection.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ingestion.contracts import Reference
from ingestion.errors import RowProblem
from ingestion.tidy import parse_observations
from service.db.queries import find_landed_batch, insert_observations
from service.db.tables import Batch

__all__ = ["MAX_REPORTED_PROBLEMS", "LandingResult", "land_observations"]

MAX_REPORTED_PROBLEMS = 1000  # a report longer than this stores the first ones and the count


@dataclass
class LandingResult:
    status: str  # landed, duplicate, rejected
    batch_id: int
    filename: str
    rows_total: int = 0
    rows_landed: int = 0
    rows_unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "status": self.status,
            "batch_id": self.batch_id,
            "filename": self.filename,
            "rows_total": self.rows_total,
            "rows_landed": self.rows_landed,
            "rows_unchanged": self.rows_unchanged,
            "problems": [p.as_dict() for p in self.problems[:MAX_REPORTED_PROBLEMS]],
            "problems_total": len(self.problems),
        }


def land_observations(
    session: Session,
    *,
    source: str,
    filename: str,
    raw: bytes,
    reference: Reference,
    now: dt.datetime,
    data_dir: Path | None = None,
    user_id: int | None = None,
    synthetic: bool = False,
    note: str | None = None,
) -> LandingResult:
    parsed = parse_observations(raw, filename=filename, reference=reference, source=source)
    existing = find_landed_batch(session, source=source, content_hash=parsed.content_hash)
    if existing is not None:
        return LandingResult("duplicate", existing.id, filename, existing.rows_total, 0, existing.rows_total)

    batch = Batch(
        source_code=source,
        filename=filename[:255],
        content_hash=parsed.content_hash,
        format=parsed.format,
        status="rejected" if parsed.problems else "landed",
        rows_total=parsed.rows_total,
        rows_rejected=len({p.row for p in parsed.problems}) if parsed.problems else 0,
        error_report=[p.as_dict() for p in parsed.problems[:MAX_REPORTED_PROBLEMS]] or None,
        submitted_by=user_id,
        received_at=now,
        landed_at=None if parsed.problems else now,
        synthetic=synthetic,
        note=note,
    )
    if parsed.problems:
        session.add(batch)
        session.flush()
        if data_dir is not None:
            batch.stored_path = str(_keep_rejected(data_dir, batch.id, filename, raw))
        return LandingResult("rejected", batch.id, filename, parsed.rows_total, problems=parsed.problems)

    try:
        with session.begin_nested():
            session.add(batch)
            session.flush()
    except IntegrityError:
        # Another upload of the same file landed between our check and our insert: it wins, we are a duplicate.
        winner = find_landed_batch(session, source=source, content_hash=parsed.content_hash)
        if winner is None:
            raise
        return LandingResult("duplicate", winner.id, filename, winner.rows_total, 0, winner.rows_total)
    landed, unchanged = insert_observations(session, batch_id=batch.id, frame=parsed.frame, vintage=now)
    batch.rows_landed, batch.rows_unchanged = landed, unchanged
    return LandingResult("landed", batch.id, filename, parsed.rows_total, landed, unchanged)


def _keep_rejected(data_dir: Path, batch_id: int, filename: str, raw: bytes) -> Path:
    safe = re.sub(r"[^\w.\-]+", "_", Path(filename).name)[:120] or "upload"
    folder = data_dir / "rejected"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{batch_id:08d}-{safe}"
    path.write_bytes(raw)
    return path
