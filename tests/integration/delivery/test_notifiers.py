"""Each notifier against a real local receiver: what it sends, how it signs, which failures it retries."""

import json
import time
from email.header import decode_header, make_header

import pytest
from testkit.receivers import MailReceiver, RobotReceiver

from service.delivery.errors import PermanentError, RetryableError
from service.delivery.notifiers import DingTalkNotifier, EmailNotifier, WebhookNotifier, WeComNotifier
from service.delivery.notifiers.base import Message
from service.delivery.notifiers.webhook import sign, verify

KEY = "lw-alert-1-event-2-sub-3"
PAYLOAD = {
    "alert_id": 1,
    "event_id": 2,
    "event": "opened",
    "at": "2026-11-23T08:00:00+00:00",
    "region": {"code": "430200", "name_zh": "株洲市", "name_en": "Zhuzhou"},
    "responsible_region": {"code": "430200", "name_zh": "株洲市", "name_en": "Zhuzhou"},
    "risk": {"code": "unemployment", "name_zh": "规模性失业风险", "name_en": "Large-scale unemployment risk"},
    "grade": 3,
    "from_grade": None,
    "level": {
        "code": "III",
        "name_zh": "较重",
        "name_en": "Fairly serious",
        "colour": "yellow",
        "lead_unit_zh": "市州就业工作领导小组",
        "lead_unit_en": "City employment leading group",
        "response_zh": "落实稳岗返还",
        "response_en": "Job-retention refunds",
        "report_within_hours": 12,
    },
    "state": "open",
    "period": "2026-10-01",
    "summary_zh": "株洲市城镇调查失业率三个月平均较12个月低点上升 0.77 个百分点。",
    "summary_en": "Zhuzhou: the 3-month average is 0.77 pp above its 12-month low.",
    "note": None,
    "ack_deadline": "2026-11-23T20:00:00+00:00",
    "opened_at": "2026-11-23T08:00:00+00:00",
    "idempotency_key": KEY,
}


def message(channel, target, *, secret=None, language="zh"):
    return Message(KEY, channel, target, secret, language, PAYLOAD)


def test_webhook_is_signed_json_that_the_receiver_verifies():
    with RobotReceiver(webhook_secret="own-secret") as rx:
        WebhookNotifier(default_secret="default").send(message("webhook", rx.url("/webhook"), secret="own-secret"))
        req = rx.requests[0]
    assert rx.processed == [KEY] and req["headers"]["Idempotency-Key"] == KEY
    assert req["body"]["region"]["name_zh"] == "株洲市" and "III级" in req["body"]["text"]


def test_webhook_with_the_wrong_secret_is_refused_permanently():
    with RobotReceiver(webhook_secret="right") as rx, pytest.raises(PermanentError, match="401"):
        WebhookNotifier(default_secret="wrong").send(message("webhook", rx.url("/webhook")))
    assert rx.refused == [KEY] and rx.processed == []


def test_a_replayed_webhook_is_refused_by_its_timestamp():
    body = json.dumps(PAYLOAD).encode()
    old = int(time.time()) - 3600
    assert verify("s", timestamp=str(old), signature=sign("s", old, body), body=body, now=old + 10)
    assert not verify("s", timestamp=str(old), signature=sign("s", old, body), body=body)  # an hour later
    assert not verify("s", timestamp=str(old), signature=sign("s", old, body), body=body + b" ", now=old)
    clock = lambda: time.time() - 3600  # noqa: E731 - a sender whose clock is an hour behind
    with RobotReceiver(webhook_secret="s") as rx, pytest.raises(PermanentError):
        WebhookNotifier(default_secret="s", clock=clock).send(message("webhook", rx.url("/webhook")))


def test_wecom_markdown_in_the_subscribers_language():
    with RobotReceiver() as rx:
        WeComNotifier().send(message("wecom", rx.url("/wecom/send?key=abc"), language="en"))
        body = rx.requests[0]["body"]
    assert body["msgtype"] == "markdown" and rx.processed == [KEY]
    content = body["markdown"]["content"]
    assert content.startswith("### [Grade III Fairly serious") and "Zhuzhou" in content and "株洲" not in content


def test_dingtalk_signs_its_url():
    with RobotReceiver(dingtalk_secret="SEC123") as rx:
        DingTalkNotifier().send(message("dingtalk", rx.url("/dingtalk/send?access_token=t"), secret="SEC123"))
        req = rx.requests[0]
    assert {"access_token", "timestamp", "sign"} <= set(req["query"]) and rx.processed == [KEY]
    assert req["body"]["markdown"]["title"].startswith("【III级 较重预警")
    with RobotReceiver(dingtalk_secret="SEC123") as rx, pytest.raises(PermanentError, match="310000"):
        DingTalkNotifier().send(message("dingtalk", rx.url("/dingtalk/send?access_token=t"), secret="other"))


@pytest.mark.parametrize(
    "answer,error",
    [
        ("500", RetryableError),
        ("timeout", RetryableError),
        ("400", PermanentError),
        ("errcode:45009", RetryableError),  # WeCom: API frequency limit
        ("errcode:-1", RetryableError),  # system busy
        ("errcode:93000", PermanentError),  # invalid webhook URL
    ],
)
def test_robot_failures_say_whether_to_retry(answer, error):
    with RobotReceiver(plan=[answer]) as rx, pytest.raises(error):
        WeComNotifier(timeout=0.5).send(message("wecom", rx.url("/wecom/send?key=k")))


def test_a_refused_connection_is_retryable():
    with RobotReceiver() as rx:
        url = rx.url("/webhook")
    with pytest.raises(RetryableError):
        WebhookNotifier(default_secret="s", timeout=0.5).send(message("webhook", url))


def test_email_carries_the_key_as_message_id():
    with MailReceiver() as mx:
        EmailNotifier(host="127.0.0.1", port=mx.port, sender="lw@example.org").send(
            message("email", "hr@zhuzhou.example.org")
        )
    mail = mx.messages[0]
    subject = str(make_header(decode_header(mail["Subject"])))
    assert mail["Message-ID"] == f"<{KEY}@labourwatch>" and "株洲市" in subject
    assert "依据" in mail.get_payload(decode=True).decode()


@pytest.mark.parametrize("answer,error", [("451", RetryableError), ("550", PermanentError)])
def test_email_failures_say_whether_to_retry(answer, error):
    with MailReceiver(plan=[answer]) as mx, pytest.raises(error):
        EmailNotifier(host="127.0.0.1", port=mx.port, sender="lw@example.org").send(message("email", "a@b.org"))


def test_email_server_down_is_retryable():
    with MailReceiver() as mx:
        port = mx.port
    with pytest.raises(RetryableError):
        EmailNotifier(host="127.0.0.1", port=port, sender="lw@x.org", timeout=1).send(message("email", "a@b.org"))
