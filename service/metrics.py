"""Every metric labourwatch exposes, built against a registry passed in (so tests build their own).

Two kinds, by design:
- Domain metrics (ingestion, freshness, jobs, forecasts, alerts, deliveries, latest rates) are read from the
  database at scrape time by `DatabaseCollector`. The database is the single source of truth, so every API
  replica and the scheduler process report the same numbers and no multiprocess mode is needed; counters are
  monotonic because the rows they count are never deleted. Alerting rules aggregate them with max() so that
  several replicas do not page several times.
- HTTP request durations are per process (each replica is its own scrape target, told apart by `instance`);
  run one uvicorn worker per replica rather than `--workers N` behind one port.

Names follow Prometheus conventions: prefix labourwatch_, base units (seconds, ratios 0-1; a percent only where
the unit is in the name), `_total` for counters, labels from small fixed sets (the region registry is the
largest). docs/observability.md lists every metric with its labels.

If the database cannot be read during a scrape, `labourwatch_database_up` is 0 and the domain metrics are left
out of that scrape (an absent series, not a wrong number).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from service.metrics_domain import (
    alert_families,
    delivery_families,
    forecast_families,
    ingestion_families,
    job_families,
    labour_market_families,
)

__all__ = ["DatabaseCollector", "HttpMetrics", "build_registry"]

log = logging.getLogger(__name__)


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
        families: list = []
        up = 1.0
        try:
            with self.sessions() as s:
                for build in (
                    ingestion_families,
                    job_families,
                    forecast_families,
                    alert_families,
                    delivery_families,
                    labour_market_families,
                ):
                    families.extend(build(s, now))
        except SQLAlchemyError as exc:  # reported as database_up 0; the scrape itself still succeeds
            log.warning("metrics: cannot read the database: %s: %s", type(exc).__name__, exc)
            families, up = [], 0.0
        database_up = GaugeMetricFamily(
            "labourwatch_database_up", "1 when the last scrape could read the database, else 0."
        )
        database_up.add_metric([], up)
        yield database_up
        yield from families


def build_registry(sessions: Callable[[], Session]) -> tuple[CollectorRegistry, HttpMetrics]:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector(sessions))
    return registry, HttpMetrics(registry)
