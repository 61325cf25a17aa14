"""Landing enterprise headcount batches: enterprises registered or updated, monthly insured headcounts by vintage.

    result = land_headcounts(session, filename=..., raw=..., reference=..., now=now)

Like land_observations: the caller owns the transaction; a batch lands whole (one savepoint) or is recorded as
rejected with its report and file; an identical file is a duplicate. An enterprise met for the first time is
registered; a known one gets the newest name, region and industry. A headcount equal to the one in force for
that enterprise and month is not stored again; a different one is a new vintage.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
from sqlalchemy import and_, func, insert, select, tuple_
from sqlalchemy.orm import Session

from ingestion.contracts import Reference
from ingestion.errors import UnreadableInput
from ingestion.headcounts import open_headcounts
from ingestion.tidy import content_hash
from service.db.tables import Enterprise, EnterpriseHeadcount
from service.landing import LandingResult, Progress, landed_already, open_batch, record_rejected

__all__ = ["SOURCE", "land_headcounts"]

SOURCE = "enterprise_headcount"
_IN_CHUNK = 500


def land_headcounts(
    session: Session,
    *,
    filename: str,
    raw,
    reference: Reference,
    now: dt.datetime,
    data_dir: Path | None = None,
    user_id: int | None = None,
    scope: frozenset[str] | None = None,
    sheet: str | None = None,
    synthetic: bool = False,
    note: str | None = None,
    progress: Progress | None = None,
) -> LandingResult:
    digest = content_hash(raw)
    duplicate = landed_already(session, source=SOURCE, digest=digest, filename=filename)
    if duplicate is not None:
        return duplicate
    common = {"source": SOURCE, "filename": filename, "raw": raw, "digest": digest, "now": now}
    common |= {"data_dir": data_dir, "user_id": user_id, "synthetic": synthetic, "note": note}
    try:
        stream = open_headcounts(raw, filename=filename, reference=reference, sheet=sheet, scope=scope)
    except UnreadableInput as exc:
        return record_rejected(
            session, **common, problems=exc.problems, problems_total=len(exc.problems), rows_total=0, rows_rejected=0
        )
    chunks = []
    for chunk in stream:
        if stream.problems_total == 0:
            chunks.append(chunk)
        if progress is not None:
            progress(stream.table.rows_read, stream.table.rows_estimate)
    if not stream.ok:
        return record_rejected(
            session,
            **common,
            problems=stream.problems,
            problems_total=stream.problems_total,
            rows_total=stream.rows_total,
            rows_rejected=stream.rows_rejected,
            fmt=stream.table.format,
        )
    rows = pa.concat_tables(chunks).to_pylist()
    opened = open_batch(session, source=SOURCE, filename=filename, digest=digest, fmt=stream.table.format, now=now,
                        rows_total=stream.rows_total, user_id=user_id, synthetic=synthetic, note=note)  # fmt: skip
    if isinstance(opened, LandingResult):
        return opened
    batch, landing = opened
    try:
        _register(session, rows, now=now, synthetic=synthetic)
        added = _insert_changed(session, rows, batch_id=batch.id, vintage=now)
    except BaseException:
        landing.rollback()
        raise
    batch.rows_landed, batch.rows_unchanged = added, len(rows) - added
    landing.commit()
    return LandingResult("landed", batch.id, filename, stream.rows_total, added, len(rows) - added, source=SOURCE)


def _register(session: Session, rows: list[dict], *, now: dt.datetime, synthetic: bool) -> None:
    """Insert enterprises seen for the first time; bring known ones up to the batch's latest month."""
    latest: dict[str, dict] = {}
    for r in sorted(rows, key=lambda r: r["period"]):
        latest[r["credit_code"]] = r
    codes = sorted(latest)
    known: dict[str, Enterprise] = {}
    for i in range(0, len(codes), _IN_CHUNK):
        part = codes[i : i + _IN_CHUNK]
        known.update(
            {e.credit_code: e for e in session.scalars(select(Enterprise).where(Enterprise.credit_code.in_(part)))}
        )
    new = [
        {
            "credit_code": code,
            "name_zh": r["name"][:128],
            "region_code": r["region_code"],
            "industry": r["industry"],
            "industry_zh": (r["industry_name"] or None) and r["industry_name"][:64],
            "synthetic": synthetic,
            "updated_at": now,
        }
        for code, r in latest.items()
        if code not in known
    ]
    if new:
        session.execute(insert(Enterprise), new)
    for code, e in known.items():
        r = latest[code]
        wanted = {"name_zh": r["name"][:128], "region_code": r["region_code"]}
        if r["industry"]:
            wanted["industry"] = r["industry"]
        if any(getattr(e, k) != v for k, v in wanted.items()):
            for k, v in wanted.items():
                setattr(e, k, v)
            e.updated_at = now
    session.flush()


def _insert_changed(session: Session, rows: list[dict], *, batch_id: int, vintage: dt.datetime) -> int:
    """Insert headcounts that differ from the latest earlier vintage for the enterprise and month."""
    keys = sorted({(r["credit_code"], r["period"]) for r in rows})
    current: dict[tuple[str, dt.date], int] = {}
    h = EnterpriseHeadcount
    for i in range(0, len(keys), _IN_CHUNK):
        part = keys[i : i + _IN_CHUNK]
        newest = (
            select(h.credit_code, h.period, func.max(h.vintage).label("vintage"))
            .where(tuple_(h.credit_code, h.period).in_(part), h.vintage <= vintage)
            .group_by(h.credit_code, h.period)
            .subquery()
        )
        q = select(h.credit_code, h.period, h.insured, h.id).join(
            newest,
            and_(h.credit_code == newest.c.credit_code, h.period == newest.c.period, h.vintage == newest.c.vintage),
        )
        for code, period, insured, _ in session.execute(q.order_by(h.id)):
            current[(code, period)] = insured
    fresh = [
        {
            "credit_code": r["credit_code"],
            "period": r["period"],
            "insured": r["insured"],
            "batch_id": batch_id,
            "vintage": vintage,
        }
        for r in rows
        if current.get((r["credit_code"], r["period"])) != r["insured"]
    ]
    if fresh:
        session.execute(insert(EnterpriseHeadcount), fresh)
    return len(fresh)
