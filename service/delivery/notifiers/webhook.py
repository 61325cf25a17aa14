"""Webhook: the notice as JSON, signed with HMAC-SHA256 over the timestamp and the body, against replay.

    X-Labourwatch-Timestamp: 1764000000
    X-Labourwatch-Signature: sha256=<hex HMAC-SHA256(secret, "1764000000." + body)>
    Idempotency-Key: lw-alert-1-event-2-sub-3

A receiver recomputes the signature with its secret, refuses a timestamp more than five minutes from its clock
(so a captured request cannot be replayed later), and drops a repeated Idempotency-Key (at-least-once delivery
becomes effectively once). `verify` below is that check, for receivers written in Python.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable

from service.delivery.errors import PermanentError
from service.delivery.notifiers.base import HttpNotifier, Message, post
from service.delivery.render import render

__all__ = ["REPLAY_WINDOW_SECONDS", "WebhookNotifier", "sign", "verify"]

REPLAY_WINDOW_SECONDS = 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={mac}"


def verify(secret: str, *, timestamp: str, signature: str, body: bytes, now: float | None = None) -> bool:
    """True when the signature matches and the timestamp is within the replay window of `now`."""
    try:
        ts = int(timestamp)
    except ValueError:
        return False
    now = time.time() if now is None else now
    if abs(now - ts) > REPLAY_WINDOW_SECONDS:
        return False
    return hmac.compare_digest(sign(secret, ts, body), signature)


class WebhookNotifier(HttpNotifier):
    def __init__(self, *, default_secret: str, clock: Callable[[], float] = time.time, **kw) -> None:
        super().__init__(**kw)
        self.default_secret = default_secret
        self.clock = clock

    def send(self, message: Message) -> None:
        if not message.target.startswith(("http://", "https://")):
            raise PermanentError(f"webhook target is not an http(s) URL: {message.target[:60]}")
        _, text = render(message.payload, message.language)
        body = json.dumps({**message.payload, "text": text}, ensure_ascii=False, separators=(",", ":")).encode()
        ts = int(self.clock())
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": message.key,
            "X-Labourwatch-Timestamp": str(ts),
            "X-Labourwatch-Signature": sign(message.secret or self.default_secret, ts, body),
            "User-Agent": "labourwatch-notifier/1",
        }
        post(self, message.target, content=body, headers=headers)
