"""The scheduler process (`labourwatch scheduler`): one visible list of jobs, one leader, every run recorded.

    SCHEDULE                       each job's id (a key of service.jobs.JOBS), trigger, misfire grace, coalescing
    run_scheduler(settings)        the process: elect a leader by database lease, run APScheduler while leading

How "exactly once per trigger" holds with several scheduler processes against one database:
1. Leadership. Each process tries to take or renew the row `scheduler_leases(name='scheduler')` every
   `renew_every` seconds; only a row that is free or expired can be taken, so one process leads at a time.
   Only the leader starts APScheduler (SQLAlchemy job store, table `apscheduler_jobs`); a standby waits. A leader
   that cannot renew pauses its scheduler. Works on SQLite and PostgreSQL alike (no advisory locks needed).
2. Claims. A firing runs only after inserting `scheduler_claims(job_id, slot)`, where slot is the trigger time it
   serves. In the seconds around a hand-over (an old leader stalled past its lease, then fires late) the second
   insert fails on the primary key and that firing is skipped, so no trigger time runs twice.
3. Records. The run itself goes through service.jobs.run_job, which records a JobRun with outcome and duration;
   the claim keeps the run's id. Any job can also be run by hand: `labourwatch jobs run ID`.

Interval triggers start at a fixed epoch, so every process computes the same trigger times.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import uuid
from dataclasses import dataclass

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from service.calendar import LOCAL_TZ
from service.config import Settings
from service.db.engine import make_engine, make_sessionmaker
from service.db.tables import SchedulerClaim, SchedulerLease
from service.jobs import JOBS, run_job

__all__ = [
    "SCHEDULE",
    "Lease",
    "ScheduledJob",
    "claim_slot",
    "fire",
    "last_fire_time",
    "run_scheduler",
]

log = logging.getLogger(__name__)

EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)  # interval triggers count from here: same times in every process
LOCAL = LOCAL_TZ.key  # cron triggers read as the officials' clock (service/calendar.py)
LEASE_NAME = "scheduler"


@dataclass(frozen=True)
class ScheduledJob:
    id: str  # a key of service.jobs.JOBS
    trigger: BaseTrigger
    misfire_grace_time: int  # seconds late a firing may still run; later than that it is skipped
    coalesce: bool = True  # several missed firings run once
    max_instances: int = 1


def every(**interval) -> IntervalTrigger:
    return IntervalTrigger(**interval, start_date=EPOCH, timezone=dt.UTC)


# The job list. Ingestion jobs first (data in), then the chain they feed (forecast, rules), then housekeeping.
SCHEDULE: tuple[ScheduledJob, ...] = (
    # Files dropped into data_dir/inbox/<source>/ land within five minutes.
    ScheduledJob("ingest-inbox", every(minutes=5), misfire_grace_time=240),
    # The recruitment feed publishes yesterday's figures overnight (Beijing time).
    ScheduledJob("pull-recruitment", CronTrigger(hour=6, minute=20, timezone=LOCAL), misfire_grace_time=6 * 3600),
    # Social-insurance extracts for the month are complete by the 5th; read the SQL source daily from the 3rd.
    ScheduledJob(
        "pull-social-insurance", CronTrigger(day="3-10", hour=7, minute=0, timezone=LOCAL), misfire_grace_time=12 * 3600
    ),
    # New data (any batch landed since the last pass) triggers forecasting and then rule evaluation.
    ScheduledJob("process-new-data", every(minutes=10), misfire_grace_time=540),
    # A daily full pass even without new data: acknowledgement deadlines and forecast-based rules move with time.
    ScheduledJob("evaluate-rules", CronTrigger(hour=8, minute=0, timezone=LOCAL), misfire_grace_time=6 * 3600),
    ScheduledJob("check-freshness", every(hours=1), misfire_grace_time=3000),
    # Warnings: grades I and II must be acknowledged within 2 h, so deadlines are checked every 15 minutes.
    ScheduledJob("escalate-overdue", every(minutes=15), misfire_grace_time=600),
    ScheduledJob("send-reminders", every(hours=1), misfire_grace_time=3000),
    # Notices leave within a minute of the alert event that caused them; retries back off inside the outbox.
    ScheduledJob("deliver-outbox", every(minutes=1), misfire_grace_time=50),
    # The quarterly joint-assessment report, ten days after each quarter ends (Beijing morning).
    ScheduledJob(
        "report-quarterly",
        CronTrigger(month="1,4,7,10", day=10, hour=6, minute=0, timezone=LOCAL),
        misfire_grace_time=24 * 3600,
    ),
)


def last_fire_time(job: ScheduledJob, now: dt.datetime) -> dt.datetime:
    """The trigger time a firing at `now` serves: the latest one not after `now` (within the misfire grace)."""
    start = now - dt.timedelta(seconds=job.misfire_grace_time + 60)
    slot = None
    t = job.trigger.get_next_fire_time(None, start)
    while t is not None and t <= now:
        slot = t
        t = job.trigger.get_next_fire_time(t, t + dt.timedelta(microseconds=1))
    return (slot or now.replace(microsecond=0)).astimezone(dt.UTC)


class Lease:
    """The leader's lease in `scheduler_leases`: taken when free or expired, renewed by its holder."""

    def __init__(self, sessions: sessionmaker[Session], *, holder: str, ttl: dt.timedelta, name: str = LEASE_NAME):
        self.sessions, self.holder, self.ttl, self.name = sessions, holder, ttl, name

    def acquire(self, now: dt.datetime) -> bool:
        """Take or renew the lease; True when this process holds it until now + ttl."""
        lease = SchedulerLease
        with self.sessions() as s, s.begin():
            mine = s.execute(
                update(lease)
                .where(lease.name == self.name, lease.holder == self.holder)
                .values(expires_at=now + self.ttl)
            ).rowcount
            if mine:
                return True
            taken = s.execute(
                update(lease)
                .where(lease.name == self.name, lease.expires_at < now)
                .values(holder=self.holder, acquired_at=now, expires_at=now + self.ttl)
            ).rowcount
            if taken:
                return True
            if s.get(lease, self.name) is not None:
                return False
            try:
                with s.begin_nested():
                    s.add(lease(name=self.name, holder=self.holder, acquired_at=now, expires_at=now + self.ttl))
            except IntegrityError:
                return False
            return True

    def holds(self, session: Session, now: dt.datetime) -> bool:
        row = session.get(SchedulerLease, self.name)
        return row is not None and row.holder == self.holder and row.expires_at > now

    def release(self, now: dt.datetime) -> None:
        with self.sessions() as s, s.begin():
            s.execute(
                update(SchedulerLease)
                .where(SchedulerLease.name == self.name, SchedulerLease.holder == self.holder)
                .values(expires_at=now)
            )


