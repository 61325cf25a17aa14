"""Bulk landing of observations: stream validated rows straight into `observations`, then keep only news.

    with ObservationWriter(session, batch_id=batch.id, vintage=now) as writer:
        for chunk in validated_chunks:
            writer.add(chunk)               # PostgreSQL: one COPY ... FROM STDIN; SQLite: executemany
    added, unchanged = writer.settle()      # drop rows that repeat the figure in force at `vintage`

Why this shape: on PostgreSQL the rows go through a single COPY fed by a writer thread, so the server inserts
one chunk while Python validates the next (two cores, both busy), and there is no staging copy. Whole-or-nothing
comes from the caller's transaction (landing.py wraps the writes in a savepoint and rolls it back when a later
chunk turns out bad; a killed process never commits). After the COPY, `settle()` deletes this batch's rows
that equal the latest earlier vintage of the same series and period: a figure already known is not stored
twice, a revised one stays as a new vintage. When nothing earlier overlaps the batch's indicators and periods
(the usual new month) that step is one indexed probe.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from sqlalchemy import Date, bindparam, text
from sqlalchemy.orm import Session

from service.db.types import UTCDateTime

__all__ = ["ROW_COLUMNS", "ObservationWriter", "UnknownReference"]

ROW_COLUMNS = ("region_code", "indicator_code", "period", "population_group", "occupation", "value", "sample_size")
_COLUMNS = (*ROW_COLUMNS, "batch_id", "vintage")
_KEY = ("indicator_code", "region_code", "population_group", "occupation", "period")
_PIECE = 64 * 1024  # bytes per write: the COPY writer's queue (1024 pieces) then holds at most 64 MiB
_REFERENCES = {
    "region_code": ("regions", "code"),
    "indicator_code": ("indicators", "code"),
    "population_group": ("population_groups", "code"),
}  # bytes per write to the COPY stream

_OVERLAP = """
SELECT 1 FROM observations
WHERE indicator_code IN :indicators AND period BETWEEN :lo AND :hi AND batch_id <> :batch_id AND vintage <= :vintage
LIMIT 1
"""
# This batch's rows whose figure equals the latest earlier vintage of the same series and period.
_UNCHANGED = """
DELETE FROM observations WHERE id IN (
    SELECT n.id FROM observations n JOIN (
        SELECT o.indicator_code, o.region_code, o.population_group, o.occupation, o.period, o.value, o.sample_size,
               ROW_NUMBER() OVER (
                   PARTITION BY o.indicator_code, o.region_code, o.population_group, o.occupation, o.period
                   ORDER BY o.vintage DESC, o.id DESC
               ) AS rn
        FROM observations o
        WHERE o.batch_id <> :batch_id AND o.vintage <= :vintage
          AND o.indicator_code IN :indicators AND o.period BETWEEN :lo AND :hi
    ) p ON p.rn = 1 AND p.indicator_code = n.indicator_code AND p.region_code = n.region_code
       AND p.population_group = n.population_group AND p.occupation = n.occupation AND p.period = n.period
    WHERE n.batch_id = :batch_id AND p.value = n.value
      AND COALESCE(p.sample_size, -1) = COALESCE(n.sample_size, -1)
)
"""


class UnknownReference(LookupError):
    """A row names a region, indicator or group the reference tables do not have (validation should have caught
    it: the registry and the database disagree). The caller's transaction must roll back."""


