"""`labourwatch jobs ...` and the chain steps `labourwatch forecast` and `labourwatch evaluate`."""

from __future__ import annotations

import json

import click

from service.cli._common import settings_of
from service.jobs import JOBS, run_job

__all__ = ["evaluate", "forecast", "jobs"]


@click.group()
def jobs() -> None:
    """List the scheduled jobs or run one by hand."""


@jobs.command("list")
def list_jobs() -> None:
    for job_id in sorted(JOBS):
        click.echo(job_id)


@jobs.command("run")
@click.argument("job_id")
@click.pass_context
def run(ctx: click.Context, job_id: str) -> None:
    """Run JOB_ID once now and record the run."""
    _run(ctx, job_id)


def _run(ctx: click.Context, job_id: str) -> None:
    if job_id not in JOBS:
        raise click.ClickException(f"unknown job {job_id!r}; jobs are {', '.join(sorted(JOBS))}")
    result = run_job(settings_of(ctx), job_id, trigger="manual")
    click.echo(f"{job_id}: {result.status} in {result.duration_seconds:.2f} s {json.dumps(result.detail, default=str)}")
    if result.status != "succeeded":
        raise click.ClickException(result.error or "failed")


@click.command()
@click.pass_context
def forecast(ctx: click.Context) -> None:
    """Forecast every stored series from the data known now."""
    _run(ctx, "forecast-series")


@click.command()
@click.pass_context
def evaluate(ctx: click.Context) -> None:
    """Evaluate the warning rules and move alerts through their lifecycle."""
    _run(ctx, "evaluate-rules")
