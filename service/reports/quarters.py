"""Calendar quarters, the unit of the joint assessment: `Quarter.parse("2025Q3")`. Pure.

q = Quarter.parse("2026Q3")
q.start, q.end            # 2026-07-01, 2026-09-30
q.months                  # 2026-07-01, 2026-08-01, 2026-09-01 (first days, as observation periods are stored)
q.previous, q.next        # 2026Q2, 2026Q4
latest_complete_quarter(now)
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from service.calendar import LOCAL_TZ, local_date
from service.reports.errors import BadQuarter

__all__ = ["Quarter", "latest_complete_quarter", "month_add"]

_PATTERN = re.compile(r"^\s*(\d{4})\s*[Qq]\s*([1-4])\s*$")


def month_add(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1..4

    @classmethod
    def parse(cls, text: str) -> Quarter:
        match = _PATTERN.match(text or "")
        if not match:
            raise BadQuarter(f"a quarter is written like 2025Q3, got {text!r}")
        year = int(match.group(1))
        if not 1900 <= year <= 2999:
            raise BadQuarter(f"the year of a quarter must be between 1900 and 2999, got {year}")
        return cls(year, int(match.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> dt.date:
        return month_add(self.start, 3) - dt.timedelta(days=1)

    @property
    def end_exclusive(self) -> dt.datetime:
        """The first instant after the quarter: midnight in Beijing (event timestamps are compared with it)."""
        nxt = month_add(self.start, 3)
        return dt.datetime(nxt.year, nxt.month, nxt.day, tzinfo=LOCAL_TZ)

    @property
    def start_instant(self) -> dt.datetime:
        return dt.datetime(self.year, self.start.month, 1, tzinfo=LOCAL_TZ)

    @property
    def months(self) -> tuple[dt.date, dt.date, dt.date]:
        return (self.start, month_add(self.start, 1), month_add(self.start, 2))

    @property
    def last_month(self) -> dt.date:
        return self.months[-1]

    @property
    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    @property
    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    @property
    def year_ago(self) -> Quarter:
        return Quarter(self.year - 1, self.number)

    @property
    def label_zh(self) -> str:
        return f"{self.year}年第{'一二三四'[self.number - 1]}季度"

    @property
    def label_en(self) -> str:
        return f"Q{self.number} {self.year}"

    def is_complete(self, now: dt.datetime) -> bool:
        return now >= self.end_exclusive


def latest_complete_quarter(now: dt.datetime) -> Quarter:
    """The last quarter that has ended in Beijing by `now` (2026-11-23 -> 2026Q3)."""
    return Quarter.of(local_date(now)).previous
