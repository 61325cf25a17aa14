"""`labourwatch demo`: generate the synthetic demo world, land it, run the chain, print where to look."""

from __future__ import annotations

import os

import click
import pandas as pd
from sqlalchemy import select

from service.cli._common import now, settings_of, transaction
from service.db.tables import Alert, Region

__all__ = ["demo"]


@click.command()
@click.option("--seed", type=int, default=None, help="Default: LABOURWATCH_DEMO_SEED (2018).")
@click.option("--end-month", default=None, help="Last month of data (YYYY-MM); default: the last complete month.")
@click.pass_context
def demo(ctx: click.Context, seed: int | None, end_month: str | None) -> None:
    """Load the synthetic Hunan demo world (14 cities, a layoff wave in 株洲) and run the whole chain."""
    from service.demo.load import demo_accounts, last_complete_month, load_world
    from service.demo.world import generate_world
    from service.jobs import run_job
    from service.registry import load_registry
    from service.registry.reference import reference_for

    settings = settings_of(ctx)
    moment = now()
    month = pd.Period(end_month, freq="M") if end_month else last_complete_month(moment)
    world = generate_world(end_month=month, seed=settings.demo_seed if seed is None else seed)
    click.echo(f"demo world: {world.label}; 2018-01 .. {month}, seed {world.seed}")
    registry = load_registry(settings.province_codes)
    with transaction(settings) as s:
        loaded = load_world(
            s,
            world=world,
            registry=registry,
            reference=reference_for(registry, today=moment.date()),
            now=moment,
            data_dir=settings.data_dir,
        )
        keys = demo_accounts(s, now=moment)
    for b in loaded.batches:
        click.echo(
            f"  batch {b.batch_id:>4} {b.status:<9} {b.filename}: {b.rows_landed} rows landed, "
            f"{b.rows_unchanged} unchanged"
        )
    click.echo(f"  layoff filings: {loaded.filings} new this run (filed as the filing API takes them)")
    for job in ("forecast-series", "evaluate-rules"):
        run = run_job(settings, job, trigger="manual")
        click.echo(f"  {job}: {run.status} in {run.duration_seconds:.1f} s {run.detail}")
        if run.status != "succeeded":
            raise click.ClickException(f"{job} failed: {run.error}")
    with transaction(settings) as s:
        names = dict(s.execute(select(Region.code, Region.name_zh)).all())
        live = s.scalars(select(Alert).where(Alert.state != "resolved").order_by(Alert.grade, Alert.region_code)).all()
        click.echo(f"alerts in force: {len(live)}")
        for a in live:
            click.echo(
                f"  #{a.id} {names.get(a.region_code, a.region_code)} grade {a.grade} ({a.state}): "
                f"{a.summary_zh.splitlines()[0]}"
            )
    keyfile = settings.data_dir / "demo-keys.txt"
    keyfile.parent.mkdir(parents=True, exist_ok=True)
    keyfile.write_text("".join(f"{user} {key}\n" for user, key in keys.items()), encoding="utf-8")
    os.chmod(keyfile, 0o600)
    admin_key = keys["demo-province-hr"]
    base = f"http://{settings.host}:{settings.port}"
    click.echo(f"demo API keys (synthetic accounts) written to {keyfile}")
    click.echo(f"try:  curl -H 'Authorization: Bearer {admin_key}' {base}/api/v1/alerts")
