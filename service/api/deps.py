"""Request dependencies: a database session per request and the authenticated caller with its region scope.

    SessionDep = Annotated[Session, Depends(get_db)]
    CallerDep  = Annotated[Caller, Depends(get_caller)]     # 401 without a valid key

Every read and write is limited to `caller.scope`: the caller's organisation region and everything below it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.api.problems import Problem
from service.db.queries import subtree_codes
from service.db.tables import ApiKey, Organisation, User
from service.security.keys import split_key, verify_secret

__all__ = ["Caller", "CallerDep", "SessionDep", "caller_for", "get_caller", "get_db", "require_role"]

VERIFIED_TTL_SECONDS = 30.0  # a verified key skips argon2 for this long (revocation takes effect within it)


def get_db(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_db)]


@dataclass(frozen=True)
class Caller:
    user_id: int
    username: str
    role: str
    organisation_id: int
    region_code: str
    scope: frozenset[str]

    def can_see(self, region_code: str) -> bool:
        return region_code in self.scope


class _VerifiedKeys:
    """Remembers recently verified keys by their SHA-256 so each request does not pay for argon2."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, tuple[int, float]] = {}

    def get(self, digest: str) -> int | None:
        with self._lock:
            hit = self._seen.get(digest)
            if hit and hit[1] > time.monotonic():
                return hit[0]
            self._seen.pop(digest, None)
            return None

    def put(self, digest: str, key_id: int) -> None:
        with self._lock:
            self._seen[digest] = (key_id, time.monotonic() + VERIFIED_TTL_SECONDS)

    def forget_all(self) -> None:
        with self._lock:
            self._seen.clear()


VERIFIED = _VerifiedKeys()


def _presented_key(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.headers.get("x-api-key")


def get_caller(request: Request, db: SessionDep) -> Caller:
    challenge = {"WWW-Authenticate": 'Bearer realm="labourwatch"'}
    presented = _presented_key(request)
    parts = split_key(presented) if presented else None
    if parts is None:
        raise Problem(401, "send an API key as 'Authorization: Bearer lw_…'", headers=challenge)
    now = dt.datetime.now(dt.UTC)
    digest = hashlib.sha256(presented.encode()).hexdigest()
    key = db.scalar(select(ApiKey).where(ApiKey.prefix == parts[0]))
    valid = (
        key is not None
        and key.revoked_at is None
        and (key.expires_at is None or key.expires_at > now)
        and (VERIFIED.get(digest) == key.id or verify_secret(key.secret_hash, parts[1]))
    )
    if not valid:
        raise Problem(401, "the API key is unknown, revoked or expired", headers=challenge)
    VERIFIED.put(digest, key.id)
    caller = caller_for(db, user=db.get(User, key.user_id))
    if caller is None:
        raise Problem(401, "the key's user is deactivated", headers=challenge)
    request.state.user_id = caller.user_id
    return caller


def caller_for(db: Session, *, user: User | None) -> Caller | None:
    """The Caller an active user acts as: role and region scope. Shared by API keys and web sessions."""
    if user is None or not user.active:
        return None
    org = db.get(Organisation, user.organisation_id)
    scope = frozenset(subtree_codes(db, region_code=org.region_code))
    return Caller(user.id, user.username, user.role, org.id, org.region_code, scope)


CallerDep = Annotated[Caller, Depends(get_caller)]


def require_role(*roles: str):
    """A dependency that lets only the given roles (and admins) through."""

    def check(caller: CallerDep) -> Caller:
        if caller.role not in roles and caller.role != "admin":
            raise Problem(403, f"this action needs the role {' or '.join(roles)}; you are {caller.role}")
        return caller

    return check
