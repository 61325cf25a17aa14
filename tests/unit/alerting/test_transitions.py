"""The lifecycle as tables of (previous, grade asked for, expected reason), and the escalation helpers."""

import datetime as dt

import pytest

from service.alerting.state import AlertSnapshot, Reason, next_responsible, overdue, reminder_due, transition

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
OCT, NOV = dt.date(2025, 10, 1), dt.date(2025, 11, 1)
OPEN3 = AlertSnapshot("open", 3, OCT)
ACKED3 = AlertSnapshot("acknowledged", 3, OCT)
CLOSED3 = AlertSnapshot("resolved", 3, OCT, resolved_by_hand=True)
RESOLVED3 = AlertSnapshot("resolved", 3, OCT, resolved_by_hand=False)

CASES = [
    # previous, grade now asked for, data period, reason, new state, new grade, notify
    (None, None, OCT, Reason.NOT_FIRING, None, None, False),
    (None, 4, OCT, Reason.OPENED, "open", 4, True),
    (OPEN3, 3, OCT, Reason.UNCHANGED, "open", 3, False),
    (ACKED3, 3, NOV, Reason.UNCHANGED, "acknowledged", 3, False),
    (ACKED3, 2, NOV, Reason.ESCALATED, "open", 2, True),  # a worse grade needs a fresh acknowledgement
    (ACKED3, 4, NOV, Reason.DE_ESCALATED, "acknowledged", 4, True),
    (OPEN3, None, NOV, Reason.RESOLVED, "resolved", 3, True),
    (CLOSED3, 3, OCT, Reason.KEPT_RESOLVED, "resolved", 3, False),  # the same figures do not reopen it
    (CLOSED3, 4, OCT, Reason.KEPT_RESOLVED, "resolved", 3, False),
    (CLOSED3, 3, NOV, Reason.OPENED, "open", 3, True),  # newer figures still show the risk
    (CLOSED3, 2, OCT, Reason.OPENED, "open", 2, True),  # a worse grade always opens
    (RESOLVED3, 3, OCT, Reason.OPENED, "open", 3, True),  # resolved by the rules: firing again opens anew
    (CLOSED3, None, NOV, Reason.NOT_FIRING, None, None, False),
]


@pytest.mark.parametrize("previous,grade,period,reason,state,new_grade,notify", CASES)
def test_transition(previous, grade, period, reason, state, new_grade, notify):
    d = transition(previous, grade=grade, period=period, now=NOW)
    assert (d.reason, d.state, d.grade, d.notify) == (reason, state, new_grade, notify)


@pytest.mark.parametrize(
    "state,deadline,expected",
    [
        ("open", NOW - dt.timedelta(seconds=1), True),
        ("open", NOW, True),
        ("open", NOW + dt.timedelta(hours=1), False),
        ("acknowledged", NOW - dt.timedelta(hours=5), False),
        ("resolved", NOW - dt.timedelta(hours=5), False),
        ("open", None, False),
    ],
)
def test_overdue(state, deadline, expected):
    assert overdue(AlertSnapshot(state, 3, OCT, ack_deadline=deadline), now=NOW) is expected


def test_escalation_walks_county_city_province_and_stops():
    chain = ["430211", "430200", "430000"]
    assert next_responsible("430211", chain=chain) == "430200"
    assert next_responsible("430200", chain=chain) == "430000"
    assert next_responsible("430000", chain=chain) is None
    assert next_responsible("439999", chain=chain) is None


def test_reminders_follow_the_interval():
    every = dt.timedelta(hours=12)
    assert reminder_due(None, every=every, now=NOW)
    assert reminder_due(NOW - every, every=every, now=NOW)
    assert not reminder_due(NOW - every + dt.timedelta(seconds=1), every=every, now=NOW)
