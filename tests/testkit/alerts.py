"""Factories for alert tests: organisations with subscriptions, signals and evaluations, built through the
service's own functions (nothing inserted behind their back)."""

from __future__ import annotations

import datetime as dt
import uuid

import pandas as pd
from sqlalchemy.orm import Session

from service.accounts import create_organisation
from service.alerting.evaluate import Evaluation, Signal
from service.db.tables import Subscription

__all__ = ["evaluation", "signal", "subscribe"]


def subscribe(
    session: Session,
    *,
    region: str,
    channel: str,
    target: str,
    now: dt.datetime,
    min_grade: int = 4,
    secret: str | None = None,
    language: str = "zh",
) -> Subscription:
    org = create_organisation(session, name=f"org-{uuid.uuid4().hex[:8]}", kind="hr_department", region_code=region,
                              now=now)  # fmt: skip
    sub = Subscription(organisation_id=org.id, region_code=region, channel=channel, target=target, secret=secret,
                       min_grade=min_grade, language=language, active=True, created_at=now)  # fmt: skip
    session.add(sub)
    session.flush()
    return sub


def signal(region: str, grade: int, *, risk: str = "unemployment", rule: str = "surveyed-rate-rise",
           period: str = "2026-10") -> Signal:  # fmt: skip
    p = pd.Period(period, "M")
    return Signal(region, risk, grade, rule, p.to_timestamp().date(), {"rule": rule, "value": 1.0},
                  f"{region}：{rule} 达到 {grade} 级。", f"{region}: {rule} at grade {grade}.")  # fmt: skip


def evaluation(*signals: Signal, period: str = "2026-10") -> Evaluation:
    return Evaluation(pd.Period(period, "M"), pd.PeriodIndex([], freq="M"), list(signals), {})
