"""Silences: a region subtree (and optionally one risk) muted from `starts_at` until `ends_at`, with a reason.

    spec = SilenceSpec(id=7, region_code="430200", risk=None, starts_at=..., ends_at=...)
    muted_by([spec], region_path="430000/430200", risk="layoffs", now=now)   # 7

A silenced alert still moves through its lifecycle and keeps its history; only its notices are held back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["SilenceSpec", "muted_by"]


@dataclass(frozen=True)
class SilenceSpec:
    id: int
    region_code: str
    risk: str | None
    starts_at: dt.datetime
    ends_at: dt.datetime

    def mutes(self, *, region_path: str, risk: str, now: dt.datetime) -> bool:
        return (
            self.starts_at <= now < self.ends_at
            and self.region_code in region_path.split("/")
            and (self.risk is None or self.risk == risk)
        )


def muted_by(silences: Iterable[SilenceSpec], *, region_path: str, risk: str, now: dt.datetime) -> int | None:
    """The id of the first silence in force that covers the alert, or None."""
    return next((s.id for s in silences if s.mutes(region_path=region_path, risk=risk, now=now)), None)
