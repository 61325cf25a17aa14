"""Queries: functions that take a session and return values. They never commit; the caller owns the transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
import pyarrow as pa
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.db.staging import ROW_COLUMNS, ObservationWriter
from service.db.tables import Batch, Observation, Region

__all__ = [
    "SERIES_KEY",
    "find_landed_batch",
    "insert_observations",
    "latest_forecast_series",
    "observations_as_of",
    "subtree_codes",
]

SERIES_KEY = ["region_code", "indicator_code", "population_group", "occupation", "period"]


def find_landed_batch(session: Session, *, source: str, content_hash: str) -> Batch | None:
    return session.scalar(
        select(Batch).where(Batch.source_code == source, Batch.content_hash == content_hash, Batch.status == "landed")
    )


def subtree_codes(session: Session, *, region_code: str) -> list[str]:
    """The region and every region below it, by the materialised path."""
    path = session.scalar(select(Region.path).where(Region.code == region_code))
    if path is None:
        return []
    return list(session.scalars(select(Region.code).where((Region.path == path) | Region.path.like(path + "/%"))))


def observations_as_of(
    session: Session,
    *,
    as_of: dt.datetime,
    indicators: Sequence[str] | None = None,
    regions: Sequence[str] | None = None,
    population_groups: Sequence[str] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> pd.DataFrame:
    """The figures as they were known at `as_of`: for each series and period, the latest vintage not after it."""
    o = Observation
    rank = (
        func.row_number()
        .over(
            partition_by=(o.region_code, o.indicator_code, o.population_group, o.occupation, o.period),
            order_by=(o.vintage.desc(), o.id.desc()),
        )
        .label("rank")
    )
    cols = [
        o.region_code,
        o.indicator_code,
        o.population_group,
        o.occupation,
        o.period,
        o.value,
        o.sample_size,
        o.batch_id,
        o.vintage,
    ]
    q = select(*cols, rank).where(o.vintage <= as_of)
    if indicators is not None:
        q = q.where(o.indicator_code.in_(list(indicators)))
    if regions is not None:
        q = q.where(o.region_code.in_(list(regions)))
    if population_groups is not None:
        q = q.where(o.population_group.in_(list(population_groups)))
    if start is not None:
        q = q.where(o.period >= start)
    if end is not None:
        q = q.where(o.period <= end)
    sub = q.subquery()
    rows = session.execute(select(*[sub.c[c.key] for c in cols]).where(sub.c.rank == 1)).all()
    frame = pd.DataFrame(rows, columns=[c.key for c in cols])
    if not frame.empty:
        frame = frame.sort_values(SERIES_KEY, kind="stable").reset_index(drop=True)
    return frame


def insert_observations(
    session: Session, *, batch_id: int, frame: pd.DataFrame, vintage: dt.datetime
) -> tuple[int, int]:
    """Add the rows of `frame` that change what is known; return (rows added, rows unchanged).

    A figure equal to the one already in force is not stored again; a different figure for a published period
    becomes a new vintage beside the old one, never over it. Large batches stream through
    `service.db.staging.ObservationWriter` chunk by chunk (PostgreSQL COPY); this is the same path for a
    frame already in memory.
    """
    if frame.empty:
        return 0, 0
    columns = frame[list(ROW_COLUMNS)].astype({"sample_size": "Int64"})
    with ObservationWriter(session, batch_id=batch_id, vintage=vintage) as writer:
        writer.add(pa.Table.from_pandas(columns, preserve_index=False))
    return writer.settle()


def latest_forecast_series(
    session: Session,
    *,
    indicators: Sequence[str],
    regions: Sequence[str] | None = None,
    groups: Sequence[str] | None = None,
    as_of: dt.datetime | None = None,
    strictly_before: bool = False,
) -> list[int]:
    """Ids of each series' latest forecast (region, indicator, group) from succeeded runs that saw data by `as_of`.

    Per series, not per run: a run over one region or indicator must not hide every other series' forecast.
    """
    from service.db.tables import ForecastRun, ForecastSeries

    s, r = ForecastSeries, ForecastRun
    q = (
        select(func.max(s.id))
        .join(r, r.id == s.run_id)
        .where(r.status == "succeeded", s.indicator_code.in_(list(indicators)))
        .group_by(s.region_code, s.indicator_code, s.population_group)
    )
    if regions is not None:
        q = q.where(s.region_code.in_(list(regions)))
    if groups is not None:
        q = q.where(s.population_group.in_(list(groups)))
    if as_of is not None:
        q = q.where(r.data_as_of < as_of if strictly_before else r.data_as_of <= as_of)
    return list(session.scalars(q))
