"""Points for discussion (会商要点), generated from the figures: each a short sentence in Chinese and English.

Pure over the assembled sections. Every rule here reads only numbers already shown in the report, so an
official can find the figure behind each point.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.reports.accuracy import AccuracySection
from service.reports.alert_activity import AlertSection
from service.reports.figures import CityRow, GroupRow, Headline
from service.reports.layoffs import LayoffSection
from service.reports.snapshot import Level

__all__ = ["Point", "discussion_points"]

RISING_PP = 0.5  # a city whose rate rose this much on a year earlier is named (the Sahm-style 0.5 pp)


@dataclass(frozen=True)
class Point:
    zh: str
    en: str
    topic: str  # target, cities, forecast, groups, layoffs, alerts, accuracy


def _names(rows, lang: str) -> str:
    sep = "、" if lang == "zh" else ", "
    return sep.join(r.place.name(lang) for r in rows)


def _headline_points(heads: dict[str, Headline]) -> list[Point]:
    out = []
    s = heads.get("surveyed_unemployment_rate")
    if s and s.value is not None and s.target is not None:
        if s.met:
            dy = s.change_y or 0.0
            tail_zh = f"，同比{'上升' if dy > 0 else '下降'} {abs(dy):.1f} 个百分点。" if dy else "。"
            tail_en = f", {abs(dy):.1f} pp {'up' if dy > 0 else 'down'} on a year earlier." if dy else "."
            out.append(Point(
                f"全省城镇调查失业率 {s.value:.1f}%，低于 {s.target:.1f}% 的控制目标{tail_zh}",
                f"The province's surveyed unemployment rate is {s.value:.1f} %, within the {s.target:.1f} % target"
                f"{tail_en}",
                "target",
            ))  # fmt: skip
        else:
            out.append(Point(
                f"全省城镇调查失业率 {s.value:.1f}%，超出 {s.target:.1f}% 的控制目标，需研究稳就业加力措施。",
                f"The province's surveyed unemployment rate is {s.value:.1f} %, above the {s.target:.1f} % target: "
                "stronger job-stabilisation measures need discussing.",
                "target",
            ))  # fmt: skip
    j = heads.get("new_urban_jobs")
    if j and j.progress is not None and j.time_progress is not None and j.progress < j.time_progress:
        out.append(Point(
            f"城镇新增就业完成年度目标的 {100 * j.progress:.1f}%，落后于 {100 * j.time_progress:.0f}% 的时间进度。",
            f"New urban jobs reached {100 * j.progress:.1f} % of the year's target, behind the "
            f"{100 * j.time_progress:.0f} % of the year elapsed.",
            "target",
        ))  # fmt: skip
    u = heads.get("ui_insured")
    if u and u.value is not None and u.target and u.met is False:
        out.append(Point(
            f"失业保险参保人数 {u.value / 1e4:.0f} 万人，距 {u.target / 1e4:.0f} 万人的约束性目标尚差 "
            f"{(u.target - u.value) / 1e4:.0f} 万人。",
            f"Unemployment-insurance insured persons number {u.value / 1e6:.2f} million, "
            f"{(u.target - u.value) / 1e6:.2f} million short of the binding {u.target / 1e6:.2f} million target.",
            "target",
        ))  # fmt: skip
    return out


def _city_points(cities: list[CityRow], target: float | None, levels: dict[int, Level]) -> list[Point]:
    out = []
    if target is not None:
        above = [c for c in cities if c.rate is not None and c.rate >= target]
        if above:
            out.append(Point(
                f"{_names(above, 'zh')}城镇调查失业率达到或超过 {target:.1f}%，需重点关注。",
                f"{_names(above, 'en')}: surveyed rate at or above {target:.1f} %, to be watched closely.",
                "cities",
            ))  # fmt: skip
    rising = [c for c in cities if c.change_y is not None and c.change_y >= RISING_PP]
    if rising:
        out.append(Point(
            f"{_names(rising, 'zh')}失业率同比上升 {RISING_PP} 个百分点以上，建议分析原因并提前储备政策。",
            f"{_names(rising, 'en')}: rate up {RISING_PP} pp or more on a year earlier; causes to be analysed and "
            "policy reserves readied.",
            "cities",
        ))  # fmt: skip
    graded = [c for c in cities if c.grade is not None]
    for c in sorted(graded, key=lambda c: c.grade):
        level = levels.get(c.grade)
        code = level.code if level else str(c.grade)
        out.append(Point(
            f"{c.place.name_zh}处于 {code} 级（{level.name_zh if level else ''}）预警响应中，请通报处置进展。",
            f"{c.place.name_en} is under a grade {code} ({level.name_en if level else ''}) warning: "
            "progress of the response to be reported.",
            "alerts",
        ))  # fmt: skip
    if target is not None:
        risky = [c for c in cities if c.forecast is not None and c.forecast.mean >= target]
        if risky:
            out.append(Point(
                f"预测显示{_names(risky, 'zh')}下季度末失业率将达到或超过 {target:.1f}%，需提前研判。",
                f"Forecasts put {_names(risky, 'en')} at or above {target:.1f} % by the end of next quarter: "
                "to be assessed in advance.",
                "forecast",
            ))  # fmt: skip
    return out


def _group_points(groups: list[GroupRow]) -> list[Point]:
    keyed = [g for g in groups if g.code != "total" and g.value is not None]
    if not keyed:
        return []
    top = max(keyed, key=lambda g: g.value)
    total = next((g for g in groups if g.code == "total" and g.value is not None), None)
    if total is None or top.value < total.value + 2:
        return []
    return [Point(
        f"{top.name_zh}失业率 {top.value:.1f}%，高出全体 {top.value - total.value:.1f} 个百分点，是就业帮扶的重点。",
        f"{top.name_en}: unemployment rate {top.value:.1f} %, {top.value - total.value:.1f} pp above everyone's; "
        "the first group for employment support.",
        "groups",
    )]  # fmt: skip


def _layoff_points(lay: LayoffSection) -> list[Point]:
    out = []
    if lay.by_city and lay.persons:
        top = lay.by_city[0]
        share = 100 * top.persons / lay.persons
        if share >= 50 and len(lay.filings) >= 3:
            out.append(Point(
                f"本季度裁员备案 {len(lay.filings)} 起、涉及 {lay.persons} 人，其中{top.city.name_zh}占 {share:.0f}%，"
                "存在规模性裁员风险，建议开展稳岗服务和重点企业走访。",
                f"{len(lay.filings)} layoff filings this quarter cover {lay.persons} people, {share:.0f} % of them in "
                f"{top.city.name_en}: a risk of large-scale layoffs; job-retention services and visits to key "
                "enterprises are suggested.",
                "layoffs",
            ))  # fmt: skip
    if lay.signals_unfiled:
        out.append(Point(
            f"社保数据显示 {lay.signals_unfiled} 家企业参保人数降幅达到裁员报告标准但未见备案，建议核实。",
            f"Social-insurance data show {lay.signals_unfiled} enterprises whose insured staff fell by the "
            "art. 41 scale with no filing seen: to be checked.",
            "layoffs",
        ))  # fmt: skip
    return out


def _alert_points(alerts: AlertSection) -> list[Point]:
    out = []
    overdue = [a for a in alerts.in_force if a.overdue]
    if overdue:
        out.append(Point(
            f"{len(overdue)} 条预警已超过签收时限仍未签收（{_names(overdue, 'zh')}），应按程序上报上一级。",
            f"{len(overdue)} warnings are past their acknowledgement deadline ({_names(overdue, 'en')}) and go up "
            "to the next level as the procedure requires.",
            "alerts",
        ))  # fmt: skip
    if alerts.late:
        out.append(Point(
            f"本季度有 {alerts.late} 次预警签收晚于时限，响应时效需改进。",
            f"{alerts.late} acknowledgements this quarter came after their deadline; response times need improving.",
            "alerts",
        ))  # fmt: skip
    return out


def _accuracy_points(acc: AccuracySection) -> list[Point]:
    if acc.coverage80 is None or acc.n < 10:
        return []
    if abs(acc.coverage80 - 80) <= 10:
        return []
    return [Point(
        f"上季度预测 80% 区间实际覆盖 {acc.coverage80:.0f}%，偏离名义水平，预测区间需重新校准。",
        f"Last quarter's 80 % forecast intervals covered {acc.coverage80:.0f} % of outcomes, away from the nominal "
        "level: the intervals need recalibrating.",
        "accuracy",
    )]  # fmt: skip


def discussion_points(
    *,
    headlines: list[Headline],
    cities: list[CityRow],
    groups: list[GroupRow],
    layoffs: LayoffSection,
    alerts: AlertSection,
    accuracy: AccuracySection,
    levels: dict[int, Level],
) -> list[Point]:
    heads = {h.key: h for h in headlines}
    surveyed = heads.get("surveyed_unemployment_rate")
    return [
        *_headline_points(heads),
        *_city_points(cities, surveyed.target if surveyed else None, levels),
        *_group_points(groups),
        *_layoff_points(layoffs),
        *_alert_points(alerts),
        *_accuracy_points(accuracy),
    ]
