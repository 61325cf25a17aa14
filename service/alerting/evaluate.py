"""Evaluate every rule for every region as of a month: pure, frames in, graded signals out.

    result = evaluate(ruleset, inputs, regions=RegionTable.from_records(registry.regions), as_of=month, now=today)
    result.signals          # one Signal per alerting rule and region that fires now, with evidence and words
    result.timelines        # rule id -> Graded: the grade timeline of every rule over the lookback

Each rule is replayed over the last `lookback_months` (service/alerting/timeline.py), so `for`, hysteresis and hold
come out the same whether the service evaluates once a month or the backtest replays history: the grade at the
evaluation month depends on the data known then, never on when the question was asked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from service.alerting.conditions import Graded, aligned, values_of
from service.alerting.explain import explain, number
from service.alerting.inputs import Inputs, RegionTable
from service.alerting.kinds import BreadthRule, CompositeRule, StaleRule
from service.alerting.rules import Ruleset
from service.alerting.timeline import grade_timeline, grade_values

__all__ = ["HISTORY_MONTHS", "Evaluation", "Signal", "evaluate"]

# Months of figures before the lookback that transforms may need (12-month lows, year-on-year, seasonal factors).
HISTORY_MONTHS = 84
_SHOWN_PERIODS = 6


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


@dataclass
class Evaluation:
    as_of: pd.Period
    months: pd.PeriodIndex
    signals: list[Signal]
    timelines: dict[str, Graded]

    def grades(self) -> dict[tuple[str, str], int]:
        """The most severe grade per (region, risk) now: a higher grade inhibits lower ones of the same risk."""
        out: dict[tuple[str, str], int] = {}
        for s in self.signals:
            key = (s.region_code, s.risk)
            out[key] = min(s.grade, out.get(key, 5))
        return out


@dataclass(frozen=True)
class _Settings:
    bounds: np.ndarray  # (regions, 4): IV, III, II, I
    periods_needed: np.ndarray
    margin: np.ndarray
    hold: np.ndarray
    enabled: np.ndarray


def _settings(rule, regions: Sequence[str], table: RegionTable) -> _Settings:
    n = len(regions)
    bounds = np.full((n, 4), np.nan)
    if not rule.overrides:
        for g, b in rule.grades.items():
            bounds[:, 4 - g] = b
        return _Settings(bounds, np.full(n, rule.for_periods, np.int32), np.full(n, rule.clear_margin),
                         np.full(n, rule.keep_firing_for, np.int32), np.ones(n, bool))  # fmt: skip
    k, margin, hold, on = np.empty(n, np.int32), np.empty(n), np.empty(n, np.int32), np.ones(n, bool)
    for j, code in enumerate(regions):
        override = next((rule.overrides[a] for a in table.ancestry(code) if a in rule.overrides), None)
        grades = override.grades if override is not None and override.grades is not None else rule.grades
        for g, b in grades.items():
            bounds[j, 4 - g] = b
        k[j] = override.for_periods if override is not None and override.for_periods else rule.for_periods
        margin[j] = rule.clear_margin if override is None or override.clear_margin is None else override.clear_margin
        hold[j] = (
            rule.keep_firing_for if override is None or override.keep_firing_for is None else override.keep_firing_for
        )
        on[j] = override is None or override.enabled
    return _Settings(bounds, k, margin, hold, on)


def _order(ruleset: Ruleset) -> list:
    """Plain rules, then breadth rules (they read plain ones), then rules gated by `only_when`, then composites."""

    def rank(r) -> int:
        return 3 if isinstance(r, CompositeRule) else 2 if r.only_when else 1 if isinstance(r, BreadthRule) else 0

    return sorted(ruleset.rules, key=rank)


def evaluate(
    ruleset: Ruleset,
    inputs: Inputs,
    *,
    regions: RegionTable,
    as_of: pd.Period | None = None,
    now: dt.date | None = None,
    detail: bool = True,
) -> Evaluation:
    """All rules as of `as_of` (default: the latest month with data); `detail=False` skips evidence and words."""
    if as_of is None:
        last = inputs.last_month
        as_of = pd.Period(year=last // 12, month=last % 12 + 1, freq="M") if last is not None else None
        if as_of is None:
            return Evaluation(pd.Period("1970-01", "M"), pd.PeriodIndex([], freq="M"), [], {})
    now = now or as_of.end_time.date()
    lookback = ruleset.lookback_months
    history = pd.period_range(end=as_of, periods=lookback + HISTORY_MONTHS, freq="M")
    months = history[-lookback:]
    labels = [str(m) for m in months]
    starts = [m.start_time.date() for m in months]
    timelines: dict[str, Graded] = {}
    signals: list[Signal] = []
    for rule in _order(ruleset):
        codes = regions.at_levels(rule.region_level)
        if not codes:
            continue
        composite = isinstance(rule, CompositeRule | BreadthRule)
        got = values_of(
            rule,
            inputs,
            months=months if composite else history,
            regions=codes,
            table=regions,
            now=now,
            members=timelines,
        )
        value = got.value[-lookback:]
        shown = {k: v[-lookback:] for k, v in got.shown.items()}
        cfg = _settings(rule, codes, regions)
        raw, relaxed = grade_values(value, cfg.bounds, op=rule.op, margin=cfg.margin)
        missing = np.isnan(value)
        onset = getattr(rule, "clear_on", "value") == "onset_level"
        allowed = None
        for gate in rule.only_when:
            fires = aligned(timelines[gate], codes, lookback) > 0
            allowed = fires if allowed is None else allowed & fires
        grades = grade_timeline(
            raw,
            relaxed,
            missing,
            periods_needed=cfg.periods_needed,
            hold=cfg.hold,
            level=shown["level"] if onset else None,
            level_margin=cfg.margin if onset else None,
            allowed=allowed,
        )
        grades[:, ~cfg.enabled] = 0
        timelines[rule.id] = Graded(codes, grades, missing)
        if not rule.alert:
            continue
        members = {m: (timelines[m], {c: i for i, c in enumerate(timelines[m].regions)})
                   for m in getattr(rule, "members", [])}  # fmt: skip
        ctx = _Context(ruleset, rule, regions, months, labels, starts, value, raw, shown, grades, cfg, members)
        for j in np.flatnonzero(grades[-1] > 0):
            if not detail:
                signals.append(Signal(codes[j], rule.risk, int(grades[-1, j]), rule.id, as_of.start_time.date(), {}))
                continue
            signals.append(_signal(ctx, codes[j], j))
    return Evaluation(as_of, months, signals, timelines)


@dataclass(frozen=True)
class _Context:
    """What building one rule's signals needs, computed once per rule."""

    ruleset: Ruleset
    rule: object
    regions: RegionTable
    months: pd.PeriodIndex
    labels: list[str]
    starts: list[dt.date]
    value: np.ndarray
    raw: np.ndarray
    shown: dict[str, np.ndarray]
    grades: np.ndarray
    cfg: _Settings
    members: dict[str, tuple[Graded, dict[str, int]]]


