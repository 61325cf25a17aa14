"""Ingestion's scheduled jobs: land the inbox, pull the feeds, watch freshness, react to new data.

Each is a plain `job(settings, *, now) -> dict` registered in service.jobs.JOBS, so the scheduler runs it on its
trigger and `labourwatch jobs run ID` runs it by hand; service.jobs.run_job records every run.

New data triggers forecasting and rule evaluation through the database: `process-new-data` compares the number
of landed batches (rows are never deleted, so the count only grows) with the count its last successful run saw;
when it grew, it runs `forecast-series` and then `evaluate-rules` (each recorded as its own run, trigger
"new_data"). A failure leaves the watermark where it was, so the next pass tries again.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import func, select

from service.config import Settings
from service.db.engine import make_engine, make_sessionmaker
from service.db.tables import Batch, JobRun
from service.freshness import source_freshness

__all__ = ["check_freshness", "ingest_inbox", "process_new_data", "pull_recruitment", "pull_social_insurance"]

log = logging.getLogger(__name__)


def _sessions(settings: Settings):
    engine = make_engine(settings.database_url)
    return engine, make_sessionmaker(engine)


def check_freshness(settings: Settings, *, now: dt.datetime) -> dict:
    """Log every overdue source (Prometheus pages on labourwatch_source_overdue); return the overview."""
    engine, sessions = _sessions(settings)
    try:
        with sessions() as s:
            rows = source_freshness(s, now=now)
    finally:
        engine.dispose()
    overdue = [f.source for f in rows if f.overdue]
    for f in rows:
        if f.overdue:
            log.warning("source %s is overdue: last batch %s landed %s", f.source, f.last_batch_id, f.last_landed_at)
    return {"overdue": overdue, "sources": len(rows)}


def process_new_data(settings: Settings, *, now: dt.datetime) -> dict:
    from service.jobs import run_job

    engine, sessions = _sessions(settings)
    try:
        with sessions() as s:
            landed = s.scalar(select(func.count()).select_from(Batch).where(Batch.status == "landed")) or 0
            last = s.scalars(
                select(JobRun.detail)
                .where(JobRun.job_id == "process-new-data", JobRun.status == "succeeded")
                .order_by(JobRun.id.desc())
                .limit(1)
            ).first()
    finally:
        engine.dispose()
    seen = int((last or {}).get("landed_batches", 0))
    if landed <= seen:
        return {"landed_batches": landed, "new_batches": 0}
    runs = {}
    for job_id in ("forecast-series", "evaluate-rules"):
        run = run_job(settings, job_id, trigger="new_data", now=now)
        runs[job_id] = {"run_id": run.id, "status": run.status}
        if run.status != "succeeded":
            raise RuntimeError(f"{job_id} failed after new data (run {run.id}): {run.error}")
    return {"landed_batches": landed, "new_batches": landed - seen, "runs": runs}


def ingest_inbox(settings: Settings, *, now: dt.datetime) -> dict:
    """Land every settled file in data_dir/inbox/<source>/ (see service/inbox.py)."""
    from service.inbox import drain_inbox

    return drain_inbox(settings, now=now)


def pull_recruitment(settings: Settings, *, now: dt.datetime) -> dict:
    """Pull the recruitment feed from its saved cursor (see service/sources/recruitment_feed.py)."""
    if not settings.recruitment_feed_url:
        return {"skipped": "LABOURWATCH_RECRUITMENT_FEED_URL is not set"}
    from service.sources.recruitment_feed import pull_feed

    return pull_feed(settings, now=now)


def pull_social_insurance(settings: Settings, *, now: dt.datetime) -> dict:
    """Read the social-insurance SQL source and land what changed (see service/sources/sql_source.py)."""
    if not settings.social_insurance_sql_url:
        return {"skipped": "LABOURWATCH_SOCIAL_INSURANCE_SQL_URL is not set"}
    from service.sources.sql_source import pull_social_insurance as pull

    return pull(settings, now=now)
