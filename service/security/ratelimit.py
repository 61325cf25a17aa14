"""Rate limiting with token buckets kept in this process's memory.

    limiter = RateLimiter(rate=20.0, burst=200)
    wait = limiter.take(key_digest, now=time.monotonic())   # 0.0: go ahead; 1.7: retry after 1.7 s
    limiter.wait(address, now=...)                            # peek without taking

The API keeps two (service/api/deps.py): one per presented key (by its SHA-256, so nobody can drain another
key's bucket by knowing its public prefix) and one per client address that is charged only for failed
authentications and checked before the argon2 verification, so a flood of wrong keys costs little CPU.
Each bucket allows `burst` requests at once and `rate` per second on average. The buckets live in one
process: with several API replicas each keeps its own, so a limit is per replica (documented in docs/api.md).
Idle buckets (full again) are dropped so memory stays bounded by the keys active in the last few seconds.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

__all__ = ["RateLimiter", "TokenBucket"]


@dataclass
class TokenBucket:
    rate: float  # tokens added per second
    burst: int  # capacity
    tokens: float
    updated: float  # monotonic seconds of the last refill

    def refill(self, now: float) -> None:
        self.tokens = min(self.burst, self.tokens + max(0.0, now - self.updated) * self.rate)
        self.updated = max(self.updated, now)

    def wait(self) -> float:
        return 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) / self.rate

    def take(self, now: float) -> float:
        """Take one token; return 0.0 on success, else the seconds until one will be available."""
        self.refill(now)
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.rate


class RateLimiter:
    def __init__(self, *, rate: float, burst: int, max_keys: int = 100_000) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        self.rate, self.burst, self.max_keys = rate, burst, max_keys
        self._buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()

    def take(self, key: str, *, now: float) -> float:
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= self.max_keys:
                    self._sweep(now)
                bucket = self._buckets[key] = TokenBucket(self.rate, self.burst, float(self.burst), now)
            return bucket.take(now)

    def wait(self, key: str, *, now: float) -> float:
        """The seconds until `key` may take a token, without taking one (0.0: it may now)."""
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                return 0.0
            bucket.refill(now)
            return bucket.wait()

    @staticmethod
    def retry_after_seconds(wait: float) -> int:
        """The Retry-After header value for a wait: whole seconds, at least 1."""
        return max(1, math.ceil(wait))

    def _sweep(self, now: float) -> None:
        full_after = self.burst / self.rate
        self._buckets = {k: b for k, b in self._buckets.items() if now - b.updated < full_after}
        if len(self._buckets) >= self.max_keys:  # every key is busy: forget the oldest half
            keep = sorted(self._buckets.items(), key=lambda kv: kv[1].updated)[len(self._buckets) // 2 :]
            self._buckets = dict(keep)
