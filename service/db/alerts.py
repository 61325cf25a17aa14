"""Alert lifecycle in the database: decisions from evaluations, acknowledgement, resolution by hand, escalation
to the parent region when nobody acknowledges in time, and reminders. The caller owns the transaction.

    counts = apply_evaluation(session, evaluation=result, ruleset=ruleset, now=now)
    acknowledge(session, alert=alert, user_id=7, note="已联系重点企业", now=now)
    resolve_by_hand(session, alert=alert, user_id=7, note="...", ruleset=ruleset, now=now)
    escalate_overdue(session, ruleset=ruleset, now=now)        # county -> city -> province
    send_reminders(session, ruleset=ruleset, now=now)

Each change writes the alert, its event and its notices (service/db/notices.py) together, so a notice is queued
if and only if its event is stored.

Errors: AlertStateError (ValueError) when an action does not fit the alert's state (acknowledging a resolved
alert); routes answer it with 409.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.alerting.evaluate import Evaluation, Signal
from service.alerting.inhibit import inhibited
from service.alerting.rules import Ruleset
from service.alerting.silence import SilenceSpec
from service.alerting.state import AlertSnapshot, Decision, Reason, next_responsible, overdue, reminder_due, transition
from service.db.notices import enqueue, silences_in_force
from service.db.tables import Alert, AlertEvent, Region

__all__ = [
    "AlertStateError",
    "acknowledge",
    "apply_decision",
    "apply_evaluation",
    "escalate_overdue",
    "fingerprint",
    "live_alerts",
    "resolve_by_hand",
    "send_reminders",
    "snapshot",
]


class AlertStateError(ValueError):
    """The action does not fit the alert's state."""


def fingerprint(region_code: str, risk: str) -> str:
    return hashlib.sha256(f"{region_code}|{risk}".encode()).hexdigest()[:32]


def live_alerts(session: Session) -> dict[str, Alert]:
    """Alerts in force (open or acknowledged), by fingerprint."""
    return {a.fingerprint: a for a in session.scalars(select(Alert).where(Alert.state != "resolved"))}


def _closed_by_hand(session: Session, fingerprints: set[str]) -> dict[str, Alert]:
    """The latest alert of each fingerprint, when a responder resolved it by hand."""
    out: dict[str, Alert] = {}
    q = select(Alert).where(Alert.fingerprint.in_(sorted(fingerprints))).order_by(Alert.id)
    for a in session.scalars(q):
        out[a.fingerprint] = a
    return {fp: a for fp, a in out.items() if a.state == "resolved" and a.resolved_by_hand}


def snapshot(alert: Alert | None) -> AlertSnapshot | None:
    if alert is None:
        return None
    return AlertSnapshot(alert.state, alert.grade, alert.period, alert.resolved_by_hand, alert.ack_deadline)


def apply_evaluation(session: Session, *, evaluation: Evaluation, ruleset: Ruleset, now: dt.datetime) -> dict:
    """Move every alert through its lifecycle by what the rules ask for now; return counts by reason."""
    grades = evaluation.grades()
    signals: dict[tuple[str, str], list[Signal]] = {}
    for s in evaluation.signals:
        signals.setdefault((s.region_code, s.risk), []).append(s)
    live = live_alerts(session)
    keys = set(grades) | {(a.region_code, a.risk) for a in live.values()}
    closed = _closed_by_hand(session, {fingerprint(*k) for k in keys} - set(live))
    muted = inhibited(grades, ruleset)
    silences = silences_in_force(session, now=now)
    counts: dict[str, int] = {}
    for region, risk in sorted(keys):
        fp = fingerprint(region, risk)
        alert = live.get(fp)
        found = signals.get((region, risk), [])
        period = max((s.period for s in found), default=None)
        decision = transition(
            snapshot(alert or closed.get(fp)), grade=grades.get((region, risk)), period=period, now=now
        )
        apply_decision(
            session,
            alert=alert,
            decision=decision,
            region_code=region,
            risk=risk,
            signals=found,
            ruleset=ruleset,
            now=now,
            inhibited_by=muted.get((region, risk)),
            silences=silences,
        )
        counts[decision.reason.value] = counts.get(decision.reason.value, 0) + 1
    return counts


def apply_decision(
    session: Session,
    *,
    alert: Alert | None,
    decision: Decision,
    region_code: str,
    risk: str,
    signals: list[Signal],
    ruleset: Ruleset,
    now: dt.datetime,
    inhibited_by: tuple[str, int] | None = None,
    silences: list[SilenceSpec] | None = None,
) -> Alert | None:
    """Write what `decision` means; return the alert (None when nothing is or was in force)."""
    if decision.reason in (Reason.NOT_FIRING, Reason.KEPT_RESOLVED):
        return None
    before_grade = alert.grade if alert else None
    before_state = alert.state if alert else None
    if alert is None:
        alert = Alert(
            fingerprint=fingerprint(region_code, risk),
            region_code=region_code,
            risk=risk,
            responsible_region_code=region_code,
            opened_at=now,
            resolved_by_hand=False,
        )
        session.add(alert)
    if signals:
        alert.grade = decision.grade
        alert.period = max(s.period for s in signals)
        alert.rule_ids = sorted({s.rule_id for s in signals})
        alert.evidence = {s.rule_id: s.evidence for s in signals}
        worst_first = sorted(signals, key=lambda s: (s.grade, s.rule_id))
        alert.summary_zh = "\n".join(s.explanation_zh for s in worst_first)
        alert.summary_en = "\n".join(s.explanation_en for s in worst_first)
    alert.state = decision.state
    alert.updated_at = now
    if decision.reason in (Reason.OPENED, Reason.ESCALATED):
        alert.ack_deadline = now + dt.timedelta(hours=ruleset.level(decision.grade).ack_within_hours)
        alert.acknowledged_at = None
        alert.acknowledged_by = None
    if decision.reason is Reason.RESOLVED:
        alert.resolved_at = now
        alert.ack_deadline = None
    if decision.reason is Reason.UNCHANGED:
        return alert
    session.flush()
    detail = {"rules": alert.rule_ids, "period": alert.period.isoformat()}
    event = _event(session, alert, decision.reason, now, before_grade, before_state, detail=detail)
    if decision.notify:
        enqueue(
            session, alert=alert, event=event, ruleset=ruleset, now=now, inhibited_by=inhibited_by, silences=silences
        )
    return alert


