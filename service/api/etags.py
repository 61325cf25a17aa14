"""ETags on GET: a client that sends back `If-None-Match` gets 304 Not Modified when nothing changed.

The tag is the SHA-256 of the response body (so it differs between callers whose scopes differ), unless the
route set its own ETag (the thresholds version uses its content hash, which PUT accepts in If-Match).
Authenticated answers are marked `Cache-Control: private, no-cache`: browsers and clients may keep them but
must revalidate, and shared caches must not store them.
"""

from __future__ import annotations

import hashlib

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["ETagMiddleware", "etag_matches"]


def etag_matches(header: str | None, etag: str) -> bool:
    """Weak comparison (RFC 9110 13.1.2) of an If-None-Match / If-Match list against one tag."""
    if not header:
        return False
    wanted = etag.removeprefix("W/")
    return any(t.strip() == "*" or t.strip().removeprefix("W/") == wanted for t in header.split(","))


class ETagMiddleware:
    def __init__(self, app: ASGIApp, *, prefix: str = "/api/v1/") -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or not scope["path"].startswith(self.prefix)
        ):
            await self.app(scope, receive, send)
            return
        if_none_match = Headers(scope=scope).get("if-none-match")
        start: Message | None = None
        chunks: list[bytes] = []
        passthrough = False

        async def capture(message: Message) -> None:
            nonlocal start, passthrough
            if passthrough:
                await send(message)
                return
            if message["type"] == "http.response.start":
                if message["status"] != 200:
                    passthrough = True
                    await send(message)
                    return
                start = message
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            await self._finish(start, b"".join(chunks), if_none_match, send)

        await self.app(scope, receive, capture)

    @staticmethod
    async def _finish(start: Message, body: bytes, if_none_match: str | None, send: Send) -> None:
        headers = MutableHeaders(raw=list(start["headers"]))
        etag = headers.get("etag") or '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        headers["etag"] = etag
        headers.setdefault("cache-control", "private, no-cache")
        headers.setdefault("vary", "Authorization, X-API-Key")
        if etag_matches(if_none_match, etag):
            keep = [(k, v) for k, v in headers.raw if k not in (b"content-length", b"content-type")]
            await send({"type": "http.response.start", "status": 304, "headers": keep})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({**start, "headers": headers.raw})
        await send({"type": "http.response.body", "body": body})
