"""Pulling the recruitment feed: a paginated HTTP JSON API with a bearer token, retries, and a resume cursor.

The feed contract (docs/ingestion.md):

    GET {LABOURWATCH_RECRUITMENT_FEED_URL}?cursor=<opaque>      Authorization: Bearer <token>
    200 {"data": [{"date", "region_code", "occupation", "postings", "seekers"}, ...],
         "next_cursor": "<opaque>", "has_more": true|false}

    pull_feed(settings, now=now)                       # from the saved cursor until has_more is false
    pull_feed(settings, now=now, transport=handler)    # tests may pass an httpx transport

Each page lands in its own transaction together with the cursor that follows it (service/recruitment.py), so a
pull that breaks (the process dies, the feed goes away) resumes at the first page that did not land. 5xx
answers, 429 and timeouts are retried with exponential backoff (attempts and base delay from the settings,
honouring Retry-After); other 4xx answers stop the pull at once. A feed that hands back a cursor it already gave
in this pull (a loop) stops the pull rather than spin.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable

import httpx

from service.config import Settings
from service.db.engine import make_engine, make_sessionmaker
from service.recruitment import land_page, load_cursor
from service.registry import load_registry
from service.registry.reference import reference_for
from service.sources.errors import FeedRejected, FeedUnavailable, PageRefused

__all__ = ["fetch_page", "pull_feed"]

log = logging.getLogger(__name__)
MAX_PAGES = 10_000


def fetch_page(
    client: httpx.Client,
    url: str,
    *,
    cursor: str | None,
    token: str,
    attempts: int,
    backoff: float,
    sleep: Callable[[float], None] = time.sleep,
) -> dict:
    """One page as JSON, retrying what a retry can fix."""
    params = {"cursor": cursor} if cursor else {}
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    last = "no attempt"
    for attempt in range(attempts):
        if attempt:
            sleep(min(backoff * 2 ** (attempt - 1), 60.0))
        try:
            response = client.get(url, params=params, headers=headers)
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            last = f"{type(exc).__name__}: {exc}"
            log.warning("recruitment feed cursor=%s attempt %d: %s", cursor, attempt + 1, last)
            continue
        if response.status_code >= 500 or response.status_code == 429:
            last = f"HTTP {response.status_code}"
            log.warning("recruitment feed cursor=%s attempt %d: %s", cursor, attempt + 1, last)
            wait = response.headers.get("retry-after", "")
            if wait.isdigit() and attempt + 1 < attempts:
                sleep(min(float(wait), 60.0))
            continue
        if response.status_code >= 400:
            raise FeedRejected(f"recruitment feed answered HTTP {response.status_code} for cursor {cursor!r}")
        try:
            page = response.json()
        except ValueError:
            last = "the answer is not JSON"
            continue
        if not isinstance(page, dict) or not isinstance(page.get("data"), list):
            last = "the answer has no 'data' list"
            continue
        return page
    raise FeedUnavailable(f"recruitment feed cursor={cursor!r}: {attempts} attempts failed, last: {last}")


def pull_feed(
    settings: Settings,
    *,
    now: dt.datetime,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] = time.sleep,
    max_pages: int = MAX_PAGES,
) -> dict:
    reference = reference_for(load_registry(settings.province_codes), today=now.date())
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    summary = {"pages": 0, "landed": 0, "duplicates": 0, "records": 0, "cursor_from": None, "cursor": None}
    try:
        with sessions() as s:
            cursor = load_cursor(s)
        summary["cursor_from"] = cursor
        given: set[str] = set()
        timeout = httpx.Timeout(settings.recruitment_feed_timeout_seconds)
        with httpx.Client(transport=transport, timeout=timeout, follow_redirects=False) as client:
            while summary["pages"] < max_pages:
                page = fetch_page(
                    client,
                    settings.recruitment_feed_url,
                    cursor=cursor,
                    token=settings.recruitment_feed_token,
                    attempts=settings.recruitment_feed_attempts,
                    backoff=settings.recruitment_feed_backoff_seconds,
                    sleep=sleep,
                )
                next_cursor = page.get("next_cursor")
                next_cursor = None if next_cursor in (None, "") else str(next_cursor)
                with sessions() as s, s.begin():
                    result = land_page(
                        s,
                        data=page["data"],
                        cursor=cursor,
                        next_cursor=next_cursor,
                        reference=reference,
                        now=now,
                        data_dir=settings.data_dir,
                    )
                summary["pages"] += 1
                summary["records"] += len(page["data"])
                if result.status == "rejected":
                    raise PageRefused(
                        f"recruitment feed page cursor={cursor!r} refused: "
                        + "; ".join(str(p) for p in result.problems[:3]),
                        result.batch_id,
                    )
                summary["landed" if result.status == "landed" else "duplicates"] += 1
                cursor = next_cursor or cursor
                summary["cursor"] = cursor
                if not page.get("has_more", False) or next_cursor is None:
                    break
                if next_cursor in given:
                    raise FeedUnavailable(f"recruitment feed loops: cursor {next_cursor!r} came back")
                given.add(next_cursor)
    finally:
        engine.dispose()
    return summary
