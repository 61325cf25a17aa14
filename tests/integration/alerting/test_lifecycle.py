"""The alert lifecycle on real databases: decisions, notices, inhibition, silences, acknowledgement, resolution by
hand, escalation up the region tree when nobody acknowledges, and reminders. Time is injected."""

import datetime as dt

from sqlalchemy import select
from testkit.alerting import default_rules
from testkit.alerts import evaluation, signal, subscribe

from service.db.alerts import acknowledge, apply_evaluation, escalate_overdue, resolve_by_hand, send_reminders
from service.db.silences import create_silence
from service.db.tables import Alert, AlertEvent, Outbox

NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
RULES = default_rules()
H = dt.timedelta(hours=1)


def run(db, *signals, at=NOW, period="2026-10"):
    return apply_evaluation(db, evaluation=evaluation(*signals, period=period), ruleset=RULES, now=at)


def notices(db, alert=None):
    q = select(Outbox).order_by(Outbox.id)
    if alert is not None:
        q = q.where(Outbox.alert_id == alert.id)
    return list(db.scalars(q))


def the_alert(db, region="430200", risk="unemployment"):
    return db.scalar(select(Alert).where(Alert.region_code == region, Alert.risk == risk).order_by(Alert.id.desc()))


def events(db, alert):
    return [
        e.kind for e in db.scalars(select(AlertEvent).where(AlertEvent.alert_id == alert.id).order_by(AlertEvent.id))
    ]


def test_notices_only_on_open_grade_change_and_resolve(db):
    city = subscribe(db, region="430200", channel="webhook", target="http://x/h", now=NOW)
    province_iii = subscribe(db, region="430000", channel="email", target="p@x.org", min_grade=3, now=NOW)
    subscribe(db, region="430000", channel="email", target="only-red@x.org", min_grade=1, now=NOW)
    subscribe(db, region="430100", channel="email", target="changsha@x.org", now=NOW)  # another city

    assert run(db, signal("430200", 4)) == {"opened": 1}
    alert = the_alert(db)
    assert [n.subscription_id for n in notices(db)] == [city.id]  # grade IV: the province asks for III and worse
    assert alert.ack_deadline == NOW + 24 * H and alert.responsible_region_code == "430200"

    assert run(db, signal("430200", 4), at=NOW + H) == {"unchanged": 1}
    assert len(notices(db)) == 1  # nothing new: no notice

    assert run(db, signal("430200", 3), at=NOW + 2 * H) == {"escalated": 1}
    assert [n.subscription_id for n in notices(db)][1:] == [city.id, province_iii.id]
    assert alert.grade == 3 and alert.ack_deadline == NOW + 2 * H + 12 * H

    assert run(db, signal("430200", 4), at=NOW + 3 * H) == {"de_escalated": 1}
    assert run(db, at=NOW + 4 * H) == {"resolved": 1}
    assert events(db, alert) == ["opened", "escalated", "de_escalated", "resolved"]
    assert alert.state == "resolved" and alert.resolved_at == NOW + 4 * H
    keys = [n.idempotency_key for n in notices(db)]
    assert len(keys) == len(set(keys)) == 1 + 2 + 1 + 1
    last = notices(db)[-1].payload
    assert last["event"] == "resolved" and last["region"]["name_en"] == "Zhuzhou" and last["level"]["code"] == "IV"


def test_a_worse_grade_of_another_risk_inhibits_notices(db):
    subscribe(db, region="430200", channel="webhook", target="http://x/h", now=NOW)
    run(db, signal("430200", 2, risk="unemployment"), signal("430200", 3, risk="layoffs"),
        signal("430200", 4, risk="data", rule="survey-data-late"))  # fmt: skip
    layoffs, data = the_alert(db, risk="layoffs"), the_alert(db, risk="data")
    assert notices(db, layoffs) == [] and len(notices(db, data)) == 1  # missing data is always told
    (opened,) = db.scalars(select(AlertEvent).where(AlertEvent.alert_id == layoffs.id))
    assert opened.detail["inhibited_by"] == {"risk": "unemployment", "grade": 2}
    assert layoffs.state == "open"  # inhibited, not dropped: it is still in force


def test_a_silence_holds_notices_back_until_it_expires(db):
    subscribe(db, region="430200", channel="webhook", target="http://x/h", now=NOW)
    s = create_silence(db, region_code="430000", risk="unemployment", starts_at=NOW, ends_at=NOW + 48 * H,
                       reason="省里已统一调度", user_id=None, now=NOW)  # fmt: skip
    run(db, signal("430200", 3))
    alert = the_alert(db)
    assert notices(db) == [] and alert.state == "open"
    run(db, signal("430200", 2), at=NOW + 49 * H)  # worse, after the silence: told
    assert len(notices(db)) == 1
    ev = db.scalars(select(AlertEvent).where(AlertEvent.alert_id == alert.id).order_by(AlertEvent.id)).first()
    assert ev.detail["silenced_by"] == s.id


