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
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.baselines import SeasonalNaive
from models.panel import forecast_panel
from service import ingest_jobs
from service.alerting.evaluate import evaluate
from service.alerting.state import transition
from service.config import Settings
from service.db.alerts import apply_decision, fingerprint, live_alerts, snapshot
from service.db.engine import make_engine, make_sessionmaker
from service.db.forecasts import start_run, store_series
from service.db.queries import observations_as_of
from service.db.tables import JobRun, Region
from service.registry import Registry, load_registry
from service.thresholds import active_rules

__all__ = ["FORECAST_TARGETS", "JOBS", "evaluate_rules", "forecast", "run_job"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ForecastTarget:
    indicator: str
    freq: str  # M or Q
    season_length: int
    horizon: int


# What the service forecasts: survey and social-insurance series by month, the registered rate by quarter.
FORECAST_TARGETS = (
    ForecastTarget("surveyed_unemployment_rate", "M", 12, 6),
    ForecastTarget("ui_new_claims", "M", 12, 6),
    ForecastTarget("ui_recipients", "M", 12, 6),
    ForecastTarget("registered_unemployment_rate", "Q", 4, 2),
)


def forecast(session: Session, *, now: dt.datetime, trigger: str = "manual", targets=FORECAST_TARGETS) -> dict:
    """Forecast every stored series of the targets from the data known now; store the run and its points."""
    run = start_run(
        session,
        now=now,
        data_as_of=now,
        trigger=trigger,
        spec={"targets": [t.__dict__ for t in targets], "model": "seasonal_naive", "levels": [80, 95]},
    )
    stored = fallbacks = 0
    for target in targets:
        obs = observations_as_of(session, as_of=now, indicators=[target.indicator])
        obs = obs[obs["occupation"] == "total"]
        if obs.empty:
            continue
        obs = obs.assign(
            series_id=obs["region_code"] + "|" + obs["indicator_code"] + "|" + obs["population_group"],
            period=pd.PeriodIndex(pd.to_datetime(obs["period"]), freq=target.freq),
        )
        keys = {sid: tuple(sid.split("|")) for sid in obs["series_id"].unique()}
        results = forecast_panel(
            obs[["series_id", "period", "value"]],
            lambda t=target: SeasonalNaive(t.season_length),
            h=target.horizon,
            freq=target.freq,
        )
        stored += store_series(session, run=run, forecasts=results, keys=keys)
        fallbacks += sum(r.fallback_reason is not None for r in results)
    run.status, run.finished_at, run.n_series, run.n_fallbacks = "succeeded", now, stored, fallbacks
    return {"run_id": run.id, "series": stored, "fallbacks": fallbacks}


def evaluate_rules(session: Session, *, now: dt.datetime, registry: Registry, rules_path) -> dict:
    """Evaluate the rules in force on the data known now and move every alert through its lifecycle."""
    rules = active_rules(session, path=rules_path, now=now)
    ruleset = rules.ruleset
    indicators = sorted({r.indicator for r in ruleset.rules})
    obs = observations_as_of(session, as_of=now, indicators=indicators)
    active_codes = set(session.scalars(select(Region.code).where(Region.active.is_(True))))
    regions = [r.code for r in registry.regions if r.level in {"city", "province"} and r.code in active_codes]
    names = {r.code: r.name_zh for r in registry.regions}
    signals = evaluate(ruleset, obs, regions=regions, names=names)
    by_key: dict[tuple[str, str], list] = {}
    for s in signals:
        by_key.setdefault((s.region_code, s.risk), []).append(s)
    live = live_alerts(session)
    keys = set(by_key) | {(a.region_code, a.risk) for a in live.values()}
    counts: dict[str, int] = {}
    for region, risk in sorted(keys):
        found = by_key.get((region, risk), [])
        grade = min((s.grade for s in found), default=None)  # a higher grade inhibits lower ones
        alert = live.get(fingerprint(region, risk))
        decision = transition(snapshot(alert), grade=grade, now=now)
        apply_decision(
            session,
            alert=alert,
            decision=decision,
            region_code=region,
            risk=risk,
            signals=found,
            ruleset=ruleset,
            now=now,
        )
        counts[decision.reason.value] = counts.get(decision.reason.value, 0) + 1
    return {"threshold_version": rules.version_id, "signals": len(signals), "refused_file": rules.refused, **counts}


# ------------------------------------------------------------------------------------------- the job list


def _forecast_job(settings: Settings, *, now: dt.datetime) -> dict:
    return _in_transaction(settings, lambda s: forecast(s, now=now, trigger="scheduled"))


def _evaluate_job(settings: Settings, *, now: dt.datetime) -> dict:
    registry = load_registry(settings.province_codes)
    return _in_transaction(
        settings, lambda s: evaluate_rules(s, now=now, registry=registry, rules_path=settings.thresholds_path)
    )


def _report_job(settings: Settings, *, now: dt.datetime) -> dict:
    # The quarterly joint-assessment report, 10 days after each quarter ends (service/reports/generate.py).
    from service.reports import scheduled_reports

    return _in_transaction(settings, lambda s: scheduled_reports(s, province_codes=settings.province_codes, now=now))


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
