"""Replay the warning rules month by month on a tidy monthly file, as the live service would have run them.

    bt = backtest_frame(tidy, indicator="unemployment_rate_sa", ruleset=ruleset, start=pd.Period("1990-01", "M"))
    bt.timeline        # region, period, grade (1 I .. 4 IV): one row per region and month with an alert in force
    bt.rates           # (months, regions) figures of the indicator, for scoring (service/alerting/score.py)

At each month t the rules see only figures for months up to t (and forecasts made from them): evaluate() is called
as of t with the same code the service runs, so `for`, hysteresis and hold behave as they would have. The file's
indicator is read as `as_indicator` (the surveyed rate by default), so thresholds.yaml applies unchanged. Rules
that need data the file does not have (claims, filings, another indicator) are skipped and listed. Forecast rules
get forecasts from a local linear trend filter (service/alerting/trend.py), each made from data up to its origin.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from service.alerting.errors import InputError
from service.alerting.evaluate import evaluate
from service.alerting.inputs import Inputs, RegionTable, month_index, month_ordinals
from service.alerting.kinds import BreadthRule, CompositeRule, ForecastRule, LayoffRule
from service.alerting.rules import Ruleset
from service.alerting.score import episode_starts, in_force, sahm_flags, score
from service.alerting.trend import trend_forecasts

__all__ = ["Backtest", "backtest_frame", "compare", "read_tidy", "restrict", "timeline_csv"]

FORECAST_MODEL = "local linear trend Kalman filter (service/alerting/trend.py)"
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass
class Backtest:
    timeline: pd.DataFrame
    rates: pd.DataFrame
    rules_used: list[str]
    rules_skipped: list[str]
    forecast_model: str | None
    names: dict[str, str] = field(default_factory=dict)


def read_tidy(frame: pd.DataFrame, *, indicator: str, as_indicator: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """Observations of one indicator from a tidy file (region_code or region, period, indicator, value)."""
    cols = set(frame.columns)
    code_col = "region_code" if "region_code" in cols else "region" if "region" in cols else None
    missing = [c for c in ("period", "indicator", "value") if c not in cols]
    if code_col is None or missing:
        raise InputError(
            f"a tidy file needs region_code (or region), period, indicator, value; missing "
            f"{', '.join(missing or ['region_code'])}"
        )
    rows = frame[frame["indicator"] == indicator]
    if rows.empty:
        known = ", ".join(sorted(map(str, frame["indicator"].unique()))[:10])
        raise InputError(f"no rows of indicator {indicator!r} in the file (it has: {known})")
    codes = rows[code_col].astype(str)
    names = dict(zip(codes, rows["region"].astype(str), strict=False)) if "region" in cols else {}
    obs = pd.DataFrame(
        {
            "region_code": codes.to_numpy(),
            "indicator_code": as_indicator,
            "period": rows["period"].to_numpy(),
            "value": pd.to_numeric(rows["value"], errors="coerce").to_numpy(),
        }
    )
    return obs, names


def restrict(ruleset: Ruleset, *, indicators: set[str], filings: bool) -> tuple[Ruleset, list[str]]:
    """The ruleset without rules the data cannot feed (and composites left without their members)."""
    kept, skipped = [], []
    for rule in ruleset.rules:
        if isinstance(rule, CompositeRule | BreadthRule):
            kept.append(rule)
        elif (isinstance(rule, LayoffRule) and not filings) or not rule.needs <= indicators:
            skipped.append(rule.id)
        else:
            kept.append(rule)
    changed = True
    while changed:
        ids = {r.id for r in kept}
        members = {
            r.id: (r.members if isinstance(r, CompositeRule) else [r.member])
            for r in kept
            if isinstance(r, CompositeRule | BreadthRule)
        }
        drop = {rid for rid, ms in members.items() if not set(ms) <= ids}
        changed = bool(drop)
        skipped += sorted(drop)
        kept = [r for r in kept if r.id not in drop]
    return ruleset.model_copy(update={"rules": kept}), skipped


def backtest_frame(
    tidy: pd.DataFrame,
    *,
    indicator: str,
    ruleset: Ruleset,
    as_indicator: str = "surveyed_unemployment_rate",
    start: pd.Period | None = None,
    progress: Callable[[pd.Period], None] | None = None,
) -> Backtest:
    obs, names = read_tidy(tidy, indicator=indicator, as_indicator=as_indicator)
    rules, skipped = restrict(ruleset, indicators={as_indicator}, filings=False)
    regions = sorted(obs["region_code"].unique())
    ords = month_ordinals(obs["period"])
    months = month_index(int(ords.min()), int(ords.max()))
    inputs = Inputs(observations=obs)
    wide = inputs.wide(as_indicator, months, regions)
    forecast_rules = [r for r in rules.rules if isinstance(r, ForecastRule)]
    model = None
    if forecast_rules:
        horizon = max(r.horizon for r in forecast_rules)
        forecasts = trend_forecasts(wide, months, regions, indicator=as_indicator, horizon=horizon)
        inputs = Inputs(observations=obs, forecasts=forecasts)
        model = FORECAST_MODEL
    table = RegionTable.flat(regions, names)
    first = months[0] if start is None else max(pd.Period(start, freq="M"), months[0])
    rows = []
    for t in pd.period_range(first, months[-1], freq="M"):
        result = evaluate(rules, inputs, regions=table, as_of=t, detail=False)
        worst: dict[str, int] = {}
        for s in result.signals:
            worst[s.region_code] = min(s.grade, worst.get(s.region_code, 5))
        rows += [(code, str(t), grade) for code, grade in worst.items()]
        if progress is not None:
            progress(t)
    timeline = pd.DataFrame(rows, columns=["region", "period", "grade"])
    rates = pd.DataFrame(wide, index=months, columns=regions)
    return Backtest(timeline, rates, [r.id for r in rules.rules], skipped, model, names)


def timeline_csv(timeline: pd.DataFrame) -> str:
    """The timeline as CSV with grades as I-IV."""
    out = timeline.sort_values(["region", "period"]).assign(grade=lambda f: f["grade"].map(ROMAN))
    return out.to_csv(index=False)


def compare(bt: Backtest, *, first: pd.Period, split: pd.Period | None = None, worst: int = 3) -> list[dict]:
    """Score rows (window, method, Score fields) for our timeline and the Sahm rule over the same windows."""
    months = pd.PeriodIndex(bt.rates.index, freq="M")
    episodes = episode_starts(bt.rates)
    ours = in_force(bt.timeline, months, bt.rates.columns, worst=worst)
    sahm = sahm_flags(bt.rates)
    windows = [(f"{first}..", first, None)]
    if split is not None:
        windows = [(f"{first}..{split - 1}", first, split - 1), (f"{split}..", split, None), *windows]
    rows = []
    for name, lo, hi in windows:
        for method, flags in (("ours", ours), ("sahm", sahm)):
            s = score(bt.rates, flags, first=lo, last=hi, episodes=episodes)
            rows.append({"window": name, "method": method, **s.as_dict()})
    return rows
