"""A region's warning grade over time, from alert events: pure, events in, segments out.

Each alert contributes segments from its opened/escalated/de-escalated events until it is resolved (or now).
Where alerts of several risks overlap, the page lists each; the most severe grade is what the region is at.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Segment", "grade_segments"]

SETS_GRADE = ("opened", "escalated", "de_escalated")


@dataclass(frozen=True)
class Segment:
    alert_id: int
    risk: str
    grade: int
    start: dt.datetime
    end: dt.datetime | None  # None: still in force


def grade_segments(events: Iterable) -> list[Segment]:
    """events: objects with alert_id, risk, at, kind, to_grade, ordered or not."""
    out: list[Segment] = []
    current: dict[int, tuple[str, int, dt.datetime]] = {}
    for e in sorted(events, key=lambda e: (e.at, e.alert_id)):
        if e.kind in SETS_GRADE and e.to_grade is not None:
            if e.alert_id in current:
                risk, grade, start = current.pop(e.alert_id)
                out.append(Segment(e.alert_id, risk, grade, start, e.at))
            current[e.alert_id] = (e.risk, int(e.to_grade), e.at)
        elif e.kind == "resolved" and e.alert_id in current:
            risk, grade, start = current.pop(e.alert_id)
            out.append(Segment(e.alert_id, risk, grade, start, e.at))
    out += [Segment(a, risk, grade, start, None) for a, (risk, grade, start) in current.items()]
    return sorted(out, key=lambda s: (s.start, s.alert_id), reverse=True)
