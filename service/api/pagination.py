"""Cursor pagination: an opaque cursor holds the last key seen; pages are stable under concurrent inserts.

after = decode_int_cursor(cursor)            # None on the first page; 400 for a cursor we did not issue
rows = ...where(Table.id > after)...limit(limit + 1)
rows, next_cursor = split_page(rows, limit, key=lambda r: r.id)
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Annotated, Any

from fastapi import Path, Query

from service.api.problems import Problem

__all__ = ["Limit", "RowId", "decode_cursor", "decode_int_cursor", "encode_cursor", "split_page"]

Limit = Annotated[int, Query(ge=1, le=1000, description="Page size (1-1000)")]
# A row id in a path: bounded to the 32-bit range every table's ids live in, so a huge number is a 422.
RowId = Annotated[int, Path(ge=1, le=2_147_483_647)]
MAX_ID = 2**63 - 1


def encode_cursor(key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode().rstrip("=")


def _bad() -> Problem:
    return Problem(400, "the cursor is not one this API issued", title="Bad cursor")


def decode_cursor(cursor: str | None, expect: type | None = None) -> Any:
    """The key a cursor holds (None for no cursor); with `expect`, a key of another type is a 400 too."""
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error) as exc:
        raise _bad() from exc
    if expect is not None and (not isinstance(key, expect) or isinstance(key, bool)):
        raise _bad()
    return key


def decode_int_cursor(cursor: str | None) -> int | None:
    key = decode_cursor(cursor, int)
    if key is not None and not 0 <= key <= MAX_ID:
        raise _bad()
    return key


def split_page(rows: Sequence[Any], limit: int, *, key: Callable[[Any], Any]) -> tuple[list[Any], str | None]:
    """The page (the first `limit` of the `limit + 1` rows fetched) and the cursor to the next page, if any."""
    page = list(rows[:limit])
    return page, (encode_cursor(key(page[-1])) if len(rows) > limit else None)
