"""The shared request-body size guard: every body is limited, uploads to a larger size than JSON.

    @router.post("/batches", openapi_extra=UPLOAD_BODY)     # this route accepts up to settings.upload_max_bytes
    @router.put("/thresholds")                              # everything else: settings.request_max_bytes

A body over its limit is refused with 413 problem+json: at once when Content-Length says so, otherwise as soon
as the streamed bytes pass the limit (Starlette's RequestBodyLimitMiddleware counts them), so an oversized
upload is never read whole into memory. The limit kind is found by matching the route before it runs; the
`x-body-limit` marker also shows in the OpenAPI document.
"""

from __future__ import annotations

import json

from starlette.datastructures import Headers
from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.routing import Match, Router
from starlette.types import ASGIApp, Receive, Scope, Send

from service.api.problems import MEDIA_TYPE

__all__ = ["UPLOAD_BODY", "BodySizeLimit"]

UPLOAD_BODY = {"x-body-limit": "upload"}


class BodySizeLimit:
    def __init__(self, app: ASGIApp, *, router: Router, default_bytes: int, upload_bytes: int) -> None:
        self.app = app
        self.router = router
        self.limits = {"default": default_bytes, "upload": upload_bytes}

    def limit_for(self, scope: Scope) -> int:
        for route in self.router.routes:
            match, _ = route.matches(scope)
            if match is Match.FULL:
                kind = (getattr(route, "openapi_extra", None) or {}).get("x-body-limit", "default")
                return self.limits.get(kind, self.limits["default"])
        return self.limits["default"]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(scope, send, limit)
            return
        await RequestBodyLimitMiddleware(self.app, max_body_size=limit)(scope, receive, send)


async def _too_large(scope: Scope, send: Send, limit: int) -> None:
    body = json.dumps(
        {
            "type": "about:blank",
            "title": "Content Too Large",
            "status": 413,
            "detail": f"the request body is larger than this route accepts ({limit} bytes)",
            "instance": scope.get("path", ""),
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
