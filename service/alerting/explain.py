"""Explanations in words, Chinese first and English beside it: what was seen, against which bound, for how long.

zh, en = explain(rule, level, where=("株洲市", "Zhuzhou"), period=..., value=0.77, bound=0.5, extra={...})
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from service.alerting.kinds import (
    BreadthRule,
    ChangeRule,
    CompositeRule,
    ForecastRule,
    LayoffRule,
    RiseRule,
    StaleRule,
)
from service.alerting.rules import Level

__all__ = ["explain", "number"]

_UNITS = {
    "": ("", ""),
    "%": ("%", "%"),
    "pp": ("个百分点", " pp"),
    "persons": ("人", " persons"),
    "enterprises": ("家企业", " enterprises"),
    "months": ("个月", " months"),
}


def number(v: float | None) -> str:
    """A figure as people read it: at most two decimals, no trailing zeros."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if abs(v - round(v)) < 1e-9:
        return str(round(v))
    return f"{v:.2f}".rstrip("0").rstrip(".")


def _cmp(op: str) -> tuple[str, str]:
    return {
        ">=": ("达到或超过", "at or above"),
        ">": ("超过", "above"),
        "<=": ("达到或低于", "at or below"),
        "<": ("低于", "below"),
    }[op]


def explain(
    rule,
    level: Level,
    *,
    where: tuple[str, str],
    period: pd.Period,
    value: float,
    bound: float,
    periods_needed: int,
    held: bool,
    extra: Mapping[str, float],
    member_names: Mapping[str, tuple[str, str]] | None = None,
) -> tuple[str, str]:
    uz, ue = _UNITS[rule.unit]
    cz, ce = _cmp(rule.op)
    if held:  # the value no longer meets the bound; the grade holds until it clears by the margin or the hold ends
        cz, ce = f"曾{cz}", f"has been {ce}"
    when_zh, when_en = f"{period.year}年{period.month}月", f"{period}"
    grade_zh = f"{level.code}级（{level.name_zh}）界限 {number(bound)}{uz}"
    grade_en = f"the grade {level.code} ({level.name_en}) bound of {number(bound)}{ue}"
    v = number(value)
    if isinstance(rule, RiseRule):
        zh = (
            f"{rule.name_zh}：{when_zh}为 {number(extra.get('level'))}，比此前 {rule.window} 个月的最低值 "
            f"{number(extra.get('low'))} 高 {v} 个百分点，{cz}{grade_zh}"
        )
        en = (
            f"{rule.name_en}: {number(extra.get('level'))} in {when_en}, {v} pp above its lowest "
            f"{number(extra.get('low'))} of the previous {rule.window} months, {ce} {grade_en}"
        )
    elif isinstance(rule, ChangeRule):
        zh = (
            f"{rule.name_zh}：{when_zh}为 {number(extra.get('current'))}，较 {rule.periods} 个月前的 "
            f"{number(extra.get('earlier'))} 变化 {v}{uz}，{cz}{grade_zh}"
        )
        en = (
            f"{rule.name_en}: {number(extra.get('current'))} in {when_en} against {number(extra.get('earlier'))} "
            f"{rule.periods} months earlier, a change of {v}{ue}, {ce} {grade_en}"
        )
    elif isinstance(rule, ForecastRule):
        p = number(value * 100)
        zh = (
            f"{rule.name_zh}：{when_zh}起 {rule.horizon} 个月内达到 {number(rule.level)} 的预测概率为 {p}%"
            f"（预测均值 {number(extra.get('mean'))}），{cz}{level.code}级（{level.name_zh}）界限 "
            f"{number(bound * 100)}%"
        )
        en = (
            f"{rule.name_en}: the forecast from {when_en} gives a {p}% chance of reaching {number(rule.level)} "
            f"within {rule.horizon} months (mean {number(extra.get('mean'))}), {ce} the grade {level.code} "
            f"({level.name_en}) bound of {number(bound * 100)}%"
        )
    elif isinstance(rule, LayoffRule):
        zh, en = _layoffs(rule, v, extra, when_zh, when_en)
        zh, en = f"{rule.name_zh}：{zh}，{cz}{grade_zh}", f"{rule.name_en}: {en}, {ce} {grade_en}"
    elif isinstance(rule, CompositeRule):
        names = member_names or {}
        firing = [m for m in rule.members if extra.get(m)]
        zh = (
            f"{rule.name_zh}：{when_zh}有 {v} 项信号同时出现（{'、'.join(names.get(m, (m, m))[0] for m in firing)}），"
            f"{cz}{grade_zh}"
        )
        en = (
            f"{rule.name_en}: {v} signals at once in {when_en} ({'; '.join(names.get(m, (m, m))[1] for m in firing)}),"
            f" {ce} {grade_en}"
        )
    elif isinstance(rule, BreadthRule):
        zh = f"{rule.name_zh}：{when_zh}有 {v}% 的地区同时出现该信号，{cz}{grade_zh}"
        en = f"{rule.name_en}: {v}% of regions show the signal in {when_en}, {ce} {grade_en}"
    elif isinstance(rule, StaleRule):
        if value >= 999:
            zh = f"{rule.name_zh}：截至{when_zh}，其他地区已报送而本地区没有 {'、'.join(rule.indicators)} 数据"
            what = ", ".join(rule.indicators)
            en = f"{rule.name_en}: as of {when_en}, other regions report {what} but this one has none"
        else:
            zh = (
                f"{rule.name_zh}：截至{when_zh}，{'、'.join(rule.indicators)} 的最新数据比其他地区落后 {v} 个月，"
                f"{cz}{grade_zh}"
            )
            en = (
                f"{rule.name_en}: as of {when_en}, the latest {', '.join(rule.indicators)} figure is {v} months behind"
                f" other regions', {ce} {grade_en}"
            )
    else:
        zh = f"{rule.name_zh}：{when_zh}为 {v}{uz}，{cz}{grade_zh}"
        en = f"{rule.name_en}: {v}{ue} in {when_en}, {ce} {grade_en}"
    if periods_needed > 1:
        zh += f"，已连续 {periods_needed} 个月"
        en += f" for {periods_needed} months running"
    if held:
        zh += "（已回落但未越过解除界限或仍在保持期内，预警暂不解除）"
        en += " (easing, but not yet past the clear-down margin or still within the hold period)"
    return f"{where[0]}{zh}。", f"{where[1]}: {en}."


