"""Storing alert decisions: the alert row, its event, and its outbox messages, in the caller's transaction.

Commit the alert, its event and its outbox rows together, or none of them: that is what makes notification
at-least-once without duplicates (each message carries an idempotency key derived from the event).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.alerting.evaluate import Signal
from service.alerting.rules import Ruleset
from service.alerting.state import AlertSnapshot, Decision, Reason
from service.db.tables import Alert, AlertEvent, Outbox, Region, Subscription

__all__ = ["apply_decision", "fingerprint", "live_alerts"]


def fingerprint(region_code: str, risk: str) -> str:
    return hashlib.sha256(f"{region_code}|{risk}".encode()).hexdigest()[:32]


def live_alerts(session: Session) -> dict[str, Alert]:
    """Alerts in force (open or acknowledged), by fingerprint."""
    return {a.fingerprint: a for a in session.scalars(select(Alert).where(Alert.state != "resolved"))}


def snapshot(alert: Alert | None) -> AlertSnapshot | None:
    return None if alert is None else AlertSnapshot(alert.state, alert.grade)


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
) -> Alert | None:
    """Write what `decision` means; return the alert (None when nothing is or was in force)."""
    if decision.reason is Reason.NOT_FIRING:
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
        )
        session.add(alert)
    if signals:
        alert.grade = decision.grade
        alert.period = max(s.period for s in signals)
        alert.rule_ids = sorted({s.rule_id for s in signals})
        alert.evidence = {s.rule_id: s.evidence for s in signals}
        alert.summary_zh = "\n".join(s.explanation_zh for s in signals)
        alert.summary_en = "\n".join(s.explanation_en for s in signals)
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
    event = AlertEvent(
        alert_id=alert.id,
        at=now,
        kind=decision.reason.value,
        reason=decision.reason.value,
        from_grade=before_grade,
        to_grade=decision.grade,
        from_state=before_state,
        to_state=decision.state,
        detail={"rules": alert.rule_ids, "period": alert.period.isoformat()},
    )
    session.add(event)
    session.flush()
    if decision.notify:
        enqueue(session, alert=alert, event=event, ruleset=ruleset, now=now)
    return alert


def enqueue(session: Session, *, alert: Alert, event: AlertEvent, ruleset: Ruleset, now: dt.datetime) -> int:
    """One outbox message per subscription that covers the alert's region and grade."""
    path = session.scalar(select(Region.path).where(Region.code == alert.region_code)) or alert.region_code
    ancestors = path.split("/")
    subs = session.scalars(
        select(Subscription).where(
            Subscription.active.is_(True),
            Subscription.region_code.in_(ancestors),
            Subscription.min_grade >= alert.grade,
        )
    ).all()
    level = ruleset.level(alert.grade)
    for sub in subs:
        session.add(
            Outbox(
                idempotency_key=f"alert-{alert.id}-event-{event.id}-sub-{sub.id}",
                alert_id=alert.id,
                alert_event_id=event.id,
                subscription_id=sub.id,
                channel=sub.channel,
                payload={
                    "alert_id": alert.id,
                    "event": event.kind,
                    "region_code": alert.region_code,
                    "risk": alert.risk,
                    "grade": alert.grade,
                    "level": {
                        "code": level.code,
                        "name_zh": level.name_zh,
                        "name_en": level.name_en,
                        "colour": level.colour,
                    },
                    "state": alert.state,
                    "period": alert.period.isoformat(),
                    "summary_zh": alert.summary_zh,
                    "summary_en": alert.summary_en,
                    "response_zh": level.response_zh,
                    "response_en": level.response_en,
                    "ack_deadline": alert.ack_deadline.isoformat() if alert.ack_deadline else None,
                    "language": sub.language,
                },
                status="pending",
                next_attempt_at=now,
                created_at=now,
            )
        )
    session.flush()
    return len(subs)
