"""Every database table, as SQLAlchemy 2 typed ORM classes. The schema itself comes from migrations/.

Groups, in the order data flows:
  reference   Region, Indicator, PopulationGroup, Source          (loaded from service/registry/)
  people      Organisation, User, ApiKey, AuditLog
  ingestion   Batch, Observation, Enterprise, EnterpriseHeadcount, LayoffFiling, RecruitmentDaily, SourceCursor
  forecasts   ForecastRun, ForecastSeries, ForecastPoint, ForecastScore
  warnings    ThresholdVersion, Alert, AlertEvent, Silence, Subscription, Outbox
  operations  JobRun, SchedulerLease, SchedulerClaim, SchedulerJob (APScheduler's store), Report

Figures are never overwritten: a revised month is a new Observation row with a later `vintage` (the time the
figure became known), so every query can be asked "as of" a moment (service/db/queries.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    Unicode,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from service.db.types import BigId, JSONType, UTCDateTime

__all__ = [
    "Alert",
    "AlertEvent",
    "ApiKey",
    "AuditLog",
    "Base",
    "Batch",
    "Enterprise",
    "EnterpriseHeadcount",
    "ForecastPoint",
    "ForecastRun",
    "ForecastScore",
    "ForecastSeries",
    "Indicator",
    "JobRun",
    "LayoffFiling",
    "Observation",
    "Organisation",
    "Outbox",
    "PopulationGroup",
    "RecruitmentDaily",
    "Region",
    "Report",
    "SchedulerClaim",
    "SchedulerJob",
    "SchedulerLease",
    "Silence",
    "Source",
    "SourceCursor",
    "Subscription",
    "ThresholdVersion",
    "User",
]

# Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLES = ("uploader", "analyst", "responder", "admin")
ALERT_STATES = ("open", "acknowledged", "resolved")
BATCH_STATUSES = ("received", "landed", "rejected")
OUTBOX_STATUSES = ("pending", "sent", "dead")
JOB_STATUSES = ("running", "succeeded", "failed", "skipped")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict] = {dt.datetime: UTCDateTime(), dict[str, Any]: JSONType, list[Any]: JSONType}


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


# ----------------------------------------------------------------------------------------------- reference


class Region(Base):
    """A GB/T 2260 administrative region: province, prefecture-level city (市州) or county-level unit (县市区)."""

    __tablename__ = "regions"
    __table_args__ = (CheckConstraint(_in("level", ("province", "city", "county")), name="level"),)

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(128))
    level: Mapped[str] = mapped_column(String(8))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    # Materialised path of codes from the province down ("430000/430200/430211"): subtree = path LIKE prefix.
    path: Mapped[str] = mapped_column(String(32), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Source(Base):
    """A data source and how often it is expected to deliver (for freshness)."""

    __tablename__ = "sources"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(128))
    cadence_days: Mapped[int] = mapped_column(Integer)
    grace_days: Mapped[int] = mapped_column(Integer)


class Indicator(Base):
    """An entry of the indicator dictionary (service/registry/indicators.yaml)."""

    __tablename__ = "indicators"

    code: Mapped[str] = mapped_column(String(48), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(128))
    unit: Mapped[str] = mapped_column(String(16))
    frequency: Mapped[str] = mapped_column(String(1))
    direction: Mapped[str] = mapped_column(String(8))
    source_code: Mapped[str] = mapped_column(ForeignKey("sources.code"))
    grain: Mapped[str] = mapped_column(String(16))
    cumulative: Mapped[bool] = mapped_column(Boolean, default=False)
    value_min: Mapped[float] = mapped_column(Float)
    value_max: Mapped[float] = mapped_column(Float)
    spec: Mapped[dict[str, Any]] = mapped_column(default=dict)  # target, groups, derived_from


class PopulationGroup(Base):
    """A key group a surveyed figure may be broken down by (重点群体); `total` is everyone."""

    __tablename__ = "population_groups"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(128))


# -------------------------------------------------------------------------------------------------- people


class Organisation(Base):
    """A statistics bureau, an HR department or the operators; its region bounds what its users may see."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    kind: Mapped[str] = mapped_column(String(24))  # stats_bureau, hr_department, operations
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    created_at: Mapped[dt.datetime]


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    email: Mapped[str | None] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(16))
    # Password for the web pages (argon2 hash); API clients use keys.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime]


class ApiKey(Base):
    """An API key: shown once, stored as an argon2 hash, found by its public prefix, revocable, expiring."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]
    last_used_at: Mapped[dt.datetime | None]


class AuditLog(Base):
    """Every write: who, what, when, from where, and the object before and after."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(64))


# ----------------------------------------------------------------------------------------------- ingestion


