"""Alerts raised, escalated, acknowledged and resolved in the quarter, with response times. Pure over a Snapshot.

The window is the quarter itself by event time, so consecutive reports neither miss nor double-count an event.
Alerts still in force at the report's moment are listed separately, whenever they were raised.
Response time: from the event that asked for a response (opened or escalated) to the acknowledgement after it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from service.reports.snapshot import Place, Snapshot

__all__ = ["AlertLine", "AlertSection", "alert_section"]

ASKS_FOR_RESPONSE = ("opened", "escalated")


@dataclass(frozen=True)
class AlertLine:
    id: int
    place: Place
    risk: str
    grade: int
    state: str
    opened_at: dt.datetime
    acknowledged_at: dt.datetime | None
    resolved_at: dt.datetime | None
    ack_deadline: dt.datetime | None
    overdue: bool  # open past its acknowledgement deadline at the report's moment
    rule_ids: tuple[str, ...]
    summary_zh: str
    summary_en: str


@dataclass(frozen=True)
class AlertSection:
    counts: dict[str, int]  # opened, escalated, de_escalated, acknowledged, resolved (events in the quarter)
    by_grade: dict[int, int]  # alerts raised in the quarter, by the grade they were raised at
    response_hours: list[float]  # one per acknowledgement in the quarter
    late: int  # acknowledgements after their deadline
    in_quarter: list[AlertLine]  # alerts with any event in the quarter
    in_force: list[AlertLine]  # alerts in force at the report's moment

    @property
    def median_response_hours(self) -> float | None:
        return round(float(np.median(self.response_hours)), 1) if self.response_hours else None

    @property
    def max_response_hours(self) -> float | None:
        return round(max(self.response_hours), 1) if self.response_hours else None


def _line(snap: Snapshot, a) -> AlertLine:
    resolved = a.resolved_at if not pd.isna(a.resolved_at) and a.resolved_at <= snap.as_of else None
    acked = a.acknowledged_at if not pd.isna(a.acknowledged_at) and a.acknowledged_at <= snap.as_of else None
    deadline = None if pd.isna(a.ack_deadline) else a.ack_deadline
    state = "resolved" if resolved else ("acknowledged" if acked else "open")
    return AlertLine(
        id=int(a.id),
        place=snap.place(a.region_code),
        risk=a.risk,
        grade=int(a.grade),
        state=state,
        opened_at=a.opened_at,
        acknowledged_at=acked,
        resolved_at=resolved,
        ack_deadline=deadline,
        overdue=state == "open" and deadline is not None and deadline < snap.as_of,
        rule_ids=tuple(a.rule_ids or ()),
        summary_zh=a.summary_zh,
        summary_en=a.summary_en,
    )


def alert_section(snap: Snapshot) -> AlertSection:
    q = snap.quarter
    ev = snap.alert_events
    window = ev[(ev["at"] >= q.start_instant) & (ev["at"] < q.end_exclusive)] if not ev.empty else ev
    counts = {k: 0 for k in ("opened", "escalated", "de_escalated", "acknowledged", "resolved")}
    for kind, n in window["kind"].value_counts().items() if not window.empty else []:
        counts[str(kind)] = int(n)
    by_grade: dict[int, int] = {}
    for r in window[window["kind"] == "opened"].itertuples(index=False) if not window.empty else []:
        if not pd.isna(r.to_grade):
            by_grade[int(r.to_grade)] = by_grade.get(int(r.to_grade), 0) + 1
    hours, late = [], 0
    deadlines = snap.alerts.set_index("id")["ack_deadline"] if not snap.alerts.empty else pd.Series(dtype=object)
    for ack in window[window["kind"] == "acknowledged"].itertuples(index=False) if not window.empty else []:
        asked = ev[(ev["alert_id"] == ack.alert_id) & ev["kind"].isin(ASKS_FOR_RESPONSE) & (ev["at"] <= ack.at)]
        if asked.empty:
            continue
        hours.append((ack.at - asked["at"].iloc[-1]).total_seconds() / 3600)
        deadline = deadlines.get(ack.alert_id)
        if deadline is not None and not pd.isna(deadline) and ack.at > deadline:
            late += 1
    touched = set(window["alert_id"]) if not window.empty else set()
    alerts = list(snap.alerts.itertuples(index=False))
    live = [a for a in alerts if a.opened_at <= snap.as_of and (pd.isna(a.resolved_at) or a.resolved_at > snap.as_of)]
    return AlertSection(
        counts=counts,
        by_grade=by_grade,
        response_hours=[round(h, 2) for h in hours],
        late=late,
        in_quarter=[_line(snap, a) for a in alerts if a.id in touched],
        in_force=sorted((_line(snap, a) for a in live), key=lambda x: (x.grade, x.place.code)),
    )
