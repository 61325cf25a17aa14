"""API and /metrics speed on the synthetic demo world (14 Hunan cities, 2018 to last month), SQLite and PostgreSQL.

    .venv/bin/python -m bench api [--requests 200] [--backends sqlite,postgresql]

Our stack (authentication with the verified-key cache, scope, rate limit, body guard, ETag, metrics middleware,
problem handlers) against a bare FastAPI route running the same query with none of it, over a real HTTP
server (uvicorn in a thread) and one keep-alive client, requests one after another. Also: argon2 key
verification against the cached path, and the time to render /metrics (every domain metric read from the
database at scrape time).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

import httpx
import pandas as pd
from fastapi import FastAPI
from sqlalchemy.orm import Session

from bench._report import write
from service.api import create_app
from service.config import Settings
from service.db.engine import make_sessionmaker
from service.db.queries import observations_as_of
from service.demo.load import demo_accounts, load_world
from service.demo.world import generate_world
from service.jobs import evaluate_rules, forecast
from service.registry import load_registry
from service.registry.reference import reference_for
from service.security.keys import new_api_key, split_key, verify_secret

ROOT = Path(__file__).resolve().parents[1]


def _world(url: str, rules: Path) -> tuple[dict[str, str], str]:
    from service.db.engine import make_engine

    engine = make_engine(url)
    now = dt.datetime.now(dt.UTC)
    registry = load_registry(["430000"])
    month = pd.Period(now.date(), freq="M") - 1
    with Session(engine) as s, s.begin():
        load_world(
            s,
            world=generate_world(end_month=month, seed=2018),
            registry=registry,
            reference=reference_for(registry, today=now.date()),
            now=now,
        )
        keys = demo_accounts(s, now=now)
    with Session(engine) as s, s.begin():
        forecast(s, now=now)
        evaluate_rules(s, now=now, registry=registry, rules_path=rules)
    engine.dispose()
    return keys, f"{month}"


def _bare_app(sessions) -> FastAPI:
    """The peer: the same query behind a plain FastAPI route, no authentication, scope or middleware."""
    app = FastAPI()

    @app.get("/bare/observations")
    def bare(region: str, indicator: str) -> list[dict]:
        with sessions() as s:
            frame = observations_as_of(s, as_of=dt.datetime.now(dt.UTC), indicators=[indicator], regions=[region])
        return [
            {"region_code": r.region_code, "period": r.period.isoformat(), "value": r.value, "batch_id": r.batch_id}
            for r in frame.itertuples(index=False)
        ]

    return app


def _time(client: httpx.Client, url: str, n: int, headers: dict | None = None) -> list[float]:
    client.get(url, headers=headers)  # warm: connection, caches, argon2 once
    out = []
    for _ in range(n):
        t = time.perf_counter()
        r = client.get(url, headers=headers)
        out.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, (url, r.status_code, r.text[:200])
    return out


def _paired(client: httpx.Client, a: tuple, b: tuple, n: int) -> tuple[list[float], list[float]]:
    out: tuple[list[float], list[float]] = ([], [])
    for _ in range(n):
        for (url, headers), times in zip((a, b), out, strict=True):
            times.append(_time(client, url, 1, headers)[0])
    return out


def _row(name: str, ms: list[float]) -> str:
    q = statistics.quantiles(ms, n=20)
    return f"| {name} | {statistics.median(ms):.1f} | {q[18]:.1f} | {1000 / statistics.mean(ms):.0f} |"


def _backend(backend: str, n: int, folder: Path) -> list[str]:
    from testkit.databases import discard, template_database  # the test kit makes and drops the databases
    from testkit.server import serve

    db = template_database(backend, folder)
    try:
        rules = ROOT / "thresholds.yaml"
        keys, month = _world(db.url, rules)
        settings = Settings(database_url=db.url, thresholds_path=rules, rate_limit_burst=10**6)
        app = create_app(settings)
        bare = _bare_app(make_sessionmaker(app.state.engine))
        admin = {"Authorization": f"Bearer {keys['demo-province-hr']}"}
        city = {"Authorization": f"Bearer {keys['demo-zhuzhou-hr']}"}
        lines = [
            f"### {backend} (demo world to {month})",
            "",
            "| request | median ms | p95 ms | requests/s |",
            "|---|---|---|---|",
        ]
        with serve(app) as base, serve(bare) as bare_base, httpx.Client(timeout=60) as client:
            q = "region=430200&indicator=surveyed_unemployment_rate"
            # Ours and the peer alternate request by request, so both see the same machine load.
            ours, peer = _paired(
                client, (f"{base}/api/v1/observations?{q}", city), (f"{bare_base}/bare/observations?{q}", None), n
            )
            lines += [
                _row("`GET /api/v1/observations` (Zhuzhou surveyed rate, ~100 rows) - labourwatch", ours),
                _row("the same query, bare FastAPI route (peer)", peer),
                _row("`GET /api/v1/me` (authentication and scope only)", _time(client, f"{base}/api/v1/me", n, city)),
                _row("`GET /api/v1/alerts` (province)", _time(client, f"{base}/api/v1/alerts", n, admin)),
                _row(
                    "`GET /api/v1/forecasts` (province, 14 cities x 6 horizons)",
                    _time(client, f"{base}/api/v1/forecasts", n, admin),
                ),
                _row(
                    "`GET /api/v1/enterprises?limit=100` (province)",
                    _time(client, f"{base}/api/v1/enterprises?limit=100", n, admin),
                ),
                _row(
                    "`GET /metrics` (all domain metrics from the database)",
                    _time(client, f"{base}/metrics", max(20, n // 10)),
                ),
            ]
            ratio = statistics.median(ours) / statistics.median(peer)
            lines += [
                "",
                f"Overhead of our stack on the observations request: {ratio:.2f}x the bare route's median.",
                "",
            ]
        app.state.engine.dispose()
        return lines
    finally:
        discard(db)


def main(argv: list[str]) -> int:
    import sys

    sys.path.insert(0, str(ROOT / "tests"))
    parser = argparse.ArgumentParser(prog="python -m bench api")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    material = new_api_key()
    _, secret = split_key(material.key)
    t = time.perf_counter()
    for _ in range(20):
        verify_secret(material.secret_hash, secret)
    argon2_ms = (time.perf_counter() - t) / 20 * 1000
    lines = [
        "Sequential requests over one keep-alive connection to uvicorn in a thread (both servers in the same",
        "process, so they share the cores fairly); argon2 verification of a key takes "
        f"{argon2_ms:.1f} ms, paid once per key and process every 30 s (the verified-key cache).",
        "",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for backend in args.backends.split(","):
            lines += _backend(backend, args.requests, Path(tmp) / backend)
    write("api", "\n".join(lines) + "\n")
    return 0
