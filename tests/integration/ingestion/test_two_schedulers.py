"""Two real scheduler processes against one database: one leads, each trigger time runs once, and when the leader
is killed the standby takes over."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db.tables import JobRun, SchedulerClaim

LABOURWATCH = str(Path(sys.executable).parent / "labourwatch")
JOB = "check-freshness"


def start(url: str, tmp_path: Path, name: str) -> subprocess.Popen:
    env = {**os.environ, "LABOURWATCH_DATABASE_URL": url, "LABOURWATCH_DATA_DIR": str(tmp_path / "var")}
    log = (tmp_path / f"{name}.log").open("w")
    cmd = [LABOURWATCH, "scheduler", "--only", JOB, "--every", "1", "--lease-seconds", "3"]
    return subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)


def runs(engine) -> list[JobRun]:
    with Session(engine) as s:
        return list(s.scalars(select(JobRun).where(JobRun.job_id == JOB).order_by(JobRun.id)))


def wait_for(predicate, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.2)


def assert_once_per_trigger(engine, rows: list[JobRun]) -> None:
    with Session(engine) as s:
        claims = list(s.scalars(select(SchedulerClaim).where(SchedulerClaim.job_id == JOB)))
    # Each run claimed its trigger time first (the claim learns the run's id once the run has finished).
    assert len(rows) <= len(claims)
    linked = [c.job_run_id for c in claims if c.job_run_id is not None]
    assert len(linked) == len(set(linked)) and set(linked) <= {r.id for r in rows}
    # Independently of the claims: at most one run per second of trigger times (a doubled trigger would about
    # double this count; a late firing never adds one).
    span = (rows[-1].started_at - rows[0].started_at).total_seconds()
    assert len(rows) <= span + 2, [r.started_at.isoformat() for r in rows]


@pytest.mark.slow
def test_two_schedulers_run_each_trigger_once_and_fail_over(fresh_db, tmp_path):
    engine = fresh_db.engine()
    first = start(fresh_db.url, tmp_path, "first")
    time.sleep(0.5)
    second = start(fresh_db.url, tmp_path, "second")
    procs = {first.pid: first, second.pid: second}
    try:
        wait_for(lambda: len(runs(engine)) >= 5, timeout=60)
        both_alive = [p.poll() is None for p in procs.values()]
        phase1 = runs(engine)
        leaders = {r.pid for r in phase1}
        assert both_alive == [True, True]
        assert len(leaders) == 1 and leaders <= set(procs), leaders
        # A run may still be in flight when we look; none may have failed.
        assert {r.status for r in phase1} <= {"succeeded", "running"}, [(r.status, r.error) for r in phase1]
        assert_once_per_trigger(engine, phase1)

        leader = procs[leaders.pop()]
        standby = next(p for p in procs.values() if p is not leader)
        leader.send_signal(signal.SIGKILL)
        leader.wait(timeout=10)
        killed_at = dt.datetime.now(dt.UTC)
        wait_for(lambda: sum(r.pid == standby.pid for r in runs(engine)) >= 3, timeout=60)
        phase2 = runs(engine)
        after = [r for r in phase2 if r.started_at > killed_at]
        assert after and {r.pid for r in after} == {standby.pid}
        assert_once_per_trigger(engine, phase2)

        standby.send_signal(signal.SIGTERM)
        assert standby.wait(timeout=20) == 0
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.kill()
                p.wait()
        engine.dispose()
