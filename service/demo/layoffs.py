"""Layoff filings under Labour Contract Law art. 41: older scattered ones, and the wave in the wave city.

Art. 41 applies to a layoff of 20 people or more, or of fewer than 20 that is 10 % of staff or more; the
enterprise explains it 30 days ahead and reports it, so ``planned_on`` is at least 30 days after ``filed_on``.

- Historic filings: a few a year province-wide (more in 2020), filed no later than 14 months before the end
  month, so none is filed, nor takes effect, in the last 12 months; at most two filings of more than 50 people
  in one county and month.
- The wave: WAVE_FILINGS enterprises a month over the last len(WAVE_SHAPE) months, each month laying off
  WAVE_LAYOFF_SHARE of the wave city's insured, the largest layoffs at the largest anchor manufacturers. At
  most three filings a month, so never five in one county; every three consecutive months of the last five
  carry more than 1 % of the city's insured.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from service.demo import calibration as cal
from service.demo._series import by_year
from service.demo.enterprises import SYNTHETIC_MARK, EnterpriseBook

__all__ = ["COLUMNS", "Filing", "filings_frame", "historic_filings", "layoff_effects", "wave_filings"]

COLUMNS = ["credit_code", "region_code", "filed_on", "planned_on", "staff_before", "layoffs", "reason_zh"]
# The grounds of art. 41 (1)-(4), in the filings' words.
_REASONS = (
    "依照企业破产法规定进行重整",
    "生产经营发生严重困难",
    "企业转产、重大技术革新或者经营方式调整，变更劳动合同后仍需裁减人员",
    "劳动合同订立时所依据的客观经济情况发生重大变化，致使劳动合同无法履行",
)
_WAVE_REASONS = ("订单大幅减少，生产经营发生严重困难", "主要客户订单转移，生产线停产调整")
_SPLITS = {1: (1.0,), 2: (0.6, 0.4), 3: (0.45, 0.33, 0.22)}


@dataclass(frozen=True)
class Filing:
    enterprise: int  # row of the enterprise book
    credit_code: str
    region_code: str  # county
    filed_on: dt.date
    planned_on: dt.date
    staff_before: int
    layoffs: int
    reason_zh: str


def _dates(period: pd.Period, day: int, notice_days: int) -> tuple[dt.date, dt.date]:
    filed = dt.date(period.year, period.month, day)
    return filed, filed + dt.timedelta(days=notice_days)


def _filing(book: EnterpriseBook, e: int, period: pd.Period, draws: np.ndarray, staff: int, layoffs: int, reason: str):
    filed, planned = _dates(period, 3 + int(draws[0] * 24), 30 + int(draws[1] * 31))
    frame = book.frame
    return Filing(
        e,
        frame.at[e, "credit_code"],
        frame.at[e, "region_code"],
        filed,
        planned,
        staff,
        layoffs,
        reason + SYNTHETIC_MARK,
    )


def historic_filings(
    *, book: EnterpriseBook, months: pd.PeriodIndex, base: np.ndarray, rng: np.random.Generator
) -> list[Filing]:
    candidates = np.flatnonzero(~book.anchor & (book.staff >= 40))
    rate = by_year(months, cal.HISTORIC_FILINGS) / 12
    used: set[int] = set()
    busy: Counter[tuple[str, int]] = Counter()
    out = []
    for t in range(1, len(months) - 14):
        for _ in range(rng.poisson(rate[t])):
            e = int(candidates[rng.integers(len(candidates))])
            draws = rng.random(4)
            staff = round(base[e, t])
            if staff < 200:  # a small firm: 10-30 % of staff, fewer than 20 people allowed
                layoffs = math.ceil(staff * (0.1 + 0.2 * draws[2]))
            else:
                layoffs = round(20 + draws[2] * (min(0.25 * staff, 400) - 20))
            county = book.frame.at[e, "region_code"]
            if e in used or (layoffs > 50 and busy[(county, t)] >= 2):
                continue
            used.add(e)
            busy[(county, t)] += layoffs > 50
            reason = _REASONS[int(draws[3] * len(_REASONS))]
            out.append(_filing(book, e, months[t], draws, staff, layoffs, reason))
    return out


def wave_filings(
    *, book: EnterpriseBook, months: pd.PeriodIndex, base: np.ndarray, insured: float, rng: np.random.Generator
) -> list[Filing]:
    """The wave; ``insured`` is the wave city's UI insured at the end month, before the wave."""
    first = len(months) - len(cal.WAVE_SHAPE)
    plan = [
        (first + k, share * insured * part)
        for k, (share, count) in enumerate(zip(cal.WAVE_LAYOFF_SHARE, cal.WAVE_FILINGS, strict=True))
        for part in _SPLITS[count]
    ]
    anchors = np.flatnonzero(book.anchor)
    anchors = anchors[np.argsort(-base[anchors, -1], kind="stable")]
    by_size = sorted(range(len(plan)), key=lambda i: -plan[i][1])
    out = []
    for i, e in zip(by_size, anchors, strict=True):
        t, size = plan[i]
        draws = rng.random(3)
        staff = round(base[e, t])
        layoffs = max(20, round(size))
        if layoffs > 0.4 * staff:
            raise RuntimeError(f"demo calibration: wave layoff of {layoffs} too large for a staff of {staff}")
        reason = _WAVE_REASONS[int(draws[2] * len(_WAVE_REASONS))]
        out.append(_filing(book, int(e), months[t], draws, staff, layoffs, reason))
    return out


def layoff_effects(filings: list[Filing], months: pd.PeriodIndex, n_enterprises: int) -> np.ndarray:
    """(enterprise, month): persons leaving in the month their layoff takes effect (up to the end month)."""
    out = np.zeros((n_enterprises, len(months)), dtype=np.int64)
    for f in filings:
        t = (pd.Period(f.planned_on, freq="M") - months[0]).n
        if t < len(months):
            out[f.enterprise, t] += f.layoffs
    return out


def filings_frame(filings: list[Filing]) -> pd.DataFrame:
    rows = sorted(filings, key=lambda f: (f.filed_on, f.credit_code))
    frame = pd.DataFrame([[getattr(f, c) for c in COLUMNS] for f in rows], columns=COLUMNS)
    return frame.astype({"staff_before": np.int64, "layoffs": np.int64})
