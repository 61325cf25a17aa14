"""`labourwatch ingest ...`: land files and pull feeds by hand, the same paths the API and the scheduler use.

    labourwatch ingest survey FILE              statistics-bureau survey batch (CSV or Excel)
    labourwatch ingest social-insurance FILE    regional social-insurance aggregates (tidy)
    labourwatch ingest hr-admin FILE            HR administrative statistics (tidy)
    labourwatch ingest enterprises FILE         enterprise monthly insured headcounts (统一社会信用代码)
    labourwatch ingest pull-recruitment         pull the recruitment feed from its saved cursor
    labourwatch ingest pull-social-insurance    read the social-insurance SQL source
    labourwatch ingest watch [--once]           land whatever arrives in the inbox folders
    labourwatch ingest freshness                last good batch per source, and whether it is overdue

A refused batch exits with status 1 after printing its problems (the file and its report are kept);
an identical re-upload is reported as a duplicate and exits 0.
"""

from __future__ import annotations

import json
import mmap
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from service.cli._common import now, settings_of, transaction

__all__ = ["ingest"]

SHOWN_PROBLEMS = 25


@click.group()
def ingest() -> None:
    """Land data files and pull data feeds."""


@contextmanager
def _mapped(path: Path):
    """The file's bytes without reading them onto the heap (an mmap), or b"" for an empty file."""
    with path.open("rb") as f:
        if path.stat().st_size == 0:
            yield b""
            return
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
            yield m


class _Progress:
    """A progress bar on a terminal; a line per chunk otherwise (logs, CI, tests that watch the process)."""

    def __init__(self, enabled: bool, label: str) -> None:
        self.enabled, self.label = enabled, label
        self.bar = None
        self.done = 0

    def __call__(self, rows: int, expected: int) -> None:
        if not self.enabled:
            return
        if sys.stderr.isatty():
            if self.bar is None:
                self.bar = click.progressbar(length=max(expected, 1), label=self.label, file=sys.stderr)
                self.bar.__enter__()
            self.bar.update(rows - self.done)
        else:
            share = f" ({100 * rows / expected:.0f}%)" if expected else ""
            click.echo(f"{self.label}: {rows:,} of ~{expected:,} rows read{share}", err=True)
        self.done = rows

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def _report(result) -> None:
    if result.status == "rejected":
        for p in result.problems[:SHOWN_PROBLEMS]:
            click.echo(f"  {p}  [{p.reason_zh}]", err=True)
        more = result.problems_total - min(len(result.problems), SHOWN_PROBLEMS)
        if more > 0:
            click.echo(f"  ... and {more} more", err=True)
        raise click.ClickException(
            f"batch {result.batch_id} refused: {result.problems_total} problem(s) in {result.filename}; nothing landed "
            "(the file and its report are kept)"
        )
    if result.status == "duplicate":
        click.echo(f"batch {result.batch_id} duplicate: {result.filename} already landed; nothing changed")
    else:
        click.echo(
            f"batch {result.batch_id} landed: {result.rows_total:,} rows from {result.filename} "
            f"({result.rows_landed:,} new or revised, {result.rows_unchanged:,} unchanged)"
        )


def _land_file(ctx: click.Context, source: str, path: Path, sheet: str | None, progress: bool, chunk_rows: int):
    from service.landing import land_observations
    from service.registry import load_registry
    from service.registry.reference import reference_for

    settings = settings_of(ctx)
    moment = now()
    reference = reference_for(load_registry(settings.province_codes), today=moment.date())
    bar = _Progress(progress, f"ingest {source}")
    try:
        with _mapped(path) as raw, transaction(settings) as session:
            result = land_observations(
                session,
                source=source,
                filename=path.name,
                raw=raw,
                reference=reference,
                now=moment,
                data_dir=settings.data_dir,
                sheet=sheet,
                chunk_rows=chunk_rows,
                progress=bar,
            )
    finally:
        bar.close()
    _report(result)


def _file_command(name: str, source: str, help_text: str):
    @ingest.command(name, help=help_text)
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--sheet", default=None, help="Excel sheet to read (default: the first with the header).")
    @click.option("--progress/--no-progress", default=True, help="Show progress while reading.")
    @click.option("--chunk-rows", type=click.IntRange(min=100), default=250_000, hidden=True)
    @click.pass_context
    def command(ctx: click.Context, path: Path, sheet: str | None, progress: bool, chunk_rows: int) -> None:
        _land_file(ctx, source, path, sheet, progress, chunk_rows)

    return command


