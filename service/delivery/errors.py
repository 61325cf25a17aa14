"""Errors of delivery, one tree; each notifier says whether a failure is worth retrying:

DeliveryError              a notice could not be delivered
├── RetryableError         try again later with backoff (timeouts, refused connections, 5xx, 429,
│                          robot "busy"/rate-limit codes, SMTP 4xx)
└── PermanentError         retrying cannot help (4xx, bad robot key or signature, SMTP 5xx): dead-letter
"""

from __future__ import annotations

__all__ = ["DeliveryError", "PermanentError", "RetryableError"]


class DeliveryError(Exception):
    """A notice could not be delivered."""


class RetryableError(DeliveryError):
    """Worth trying again later."""


class PermanentError(DeliveryError):
    """Retrying cannot help; the message goes to the dead letters."""
