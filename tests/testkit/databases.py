"""Real test databases: a migrated SQLite file and a uniquely named PostgreSQL database per test session.

PostgreSQL comes from LABOURWATCH_TEST_POSTGRES_URL (default: the `test` database on 127.0.0.1:5432, trust auth).
If it is not reachable the tests fail loudly; they never skip to green.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from service.db.engine import make_engine
from service.db.migrate import upgrade
from service.registry import load_registry
from service.registry.sync import sync_registry

ADMIN_URL = os.environ.get("LABOURWATCH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PROVINCES = ("430000",)


@dataclass
class TestDatabase:
    backend: str  # sqlite, postgresql
    url: str

    def engine(self) -> Engine:
        return make_engine(self.url)


def _prepare(url: str) -> None:
    """Migrate to head and load the registries, as `labourwatch db upgrade` does."""
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        sync_registry(session, load_registry(PROVINCES))
    engine.dispose()


def _admin_engine() -> Engine:
    return make_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")


def create_postgres(prefix: str = "lw_test") -> TestDatabase:
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    return TestDatabase("postgresql", url)


def clone_postgres(template: TestDatabase) -> TestDatabase:
    name = f"lw_test_{uuid.uuid4().hex[:12]}"
    src = make_url(template.url).database
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{src}"'))
    admin.dispose()
    return TestDatabase("postgresql", make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False))


def drop_postgres(db: TestDatabase) -> None:
    name = make_url(db.url).database
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def template_database(backend: str, folder: Path) -> TestDatabase:
    if backend == "sqlite":
        db = TestDatabase("sqlite", f"sqlite:///{folder / 'template.db'}")
    else:
        db = create_postgres("lw_tmpl")
    _prepare(db.url)
    return db


def clone(template: TestDatabase, folder: Path) -> TestDatabase:
    if template.backend == "sqlite":
        src = Path(make_url(template.url).database)
        dst = folder / f"db-{uuid.uuid4().hex[:8]}.db"
        shutil.copyfile(src, dst)
        return TestDatabase("sqlite", f"sqlite:///{dst}")
    return clone_postgres(template)


def discard(db: TestDatabase) -> None:
    if db.backend == "postgresql":
        drop_postgres(db)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)
