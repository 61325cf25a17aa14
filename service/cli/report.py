"""`labourwatch report`: generate a quarterly joint-assessment report, store it, and write it to a file."""

from __future__ import annotations

from pathlib import Path

import click

from service.cli._common import now, settings_of, transaction

__all__ = ["report"]


@click.command()
@click.option("--quarter", default=None, help="Like 2025Q3. Default: the latest complete quarter.")
@click.option("--lang", "language", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["html", "pdf"]), default="pdf", show_default=True)
@click.option("--region", default=None, help="Province code. Default: the first of LABOURWATCH_PROVINCES.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write it. Default: DATA_DIR/reports/labourwatch-REGION-QUARTER-LANG-ID.FORMAT.",
)
@click.pass_context
def report(
    ctx: click.Context, quarter: str | None, language: str, fmt: str, region: str | None, out: Path | None
) -> None:
    """Generate the quarterly report (Chinese by default), keep it in the database and write it out."""
    from service.reports import Quarter, ReportError, download_name, generate_reports, latest_complete_quarter

    settings = settings_of(ctx)
    moment = now()
    try:
        q = Quarter.parse(quarter) if quarter else latest_complete_quarter(moment)
        with transaction(settings) as s:
            (made,) = generate_reports(
                s,
                region_code=region or settings.province_codes[0],
                quarter=q,
                now=moment,
                languages=(language,),
                formats=(fmt,),
            )
            content, name, report_id, synthetic = made.content, download_name(made), made.id, made.synthetic
    except ReportError as exc:
        raise click.ClickException(str(exc)) from exc
    path = out or settings.data_dir / "reports" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    note = " (synthetic demo data 合成演示数据)" if synthetic else ""
    click.echo(f"report {report_id}: {q} {language} {fmt}, {len(content):,} bytes{note} -> {path}")
