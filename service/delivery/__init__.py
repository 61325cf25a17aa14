"""Delivery of alert notices: the outbox (a work queue in the database) and one notifier per channel.

    result = drain_outbox(sessions, notifiers=build_notifiers(settings))

At-least-once with an idempotency key per notice, retries with exponential backoff, dead letters after
MAX_ATTEMPTS. Channels: webhook (HMAC-signed JSON), WeCom and DingTalk group robots (markdown), e-mail (SMTP).
"""

from service.delivery.drain import DrainResult, drain_outbox
from service.delivery.errors import DeliveryError, PermanentError, RetryableError
from service.delivery.notifiers import build_notifiers
from service.delivery.outbox import MAX_ATTEMPTS, backoff, claim_due, record_failure, record_sent

__all__ = [
    "MAX_ATTEMPTS",
    "DeliveryError",
    "DrainResult",
    "PermanentError",
    "RetryableError",
    "backoff",
    "build_notifiers",
    "claim_due",
    "drain_outbox",
    "record_failure",
    "record_sent",
]
