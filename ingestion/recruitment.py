"""Recruitment feed records: daily job postings and job seekers by city and occupation, and their monthly totals.

A feed page's `data` is a list of records (see docs/ingestion.md for the whole feed contract):

    {"date": "2025-03-14", "region_code": "430100", "occupation": "manufacturing", "postings": 120, "seekers": 300}

`check_records` validates a page (nothing of it lands if any record is bad) and returns the daily rows;
`monthly_totals` sums daily rows into the tidy monthly observations the rules and the demo use: job_postings and
job_seekers per city, month and occupation, plus occupation "total". Postings and seekers are daily flows (new
postings and new registered seekers that day), so a month's figure is the sum of its days.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from ingestion.contracts import Reference
from ingestion.errors import RowProblem

__all__ = ["DailyRecord", "check_records", "monthly_totals"]

TOTAL = "total"
_MAX_COUNT = 10_000_000


@dataclass(frozen=True)
class DailyRecord:
    region_code: str
    occupation: str
    day: dt.date
    postings: int
    seekers: int


def _count(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip().replace(",", "")
        if text.isdigit():
            return int(text)
    return None


def check_records(records: Iterable, *, reference: Reference, where: str) -> tuple[list[DailyRecord], list[RowProblem]]:
    """Daily rows and every problem; `where` names the page in problems (the feed's cursor)."""
    rows: list[DailyRecord] = []
    problems: list[RowProblem] = []
    seen: dict[tuple[str, str, dt.date], int] = {}
    for i, rec in enumerate(records, start=1):

        def bad(field: str, value, reason: str, reason_zh: str, i=i) -> None:
            problems.append(RowProblem(where, i, field, None if value is None else str(value), reason, reason_zh))

        if not isinstance(rec, dict):
            bad("", rec, "a record must be a JSON object", "记录必须是 JSON 对象")
            continue
        ok = True
        try:
            day = dt.date.fromisoformat(str(rec.get("date", "")))
        except ValueError:
            bad("date", rec.get("date"), "not a date (write 2025-03-14)", "日期格式错误")
            day, ok = None, False
        if day is not None and day > reference.today:
            bad("date", rec.get("date"), "date is in the future", "日期晚于今天")
            ok = False
        region = reference.region_code(str(rec.get("region_code", "")).strip())
        if region is None:
            bad("region_code", rec.get("region_code"), "unknown region code or name", "地区代码或名称不存在")
            ok = False
        elif reference.region_level(region) != "city":
            bad("region_code", rec.get("region_code"), "recruitment records are by city (市州)", "招聘数据应按市州报送")
            ok = False
        occupation = unicodedata.normalize("NFKC", str(rec.get("occupation") or "")).strip()
        if not occupation or len(occupation) > 32 or occupation == TOTAL:
            bad(
                "occupation",
                rec.get("occupation"),
                "occupation must be a code of 1-32 characters other than 'total' (totals are derived)",
                "职业代码无效（合计由系统计算）",
            )
            ok = False
        counts = {}
        for field in ("postings", "seekers"):
            n = _count(rec.get(field))
            if n is None or n < 0 or n > _MAX_COUNT:
                bad(field, rec.get(field), "must be a whole number from 0 to 10,000,000", "必须为 0 至一千万之间的整数")
                ok = False
            counts[field] = n
        if not ok:
            continue
        key = (region, occupation, day)
        if key in seen:
            bad(
                "date", rec.get("date"), f"duplicate of record {seen[key]} in this page", f"与本页第 {seen[key]} 条重复"
            )
            continue
        seen[key] = i
        rows.append(DailyRecord(region, occupation, day, counts["postings"], counts["seekers"]))
    return rows, problems


def monthly_totals(rows: Iterable[DailyRecord]) -> list[dict]:
    """Tidy monthly rows (region_code, indicator_code, period, population_group, occupation, value) with totals."""
    sums: dict[tuple[str, dt.date, str], list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        month = r.day.replace(day=1)
        for occupation in (r.occupation, TOTAL):
            acc = sums[(r.region_code, month, occupation)]
            acc[0] += r.postings
            acc[1] += r.seekers
    out = []
    for (region, month, occupation), (postings, seekers) in sorted(sums.items()):
        for indicator, value in (("job_postings", postings), ("job_seekers", seekers)):
            out.append(
                {
                    "region_code": region,
                    "indicator_code": indicator,
                    "period": month,
                    "population_group": "total",
                    "occupation": occupation,
                    "value": float(value),
                    "sample_size": None,
                }
            )
    return out
