"""The notifier interface: one tiny class per channel, `send(message)` or raise a DeliveryError subclass.

    notifier.send(Message(key="lw-alert-1-event-2-sub-3", channel="webhook", target=url, secret=s,
                          language="zh", payload={...}))

HTTP notifiers take an httpx transport, so tests can pass `httpx.MockTransport(handler)` or point at a real
local server; responses are classified here once for all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import httpx

from service.delivery.errors import PermanentError, RetryableError

__all__ = ["DEFAULT_TIMEOUT", "HttpNotifier", "Message", "Notifier", "post"]

DEFAULT_TIMEOUT = 10.0  # seconds for connecting, reading and writing one notice


@dataclass(frozen=True)
class Message:
    key: str  # the idempotency key: the same notice always carries the same key
    channel: str
    target: str  # URL or e-mail address
    secret: str | None
    language: str  # zh or en
    payload: dict = field(hash=False)


class Notifier(Protocol):
    def send(self, message: Message) -> None: ...


class HttpNotifier:
    def __init__(self, *, transport: httpx.BaseTransport | None = None, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.transport = transport
        self.timeout = timeout


def post(notifier: HttpNotifier, url: str, *, content: bytes, headers: dict[str, str]) -> httpx.Response:
    """POST and classify: transport failures, 408, 429 and 5xx are retryable; other 4xx are permanent."""
    try:
        with httpx.Client(transport=notifier.transport, timeout=notifier.timeout) as client:
            response = client.post(url, content=content, headers=headers)
    except httpx.TimeoutException as exc:
        raise RetryableError(f"timed out: {type(exc).__name__}") from exc
    except httpx.TransportError as exc:
        raise RetryableError(f"transport error: {type(exc).__name__}: {exc}") from exc
    if response.status_code in (408, 429) or response.status_code >= 500:
        raise RetryableError(f"HTTP {response.status_code}")
    if response.status_code >= 400:
        raise PermanentError(f"HTTP {response.status_code}: {response.text[:200]}")
    return response
