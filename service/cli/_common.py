"""Helpers shared by CLI modules: settings from the click context, sessions, the clock, errors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy.orm import Session

from service.config import Settings
from service.db.engine import make_engine, make_sessionmaker

__all__ = ["now", "settings_of", "transaction"]


def settings_of(ctx: click.Context) -> Settings:
    root = ctx.find_root()
    if not isinstance(root.obj, Settings):
        try:
            root.obj = Settings()
        except ValueError as exc:
            raise click.ClickException(f"bad configuration: {exc}") from exc
    return root.obj


@contextmanager
def transaction(settings: Settings) -> Iterator[Session]:
    """One session in one transaction: committed on success, rolled back on any error."""
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine)() as session, session.begin():
            yield session
    finally:
        engine.dispose()


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
