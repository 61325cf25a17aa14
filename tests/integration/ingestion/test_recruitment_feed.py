"""Pulling the recruitment feed from a real local server that misbehaves: 500s, a slow page, a repeated page,
a bad token, and a pull that breaks and resumes from its cursor. Monthly totals never count a day twice."""

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from testkit.feed import FeedScript, feed_server

from service.config import Settings
from service.db.queries import observations_as_of
from service.db.tables import Batch, SourceCursor
from service.sources.errors import FeedRejected, FeedUnavailable
from service.sources.recruitment_feed import pull_feed

NOW = dt.datetime(2025, 3, 20, 6, 30, tzinfo=dt.UTC)


def rec(day, occupation, postings, seekers, region="430100"):
    return {"date": day, "region_code": region, "occupation": occupation, "postings": postings, "seekers": seekers}


PAGE1 = [
    rec("2025-01-30", "manufacturing", 100, 80),
    rec("2025-01-30", "services", 50, 70),
    rec("2025-01-31", "manufacturing", 90, 60),
]
PAGE2 = [
    rec("2025-01-31", "manufacturing", 95, 60),  # a corrected re-delivery of a day seen on page 1
    rec("2025-02-03", "services", 40, 45),
    rec("2025-02-03", "manufacturing", 30, 20, region="430200"),
]
PAGE4 = [rec("2025-03-02", "services", 10, 10)]  # the current month: held back until it is complete


def script(**faults) -> FeedScript:
    return FeedScript(
        pages={
            "": {"data": PAGE1, "next_cursor": "p2", "has_more": True},
            "p2": {"data": PAGE2, "next_cursor": "p3", "has_more": True},
            "p3": {"data": PAGE2, "next_cursor": "p4", "has_more": True},  # the same page again
            "p4": {"data": PAGE4, "next_cursor": "p5", "has_more": False},
        },
        faults=faults,
    )


def settings(url: str, db_url: str, tmp_path, token="s3cret") -> Settings:
    return Settings(
        database_url=db_url,
        data_dir=tmp_path,
        recruitment_feed_url=url,
        recruitment_feed_token=token,
        recruitment_feed_timeout_seconds=0.3,
        recruitment_feed_attempts=3,
        recruitment_feed_backoff_seconds=0.01,
    )


def totals(engine) -> dict:
    with Session(engine) as s:
        obs = observations_as_of(s, as_of=NOW, indicators=["job_postings", "job_seekers"])
    return {
        (r.region_code, r.indicator_code, r.period.isoformat()[:7], r.occupation): r.value
        for r in obs.itertuples(index=False)
    }


EXPECTED = {
    ("430100", "job_postings", "2025-01", "manufacturing"): 195.0,  # 100 + 95 (the corrected 31st, once)
    ("430100", "job_postings", "2025-01", "services"): 50.0,
    ("430100", "job_postings", "2025-01", "total"): 245.0,
    ("430100", "job_seekers", "2025-01", "total"): 210.0,
    ("430100", "job_postings", "2025-02", "total"): 40.0,
    ("430200", "job_seekers", "2025-02", "total"): 20.0,
}


def test_misbehaving_feed_is_pulled_once_and_completely(fresh_db, tmp_path):
    feed = script(**{"": [500, 503], "p2": [("slow", 0.8)]})
    with feed_server(feed) as url:
        summary = pull_feed(settings(url, fresh_db.url, tmp_path), now=NOW)
    assert feed.requests == ["", "", "", "p2", "p2", "p3", "p4"]  # two 5xx, one timeout, each retried
    assert (summary["pages"], summary["landed"], summary["duplicates"]) == (4, 3, 1)
    engine = fresh_db.engine()
    got = totals(engine)
    assert {k: got[k] for k in EXPECTED} == EXPECTED
    assert not any(k[2] == "2025-03" for k in got)
    with Session(engine) as s:
        assert s.get(SourceCursor, ("recruitment", "feed")).value == "p5"
    # The next scheduled pull starts from the saved cursor and finds nothing new.
    with feed_server(feed) as url:
        feed.pages["p5"] = {"data": [], "next_cursor": "p5", "has_more": False}
        again = pull_feed(settings(url, fresh_db.url, tmp_path), now=NOW)
    assert feed.requests[-1] == "p5" and again["records"] == 0 and totals(engine) == got
    engine.dispose()


def test_a_broken_pull_resumes_where_it_stopped(fresh_db, tmp_path):
    feed = script(p3=[500, 500, 500])  # page 3 fails on every attempt of the first pull
    with feed_server(feed) as url, pytest.raises(FeedUnavailable):
        pull_feed(settings(url, fresh_db.url, tmp_path), now=NOW)
    engine = fresh_db.engine()
    with Session(engine) as s:
        assert s.get(SourceCursor, ("recruitment", "feed")).value == "p3"
        assert len(s.scalars(select(Batch).where(Batch.source_code == "recruitment")).all()) == 2
    with feed_server(feed) as url:
        feed.requests.clear()
        summary = pull_feed(settings(url, fresh_db.url, tmp_path), now=NOW)
    assert feed.requests == ["p3", "p4"] and summary["cursor_from"] == "p3"
    got = totals(engine)
    assert {k: got[k] for k in EXPECTED} == EXPECTED
    engine.dispose()


def test_wrong_token_stops_at_once(fresh_db, tmp_path):
    feed = script()
    with feed_server(feed) as url, pytest.raises(FeedRejected):
        pull_feed(settings(url, fresh_db.url, tmp_path, token="wrong"), now=NOW)
    assert feed.requests == [""]  # a 401 is not retried
