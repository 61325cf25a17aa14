"""Domain metric families, read from the database at scrape time (see service/metrics.py for why).

Each builder takes a session and `now` and returns metric families; none writes. Label values come from small
fixed sets: sources, job ids, outcomes, grades, channels, indicators with forecasts, model names, horizons,
and region codes of the registry's province and cities (the largest set).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, SummaryMetricFamily
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from service.db.queries import observations_as_of
from service.db.tables import (
    Alert,
    AlertEvent,
    Batch,
    ForecastPoint,
    ForecastRun,
    ForecastScore,
    ForecastSeries,
    JobRun,
    LayoffFiling,
    Outbox,
    Region,
    Source,
)

__all__ = [
    "alert_families",
    "delivery_families",
    "forecast_families",
    "ingestion_families",
    "job_families",
    "labour_market_families",
]

SUMMARY_LEVELS = ("province", "city")  # regions with a per-region series (counties would multiply the series)
CHANNELS = ("dingtalk", "email", "webhook", "wecom")  # the subscriptions.channel check constraint


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def _ts(value: dt.datetime | None) -> float:
    return _utc(value).timestamp() if value is not None else 0.0


def ingestion_families(s: Session, now: dt.datetime) -> list:
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
    last_ts = GaugeMetricFamily(
        "labourwatch_source_last_landed_timestamp_seconds",
        "Unix time of the source's last landed batch.",
        labels=["source"],
    )
    age = GaugeMetricFamily(
        "labourwatch_source_data_age_seconds", "Seconds since the source's last landed batch.", labels=["source"]
    )
    overdue = GaugeMetricFamily(
        "labourwatch_source_overdue",
        "1 when the source's last landed batch is older than its cadence plus grace (or it never delivered).",
        labels=["source"],
    )
    last = dict(
        s.execute(
            select(Batch.source_code, func.max(Batch.landed_at))
            .where(Batch.status == "landed")
            .group_by(Batch.source_code)
        ).all()
    )
    for src in s.scalars(select(Source).order_by(Source.code)):
        when = _utc(last.get(src.code))
        if when is not None:
            last_ts.add_metric([src.code], when.timestamp())
        if src.cadence_days <= 0:  # event-driven sources (layoff filings) have no cadence to miss
            continue
        seconds = (now - when).total_seconds() if when else float("inf")
        if when:
            age.add_metric([src.code], seconds)
        limit = dt.timedelta(days=src.cadence_days + src.grace_days).total_seconds()
        overdue.add_metric([src.code], 1.0 if seconds > limit else 0.0)
    return [batches, rows, last_ts, age, overdue]


def job_families(s: Session, now: dt.datetime) -> list:
    runs = CounterMetricFamily("labourwatch_job_runs", "Job runs by job and outcome.", labels=["job_id", "outcome"])
    durations = SummaryMetricFamily(
        "labourwatch_job_run_duration_seconds",
        "Durations of finished job runs, by job and outcome.",
        labels=["job_id", "outcome"],
    )
    in_progress = GaugeMetricFamily(
        "labourwatch_job_runs_in_progress", "Job runs started and not finished, by job.", labels=["job_id"]
    )
    running: dict[str, int] = {}
    for job, status, n, total in s.execute(
        select(JobRun.job_id, JobRun.status, func.count(), func.sum(JobRun.duration_seconds))
        .group_by(JobRun.job_id, JobRun.status)
        .order_by(JobRun.job_id, JobRun.status)
    ):
        runs.add_metric([job, status], n)
        running.setdefault(job, 0)
        if status == "running":
            running[job] = n
        else:
            durations.add_metric([job, status], count_value=n, sum_value=float(total or 0.0))
    for job in sorted(running):
        in_progress.add_metric([job], running[job])
    last_ok = GaugeMetricFamily(
        "labourwatch_job_last_success_timestamp_seconds",
        "Unix time of the job's last successful run (0: never).",
        labels=["job_id"],
    )
    last_failed = GaugeMetricFamily(
        "labourwatch_job_last_failure_timestamp_seconds",
        "Unix time of the job's last failed run (0: never).",
        labels=["job_id"],
    )
    finished = func.coalesce(JobRun.finished_at, JobRun.started_at)
    latest: dict[str, dict[str, dt.datetime]] = defaultdict(dict)
    for job, status, when in s.execute(
        select(JobRun.job_id, JobRun.status, func.max(finished))
        .where(JobRun.status.in_(("succeeded", "failed")))
        .group_by(JobRun.job_id, JobRun.status)
    ):
        latest[job][status] = when
    for job in sorted(latest):
        last_ok.add_metric([job], _ts(latest[job].get("succeeded")))
        last_failed.add_metric([job], _ts(latest[job].get("failed")))
    return [runs, durations, in_progress, last_ok, last_failed]


def forecast_families(s: Session, now: dt.datetime) -> list:
    runs = CounterMetricFamily("labourwatch_forecast_runs", "Forecast runs by outcome.", labels=["outcome"])
    durations = SummaryMetricFamily(
        "labourwatch_forecast_run_duration_seconds", "Durations of finished forecast runs.", labels=["outcome"]
    )
    series = CounterMetricFamily("labourwatch_forecast_series", "Series forecast by finished runs.")
    fallbacks = CounterMetricFamily(
        "labourwatch_forecast_fallbacks", "Series whose chosen model failed and a fallback model forecast them."
    )
    counts: dict[str, int] = defaultdict(int)
    seconds: dict[str, float] = defaultdict(float)
    finished: dict[str, int] = defaultdict(int)
    n_series = n_fallbacks = 0
    for status, started, ended, n, nf in s.execute(
        select(
            ForecastRun.status,
            ForecastRun.started_at,
            ForecastRun.finished_at,
            ForecastRun.n_series,
            ForecastRun.n_fallbacks,
        )
    ):
        counts[status] += 1
        n_series, n_fallbacks = n_series + (n or 0), n_fallbacks + (nf or 0)
        if ended is not None:
            finished[status] += 1
            seconds[status] += max(0.0, (_utc(ended) - _utc(started)).total_seconds())
    for status in sorted(counts):
        runs.add_metric([status], counts[status])
    for status in sorted(finished):
        durations.add_metric([status], count_value=finished[status], sum_value=seconds[status])
    series.add_metric([], n_series)
    fallbacks.add_metric([], n_fallbacks)
    return [runs, durations, series, fallbacks, *_accuracy_families(s)]


def _accuracy_families(s: Session) -> list:
    labels = ["indicator", "model", "horizon"]
    scored = CounterMetricFamily(
        "labourwatch_forecast_scored_points", "Forecast points scored against the figure that arrived.", labels=labels
    )
    mase = GaugeMetricFamily(
        "labourwatch_forecast_mase",
        "Mean absolute scaled error of scored forecasts (below 1: better than the seasonal-naive in-sample error).",
        labels=labels,
    )
    coverage = GaugeMetricFamily(
        "labourwatch_forecast_interval_coverage_ratio",
        "Share of scored actuals inside the prediction interval of the given level (0-1).",
        labels=[*labels, "level"],
    )
    sr, p, sc = ForecastSeries, ForecastPoint, ForecastScore
    q = (
        select(
            sr.indicator_code,
            sr.model,
            p.horizon,
            func.count(),
            func.avg(sc.scaled_abs_error),
            func.avg(case((sc.covered80, 1.0), else_=0.0)),
            func.avg(case((sc.covered95, 1.0), else_=0.0)),
        )
        .join(p, sc.point_id == p.id)
        .join(sr, p.series_id == sr.id)
        .group_by(sr.indicator_code, sr.model, p.horizon)
        .order_by(sr.indicator_code, sr.model, p.horizon)
    )
    for indicator, model, horizon, n, m, c80, c95 in s.execute(q):
        key = [indicator, model, str(horizon)]
        scored.add_metric(key, n)
        if m is not None:
            mase.add_metric(key, float(m))
        coverage.add_metric([*key, "80"], float(c80))
        coverage.add_metric([*key, "95"], float(c95))
    return [scored, mase, coverage]


def alert_families(s: Session, now: dt.datetime) -> list:
    live = s.execute(
        select(Alert.region_code, Alert.grade, Alert.state, Alert.ack_deadline).where(Alert.state != "resolved")
    ).all()
    by_grade = GaugeMetricFamily(
        "labourwatch_alerts_in_force",
        "Alerts open or acknowledged, by grade (1=I red ... 4=IV blue).",
        labels=["grade"],
    )
    overdue = GaugeMetricFamily(
        "labourwatch_alerts_ack_overdue",
        "Open alerts whose acknowledgement deadline has passed, by grade.",
        labels=["grade"],
    )
    late = [a for a in live if a.state == "open" and a.ack_deadline is not None and _utc(a.ack_deadline) < now]
    for grade in (1, 2, 3, 4):
        by_grade.add_metric([str(grade)], sum(1 for a in live if a.grade == grade))
        overdue.add_metric([str(grade)], sum(1 for a in late if a.grade == grade))
    region_grade = GaugeMetricFamily(
        "labourwatch_region_alert_grade",
        "Most severe grade in force per region: 0 none, 1 I red, 2 II orange, 3 III yellow, 4 IV blue.",
        labels=["region"],
    )
    worst: dict[str, int] = {}
    for a in live:
        worst[a.region_code] = min(a.grade, worst.get(a.region_code, 5))
    summarised = select(Region.code).where(Region.level.in_(SUMMARY_LEVELS), Region.active).order_by(Region.code)
    for code in s.scalars(summarised):
        region_grade.add_metric([code], worst.get(code, 0))
    transitions = CounterMetricFamily(
        "labourwatch_alert_transitions", "Alert lifecycle events by kind (opened, escalated, ...).", labels=["kind"]
    )
    for kind, n in s.execute(select(AlertEvent.kind, func.count()).group_by(AlertEvent.kind).order_by(AlertEvent.kind)):
        transitions.add_metric([kind], n)
    return [by_grade, overdue, region_grade, transitions]


def delivery_families(s: Session, now: dt.datetime) -> list:
    msgs = GaugeMetricFamily(
        "labourwatch_outbox_messages",
        "Notifications in the outbox by channel and status.",
        labels=["channel", "status"],
    )
    done = CounterMetricFamily(
        "labourwatch_deliveries",
        "Notifications finished, by channel and outcome (sent, or dead after its last retry).",
        labels=["channel", "outcome"],
    )
    attempts = CounterMetricFamily(
        "labourwatch_delivery_attempts", "Delivery attempts made, by channel.", labels=["channel"]
    )
    oldest = GaugeMetricFamily(
        "labourwatch_outbox_oldest_pending_age_seconds",
        "Age of the oldest notification still waiting to be sent, by channel (0: none waiting).",
        labels=["channel"],
    )
    # Every channel and outcome is present from the start (at 0), so increase() sees the first dead letter.
    finished = {(c, o): 0 for c in CHANNELS for o in ("sent", "dead")}
    tried: dict[str, int] = dict.fromkeys(CHANNELS, 0)
    waiting: dict[str, float] = dict.fromkeys(CHANNELS, 0.0)
    for channel, status, n, n_attempts, first in s.execute(
        select(Outbox.channel, Outbox.status, func.count(), func.sum(Outbox.attempts), func.min(Outbox.created_at))
        .group_by(Outbox.channel, Outbox.status)
        .order_by(Outbox.channel, Outbox.status)
    ):
        msgs.add_metric([channel, status], n)
        tried[channel] = tried.get(channel, 0) + int(n_attempts or 0)
        if status in ("sent", "dead"):
            finished[channel, status] = n
        elif status == "pending" and first is not None:
            waiting[channel] = max(0.0, (now - _utc(first)).total_seconds())
    for channel in sorted(waiting):
        oldest.add_metric([channel], waiting[channel])
    for (channel, outcome), n in sorted(finished.items()):
        done.add_metric([channel, outcome], n)
    for channel in sorted(tried):
        attempts.add_metric([channel], tried[channel])
    return [msgs, done, attempts, oldest]


def labour_market_families(s: Session, now: dt.datetime) -> list:
    info = GaugeMetricFamily(
        "labourwatch_region_info",
        "Always 1: the names of each province and city code, for joining in PromQL (group_left).",
        labels=["region", "name_zh", "name_en", "level"],
    )
    for r in s.scalars(select(Region).where(Region.level.in_(SUMMARY_LEVELS), Region.active).order_by(Region.code)):
        info.add_metric([r.code, r.name_zh, r.name_en, r.level], 1.0)
    rate = GaugeMetricFamily(
        "labourwatch_surveyed_unemployment_rate_percent",
        "Latest surveyed urban unemployment rate per region (all persons).",
        labels=["region"],
    )
    obs = observations_as_of(s, as_of=now, indicators=["surveyed_unemployment_rate"], population_groups=["total"])
    if not obs.empty:
        obs = obs[obs["occupation"] == "total"]
        latest = obs.sort_values("period").groupby("region_code").tail(1).sort_values("region_code")
        for r in latest.itertuples(index=False):
            rate.add_metric([r.region_code], float(r.value))
    filings = CounterMetricFamily(
        "labourwatch_layoff_filings", "Art. 41 layoff filings received, by city.", labels=["region"]
    )
    persons = CounterMetricFamily(
        "labourwatch_layoff_filed_persons", "People to be laid off in the filings received, by city.", labels=["region"]
    )
    parent = dict(s.execute(select(Region.code, Region.parent_code).where(Region.level == "county")).all())
    by_city: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for code, n, people in s.execute(
        select(LayoffFiling.region_code, func.count(), func.sum(LayoffFiling.layoffs)).group_by(
            LayoffFiling.region_code
        )
    ):
        totals = by_city[parent.get(code, code)]  # a county's filings count for its city
        totals[0] += n
        totals[1] += int(people or 0)
    for code in sorted(by_city):
        filings.add_metric([code], by_city[code][0])
        persons.add_metric([code], by_city[code][1])
    return [info, rate, filings, persons]
