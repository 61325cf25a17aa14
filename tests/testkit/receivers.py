"""Real local receivers for delivery tests: an HTTP server speaking webhook, WeCom and DingTalk, and an SMTP server.

    with RobotReceiver(webhook_secret="s", dingtalk_secret="d", plan=["500", "timeout", "ok"]) as rx:
        rx.url("/webhook")            # http://127.0.0.1:PORT/webhook
        rx.accepted                   # idempotency key -> times it arrived and was accepted
        rx.processed                  # keys in the order first processed (a repeat is dropped, as a receiver should)

`plan` says what to answer to each request in turn (then "ok"): "ok", "500", "timeout" (sleep past the client's
timeout), "400", or "errcode:N" (a robot's JSON error). A webhook whose HMAC signature or timestamp does not verify
is refused with 401; a DingTalk call whose sign does not verify gets errcode 310000, as DingTalk answers.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.parse
from collections import Counter
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

from service.delivery.notifiers.robots import dingtalk_sign
from service.delivery.notifiers.webhook import verify
from testkit.server import free_port

__all__ = ["TIMEOUT_SLEEP", "MailReceiver", "RobotReceiver"]

TIMEOUT_SLEEP = 1.5  # longer than the notifiers' timeout in tests


class RobotReceiver:
    def __init__(self, *, webhook_secret: str = "s3cret", dingtalk_secret: str | None = None, plan=(), delay=0.0):
        self.webhook_secret = webhook_secret
        self.dingtalk_secret = dingtalk_secret
        self.plan = list(plan)
        self.delay = delay
        self.lock = threading.Lock()
        self.requests: list[dict] = []
        self.accepted: Counter[str] = Counter()
        self.processed: list[str] = []
        self.refused: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def __enter__(self) -> RobotReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _next(self) -> str:
        with self.lock:
            return self.plan.pop(0) if self.plan else "ok"

    def _accept(self, key: str, body: dict) -> None:
        with self.lock:
            self.accepted[key] += 1
            if self.accepted[key] == 1:
                self.processed.append(key)

    def _handler(self):
        rx = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def _reply(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a planned timeout): nothing to answer

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                url = urllib.parse.urlparse(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                body = json.loads(raw or b"{}")
                key = self.headers.get("Idempotency-Key", "")
                with rx.lock:
                    rx.requests.append({"path": url.path, "query": query, "headers": dict(self.headers), "body": body})
                if rx.delay:
                    time.sleep(rx.delay)
                action = rx._next()
                if action == "timeout":
                    time.sleep(TIMEOUT_SLEEP)
                    return self._reply(200, {"errcode": 0})
                if action in ("500", "400"):
                    return self._reply(int(action), {"error": action})
                robot = url.path.startswith(("/wecom", "/dingtalk"))
                if action.startswith("errcode:"):
                    return self._reply(200, {"errcode": int(action.split(":")[1]), "errmsg": "planned"})
                if url.path.startswith("/webhook"):
                    ok = verify(
                        rx.webhook_secret,
                        timestamp=self.headers.get("X-Labourwatch-Timestamp", ""),
                        signature=self.headers.get("X-Labourwatch-Signature", ""),
                        body=raw,
                    )
                    if not ok:
                        rx.refused.append(key)
                        return self._reply(401, {"error": "bad signature or stale timestamp"})
                    rx._accept(body["idempotency_key"], body)
                    return self._reply(200, {"ok": True})
                if url.path.startswith("/dingtalk") and rx.dingtalk_secret:
                    ts = int(query.get("timestamp", "0"))
                    fresh = abs(time.time() * 1000 - ts) < 3_600_000
                    if not fresh or query.get("sign") != dingtalk_sign(rx.dingtalk_secret, ts):
                        rx.refused.append(key)
                        return self._reply(200, {"errcode": 310000, "errmsg": "sign not match"})
                if robot:
                    text = body["markdown"].get("content") or body["markdown"].get("text")
                    ref = next(line for line in text.splitlines() if "lw-alert-" in line)
                    rx._accept(ref[ref.index("lw-alert-") :].strip(), body)
                    return self._reply(200, {"errcode": 0, "errmsg": "ok"})
                return self._reply(404, {"error": "unknown path"})

        return Handler


class MailReceiver:
    """aiosmtpd on a free port; answers each message by `plan` ("ok", "451", "550") then accepts."""

    def __init__(self, plan=(), delay: float = 0.0) -> None:
        self.plan = list(plan)
        self.accepted: Counter[str] = Counter()
        self.messages: list = []
        receiver = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                if delay:
                    await asyncio.sleep(delay)
                action = receiver.plan.pop(0) if receiver.plan else "ok"
                if action == "451":
                    return "451 4.3.0 try again later"
                if action == "550":
                    return "550 5.1.1 no such mailbox"
                mail = message_from_bytes(envelope.content)
                receiver.messages.append(mail)
                receiver.accepted[mail["Message-ID"]] += 1
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> MailReceiver:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()