def claim_slot(sessions: sessionmaker[Session], *, lease: Lease, job_id: str, slot: dt.datetime, now: dt.datetime):
    """Insert the claim for (job, slot) while holding the lease; the claim, or None when it is not ours to run."""
    with sessions() as s, s.begin():
        if not lease.holds(s, now):
            return None
        claim = SchedulerClaim(job_id=job_id, slot=slot, holder=lease.holder, claimed_at=now)
        try:
            with s.begin_nested():
                s.add(claim)
        except IntegrityError:
            return None
        return claim


@dataclass
class _Context:
    settings: Settings
    sessions: sessionmaker[Session]
    lease: Lease
    jobs: dict[str, ScheduledJob]


# APScheduler's job store keeps a textual reference to `fire` and the job id, never settings or secrets; the
# process that leads sets this context, and `fire` reads it. It is the one piece of module state.
_ACTIVE: _Context | None = None


def fire(job_id: str) -> None:
    """What APScheduler runs for every job: claim the trigger time, then run and record the job."""
    ctx = _ACTIVE
    if ctx is None or job_id not in ctx.jobs:
        log.warning("job %s fired outside a leading scheduler; skipped", job_id)
        return
    now = dt.datetime.now(dt.UTC)
    slot = last_fire_time(ctx.jobs[job_id], now)
    claim = claim_slot(ctx.sessions, lease=ctx.lease, job_id=job_id, slot=slot, now=now)
    if claim is None:
        log.info("job %s at %s: already claimed or not the leader; skipped", job_id, slot.isoformat())
        return
    run = run_job(ctx.settings, job_id, trigger="scheduled", now=now)
    with ctx.sessions() as s, s.begin():
        s.execute(
            update(SchedulerClaim)
            .where(SchedulerClaim.job_id == job_id, SchedulerClaim.slot == slot)
            .values(job_run_id=run.id)
        )
    log.info("job %s at %s: %s in %.2f s (run %s)", job_id, slot.isoformat(), run.status, run.duration_seconds, run.id)


