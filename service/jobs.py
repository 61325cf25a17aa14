"""The one place where jobs touch the database, the forecasting models and the warning rules.

Each job is a plain function `job(settings, *, now) -> dict` that owns its transaction; `JOBS` lists them by id
(kebab-case), and `run_job` runs one by name and records the run with its outcome and duration.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time
from collections.abc import Callable

from sqlalchemy.orm import Session

from service import ingest_jobs
from service.alerting.evaluate import evaluate
from service.config import Settings
from service.db.alerts import apply_evaluation, escalate_overdue, send_reminders
from service.db.engine import make_engine, make_sessionmaker
from service.db.rule_inputs import evaluation_month, load_inputs, region_table
from service.db.tables import JobRun
from service.delivery import build_notifiers, drain_outbox
from service.forecasting import FORECAST_TARGETS, forecast, score_forecasts
from service.registry import Registry, load_registry
from service.thresholds import active_rules

__all__ = ["FORECAST_TARGETS", "JOBS", "escalate", "evaluate_rules", "forecast", "remind", "run_job"]

log = logging.getLogger(__name__)


def evaluate_rules(session: Session, *, now: dt.datetime, rules_path, registry: Registry | None = None) -> dict:
    """Evaluate the rules in force on the data known now and move every alert through its lifecycle.

    The month evaluated is the last complete one; figures, forecasts and filings are those known at `now`.
    """
    rules = active_rules(session, path=rules_path, now=now)
    month = evaluation_month(now)
    result = evaluate(
        rules.ruleset,
        load_inputs(session, ruleset=rules.ruleset, now=now, as_of=month),
        regions=region_table(session),
        as_of=month,
        now=now.date(),
    )
    counts = apply_evaluation(session, evaluation=result, ruleset=rules.ruleset, now=now)
    return {
        "threshold_version": rules.version_id,
        "month": str(month),
        "signals": len(result.signals),
        "refused_file": rules.refused,
        **counts,
    }


def escalate(session: Session, *, now: dt.datetime, rules_path) -> dict:
    """Pass alerts nobody acknowledged in time to the parent region's department (county -> city -> province)."""
    return escalate_overdue(session, ruleset=active_rules(session, path=rules_path, now=now).ruleset, now=now)


def remind(session: Session, *, now: dt.datetime, rules_path) -> dict:
    """Remind subscribers of open alerts nobody has acknowledged, at each level's interval."""
    return send_reminders(session, ruleset=active_rules(session, path=rules_path, now=now).ruleset, now=now)


# ------------------------------------------------------------------------------------------- the job list


def _forecast_job(settings: Settings, *, now: dt.datetime) -> dict:
    """Score stored forecasts whose actuals have arrived, then forecast every series from the data known now."""

    def work(s: Session) -> dict:
        scores = score_forecasts(s, now=now)
        return {**forecast(s, now=now, trigger="scheduled", executor=settings.executor), "scored": scores["scored"]}

    return _in_transaction(settings, work)


def _evaluate_job(settings: Settings, *, now: dt.datetime) -> dict:
    registry = load_registry(settings.province_codes)
    return _in_transaction(
        settings, lambda s: evaluate_rules(s, now=now, registry=registry, rules_path=settings.thresholds_path)
    )


def _report_job(settings: Settings, *, now: dt.datetime) -> dict:
    # The quarterly joint-assessment report, 10 days after each quarter ends (service/reports/generate.py).
    from service.reports import scheduled_reports

    return _in_transaction(settings, lambda s: scheduled_reports(s, province_codes=settings.province_codes, now=now))


def _escalate_job(settings: Settings, *, now: dt.datetime) -> dict:
    return _in_transaction(settings, lambda s: escalate(s, now=now, rules_path=settings.thresholds_path))


def _remind_job(settings: Settings, *, now: dt.datetime) -> dict:
    return _in_transaction(settings, lambda s: remind(s, now=now, rules_path=settings.thresholds_path))


def _deliver_job(settings: Settings, *, now: dt.datetime) -> dict:
    """Send due notices (each committed on its own); real time, since sending takes time."""
    engine = make_engine(settings.database_url)
    try:
        return drain_outbox(make_sessionmaker(engine), notifiers=build_notifiers(settings)).as_dict()
    finally:
        engine.dispose()


JOBS: dict[str, Callable[..., dict]] = {
    "forecast-series": _forecast_job,
    "evaluate-rules": _evaluate_job,
    "report-quarterly": _report_job,
    # Ingestion (service/ingest_jobs.py); "process-new-data" runs the two above when batches have landed.
    "ingest-inbox": ingest_jobs.ingest_inbox,
    "pull-recruitment": ingest_jobs.pull_recruitment,
    "pull-social-insurance": ingest_jobs.pull_social_insurance,
    "process-new-data": ingest_jobs.process_new_data,
    "check-freshness": ingest_jobs.check_freshness,
    "escalate-overdue": _escalate_job,
    "send-reminders": _remind_job,
    "deliver-outbox": _deliver_job,
}


def _in_transaction(settings: Settings, work: Callable[[Session], dict]) -> dict:
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine)() as session, session.begin():
            return work(session)
    finally:
        engine.dispose()


def run_job(settings: Settings, job_id: str, *, trigger: str = "manual", now: dt.datetime | None = None) -> JobRun:
    """Run one job by id and record the run (its own transaction, so a failed job still leaves its record)."""
    if job_id not in JOBS:
        raise KeyError(f"unknown job {job_id!r}; jobs are {', '.join(sorted(JOBS))}")
    now = now or dt.datetime.now(dt.UTC)
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    try:
        with sessions() as session, session.begin():
            run = JobRun(
                job_id=job_id,
                trigger=trigger,
                started_at=now,
                status="running",
                host=socket.gethostname()[:128],
                pid=os.getpid(),
            )
            session.add(run)
        started = time.perf_counter()
        try:
            detail = JOBS[job_id](settings, now=now)
            status, error = "succeeded", None
        except Exception as exc:  # recorded, logged with the run id, and re-raised to the caller
            log.exception("job %s (run %s) failed", job_id, run.id)
            detail, status, error = {}, "failed", f"{type(exc).__name__}: {exc}"
        with sessions() as session, session.begin():
            run = session.get(JobRun, run.id)
            run.status, run.error, run.detail = status, error, detail
            run.duration_seconds = time.perf_counter() - started
            run.finished_at = dt.datetime.now(dt.UTC)
        return run
    finally:
        engine.dispose()
