"""The social-insurance SQL source: read-only queries against the agency's database, landed like a file drop.

    LABOURWATCH_SOCIAL_INSURANCE_SQL_URL=postgresql://reader@si-db/si
    LABOURWATCH_SOCIAL_INSURANCE_SQL_QUERY="SELECT region_code, period, indicator, value FROM si_regional_monthly"
    LABOURWATCH_HEADCOUNT_SQL_QUERY="SELECT credit_code, name, region_code, industry, period, insured FROM ..."

The result of each query is written as a canonical CSV (its column names as the header, dates as YYYY-MM) and
landed through the same path as an uploaded file (tidy observations of source social_insurance; enterprise
headcounts), so validation, whole-or-nothing landing, vintages and the rejected-file report are the same, and
a pull whose result has not changed is recognised by its content hash and changes nothing.

Read-only on our side too: SQLite is opened with mode=ro, PostgreSQL sessions have default_transaction_read_only,
MySQL/MariaDB sessions are set READ ONLY, and every transaction is rolled back. Give the account only SELECT.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from service.config import Settings
from service.db.engine import make_engine, make_sessionmaker
from service.enterprises import land_headcounts
from service.landing import land_observations
from service.registry import load_registry
from service.registry.reference import reference_for
from service.sources.errors import SqlSourceError

__all__ = ["pull_social_insurance", "query_as_csv", "read_only_engine"]


def read_only_engine(url: str) -> Engine:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        database = parsed.database or ""
        return create_engine(f"sqlite:///file:{database}?mode=ro&uri=true")
    if backend == "postgresql":
        if parsed.drivername in ("postgresql", "postgres"):
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, connect_args={"options": "-c default_transaction_read_only=on"})
    engine = create_engine(parsed)
    if backend in ("mysql", "mariadb"):

        @event.listens_for(engine, "connect")
        def _read_only(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("SET SESSION TRANSACTION READ ONLY")
            cursor.close()

    return engine


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return f"{value.year}-{value.month:02d}"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def query_as_csv(url: str, query: str) -> tuple[bytes, int]:
    """Run `query` read-only; its result as canonical CSV bytes and the number of rows."""
    engine = read_only_engine(url)
    try:
        with engine.connect() as conn:
            result = conn.execute(text(query))
            buf = io.StringIO()
            writer = csv.writer(buf, lineterminator="\n")
            writer.writerow(list(result.keys()))
            n = 0
            for row in result:
                writer.writerow([_cell(v) for v in row])
                n += 1
            conn.rollback()
    except SQLAlchemyError as exc:
        raise SqlSourceError(f"social-insurance SQL source: {type(exc).__name__}: {exc}") from exc
    finally:
        engine.dispose()
    return buf.getvalue().encode("utf-8"), n


def pull_social_insurance(settings: Settings, *, now: dt.datetime) -> dict:
    """Land the regional aggregates (and the enterprise headcounts, if that query is set); refusals raise."""
    reference = reference_for(load_registry(settings.province_codes), today=now.date())
    pulls = [("social_insurance", settings.social_insurance_sql_query)]
    if settings.headcount_sql_query:
        pulls.append(("enterprise_headcount", settings.headcount_sql_query))
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    out, refused = {}, []
    try:
        for source, query in pulls:
            raw, rows = query_as_csv(settings.social_insurance_sql_url, query)
            filename = f"sql-{source}-{now:%Y%m%d}.csv"
            common = {"filename": filename, "raw": raw, "reference": reference, "now": now}
            common["data_dir"] = settings.data_dir
            with sessions() as s, s.begin():
                if source == "enterprise_headcount":
                    result = land_headcounts(s, **common)
                else:
                    result = land_observations(s, source=source, **common)
            out[source] = {k: v for k, v in result.as_dict().items() if k != "problems"} | {"rows_read": rows}
            if result.status == "rejected":
                refused.append(f"{source} (batch {result.batch_id}): {result.problems[0] if result.problems else ''}")
    finally:
        engine.dispose()
    if refused:
        raise SqlSourceError("SQL source batch refused: " + "; ".join(refused))
    return out
