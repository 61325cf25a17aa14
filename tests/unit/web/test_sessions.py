"""Signed session cookies and the grade timeline: pure, tables of cases."""

import datetime as dt
from types import SimpleNamespace

import pytest

from service.web.sessions import MAX_AGE, SessionData, fingerprint, same_token, sign, verify
from service.web.signin import safe_next
from service.web.timeline import grade_segments

SECRET = b"s" * 32
NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)


def test_a_signed_session_round_trips():
    data = SessionData(7, "csrf-token", NOW, fingerprint("$argon2id$hash"))
    back = verify(sign(data, SECRET), SECRET, now=NOW + dt.timedelta(minutes=5))
    assert back == SessionData(7, "csrf-token", NOW.replace(microsecond=0), fingerprint("$argon2id$hash"))


@pytest.mark.parametrize(
    "tamper",
    [
        lambda tok: tok[:-2] + ("AA" if not tok.endswith("AA") else "BB"),  # a forged signature
        lambda tok: "eyJ1Ijo5OTl9" + tok[tok.index(".") :],  # another payload under the old signature
        lambda tok: tok.replace(".", ""),  # no signature at all
        lambda tok: "",
        lambda tok: None,
    ],
)
def test_tampered_tokens_are_refused(tamper):
    token = sign(SessionData(7, "c", NOW), SECRET)
    assert verify(tamper(token), SECRET, now=NOW) is None


def test_other_secret_and_expiry_are_refused():
    token = sign(SessionData(7, "c", NOW), SECRET)
    assert verify(token, b"t" * 32, now=NOW) is None
    assert verify(token, SECRET, now=NOW + MAX_AGE + dt.timedelta(seconds=1)) is None
    assert verify(token, SECRET, now=NOW + MAX_AGE - dt.timedelta(seconds=1)) is not None


@pytest.mark.parametrize(("a", "b", "same"), [("x", "x", True), ("x", "y", False), ("", "", False), (None, "x", False)])
def test_csrf_comparison(a, b, same):
    assert same_token(a, b) is same


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/web/cities/430200", "/web/cities/430200"),
        ("https://evil.example/web/", "/web/alerts"),
        ("//evil.example/web/", "/web/alerts"),
        ("/web/\\evil", "/web/alerts"),
        (None, "/web/alerts"),
    ],
)
def test_sign_in_only_returns_to_our_pages(target, expected):
    assert safe_next(target) == expected


def _e(alert_id, hours, kind, grade=None, risk="unemployment"):
    return SimpleNamespace(alert_id=alert_id, at=NOW + dt.timedelta(hours=hours), kind=kind, to_grade=grade, risk=risk)


def test_grade_timeline_follows_escalation_and_resolution():
    events = [
        _e(1, 0, "opened", 4),
        _e(1, 10, "acknowledged", 4),  # acknowledging does not change the grade
        _e(1, 20, "escalated", 3),
        _e(1, 30, "resolved", 3),
        _e(2, 40, "opened", 2, risk="layoffs"),
    ]
    segments = grade_segments(events)
    assert [(s.alert_id, s.grade, s.start - NOW, s.end and s.end - NOW) for s in segments] == [
        (2, 2, dt.timedelta(hours=40), None),
        (1, 3, dt.timedelta(hours=20), dt.timedelta(hours=30)),
        (1, 4, dt.timedelta(hours=0), dt.timedelta(hours=20)),
    ]
