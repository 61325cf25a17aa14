"""Notices: the outbox messages an alert event sends, written in the caller's transaction with the event.

    n = enqueue(session, alert=alert, event=event, ruleset=ruleset, now=now, inhibited_by=None)

One message per subscription that should hear of it, each with an idempotency key made of the alert, the event
and the subscription: the same event can never be queued twice for one subscriber, and receivers drop repeats
of a key, so at-least-once delivery is effectively once. Who hears:
- subscriptions on the alert's region or any region above it, for the alert's grade or worse (min_grade);
- once an alert has passed to a parent region's department (missed acknowledgement), that department's
  subscriptions too, whatever their min_grade; an escalation notice goes to them alone.
A silence in force, or inhibition by a worse alert of the region, holds the notices back (the event records
why); the alert's lifecycle goes on regardless.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from service.alerting.rules import Ruleset
from service.alerting.silence import SilenceSpec, muted_by
from service.alerting.state import Reason
from service.db.tables import Alert, AlertEvent, Outbox, Region, Silence, Subscription

__all__ = ["enqueue", "idempotency_key", "silences_in_force"]


def idempotency_key(*, alert_id: int, event_id: int, subscription_id: int) -> str:
    return f"lw-alert-{alert_id}-event-{event_id}-sub-{subscription_id}"


def silences_in_force(session: Session, *, now: dt.datetime) -> list[SilenceSpec]:
    rows = session.scalars(select(Silence).where(Silence.starts_at <= now, Silence.ends_at > now)).all()
    return [SilenceSpec(s.id, s.region_code, s.risk, s.starts_at, s.ends_at) for s in rows]


def _recipients(session: Session, alert: Alert, event: AlertEvent, path: str) -> list[Subscription]:
    active = Subscription.active.is_(True)
    if event.kind == Reason.ACK_OVERDUE:
        q = select(Subscription).where(active, Subscription.region_code == alert.responsible_region_code)
    else:
        grade = alert.grade
        q = select(Subscription).where(
            active,
            or_(
                Subscription.region_code.in_(path.split("/")) & (Subscription.min_grade >= grade),
                Subscription.region_code == alert.responsible_region_code,
            ),
        )
    return list(session.scalars(q.order_by(Subscription.id)))


def enqueue(
    session: Session,
    *,
    alert: Alert,
    event: AlertEvent,
    ruleset: Ruleset | None,
    now: dt.datetime,
    inhibited_by: tuple[str, int] | None = None,
    silences: list[SilenceSpec] | None = None,
) -> int:
    """Queue the event's notices; returns how many (0 when silenced or inhibited, which the event records)."""
    regions = {
        r.code: r
        for r in session.scalars(
            select(Region).where(Region.code.in_([alert.region_code, alert.responsible_region_code]))
        )
    }
    region = regions.get(alert.region_code)
    path = region.path if region else alert.region_code
    silences = silences_in_force(session, now=now) if silences is None else silences
    muted = muted_by(silences, region_path=path, risk=alert.risk, now=now)
    detail = dict(event.detail or {})
    if muted is not None or inhibited_by is not None:
        detail.update({"notices": 0, "silenced_by": muted})
        if inhibited_by is not None:
            detail["inhibited_by"] = {"risk": inhibited_by[0], "grade": inhibited_by[1]}
        event.detail = detail
        return 0
    subs = _recipients(session, alert, event, path)
    body = _payload(alert, event, ruleset, regions)
    for sub in subs:
        key = idempotency_key(alert_id=alert.id, event_id=event.id, subscription_id=sub.id)
        session.add(
            Outbox(
                idempotency_key=key,
                alert_id=alert.id,
                alert_event_id=event.id,
                subscription_id=sub.id,
                channel=sub.channel,
                payload={**body, "idempotency_key": key, "language": sub.language},
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
    detail["notices"] = len(subs)
    event.detail = detail
    if subs:
        alert.last_notified_at = now
    session.flush()
    return len(subs)


def _named(regions: dict, code: str) -> dict:
    r = regions.get(code)
    return {"code": code, "name_zh": r.name_zh if r else code, "name_en": r.name_en if r else code}


def _payload(alert: Alert, event: AlertEvent, ruleset: Ruleset | None, regions: dict) -> dict:
    level = ruleset.level(alert.grade) if ruleset else None
    risk = next((r for r in ruleset.risks if r.code == alert.risk), None) if ruleset else None
    return {
        "alert_id": alert.id,
        "event_id": event.id,
        "event": event.kind,
        "at": event.at.isoformat(),
        "region": _named(regions, alert.region_code),
        "responsible_region": _named(regions, alert.responsible_region_code),
        "risk": {
            "code": alert.risk,
            "name_zh": risk.name_zh if risk else alert.risk,
            "name_en": risk.name_en if risk else alert.risk,
        },
        "grade": alert.grade,
        "from_grade": event.from_grade,
        "level": None
        if level is None
        else {
            "code": level.code,
            "name_zh": level.name_zh,
            "name_en": level.name_en,
            "colour": level.colour,
            "lead_unit_zh": level.lead_unit_zh,
            "lead_unit_en": level.lead_unit_en,
            "response_zh": level.response_zh,
            "response_en": level.response_en,
            "report_within_hours": level.report_within_hours,
        },
        "state": alert.state,
        "period": alert.period.isoformat(),
        "summary_zh": alert.summary_zh,
        "summary_en": alert.summary_en,
        "note": (event.detail or {}).get("note"),
        "ack_deadline": alert.ack_deadline.isoformat() if alert.ack_deadline else None,
        "opened_at": alert.opened_at.isoformat(),
    }
