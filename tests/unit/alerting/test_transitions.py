import datetime as dt

import pytest

from service.alerting.state import AlertSnapshot, Reason, transition

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
OPEN3 = AlertSnapshot("open", 3)
ACKED3 = AlertSnapshot("acknowledged", 3)

CASES = [
    # previous, grade now asked for, reason, new state, new grade, notify
    (None, None, Reason.NOT_FIRING, None, None, False),
    (None, 4, Reason.OPENED, "open", 4, True),
    (OPEN3, 3, Reason.UNCHANGED, "open", 3, False),
    (ACKED3, 3, Reason.UNCHANGED, "acknowledged", 3, False),
    (ACKED3, 2, Reason.ESCALATED, "open", 2, True),  # a worse grade needs a fresh acknowledgement
    (ACKED3, 4, Reason.DE_ESCALATED, "acknowledged", 4, True),
    (OPEN3, None, Reason.RESOLVED, "resolved", 3, True),
]


@pytest.mark.parametrize("previous,grade,reason,state,new_grade,notify", CASES)
def test_transition(previous, grade, reason, state, new_grade, notify):
    d = transition(previous, grade=grade, now=NOW)
    assert (d.reason, d.state, d.grade, d.notify) == (reason, state, new_grade, notify)
