"""`labourwatch backtest-warnings`: replay the warning rules month by month on a tidy CSV and score them."""

from __future__ import annotations

from pathlib import Path

import click

from service.cli._common import settings_of

__all__ = ["backtest_warnings"]

GRADES = {"I": 1, "II": 2, "III": 3, "IV": 4}


@click.command("backtest-warnings")
@click.option(
    "--data",
    "data",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="Tidy monthly CSV: region_code (or region), period (YYYY-MM), indicator, value.",
)
@click.option("--indicator", required=True, help="The indicator of the file to replay, e.g. unemployment_rate_sa.")
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Where to write the timeline CSV: region, period, grade (I-IV), one row per month in force.",
)
@click.option(
    "--rules",
    "rules",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A thresholds.yaml to replay (default: LABOURWATCH_THRESHOLDS_PATH).",
)
@click.option(
    "--as",
    "as_indicator",
    default="surveyed_unemployment_rate",
    show_default=True,
    help="The rules' indicator the file's indicator stands for.",
)
@click.option("--from", "start", default=None, help="First month to replay (YYYY-MM); default: the file's first.")
@click.option("--score-from", default=None, help="First month scored (YYYY-MM); default: two years into the replay.")
@click.option("--split", default=None, help="Also score before and from this month (YYYY-MM), e.g. 2005-01.")
@click.option(
    "--grade",
    type=click.Choice(list(GRADES)),
    default="III",
    show_default=True,
    help="Score warnings of this grade or worse.",
)
@click.pass_context
def backtest_warnings(ctx, data, indicator, out, rules, as_indicator, start, score_from, split, grade) -> None:
    """Replay the rules as of every month (only figures up to that month) and score them against the Sahm rule.

    Works on seasonally adjusted and unadjusted series alike (rules with `seasonal: auto` adjust a series whose
    history shows a month-of-year pattern, from earlier years only). Episodes, onsets and false alarms follow
    the fixed definitions in service/alerting/score.py.
    """
    import pandas as pd

    from service.alerting import AlertingError, load_rules_file
    from service.alerting.backtest import backtest_frame, compare, timeline_csv

    path = rules or settings_of(ctx).thresholds_path
    try:
        ruleset = load_rules_file(path)
        tidy = pd.read_csv(data, dtype={"region_code": str, "region": str})
        bt = backtest_frame(
            tidy,
            indicator=indicator,
            ruleset=ruleset,
            as_indicator=as_indicator,
            start=pd.Period(start, "M") if start else None,
        )
    except (AlertingError, ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(timeline_csv(bt.timeline), encoding="utf-8")
    months = pd.PeriodIndex(bt.rates.index, freq="M")
    first = pd.Period(score_from, "M") if score_from else (pd.Period(start, "M") if start else months[0]) + 24
    click.echo(
        f"rules: {path} (used {', '.join(bt.rules_used) or 'none'}; skipped {', '.join(bt.rules_skipped) or 'none'})"
    )
    if bt.forecast_model:
        click.echo(f"forecasts for forecast rules: {bt.forecast_model}, each from data up to its month")
    click.echo(f"timeline: {len(bt.timeline)} region-months in force, {bt.rates.shape[1]} regions -> {out}")
    click.echo(
        f"score: grade {grade} or worse against the Sahm rule (0.5 pp); episodes and onsets from {first}, "
        f"judged up to 30 months before the data end"
    )
    click.echo(
        f"{'window':<18} {'method':<6} {'episodes':>8} {'recall':>7} {'median delay':>12} {'onsets':>7} "
        f"{'false alarms':>12} {'precision':>9}"
    )
    for r in compare(bt, first=first, split=pd.Period(split, "M") if split else None, worst=GRADES[grade]):
        delay = "-" if r["median_delay"] is None else f"{r['median_delay']:g}"
        click.echo(
            f"{r['window']:<18} {r['method']:<6} {r['episodes']:>8} {r['recall']:>7.3f} {delay:>12} "
            f"{r['onsets']:>7} {r['false_alarms']:>12} {r['precision']:>9.3f}"
        )
