"""Quarters: parsing, bounds, neighbours and the latest complete quarter, as tables of cases."""

import datetime as dt

import pytest

from service.calendar import LOCAL_TZ
from service.reports.errors import BadQuarter
from service.reports.quarters import Quarter, latest_complete_quarter, month_add


@pytest.mark.parametrize(
    ("text", "start", "end", "previous", "following"),
    [
        ("2026Q3", dt.date(2026, 7, 1), dt.date(2026, 9, 30), "2026Q2", "2026Q4"),
        ("2025q1", dt.date(2025, 1, 1), dt.date(2025, 3, 31), "2024Q4", "2025Q2"),
        (" 2024Q4 ", dt.date(2024, 10, 1), dt.date(2024, 12, 31), "2024Q3", "2025Q1"),
    ],
)
def test_quarter_bounds_and_neighbours(text, start, end, previous, following):
    q = Quarter.parse(text)
    assert (q.start, q.end, str(q.previous), str(q.next)) == (start, end, previous, following)
    assert q.months == (start, month_add(start, 1), month_add(start, 2)) and q.last_month == month_add(start, 2)
    assert q.end_exclusive == dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), LOCAL_TZ)
    assert q.end_exclusive.astimezone(dt.UTC).hour == 16  # midnight in Beijing is 16:00 UTC the day before


@pytest.mark.parametrize("text", ["2025Q5", "2025-Q3", "Q3 2025", "", "2025", "0000Q1", "1899Q4"])
def test_malformed_quarters_are_refused(text):
    with pytest.raises(BadQuarter):
        Quarter.parse(text)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (dt.datetime(2026, 11, 23, tzinfo=dt.UTC), "2026Q3"),
        (dt.datetime(2026, 10, 1, tzinfo=dt.UTC), "2026Q3"),
        (dt.datetime(2026, 9, 30, 15, 59, tzinfo=dt.UTC), "2026Q2"),  # 23:59 on 30 September in Beijing
        (dt.datetime(2026, 9, 30, 23, 59, tzinfo=dt.UTC), "2026Q3"),  # already 1 October in Beijing
        (dt.datetime(2026, 1, 10, tzinfo=dt.UTC), "2025Q4"),
    ],
)
def test_latest_complete_quarter(now, expected):
    q = latest_complete_quarter(now)
    assert str(q) == expected and q.is_complete(now) and not q.next.is_complete(now)


def test_labels_are_chinese_first():
    q = Quarter.parse("2026Q3")
    assert (q.label_zh, q.label_en, q.year_ago.label_zh) == ("2026年第三季度", "Q3 2026", "2025年第三季度")
