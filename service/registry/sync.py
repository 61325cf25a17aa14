"""Write the registry into the database: insert what is new, update what changed, deactivate what left.

Rows are never deleted (observations and alerts refer to them). The caller owns the transaction.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db.tables import Indicator, PopulationGroup, Region, Source
from service.registry.load import Registry

__all__ = ["sync_registry"]


def sync_registry(session: Session, registry: Registry) -> dict[str, int]:
    """Upsert sources, groups, indicators and regions; return counts of rows written per table."""
    counts = {
        "sources": _upsert(session, Source, [s.__dict__ for s in registry.sources]),
        "population_groups": _upsert(session, PopulationGroup, [g.__dict__ for g in registry.groups]),
    }
    indicators = []
    for i in registry.indicators:
        row = {k: v for k, v in i.__dict__.items() if k != "source"}
        row["source_code"] = i.source
        indicators.append(row)
    counts["indicators"] = _upsert(session, Indicator, indicators)
    # Parents before children so foreign keys hold at every flush.
    order = {"province": 0, "city": 1, "county": 2}
    regions = [dict(r.__dict__, active=True) for r in sorted(registry.regions, key=lambda r: order[r.level])]
    counts["regions"] = _upsert(session, Region, regions)
    provinces = {r.code for r in registry.provinces()}
    known = {r.code for r in registry.regions}
    for region in session.scalars(select(Region).where(Region.active.is_(True))):
        # A region of a loaded province that its file no longer lists is retired, not deleted.
        if region.code not in known and region.path.split("/")[0] in provinces:
            region.active = False
            counts["regions"] += 1
    return counts


def _upsert(session: Session, table: type, rows: list[dict]) -> int:
    pk = table.__mapper__.primary_key[0].name
    existing = {getattr(o, pk): o for o in session.scalars(select(table))}
    written = 0
    for row in rows:
        obj = existing.get(row[pk])
        if obj is None:
            session.add(table(**row))  # rows of one table are inserted in the order added
            written += 1
        elif any(getattr(obj, k) != v for k, v in row.items()):
            for k, v in row.items():
                setattr(obj, k, v)
            written += 1
    session.flush()
    return written
