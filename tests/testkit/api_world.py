"""A small demo-like world for API and observability tests: Changsha and Zhuzhou with data, alerts and people.

    world = build_world(session, rules_path=path)     # the caller's transaction; returns ids and keys

Both cities have a surveyed rate rising above the thresholds (so each has an alert), claims and recruitment
figures, an enterprise with headcounts and an art. 41 filing, a subscription with delivered and dead
notifications, scored forecasts and job runs. Three organisations (the province, Zhuzhou, Changsha) each have
one user of every role with a key. Everything goes through the service's own functions where they exist.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ingestion.credit_code import check_char
from service.accounts import create_organisation, create_user, issue_key
from service.db.tables import (
    ROLES,
    Alert,
    Batch,
    Enterprise,
    EnterpriseHeadcount,
    ForecastPoint,
    ForecastScore,
    JobRun,
    LayoffFiling,
    Outbox,
    Subscription,
)
from service.jobs import evaluate_rules, forecast
from service.landing import land_observations
from service.registry import load_registry
from testkit.factories import NOW
from testkit.reference import hunan_reference

PLACES = {"province": "430000", "zhuzhou": "430200", "changsha": "430100"}
COUNTY = {"zhuzhou": "430202", "changsha": "430102"}  # 荷塘区, 芙蓉区
WAVE = [5.0, 5.0, 5.1, 5.0, 5.2, 5.9, 6.1, 6.2, 6.3]  # 3-month average >= 6.0 for the last two months


@dataclass
class World:
    tag: str
    keys: dict[tuple[str, str], str] = field(default_factory=dict)  # (place, role) -> API key
    users: dict[tuple[str, str], int] = field(default_factory=dict)  # (place, role) -> user id
    orgs: dict[str, int] = field(default_factory=dict)  # place -> organisation id
    alerts: dict[str, int] = field(default_factory=dict)  # city place -> alert id
    enterprises: dict[str, str] = field(default_factory=dict)  # city place -> credit code
    subscriptions: dict[str, int] = field(default_factory=dict)  # place -> subscription id
    forecast_run: int = 0
    key_prefixes: dict[tuple[str, str], str] = field(default_factory=dict)

    def key(self, place: str, role: str) -> str:
        return self.keys[(place, role)]

    def changsha_markers(self) -> set[str]:
        """Strings that appear only in Changsha's data: a Zhuzhou caller must never receive any of them."""
        return {
            f"长沙-{self.tag}",
            f"cs-{self.tag}",
            f"changsha-{self.tag}.example.org",
            self.enterprises["changsha"],
            "长沙市",
        }


def credit_code(county: str, serial: int) -> str:
    first17 = f"91{county}{serial:08d}X"
    return first17 + check_char(first17)


def _tidy(rows: list[tuple[str, str, str, float]]) -> bytes:
    lines = ["region_code,period,indicator,population_group,value"]
    lines += [f"{r},{p},{i},total,{v}" for r, p, i, v in rows]
    return ("\n".join(lines) + "\n").encode()


