"""Forecast accuracy and speed on the 53 US state-level unemployment rates, against statsforecast and Prophet.

Protocol (fixed before any result was seen): ../shared/data/us_state_unemployment_monthly.csv, indicator
unemployment_rate_sa, all 53 regions, data from 1990-01; 20 origins 6 months apart, the last at 2025-02;
horizons 1-6. MASE is scaled by each series' mean absolute one-month change up to the first origin (2015-08);
RMSE is in percentage points; coverage is the share of actual values inside the 80 % (and 95 %) intervals.
Every model is scored on the same windows, with and without the origins whose windows touch 2020-03..2020-12.

Timed: our whole run (backtests with warm-up origins, model combination, interval calibration), against
statsforecast's cross_validation of Naive, SeasonalNaive, AutoETS and AutoTheta (season length 12, n_jobs=-1,
numba compiled before the clock starts). Prophet (default settings) is scored but not timed against us.

    .venv/bin/python -m bench forecast_us_states                 # the full protocol (about 10 minutes)
    .venv/bin/python -m bench forecast_us_states --quick         # 8 states, no Prophet: a smoke run
"""

from __future__ import annotations

import argparse
import logging
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from bench._report import write

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "us_state_unemployment_monthly.csv"
INDICATOR = "unemployment_rate_sa"
START, LAST_ORIGIN, N_ORIGINS, STEP, H = "1990-01", "2025-02", 20, 6, 6
COVID = ("2020-03", "2020-12")
LEVELS = (80, 95)


def load(quick: bool) -> pd.DataFrame:
    raw = pd.read_csv(DATA, dtype={"region_code": str})
    df = raw[(raw["indicator"] == INDICATOR) & (raw["period"] >= START)]
    if quick:
        df = df[df["region"].isin(sorted(df["region"].unique())[::7])]
    return df.rename(columns={"region": "series_id"})[["series_id", "period", "value"]].reset_index(drop=True)


def protocol_origins(frame: pd.DataFrame) -> list[str]:
    last = pd.Period(LAST_ORIGIN, freq="M")
    end = pd.Period(frame["period"].max(), freq="M")
    assert end - H == last, f"data end {end} does not put the last origin at {LAST_ORIGIN}"
    return [str(last - STEP * k) for k in range(N_ORIGINS)][::-1]


def run_ours(frame: pd.DataFrame, executor: str):
    from models import PanelConfig, forecast_panel

    cfg = PanelConfig(horizon=H, origins=N_ORIGINS, step=STEP, live=False)
    t0 = time.perf_counter()
    result = forecast_panel(frame, cfg, executor=executor)
    seconds = time.perf_counter() - t0
    pts = result.points[result.points["kind"] == "backtest"]
    ours = pts.assign(model="labourwatch")[
        ["model", "series_id", "origin", "period", "horizon", "mean", "lo80", "hi80", "lo95", "hi95", "actual"]
    ]
    members = result.members[result.members["kind"] == "backtest"]
    members = members.assign(model="lw:" + members["model"])[ours.columns]
    return pd.concat([ours, members], ignore_index=True), seconds, result


def _sf_frame(frame: pd.DataFrame) -> pd.DataFrame:
    ds = pd.PeriodIndex(frame["period"], freq="M").to_timestamp()
    return pd.DataFrame({"unique_id": frame["series_id"].to_numpy(), "ds": ds, "y": frame["value"].to_numpy()})


def run_statsforecast(frame: pd.DataFrame):
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS, AutoTheta, Naive, SeasonalNaive

    def make():
        models = [Naive(), SeasonalNaive(season_length=12), AutoETS(season_length=12), AutoTheta(season_length=12)]
        return StatsForecast(models=models, freq="MS", n_jobs=-1)

    df = _sf_frame(frame)
    warm = df[df["unique_id"] == df["unique_id"].iloc[0]]
    make().cross_validation(df=warm, h=H, step_size=STEP, n_windows=2, level=list(LEVELS))  # compile numba first
    t0 = time.perf_counter()
    cv = make().cross_validation(df=df, h=H, step_size=STEP, n_windows=N_ORIGINS, level=list(LEVELS))
    seconds = time.perf_counter() - t0
    cv = cv.reset_index() if "unique_id" not in cv.columns else cv
    origin = cv["cutoff"].dt.to_period("M")
    period = cv["ds"].dt.to_period("M")
    parts = []
    for name in ("Naive", "SeasonalNaive", "AutoETS", "AutoTheta"):
        parts.append(
            pd.DataFrame(
                {
                    "model": f"sf:{name}",
                    "series_id": cv["unique_id"].to_numpy(),
                    "origin": origin.astype(str).to_numpy(),
                    "period": period.astype(str).to_numpy(),
                    "horizon": (period - origin).map(lambda d: d.n).to_numpy(),
                    "mean": cv[name].to_numpy(),
                    **{f"{s}{lv}": cv[f"{name}-{s}-{lv}"].to_numpy() for lv in LEVELS for s in ("lo", "hi")},
                    "actual": cv["y"].to_numpy(),
                }
            )
        )
    return pd.concat(parts, ignore_index=True), seconds


