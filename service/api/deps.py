"""Request dependencies: a database session per request, the authenticated caller with its region scope, roles.

    SessionDep = Annotated[Session, Depends(get_db)]
    CallerDep  = Annotated[Caller, Depends(get_caller)]           # 401 without a valid key, 429 over the rate
    ActorDep   = Annotated[Actor, Depends(get_actor)]             # who and from where, for service.audit.record
    Depends(require_role("responder"))                            # 403 unless responder (or admin)
    Depends(require_province_admin)                               # 403 unless an admin of a whole province

    with writing(db):                                             # the route's write transaction
        ...change rows..., record(db, ..., actor=actor)

Every read and write is limited to `caller.scope`: the caller's organisation region and everything below it.
Authentication uses its own short session, so the request session is untouched when the route starts and the
route owns its transaction (`with writing(db):` or `with db.begin():`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from service.api.problems import Problem
from service.audit import Actor
from service.db.queries import subtree_codes
from service.db.tables import ApiKey, Organisation, User
from service.security.keys import split_key, verify_secret
from service.security.ratelimit import RateLimiter

__all__ = [
    "ActorDep",
    "Caller",
    "CallerDep",
    "SessionDep",
    "caller_for",
    "get_actor",
    "get_caller",
    "get_db",
    "require_province_admin",
    "require_role",
    "writing",
]

log = logging.getLogger(__name__)

VERIFIED_TTL_SECONDS = 30.0  # a verified key skips argon2 for this long (revocation is still read every request)
LAST_USED_EVERY_SECONDS = 300.0  # api_keys.last_used_at is refreshed at most this often per key and process


def get_db(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_db)]


@contextmanager
def writing(session: Session) -> Iterator[Session]:
    """The route's write transaction. On SQLite it starts with BEGIN IMMEDIATE, so a read-then-write cannot
    fail half-way when another writer commits first; on PostgreSQL it is an ordinary transaction."""
    with session.begin():
        session.connection(execution_options={"sqlite_immediate": True})
        yield session


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

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def covers_province(self) -> bool:
        """The organisation sits at a province (GB/T 2260 codes ending 0000), so its scope is the whole tree."""
        return self.region_code.endswith("0000")


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
_LAST_USED: dict[int, float] = {}


def _limit(wait: float, what: str) -> None:
    if wait > 0:
        seconds = RateLimiter.retry_after_seconds(wait)
        raise Problem(429, f"too many {what}; retry in {seconds} s", headers={"Retry-After": str(seconds)})


# Declares the scheme in the OpenAPI document; the key itself is read below (Bearer, or the X-API-Key header).
_BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="apiKey",
    description="An API key `lw_<prefix>_<secret>` sent as `Authorization: Bearer …` (or as `X-API-Key`).",
)


def _presented_key(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.headers.get("x-api-key")


def get_caller(request: Request, _: HTTPAuthorizationCredentials | None = Depends(_BEARER)) -> Caller:
    challenge = {"WWW-Authenticate": 'Bearer realm="labourwatch"'}
    presented = _presented_key(request)
    parts = split_key(presented) if presented else None
    if parts is None:
        raise Problem(401, "send an API key as 'Authorization: Bearer lw_…'", headers=challenge)
    digest = hashlib.sha256(presented.encode()).hexdigest()
    address = request.client.host if request.client else "unknown"
    per_key, failures = request.app.state.rate_limiter, request.app.state.auth_failure_limiter
    _limit(per_key.take(digest, now=time.monotonic()), "requests with this key")
    _limit(failures.wait(address, now=time.monotonic()), "failed authentications from your address")
    now = dt.datetime.now(dt.UTC)
    with request.app.state.sessions() as db:
        key = db.scalar(select(ApiKey).where(ApiKey.prefix == parts[0]))
        valid = (
            key is not None
            and key.revoked_at is None
            and (key.expires_at is None or key.expires_at > now)
            and (VERIFIED.get(digest) == key.id or verify_secret(key.secret_hash, parts[1]))
        )
        if not valid:
            failures.take(address, now=time.monotonic())
            raise Problem(401, "the API key is unknown, revoked or expired", headers=challenge)
        VERIFIED.put(digest, key.id)
        caller = caller_for(db, user=db.get(User, key.user_id))
        if caller is None:
            raise Problem(401, "the key's user is deactivated", headers=challenge)
        key_id = key.id
        db.rollback()  # end the read transaction (and expire the rows) before the optional write below
        _touch(db, key_id, now)
    request.state.user_id = caller.user_id
    return caller


def caller_for(db: Session, *, user: User | None) -> Caller | None:
    """The Caller an active user acts as: role and region scope. Shared by API keys and web sessions."""
    if user is None or not user.active:
        return None
    org = db.get(Organisation, user.organisation_id)
    scope = frozenset(subtree_codes(db, region_code=org.region_code))
    return Caller(user.id, user.username, user.role, org.id, org.region_code, scope)


def _touch(db: Session, key_id: int, now: dt.datetime) -> None:
    """Record that the key was used, at most every few minutes; a busy database only delays it."""
    last = _LAST_USED.get(key_id, 0.0)
    if time.monotonic() - last < LAST_USED_EVERY_SECONDS:
        return
    _LAST_USED[key_id] = time.monotonic()
    try:
        with db.begin():
            db.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=now))
    except OperationalError as exc:  # locked or busy: the next request retries; authentication is unaffected
        log.warning("could not record last use of api key %s: %s", key_id, type(exc).__name__)
        _LAST_USED.pop(key_id, None)


CallerDep = Annotated[Caller, Depends(get_caller)]


def get_actor(request: Request, caller: CallerDep) -> Actor:
    client = request.client.host if request.client else None
    return Actor(caller.user_id, client, getattr(request.state, "request_id", None))


ActorDep = Annotated[Actor, Depends(get_actor)]


def require_role(*roles: str):
    """A dependency that lets only the given roles (and admins) through."""

    def check(caller: CallerDep) -> Caller:
        if caller.role not in roles and caller.role != "admin":
            raise Problem(403, f"this action needs the role {' or '.join(roles)}; you are {caller.role}")
        return caller

    return check


def require_province_admin(caller: CallerDep) -> Caller:
    """Changes that affect every region (thresholds, running jobs) need an admin of a whole province."""
    if not (caller.is_admin and caller.covers_province):
        raise Problem(403, "this action needs an admin whose organisation covers a whole province")
    return caller
