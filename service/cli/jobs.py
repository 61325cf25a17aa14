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
@click.option("--indicator", help="Only this indicator (a forecast target, e.g. surveyed_unemployment_rate).")
@click.option("--region", help="Only this region and the regions below it (GB/T 2260 code).")
@click.pass_context
def forecast(ctx: click.Context, indicator: str | None, region: str | None) -> None:
    """Forecast every stored series (or one indicator or region) from the data known now."""
    if indicator is None and region is None:
        _run(ctx, "forecast-series")  # the scheduled job, recorded as a job run
        return
    from service.cli._common import now, transaction
    from service.db.queries import subtree_codes
    from service.forecasting import FORECAST_TARGETS
    from service.forecasting import forecast as run_forecast

    targets = tuple(t for t in FORECAST_TARGETS if indicator in (None, t.indicator))
    if not targets:
        known = ", ".join(t.indicator for t in FORECAST_TARGETS)
        raise click.ClickException(f"{indicator!r} is not forecast; forecast targets are {known}")
    settings = settings_of(ctx)
    with transaction(settings) as s:
        regions = frozenset(subtree_codes(s, region_code=region)) if region else None
        if region and not regions:
            raise click.ClickException(f"unknown region code {region}")
        out = run_forecast(s, now=now(), trigger="manual", executor=settings.executor, targets=targets,
                           regions=regions)  # fmt: skip
    click.echo(f"forecast run {out['run_id']}: {out['series']} series, {out['fallbacks']} on the baseline")


@click.command()
@click.pass_context
def evaluate(ctx: click.Context) -> None:
    """Evaluate the warning rules and move alerts through their lifecycle."""
    _run(ctx, "evaluate-rules")