def run_prophet(frame: pd.DataFrame, origins: list[str], executor: str):
    from models.backtest import SeriesTask, run_series
    from models.fanout import make_executor

    first = pd.Period(frame["period"].min(), freq="M")
    tasks = []
    for sid, g in frame.groupby("series_id", sort=True):
        g = g.sort_values("period")
        rows = tuple(int((pd.Period(o, freq="M") - first).n) for o in origins)
        tasks.append(SeriesTask(sid, g["value"].to_numpy(float), str(first), "M", rows, H, ("prophet",), refit_every=1))
    t0 = time.perf_counter()
    with make_executor(executor) as ex:
        runs = ex.map(run_series, tasks)
    seconds = time.perf_counter() - t0
    values = frame.pivot(index="period", columns="series_id", values="value")
    rows = []
    for run in runs:
        for (o, _), f in run.forecasts.items():
            for k in range(H):
                period = str(first + o + k + 1)
                rows.append(
                    (
                        "prophet",
                        run.series_id,
                        str(first + o),
                        period,
                        k + 1,
                        f["mean"][k],
                        f["lo-80"][k],
                        f["hi-80"][k],
                        f["lo-95"][k],
                        f["hi-95"][k],
                        values.at[period, run.series_id],
                    )
                )
    cols = ["model", "series_id", "origin", "period", "horizon", "mean", "lo80", "hi80", "lo95", "hi95", "actual"]
    return pd.DataFrame(rows, columns=cols), seconds


def scales(frame: pd.DataFrame, first_origin: str) -> pd.Series:
    upto = frame[frame["period"] <= first_origin].sort_values("period")
    return upto.groupby("series_id")["value"].apply(lambda s: s.diff().abs().mean())


def covid_origins(origins: list[str]) -> set[str]:
    out = set()
    for o in origins:
        targets = [str(pd.Period(o, freq="M") + k) for k in range(1, H + 1)]
        if any(COVID[0] <= t <= COVID[1] for t in targets):
            out.add(o)
    return out


def tables(long: pd.DataFrame, scale: pd.Series, excluded: set[str]) -> dict[str, pd.DataFrame]:
    long = long.copy()
    long["ae"] = (long["mean"] - long["actual"]).abs() / long["series_id"].map(scale)
    long["se"] = (long["mean"] - long["actual"]) ** 2
    for lv in LEVELS:
        long[f"c{lv}"] = (long["actual"] >= long[f"lo{lv}"]) & (long["actual"] <= long[f"hi{lv}"])
    out = {}
    for tag, sub in (("all", long), ("nocovid", long[~long["origin"].isin(excluded)])):
        mase = sub.pivot_table(index="model", columns="horizon", values="ae", aggfunc="mean")
        mase["mean"] = mase.mean(axis=1)
        rmse = np.sqrt(sub.pivot_table(index="model", columns="horizon", values="se", aggfunc="mean"))
        rmse["mean"] = rmse.mean(axis=1)
        cover = sub.groupby("model")[[f"c{lv}" for lv in LEVELS]].mean()
        cover80h = sub.pivot_table(index="model", columns="horizon", values="c80", aggfunc="mean")
        out[f"mase_{tag}"], out[f"rmse_{tag}"], out[f"cover_{tag}"], out[f"cover80h_{tag}"] = (
            mase,
            rmse,
            cover,
            cover80h,
        )
    return out


def _md(df: pd.DataFrame, fmt: str) -> str:
    cols = [str(c) for c in df.columns]
    lines = ["| model | " + " | ".join(cols) + " |", "|---|" + "---:|" * len(cols)]
    for idx, row in df.iterrows():
        lines.append(f"| {idx} | " + " | ".join(format(v, fmt) for v in row.to_numpy()) + " |")
    return "\n".join(lines)


PEERS = ("sf:Naive", "sf:SeasonalNaive", "sf:AutoETS", "sf:AutoTheta", "prophet")


