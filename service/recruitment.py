"""Landing recruitment feed pages: daily records, monthly totals, and the feed's resume cursor, together.

    result = land_page(session, data=page["data"], cursor=used, next_cursor=page["next_cursor"], ...)

One page is one batch, in the caller's transaction, with the cursor advanced in the same transaction: a pull
broken between pages resumes at the first page that did not land, and a page never lands twice. A page whose
content was seen before (a repeated page) is a duplicate: nothing but the cursor moves. Daily records replace
the same city, occupation and day (a record delivered twice does not count twice). Monthly totals are published
for complete months only (before the month of `now`): the months this page touched, and any complete month
that has daily records but no total yet; unchanged totals are not stored again (vintages).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
from sqlalchemy import delete, insert, select, tuple_
from sqlalchemy.orm import Session

from ingestion.contracts import Reference
from ingestion.recruitment import DailyRecord, check_records, monthly_totals
from ingestion.tidy import content_hash
from service.db.staging import ObservationWriter
from service.db.tables import Observation, RecruitmentDaily, SourceCursor
from service.landing import LandingResult, landed_already, open_batch, record_rejected

__all__ = ["CURSOR_KEY", "SOURCE", "land_page", "load_cursor", "publish_months"]

SOURCE = "recruitment"
CURSOR_KEY = "feed"
_IN_CHUNK = 300


def load_cursor(session: Session) -> str | None:
    row = session.get(SourceCursor, (SOURCE, CURSOR_KEY))
    return row.value if row else None


def _save_cursor(session: Session, value: str | None, now: dt.datetime) -> None:
    if value is None:
        return
    row = session.get(SourceCursor, (SOURCE, CURSOR_KEY))
    if row is None:
        session.add(SourceCursor(source_code=SOURCE, key=CURSOR_KEY, value=value, updated_at=now))
    else:
        row.value, row.updated_at = value, now
    session.flush()


def land_page(
    session: Session,
    *,
    data: list,
    cursor: str | None,
    next_cursor: str | None,
    reference: Reference,
    now: dt.datetime,
    data_dir: Path | None = None,
) -> LandingResult:
    raw = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    digest = content_hash(raw)
    filename = f"recruitment-feed cursor={cursor or 'start'}"[:255]
    duplicate = landed_already(session, source=SOURCE, digest=digest, filename=filename)
    if duplicate is not None:
        _save_cursor(session, next_cursor, now)
        return duplicate
    rows, problems = check_records(data, reference=reference, where=filename)
    if problems:
        return record_rejected(
            session,
            source=SOURCE,
            filename=filename + ".json",
            raw=raw,
            digest=digest,
            problems=problems,
            problems_total=len(problems),
            rows_total=len(data),
            rows_rejected=len({p.row for p in problems}),
            now=now,
            data_dir=data_dir,
            fmt="feed",
        )
    opened = open_batch(session, source=SOURCE, filename=filename, digest=digest, fmt="feed", now=now,
                        rows_total=len(data))  # fmt: skip
    if isinstance(opened, LandingResult):
        _save_cursor(session, next_cursor, now)
        return opened
    batch, landing = opened
    _replace_days(session, rows, batch_id=batch.id, now=now)
    touched = {(r.region_code, r.day.replace(day=1)) for r in rows}
    publish_months(session, touched=touched, batch_id=batch.id, now=now)
    batch.rows_landed = len(rows)  # daily records; the monthly totals they change are observations of this batch
    _save_cursor(session, next_cursor, now)
    landing.commit()
    return LandingResult("landed", batch.id, filename, len(data), len(rows), 0, source=SOURCE)


def _replace_days(session: Session, rows: list[DailyRecord], *, batch_id: int, now: dt.datetime) -> None:
    d = RecruitmentDaily
    keys = [(r.region_code, r.occupation, r.day) for r in rows]
    for i in range(0, len(keys), _IN_CHUNK):
        session.execute(delete(d).where(tuple_(d.region_code, d.occupation, d.day).in_(keys[i : i + _IN_CHUNK])))
    if rows:
        session.execute(
            insert(d),
            [
                {
                    "region_code": r.region_code,
                    "occupation": r.occupation,
                    "day": r.day,
                    "postings": r.postings,
                    "seekers": r.seekers,
                    "batch_id": batch_id,
                    "updated_at": now,
                }
                for r in rows
            ],
        )


def publish_months(
    session: Session, *, touched: set[tuple[str, dt.date]], batch_id: int, now: dt.datetime
) -> tuple[int, int]:
    """Land monthly totals for complete months among `touched` and complete months still without a total."""
    this_month = now.date().replace(day=1)
    d = RecruitmentDaily
    pending = {
        (region, day.replace(day=1))
        for region, day in session.execute(select(d.region_code, d.day).where(d.day < this_month).distinct())
    }
    published = set(
        session.execute(
            select(Observation.region_code, Observation.period)
            .where(Observation.indicator_code == "job_postings", Observation.occupation == "total")
            .distinct()
        ).all()
    )
    months = {(r, m) for r, m in touched if m < this_month} | (pending - published)
    if not months:
        return 0, 0
    daily = []
    for region, month in sorted(months):
        end = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        daily += [
            DailyRecord(r.region_code, r.occupation, r.day, r.postings, r.seekers)
            for r in session.scalars(select(d).where(d.region_code == region, d.day >= month, d.day < end))
        ]
    totals = monthly_totals(daily)
    table = pa.Table.from_pylist(totals).cast(
        pa.schema(
            [
                ("region_code", pa.string()),
                ("indicator_code", pa.string()),
                ("period", pa.date32()),
                ("population_group", pa.string()),
                ("occupation", pa.string()),
                ("value", pa.float64()),
                ("sample_size", pa.int64()),
            ]
        )
    )
    with ObservationWriter(session, batch_id=batch_id, vintage=now) as writer:
        writer.add(table)
    return writer.settle()
