"""`labourwatch scheduler`: the scheduler process. Start one per replica; the database lease picks one leader."""

from __future__ import annotations

import logging
import signal
import threading

import click

from service.cli._common import settings_of

__all__ = ["scheduler"]


@click.command()
@click.option("--lease-seconds", type=click.FloatRange(min=1), default=30.0, show_default=True)
@click.option("--list", "list_only", is_flag=True, help="Print the job list with triggers and exit.")
@click.option("--only", "only", multiple=True, hidden=True, help="Run only these job ids (drills and tests).")
@click.option("--every", type=click.FloatRange(min=0.5), default=None, hidden=True, help="Fire --only jobs every N s.")
@click.pass_context
def scheduler(ctx: click.Context, lease_seconds: float, list_only: bool, only: tuple[str, ...], every: float | None):
    """Run the scheduled jobs (ingestion, forecasting, rules) until stopped; standby while another process leads."""
    from dataclasses import replace

    from service.scheduler import SCHEDULE, run_scheduler
    from service.scheduler import every as every_trigger

    schedule = SCHEDULE
    if only:
        known = {job.id: job for job in SCHEDULE}
        unknown = [j for j in only if j not in known]
        if unknown:
            raise click.ClickException(f"unknown scheduled job(s) {unknown}; jobs are {sorted(known)}")
        schedule = tuple(known[j] for j in only)
        if every is not None:
            seconds = every
            schedule = tuple(
                replace(job, trigger=every_trigger(seconds=seconds), misfire_grace_time=1) for job in schedule
            )
    if list_only:
        for job in schedule:
            click.echo(
                f"{job.id:<24} {job.trigger}  misfire_grace={job.misfire_grace_time}s coalesce={job.coalesce} "
                f"max_instances={job.max_instances}"
            )
        return
    settings = settings_of(ctx)
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    run_scheduler(settings, schedule=schedule, lease_seconds=lease_seconds, stop=stop)