class ObservationWriter:
    def __init__(self, session: Session, *, batch_id: int, vintage: dt.datetime) -> None:
        self.connection = session.connection()
        self.dialect = self.connection.dialect
        self.batch_id, self.vintage = batch_id, vintage
        self.rows = 0
        self.codes: dict[str, set[str]] = {"region_code": set(), "indicator_code": set(), "population_group": set()}
        self.lo: dt.date | None = None
        self.hi: dt.date | None = None
        self._copy_cm = None
        self._copy = None
        self._cursor = None
        stored = UTCDateTime().bind_processor(self.dialect)
        self._vintage_text = str(stored(vintage)) if stored else vintage.isoformat()
        if self.dialect.name == "postgresql":
            self._vintage_text = vintage.astimezone(dt.UTC).isoformat()

    def __enter__(self) -> ObservationWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close(*exc)

    def add(self, chunk: pa.Table) -> None:
        if not chunk.num_rows:
            return
        table = chunk.select(list(ROW_COLUMNS))
        if self.dialect.name == "postgresql":
            self._write_copy(table)
        else:
            self._write_rows(table)
        self.rows += table.num_rows
        for column, seen in self.codes.items():
            seen.update(pc.unique(table[column]).to_pylist())
        lo, hi = (v.as_py() for v in pc.min_max(table["period"]).values())
        self.lo = lo if self.lo is None else min(self.lo, lo)
        self.hi = hi if self.hi is None else max(self.hi, hi)

    def _write_copy(self, table: pa.Table) -> None:
        if self._copy is None:
            from psycopg.copy import QueuedLibpqWriter

            cursor = self._cursor = self.connection.connection.driver_connection.cursor()
            self._copy_cm = cursor.copy(
                f"COPY observations ({', '.join(_COLUMNS)}) FROM STDIN (FORMAT csv)",
                writer=QueuedLibpqWriter(cursor),
            )
            self._copy = self._copy_cm.__enter__()
        n = table.num_rows
        # Rows in key order make the B-tree inserts local (about a third cheaper than file order).
        table = table.sort_by([(k, "ascending") for k in _KEY])
        table = table.append_column("batch_id", pa.array([self.batch_id] * n, pa.int64()))
        table = table.append_column("vintage", pa.array([self._vintage_text] * n, pa.string()))
        out = pa.BufferOutputStream()
        pa_csv.write_csv(table, out, write_options=pa_csv.WriteOptions(include_header=False, quoting_style="needed"))
        data = memoryview(out.getvalue())
        for start in range(0, len(data), _PIECE):
            self._copy.write(bytes(data[start : start + _PIECE]))

    def _write_rows(self, table: pa.Table) -> None:
        columns = [
            pc.cast(table[c], pa.string()).to_pylist() if c == "period" else table[c].to_pylist() for c in ROW_COLUMNS
        ]
        n = table.num_rows
        columns += [[self.batch_id] * n, [self._vintage_text] * n]
        marks = ", ".join("?" * len(_COLUMNS))
        self.connection.exec_driver_sql(
            f"INSERT INTO observations ({', '.join(_COLUMNS)}) VALUES ({marks})", list(zip(*columns, strict=True))
        )

    def close(self, *exc) -> None:
        """Finish the COPY (waits for the server to take the last rows), or abort it on an error; idempotent."""
        if self._copy_cm is not None:
            cm, self._copy_cm, self._copy = self._copy_cm, None, None
            try:
                cm.__exit__(*(exc or (None, None, None)))
            finally:
                self._cursor.close()
                self._cursor = None

    def settle(self) -> tuple[int, int]:
        """Remove rows that repeat the figure in force; return (rows added, rows unchanged)."""
        self.close()
        if not self.rows:
            return 0, 0
        params = {
            "batch_id": self.batch_id,
            "vintage": self.vintage,
            "lo": self.lo,
            "hi": self.hi,
            "indicators": sorted(self.codes["indicator_code"]),
        }
        self._check_references()
        unchanged = 0
        if self._execute(_OVERLAP, params).first() is not None:
            unchanged = self._execute(_UNCHANGED, params).rowcount
        return self.rows - unchanged, unchanged

    def _check_references(self) -> None:
        """The batch's distinct region, indicator and group codes exist (what per-row foreign keys would check)."""
        for column, (table, key) in _REFERENCES.items():
            wanted = sorted(self.codes[column])
            found = set(
                self.connection.execute(
                    text(f"SELECT {key} FROM {table} WHERE {key} IN :codes").bindparams(
                        bindparam("codes", expanding=True)
                    ),
                    {"codes": wanted},
                ).scalars()
            )
            missing = [c for c in wanted if c not in found]
            if missing:
                raise UnknownReference(f"observations.{column} refers to unknown {table}: {missing[:10]}")

    def _execute(self, sql: str, params: dict):
        binds = [
            bindparam("vintage", type_=UTCDateTime()),
            bindparam("lo", type_=Date()),
            bindparam("hi", type_=Date()),
            bindparam("indicators", expanding=True),
        ]
        statement = text(sql).bindparams(*[b for b in binds if f":{b.key}" in sql])
        return self.connection.execute(statement, params)