def _install(scheduler: BackgroundScheduler, schedule: tuple[ScheduledJob, ...]) -> None:
    wanted = {job.id for job in schedule}
    for stored in scheduler.get_jobs():
        if stored.id not in wanted:
            stored.remove()
    for job in schedule:
        scheduler.add_job(
            fire,
            trigger=job.trigger,
            args=[job.id],
            id=job.id,
            name=job.id,
            misfire_grace_time=job.misfire_grace_time,
            coalesce=job.coalesce,
            max_instances=job.max_instances,
            replace_existing=True,
        )


def run_scheduler(
    settings: Settings,
    *,
    schedule: tuple[ScheduledJob, ...] = SCHEDULE,
    lease_seconds: float = 30.0,
    stop: threading.Event | None = None,
) -> None:
    """Run until `stop` is set (or the process is signalled): lead when the lease allows, stand by otherwise."""
    global _ACTIVE
    unknown = [job.id for job in schedule if job.id not in JOBS]
    if unknown:
        raise KeyError(f"scheduled jobs not in service.jobs.JOBS: {unknown}")
    stop = stop or threading.Event()
    holder = f"{socket.gethostname()[:64]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    lease = Lease(sessions, holder=holder, ttl=dt.timedelta(seconds=lease_seconds))
    scheduler: BackgroundScheduler | None = None
    leading = False
    renew_every = max(lease_seconds / 3, 0.2)
    log.info("scheduler %s started; %d jobs; lease %.0f s", holder, len(schedule), lease_seconds)
    try:
        while not stop.is_set():
            now = dt.datetime.now(dt.UTC)
            try:
                held = lease.acquire(now)
            except Exception:  # a database hiccup: stop leading until the lease is confirmed again
                log.exception("scheduler %s could not reach the lease; standing by", holder)
                held = False
            if held and not leading:
                _ACTIVE = _Context(settings, sessions, lease, {job.id: job for job in schedule})
                if scheduler is None:
                    scheduler = BackgroundScheduler(
                        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename="apscheduler_jobs")},
                        timezone=dt.UTC,
                    )
                    scheduler.start(paused=True)
                _install(scheduler, schedule)
                scheduler.resume()
                leading = True
                log.info("scheduler %s leads", holder)
            elif not held and leading:
                scheduler.pause()
                leading = False
                log.warning("scheduler %s lost the lease; standing by", holder)
            stop.wait(renew_every)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=True)
        if leading:
            lease.release(dt.datetime.now(dt.UTC))
        _ACTIVE = None
        engine.dispose()


def lease_holder(session: Session) -> tuple[str, dt.datetime] | None:
    row = session.execute(
        select(SchedulerLease.holder, SchedulerLease.expires_at).where(SchedulerLease.name == LEASE_NAME)
    ).first()
    return (row.holder, row.expires_at) if row else None
