"""Errors of the inbound sources. A pull that raises leaves its cursor at the last page that landed.

SourceError              a pull from another system stopped
├── FeedUnavailable      the feed did not answer usefully after every retry (5xx, timeouts, bad JSON)
├── FeedRejected         the feed refused us (4xx other than 429: a wrong token, a bad cursor); not retried
├── PageRefused          a page failed validation; its batch is recorded as rejected with the report
└── SqlSourceError       the SQL source could not be read (connection, query, missing columns)
"""

from __future__ import annotations

__all__ = ["FeedRejected", "FeedUnavailable", "PageRefused", "SourceError", "SqlSourceError"]


class SourceError(Exception):
    """Base class: a pull from another system stopped."""


class FeedUnavailable(SourceError):
    """No useful answer after every retry."""


class FeedRejected(SourceError):
    """The feed answered with a client error that retrying will not fix."""


class PageRefused(SourceError):
    """A page's records failed validation; nothing of it landed and the cursor stays before it."""

    def __init__(self, message: str, batch_id: int) -> None:
        super().__init__(message)
        self.batch_id = batch_id


class SqlSourceError(SourceError):
    """The SQL source could not be read."""
