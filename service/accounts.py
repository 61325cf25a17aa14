"""Organisations, users and API keys: service functions (session first, keyword-only), each write audited.

The full API key is returned once by `issue_key` and never stored; only its argon2 hash is kept. Nothing here
commits: the caller owns the transaction, so a change and its audit entry land together.

Errors: AccountError (ValueError) > AccountConflict (the change clashes with existing rows: a duplicate name).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.audit import Actor, record, snapshot
from service.db.tables import ROLES, ApiKey, Organisation, Region, User
from service.security.keys import hash_secret, new_api_key

__all__ = [
    "KEY_FIELDS",
    "ORGANISATION_FIELDS",
    "ORG_KINDS",
    "USER_FIELDS",
    "AccountConflict",
    "AccountError",
    "create_organisation",
    "create_user",
    "get_or_create_organisation",
    "issue_key",
    "revoke_key",
    "update_organisation",
    "update_user",
]

ORG_KINDS = ("stats_bureau", "hr_department", "operations")
ORGANISATION_FIELDS = ("name", "kind", "region_code")
USER_FIELDS = ("username", "display_name", "email", "role", "active", "organisation_id")
KEY_FIELDS = ("user_id", "prefix", "name", "expires_at", "revoked_at")


class AccountError(ValueError):
    """An account request that cannot be honoured (unknown region or organisation, bad role or kind)."""


class AccountConflict(AccountError):
    """The request clashes with what exists (a name already taken)."""


def _actor(actor: Actor | None, actor_id: int | None) -> Actor | None:
    return actor if actor is not None or actor_id is None else Actor(actor_id)


def create_organisation(
    session: Session,
    *,
    name: str,
    kind: str,
    region_code: str,
    now: dt.datetime,
    actor: Actor | None = None,
    actor_id: int | None = None,
) -> Organisation:
    if kind not in ORG_KINDS:
        raise AccountError(f"kind must be one of {', '.join(ORG_KINDS)}, got {kind!r}")
    if session.get(Region, region_code) is None:
        raise AccountError(f"unknown region code {region_code}")
    if session.scalar(select(Organisation).where(Organisation.name == name)):
        raise AccountConflict(f"an organisation named {name!r} already exists")
    org = Organisation(name=name, kind=kind, region_code=region_code, created_at=now)
    session.add(org)
    session.flush()
    record(
        session,
        action="organisation.create",
        object_type="organisation",
        object_id=org.id,
        now=now,
        actor=_actor(actor, actor_id),
        after=snapshot(org, ORGANISATION_FIELDS),
    )
    return org


def update_organisation(
    session: Session,
    *,
    organisation: Organisation,
    now: dt.datetime,
    name: str | None = None,
    kind: str | None = None,
    actor: Actor | None = None,
) -> Organisation:
    """Rename or re-kind an organisation. Its region is fixed: moving it would silently widen what users see."""
    before = snapshot(organisation, ORGANISATION_FIELDS)
    if kind is not None and kind not in ORG_KINDS:
        raise AccountError(f"kind must be one of {', '.join(ORG_KINDS)}, got {kind!r}")
    if name is not None and name != organisation.name:
        if session.scalar(select(Organisation.id).where(Organisation.name == name)):
            raise AccountConflict(f"an organisation named {name!r} already exists")
        organisation.name = name
    if kind is not None:
        organisation.kind = kind
    after = snapshot(organisation, ORGANISATION_FIELDS)
    if after != before:
        session.flush()
        record(
            session,
            action="organisation.update",
            object_type="organisation",
            object_id=organisation.id,
            now=now,
            actor=actor,
            before=before,
            after=after,
        )
    return organisation


def get_or_create_organisation(
    session: Session, *, name: str, kind: str, region_code: str, now: dt.datetime
) -> Organisation:
    org = session.scalar(select(Organisation).where(Organisation.name == name))
    return org or create_organisation(session, name=name, kind=kind, region_code=region_code, now=now)


def create_user(
    session: Session,
    *,
    organisation_id: int,
    username: str,
    role: str,
    now: dt.datetime,
    display_name: str | None = None,
    email: str | None = None,
    password: str | None = None,
    actor: Actor | None = None,
    actor_id: int | None = None,
) -> User:
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    if session.get(Organisation, organisation_id) is None:
        raise AccountError(f"unknown organisation {organisation_id}")
    if session.scalar(select(User).where(User.username == username)):
        raise AccountConflict(f"a user named {username!r} already exists")
    user = User(
        organisation_id=organisation_id,
        username=username,
        display_name=display_name or username,
        email=email,
        role=role,
        password_hash=hash_secret(password) if password else None,
        active=True,
        created_at=now,
    )
    session.add(user)
    session.flush()
    record(
        session,
        action="user.create",
        object_type="user",
        object_id=user.id,
        now=now,
        actor=_actor(actor, actor_id),
        after=snapshot(user, USER_FIELDS),
    )
    return user


def update_user(
    session: Session,
    *,
    user: User,
    now: dt.datetime,
    role: str | None = None,
    active: bool | None = None,
    display_name: str | None = None,
    email: str | None = None,
    actor: Actor | None = None,
) -> User:
    """Change a user's role, activity, name or e-mail. Deactivating a user stops all their keys at once."""
    if role is not None and role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    before = snapshot(user, USER_FIELDS)
    for field, value in (("role", role), ("active", active), ("display_name", display_name), ("email", email)):
        if value is not None:
            setattr(user, field, value)
    after = snapshot(user, USER_FIELDS)
    if after != before:
        session.flush()
        record(
            session,
            action="user.update",
            object_type="user",
            object_id=user.id,
            now=now,
            actor=actor,
            before=before,
            after=after,
        )
    return user


def issue_key(
    session: Session,
    *,
    user_id: int,
    name: str,
    now: dt.datetime,
    expires_at: dt.datetime | None = None,
    actor: Actor | None = None,
    actor_id: int | None = None,
) -> tuple[ApiKey, str]:
    """Create a key; return the row and the full key (show it once)."""
    if session.get(User, user_id) is None:
        raise AccountError(f"unknown user {user_id}")
    if expires_at is not None and expires_at <= now:
        raise AccountError("a key must expire in the future")
    material = new_api_key()
    key = ApiKey(
        user_id=user_id,
        prefix=material.prefix,
        secret_hash=material.secret_hash,
        name=name,
        created_at=now,
        expires_at=expires_at,
    )
    session.add(key)
    session.flush()
    record(
        session,
        action="api_key.issue",
        object_type="api_key",
        object_id=key.id,
        now=now,
        actor=_actor(actor, actor_id),
        after=snapshot(key, KEY_FIELDS),
    )
    return key, material.key


def revoke_key(
    session: Session, *, prefix: str, now: dt.datetime, actor: Actor | None = None, actor_id: int | None = None
) -> ApiKey:
    """Revoke the key with this prefix; revoking a revoked key changes nothing and records nothing."""
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if key is None:
        raise AccountError(f"no key with prefix {prefix}")
    if key.revoked_at is None:
        before = snapshot(key, KEY_FIELDS)
        key.revoked_at = now
        session.flush()
        record(
            session,
            action="api_key.revoke",
            object_type="api_key",
            object_id=key.id,
            now=now,
            actor=_actor(actor, actor_id),
            before=before,
            after=snapshot(key, KEY_FIELDS),
        )
    return key
