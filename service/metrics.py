"""Every metric labourwatch exposes, built against a registry passed in (so tests build their own).

Two kinds, by design:
- Domain metrics (ingestion, freshness, jobs, forecasts, alerts, deliveries, latest rates) are read from the
  database at scrape time by `DatabaseCollector`. The database is the single source of truth, so every API
  replica and the scheduler process report the same numbers and no multiprocess mode is needed; counters are
  monotonic because the rows they count are never deleted.
- HTTP request durations are per process (each replica is its own scrape target, told apart by `instance`).

Names follow Prometheus conventions: prefix labourwatch_, base units (seconds, ratios as percent only where
the unit is in the name), `_total` for counters, labels from small fixed sets (the region registry is the
largest).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.db.queries import observations_as_of
from service.db.tables import Alert, Batch, ForecastRun, JobRun, Outbox, Region, Source

__all__ = ["DatabaseCollector", "HttpMetrics", "build_registry"]


class HttpMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.request_duration = Histogram(
            "labourwatch_http_request_duration_seconds",
            "HTTP request duration by method, route template and status code.",
            ["method", "route", "status"],
            registry=registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )


class DatabaseCollector(Collector):
    def __init__(self, sessions: Callable[[], Session], clock: Callable[[], dt.datetime] | None = None) -> None:
        self.sessions = sessions
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))

    def describe(self) -> list:
        return []  # collected lazily; describing would query the database at registration

    def collect(self) -> Iterator:
        now = self.clock()
        with self.sessions() as s:
            yield from self._ingestion(s, now)
            yield from self._jobs(s)
            yield from self._alerts(s)
            yield from self._outbox(s)
            yield from self._latest_rates(s, now)

    def _ingestion(self, s: Session, now: dt.datetime) -> Iterator:
        batches = CounterMetricFamily(
            "labourwatch_ingest_batches", "Batches received, by source and outcome.", labels=["source", "outcome"]
        )
        rows = CounterMetricFamily(
            "labourwatch_ingest_rows", "Rows received, by source and outcome.", labels=["source", "outcome"]
        )
        q = select(
            Batch.source_code,
            Batch.status,
            func.count(),
            func.sum(Batch.rows_landed),
            func.sum(Batch.rows_unchanged),
            func.sum(Batch.rows_rejected),
        ).group_by(Batch.source_code, Batch.status)
        for source, status, n, landed, unchanged, rejected in s.execute(q):
            batches.add_metric([source, status], n)
            if status == "landed":
                rows.add_metric([source, "landed"], landed or 0)
                rows.add_metric([source, "unchanged"], unchanged or 0)
            else:
                rows.add_metric([source, "rejected"], rejected or 0)
        yield batches
        yield rows
        age = GaugeMetricFamily(
            "labourwatch_source_data_age_seconds", "Seconds since the source's last landed batch.", labels=["source"]
        )
        overdue = GaugeMetricFamily(
            "labourwatch_source_overdue",
            "1 when the source's last landed batch is older than its cadence plus grace.",
            labels=["source"],
        )
        last = dict(
            s.execute(
                select(Batch.source_code, func.max(Batch.landed_at))
                .where(Batch.status == "landed")
                .group_by(Batch.source_code)
            ).all()
        )
        for src in s.scalars(select(Source)):
            if src.cadence_days <= 0:  # event-driven sources (layoff filings) have no cadence to miss
                continue
            when = last.get(src.code)
            if when is not None and when.tzinfo is None:
                when = when.replace(tzinfo=dt.UTC)
            seconds = (now - when).total_seconds() if when else float("inf")
            if when:
                age.add_metric([src.code], seconds)
            limit = dt.timedelta(days=src.cadence_days + src.grace_days).total_seconds()
            overdue.add_metric([src.code], 1.0 if seconds > limit else 0.0)
        yield age
        yield overdue

    def _jobs(self, s: Session) -> Iterator:
        runs = CounterMetricFamily("labourwatch_job_runs", "Job runs by job and outcome.", labels=["job", "outcome"])
        for job, status, n in s.execute(
            select(JobRun.job_id, JobRun.status, func.count()).group_by(JobRun.job_id, JobRun.status)
        ):
            runs.add_metric([job, status], n)
        yield runs
        seconds = CounterMetricFamily(
            "labourwatch_job_run_duration_seconds", "Total seconds spent in finished job runs, by job.", labels=["job"]
        )
        for job, total in s.execute(
            select(JobRun.job_id, func.sum(JobRun.duration_seconds))
            .where(JobRun.duration_seconds.is_not(None))
            .group_by(JobRun.job_id)
        ):
            seconds.add_metric([job], total or 0.0)
        yield seconds
        forecasts = CounterMetricFamily("labourwatch_forecast_runs", "Forecast runs by outcome.", labels=["outcome"])
        for status, n in s.execute(select(ForecastRun.status, func.count()).group_by(ForecastRun.status)):
            forecasts.add_metric([status], n)
        yield forecasts

    def _alerts(self, s: Session) -> Iterator:
        live = s.execute(select(Alert.region_code, Alert.grade).where(Alert.state != "resolved")).all()
        by_grade = GaugeMetricFamily(
            "labourwatch_alerts_in_force",
            "Alerts open or acknowledged, by grade (1=I red ... 4=IV blue).",
            labels=["grade"],
        )
        for grade in (1, 2, 3, 4):
            by_grade.add_metric([str(grade)], sum(1 for _, g in live if g == grade))
        yield by_grade
        region_grade = GaugeMetricFamily(
            "labourwatch_region_alert_grade",
            "Most severe grade in force per region: 0 none, 1 I red, 2 II orange, 3 III yellow, 4 IV blue.",
            labels=["region"],
        )
        worst: dict[str, int] = {}
        for region, grade in live:
            worst[region] = min(grade, worst.get(region, 5))
        for code in s.scalars(select(Region.code).where(Region.level.in_(("province", "city")), Region.active)):
            region_grade.add_metric([code], worst.get(code, 0))
        yield region_grade

    def _outbox(self, s: Session) -> Iterator:
        msgs = GaugeMetricFamily(
            "labourwatch_outbox_messages",
            "Notifications in the outbox by channel and status.",
            labels=["channel", "status"],
        )
        for channel, status, n in s.execute(
            select(Outbox.channel, Outbox.status, func.count()).group_by(Outbox.channel, Outbox.status)
        ):
            msgs.add_metric([channel, status], n)
        yield msgs

    def _latest_rates(self, s: Session, now: dt.datetime) -> Iterator:
        rate = GaugeMetricFamily(
            "labourwatch_surveyed_unemployment_rate_percent",
            "Latest surveyed urban unemployment rate per region (all persons).",
            labels=["region"],
        )
        obs = observations_as_of(s, as_of=now, indicators=["surveyed_unemployment_rate"], population_groups=["total"])
        if not obs.empty:
            latest = obs.sort_values("period").groupby("region_code").tail(1)
            for r in latest.itertuples(index=False):
                rate.add_metric([r.region_code], float(r.value))
        yield rate


def build_registry(sessions: Callable[[], Session]) -> tuple[CollectorRegistry, HttpMetrics]:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector(sessions))
    return registry, HttpMetrics(registry)
