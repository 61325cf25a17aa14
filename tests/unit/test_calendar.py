"""Months and quarters turn at midnight Beijing time, which is 16:00 UTC the day before."""

import datetime as dt

import pandas as pd
import pytest

from service.calendar import last_complete_month, local_date
from service.db.rule_inputs import evaluation_month
from service.reports.quarters import Quarter, latest_complete_quarter

UTC = dt.UTC


@pytest.mark.parametrize(
    "now,month",
    [
        (dt.datetime(2026, 11, 30, 15, 59, tzinfo=UTC), "2026-10"),  # 23:59 on 30 November in Beijing
        (dt.datetime(2026, 11, 30, 16, 0, tzinfo=UTC), "2026-11"),  # 00:00 on 1 December in Beijing
        (dt.datetime(2026, 12, 1, 7, 0, tzinfo=UTC), "2026-11"),
    ],
)
def test_the_last_complete_month_is_beijings(now, month):
    assert last_complete_month(now) == pd.Period(month, freq="M") == evaluation_month(now)


def test_quarters_turn_in_beijing_too():
    assert latest_complete_quarter(dt.datetime(2026, 9, 30, 16, 30, tzinfo=UTC)) == Quarter(2026, 3)
    assert latest_complete_quarter(dt.datetime(2026, 9, 30, 15, 30, tzinfo=UTC)) == Quarter(2026, 2)


def test_naive_instants_are_refused():
    with pytest.raises(ValueError):
        local_date(dt.datetime(2026, 1, 1))
