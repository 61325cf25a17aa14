"""The alert lifecycle as a pure decision: previous snapshot + the grade now asked for -> what happens and why.

    decision = transition(previous, grade=3, now=now)
    decision.reason   # Reason.OPENED, ESCALATED, DE_ESCALATED, UNCHANGED, RESOLVED or NOT_FIRING

Tests are tables of (previous, grade, expected reason). The caller stores the decision (service/jobs.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["AlertSnapshot", "Decision", "Reason", "transition"]


class Reason(StrEnum):
    OPENED = "opened"  # nothing in force, a rule fires
    ESCALATED = "escalated"  # a more severe grade (lower number) is asked for
    DE_ESCALATED = "de_escalated"  # still firing, but at a less severe grade
    UNCHANGED = "unchanged"  # still firing at the same grade
    RESOLVED = "resolved"  # was in force, no rule fires any more
    NOT_FIRING = "not_firing"  # nothing in force, nothing fires


NOTIFY = {Reason.OPENED, Reason.ESCALATED, Reason.DE_ESCALATED, Reason.RESOLVED}


@dataclass(frozen=True)
class AlertSnapshot:
    state: str  # open, acknowledged
    grade: int


@dataclass(frozen=True)
class Decision:
    reason: Reason
    state: str | None  # the new state; None when there is no alert
    grade: int | None
    at: dt.datetime

    @property
    def notify(self) -> bool:
        return self.reason in NOTIFY


def transition(previous: AlertSnapshot | None, *, grade: int | None, now: dt.datetime) -> Decision:
    if previous is None:
        if grade is None:
            return Decision(Reason.NOT_FIRING, None, None, now)
        return Decision(Reason.OPENED, "open", grade, now)
    if grade is None:
        return Decision(Reason.RESOLVED, "resolved", previous.grade, now)
    if grade < previous.grade:
        # A worse grade needs a fresh acknowledgement from whoever is responsible.
        return Decision(Reason.ESCALATED, "open", grade, now)
    if grade > previous.grade:
        return Decision(Reason.DE_ESCALATED, previous.state, grade, now)
    return Decision(Reason.UNCHANGED, previous.state, grade, now)
