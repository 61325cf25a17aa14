"""The shared request-body size guard: every body is limited, uploads to a larger size than JSON.

    @router.post("/batches", openapi_extra=UPLOAD_BODY)     # this route accepts up to settings.upload_max_bytes
    @router.put("/thresholds")                              # everything else: settings.request_max_bytes

A multipart/form-data body (a form with a file, as the web upload page sends) is an upload too, unless its route
says otherwise. Uploads get UPLOAD_SLACK_BYTES beyond upload_max_bytes for the multipart framing and form
fields, so a route that checks the file's own size against upload_max_bytes can still answer in its own way
(the web page renders its message) for a file just over the limit; anything far larger is cut off here.

A body over its limit is refused with 413 problem+json: before the first byte is read when Content-Length
says so, otherwise as soon as the streamed bytes pass the limit, so an oversized upload is never read whole
into memory. The limit is looked up on the route the router chose (`scope["route"]`, set before the body is
read); the `x-body-limit` marker also shows in the OpenAPI document.
"""

from __future__ import annotations

from fastapi import HTTPException
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["UPLOAD_BODY", "UPLOAD_SLACK_BYTES", "BodySizeLimit", "BodyTooLarge"]

UPLOAD_BODY = {"x-body-limit": "upload"}
UPLOAD_SLACK_BYTES = 1024 * 1024


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than this route accepts ({limit} bytes)")


class BodySizeLimit:
    def __init__(self, app: ASGIApp, *, default_bytes: int, upload_bytes: int) -> None:
        self.app = app
        self.limits = {"default": default_bytes, "upload": upload_bytes + UPLOAD_SLACK_BYTES}

    def limit_for(self, scope: Scope) -> int:
        extra = getattr(scope.get("route"), "openapi_extra", None) or {}
        kind = extra.get("x-body-limit")
        if kind is None:
            multipart = Headers(scope=scope).get("content-type", "").startswith("multipart/form-data")
            kind = "upload" if multipart else "default"
        return self.limits.get(kind, self.limits["default"])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        declared_bytes = int(declared) if declared is not None and declared.isdigit() else None
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            limit = self.limit_for(scope)  # the route is known by the time anyone reads the body
            if declared_bytes is not None and declared_bytes > limit:
                raise BodyTooLarge(limit)
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, limited_receive, send)
