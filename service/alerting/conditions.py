"""The value each rule kind grades, as a (periods, regions) array over a month grid, with what explains it.

    got = values_of(rule, inputs, months=grid, regions=codes, table=region_table, now=today, members=...)
    got.value          # what `grades` bounds apply to (rate, rise in pp, % change, probability, count, ...)
    got.shown          # named arrays shown as evidence (the 3-month average and its 12-month low, ...)

All pure: frames in, arrays out. The grid ends at the evaluation month; nothing after it is read, so the values are
what was known then. Layoff filings are bucketed by the month filed, and any filed after the evaluation month but
known by `now` count in the evaluation month (a filing is news the day it arrives).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from service.alerting import series
from service.alerting.inputs import Inputs, RegionTable, month_ordinals
from service.alerting.kinds import (
    BreadthRule,
    ChangeRule,
    CompositeRule,
    ForecastRule,
    LayoffRule,
    RatioRule,
    RiseRule,
    SeriesRule,
    StaleRule,
    ThresholdRule,
)

__all__ = ["Graded", "Values", "aligned", "values_of"]

NO_DATA_AGE = 999  # months: the age of a series that has no figure at all in the window


@dataclass
class Values:
    value: np.ndarray
    shown: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class Graded:
    """A member's outcome that composite and breadth rules read: grades (0 none) and where data was missing."""

    regions: Sequence[str]
    grades: np.ndarray
    missing: np.ndarray