def verdict(t: dict[str, pd.DataFrame], tag: str) -> list[str]:
    mase = t[f"mase_{tag}"]
    peers = mase.loc[[p for p in PEERS if p in mase.index]]
    ours = mase.loc["labourwatch"]
    best = peers.drop(columns="mean").min(axis=0)
    best_mean_name = peers["mean"].idxmin()
    ratio = ours["mean"] / peers["mean"].min()
    per_h = " ".join(f"h{h}:{ours[h] / best[h]:.2f}" for h in best.index)
    cov = t[f"cover_{tag}"].loc["labourwatch", "c80"]
    return [
        f"- ours / best peer by horizon ({tag}): {per_h}; at or below at every horizon: "
        f"{'yes' if all(ours[h] <= best[h] for h in best.index) else 'no'}",
        f"- ours / best peer averaged over horizons ({tag}): {ratio:.3f} (best peer {best_mean_name}); "
        f"goal <= 0.90: {'met' if ratio <= 0.90 else 'missed'}",
        f"- our 80 % coverage ({tag}): {cov:.1%}; goal 77-83 %: {'met' if 0.77 <= cov <= 0.83 else 'missed'}",
    ]


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="bench forecast_us_states")
    ap.add_argument("--quick", action="store_true", help="8 states, no Prophet: a smoke run")
    ap.add_argument("--no-prophet", action="store_true")
    ap.add_argument("--executor", default="process")
    args = ap.parse_args(argv)
    if not DATA.is_file():
        print(f"skipped: {DATA} not found")
        return 0
    warnings.simplefilter("ignore")
    logging.getLogger("distributed").setLevel(logging.ERROR)
    frame = load(args.quick)
    origins = protocol_origins(frame)
    excluded = covid_origins(origins)

    ours, t_ours, result = run_ours(frame, args.executor)
    sf, t_sf = run_statsforecast(frame)
    parts = [ours, sf]
    t_prophet = None
    if not (args.quick or args.no_prophet):
        prophet, t_prophet = run_prophet(frame, origins, args.executor)
        parts.append(prophet)
    long = pd.concat(parts, ignore_index=True)
    assert set(long["origin"]) == set(origins), "every model must be scored on the same origins"
    t = tables(long, scales(frame, origins[0]), excluded)

    n = frame["series_id"].nunique()
    body = [
        f"## Forecasting: {n} US states, {len(origins)} origins {origins[0]}..{origins[-1]} every {STEP} months, "
        f"horizons 1-{H}" + (" (QUICK RUN: a subset)" if args.quick else ""),
        "",
        "`labourwatch` is our published forecast (combination per series, calibrated intervals); `lw:*` are its "
        "members on their own with their own intervals; `sf:*` are statsforecast (season length 12); `prophet` is "
        "Prophet with default settings.",
        "",
        "### MASE by horizon, all origins",
        "",
        _md(t["mase_all"], ".3f"),
        "",
        "### MASE by horizon, without the origins whose windows touch 2020-03..2020-12 "
        f"({', '.join(sorted(excluded))})",
        "",
        _md(t["mase_nocovid"], ".3f"),
        "",
        "### RMSE (percentage points) by horizon, all origins",
        "",
        _md(t["rmse_all"], ".3f"),
        "",
        "### Interval coverage (80 % and 95 %), all origins and without the COVID windows",
        "",
        _md(pd.concat([t["cover_all"].add_suffix(" all"), t["cover_nocovid"].add_suffix(" no-covid")], axis=1), ".1%"),
        "",
        "### 80 % coverage by horizon, all origins",
        "",
        _md(t["cover80h_all"], ".1%"),
        "",
        "### Wall time",
        "",
        "| run | seconds |",
        "|---|---:|",
        f"| labourwatch: whole run ({args.executor}, incl. warm-up origins, combination, calibration) | {t_ours:.1f} |",
        f"| statsforecast cross_validation, 4 models, n_jobs=-1 | {t_sf:.1f} |",
        *(
            [f"| Prophet, default settings ({args.executor}; not part of the comparison) | {t_prophet:.1f} |"]
            if t_prophet is not None
            else []
        ),
        "",
        f"Ratio ours / statsforecast: {t_ours / t_sf:.2f} (goal <= 1.00: {'met' if t_ours <= t_sf else 'missed'}).",
        "",
        "### Goals",
        "",
        *verdict(t, "all"),
        *verdict(t, "nocovid"),
        "",
        f"Fallbacks recorded in our run: {len(result.fallbacks)}"
        + (f" ({result.fallbacks.groupby('model').size().to_dict()})" if len(result.fallbacks) else ""),
        "",
    ]
    write("forecast_us_states", "\n".join(body))
    return 0
