"""The walking skeleton end to end, as a newcomer runs it: db upgrade, demo, serve, curl the alerts.

Real subprocesses of the `labourwatch` console script on a database of the test's own (both backends).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from testkit.server import free_port

from service.db.tables import Alert, Batch, ForecastSeries

ROOT = Path(__file__).resolve().parents[2]
LABOURWATCH = str(Path(sys.executable).parent / "labourwatch")

pytestmark = pytest.mark.slow


def run(env, *args, timeout=300):
    proc = subprocess.run([LABOURWATCH, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def test_db_upgrade_demo_serve(fresh_db, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "LABOURWATCH_DATABASE_URL": fresh_db.url,
        "LABOURWATCH_DATA_DIR": str(tmp_path / "var"),
        "LABOURWATCH_PORT": str(port),
        "LABOURWATCH_EXECUTOR": "serial",
    }
    run(env, "db", "upgrade")
    out = run(env, "demo", "--end-month", "2026-10")
    assert "合成演示数据" in out and "株洲市" in out

    engine = fresh_db.engine()
    with Session(engine) as s:
        batches = s.scalars(select(Batch)).all()
        assert batches and all(b.synthetic and b.status == "landed" for b in batches)
        live = s.scalars(select(Alert).where(Alert.state != "resolved")).all()
        # The layoff wave city, and only it, at grade III 较重 (the demo world is built for III, not II).
        assert {a.region_code for a in live} == {"430200"} and min(a.grade for a in live) == 3
        n_series = s.scalar(select(func.count()).select_from(ForecastSeries))
        assert n_series >= 14
    again = run(env, "demo", "--end-month", "2026-10")  # a second run lands nothing new
    assert again.count("duplicate") == 5 and "layoff filings: 0 new" in again
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Batch)) == len(batches)
    engine.dispose()

    key = next(
        line.split()[1]
        for line in (tmp_path / "var" / "demo-keys.txt").read_text().splitlines()
        if line.startswith("demo-province-hr")
    )
    server = subprocess.Popen(
        [LABOURWATCH, "serve"], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, "server did not come up"
            time.sleep(0.2)
        alerts = httpx.get(base + "/api/v1/alerts", headers={"Authorization": f"Bearer {key}"}, timeout=30).json()
        zz = [a for a in alerts["items"] if a["region_code"] == "430200"]
        assert zz and "株洲市" in zz[0]["summary_zh"]
        detail = httpx.get(
            f"{base}/api/v1/alerts/{zz[0]['id']}", headers={"Authorization": f"Bearer {key}"}, timeout=30
        ).json()
        assert detail["evidence"] and detail["response_zh"]
        assert "labourwatch_region_alert_grade" in httpx.get(base + "/metrics", timeout=30).text
    finally:
        server.terminate()
        server.wait(timeout=15)
