"""Where every figure came from: the batches (with their vintages) and forecast runs a report read. Pure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from service.reports.snapshot import Snapshot

__all__ = ["BatchSource", "Provenance", "provenance"]


@dataclass(frozen=True)
class BatchSource:
    id: int
    source_code: str
    filename: str
    vintage: dt.datetime | None  # when its figures became known (landed)
    rows: int
    synthetic: bool
    note: str | None


@dataclass(frozen=True)
class Provenance:
    as_of: dt.datetime
    batches: list[BatchSource]
    forecast_run: tuple[int, dt.datetime, str] | None  # id, data as of, model(s)
    past_forecast_run: tuple[int, dt.datetime, str] | None

    @property
    def synthetic(self) -> bool:
        return any(b.synthetic for b in self.batches)


def _run(frame: pd.DataFrame) -> tuple[int, dt.datetime, str] | None:
    if frame.empty:
        return None
    models = ", ".join(sorted(set(frame["model"].astype(str))))
    return int(frame["run_id"].iloc[0]), frame["data_as_of"].iloc[0], models


def provenance(snap: Snapshot) -> Provenance:
    b = snap.batches
    return Provenance(
        as_of=snap.as_of,
        batches=[
            BatchSource(
                id=int(r.id),
                source_code=r.source_code,
                filename=r.filename,
                vintage=None if pd.isna(r.landed_at) else r.landed_at,
                rows=int(r.rows_landed or 0),
                synthetic=bool(r.synthetic),
                note=r.note,
            )
            for r in b.itertuples(index=False)
        ],
        forecast_run=_run(snap.forecasts),
        past_forecast_run=_run(snap.past_forecasts),
    )
