"""A live labourwatch API over a real HTTP server, on a database of its own holding the api_world.

    with live_api(template_db, folder) as api:
        api.get("/api/v1/me", api.world.key("zhuzhou", "analyst"))

The thresholds file is a copy in `folder` (PUT /thresholds rewrites it), and the rate limit is set high so
that only the tests that mean to hit it do.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from service.api import create_app
from service.config import Settings
from testkit.api_world import World, build_world
from testkit.databases import TestDatabase, clone, discard
from testkit.server import serve

RULES = Path(__file__).resolve().parents[2] / "thresholds.yaml"


@dataclass
class LiveApi:
    base: str
    world: World
    engine: Engine
    settings: Settings
    client: httpx.Client

    def request(self, method: str, path: str, key: str | None = None, **kw) -> httpx.Response:
        headers = {**kw.pop("headers", {}), **({"Authorization": f"Bearer {key}"} if key else {})}
        return self.client.request(method, self.base + path, headers=headers, **kw)

    def get(self, path: str, key: str | None = None, **params) -> httpx.Response:
        return self.request("GET", path, key, params=params)


@contextmanager
def live_api(template: TestDatabase, folder: Path, **settings) -> Iterator[LiveApi]:
    db = clone(template, folder)
    rules = folder / "thresholds.yaml"
    shutil.copyfile(RULES, rules)
    engine = db.engine()
    try:
        with Session(engine) as s, s.begin():
            world = build_world(s, rules_path=rules)
        config = Settings(
            database_url=db.url,
            thresholds_path=rules,
            data_dir=folder / "var",
            rate_limit_per_second=settings.pop("rate_limit_per_second", 10_000.0),
            rate_limit_burst=settings.pop("rate_limit_burst", 100_000),
            auth_failures_burst=settings.pop("auth_failures_burst", 100_000),
            **settings,
        )
        app = create_app(config, engine=engine)
        with serve(app) as base, httpx.Client(timeout=60) as client:
            yield LiveApi(base, world, engine, config, client)
    finally:
        engine.dispose()
        discard(db)
