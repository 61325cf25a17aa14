"""Client-supplied cursors, moments and conditional headers: tampering is a client error, never a crash."""

import datetime as dt

import pytest

from service.api.etags import etag_matches
from service.api.pagination import decode_cursor, decode_int_cursor, encode_cursor
from service.api.params import utc_moment
from service.api.problems import Problem


@pytest.mark.parametrize("key", [17, "430200", {"as_of": "2026-01-01T00:00:00+00:00", "offset": 500}])
def test_cursors_round_trip(key):
    assert decode_cursor(encode_cursor(key)) == key


@pytest.mark.parametrize(
    "cursor",
    ["!!!", encode_cursor("x"), encode_cursor([1]), encode_cursor(True), encode_cursor(-1), encode_cursor(2**64)],
)
def test_an_int_cursor_we_did_not_issue_is_a_400(cursor):
    with pytest.raises(Problem) as exc:
        decode_int_cursor(cursor)
    assert exc.value.status == 400


def test_a_cursor_of_the_wrong_shape_is_a_400():
    with pytest.raises(Problem):
        decode_cursor(encode_cursor([1, 2]), dict)
    assert decode_int_cursor(None) is None and decode_int_cursor("") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.datetime(2026, 1, 1, 8), dt.datetime(2026, 1, 1, 8, tzinfo=dt.UTC)),  # naive means UTC
        (
            dt.datetime(2026, 1, 1, 8, tzinfo=dt.timezone(dt.timedelta(hours=8))),
            dt.datetime(2026, 1, 1, 0, tzinfo=dt.UTC),
        ),
    ],
)
def test_utc_moment(value, expected):
    assert utc_moment(value) == expected


def test_a_moment_with_no_utc_equivalent_is_a_422():
    with pytest.raises(Problem) as exc:
        utc_moment(dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=5))))
    assert exc.value.status == 422


@pytest.mark.parametrize(
    ("header", "etag", "match"),
    [
        ('"abc"', '"abc"', True),
        ('W/"abc"', '"abc"', True),  # weak comparison
        ('"x", "abc"', '"abc"', True),
        ("*", '"abc"', True),
        ('"abd"', '"abc"', False),
        (None, '"abc"', False),
        ("", '"abc"', False),
    ],
)
def test_etag_matches(header, etag, match):
    assert etag_matches(header, etag) is match
