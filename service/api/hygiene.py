"""Refuse requests whose path or query carries a NUL character, before any route runs.

PostgreSQL text cannot hold NUL (psycopg refuses it), so a NUL in a filter would otherwise surface as a
database error; it is never meaningful in a region code, indicator or name, so it is a 400 up front.
JSON bodies are checked by their schemas (service/api/admin_schemas.py refuses control characters), and
service/api/problems.py maps any remaining DataError to 422.
"""

from __future__ import annotations

import json
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Receive, Scope, Send

from service.api.problems import MEDIA_TYPE

__all__ = ["RejectNul"]


class RejectNul:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (
            "\x00" in scope.get("path", "") or b"\x00" in unquote_to_bytes(scope.get("query_string", b""))
        ):
            body = json.dumps(
                {
                    "type": "about:blank",
                    "title": "Bad Request",
                    "status": 400,
                    "detail": "the path or query contains a NUL character",
                    "instance": scope.get("path", "").replace("\x00", "\\x00"),
                }
            ).encode()
            headers = [(b"content-type", MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode())]
            await send({"type": "http.response.start", "status": 400, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)
