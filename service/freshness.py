"""Per-source freshness: the last good batch, the cadence the source promises, and whether it is overdue.

    for f in source_freshness(session, now=now):
        f.source, f.last_landed_at, f.due_at, f.overdue

A source is overdue when its last landed batch is older than its cadence plus grace (both from the registry's
`sources` list), or when it has never delivered. Event-driven sources (cadence 0: layoff filings) are never
overdue. The rule is the same as the `labourwatch_source_overdue` metric's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.db.tables import Batch, Source

__all__ = ["Freshness", "source_freshness"]


@dataclass(frozen=True)
class Freshness:
    source: str
    name_zh: str
    name_en: str
    cadence_days: int
    grace_days: int
    last_batch_id: int | None
    last_landed_at: dt.datetime | None
    age_seconds: float | None
    due_at: dt.datetime | None  # when the next batch is expected (last + cadence)
    overdue_at: dt.datetime | None  # when it counts as overdue (last + cadence + grace)
    overdue: bool
    event_driven: bool

    def as_dict(self) -> dict:
        return asdict(self)


def source_freshness(session: Session, *, now: dt.datetime) -> list[Freshness]:
    latest = (
        select(Batch.source_code, func.max(Batch.id).label("batch_id"))
        .where(Batch.status == "landed")
        .group_by(Batch.source_code)
        .subquery()
    )
    last = {
        source: (batch_id, landed_at)
        for source, batch_id, landed_at in session.execute(
            select(latest.c.source_code, latest.c.batch_id, Batch.landed_at).join(Batch, Batch.id == latest.c.batch_id)
        )
    }
    out = []
    for src in session.scalars(select(Source).order_by(Source.code)):
        batch_id, landed_at = last.get(src.code, (None, None))
        event_driven = src.cadence_days <= 0
        due = overdue_at = None
        if landed_at is not None and not event_driven:
            due = landed_at + dt.timedelta(days=src.cadence_days)
            overdue_at = due + dt.timedelta(days=src.grace_days)
        overdue = not event_driven and (landed_at is None or now > overdue_at)
        out.append(
            Freshness(
                source=src.code,
                name_zh=src.name_zh,
                name_en=src.name_en,
                cadence_days=src.cadence_days,
                grace_days=src.grace_days,
                last_batch_id=batch_id,
                last_landed_at=landed_at,
                age_seconds=(now - landed_at).total_seconds() if landed_at else None,
                due_at=due,
                overdue_at=overdue_at,
                overdue=overdue,
                event_driven=event_driven,
            )
        )
    return out
