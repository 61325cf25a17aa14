"""`labourwatch db ...`: migrate the database named by LABOURWATCH_DATABASE_URL and load the registries."""

from __future__ import annotations

import click

from service.alerting.rules import RulesError
from service.cli._common import now, settings_of, transaction
from service.db.migrate import downgrade, upgrade
from service.registry import load_registry
from service.registry.sync import sync_registry
from service.thresholds import active_rules

__all__ = ["db"]


@click.group()
def db() -> None:
    """Database migrations and reference data."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@click.pass_context
def upgrade_cmd(ctx: click.Context, revision: str) -> None:
    """Migrate to REVISION, then load or update the region and indicator registries and the rules."""
    settings = settings_of(ctx)
    upgrade(settings.database_url, revision)
    registry = load_registry(settings.province_codes)
    with transaction(settings) as session:
        counts = sync_registry(session, registry)
        try:
            rules = active_rules(session, path=settings.thresholds_path, now=now())
            rules_note = f"thresholds version {rules.version_id}"
            if rules.refused:
                rules_note += " (the file on disk was refused: " + "; ".join(rules.refused) + ")"
        except RulesError as exc:
            rules_note = "no valid thresholds: " + "; ".join(exc.problems)
    written = ", ".join(f"{k} {v}" for k, v in counts.items())
    click.echo(f"database migrated to {revision}; registries written: {written}; {rules_note}")


@db.command("downgrade")
@click.argument("revision")
@click.pass_context
def downgrade_cmd(ctx: click.Context, revision: str) -> None:
    """Migrate down to REVISION (e.g. base)."""
    downgrade(settings_of(ctx).database_url, revision)
    click.echo(f"database downgraded to {revision}")
