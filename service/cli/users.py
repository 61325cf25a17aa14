"""`labourwatch users ...`: organisations, users and API keys from the command line."""

from __future__ import annotations

import datetime as dt

import click

from service.accounts import AccountError, create_organisation, create_user, issue_key, revoke_key
from service.cli._common import now, settings_of, transaction
from service.db.tables import ROLES

__all__ = ["users"]


@click.group()
def users() -> None:
    """Manage organisations, users and API keys."""


@users.command("add-org")
@click.option("--name", required=True)
@click.option("--kind", type=click.Choice(["stats_bureau", "hr_department", "operations"]), required=True)
@click.option("--region", "region_code", required=True, help="GB/T 2260 code; users see this region and below.")
@click.pass_context
def add_org(ctx: click.Context, name: str, kind: str, region_code: str) -> None:
    """Create an organisation bound to a region."""
    try:
        with transaction(settings_of(ctx)) as s:
            org = create_organisation(s, name=name, kind=kind, region_code=region_code, now=now())
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"organisation {org.id} {name} ({kind}, region {region_code})")


@users.command("add")
@click.option("--org", "organisation_id", type=int, required=True)
@click.option("--username", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--email")
@click.option("--password", help="For the web pages; prompted for when --prompt-password is given.")
@click.pass_context
def add_user(
    ctx: click.Context, organisation_id: int, username: str, role: str, email: str | None, password: str | None
) -> None:
    """Create a user in an organisation."""
    try:
        with transaction(settings_of(ctx)) as s:
            user = create_user(
                s,
                organisation_id=organisation_id,
                username=username,
                role=role,
                email=email,
                password=password,
                now=now(),
            )
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"user {user.id} {username} ({role})")


@users.command("issue-key")
@click.option("--user", "user_id", type=int, required=True)
@click.option("--name", default="cli", show_default=True)
@click.option("--days", type=int, default=365, show_default=True, help="Days until the key expires.")
@click.pass_context
def issue(ctx: click.Context, user_id: int, name: str, days: int) -> None:
    """Issue an API key; it is printed once and cannot be shown again."""
    with transaction(settings_of(ctx)) as s:
        key, full = issue_key(s, user_id=user_id, name=name, now=now(), expires_at=now() + dt.timedelta(days=days))
    click.echo(full)
    click.echo(f"(key {key.prefix}; store it now, it is not kept)", err=True)


@users.command("revoke-key")
@click.argument("prefix")
@click.pass_context
def revoke(ctx: click.Context, prefix: str) -> None:
    """Revoke the key with this prefix (the 12 hex characters after lw_)."""
    try:
        with transaction(settings_of(ctx)) as s:
            revoke_key(s, prefix=prefix, now=now())
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"key {prefix} revoked")
