"""The schedule names only jobs that exist, once each, with a misfire grace shorter than its interval."""

from apscheduler.triggers.interval import IntervalTrigger

from service.jobs import JOBS
from service.scheduler import SCHEDULE


def test_every_scheduled_job_exists_once():
    ids = [job.id for job in SCHEDULE]
    assert len(ids) == len(set(ids))
    assert set(ids) <= set(JOBS), sorted(set(ids) - set(JOBS))


def test_interval_jobs_do_not_pile_up():
    for job in SCHEDULE:
        if isinstance(job.trigger, IntervalTrigger):
            assert job.misfire_grace_time < job.trigger.interval.total_seconds(), job.id


def test_the_warning_and_report_jobs_are_scheduled():
    assert {"escalate-overdue", "send-reminders", "deliver-outbox", "report-quarterly", "evaluate-rules"} <= {
        job.id for job in SCHEDULE
    }
