"""Organisations, users and API keys: service functions (session first, keyword-only), each write audited.

The full API key is returned once by `issue_key` and never stored; only its argon2 hash is kept.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.audit import record
from service.db.tables import ROLES, ApiKey, Organisation, Region, User
from service.security.keys import hash_secret, new_api_key

__all__ = [
    "AccountError",
    "create_organisation",
    "create_user",
    "get_or_create_organisation",
    "issue_key",
    "revoke_key",
]


class AccountError(ValueError):
    """An account request that cannot be honoured (unknown region, duplicate name, bad role)."""


def create_organisation(
    session: Session, *, name: str, kind: str, region_code: str, now: dt.datetime, actor_id: int | None = None
) -> Organisation:
    if session.get(Region, region_code) is None:
        raise AccountError(f"unknown region code {region_code}")
    if session.scalar(select(Organisation).where(Organisation.name == name)):
        raise AccountError(f"an organisation named {name!r} already exists")
    org = Organisation(name=name, kind=kind, region_code=region_code, created_at=now)
    session.add(org)
    session.flush()
    record(
        session,
        action="organisation.create",
        object_type="organisation",
        object_id=org.id,
        now=now,
        user_id=actor_id,
        after={"name": name, "kind": kind, "region_code": region_code},
    )
    return org


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
    actor_id: int | None = None,
) -> User:
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    if session.scalar(select(User).where(User.username == username)):
        raise AccountError(f"a user named {username!r} already exists")
    if session.get(Organisation, organisation_id) is None:
        raise AccountError(f"unknown organisation {organisation_id}")
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
        user_id=actor_id,
        after={"username": username, "role": role, "organisation_id": organisation_id},
    )
    return user


def issue_key(
    session: Session,
    *,
    user_id: int,
    name: str,
    now: dt.datetime,
    expires_at: dt.datetime | None = None,
    actor_id: int | None = None,
) -> tuple[ApiKey, str]:
    """Create a key; return the row and the full key (show it once)."""
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
        user_id=actor_id,
        after={
            "user_id": user_id,
            "prefix": key.prefix,
            "name": name,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
    )
    return key, material.key


def revoke_key(session: Session, *, prefix: str, now: dt.datetime, actor_id: int | None = None) -> ApiKey:
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if key is None:
        raise AccountError(f"no key with prefix {prefix}")
    if key.revoked_at is None:
        key.revoked_at = now
        record(
            session,
            action="api_key.revoke",
            object_type="api_key",
            object_id=key.id,
            now=now,
            user_id=actor_id,
            before={"revoked_at": None},
            after={"revoked_at": now.isoformat()},
        )
    return key
