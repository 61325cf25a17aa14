"""Cursor pagination: an opaque cursor holds the last key seen; pages are stable under concurrent inserts."""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any

from fastapi import Query

from service.api.problems import Problem

__all__ = ["Limit", "decode_cursor", "encode_cursor"]

Limit = Annotated[int, Query(ge=1, le=1000, description="Page size (1-1000)")]


def encode_cursor(key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> Any:
    if not cursor:
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError as exc:
        raise Problem(400, "the cursor is not one this API issued", title="Bad cursor") from exc
