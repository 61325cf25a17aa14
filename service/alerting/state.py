"""The alert lifecycle as pure decisions with named reasons; `now` is always passed in.

    decision = transition(previous, grade=3, period=month, now=now)
    decision.reason    # Reason.OPENED, ESCALATED, DE_ESCALATED, UNCHANGED, RESOLVED, NOT_FIRING or KEPT_RESOLVED
    overdue(snapshot, now=now)                       # the acknowledgement deadline has passed
    next_responsible("430211", chain=["430211", "430200", "430000"])    # "430200": county -> city -> province
    reminder_due(last_notified_at, every=dt.timedelta(hours=12), now=now)

Tests are tables of (previous, grade, expected reason). The caller stores the decision (service/db/alerts.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["NOTIFY", "AlertSnapshot", "Decision", "Reason", "next_responsible", "overdue", "reminder_due", "transition"]


class Reason(StrEnum):
    OPENED = "opened"  # nothing in force, a rule fires
    ESCALATED = "escalated"  # a more severe grade (lower number) is asked for
    DE_ESCALATED = "de_escalated"  # still firing, but at a less severe grade
    UNCHANGED = "unchanged"  # still firing at the same grade
    RESOLVED = "resolved"  # was in force, no rule fires any more
    NOT_FIRING = "not_firing"  # nothing in force, nothing fires
    KEPT_RESOLVED = "kept_resolved"  # resolved by hand; the same data at the same or a milder grade does not reopen it
    ACKNOWLEDGED = "acknowledged"  # the responsible department took it on
    RESOLVED_BY_HAND = "resolved_by_hand"  # a responder closed it with a note
    ACK_OVERDUE = "ack_overdue"  # nobody acknowledged in time: responsibility passes to the parent region
    REMINDER = "reminder"  # still in force and unacknowledged after the level's reminder interval


# Which reasons send notices: open, grade change, resolve, escalation to the parent, reminders.
NOTIFY = frozenset(
    {
        Reason.OPENED,
        Reason.ESCALATED,
        Reason.DE_ESCALATED,
        Reason.RESOLVED,
        Reason.RESOLVED_BY_HAND,
        Reason.ACK_OVERDUE,
        Reason.REMINDER,
    }
)


@dataclass(frozen=True)
class AlertSnapshot:
    state: str  # open, acknowledged, resolved
    grade: int
    period: dt.date | None = None  # the data month that supported it
    resolved_by_hand: bool = False
    ack_deadline: dt.datetime | None = None


@dataclass(frozen=True)
class Decision:
    reason: Reason
    state: str | None  # the new state; None when there is no alert
    grade: int | None
    at: dt.datetime

    @property
    def notify(self) -> bool:
        return self.reason in NOTIFY


def transition(
    previous: AlertSnapshot | None, *, grade: int | None, now: dt.datetime, period: dt.date | None = None
) -> Decision:
    """What happens to the alert of one region and risk when its rules now ask for `grade` (None: nothing fires).

    `previous` is the alert in force, or the last one if it was resolved by hand (so the same figures do not
    reopen what a responder has closed; newer figures or a worse grade do).
    """
    if previous is None or previous.state == "resolved":
        if grade is None:
            return Decision(Reason.NOT_FIRING, None, None, now)
        if (
            previous is not None
            and previous.resolved_by_hand
            and grade >= previous.grade
            and (period is None or previous.period is None or period <= previous.period)
        ):
            return Decision(Reason.KEPT_RESOLVED, "resolved", previous.grade, now)
        return Decision(Reason.OPENED, "open", grade, now)
    if grade is None:
        return Decision(Reason.RESOLVED, "resolved", previous.grade, now)
    if grade < previous.grade:
        # A worse grade needs a fresh acknowledgement from whoever is responsible.
        return Decision(Reason.ESCALATED, "open", grade, now)
    if grade > previous.grade:
        return Decision(Reason.DE_ESCALATED, previous.state, grade, now)
    return Decision(Reason.UNCHANGED, previous.state, grade, now)


def overdue(alert: AlertSnapshot, *, now: dt.datetime) -> bool:
    """Open (not acknowledged) past its acknowledgement deadline."""
    return alert.state == "open" and alert.ack_deadline is not None and alert.ack_deadline <= now


def next_responsible(responsible: str, *, chain: Sequence[str]) -> str | None:
    """The region above `responsible` on the alert's chain (its own region first, the province last), or None."""
    try:
        i = list(chain).index(responsible)
    except ValueError:
        return None
    return chain[i + 1] if i + 1 < len(chain) else None


def reminder_due(last_notified_at: dt.datetime | None, *, every: dt.timedelta, now: dt.datetime) -> bool:
    return last_notified_at is None or now - last_notified_at >= every