def _months(n: int, start: str = "2025-01") -> list[str]:
    year, month = map(int, start.split("-"))
    out = []
    for _ in range(n):
        out.append(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _land(session: Session, source: str, raw: bytes, now: dt.datetime) -> int:
    res = land_observations(
        session,
        source=source,
        filename=f"{source}-{uuid.uuid4().hex[:6]}.csv",
        raw=raw,
        reference=hunan_reference(now.date()),
        now=now,
    )
    assert res.status == "landed", [str(p) for p in res.problems[:5]]
    return res.batch_id


def build_world(session: Session, *, rules_path: Path, now: dt.datetime = NOW) -> World:
    world = World(tag=uuid.uuid4().hex[:6])
    months = _months(len(WAVE))
    cities = {"changsha": "430100", "zhuzhou": "430200"}
    survey = [(code, m, "城镇调查失业率", v) for code in cities.values() for m, v in zip(months, WAVE, strict=True)]
    survey_lines = ["地区代码,时期,指标,数值,样本量"] + [f"{r},{p},{i},{v},1000" for r, p, i, v in survey]
    res = land_observations(
        session,
        source="survey",
        filename="survey.csv",
        raw=("\n".join(survey_lines) + "\n").encode(),
        reference=hunan_reference(now.date()),
        now=now,
    )
    assert res.status == "landed", [str(p) for p in res.problems[:5]]
    claims = [(c, m, "ui_new_claims", 1000 + 50 * i) for c in cities.values() for i, m in enumerate(months)]
    _land(session, "social_insurance", _tidy(claims), now)
    recruitment = [
        (c, m, ind, v)
        for c in cities.values()
        for m in months
        for ind, v in (("job_postings", 900), ("job_seekers", 1000))
    ]
    _land(session, "recruitment", _tidy(recruitment), now)
    _rejected_batch(session, now)

    for place, region in PLACES.items():
        org = create_organisation(
            session, name=_org_name(place, world.tag), kind="hr_department", region_code=region, now=now
        )
        world.orgs[place] = org.id
        for role in ROLES:
            user = create_user(
                session, organisation_id=org.id, username=_username(place, role, world.tag), role=role, now=now
            )
            key, full = issue_key(
                session, user_id=user.id, name="test", now=now, expires_at=now + dt.timedelta(days=3650)
            )
            world.users[(place, role)] = user.id
            world.keys[(place, role)] = full
            world.key_prefixes[(place, role)] = key.prefix
    for place in ("changsha", "zhuzhou"):
        sub = Subscription(
            organisation_id=world.orgs[place],
            region_code=PLACES[place],
            channel="webhook",
            target=f"https://{place}-{world.tag}.example.org/hook",
            secret="s" * 20,
            min_grade=4,
            language="zh",
            active=True,
            created_at=now,
        )
        session.add(sub)
        session.flush()
        world.subscriptions[place] = sub.id
        world.enterprises[place] = _enterprise(session, place, now)

    world.forecast_run = forecast(session, now=now)["run_id"]
    evaluate_rules(session, now=now, registry=load_registry(["430000"]), rules_path=rules_path)
    for place, region in cities.items():
        world.alerts[place] = session.scalar(select(Alert.id).where(Alert.region_code == region))
    _deliveries(session, now)
    _scores(session, now)
    _job_runs(session, now)
    session.flush()
    return world


def _org_name(place: str, tag: str) -> str:
    return {"province": f"湖南省-{tag}", "zhuzhou": f"株洲-{tag}", "changsha": f"长沙-{tag}"}[place]


def _username(place: str, role: str, tag: str) -> str:
    return f"{ {'province': 'hn', 'zhuzhou': 'zz', 'changsha': 'cs'}[place] }-{tag}-{role}"


def _rejected_batch(session: Session, now: dt.datetime) -> None:
    bad = b"region_code,period,indicator,population_group,value\n999999,2025-01,ui_new_claims,total,1\n"
    res = land_observations(
        session, source="social_insurance", filename="bad.csv", raw=bad, reference=hunan_reference(now.date()), now=now
    )
    assert res.status == "rejected"


def _enterprise(session: Session, place: str, now: dt.datetime) -> str:
    county = COUNTY[place]
    code = credit_code(county, 1 if place == "changsha" else 2)
    name = {"changsha": "长沙测试机械有限公司", "zhuzhou": "株洲测试电机有限公司"}[place]
    session.add(
        Enterprise(
            credit_code=code, name_zh=name, region_code=county, industry="C", industry_zh="制造业", updated_at=now
        )
    )
    batch = Batch(
        source_code="enterprise_headcount",
        filename=f"hc-{place}.csv",
        content_hash=uuid.uuid4().hex,
        format="csv",
        status="landed",
        rows_total=2,
        rows_landed=2,
        received_at=now,
        landed_at=now,
    )
    session.add(batch)
    session.flush()
    for period, insured in ((dt.date(2025, 8, 1), 500), (dt.date(2025, 9, 1), 420)):
        session.add(
            EnterpriseHeadcount(credit_code=code, period=period, insured=insured, batch_id=batch.id, vintage=now)
        )
    session.add(
        LayoffFiling(
            credit_code=code,
            region_code=county,
            filed_on=dt.date(2025, 9, 10),
            planned_on=dt.date(2025, 10, 10),
            staff_before=500,
            layoffs=80,
            reason="订单下降（测试）",
            status="filed",
            external_ref=f"test-{code}",
            received_at=now,
        )
    )
    return code


def _deliveries(session: Session, now: dt.datetime) -> None:
    msgs = session.scalars(select(Outbox).order_by(Outbox.id)).all()
    assert len(msgs) >= 2, "each city's alert should have queued a notification"
    msgs[0].status, msgs[0].attempts, msgs[0].sent_at = "sent", 1, now
    msgs[1].status, msgs[1].attempts, msgs[1].last_error = "dead", 8, "HTTP 500 from receiver"


def _scores(session: Session, now: dt.datetime) -> None:
    points = session.scalars(select(ForecastPoint).order_by(ForecastPoint.id).limit(12)).all()
    for i, p in enumerate(points):
        actual = p.mean + (0.1 if i % 3 else 0.9)
        session.add(
            ForecastScore(
                point_id=p.id,
                actual=actual,
                error=actual - p.mean,
                scaled_abs_error=abs(actual - p.mean) / 0.2,
                covered80=p.lo80 <= actual <= p.hi80,
                covered95=p.lo95 <= actual <= p.hi95,
                actual_vintage=now,
                scored_at=now,
            )
        )


def _job_runs(session: Session, now: dt.datetime) -> None:
    for job, status, minutes in (("forecast-series", "succeeded", 30), ("evaluate-rules", "failed", 10)):
        session.add(
            JobRun(
                job_id=job,
                trigger="scheduled",
                started_at=now - dt.timedelta(minutes=minutes),
                finished_at=now - dt.timedelta(minutes=minutes - 1),
                status=status,
                duration_seconds=42.0,
                detail={},
                error=None if status == "succeeded" else "RuntimeError: test failure",
            )
        )
