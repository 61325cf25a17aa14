"""Fixtures every test can use.

Database tests take `db` (a Session inside a rolled-back savepoint) or `fresh_db` (a whole database of their
own, for tests that run servers or other processes). Both are parametrised over SQLite and PostgreSQL, so each
such test runs twice: once per backend, with ids [sqlite] and [postgresql].
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from testkit.databases import TestDatabase, clone, discard, template_database

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def template_db(request, tmp_path_factory) -> TestDatabase:
    db = template_database(request.param, tmp_path_factory.mktemp(f"db-{request.param}"))
    yield db
    discard(db)


@pytest.fixture(scope="session")
def engine(template_db, tmp_path_factory):
    # A clone, so the pristine template has no open connections (PostgreSQL refuses to copy a busy template).
    db = clone(template_db, tmp_path_factory.mktemp("session-db"))
    engine = db.engine()
    yield engine
    engine.dispose()
    discard(db)


@pytest.fixture
def db(engine) -> Session:
    """A session whose work is rolled back after the test; commits inside become savepoints."""
    connection = engine.connect()
    outer = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    yield session
    session.close()
    outer.rollback()
    connection.close()


@pytest.fixture
def fresh_db(template_db, tmp_path) -> TestDatabase:
    """A database of the test's own (migrated, registries loaded), dropped afterwards."""
    db = clone(template_db, tmp_path)
    yield db
    discard(db)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"../shared/data is absent ({SHARED_DATA}); real-data tests need it")
    return SHARED_DATA
