"""Evaluate rules over observations: pure, frames in, signals out.

    signals = evaluate(ruleset, observations, regions=["430100", ...], names={"430200": "株洲市"})

`observations` has columns region_code, indicator_code, population_group, period (date), value: the figures as
known at the moment of evaluation (the caller chooses the vintage). A Signal says which grade a rule asks for in
a region now, with the evidence and an explanation in Chinese and English.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from service.alerting.rules import Ruleset, ThresholdRule

__all__ = ["Signal", "evaluate", "monthly_series"]


@dataclass(frozen=True)
class Signal:
    region_code: str
    risk: str
    grade: int
    rule_id: str
    period: dt.date
    evidence: dict = field(hash=False, compare=False)
    explanation_zh: str = ""
    explanation_en: str = ""


def evaluate(
    ruleset: Ruleset,
    observations: pd.DataFrame,
    *,
    regions: Iterable[str],
    names: Mapping[str, str] | None = None,
) -> list[Signal]:
    names = names or {}
    regions = list(regions)
    signals: list[Signal] = []
    for rule in ruleset.rules:
        if isinstance(rule, ThresholdRule):
            signals.extend(_threshold(ruleset, rule, observations, regions, names))
    return signals


def monthly_series(observations: pd.DataFrame, *, indicator: str, region: str, group: str = "total") -> pd.Series:
    """One region's monthly values on a gap-free PeriodIndex (missing months are NaN, never filled)."""
    rows = observations[
        (observations["indicator_code"] == indicator)
        & (observations["region_code"] == region)
        & (observations["population_group"] == group)
    ]
    if rows.empty:
        return pd.Series(dtype=float)
    s = pd.Series(rows["value"].to_numpy(dtype=float), index=pd.PeriodIndex(rows["period"], freq="M")).sort_index()
    s = s[~s.index.duplicated(keep="last")]
    return s.reindex(pd.period_range(s.index[0], s.index[-1], freq="M"))


def _transform(values: pd.Series, how: str) -> pd.Series:
    if how == "mean3":
        return values.rolling(3, min_periods=3).mean()
    return values


def _grade_at(value: float, rule: ThresholdRule) -> int | None:
    if pd.isna(value):
        return None
    hit = [g for g, bound in rule.grades.items() if (value >= bound if rule.op == ">=" else value <= bound)]
    return min(hit) if hit else None


def _threshold(
    ruleset: Ruleset, rule: ThresholdRule, obs: pd.DataFrame, regions: list[str], names: Mapping[str, str]
) -> Iterable[Signal]:
    k = rule.for_periods
    for region in regions:
        series = _transform(monthly_series(obs, indicator=rule.indicator, region=region), rule.transform)
        if len(series) < k:
            continue
        recent = series.iloc[-k:]
        grades = [_grade_at(v, rule) for v in recent]
        if any(g is None for g in grades):
            continue
        grade = max(grades)  # the grade held for all k periods is the least severe of them
        level = ruleset.level(grade)
        period = recent.index[-1]
        bound = rule.grades[grade]
        value = float(recent.iloc[-1])
        what_zh = "三个月平均" if rule.transform == "mean3" else ""
        what_en = "3-month average " if rule.transform == "mean3" else ""
        name = names.get(region, region)
        yield Signal(
            region_code=region,
            risk=rule.risk,
            grade=grade,
            rule_id=rule.id,
            period=period.to_timestamp().date(),
            evidence={
                "rule": rule.id,
                "indicator": rule.indicator,
                "transform": rule.transform,
                "values": {str(p): round(float(v), 4) for p, v in recent.items()},
                "threshold": bound,
                "op": rule.op,
                "for_periods": k,
                "thresholds": {str(g): b for g, b in sorted(rule.grades.items())},
                "source": rule.source,
            },
            explanation_zh=(
                f"{name}{rule.name_zh}：{period.year}年{period.month}月{what_zh}为 {value:.2f}，"
                f"连续 {k} 个月{'达到' if rule.op == '>=' else '低于'} {level.code} 级（{level.name_zh}）阈值 {bound}。"
            ),
            explanation_en=(
                f"{name}: {rule.name_en}: the {what_en}value for {period} is {value:.2f}, "
                f"{'at or above' if rule.op == '>=' else 'at or below'} the grade {level.code} ({level.name_en}) "
                f"threshold {bound} for {k} consecutive month(s)."
            ),
        )
