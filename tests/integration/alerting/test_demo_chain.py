"""The demo world end to end: 株洲's layoff wave gives grade III (nothing elsewhere), notifies each channel once
per transition, is passed up to the province when nobody acknowledges, survives a restart without repeating
itself, and resolves when the figures clear."""

import datetime as dt
from collections import Counter
from email.header import decode_header, make_header

import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker
from testkit.alerting import ROOT
from testkit.alerts import subscribe
from testkit.demo_chain import land_figures, land_world, monthly_figures
from testkit.receivers import MailReceiver, RobotReceiver

from service.config import Settings
from service.db.tables import Alert, AlertEvent, Outbox
from service.delivery import drain_outbox
from service.delivery.notifiers import build_notifiers
from service.demo.world import generate_world
from service.jobs import escalate, evaluate_rules

RULES = ROOT / "thresholds.yaml"
NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
WORLD = generate_world(end_month=pd.Period("2026-10", "M"), seed=2018)


def live(db):
    db.expire_all()
    return {(a.region_code, a.risk): a for a in db.scalars(select(Alert).where(Alert.state != "resolved"))}


@pytest.fixture
def chain(db):
    with RobotReceiver(webhook_secret="demo", dingtalk_secret="DING") as rx, MailReceiver() as mx:
        subs = {
            "webhook": subscribe(db, region="430200", channel="webhook", target=rx.url("/webhook"), now=NOW),
            "wecom": subscribe(db, region="430200", channel="wecom", target=rx.url("/wecom/send?key=zz"), now=NOW),
            "dingtalk": subscribe(
                db, region="430200", channel="dingtalk", target=rx.url("/dingtalk/send?t=1"), secret="DING", now=NOW
            ),
            "email": subscribe(
                db, region="430200", channel="email", target="hr@zhuzhou.example.org", now=NOW, language="en"
            ),
            "province": subscribe(
                db, region="430000", channel="webhook", target=rx.url("/webhook/province"), min_grade=1, now=NOW
            ),
        }
        notifiers = build_notifiers(Settings(webhook_secret="demo", smtp_port=mx.port))
        sessions = sessionmaker(bind=db.connection(), join_transaction_mode="create_savepoint", expire_on_commit=False)

        def deliver(at):
            return drain_outbox(sessions, notifiers=notifiers, clock=lambda: at).as_dict()

        land_world(db, WORLD, now=NOW)
        yield db, subs, rx, mx, deliver


def test_the_wave_from_grade_to_resolution(chain):
    db, subs, rx, mx, deliver = chain
    result = evaluate_rules(db, now=NOW, rules_path=RULES)
    alerts = live(db)
    assert {k: a.grade for k, a in alerts.items()} == {("430200", "unemployment"): 3, ("430200", "layoffs"): 3}
    assert result["month"] == "2026-10" and result["opened"] == 2
    unemployment = alerts[("430200", "unemployment")]
    assert {"surveyed-rate-rise", "ui-claims-yoy"} <= set(unemployment.rule_ids)
    assert unemployment.summary_zh.startswith("株洲市") and "Zhuzhou" in unemployment.summary_en

    assert deliver(NOW)["sent"] == 8  # two alerts x four channels of 株洲 (the province asks for grade I only)
    assert len(rx.processed) == 6 and len(mx.accepted) == 2
    assert all(n == 1 for n in rx.accepted.values())

    # A restart: the job runs again on the same figures, and the sender again: nothing new, nothing repeated.
    assert evaluate_rules(db, now=NOW + dt.timedelta(hours=1), rules_path=RULES)["unchanged"] == 2
    assert deliver(NOW + dt.timedelta(hours=1))["sent"] == 0

    # Nobody acknowledges within 12 h (grade III): both pass up to the province, which is told once each.
    assert escalate(db, now=NOW + dt.timedelta(hours=13), rules_path=RULES)["escalated"] == 2
    assert {a.responsible_region_code for a in live(db).values()} == {"430000"}
    assert deliver(NOW + dt.timedelta(hours=13))["sent"] == 2
    province = [r for r in rx.requests if r["path"] == "/webhook/province"]
    assert len(province) == 2 and {r["body"]["event"] for r in province} == {"ack_overdue"}

    # Six quiet months later the wave has cleared: every surveyed rate back at its 2025 median (at most 5.1 %, past
    # the level rule's clear-down margin), every other figure as in the same month a year before.
    figures = monthly_figures(WORLD)
    quiet = figures[figures["period"].isin(pd.period_range("2025-11", "2026-04", freq="M"))]
    quiet = quiet.assign(period=quiet["period"] + 12)
    rates = figures[
        (figures["indicator"] == "surveyed_unemployment_rate")
        & figures["period"].isin(pd.period_range("2025-01", "2025-12", freq="M"))
    ]
    median = rates.groupby(["region_code", "population_group"])["value"].median().round(1).clip(upper=5.1)
    is_rate = quiet["indicator"] == "surveyed_unemployment_rate"
    keys = zip(quiet.loc[is_rate, "region_code"], quiet.loc[is_rate, "population_group"], strict=True)
    quiet.loc[is_rate, "value"] = [median[k] for k in keys]
    later = dt.datetime(2027, 5, 20, 9, 0, tzinfo=dt.UTC)
    land_figures(db, quiet, now=later)
    result = evaluate_rules(db, now=later, rules_path=RULES)
    assert result["month"] == "2027-04" and result.get("resolved") == 2 and live(db) == {}
    assert deliver(later)["sent"] == 2 * (4 + 1)  # per alert: 株洲's four channels and the province, now responsible

    kinds = Counter((o.subscription_id, o.payload["event"]) for o in db.scalars(select(Outbox)))
    assert set(kinds.values()) == {2}  # once per transition per subscriber: two alerts each
    assert {
        (subs["wecom"].id, "opened"),
        (subs["wecom"].id, "resolved"),
        (subs["province"].id, "ack_overdue"),
        (subs["province"].id, "resolved"),
    } <= set(kinds)
    subject = str(make_header(decode_header(mx.messages[-1]["Subject"])))
    assert subject.startswith("labourwatch [Grade III Fairly serious · Warning cleared] Zhuzhou")
    events = [
        e.kind
        for e in db.scalars(select(AlertEvent).where(AlertEvent.alert_id == unemployment.id).order_by(AlertEvent.id))
    ]
    assert events == ["opened", "ack_overdue", "resolved"]