class Batch(Base):
    """One delivery from a source: an upload, a file drop, a feed pull. It lands whole or not at all."""

    __tablename__ = "batches"
    __table_args__ = (
        CheckConstraint(_in("status", BATCH_STATUSES), name="status"),
        # An identical file lands once per source; a concurrent duplicate upload fails on this index.
        Index(
            "uq_batches_landed_content",
            "source_code",
            "content_hash",
            unique=True,
            postgresql_where=text("status = 'landed'"),
            sqlite_where=text("status = 'landed'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_code: Mapped[str] = mapped_column(ForeignKey("sources.code"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_hash: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_landed: Mapped[int] = mapped_column(Integer, default=0)
    rows_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    error_report: Mapped[list[Any] | None]
    stored_path: Mapped[str | None] = mapped_column(String(512))  # refused input kept for inspection
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[dt.datetime]
    landed_at: Mapped[dt.datetime | None]
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)


class Observation(Base):
    """One published figure for a region, indicator, period and breakdown, as known from `vintage` on."""

    __tablename__ = "observations"
    __table_args__ = (
        # Also the index of every as-of read (indicator, region, then group, occupation, period). A separate
        # (indicator, region, period, vintage) index was dropped in ingest01: as-of reads plan on this one just as
        # fast, and maintaining it cost a fifth of the database's work in a million-row load.
        UniqueConstraint(
            "indicator_code", "region_code", "population_group", "occupation", "period", "batch_id", name="series_batch"
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # Region, indicator and group codes are checked by the one write path (service/db/staging.py), not by
    # per-row foreign keys: ingestion validates every row against the registry and the writer checks each
    # batch's distinct codes against the reference tables before commit. Per-row FK triggers cost more than
    # half of a million-row load (docs/benchmarks.md); this is a fact table fed only by that path.
    region_code: Mapped[str] = mapped_column(String(6))
    indicator_code: Mapped[str] = mapped_column(String(48))
    # The first day of the month (or of the quarter's first month) the figure describes.
    period: Mapped[dt.date] = mapped_column(Date)
    population_group: Mapped[str] = mapped_column(String(32), default="total")
    occupation: Mapped[str] = mapped_column(String(32), default="total")
    value: Mapped[float] = mapped_column(Float)
    sample_size: Mapped[int | None] = mapped_column(Integer)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    vintage: Mapped[dt.datetime]


class Enterprise(Base):
    """An employer known to social insurance, by 统一社会信用代码 (18 characters with a check digit)."""

    __tablename__ = "enterprises"

    credit_code: Mapped[str] = mapped_column(String(18), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(128))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    industry: Mapped[str | None] = mapped_column(String(4))
    industry_zh: Mapped[str | None] = mapped_column(String(64))
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[dt.datetime]


class EnterpriseHeadcount(Base):
    """An enterprise's insured headcount for a month; revisions add rows like observations."""

    __tablename__ = "enterprise_headcounts"
    __table_args__ = (UniqueConstraint("credit_code", "period", "batch_id", name="period_batch"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    credit_code: Mapped[str] = mapped_column(ForeignKey("enterprises.credit_code"))
    period: Mapped[dt.date] = mapped_column(Date)
    insured: Mapped[int] = mapped_column(Integer)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    vintage: Mapped[dt.datetime]


class LayoffFiling(Base):
    """A layoff reported under Labour Contract Law art. 41 (>= 20 people, or < 20 but >= 10 % of staff)."""

    __tablename__ = "layoff_filings"
    __table_args__ = (
        CheckConstraint("layoffs > 0 AND staff_before >= layoffs", name="sizes"),
        UniqueConstraint("external_ref", name="external_ref"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    credit_code: Mapped[str] = mapped_column(ForeignKey("enterprises.credit_code"), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    filed_on: Mapped[dt.date] = mapped_column(Date, index=True)
    planned_on: Mapped[dt.date] = mapped_column(Date)
    staff_before: Mapped[int] = mapped_column(Integer)
    layoffs: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="filed")
    external_ref: Mapped[str | None] = mapped_column(String(64))  # the filer's idempotency key
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"))
    received_at: Mapped[dt.datetime]


class RecruitmentDaily(Base):
    """A day's postings and seekers for a city and occupation as the recruitment feed last delivered them.

    Monthly totals (observations of job_postings and job_seekers, per occupation and `total`) are derived from
    these rows; a day delivered twice (a repeated page) replaces itself instead of counting twice.
    """

    __tablename__ = "recruitment_daily"

    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), primary_key=True)
    occupation: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    postings: Mapped[int] = mapped_column(Integer)
    seekers: Mapped[int] = mapped_column(Integer)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    updated_at: Mapped[dt.datetime]


class SourceCursor(Base):
    """Where a paginated feed stopped, so a broken pull resumes instead of starting over."""

    __tablename__ = "source_cursors"

    source_code: Mapped[str] = mapped_column(ForeignKey("sources.code"), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime]


# ----------------------------------------------------------------------------------------------- forecasts


class ForecastRun(Base):
    """One forecasting run over many series, with the data vintage it saw."""

    __tablename__ = "forecast_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]
    status: Mapped[str] = mapped_column(String(16))  # running, succeeded, failed
    data_as_of: Mapped[dt.datetime]
    trigger: Mapped[str] = mapped_column(String(64))
    spec: Mapped[dict[str, Any]] = mapped_column(default=dict)
    n_series: Mapped[int] = mapped_column(Integer, default=0)
    n_fallbacks: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class ForecastSeries(Base):
    """One series within a run: which model forecast it, with what parameters, from which origin."""

    __tablename__ = "forecast_series"
    __table_args__ = (Index("ix_forecast_series_key", "indicator_code", "region_code", "population_group", "run_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("forecast_runs.id", ondelete="CASCADE"), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicators.code"))
    population_group: Mapped[str] = mapped_column(String(32), default="total")
    origin: Mapped[dt.date] = mapped_column(Date)  # the last observed period
    model: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    n_obs: Mapped[int] = mapped_column(Integer)
    fallback_reason: Mapped[str | None] = mapped_column(Text)


class ForecastPoint(Base):
    __tablename__ = "forecast_points"
    __table_args__ = (UniqueConstraint("series_id", "horizon", name="series_horizon"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("forecast_series.id", ondelete="CASCADE"))
    period: Mapped[dt.date] = mapped_column(Date)
    horizon: Mapped[int] = mapped_column(SmallInteger)
    mean: Mapped[float] = mapped_column(Float)
    lo80: Mapped[float] = mapped_column(Float)
    hi80: Mapped[float] = mapped_column(Float)
    lo95: Mapped[float] = mapped_column(Float)
    hi95: Mapped[float] = mapped_column(Float)


class ForecastScore(Base):
    """A forecast point scored against the figure that later arrived: the running accuracy record."""

    __tablename__ = "forecast_scores"

    point_id: Mapped[int] = mapped_column(ForeignKey("forecast_points.id", ondelete="CASCADE"), primary_key=True)
    actual: Mapped[float] = mapped_column(Float)
    error: Mapped[float] = mapped_column(Float)
    scaled_abs_error: Mapped[float | None] = mapped_column(Float)
    covered80: Mapped[bool] = mapped_column(Boolean)
    covered95: Mapped[bool] = mapped_column(Boolean)
    actual_vintage: Mapped[dt.datetime]
    scored_at: Mapped[dt.datetime]


# ------------------------------------------------------------------------------------------------ warnings


class ThresholdVersion(Base):
    """Every thresholds.yaml ever offered: the one in force, those superseded, and those refused (with why)."""

    __tablename__ = "threshold_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # active, superseded, refused
    message: Mapped[str | None] = mapped_column(Text)
    loaded_at: Mapped[dt.datetime]
    loaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Alert(Base):
    """One alert per region and risk while it is in force (fingerprint); resolved alerts stay as history."""

    __tablename__ = "alerts"
    __table_args__ = (
        CheckConstraint(_in("state", ALERT_STATES), name="state"),
        CheckConstraint("grade BETWEEN 1 AND 4", name="grade"),
        Index(
            "uq_alerts_live_fingerprint",
            "fingerprint",
            unique=True,
            postgresql_where=text("state <> 'resolved'"),
            sqlite_where=text("state <> 'resolved'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    risk: Mapped[str] = mapped_column(String(48))
    grade: Mapped[int] = mapped_column(SmallInteger)  # 1 特别严重 red .. 4 一般 blue; the highest reached
    state: Mapped[str] = mapped_column(String(16))
    period: Mapped[dt.date] = mapped_column(Date)  # the latest data month that supports it
    rule_ids: Mapped[list[Any]] = mapped_column(default=list)
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    summary_zh: Mapped[str] = mapped_column(Text)
    summary_en: Mapped[str] = mapped_column(Text)
    opened_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    acknowledged_at: Mapped[dt.datetime | None]
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[dt.datetime | None]
    ack_deadline: Mapped[dt.datetime | None]
    # The region whose HR department must respond now: the alert's own, or a parent after escalation.
    responsible_region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    last_notified_at: Mapped[dt.datetime | None]
    clear_since: Mapped[dt.date | None] = mapped_column(Date)  # hysteresis: first clear period on the way down
    ack_note: Mapped[str | None] = mapped_column(Text)
    # A responder may close an alert by hand with a note; the same figures then do not reopen it.
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_by_hand: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    resolution_note: Mapped[str | None] = mapped_column(Text)


class AlertEvent(Base):
    """The history of an alert: each transition with its named reason."""

    __tablename__ = "alert_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    at: Mapped[dt.datetime]
    kind: Mapped[str] = mapped_column(String(24))  # opened, escalated, de_escalated, acknowledged, ...
    reason: Mapped[str] = mapped_column(String(48))
    from_grade: Mapped[int | None] = mapped_column(SmallInteger)
    to_grade: Mapped[int | None] = mapped_column(SmallInteger)
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str | None] = mapped_column(String(16))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Silence(Base):
    """Mutes notifications for a region subtree (and optionally one risk) until it expires."""

    __tablename__ = "silences"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    risk: Mapped[str | None] = mapped_column(String(48))
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    reason: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime]


class Subscription(Base):
    """Where an organisation wants alerts for its region subtree delivered, and from which grade up."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        CheckConstraint(_in("channel", ("webhook", "wecom", "dingtalk", "email")), name="channel"),
        CheckConstraint("min_grade BETWEEN 1 AND 4", name="min_grade"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    channel: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(512))
    secret: Mapped[str | None] = mapped_column(String(255))
    min_grade: Mapped[int] = mapped_column(SmallInteger, default=4)  # 4 = every grade
    language: Mapped[str] = mapped_column(String(2), default="zh")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime]


class Outbox(Base):
    """A notification to send, written in the same transaction as the alert event that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(_in("status", OUTBOX_STATUSES), name="status"),
        Index("ix_outbox_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id"), index=True)
    alert_event_id: Mapped[int | None] = mapped_column(ForeignKey("alert_events.id"))
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id"))
    channel: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime]
    claimed_until: Mapped[dt.datetime | None]
    # Who holds the claim until claimed_until: a sender records its outcome only while its token still holds.
    claim_token: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime]
    sent_at: Mapped[dt.datetime | None]


# ---------------------------------------------------------------------------------------------- operations


class JobRun(Base):
    """Every run of a scheduled or hand-triggered job, with its outcome and duration."""

    __tablename__ = "job_runs"
    __table_args__ = (CheckConstraint(_in("status", JOB_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(String(64), index=True)
    trigger: Mapped[str] = mapped_column(String(16))  # scheduled, manual
    started_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]
    status: Mapped[str] = mapped_column(String(16))
    duration_seconds: Mapped[float | None] = mapped_column(Float)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    host: Mapped[str | None] = mapped_column(String(128))
    pid: Mapped[int | None] = mapped_column(Integer)


class SchedulerLease(Base):
    """The scheduler leader's lease: exactly one scheduler process runs jobs while it holds an unexpired lease."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    acquired_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]


class SchedulerClaim(Base):
    """One row per job and trigger time: whoever inserts it runs that firing, so no firing runs twice.

    The lease makes one scheduler the leader; the claim keeps "once per trigger" true even in the seconds
    around a leadership hand-over, when an old leader that stalled may still fire.
    """

    __tablename__ = "scheduler_claims"

    job_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    slot: Mapped[dt.datetime] = mapped_column(primary_key=True)  # the trigger time this run serves
    holder: Mapped[str] = mapped_column(String(128))
    claimed_at: Mapped[dt.datetime]
    job_run_id: Mapped[int | None] = mapped_column(BigId)


class SchedulerJob(Base):
    """APScheduler 3's SQLAlchemy job store (its own layout), created here so that migrations own every table."""

    __tablename__ = "apscheduler_jobs"

    id: Mapped[str] = mapped_column(Unicode(191), primary_key=True)
    next_run_time: Mapped[float | None] = mapped_column(Float, index=True)
    job_state: Mapped[bytes] = mapped_column(LargeBinary)


class Report(Base):
    """A generated quarterly joint-assessment report (HTML and PDF bytes kept for download).

    One per region (a province), quarter, language, format and generation; `data_as_of` is the moment whose
    figures it shows and `batch_ids` the batches they were read from, so any report can be traced and rebuilt.
    """

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("region_code", "quarter", "language", "format", "generated_at", name="version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    quarter: Mapped[str] = mapped_column(String(6))  # 2025Q3
    language: Mapped[str] = mapped_column(String(2))
    format: Mapped[str] = mapped_column(String(4))  # html, pdf
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    generated_at: Mapped[dt.datetime]
    generated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    data_as_of: Mapped[dt.datetime | None]
    batch_ids: Mapped[list[Any]] = mapped_column(default=list)
