"""`labourwatch users ...`: organisations, users and API keys from the command line.

    labourwatch users add-org --name 株洲市人社局 --kind hr_department --region 430200
    labourwatch users add --org 3 --username zz-duty --role responder
    labourwatch users issue-key --user 7 --days 90        # prints the key once
    labourwatch users list-keys --user 7                   # prefixes and dates, never secrets
    labourwatch users revoke-key 3f9a0c1b2d4e
    labourwatch users update 7 --role analyst --inactive

Every change is audited like an API change; the audit entry's address names the operating-system account and
host (`cli:alice@host`), since there is no API user behind it.
"""

from __future__ import annotations

import datetime as dt

import click
from sqlalchemy import select

from service.accounts import (
    ORG_KINDS,
    AccountError,
    create_organisation,
    create_user,
    issue_key,
    revoke_key,
    update_user,
)
from service.audit import cli_actor
from service.cli._common import now, settings_of, transaction
from service.db.tables import ROLES, ApiKey, Organisation, User

__all__ = ["users"]


@click.group()
def users() -> None:
    """Manage organisations, users and API keys."""


def _fail(exc: AccountError) -> click.ClickException:
    return click.ClickException(str(exc))


@users.command("add-org")
@click.option("--name", required=True)
@click.option("--kind", type=click.Choice(ORG_KINDS), required=True)
@click.option("--region", "region_code", required=True, help="GB/T 2260 code; users see this region and below.")
@click.pass_context
def add_org(ctx: click.Context, name: str, kind: str, region_code: str) -> None:
    """Create an organisation bound to a region."""
    try:
        with transaction(settings_of(ctx)) as s:
            org = create_organisation(s, name=name, kind=kind, region_code=region_code, now=now(), actor=cli_actor())
    except AccountError as exc:
        raise _fail(exc) from exc
    click.echo(f"organisation {org.id} {name} ({kind}, region {region_code})")


@users.command("list-orgs")
@click.pass_context
def list_orgs(ctx: click.Context) -> None:
    """List organisations: id, region, kind, name."""
    with transaction(settings_of(ctx)) as s:
        for org in s.scalars(select(Organisation).order_by(Organisation.id)):
            click.echo(f"{org.id}\t{org.region_code}\t{org.kind}\t{org.name}")


@users.command("add")
@click.option("--org", "organisation_id", type=int, required=True)
@click.option("--username", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--email")
@click.option("--password", help="For the web pages.")
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
                actor=cli_actor(),
            )
    except AccountError as exc:
        raise _fail(exc) from exc
    click.echo(f"user {user.id} {username} ({role})")


@users.command("list")
@click.option("--org", "organisation_id", type=int, help="Only this organisation's users.")
@click.pass_context
def list_users(ctx: click.Context, organisation_id: int | None) -> None:
    """List users: id, organisation, role, active, username."""
    with transaction(settings_of(ctx)) as s:
        q = select(User).order_by(User.id)
        if organisation_id is not None:
            q = q.where(User.organisation_id == organisation_id)
        for u in s.scalars(q):
            click.echo(f"{u.id}\t{u.organisation_id}\t{u.role}\t{'active' if u.active else 'inactive'}\t{u.username}")


@users.command("update")
@click.argument("user_id", type=int)
@click.option("--role", type=click.Choice(ROLES))
@click.option("--active/--inactive", default=None, help="Deactivating stops every key of the user at once.")
@click.option("--email")
@click.pass_context
def update(ctx: click.Context, user_id: int, role: str | None, active: bool | None, email: str | None) -> None:
    """Change a user's role, activity or e-mail."""
    try:
        with transaction(settings_of(ctx)) as s:
            user = s.get(User, user_id)
            if user is None:
                raise AccountError(f"no user {user_id}")
            update_user(s, user=user, role=role, active=active, email=email, now=now(), actor=cli_actor())
            line = f"user {user.id} {user.username}: {user.role}, {'active' if user.active else 'inactive'}"
    except AccountError as exc:
        raise _fail(exc) from exc
    click.echo(line)


@users.command("issue-key")
@click.option("--user", "user_id", type=int, required=True)
@click.option("--name", default="cli", show_default=True)
@click.option("--days", type=click.IntRange(1, 730), default=365, show_default=True, help="Days until it expires.")
@click.pass_context
def issue(ctx: click.Context, user_id: int, name: str, days: int) -> None:
    """Issue an API key; it is printed once and cannot be shown again."""
    moment = now()
    try:
        with transaction(settings_of(ctx)) as s:
            key, full = issue_key(
                s,
                user_id=user_id,
                name=name,
                now=moment,
                expires_at=moment + dt.timedelta(days=days),
                actor=cli_actor(),
            )
    except AccountError as exc:
        raise _fail(exc) from exc
    click.echo(full)
    click.echo(f"(key {key.prefix}, expires {key.expires_at:%Y-%m-%d}; store it now, it is not kept)", err=True)


@users.command("list-keys")
@click.option("--user", "user_id", type=int, required=True)
@click.pass_context
def list_keys(ctx: click.Context, user_id: int) -> None:
    """List a user's keys: prefix, name, expiry, state, last use (never the secret)."""
    with transaction(settings_of(ctx)) as s:
        for k in s.scalars(select(ApiKey).where(ApiKey.user_id == user_id).order_by(ApiKey.id)):
            state = "revoked" if k.revoked_at else ("expired" if k.expires_at and k.expires_at < now() else "valid")
            last = f"{k.last_used_at:%Y-%m-%d %H:%M}" if k.last_used_at else "never used"
            expires = f"{k.expires_at:%Y-%m-%d}" if k.expires_at else "no expiry"
            click.echo(f"{k.prefix}\t{k.name}\t{expires}\t{state}\t{last}")


@users.command("revoke-key")
@click.argument("prefix")
@click.pass_context
def revoke(ctx: click.Context, prefix: str) -> None:
    """Revoke the key with this prefix (the 12 hex characters after lw_)."""
    try:
        with transaction(settings_of(ctx)) as s:
            revoke_key(s, prefix=prefix, now=now(), actor=cli_actor())
    except AccountError as exc:
        raise _fail(exc) from exc
    click.echo(f"key {prefix} revoked")
