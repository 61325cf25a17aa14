"""Reading periods as bureaus write them: 2025-03, 2025/3, 2025年3月, 202503, 2025Q1, 2025年第一季度.

A full date (2025-03-01, 2025/3/31, 2025年3月31日: what databases and spreadsheets export for a month) means its
month.

Vectorised over a pandas Series of normalised strings; returns the first day of the month (monthly) or of the
quarter's first month (quarterly), and NaT where the text is not a period of the wanted frequency.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["parse_periods"]

_MONTHLY = r"^(?P<y>\d{4})\s*(?:[-/.年]\s*)?(?P<m>\d{1,2})\s*月?$"
_DATE = r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?$"
_QUARTERLY = r"^(?P<y>\d{4})\s*(?:-?\s*[Qq]\s*|年\s*第?\s*)(?P<q>[1-4一二三四])\s*(?:季度|季)?$"
_CN_DIGIT = {"一": "1", "二": "2", "三": "3", "四": "4"}


def parse_periods(text: pd.Series, frequency: pd.Series | str) -> pd.Series:
    """Period start dates (datetime64) for `text`; NaT where unreadable or not of the row's frequency (M or Q)."""
    text = text.astype("string")
    freq = frequency if isinstance(frequency, pd.Series) else pd.Series(frequency, index=text.index)
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")

    monthly = freq.isin(["M", "D", "E"])
    if monthly.any():
        m = text[monthly].str.extract(_MONTHLY)
        d = text[monthly].str.extract(_DATE)
        year = pd.to_numeric(m["y"].fillna(d["y"]), errors="coerce")
        month = pd.to_numeric(m["m"].fillna(d["m"]), errors="coerce")
        day = pd.to_numeric(d["d"], errors="coerce")
        ok = year.between(1900, 2999) & month.between(1, 12)
        dated = day.notna()
        if dated.any():  # a real calendar date: 2025-02-30 is not a month
            real = pd.to_datetime({"year": year[dated], "month": month[dated], "day": day[dated]}, errors="coerce")
            ok[dated] &= real.notna()
        out.loc[ok[ok].index] = pd.to_datetime({"year": year[ok], "month": month[ok], "day": 1}, errors="coerce")
    quarterly = freq.eq("Q")
    if quarterly.any():
        q = text[quarterly].str.extract(_QUARTERLY)
        year = pd.to_numeric(q["y"], errors="coerce")
        quarter = pd.to_numeric(q["q"].replace(_CN_DIGIT), errors="coerce")
        ok = year.between(1900, 2999) & quarter.between(1, 4)
        out.loc[ok[ok].index] = pd.to_datetime(
            {"year": year[ok], "month": (quarter[ok] - 1) * 3 + 1, "day": 1}, errors="coerce"
        )
    return out
