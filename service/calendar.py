"""The officials' calendar: months and quarters turn at midnight Beijing time (UTC+8), not UTC.

local_date(now)            # the date in Beijing at the instant `now` (an aware datetime)
last_complete_month(now)   # 2026-12-01 07:00 Beijing (still 2026-11-30 in UTC) -> 2026-11
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd

__all__ = ["LOCAL_TZ", "last_complete_month", "local_date"]

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def local_date(now: dt.datetime) -> dt.date:
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    return now.astimezone(LOCAL_TZ).date()


def last_complete_month(now: dt.datetime) -> pd.Period:
    """The last month that has ended in Beijing by `now` (a month's figures come after it ends)."""
    return pd.Period(local_date(now), freq="M") - 1
