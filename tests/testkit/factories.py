"""Factories for test data, unique per test, built through the service's own functions."""

from __future__ import annotations

import datetime as dt
import uuid

import pandas as pd
from sqlalchemy.orm import Session

from service.accounts import create_organisation, create_user, issue_key
from service.landing import land_observations
from testkit.reference import hunan_reference

NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)


def survey_csv(values: dict[str, list[float]], start: str = "2025-01", indicator: str = "城镇调查失业率") -> bytes:
    """A survey file: one row per region and month, months counted from `start`."""
    lines = ["地区代码,时期,指标,数值,样本量"]
    for region, series in values.items():
        for i, v in enumerate(series):
            p = pd.Period(start, freq="M") + i
            lines.append(f"{region},{p.year}-{p.month:02d},{indicator},{v},1000")
    return ("\n".join(lines) + "\n").encode("utf-8")


def land_survey(session: Session, values: dict[str, list[float]], *, start: str = "2025-01", now=NOW, **kw):
    return land_observations(
        session,
        source="survey",
        filename=f"survey-{uuid.uuid4().hex[:6]}.csv",
        raw=survey_csv(values, start),
        reference=hunan_reference(now.date()),
        now=now,
        **kw,
    )


def account(session: Session, *, region: str, role: str, now=NOW) -> tuple[int, str]:
    """An organisation in `region` with one user of `role`; returns (user id, API key)."""
    tag = uuid.uuid4().hex[:8]
    org = create_organisation(session, name=f"org-{tag}", kind="hr_department", region_code=region, now=now)
    user = create_user(session, organisation_id=org.id, username=f"user-{tag}", role=role, now=now)
    _, key = issue_key(session, user_id=user.id, name="test", now=now, expires_at=now + dt.timedelta(days=400))
    return user.id, key
