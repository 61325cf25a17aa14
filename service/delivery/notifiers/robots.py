"""Group robots of WeCom (企业微信) and DingTalk (钉钉): markdown messages, each robot's error codes.

WeCom:    POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY
          {"msgtype": "markdown", "markdown": {"content": "..."}}            -> {"errcode": 0, "errmsg": "ok"}
DingTalk: POST https://oapi.dingtalk.com/robot/send?access_token=TOKEN&timestamp=MS&sign=SIGN
          {"msgtype": "markdown", "markdown": {"title": "...", "text": "..."}} -> {"errcode": 0, "errmsg": "ok"}
          with 加签 (signing): SIGN = urlencode(base64(HMAC-SHA256(secret, f"{MS}\\n{secret}"))), MS in ms,
          accepted within an hour of DingTalk's clock.

Neither robot knows idempotency keys, so each message ends with its key ("编号") for people to spot a repeat.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.parse
from collections.abc import Callable

from service.delivery.errors import PermanentError, RetryableError
from service.delivery.notifiers.base import HttpNotifier, Message, post
from service.delivery.render import render

__all__ = ["DingTalkNotifier", "WeComNotifier", "dingtalk_sign", "dingtalk_url"]

WECOM_MAX_BYTES = 4096  # WeCom markdown content limit
WECOM_RETRY = {-1, 45009}  # system busy; API frequency limit
DINGTALK_RETRY = {-1, 130101}  # system busy; sending too fast


def _check(response, retryable: set[int], robot: str) -> None:
    try:
        body = response.json()
        code = int(body.get("errcode", -999))
    except (ValueError, AttributeError) as exc:
        raise RetryableError(f"{robot}: unreadable answer {response.text[:100]!r}") from exc
    if code == 0:
        return
    error = f"{robot} errcode {code}: {body.get('errmsg', '')}"
    raise RetryableError(error) if code in retryable else PermanentError(error)


def _clip(text: str, limit: int) -> str:
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[: limit - 12].decode(errors="ignore") + "\n\n……（截断）"


class WeComNotifier(HttpNotifier):
    def send(self, message: Message) -> None:
        _, text = render(message.payload, message.language)
        body = {"msgtype": "markdown", "markdown": {"content": _clip(text, WECOM_MAX_BYTES)}}
        response = post(
            self,
            message.target,
            content=json.dumps(body, ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json", "Idempotency-Key": message.key},
        )
        _check(response, WECOM_RETRY, "WeCom")


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def dingtalk_url(url: str, secret: str | None, timestamp_ms: int) -> str:
    """The robot URL with timestamp and sign added when the robot is set to sign (加签)."""
    if not secret:
        return url
    query = urllib.parse.urlencode({"timestamp": timestamp_ms, "sign": dingtalk_sign(secret, timestamp_ms)})
    return f"{url}{'&' if '?' in url else '?'}{query}"


class DingTalkNotifier(HttpNotifier):
    def __init__(self, *, clock: Callable[[], float] = time.time, **kw) -> None:
        super().__init__(**kw)
        self.clock = clock

    def send(self, message: Message) -> None:
        title, text = render(message.payload, message.language)
        url = dingtalk_url(message.target, message.secret, int(self.clock() * 1000))
        body = {"msgtype": "markdown", "markdown": {"title": title[:64], "text": text}}
        response = post(
            self,
            url,
            content=json.dumps(body, ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json", "Idempotency-Key": message.key},
        )
        _check(response, DINGTALK_RETRY, "DingTalk")
