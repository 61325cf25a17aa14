"""Kill the sender mid-delivery (a real `labourwatch jobs run deliver-outbox` process, SIGKILL) and run it again:
nothing is lost, and what was sent twice is processed once by the receivers (idempotency keys)."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from testkit.alerting import default_rules
from testkit.alerts import evaluation, subscribe
from testkit.alerts import signal as a_signal
from testkit.receivers import MailReceiver, RobotReceiver

from service.config import Settings
from service.db.alerts import apply_evaluation
from service.db.engine import make_sessionmaker
from service.db.tables import Outbox
from service.delivery import drain_outbox
from service.delivery.notifiers import build_notifiers
from service.delivery.outbox import LEASE

LABOURWATCH = str(Path(sys.executable).parent / "labourwatch")


def test_kill_the_sender_mid_delivery_and_lose_nothing(fresh_db):
    engine = fresh_db.engine()
    now = dt.datetime.now(dt.UTC)
    with RobotReceiver(webhook_secret="kill-test", dingtalk_secret="DING", delay=0.12) as rx, \
            MailReceiver(delay=0.12) as mx:  # fmt: skip
        with Session(engine) as s, s.begin():
            for region in ("430200", "430100"):
                subscribe(s, region=region, channel="webhook", target=rx.url("/webhook"), now=now)
                subscribe(s, region=region, channel="wecom", target=rx.url("/wecom/send?key=k"), now=now)
                subscribe(s, region=region, channel="dingtalk", target=rx.url("/dingtalk/send?access_token=t"),
                          secret="DING", now=now)  # fmt: skip
                subscribe(s, region=region, channel="email", target=f"hr-{region}@example.org", now=now)
            subscribe(s, region="430000", channel="webhook", target=rx.url("/webhook"), now=now)
            signals = [a_signal(r, 3, risk=k) for r in ("430200", "430100") for k in ("unemployment", "layoffs")]
            apply_evaluation(s, evaluation=evaluation(*signals), ruleset=default_rules(), now=now)
        with Session(engine) as s:
            keys = set(s.scalars(select(Outbox.idempotency_key)))
        assert len(keys) == 20  # 4 alerts x (4 subscriptions of their city + 1 of the province)

        env = {**os.environ, "LABOURWATCH_DATABASE_URL": fresh_db.url, "LABOURWATCH_WEBHOOK_SECRET": "kill-test",
               "LABOURWATCH_SMTP_HOST": "127.0.0.1", "LABOURWATCH_SMTP_PORT": str(mx.port)}  # fmt: skip
        sender = subprocess.Popen([LABOURWATCH, "jobs", "run", "deliver-outbox"], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT)  # fmt: skip
        deadline = time.monotonic() + 60
        while len(rx.processed) + len(mx.accepted) < 6:
            if sender.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the sender stopped or stalled: {sender.stdout.read().decode()[-2000:]}")
            time.sleep(0.02)
        sender.send_signal(signal.SIGKILL)
        sender.wait(timeout=10)
        assert sender.returncode == -signal.SIGKILL

        with Session(engine) as s:
            pending = s.scalar(select(func.count()).where(Outbox.status == "pending"))
        assert 0 < pending < len(keys)  # killed mid-delivery: some sent, some not

        # The job runs again; rows the dead sender had claimed come due when its lease runs out.
        settings = Settings(database_url=fresh_db.url, webhook_secret="kill-test", smtp_port=mx.port)
        later = dt.datetime.now(dt.UTC) + LEASE + dt.timedelta(seconds=1)
        result = drain_outbox(make_sessionmaker(engine), notifiers=build_notifiers(settings), clock=lambda: later)
        assert result.dead == 0 and result.retried == 0

        with Session(engine) as s:
            statuses = set(s.scalars(select(Outbox.status)))
        robot_keys = set(rx.processed)
        mail_keys = {m.strip("<>").removesuffix("@labourwatch") for m in mx.accepted}
    assert statuses == {"sent"}
    assert robot_keys | mail_keys == keys  # nothing lost
    assert len(rx.processed) == len(robot_keys)  # each processed once, however often it arrived
    arrivals = sum(rx.accepted.values()) + sum(mx.accepted.values())
    assert arrivals >= len(keys) and rx.refused == []
    engine.dispose()