def values_of(
    rule,
    inputs: Inputs,
    *,
    months: pd.PeriodIndex,
    regions: Sequence[str],
    table: RegionTable,
    now: dt.date,
    members: Mapping[str, Graded] | None = None,
) -> Values:
    if isinstance(rule, SeriesRule):
        x = inputs.wide(rule.indicator, months, regions, group=rule.group)
        s = series.smooth(x, transform=rule.transform, seasonal=rule.seasonal, q=rule.smoothing)
        if isinstance(rule, ThresholdRule):
            return Values(s)
        if isinstance(rule, ChangeRule):
            v = series.change(s, periods=rule.periods, relative=rule.relative)
            earlier = np.full_like(s, np.nan)
            earlier[rule.periods :] = s[: -rule.periods]
            return Values(v, {"current": s, "earlier": earlier})
        if isinstance(rule, RiseRule):
            v = series.rise(s, window=rule.window, include_current=rule.include_current)
            return Values(v, {"level": s, "low": s - v})
    if isinstance(rule, ForecastRule):
        return _forecast(rule, inputs, months, regions)
    if isinstance(rule, RatioRule):
        num = series.rolling_sum(inputs.wide(rule.numerator, months, regions, occupation=rule.occupation), rule.window)
        den = series.rolling_mean(
            inputs.wide(rule.denominator, months, regions, occupation=rule.occupation), rule.window
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            v = np.where(den > 0, num / den * rule.scale, np.nan)
        return Values(v, {"numerator": num, "denominator": den})
    if isinstance(rule, LayoffRule):
        return _layoffs(rule, inputs, months, regions, table, now)
    if isinstance(rule, StaleRule):
        ages = [_lag(inputs.wide(i, months, regions, group=rule.group)) for i in rule.indicators]
        return Values(np.max(np.stack(ages), axis=0).astype(float))
    if isinstance(rule, CompositeRule):
        count = np.zeros((len(months), len(regions)))
        for m in rule.members:
            g = aligned(members[m], regions, len(months))
            count += (g > 0) & (g <= rule.member_grade)
        return Values(count)
    if isinstance(rule, BreadthRule):
        return _breadth(rule, members[rule.member], regions, table, len(months))
    raise TypeError(f"no evaluation for rule kind {type(rule).__name__}")


def aligned(graded: Graded, regions: Sequence[str], n_t: int) -> np.ndarray:
    """A member's grades for `regions` (0 where the member does not evaluate a region)."""
    cols = pd.Index(graded.regions).get_indexer(list(regions))
    out = np.zeros((n_t, len(regions)), dtype=np.int8)
    ok = cols >= 0
    out[:, ok] = graded.grades[:, cols[ok]]
    return out


def _lag(x: np.ndarray) -> np.ndarray:
    """Months a region's latest figure trails the freshest region's, at each period.

    A region that has no figure while others do is NO_DATA_AGE behind; when nobody has a figure the lag is 0
    (a whole source going quiet is the service's own alert: labourwatch_source_overdue in Prometheus).
    """
    n_t = x.shape[0]
    idx = np.where(~np.isnan(x), np.arange(n_t)[:, None], -1)
    last = np.maximum.accumulate(idx, axis=0)
    freshest = last.max(axis=1, keepdims=True)
    lag = np.where(last >= 0, freshest - last, NO_DATA_AGE)
    return np.where(freshest >= 0, lag, 0)


def _forecast(rule: ForecastRule, inputs: Inputs, months: pd.PeriodIndex, regions: Sequence[str]) -> Values:
    """P(at or above the level in some month within the horizon), read as the largest single-month probability."""
    n_t, n_r = len(months), len(regions)
    value = np.full((n_t, n_r), np.nan)
    expected = np.full((n_t, n_r), np.nan)
    best = inputs.exceedance(rule.indicator, rule.group, rule.level, rule.horizon)
    first = months[0].year * 12 + months[0].month - 1
    lo, hi = best["origin"].searchsorted([first, first + n_t])
    best = best.iloc[lo:hi]
    col = pd.Index(regions).get_indexer(best["region_code"])
    ok = col >= 0
    row = best["origin"].to_numpy()[ok] - first
    value[row, col[ok]] = best["p"].to_numpy()[ok]
    expected[row, col[ok]] = best["mean"].to_numpy()[ok]
    return Values(value, {"mean": expected})


def _layoffs(
    rule: LayoffRule, inputs: Inputs, months: pd.PeriodIndex, regions: Sequence[str], table: RegionTable, now: dt.date
) -> Values:
    n_t, n_r = len(months), len(regions)
    f = inputs.filings
    if f is None:
        return Values(np.full((n_t, n_r), np.nan))
    first = months[0].year * 12 + months[0].month - 1
    filed = pd.to_datetime(f["filed_on"]).dt.date
    known = f[(filed <= now).to_numpy()]
    row = np.minimum(month_ordinals(known["filed_on"]) - first, n_t - 1)
    frame = pd.DataFrame(
        {
            "row": row,
            "county": known["region_code"].astype(str).to_numpy(),
            "layoffs": known["layoffs"].to_numpy(float),
            "staff": known["staff_before"].to_numpy(float),
            "firm": known["credit_code"].astype(str).to_numpy() if "credit_code" in known else np.arange(len(known)),
        }
    )
    frame = frame[frame["row"] >= 0]
    col_of = {c: i for i, c in enumerate(regions)}
    # Each filing counts for every evaluated region on its county's path (county, city, province).
    hits = [(i, col_of[a]) for i, county in enumerate(frame["county"]) for a in table.ancestry(county) if a in col_of]
    per = np.zeros((n_t, n_r))
    if hits:
        at, cols = map(np.asarray, zip(*hits, strict=True))
        rows = frame["row"].to_numpy()[at]
        if rule.measure == "filings":
            np.add.at(per, (rows, cols), 1.0)
        elif rule.measure == "largest":
            np.maximum.at(per, (rows, cols), frame["layoffs"].to_numpy()[at])
        elif rule.measure == "share_of_insured":
            np.add.at(per, (rows, cols), frame["layoffs"].to_numpy()[at])
        else:
            per = _clusters(rule, frame, at, cols, n_t, n_r)
    shown: dict[str, np.ndarray] = {}
    if rule.measure in ("largest", "county_cluster"):
        value = series.rolling_extreme(per, rule.window, how="max", partial=True)
    else:
        value = series.rolling_sum(per, rule.window, partial=True)
    if rule.measure == "share_of_insured":
        insured = pd.DataFrame(inputs.wide(rule.insured_indicator, months, regions)).ffill().to_numpy()
        shown = {"persons": value, "insured": insured}
        with np.errstate(invalid="ignore", divide="ignore"):
            value = np.where(insured > 0, value / insured * 100.0, np.nan)
    return Values(value, shown)


def _clusters(rule: LayoffRule, frame: pd.DataFrame, at, cols, n_t: int, n_r: int) -> np.ndarray:
    """Per region and month: the most enterprises of one county laying off > min people or >= min share."""
    big = (frame["layoffs"] > rule.cluster_min_layoffs) | (
        frame["layoffs"] >= rule.cluster_min_share * frame["staff"].where(frame["staff"] > 0)
    )
    hits = pd.DataFrame(
        {
            "row": frame["row"].to_numpy()[at],
            "col": cols,
            "county": frame["county"].to_numpy()[at],
            "firm": frame["firm"].to_numpy()[at],
            "big": big.to_numpy()[at],
        }
    )
    hits = hits[hits["big"]]
    per = np.zeros((n_t, n_r))
    if not hits.empty:
        counts = hits.groupby(["row", "col", "county"])["firm"].nunique().groupby(level=[0, 1]).max()
        r, c = zip(*counts.index, strict=True)
        per[np.asarray(r), np.asarray(c)] = counts.to_numpy()
    return per


def _breadth(rule: BreadthRule, member: Graded, regions: Sequence[str], table: RegionTable, n_t: int) -> Values:
    """% of the member's regions (all, or the region's siblings) where the member fires, among those with data."""
    firing = (member.grades > 0).astype(float)
    counted = (~member.missing).astype(float)
    if rule.scope == "all":
        with np.errstate(invalid="ignore", divide="ignore"):
            share = firing.sum(axis=1) / counted.sum(axis=1) * 100.0
        return Values(np.repeat(share[:, None], len(regions), axis=1))
    parents = np.array([table.parent(c) or "" for c in member.regions], dtype=object)
    out = np.full((n_t, len(regions)), np.nan)
    for j, code in enumerate(regions):
        same = parents == (table.parent(code) or "")
        with np.errstate(invalid="ignore", divide="ignore"):
            out[:, j] = firing[:, same].sum(axis=1) / counted[:, same].sum(axis=1) * 100.0
    return Values(out)