def _event(session, alert, reason: Reason, now, from_grade, from_state, *, actor=None, detail=None) -> AlertEvent:
    event = AlertEvent(
        alert_id=alert.id,
        at=now,
        kind=reason.value,
        reason=reason.value,
        from_grade=from_grade,
        to_grade=alert.grade,
        from_state=from_state,
        to_state=alert.state,
        actor_user_id=actor,
        detail=detail or {},
    )
    session.add(event)
    session.flush()
    return event


def acknowledge(session: Session, *, alert: Alert, user_id: int, note: str | None, now: dt.datetime) -> AlertEvent:
    """The responsible department takes the alert on: no more reminders or escalation until the grade worsens."""
    if alert.state != "open":
        raise AlertStateError(f"alert {alert.id} is {alert.state}; only an open alert can be acknowledged")
    alert.state, alert.acknowledged_at, alert.acknowledged_by = "acknowledged", now, user_id
    alert.ack_note, alert.ack_deadline, alert.updated_at = note, None, now
    return _event(
        session,
        alert,
        Reason.ACKNOWLEDGED,
        now,
        alert.grade,
        "open",
        actor=user_id,
        detail={"note": note} if note else {},
    )


def resolve_by_hand(
    session: Session, *, alert: Alert, user_id: int, note: str, ruleset: Ruleset | None, now: dt.datetime
) -> AlertEvent:
    """Close an alert with a note; its subscribers hear that it was resolved, and by whom."""
    if alert.state == "resolved":
        raise AlertStateError(f"alert {alert.id} is already resolved")
    before = alert.state
    alert.state, alert.resolved_at, alert.resolved_by, alert.resolved_by_hand = "resolved", now, user_id, True
    alert.resolution_note, alert.ack_deadline, alert.updated_at = note, None, now
    event = _event(
        session, alert, Reason.RESOLVED_BY_HAND, now, alert.grade, before, actor=user_id, detail={"note": note}
    )
    enqueue(session, alert=alert, event=event, ruleset=ruleset, now=now)
    return event


def escalate_overdue(session: Session, *, ruleset: Ruleset, now: dt.datetime) -> dict:
    """Pass every open alert past its acknowledgement deadline to the department one level up, and tell it."""
    q = select(Alert).where(Alert.state == "open", Alert.ack_deadline.is_not(None), Alert.ack_deadline <= now)
    alerts = [a for a in session.scalars(q.order_by(Alert.id)) if overdue(snapshot(a), now=now)]
    paths = dict(session.execute(select(Region.code, Region.path)).all())
    muted = _inhibited_live(session, ruleset)
    moved = at_top = 0
    for alert in alerts:
        chain = paths.get(alert.region_code, alert.region_code).split("/")[::-1]
        before = alert.responsible_region_code
        parent = next_responsible(before, chain=chain)
        if parent is None:
            alert.ack_deadline = None  # nobody above: reminders keep coming until someone acknowledges
            at_top += 1
        else:
            alert.responsible_region_code = parent
            alert.ack_deadline = now + dt.timedelta(hours=ruleset.level(alert.grade).ack_within_hours)
            moved += 1
        alert.updated_at = now
        event = _event(
            session, alert, Reason.ACK_OVERDUE, now, alert.grade, alert.state, detail={"from": before, "to": parent}
        )
        enqueue(
            session,
            alert=alert,
            event=event,
            ruleset=ruleset,
            now=now,
            inhibited_by=muted.get((alert.region_code, alert.risk)),
        )
    return {"escalated": moved, "overdue_at_top": at_top}


def send_reminders(session: Session, *, ruleset: Ruleset, now: dt.datetime) -> dict:
    """Remind the subscribers of every open, unacknowledged alert whose level's reminder interval has passed."""
    sent = 0
    muted = _inhibited_live(session, ruleset)
    for alert in session.scalars(select(Alert).where(Alert.state == "open").order_by(Alert.id)):
        every = dt.timedelta(hours=ruleset.level(alert.grade).remind_every_hours)
        if not reminder_due(alert.last_notified_at or alert.opened_at, every=every, now=now):
            continue
        event = _event(session, alert, Reason.REMINDER, now, alert.grade, alert.state)
        enqueue(
            session,
            alert=alert,
            event=event,
            ruleset=ruleset,
            now=now,
            inhibited_by=muted.get((alert.region_code, alert.risk)),
        )
        alert.last_notified_at = now
        sent += 1
    return {"reminded": sent}


def _inhibited_live(session: Session, ruleset: Ruleset) -> dict[tuple[str, str], tuple[str, int]]:
    """Inhibition among the alerts in force (for jobs that run between evaluations)."""
    return inhibited({(a.region_code, a.risk): a.grade for a in live_alerts(session).values()}, ruleset)
