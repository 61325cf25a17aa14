"""Request parameters shared by routes: moments given by clients, read as aware UTC datetimes."""

from __future__ import annotations

import datetime as dt

from service.api.problems import Problem

__all__ = ["utc_moment"]


def utc_moment(value: dt.datetime | None, *, default: dt.datetime | None = None, name: str = "as_of") -> dt.datetime:
    """`value` in UTC (naive means UTC), or `default` (now) when absent; 422 when it cannot be a UTC moment."""
    if value is None:
        return default or dt.datetime.now(dt.UTC)
    try:
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    except (OverflowError, ValueError) as exc:  # year 1 with a positive offset has no UTC moment
        raise Problem(422, f"{name}: {value.isoformat()} is outside the range of UTC times") from exc
