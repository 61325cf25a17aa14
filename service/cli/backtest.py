"""`labourwatch backtest`: a rolling-origin forecast backtest on any tidy monthly CSV.

    labourwatch backtest --data us.csv --indicator unemployment_rate_sa --origins 20 --step 6 --horizon 6 \\
        --out forecasts.csv --from 1990-01 --executor process

Input columns: region and/or region_code, period (YYYY-MM), indicator, value. The last origin is `horizon` months
before the last month of data, the others `step` months apart before it. Output: one row per region, origin and
target month (region, origin, period, horizon, mean, lo80, hi80, lo95, hi95, model) and a summary table of MASE,
RMSE and interval coverage by horizon. Each series is tested for seasonality (seasonal adjusted or raw data both
work). Bad input stops the command with every problem listed by file, line and field, and a non-zero exit.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import click

__all__ = ["backtest"]

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_MAX_REPORTED = 20


class InputError(click.ClickException):
    """Bad input file: the message names the file, line and field of every problem found."""


def read_tidy_csv(path: Path, indicator: str):
    """The rows of `indicator` as a frame (series_id, region, period, value); InputError listing every problem.

    Line numbers count the header as line 1, as an editor shows them."""
    import pandas as pd

    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{path}: cannot read as CSV: {exc}") from exc
    raw.columns = [c.strip() for c in raw.columns]
    missing = [c for c in ("period", "indicator", "value") if c not in raw.columns]
    if "region" not in raw.columns and "region_code" not in raw.columns:
        missing.append("region or region_code")
    if missing:
        raise InputError(f"{path}: missing column(s): {', '.join(missing)} (have: {', '.join(raw.columns)})")
    known = sorted(set(raw["indicator"].str.strip()))
    rows = raw[raw["indicator"].str.strip() == indicator]
    if rows.empty:
        raise InputError(
            f"{path}: field 'indicator': unknown indicator {indicator!r}; the file has: {', '.join(known)}"
        )
    region = rows["region"].str.strip() if "region" in rows else pd.Series("", index=rows.index)
    code = rows["region_code"].str.strip() if "region_code" in rows else pd.Series("", index=rows.index)
    problems: list[str] = []
    for idx in rows.index:
        line = int(idx) + 2
        if not region[idx] and not code[idx]:
            problems.append(f"{path}:{line}: field 'region': both region and region_code are empty")
        p = rows.at[idx, "period"].strip()
        if not _MONTH.match(p):
            problems.append(f"{path}:{line}: field 'period': {p!r} is not a month written YYYY-MM")
        v = rows.at[idx, "value"].strip()
        try:
            float(v)
        except ValueError:
            problems.append(f"{path}:{line}: field 'value': {v!r} is not a number")
        if len(problems) > _MAX_REPORTED:
            break
    if not problems:
        sid = code.where(code != "", region)
        key = sid + "|" + rows["period"].str.strip()
        dup = key.duplicated(keep="first")
        for idx in key[dup].index[:_MAX_REPORTED]:
            first = key[key == key[idx]].index[0]
            problems.append(
                f"{path}:{int(idx) + 2}: field 'period': second value for region {sid[idx]!r} in "
                f"{rows.at[idx, 'period'].strip()} (first on line {int(first) + 2})"
            )
    if problems:
        more = " (stopped after the first problems)" if len(problems) > _MAX_REPORTED else ""
        raise InputError(f"{len(problems)} problem(s) in {path}{more}:\n" + "\n".join(problems[:_MAX_REPORTED]))
    sid = code.where(code != "", region)
    name = region.where(region != "", code)
    return pd.DataFrame(
        {
            "series_id": sid.to_numpy(),
            "region": name.to_numpy(),
            "period": rows["period"].str.strip().to_numpy(),
            "value": rows["value"].astype(float).to_numpy(),
        }
    )


def _parse_exog(exog: tuple[str, ...], models: str | None) -> list[tuple[str, int]]:
    out = []
    for item in exog:
        name, _, lag = item.rpartition(":")
        if not name or not lag.isdigit() or int(lag) < 1:
            raise click.BadParameter(
                f"{item!r}: write INDICATOR:LAG with a lag of at least 1 month", param_hint="--exog"
            )
        out.append((name.strip(), int(lag)))
    if out and "sarimax" not in [m.strip() for m in (models or "").split(",")]:
        raise click.BadParameter("signals feed the sarimax member: add sarimax to --models", param_hint="--exog")
    return out


def _format_table(table) -> str:
    lines = ["horizon      n     MASE     RMSE   cov80   cov95"]
    for _, r in table.iterrows():
        lines.append(
            f"{r['horizon']:>7} {int(r['n']):>6} {r['mase']:>8.3f} {r['rmse']:>8.3f} "
            f"{r['coverage80']:>7.1%} {r['coverage95']:>7.1%}"
        )
    return "\n".join(lines)


@click.command("backtest")
@click.option(
    "--data",
    "data_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Tidy CSV: region and/or region_code, period (YYYY-MM), indicator, value.",
)
@click.option("--indicator", required=True, help="Indicator to forecast, e.g. unemployment_rate_sa.")
@click.option("--origins", default=20, show_default=True, type=click.IntRange(min=1), help="Reported origins.")
@click.option("--step", default=6, show_default=True, type=click.IntRange(min=1), help="Months between origins.")
@click.option("--horizon", default=6, show_default=True, type=click.IntRange(min=1), help="Months ahead.")
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the forecasts (CSV).",
)
@click.option("--from", "start", default=None, help="Use data from this month on (YYYY-MM).")
@click.option(
    "--models", default=None, help="Comma-separated members, e.g. ets,pooled_ar,theta (default: chosen by seasonality)."
)
@click.option(
    "--combine",
    default="inverse",
    show_default=True,
    type=click.Choice(["mean", "median", "inverse", "best", "first"]),
    help="How members are combined (inverse: weights 1/MASE from earlier origins).",
)
@click.option(
    "--warmup",
    default=20,
    show_default=True,
    type=click.IntRange(min=0),
    help="Extra origins before the first reported one, for model choice and interval calibration.",
)
@click.option(
    "--season-length",
    default="auto",
    show_default=True,
    help="auto (test each series), or a number: 1 for seasonally adjusted data, 12 for raw monthly.",
)
@click.option(
    "--exog",
    multiple=True,
    metavar="INDICATOR:LAG",
    help="A leading signal from the same file for the sarimax member, used LAG months late "
    "(e.g. new_ui_claims:1); repeatable. Needs sarimax in --models.",
)
@click.option(
    "--executor", default="process", show_default=True, help="serial, process[:N], dask://local or dask://HOST:PORT."
)
def backtest(
    data_path,
    indicator,
    origins,
    step,
    horizon,
    out_path,
    start,
    models,
    combine,
    warmup,
    season_length,
    exog,
    executor,
) -> None:
    """Rolling-origin backtest: forecasts from each origin, scored against what happened."""
    if not data_path.is_file():
        raise InputError(f"{data_path}: no such file")
    if start is not None and not _MONTH.match(start):
        raise click.BadParameter(f"{start!r} is not a month written YYYY-MM", param_hint="--from")
    if season_length != "auto" and not season_length.isdigit():
        raise click.BadParameter("use auto or a whole number", param_hint="--season-length")
    signals = _parse_exog(exog, models)
    frame = read_tidy_csv(data_path, indicator)
    for name, _ in signals:
        sig = read_tidy_csv(data_path, name)[["series_id", "period", "value"]].rename(columns={"value": f"x:{name}"})
        frame = frame.merge(sig, on=["series_id", "period"], how="left")
    from models.panel import PanelConfig, forecast_panel  # heavy: only once the input is known to be good
    from models.scores import score_by_horizon

    try:
        config = PanelConfig(
            horizon=horizon,
            origins=origins,
            step=step,
            warmup=warmup,
            models=tuple(m.strip() for m in models.split(",") if m.strip()) if models else None,
            combine=combine,
            season_length=None if season_length == "auto" else int(season_length),
            start=start,
            live=False,
            exog=tuple((f"x:{name}", lag) for name, lag in signals),
        )
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--models") from exc
    t0 = time.perf_counter()
    try:
        cols = ["series_id", "period", "value", *[f"x:{name}" for name, _ in signals]]
        result = forecast_panel(frame[cols], config, executor=executor)
    except ValueError as exc:
        raise InputError(f"{data_path}: {exc}") from exc
    elapsed = time.perf_counter() - t0
    pts = result.points[result.points["kind"] == "backtest"]
    if pts.empty:
        raise InputError(
            f"{data_path}: too little data for {origins} origin(s) {step} months apart and horizon {horizon}"
        )
    names = frame.drop_duplicates("series_id").set_index("series_id")["region"]
    out = pts.assign(region=pts["series_id"].map(names))
    cols = ["region", "origin", "period", "horizon", "mean", "lo80", "hi80", "lo95", "hi95", "model"]
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out[cols].to_csv(out_path, index=False, float_format="%.6g")
    scale = result.series.set_index("series_id")["scale"]
    table = score_by_horizon(pts, scale)
    seasonal = int((result.series["season_length"] > 1).sum())
    click.echo(
        f"{len(result.series)} series ({seasonal} seasonal), {pts['origin'].nunique()} origins "
        f"{pts['origin'].min()}..{pts['origin'].max()}, horizon {horizon}; {len(out)} rows written to {out_path} "
        f"in {elapsed:.1f} s"
    )
    click.echo(_format_table(table))
    if not result.fallbacks.empty:
        counts = result.fallbacks.groupby("model").size()
        click.echo("fallbacks: " + ", ".join(f"{m} {n}" for m, n in counts.items()), err=True)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(backtest())
