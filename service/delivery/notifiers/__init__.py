"""One notifier per channel; `build_notifiers(settings)` makes the set the sender uses.

notifiers = build_notifiers(settings)       # webhook, wecom, dingtalk and email
notifiers["wecom"].send(message)            # or raises RetryableError / PermanentError
"""

from __future__ import annotations

import httpx

from service.config import Settings
from service.delivery.notifiers.base import DEFAULT_TIMEOUT, Message, Notifier
from service.delivery.notifiers.email import EmailNotifier
from service.delivery.notifiers.robots import DingTalkNotifier, WeComNotifier
from service.delivery.notifiers.webhook import WebhookNotifier

__all__ = [
    "DingTalkNotifier",
    "EmailNotifier",
    "Message",
    "Notifier",
    "WeComNotifier",
    "WebhookNotifier",
    "build_notifiers",
]


def build_notifiers(
    settings: Settings, *, transport: httpx.BaseTransport | None = None, timeout: float = DEFAULT_TIMEOUT
) -> dict[str, Notifier]:
    return {
        "webhook": WebhookNotifier(default_secret=settings.webhook_secret, transport=transport, timeout=timeout),
        "wecom": WeComNotifier(transport=transport, timeout=timeout),
        "dingtalk": DingTalkNotifier(transport=transport, timeout=timeout),
        "email": EmailNotifier(
            host=settings.smtp_host, port=settings.smtp_port, sender=settings.smtp_sender, timeout=timeout
        ),
    }
