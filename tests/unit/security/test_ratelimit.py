"""The per-key token bucket, as a table of (requests at times) -> (waits): pure, the clock passed in."""

import pytest

from service.security.ratelimit import RateLimiter, TokenBucket


@pytest.mark.parametrize(
    ("rate", "burst", "times", "expected"),
    [
        (1.0, 3, [0, 0, 0, 0], [0, 0, 0, 1.0]),  # a burst of three, the fourth waits a whole token
        (1.0, 3, [0, 0, 0, 0.5], [0, 0, 0, 0.5]),  # half a token has refilled
        (1.0, 3, [0, 0, 0, 1.0], [0, 0, 0, 0]),  # a token has refilled
        (2.0, 1, [0, 0.1, 0.6, 0.6], [0, 0.4, 0, 0.5]),  # refills at two per second
        (1.0, 2, [0, 0, 100, 100, 100], [0, 0, 0, 0, 1.0]),  # an idle bucket refills only up to its burst
        (1.0, 2, [5, 4, 4], [0, 0, 1.0]),  # a clock going backwards never mints tokens
    ],
)
def test_token_bucket(rate, burst, times, expected):
    bucket = TokenBucket(rate, burst, float(burst), times[0])
    assert [round(bucket.take(t), 6) for t in times] == pytest.approx(expected)


def test_each_key_has_its_own_bucket():
    limiter = RateLimiter(rate=1.0, burst=1)
    assert limiter.take("a", now=0) == 0 and limiter.take("b", now=0) == 0
    assert limiter.take("a", now=0) == pytest.approx(1.0)


def test_retry_after_is_whole_seconds_and_at_least_one():
    limiter = RateLimiter(rate=1.0, burst=1)
    assert [limiter.retry_after_seconds(w) for w in (0.01, 1.0, 1.2)] == [1, 1, 2]


def test_memory_stays_bounded_by_the_keys_in_use():
    limiter = RateLimiter(rate=10.0, burst=1, max_keys=100)
    for i in range(1000):
        limiter.take(f"k{i}", now=float(i))  # each bucket is full again 0.1 s later, so old ones are swept
    assert len(limiter._buckets) <= 100
    busy = RateLimiter(rate=0.001, burst=1, max_keys=10)
    for i in range(50):
        busy.take(f"k{i}", now=0.0)  # nobody refills: the oldest half goes
    assert len(busy._buckets) <= 10


@pytest.mark.parametrize(("rate", "burst"), [(0, 1), (-1, 1), (1, 0)])
def test_nonsense_limits_are_refused(rate, burst):
    with pytest.raises(ValueError):
        RateLimiter(rate=rate, burst=burst)
