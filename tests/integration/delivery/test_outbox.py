"""The outbox as a work queue on real databases: claims, leases, backoff, dead letters, and the drain."""

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker
from testkit.alerting import default_rules
from testkit.alerts import evaluation, signal, subscribe
from testkit.receivers import RobotReceiver

from service.db.alerts import apply_evaluation
from service.db.tables import Outbox
from service.delivery import backoff, claim_due, drain_outbox, record_failure, record_sent
from service.delivery.notifiers import WebhookNotifier, WeComNotifier

NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
LEASE = dt.timedelta(seconds=60)
RULES = default_rules()


def queue(db, n_subs: int, url: str = "http://127.0.0.1:9/webhook", channel: str = "webhook") -> list[Outbox]:
    for _ in range(n_subs):
        subscribe(db, region="430200", channel=channel, target=url, now=NOW, secret="s3cret")
    apply_evaluation(db, evaluation=evaluation(signal("430200", 3)), ruleset=RULES, now=NOW)
    db.flush()
    return list(db.scalars(select(Outbox).order_by(Outbox.id)))


def sessions_of(db):
    """Sessions on the test's connection: each transaction is a savepoint the test rolls back at the end."""
    return sessionmaker(bind=db.connection(), join_transaction_mode="create_savepoint", expire_on_commit=False)


def test_claims_do_not_overlap_and_lapse_with_the_lease(db):
    rows = queue(db, 3)
    first = claim_due(db, now=NOW, limit=2, lease=LEASE, token="a")
    second = claim_due(db, now=NOW, limit=5, lease=LEASE, token="b")
    assert len(first) == 2 and len(second) == 1
    assert {c.id for c in first}.isdisjoint({c.id for c in second})
    assert claim_due(db, now=NOW + LEASE - dt.timedelta(seconds=1), limit=5, lease=LEASE, token="c") == []
    again = claim_due(db, now=NOW + LEASE, limit=5, lease=LEASE, token="d")  # the first sender died
    assert sorted(c.id for c in again) == sorted(r.id for r in rows)
    assert not record_sent(db, outbox_id=first[0].id, token="a", now=NOW)  # its claim passed to "d"
    assert record_sent(db, outbox_id=first[0].id, token="d", now=NOW)


def test_claimed_messages_carry_key_target_and_language(db):
    queue(db, 1)
    (c,) = claim_due(db, now=NOW, limit=5, lease=LEASE, token="t")
    assert c.message.key.startswith("lw-alert-") and c.message.channel == "webhook"
    assert c.message.target == "http://127.0.0.1:9/webhook" and c.message.secret == "s3cret"
    assert c.message.payload["region"]["name_zh"] == "株洲市" and c.message.payload["level"]["code"] == "III"


def test_backoff_doubles_with_jitter_and_a_cap():
    delays = [backoff(n, key="k").total_seconds() for n in range(1, 12)]
    assert 27 <= delays[0] <= 33 and 54 <= delays[1] <= 66 and 108 <= delays[2] <= 132
    assert max(delays) <= 6 * 3600 * 1.1 and delays[-1] >= 6 * 3600 * 0.9
    assert backoff(3, key="a") != backoff(3, key="b")  # senders do not retry in lockstep


def test_retries_back_off_then_dead_letter(db):
    (row,) = queue(db, 1)
    now = NOW
    for attempt in range(1, 4):
        (c,) = claim_due(db, now=now, limit=1, lease=LEASE, token=f"t{attempt}")
        status = record_failure(db, outbox_id=c.id, token=f"t{attempt}", error="HTTP 500", retryable=True, now=now,
                                max_attempts=3)  # fmt: skip
        db.refresh(row)
        if attempt < 3:
            assert status == "pending" and row.next_attempt_at > now and row.attempts == attempt
            assert claim_due(db, now=now, limit=1, lease=LEASE, token="early") == []  # not due yet
            now = row.next_attempt_at
    assert status == "dead" and row.status == "dead" and row.last_error == "HTTP 500"


def test_a_permanent_failure_is_dead_at_once(db):
    queue(db, 1)
    (c,) = claim_due(db, now=NOW, limit=1, lease=LEASE, token="t")
    assert record_failure(db, outbox_id=c.id, token="t", error="HTTP 400", retryable=False, now=NOW) == "dead"


def test_drain_through_a_flaky_receiver_delivers_everything_once(db):
    with RobotReceiver(plan=["500", "timeout", "ok", "500", "ok"]) as rx:
        rows = queue(db, 3, rx.url("/webhook"))
        notifiers = {"webhook": WebhookNotifier(default_secret="s3cret", timeout=0.5)}
        clock = [NOW]
        runs = []
        for _ in range(6):  # the scheduler runs the job again later; the clock moves past each backoff
            runs.append(drain_outbox(sessions_of(db), notifiers=notifiers, clock=lambda: clock[0]).as_dict())
            clock[0] += dt.timedelta(minutes=10)
        keys = {r.idempotency_key for r in rows}
    assert set(rx.processed) == keys and len(rx.processed) == 3
    assert sum(r["sent"] for r in runs) == 3 and sum(r["retried"] for r in runs) == 3
    db.expire_all()
    assert {r.status for r in db.scalars(select(Outbox))} == {"sent"}


def test_an_unknown_channel_or_permanent_error_goes_to_the_dead_letters(db):
    with RobotReceiver(plan=["errcode:93000"]) as rx:
        queue(db, 1, rx.url("/wecom/send?key=bad"), channel="wecom")
        result = drain_outbox(sessions_of(db), notifiers={"wecom": WeComNotifier()}, clock=lambda: NOW)
    assert result.dead == 1 and rx.processed == []
    assert "93000" in db.scalar(select(Outbox.last_error))


@pytest.mark.parametrize("crash_after_send", [True])
def test_a_send_not_recorded_is_sent_again_and_dropped_by_the_key(db, crash_after_send):
    with RobotReceiver() as rx:
        queue(db, 1, rx.url("/webhook"))
        notifier = WebhookNotifier(default_secret="s3cret")
        (c,) = claim_due(db, now=NOW, limit=1, lease=LEASE, token="dies")
        notifier.send(c.message)  # delivered, then the sender is killed before it records the outcome
        later = NOW + LEASE + dt.timedelta(seconds=1)
        result = drain_outbox(sessions_of(db), notifiers={"webhook": notifier}, clock=lambda: later)
    assert result.sent == 1 and rx.accepted[c.message.key] == 2 and rx.processed == [c.message.key]
