"""Killing `labourwatch ingest survey` in the middle of a large batch leaves the database exactly as it was."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session
from testkit.factories import land_survey
from testkit.files import big_survey_file

LABOURWATCH = str(Path(sys.executable).parent / "labourwatch")
ROWS = 300_000
CHUNK = 10_000


def snapshot(engine) -> dict:
    """Everything ingestion could touch, as counts and checksums."""
    with engine.connect() as conn:
        return {
            table: conn.execute(text(f"SELECT count(*), COALESCE(SUM(id), 0) FROM {table}")).one()
            for table in ("batches", "observations", "audit_log")
        } | {"values": conn.execute(text("SELECT COALESCE(SUM(value), 0) FROM observations")).scalar_one()}


@pytest.mark.slow
def test_sigkill_mid_batch_changes_nothing(fresh_db, tmp_path):
    engine = fresh_db.engine()
    with Session(engine) as s, s.begin():
        land_survey(s, {"430200": [5.1, 5.2, 5.3]})
    before = snapshot(engine)
    big = tmp_path / "big.csv"
    big_survey_file(big, ROWS)
    env = {**os.environ, "LABOURWATCH_DATABASE_URL": fresh_db.url, "LABOURWATCH_DATA_DIR": str(tmp_path / "var")}
    proc = subprocess.Popen(
        [LABOURWATCH, "ingest", "survey", str(big), f"--chunk-rows={CHUNK}"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    progress = []
    deadline = time.monotonic() + 120
    try:
        for line in proc.stderr:  # a line per chunk once it is validated and written
            progress.append(line)
            if len(progress) == 3 or time.monotonic() > deadline:
                break
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL, (proc.returncode, progress)
    assert len(progress) == 3 and "of ~300,000 rows read" in progress[-1], progress
    assert "landed" not in proc.stdout.read()
    assert snapshot(engine) == before
    # The database is not left locked or half-written: the next ingest lands normally.
    small = tmp_path / "small.csv"
    small.write_text("地区代码,时期,指标,数值\n430100,2025-01,城镇调查失业率,4.9\n", encoding="utf-8")
    done = subprocess.run([LABOURWATCH, "ingest", "survey", str(small)], env=env, capture_output=True, text=True)
    assert done.returncode == 0 and "landed" in done.stdout, done.stderr
    engine.dispose()