survey = _file_command("survey", "survey", "Land a labour-survey batch (CSV or .xlsx; Chinese or English headers).")
social_insurance = _file_command(
    "social-insurance", "social_insurance", "Land regional social-insurance aggregates (insured, claims, ...)."
)
hr_admin = _file_command("hr-admin", "hr_admin", "Land HR administrative statistics (registered rate, new jobs).")


@ingest.command("enterprises")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--sheet", default=None, help="Excel sheet to read (default: the first with the header).")
@click.pass_context
def enterprises(ctx: click.Context, path: Path, sheet: str | None) -> None:
    """Land enterprise monthly insured headcounts (统一社会信用代码, region, industry, month, insured)."""
    from service.enterprises import land_headcounts
    from service.registry import load_registry
    from service.registry.reference import reference_for

    settings = settings_of(ctx)
    moment = now()
    reference = reference_for(load_registry(settings.province_codes), today=moment.date())
    with _mapped(path) as raw, transaction(settings) as session:
        result = land_headcounts(
            session,
            filename=path.name,
            raw=raw,
            reference=reference,
            now=moment,
            data_dir=settings.data_dir,
            sheet=sheet,
        )
    _report(result)


def _job(ctx: click.Context, job_id: str) -> None:
    from service.jobs import run_job

    run = run_job(settings_of(ctx), job_id, trigger="manual")
    _echo_json(run.detail)
    if run.status != "succeeded":
        raise click.ClickException(run.error or f"{job_id} failed")


@ingest.command("pull-recruitment")
@click.pass_context
def pull_recruitment(ctx: click.Context) -> None:
    """Pull the recruitment feed from its saved cursor (recorded as a run of the job pull-recruitment)."""
    _job(ctx, "pull-recruitment")


@ingest.command("pull-social-insurance")
@click.pass_context
def pull_social_insurance(ctx: click.Context) -> None:
    """Read the social-insurance SQL source (recorded as a run of the job pull-social-insurance)."""
    _job(ctx, "pull-social-insurance")


@ingest.command("watch")
@click.option("--once", is_flag=True, help="Land what is in the inbox now and exit.")
@click.option("--interval", type=click.FloatRange(min=1), default=10.0, show_default=True)
@click.pass_context
def watch(ctx: click.Context, once: bool, interval: float) -> None:
    """Land files dropped into data_dir/inbox/<source>/ (survey, social_insurance, hr_admin, recruitment,
    enterprise_headcount); landed files move to landed/, refused ones to refused/."""
    import time

    from service.inbox import INBOX_SOURCES, inbox_folder

    settings = settings_of(ctx)
    click.echo("watching " + ", ".join(str(inbox_folder(settings, s)) for s in INBOX_SOURCES), err=True)
    while True:
        from service.jobs import run_job

        run = run_job(settings, "ingest-inbox", trigger="manual")
        for f in run.detail.get("files", []):
            click.echo(f"{f['file']}: {f['status']} (batch {f['batch_id']})")
        if run.status != "succeeded":
            click.echo(f"ingest-inbox failed: {run.error}", err=True)
        if once:
            if run.status != "succeeded" or any(f["status"] == "rejected" for f in run.detail.get("files", [])):
                raise SystemExit(1)
            return
        time.sleep(interval)


@ingest.command("freshness")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def freshness(ctx: click.Context, as_json: bool) -> None:
    """Last good batch per source, expected cadence, overdue or not (exit 1 if any source is overdue)."""
    from service.freshness import source_freshness

    with transaction(settings_of(ctx)) as s:
        rows = source_freshness(s, now=now())
    if as_json:
        _echo_json([r.as_dict() for r in rows])
    else:
        for r in rows:
            last = r.last_landed_at.strftime("%Y-%m-%d %H:%M UTC") if r.last_landed_at else "never"
            state = "event-driven" if r.event_driven else ("OVERDUE" if r.overdue else "ok")
            click.echo(f"{r.source:<22} {r.name_zh:<10} last batch {last:<22} every {r.cadence_days:>2} d  {state}")
    if any(r.overdue for r in rows):
        raise SystemExit(1)


def _echo_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, default=str, indent=2))
