"""Drain the outbox: claim due notices, send each outside any transaction, record each outcome on its own.

    result = drain_outbox(sessions, notifiers=build_notifiers(settings))
    result.sent, result.retried, result.dead, result.lapsed

Commit per message: a failure of one never rolls back another's outcome. Unexpected exceptions from a notifier
are logged with the message id and treated as retryable (the dead-letter limit still applies).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from service.delivery.errors import PermanentError, RetryableError
from service.delivery.notifiers.base import Notifier
from service.delivery.outbox import LEASE, MAX_ATTEMPTS, claim_due, record_failure, record_sent

__all__ = ["DrainResult", "drain_outbox"]

log = logging.getLogger(__name__)


@dataclass
class DrainResult:
    sent: int = 0
    retried: int = 0
    dead: int = 0
    lapsed: int = 0  # outcomes not recorded because the claim had passed to another sender

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def drain_outbox(
    sessions: sessionmaker[Session],
    *,
    notifiers: Mapping[str, Notifier],
    clock: Callable[[], dt.datetime] = _utcnow,
    batch: int = 20,
    lease: dt.timedelta = LEASE,
    max_attempts: int = MAX_ATTEMPTS,
    max_batches: int = 50,
) -> DrainResult:
    """Send what is due now, batch by batch, until nothing is due (or max_batches)."""
    token = uuid.uuid4().hex
    result = DrainResult()
    for _ in range(max_batches):
        with sessions() as s, s.begin():
            if s.get_bind().dialect.name == "sqlite":
                s.connection(execution_options={"sqlite_immediate": True})  # take the write lock first
            claimed = claim_due(s, now=clock(), limit=batch, lease=lease, token=token)
        if not claimed:
            break
        for item in claimed:
            error, retryable = None, True
            notifier = notifiers.get(item.message.channel)
            try:
                if notifier is None:
                    raise PermanentError(f"no notifier for channel {item.message.channel!r}")
                notifier.send(item.message)
            except RetryableError as exc:
                error = f"{type(exc).__name__}: {exc}"
            except PermanentError as exc:
                error, retryable = f"{type(exc).__name__}: {exc}", False
            except Exception as exc:  # a notifier bug: logged with the message, retried, dead-lettered in the end
                log.exception(
                    "outbox %s (%s): unexpected error from the %s notifier",
                    item.id,
                    item.message.key,
                    item.message.channel,
                )
                error = f"{type(exc).__name__}: {exc}"
            with sessions() as s, s.begin():
                if error is None:
                    ok = record_sent(s, outbox_id=item.id, token=token, now=clock())
                    result.sent += ok
                    result.lapsed += not ok
                    continue
                status = record_failure(
                    s,
                    outbox_id=item.id,
                    token=token,
                    error=error,
                    retryable=retryable,
                    now=clock(),
                    max_attempts=max_attempts,
                )
            if status is None:
                result.lapsed += 1
            elif status == "dead":
                result.dead += 1
                log.warning("outbox %s (%s) is dead after %s: %s", item.id, item.message.key, item.attempts + 1, error)
            else:
                result.retried += 1
    return result
