"""`labourwatch backtest` end to end: a real process on real and synthetic CSVs, and clear errors on bad input."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from service.cli import cli

ROOT = Path(__file__).resolve().parents[2]
US_STATES = ROOT.parent / "shared" / "data" / "us_state_unemployment_monthly.csv"
LABOURWATCH = Path(sys.executable).parent / "labourwatch"
OUT_COLUMNS = ["region", "origin", "period", "horizon", "mean", "lo80", "hi80", "lo95", "hi95", "model"]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(LABOURWATCH), "backtest", *args], capture_output=True, text=True, timeout=300)


@pytest.mark.shared_data
def test_real_us_states_slice(tmp_path):
    if not US_STATES.is_file():
        pytest.skip(f"real data not present at {US_STATES} (a fresh clone without ../shared/data)")
    raw = pd.read_csv(US_STATES, dtype={"region_code": str})
    keep = raw["region"].isin(["Alabama", "Michigan", "Texas"]) & (raw["period"] >= "2008-01")
    data = tmp_path / "us3.csv"
    raw[keep].to_csv(data, index=False)
    out = tmp_path / "fc.csv"
    res = _run(
        "--data",
        str(data),
        "--indicator",
        "unemployment_rate_sa",
        "--origins",
        "4",
        "--step",
        "6",
        "--horizon",
        "6",
        "--warmup",
        "6",
        "--out",
        str(out),
        "--from",
        "2010-01",
        "--executor",
        "serial",
    )
    assert res.returncode == 0, res.stderr
    fc = pd.read_csv(out, dtype={"origin": str, "period": str})
    assert list(fc.columns) == OUT_COLUMNS
    assert len(fc) == 3 * 4 * 6
    # the last origin is 6 months before the last month of data, the others 6 months apart
    last = raw.loc[keep, "period"].max()
    last_origin = str(pd.Period(last, freq="M") - 6)
    assert sorted(fc["origin"].unique())[-1] == last_origin
    assert fc["origin"].nunique() == 4
    assert (fc["lo95"] <= fc["lo80"]).all() and (fc["hi80"] <= fc["hi95"]).all()
    assert set(fc["model"]) == {"combo:ets+pooled_ar"}  # seasonally adjusted: non-seasonal members
    assert "(0 seasonal)" in res.stdout and "MASE" in res.stdout and "cov80" in res.stdout


def _synthetic(path: Path) -> None:
    """Raw (not seasonally adjusted) monthly rates for two cities, one given by code only."""
    rng = np.random.default_rng(9)
    periods = pd.period_range("2012-01", "2024-12", freq="M")
    season = 0.6 * np.cos(2 * np.pi * (periods.month.to_numpy() - 2) / 12)  # peak after Spring Festival
    rows = []
    for name, code, base in [("长沙", "430100", 4.8), ("", "430200", 5.3)]:
        level = base + np.cumsum(rng.normal(0, 0.05, len(periods)))
        y = level + season + rng.normal(0, 0.05, len(periods))
        rows += [
            (name, code, str(p), "surveyed_unemployment_rate", round(v, 2)) for p, v in zip(periods, y, strict=True)
        ]
        rows += [(name, code, str(p), "new_ui_claims", 100) for p in periods]
    pd.DataFrame(rows, columns=["region", "region_code", "period", "indicator", "value"]).to_csv(path, index=False)


def test_synthetic_seasonal_csv(tmp_path):
    data, out = tmp_path / "hunan.csv", tmp_path / "out" / "fc.csv"
    _synthetic(data)
    res = _run(
        "--data",
        str(data),
        "--indicator",
        "surveyed_unemployment_rate",
        "--origins",
        "3",
        "--step",
        "3",
        "--horizon",
        "2",
        "--warmup",
        "8",
        "--out",
        str(out),
        "--executor",
        "process:2",
    )
    assert res.returncode == 0, res.stderr
    fc = pd.read_csv(out, dtype={"origin": str})
    assert len(fc) == 2 * 3 * 2
    assert set(fc["region"]) == {"长沙", "430200"}  # a region without a name is shown by its code
    assert "(2 seasonal)" in res.stdout
    assert fc["model"].str.startswith("combo:ets+theta").all()


def _bad_csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    return path


GOOD_HEAD = "region,region_code,period,indicator,value\n"
GOOD_ROW = "Changsha,430100,2024-01,rate,5.1\n"


@pytest.mark.parametrize(
    ("text", "indicator", "expected"),
    [
        ("region,period,value\nA,2024-01,5\n", "rate", ["missing column(s): indicator"]),
        ("period,indicator,value\n2024-01,rate,5\n", "rate", ["missing column(s): region or region_code"]),
        (GOOD_HEAD + GOOD_ROW + "Changsha,430100,2024/02,rate,5.2\n", "rate", [":3: field 'period'", "'2024/02'"]),
        (GOOD_HEAD + GOOD_ROW + "Changsha,430100,2024-13,rate,5.2\n", "rate", [":3: field 'period'"]),
        (GOOD_HEAD + GOOD_ROW + "Changsha,430100,2024-02,rate,five\n", "rate", [":3: field 'value'", "'five'"]),
        (GOOD_HEAD + GOOD_ROW + ",,2024-02,rate,5.2\n", "rate", [":3: field 'region'"]),
        (GOOD_HEAD + GOOD_ROW + GOOD_ROW, "rate", [":3: field 'period'", "first on line 2"]),
        (GOOD_HEAD + GOOD_ROW, "claims", ["field 'indicator'", "unknown indicator 'claims'", "the file has: rate"]),
        (GOOD_HEAD + "A,1,2024-1,rate,x\nB,2,2024-02,rate,y\n", "rate", [":2: field 'period'", ":3: field 'value'"]),
    ],
    ids=[
        "no-indicator",
        "no-region",
        "slash-period",
        "month-13",
        "text-value",
        "no-region-value",
        "duplicate",
        "unknown-indicator",
        "all-problems-listed",
    ],
)
def test_bad_input_names_file_line_and_field(tmp_path, text, indicator, expected):
    path = _bad_csv(tmp_path, text)
    res = CliRunner().invoke(
        cli, ["backtest", "--data", str(path), "--indicator", indicator, "--out", str(tmp_path / "o.csv")]
    )
    assert res.exit_code != 0
    assert str(path) in res.output
    for fragment in expected:
        assert fragment in res.output
    assert not (tmp_path / "o.csv").exists()


def test_leading_signal_feeds_sarimax(tmp_path):
    data, out = tmp_path / "hunan.csv", tmp_path / "fc.csv"
    _synthetic(data)
    res = CliRunner().invoke(
        cli,
        [
            "backtest",
            "--data",
            str(data),
            "--indicator",
            "surveyed_unemployment_rate",
            "--origins",
            "2",
            "--step",
            "3",
            "--horizon",
            "2",
            "--warmup",
            "2",
            "--out",
            str(out),
            "--models",
            "sarimax,naive",
            "--exog",
            "new_ui_claims:1",
            "--season-length",
            "1",
            "--executor",
            "serial",
        ],
    )
    assert res.exit_code == 0, res.output
    assert set(pd.read_csv(out)["model"]) == {"combo:sarimax+naive"}


def test_bad_input_in_a_real_process_exits_non_zero_on_stderr(tmp_path):
    path = _bad_csv(tmp_path, GOOD_HEAD + "Changsha,430100,24-01,rate,5.1\n")
    res = _run("--data", str(path), "--indicator", "rate", "--out", str(tmp_path / "o.csv"))
    assert res.returncode != 0
    assert f"{path}:2: field 'period'" in res.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--from", "2020"], "--from"),
        (["--models", "ets,oracle"], "unknown model"),
        (["--season-length", "yearly"], "--season-length"),
        (["--exog", "claims"], "INDICATOR:LAG"),
        (["--exog", "claims:0", "--models", "sarimax"], "INDICATOR:LAG"),
        (["--exog", "claims:1"], "add sarimax to --models"),
    ],
)
def test_bad_options(tmp_path, args, expected):
    path = _bad_csv(tmp_path, GOOD_HEAD + GOOD_ROW)
    res = CliRunner().invoke(
        cli, ["backtest", "--data", str(path), "--indicator", "rate", "--out", str(tmp_path / "o.csv"), *args]
    )
    assert res.exit_code != 0 and expected in res.output


def test_missing_file(tmp_path):
    res = CliRunner().invoke(
        cli, ["backtest", "--data", str(tmp_path / "nope.csv"), "--indicator", "rate", "--out", str(tmp_path / "o.csv")]
    )
    assert res.exit_code != 0 and "nope.csv: no such file" in res.output


def test_cli_defaults_are_the_library_defaults():
    from models import PanelConfig
    from service.cli.backtest import backtest

    defaults = {p.name: p.default for p in backtest.params}
    cfg = PanelConfig()
    assert (defaults["combine"], defaults["warmup"]) == (cfg.combine, cfg.warmup)
    assert (defaults["origins"], defaults["step"], defaults["horizon"]) == (cfg.origins, cfg.step, cfg.horizon)