def test_resolved_by_hand_stays_resolved_on_the_same_figures(db):
    subscribe(db, region="430200", channel="wecom", target="http://x/w", now=NOW)
    run(db, signal("430200", 3))
    alert = the_alert(db)
    resolve_by_hand(db, alert=alert, user_id=None, note="企业已复工，风险解除", ruleset=RULES, now=NOW + H)
    assert notices(db)[-1].payload["event"] == "resolved_by_hand"
    assert notices(db)[-1].payload["note"] == "企业已复工，风险解除"
    assert run(db, signal("430200", 3), at=NOW + 2 * H) == {"kept_resolved": 1}
    assert run(db, signal("430200", 2), at=NOW + 3 * H) == {"opened": 1}  # a worse grade opens a new alert
    assert the_alert(db).id != alert.id


def test_unacknowledged_alerts_pass_up_county_city_province(db):
    county = subscribe(db, region="430211", channel="webhook", target="http://x/county", now=NOW)
    city = subscribe(db, region="430200", channel="webhook", target="http://x/city", min_grade=1, now=NOW)
    province = subscribe(db, region="430000", channel="email", target="p@x.org", min_grade=1, now=NOW)
    run(db, signal("430211", 4, risk="layoffs", rule="layoff-filings"))
    alert = the_alert(db, region="430211", risk="layoffs")
    assert [n.subscription_id for n in notices(db)] == [county.id]

    assert escalate_overdue(db, ruleset=RULES, now=NOW + 23 * H) == {"escalated": 0, "overdue_at_top": 0}
    assert escalate_overdue(db, ruleset=RULES, now=NOW + 24 * H) == {"escalated": 1, "overdue_at_top": 0}
    assert alert.responsible_region_code == "430200" and alert.ack_deadline == NOW + 48 * H
    assert [n.subscription_id for n in notices(db)][1:] == [city.id]  # the city hears, whatever its min_grade

    assert escalate_overdue(db, ruleset=RULES, now=NOW + 48 * H) == {"escalated": 1, "overdue_at_top": 0}
    assert alert.responsible_region_code == "430000"
    assert [n.subscription_id for n in notices(db)][2:] == [province.id]
    last = notices(db)[-1].payload
    assert last["event"] == "ack_overdue" and last["responsible_region"]["name_zh"] == "湖南省"

    assert escalate_overdue(db, ruleset=RULES, now=NOW + 72 * H) == {"escalated": 0, "overdue_at_top": 1}
    assert alert.ack_deadline is None
    assert events(db, alert) == ["opened", "ack_overdue", "ack_overdue", "ack_overdue"]
    # Later changes reach the department now responsible as well as the usual subscribers (the city, which asks
    # only for grade I and is no longer responsible, does not hear of a III).
    before = len(notices(db))
    run(db, signal("430211", 3, risk="layoffs", rule="layoff-largest"), at=NOW + 73 * H)
    assert {n.subscription_id for n in notices(db)[before:]} == {county.id, province.id}


def test_acknowledged_alerts_neither_escalate_nor_remind(db):
    subscribe(db, region="430200", channel="webhook", target="http://x/h", now=NOW)
    run(db, signal("430200", 3), signal("430100", 3))
    zz, cs = the_alert(db), the_alert(db, region="430100")
    acknowledge(db, alert=zz, user_id=None, note="已召开领导小组会议", now=NOW + H)
    assert zz.state == "acknowledged" and zz.ack_deadline is None and zz.ack_note == "已召开领导小组会议"
    assert escalate_overdue(db, ruleset=RULES, now=NOW + 13 * H) == {"escalated": 1, "overdue_at_top": 0}
    assert cs.responsible_region_code == "430000" and zz.responsible_region_code == "430200"

    assert send_reminders(db, ruleset=RULES, now=NOW + 11 * H) == {"reminded": 0}
    assert send_reminders(db, ruleset=RULES, now=NOW + 14 * H) == {"reminded": 1}  # III: every 12 h
    assert send_reminders(db, ruleset=RULES, now=NOW + 20 * H) == {"reminded": 0}
    assert events(db, cs)[-1] == "reminder" and events(db, zz)[-1] == "acknowledged"

    run(db, signal("430200", 2), signal("430100", 3), at=NOW + 30 * H)  # a worse grade needs a new acknowledgement
    assert zz.state == "open" and zz.ack_deadline == NOW + 32 * H
