"""Two senders draining one outbox at once (separate connections): disjoint claims, nothing sent twice.

PostgreSQL claims with FOR UPDATE SKIP LOCKED, SQLite under BEGIN IMMEDIATE; both must keep claims disjoint."""

import datetime as dt
import threading

from sqlalchemy import select
from sqlalchemy.orm import Session
from testkit.alerting import default_rules
from testkit.alerts import evaluation, signal, subscribe
from testkit.receivers import RobotReceiver

from service.db.alerts import apply_evaluation
from service.db.engine import make_sessionmaker
from service.db.tables import Outbox
from service.delivery import drain_outbox
from service.delivery.notifiers import WebhookNotifier


def test_two_senders_never_send_the_same_notice(fresh_db):
    engine = fresh_db.engine()
    now = dt.datetime.now(dt.UTC)
    with RobotReceiver(webhook_secret="two", delay=0.02) as rx:
        with Session(engine) as s, s.begin():
            for _ in range(6):
                subscribe(s, region="430200", channel="webhook", target=rx.url("/webhook"), now=now)
            signals = [signal(r, 3) for r in ("430200", "430211", "430212", "430202")]
            apply_evaluation(s, evaluation=evaluation(*signals), ruleset=default_rules(), now=now)
        results = []

        def sender():
            notifiers = {"webhook": WebhookNotifier(default_secret="two")}
            results.append(drain_outbox(make_sessionmaker(engine), notifiers=notifiers, batch=3))

        threads = [threading.Thread(target=sender) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        with Session(engine) as s:
            keys = set(s.scalars(select(Outbox.idempotency_key)))
            statuses = set(s.scalars(select(Outbox.status)))
    engine.dispose()
    assert len(keys) == 24 and statuses == {"sent"}
    assert sum(r.sent for r in results) == 24 and all(r.sent > 0 for r in results)  # both worked
    assert set(rx.processed) == keys and set(rx.accepted.values()) == {1}  # and no notice arrived twice
