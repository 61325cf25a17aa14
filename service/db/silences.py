"""Silences in the database: create with an author, a reason and an expiry; expire early; never deleted.

    silence = create_silence(session, region_code="430200", risk=None, starts_at=now, ends_at=now + week,
                             reason="已启动应急预案，每日调度", user_id=7, now=now)
    expire_silence(session, silence=silence, now=now)

A silence holds back the notices of alerts in its region subtree (and of one risk, if given) while it is in
force; the alerts themselves go on (service/db/notices.py). The caller owns the transaction.

Errors: SilenceError (ValueError) for a window that is empty, already over or too long, or an unknown region.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from service.db.tables import Region, Silence

__all__ = ["MAX_SILENCE", "SilenceError", "create_silence", "expire_silence", "silence_dict"]

MAX_SILENCE = dt.timedelta(days=90)  # a longer mute is a rule change (an override in thresholds.yaml)


class SilenceError(ValueError):
    """A silence that cannot be created as asked."""


def create_silence(
    session: Session,
    *,
    region_code: str,
    risk: str | None,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    reason: str,
    user_id: int | None,
    now: dt.datetime,
) -> Silence:
    if session.get(Region, region_code) is None:
        raise SilenceError(f"unknown region {region_code}")
    if ends_at <= starts_at or ends_at <= now:
        raise SilenceError("a silence must end after it starts and after now")
    if ends_at - max(starts_at, now) > MAX_SILENCE:
        raise SilenceError(f"a silence may last at most {MAX_SILENCE.days} days; change the rules instead")
    if not reason.strip():
        raise SilenceError("a silence needs a reason")
    silence = Silence(
        region_code=region_code,
        risk=risk,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason.strip(),
        created_by=user_id,
        created_at=now,
    )
    session.add(silence)
    session.flush()
    return silence


def expire_silence(session: Session, *, silence: Silence, now: dt.datetime) -> Silence:
    """End a silence now (kept as history); ending one already over changes nothing."""
    if silence.ends_at > now:
        silence.ends_at = max(now, silence.starts_at)
        session.flush()
    return silence


def silence_dict(s: Silence) -> dict:
    """The fields the audit log keeps of a silence."""
    return {
        "region_code": s.region_code,
        "risk": s.risk,
        "starts_at": s.starts_at.isoformat(),
        "ends_at": s.ends_at.isoformat(),
        "reason": s.reason,
        "created_by": s.created_by,
    }
