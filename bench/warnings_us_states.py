"""The warnings backtest on US states: `python -m bench warnings_us_states`.

Our grade-III-or-worse timeline against the Sahm rule on ../shared/data/us_state_unemployment_monthly.csv
(unemployment_rate_sa), with the fixed definitions of service/alerting/score.py. The rules are replayed month by
month from 1985 (figures before 1990 are history only) with the same code the service runs; scoring counts
episodes and onsets from 1990-01, judged up to 30 months before the data end.

Two rule files: bench/thresholds_us_states.yaml (settings chosen on 1990-2004 only; 2005 onwards is the honest
test) and the default thresholds.yaml (MISSION.md 3a as published, for reference).
Goals: recall at least Sahm's, median delay at least 2 months shorter, precision at least Sahm's and above 0.5.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd

from bench._report import write
from service.alerting import load_rules_file
from service.alerting.backtest import backtest_frame, compare

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "us_state_unemployment_monthly.csv"
FILES = {
    "tuned (bench/thresholds_us_states.yaml)": ROOT / "bench" / "thresholds_us_states.yaml",
    "defaults (thresholds.yaml, MISSION 3a)": ROOT / "thresholds.yaml",
}
FIRST, SPLIT = pd.Period("1990-01", "M"), pd.Period("2005-01", "M")
WINDOWS = {"1990-01..2004-12": "1990-2004 (settings chosen here)", "2005-01..": "2005+ (honest test)",
           "1990-01..": "1990+ (all)"}  # fmt: skip


def _goals(ours: dict, sahm: dict) -> str:
    checks = [
        ours["recall"] >= sahm["recall"],
        ours["median_delay"] is not None
        and sahm["median_delay"] is not None
        and ours["median_delay"] <= sahm["median_delay"] - 2,
        ours["precision"] >= sahm["precision"] and ours["precision"] > 0.5,
    ]
    return " / ".join("yes" if c else "no" for c in checks)


def main(argv: list[str]) -> int:
    if not DATA.exists():
        print(f"skipped: {DATA} is absent", file=sys.stderr)
        return 0
    tidy = pd.read_csv(DATA, dtype={"region_code": str})
    lines = [
        "| rules | window | method | episodes | detected | recall | median delay | mean delay | onsets | "
        "false alarms | precision | goals met (recall / delay / precision) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    notes = []
    for label, path in FILES.items():
        started = time.perf_counter()
        bt = backtest_frame(tidy, indicator="unemployment_rate_sa", ruleset=load_rules_file(path),
                            start=pd.Period("1985-01", "M"))  # fmt: skip
        seconds = time.perf_counter() - started
        rows = compare(bt, first=FIRST, split=SPLIT)
        by = {(r["window"], r["method"]): r for r in rows}
        for window, name in WINDOWS.items():
            for method in ("ours", "sahm"):
                r = by[(window, method)]
                delay = "—" if r["median_delay"] is None else f"{r['median_delay']:g}"
                mean = "—" if r["mean_delay"] is None else f"{r['mean_delay']:.2f}"
                goals = _goals(r, by[(window, "sahm")]) if method == "ours" else ""
                who = label if method == "ours" else "Sahm rule (0.5 pp)"
                lines.append(f"| {who} | {name} | {method} | {r['episodes']} | {r['detected']} | {r['recall']:.3f} | "
                             f"{delay} | {mean} | {r['onsets']} | {r['false_alarms']} | {r['precision']:.3f} | "
                             f"{goals} |")  # fmt: skip
        notes.append(
            f"- {label}: rules used {', '.join(bt.rules_used)}; {len(bt.timeline):,} region-months in "
            f"force; month-by-month replay 1985-01..{bt.rates.index[-1]} of {bt.rates.shape[1]} regions in "
            f"{seconds:.1f} s" + (f"; forecasts: {bt.forecast_model}" if bt.forecast_model else "")
        )
    body = "\n".join(lines) + "\n\n" + "\n".join(notes) + "\n"
    write("warnings_us_states", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