def _signal(ctx: _Context, code: str, j: int) -> Signal:
    rule, cfg, value, labels = ctx.rule, ctx.cfg, ctx.value, ctx.labels
    grade = int(ctx.grades[-1, j])
    known = np.flatnonzero(~np.isnan(value[:, j]))
    t = int(known[-1]) if len(known) else len(ctx.months) - 1
    if isinstance(rule, StaleRule):
        t = len(ctx.months) - 1
    period = ctx.months[t]
    bound = float(cfg.bounds[j, 4 - grade])
    held = int(ctx.raw[t, j]) < 5 - grade  # the value itself no longer meets the grade: hysteresis or hold
    recent = range(max(0, t - _SHOWN_PERIODS + 1), t + 1)
    extra = {k: float(v[t, j]) for k, v in ctx.shown.items()}
    extra.update({m: float(code in idx and g.grades[t, idx[code]] > 0) for m, (g, idx) in ctx.members.items()})
    name_zh, name_en, _ = ctx.regions.info(code)
    level = ctx.ruleset.level(grade)
    zh, en = explain(
        rule,
        level,
        where=(name_zh, name_en),
        period=period,
        value=float(value[t, j]),
        bound=bound,
        periods_needed=int(cfg.periods_needed[j]),
        held=held,
        extra=extra,
        member_names={m: (ctx.ruleset.rule(m).name_zh, ctx.ruleset.rule(m).name_en) for m in ctx.members},
    )
    evidence = {
        "rule": rule.id,
        "kind": rule.kind,
        "period": labels[t],
        "value": _round(value[t, j]),
        "values": {labels[i]: _round(value[i, j]) for i in recent},
        "shown": {k: {labels[i]: _round(v[i, j]) for i in recent} for k, v in ctx.shown.items()},
        "grade": grade,
        "threshold": bound,
        "op": rule.op,
        "thresholds": {str(g): float(cfg.bounds[j, 4 - g]) for g in (4, 3, 2, 1) if not np.isnan(cfg.bounds[j, 4 - g])},
        "for_periods": int(cfg.periods_needed[j]),
        "clear_margin": float(cfg.margin[j]),
        "keep_firing_for": int(cfg.hold[j]),
        "held": bool(held),
        "members": {m: bool(extra[m]) for m in ctx.members} or None,
        "source": rule.source,
        "text": {"value": number(float(value[t, j]))},
    }
    for key in ("indicator", "numerator", "denominator", "measure", "level", "horizon", "window", "transform"):
        if hasattr(rule, key):
            evidence[key] = getattr(rule, key)
    return Signal(code, rule.risk, grade, rule.id, ctx.starts[t], evidence, zh, en)


def _round(v: float) -> float | None:
    return None if np.isnan(v) else round(float(v), 4)
