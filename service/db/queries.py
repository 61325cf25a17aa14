"""Queries: functions that take a session and return values. They never commit; the caller owns the transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from service.db.tables import Batch, Observation, Region

__all__ = [
    "SERIES_KEY",
    "find_landed_batch",
    "insert_observations",
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
    becomes a new vintage beside the old one, never over it.
    """
    if frame.empty:
        return 0, 0
    current = observations_as_of(
        session,
        as_of=vintage,
        indicators=sorted(frame["indicator_code"].unique()),
        regions=sorted(frame["region_code"].unique()),
        start=min(frame["period"]),
        end=max(frame["period"]),
    )
    incoming = frame.copy()
    if not current.empty:
        merged = incoming.merge(
            current[[*SERIES_KEY, "value", "sample_size"]], on=SERIES_KEY, how="left", suffixes=("", "_old")
        )
        same_value = np.isclose(merged["value"], merged["value_old"], rtol=1e-12, atol=0.0)
        same_sample = (
            merged["sample_size"].fillna(-1).astype("int64").eq(merged["sample_size_old"].fillna(-1).astype("int64"))
        )
        unchanged = same_value & same_sample.to_numpy()
        incoming = incoming[~unchanged].reset_index(drop=True)
    else:
        unchanged = np.zeros(len(incoming), dtype=bool)
    if not incoming.empty:
        rows = [
            {
                "region_code": r.region_code,
                "indicator_code": r.indicator_code,
                "period": r.period,
                "population_group": r.population_group,
                "occupation": r.occupation,
                "value": float(r.value),
                "sample_size": None if pd.isna(r.sample_size) else int(r.sample_size),
                "batch_id": batch_id,
                "vintage": vintage,
            }
            for r in incoming.itertuples(index=False)
        ]
        session.execute(insert(Observation), rows)
    return len(incoming), int(np.count_nonzero(unchanged))
