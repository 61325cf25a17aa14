"""Layoff filings under Labour Contract Law art. 41 (《劳动合同法》第四十一条): validation of one filing.

Art. 41 covers a reduction of 20 people or more, or of fewer than 20 that is 10 % or more of the staff; the
employer explains it to the union or all staff 30 days ahead and reports the plan to the labour department.

    problems, warnings = check_filing(filing, reference=reference, today=today)

`problems` refuse the filing (not an art. 41 layoff, bad credit code, unknown region...); `warnings` are kept
with it and shown (notice shorter than 30 days is a breach the department wants to see, not a reason to lose
the filing).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ingestion.contracts import Reference
from ingestion.credit_code import validate_credit_code
from ingestion.errors import RowProblem

__all__ = ["NOTICE_DAYS", "LayoffFiling", "check_filing", "is_article_41"]

NOTICE_DAYS = 30
MIN_PERSONS = 20
MIN_SHARE = 0.10


@dataclass(frozen=True)
class LayoffFiling:
    credit_code: str
    region_code: str
    filed_on: dt.date
    planned_on: dt.date
    staff_before: int
    layoffs: int
    enterprise_name: str | None = None
    industry: str | None = None
    reason: str | None = None


def is_article_41(layoffs: int, staff_before: int) -> bool:
    """>= 20 people, or < 20 but >= 10 % of the staff before the layoff."""
    return layoffs >= MIN_PERSONS or (staff_before > 0 and layoffs >= MIN_SHARE * staff_before)


def check_filing(
    filing: LayoffFiling, *, reference: Reference, today: dt.date, source: str = "request"
) -> tuple[list[RowProblem], list[RowProblem]]:
    problems: list[RowProblem] = []
    warnings: list[RowProblem] = []

    def bad(field: str, value, reason: str, reason_zh: str, into: list[RowProblem] = problems) -> None:
        into.append(RowProblem(source, None, field, None if value is None else str(value), reason, reason_zh))

    code = filing.credit_code.strip().upper()
    why = validate_credit_code(code)
    if why is not None:
        bad("credit_code", filing.credit_code, f"not a valid unified social credit code: {why}", "统一社会信用代码无效")
    region = reference.region_code(filing.region_code.strip())
    level = reference.region_level(region) if region else None
    if region is None:
        bad("region_code", filing.region_code, "unknown region code or name", "地区代码或名称不存在")
    elif level not in {"city", "county"}:
        bad(
            "region_code",
            filing.region_code,
            "a filing names the city or county of the workplace",
            "应填写市或县级地区",
        )
    if filing.layoffs <= 0:
        bad("layoffs", filing.layoffs, "the number laid off must be positive", "裁减人数必须为正数")
    if filing.staff_before < filing.layoffs:
        bad(
            "staff_before",
            filing.staff_before,
            "staff before the layoff is smaller than the layoff",
            "裁员前职工人数少于裁减人数",
        )
    elif filing.layoffs > 0 and not is_article_41(filing.layoffs, filing.staff_before):
        bad(
            "layoffs",
            filing.layoffs,
            f"not an art. 41 layoff: fewer than {MIN_PERSONS} people and under 10 % of {filing.staff_before} staff",
            "不属于《劳动合同法》第四十一条规定的经济性裁员（不足20人且不足职工总数10%）",
        )
    if filing.filed_on > today:
        bad("filed_on", filing.filed_on, "filing date is in the future", "备案日期晚于今天")
    if filing.planned_on < filing.filed_on:
        bad("planned_on", filing.planned_on, "the layoff is planned before it was filed", "计划裁员日期早于备案日期")
    elif (filing.planned_on - filing.filed_on).days < NOTICE_DAYS:
        bad(
            "planned_on",
            filing.planned_on,
            f"less than {NOTICE_DAYS} days' notice (art. 41 requires explaining the layoff {NOTICE_DAYS} days ahead)",
            "提前说明时间不足三十日",
            into=warnings,
        )
    return problems, warnings