def _layoffs(rule: LayoffRule, v: str, extra: Mapping[str, float], when_zh: str, when_en: str) -> tuple[str, str]:
    w = rule.window
    if rule.measure == "filings":
        return (
            f"截至{when_zh}的近 {w} 个月有 {v} 家企业按《劳动合同法》第四十一条报告裁员",
            f"{v} enterprise(s) filed layoffs under Labour Contract Law art. 41 in the {w} months to {when_en}",
        )
    if rule.measure == "largest":
        return (
            f"截至{when_zh}的近 {w} 个月单家企业报告裁员最多 {v} 人",
            f"the largest single layoff filed in the {w} months to {when_en} is {v} persons",
        )
    if rule.measure == "share_of_insured":
        persons, insured = number(extra.get("persons")), number(extra.get("insured"))
        return (
            f"截至{when_zh}的近 {w} 个月报告裁员 {persons} 人，占失业保险参保人数 {insured} 人的 {v}%",
            f"{persons} persons in layoffs filed in the {w} months to {when_en}, {v}% of {insured} insured",
        )
    share = number(rule.cluster_min_share * 100)
    return (
        f"截至{when_zh}的近 {w} 个月，同一县（市、区）同一月内有 {v} 家企业各裁员超过 {rule.cluster_min_layoffs} "
        f"人或达职工的 {share}%",
        f"in the {w} months to {when_en}, {v} enterprises of one county each filed layoffs of more than "
        f"{rule.cluster_min_layoffs} persons or {share}% of staff in one month",
    )
