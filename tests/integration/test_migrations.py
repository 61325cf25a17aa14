"""Migrations upgrade and downgrade cleanly on both databases, and the schema matches the ORM tables."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from service.db.migrate import downgrade, upgrade
from service.db.tables import Base


def test_round_trip_and_no_drift(fresh_db):
    engine = fresh_db.engine()
    try:
        downgrade(fresh_db.url, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(fresh_db.url)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == [], f"tables.py and migrations/ disagree: {diff}"
        assert {"observations", "alerts", "outbox", "audit_log"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
