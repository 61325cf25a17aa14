"""The outbox as a work queue in the database: claim due messages, record each outcome, back off, dead-letter.

    with sessions() as s, s.begin():
        batch = claim_due(s, now=now, limit=20, lease=LEASE, token=token)   # commit: the claim holds for LEASE
    ... send each outside any transaction ...
    with sessions() as s, s.begin():
        record_sent(s, outbox_id=m.id, token=token, now=now)                # or record_failure(...)

Claims: on PostgreSQL `SELECT ... FOR UPDATE SKIP LOCKED` then an update, so concurrent senders take disjoint
rows without waiting; on SQLite one `UPDATE ... WHERE id IN (SELECT ... LIMIT n)` inside BEGIN IMMEDIATE, which
holds the database's write lock. A claim is a lease (claimed_until) with a token: a sender killed mid-delivery
loses nothing, since its rows become due again when the lease runs out; an outcome is recorded only while the
token still holds, so a slow sender cannot overwrite the next one's result. A message sent but not recorded
before a crash is sent again with the same idempotency key: at-least-once, effectively once at the receiver.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from service.db.tables import Outbox, Subscription
from service.delivery.notifiers.base import Message

__all__ = [
    "BACKOFF_BASE",
    "BACKOFF_CAP",
    "LEASE",
    "MAX_ATTEMPTS",
    "Claimed",
    "backoff",
    "claim_due",
    "record_failure",
    "record_sent",
]

LEASE = dt.timedelta(seconds=60)  # longer than the slowest send of a batch (timeouts are 10 s each)
MAX_ATTEMPTS = 8  # then the message is dead: kept, counted in metrics, never retried by itself
BACKOFF_BASE = dt.timedelta(seconds=30)
BACKOFF_CAP = dt.timedelta(hours=6)


@dataclass(frozen=True)
class Claimed:
    id: int
    attempts: int
    message: Message


def backoff(attempts: int, *, key: str = "") -> dt.timedelta:
    """Delay before the next try after `attempts` failures: 30 s doubling to 6 h, +-10 % jitter fixed by key."""
    base = min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)
    jitter = int(hashlib.sha256(f"{key}:{attempts}".encode()).hexdigest()[:4], 16) / 0xFFFF * 0.2 - 0.1
    return base * (1 + jitter)


def _due(now: dt.datetime):
    return (
        (Outbox.status == "pending")
        & (Outbox.next_attempt_at <= now)
        & or_(Outbox.claimed_until.is_(None), Outbox.claimed_until <= now)
    )


def claim_due(session: Session, *, now: dt.datetime, limit: int, lease: dt.timedelta, token: str) -> list[Claimed]:
    """Claim up to `limit` due messages for `lease`; the caller commits right away.

    On SQLite the caller begins the transaction with BEGIN IMMEDIATE (see drain.py), so the claim holds the
    write lock from its first read.
    """
    order = (Outbox.next_attempt_at, Outbox.id)
    if session.get_bind().dialect.name == "postgresql":
        ids = list(
            session.scalars(
                select(Outbox.id).where(_due(now)).order_by(*order).limit(limit).with_for_update(skip_locked=True)
            )
        )
        if ids:
            session.execute(
                update(Outbox).where(Outbox.id.in_(ids)).values(claimed_until=now + lease, claim_token=token)
            )
    else:
        due = select(Outbox.id).where(_due(now)).order_by(*order).limit(limit).scalar_subquery()
        session.execute(
            update(Outbox).where(Outbox.id.in_(due)).values(claimed_until=now + lease, claim_token=token),
            execution_options={"synchronize_session": False},
        )
    rows = session.execute(
        select(Outbox, Subscription)
        .join(Subscription, Subscription.id == Outbox.subscription_id)
        .where(Outbox.claim_token == token, Outbox.status == "pending")
        .order_by(*order)
    ).all()
    return [
        Claimed(
            o.id, o.attempts, Message(o.idempotency_key, o.channel, sub.target, sub.secret, sub.language, o.payload)
        )
        for o, sub in rows
    ]


def record_sent(session: Session, *, outbox_id: int, token: str, now: dt.datetime) -> bool:
    """Mark sent; False when the claim had lapsed to another sender (who will send it again, same key)."""
    done = session.execute(
        update(Outbox)
        .where(Outbox.id == outbox_id, Outbox.claim_token == token, Outbox.status == "pending")
        .values(
            status="sent",
            sent_at=now,
            attempts=Outbox.attempts + 1,
            claimed_until=None,
            claim_token=None,
            last_error=None,
        )
    )
    return done.rowcount == 1


def record_failure(
    session: Session,
    *,
    outbox_id: int,
    token: str,
    error: str,
    retryable: bool,
    now: dt.datetime,
    max_attempts: int = MAX_ATTEMPTS,
) -> str | None:
    """Schedule a retry with backoff, or dead-letter; returns the new status (None if the claim had lapsed)."""
    postgres = session.get_bind().dialect.name == "postgresql"
    row = session.get(Outbox, outbox_id, with_for_update=postgres, populate_existing=True)
    if row is None or row.claim_token != token or row.status != "pending":
        return None
    row.attempts += 1
    row.last_error = error[:2000]
    row.claimed_until = None
    row.claim_token = None
    if retryable and row.attempts < max_attempts:
        row.next_attempt_at = now + backoff(row.attempts, key=row.idempotency_key)
    else:
        row.status = "dead"
    session.flush()
    return row.status
