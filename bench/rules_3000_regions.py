"""All rules of thresholds.yaml for 3,000 regions, timed: `python -m bench rules_3000_regions`.

A national roll-out's size (MISSION.md 3.12: about 330 cities and 2,800 counties): 31 provinces, 330 cities and
2,639 counties, ten years of monthly figures for every indicator the rules read, forecasts from every month of
the lookback, and a few thousand layoff filings. We time `evaluate()` (every rule, every region, the lookback
replayed for for/hysteresis/hold, signals with evidence and words) separately from indexing the input frames.

Peer: the obvious per-region pandas loop for just the two survey-rate rules (level on the 3-month average for 2
months, and the Sahm-style rise), on the same frame, so the ratio shows what vectorising over regions buys.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from bench._report import write
from service.alerting import Inputs, RegionTable, evaluate, load_rules_file

ROOT = Path(__file__).resolve().parents[1]
AS_OF = pd.Period("2026-10", "M")
MONTHS = pd.period_range(end=AS_OF, periods=120, freq="M")


class _Region:
    def __init__(self, code, level, parent, path):
        self.code, self.level, self.parent_code, self.path = code, level, parent, path
        self.name_zh, self.name_en = f"地区{code}", f"Region {code}"


def regions() -> list[_Region]:
    out = []
    for p in range(31):
        prov = f"{11 + p:02d}0000"
        out.append(_Region(prov, "province", None, prov))
        for c in range(330 // 31 + (p < 330 % 31)):
            city = f"{prov[:2]}{c + 1:02d}00"
            out.append(_Region(city, "city", prov, f"{prov}/{city}"))
            for k in range(8):
                county = f"{city[:4]}{k + 1:02d}"
                out.append(_Region(county, "county", city, f"{prov}/{city}/{county}"))
    return out[:3000]


def world(rs: list[_Region], rng: np.random.Generator) -> Inputs:
    codes = np.array([r.code for r in rs])
    cities = codes
    n_m = len(MONTHS)
    stamps = MONTHS.to_timestamp()
    frames = []

    def add(indicator, who, values):
        frames.append(pd.DataFrame({
            "region_code": np.repeat(who, n_m), "indicator_code": indicator, "population_group": "total",
            "occupation": "total", "period": np.tile(stamps, len(who)), "value": values.ravel()}))  # fmt: skip

    walk = 5.0 + np.cumsum(rng.normal(0, 0.08, (len(codes), n_m)), axis=1).clip(-1.5, 2.5)
    add("surveyed_unemployment_rate", codes, np.round(walk + rng.normal(0, 0.15, walk.shape), 1))
    insured = rng.uniform(5e4, 5e5, (len(cities), 1)) * np.ones((1, n_m))
    add("ui_insured", cities, np.round(insured))
    add("ui_new_claims", cities, np.round(insured * 0.003 * (1 + rng.normal(0, 0.1, insured.shape))))
    seekers = rng.uniform(1e3, 2e4, (len(cities), 1)) * (1 + rng.normal(0, 0.05, (len(cities), n_m)))
    add("job_seekers", cities, np.round(seekers))
    add("job_postings", cities, np.round(seekers * rng.uniform(0.95, 1.5, (len(cities), 1))))
    obs = pd.concat(frames, ignore_index=True)

    origins = MONTHS[-36:]
    n_o = len(origins)
    last = np.repeat(walk[:, -36:].ravel(), 3)
    forecasts = pd.DataFrame({
        "region_code": np.repeat(codes, n_o * 3), "indicator_code": "surveyed_unemployment_rate",
        "origin": np.tile(np.repeat(origins.to_timestamp(), 3), len(codes)),
        "horizon": np.tile([1, 2, 3], len(codes) * n_o),
        "mean": last, "lo80": last - 0.4, "hi80": last + 0.4, "lo95": last - 0.6, "hi95": last + 0.6})  # fmt: skip
    counties = np.array([r.code for r in rs if r.level == "county"])
    n_f = 4000
    filed = pd.to_datetime("2016-11-01") + pd.to_timedelta(rng.integers(0, 3650, n_f), unit="D")
    filings = pd.DataFrame({
        "region_code": rng.choice(counties, n_f), "filed_on": filed.date, "layoffs": rng.integers(10, 400, n_f),
        "staff_before": rng.integers(400, 5000, n_f), "credit_code": [f"firm{i}" for i in range(n_f)]})  # fmt: skip
    return obs, forecasts, filings


def peer(obs: pd.DataFrame, codes: list[str]) -> int:
    """Per-region pandas: the level rule (3-month average >= 5.5 for 2 months) and the Sahm-style rise."""
    rate = obs[obs["indicator_code"] == "surveyed_unemployment_rate"]
    fired = 0
    for code in codes:
        s = rate[rate["region_code"] == code].set_index("period")["value"].sort_index()
        m = s.rolling(3).mean()
        level = bool((m.iloc[-2:] >= 5.5).all())
        rise = m.iloc[-1] - m.shift(1).rolling(12).min().iloc[-1] >= 0.5
        fired += level or bool(rise)
    return fired


def main(argv: list[str]) -> int:
    rng = np.random.default_rng(2026)
    rs = regions()
    ruleset = load_rules_file(ROOT / "thresholds.yaml")
    # Every rule for every region: counties get the cities' rules too (the default file evaluates most at city level).
    everywhere = ["province", "city", "county"]
    ruleset = ruleset.model_copy(update={"rules": [r.model_copy(update={"region_level": everywhere})
                                                   for r in ruleset.rules]})  # fmt: skip
    obs, forecasts, filings = world(rs, rng)
    table = RegionTable.from_records(rs)
    now = dt.date(2026, 11, 20)

    started = time.perf_counter()
    inputs = Inputs(observations=obs, forecasts=forecasts, filings=filings)
    index_s = time.perf_counter() - started
    runs = []
    for _ in range(3):
        fresh = Inputs(observations=obs, forecasts=forecasts, filings=filings)
        started = time.perf_counter()
        result = evaluate(ruleset, fresh, regions=table, as_of=AS_OF, now=now)
        runs.append(time.perf_counter() - started)
    evaluate(ruleset, inputs, regions=table, as_of=AS_OF, now=now)
    started = time.perf_counter()
    warm = evaluate(ruleset, inputs, regions=table, as_of=AS_OF, now=now)
    warm_s = time.perf_counter() - started

    codes = [r.code for r in rs]
    sample = codes[:: len(codes) // 300]  # the loop is slow: time 300 regions and scale to all
    started = time.perf_counter()
    peer(obs, sample)
    peer_s = (time.perf_counter() - started) * len(codes) / len(sample)

    n_rules = len(ruleset.rules)
    body = (
        "| what | value |\n|---|---|\n"
        f"| regions | {len(rs):,} (31 provinces, 330 cities, {len(rs) - 361:,} counties) |\n"
        f"| rules | {n_rules} (every rule of thresholds.yaml, for every region, lookback {ruleset.lookback_months} "
        "months) |\n"
        f"| input rows | {len(obs):,} observations, {len(forecasts):,} forecast points, {len(filings):,} filings |\n"
        f"| index the input frames (`Inputs(...)`) | {index_s:.2f} s |\n"
        f"| **evaluate all rules, fresh inputs (median of 3)** | **{np.median(runs):.2f} s** |\n"
        f"| evaluate again on the same inputs | {warm_s:.2f} s |\n"
        f"| signals | {len(result.signals):,} ({len(warm.signals):,} again) |\n"
        f"| peer: per-region pandas loop, 2 survey-rate rules only, {len(codes):,} regions (timed on {len(sample)}, "
        f"scaled) | {peer_s:.1f} s |\n"
        f"| ratio peer / ours (2 rules vs all {n_rules}) | {peer_s / np.median(runs):.1f}x |\n"
    )
    write("rules_3000_regions", body)
    return 0 if np.median(runs) < 1.0 else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
