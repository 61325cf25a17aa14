"""Scoring a warning timeline against unemployment episodes, with fixed definitions (the issue's, verbatim):

- m is the 3-month average rate.
- An episode starts at month t0 when m(t0) is <= every m in the 12 months before and the 18 months after, and m
  rises >= 1.5 pp above m(t0) within those 18 months; episodes less than 24 months apart count once.
- A warning onset is a month where a warning is in force and was not the month before.
- An episode is detected by the first onset within [t0 - 12, t0 + 9]; its delay is onset - t0.
- A false alarm is an onset with no episode start within [onset - 9, onset + 12].
- precision = 1 - false alarms / onsets.

The scoring window: episodes whose t0, and onsets, fall in [first, last]; `last` defaults to 30 months before the
data end, so that every counted onset can be judged (an episode starting up to 12 months after it must have its
18 months of aftermath in the data). Detection may use any onset; false alarms are looked for only in the window.

    flags = in_force(timeline_frame, months, regions)            # (months, regions) bool
    score(rates, flags, first=pd.Period("1990-01", "M"))          # Score(episodes=..., recall=..., ...)
    sahm_flags(rates)                                             # the Sahm rule as a timeline, for comparison
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

__all__ = ["Score", "episode_starts", "in_force", "onsets", "sahm_flags", "score"]

RISE_PP = 1.5
BEFORE, AFTER, MERGE = 12, 18, 24
DETECT_FROM, DETECT_TO = -12, 9
FALSE_FROM, FALSE_TO = -9, 12
JUDGE_LAG = 30
EPS = 1e-9  # 3-month averages of one-decimal rates tie exactly; float sums should too


@dataclass(frozen=True)
class Score:
    episodes: int
    detected: int
    recall: float
    median_delay: float | None
    mean_delay: float | None
    onsets: int
    false_alarms: int
    precision: float

    def as_dict(self) -> dict:
        return asdict(self)


def _m(rates: pd.DataFrame) -> np.ndarray:
    return rates.rolling(3, min_periods=3).mean().to_numpy()


def episode_starts(rates: pd.DataFrame) -> dict[str, list[int]]:
    """Row positions of episode starts per region of a (months, regions) frame of rates."""
    m = _m(rates)
    n_t = m.shape[0]
    out: dict[str, list[int]] = {}
    for j, code in enumerate(rates.columns):
        starts: list[int] = []
        for t in range(BEFORE, n_t - AFTER):
            x = m[t, j]
            before, after = m[t - BEFORE : t, j], m[t + 1 : t + AFTER + 1, j]
            if np.isnan(x) or np.isnan(before).any() or np.isnan(after).any():
                continue
            low = (x <= before + EPS).all() and (x <= after + EPS).all()
            if low and after.max() >= x + RISE_PP - EPS and (not starts or t - starts[-1] >= MERGE):
                starts.append(t)
        out[str(code)] = starts
    return out


def onsets(flags: np.ndarray) -> np.ndarray:
    """Row positions where a warning is in force and was not the month before."""
    f = np.asarray(flags, dtype=bool)
    return np.flatnonzero(f & ~np.r_[False, f[:-1]])


def sahm_flags(rates: pd.DataFrame, threshold: float = 0.5) -> np.ndarray:
    """The Sahm rule: m at least `threshold` pp above the lowest m of the previous 12 months."""
    m = pd.DataFrame(_m(rates))
    low = m.shift(1).rolling(12, min_periods=12).min()
    return ((m - low) >= threshold - EPS).to_numpy()


def in_force(timeline: pd.DataFrame, months: pd.PeriodIndex, regions, *, worst: int = 3) -> np.ndarray:
    """(months, regions) True where the timeline has a grade of `worst` or more severe (1 = I .. 4 = IV)."""
    flags = np.zeros((len(months), len(regions)), dtype=bool)
    if timeline.empty:
        return flags
    t = timeline[timeline["grade"] <= worst]
    rows = pd.PeriodIndex(t["period"], freq="M")
    r = months.get_indexer(rows)
    c = pd.Index(list(regions)).get_indexer(t["region"].astype(str))
    ok = (r >= 0) & (c >= 0)
    flags[r[ok], c[ok]] = True
    return flags


def score(
    rates: pd.DataFrame,
    flags: np.ndarray,
    *,
    first: pd.Period | None = None,
    last: pd.Period | None = None,
    episodes: dict[str, list[int]] | None = None,
) -> Score:
    """Score a warning timeline (`flags`, aligned with `rates`: months x regions) against the episodes."""
    months = pd.PeriodIndex(rates.index, freq="M")
    episodes = episodes if episodes is not None else episode_starts(rates)
    lo = 0 if first is None else max(0, int(months.searchsorted(first)))
    hi = len(months) - 1 - JUDGE_LAG if last is None else int(months.searchsorted(last, side="right")) - 1
    n_ep = detected = n_on = false = 0
    delays: list[int] = []
    for j, code in enumerate(rates.columns):
        on = onsets(flags[:, j])
        starts = np.asarray(episodes[str(code)], dtype=int)
        for t0 in starts[(starts >= lo) & (starts <= hi)]:
            n_ep += 1
            hit = on[(on >= t0 + DETECT_FROM) & (on <= t0 + DETECT_TO)]
            if len(hit):
                detected += 1
                delays.append(int(hit[0] - t0))
        for o in on[(on >= lo) & (on <= hi)]:
            n_on += 1
            if not ((starts >= o + FALSE_FROM) & (starts <= o + FALSE_TO)).any():
                false += 1
    return Score(
        episodes=n_ep,
        detected=detected,
        recall=round(detected / n_ep, 3) if n_ep else 0.0,
        median_delay=float(np.median(delays)) if delays else None,
        mean_delay=round(float(np.mean(delays)), 2) if delays else None,
        onsets=n_on,
        false_alarms=false,
        precision=round(1 - false / n_on, 3) if n_on else 0.0,
    )
