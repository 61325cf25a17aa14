"""`labourwatch backtest-warnings` on a tidy CSV: writes the timeline, prints the score table."""

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from testkit.alerting import ROOT

from service.cli import cli


def write_tidy(path, values: dict[str, np.ndarray], start="1990-01", indicator="unemployment_rate_sa"):
    rows = [(f"State {code}", code, str(pd.Period(start, "M") + i), indicator, round(float(v), 1))
            for code, series in values.items() for i, v in enumerate(series)]  # fmt: skip
    pd.DataFrame(rows, columns=["region", "region_code", "period", "indicator", "value"]).to_csv(path, index=False)


def recession(n=240, at=100):
    """Falling slowly to a trough at `at`, then up 3 pp in a year, then slowly down again."""
    x = np.linspace(6.0, 4.0, n)
    x[:at] = np.linspace(6.0, 4.0, at)
    x[at : at + 12] = 4.0 + np.linspace(0.25, 3.0, 12)
    x[at + 12 :] = np.linspace(7.0, 5.0, n - at - 12)
    return x


def test_backtest_writes_the_timeline_and_scores_against_sahm(tmp_path):
    data, out = tmp_path / "states.csv", tmp_path / "out" / "timeline.csv"
    write_tidy(data, {"01": recession(), "02": np.full(240, 5.0), "03": recession(at=130)})
    result = CliRunner().invoke(cli, ["backtest-warnings", "--data", str(data), "--indicator", "unemployment_rate_sa",
                                      "--out", str(out), "--rules", str(ROOT / "thresholds.yaml"),
                                      "--split", "2000-01"])  # fmt: skip
    assert result.exit_code == 0, result.output
    timeline = pd.read_csv(out, dtype=str)
    assert list(timeline.columns) == ["region", "period", "grade"]
    assert set(timeline["grade"]) <= {"I", "II", "III", "IV"} and set(timeline["region"]) == {"01", "03"}
    rows = {tuple(line.split()[:2]): line.split()[2:] for line in result.output.splitlines() if ".." in line}
    assert set(rows) == {(w, m) for w in ("1992-01..1999-12", "2000-01..", "1992-01..") for m in ("ours", "sahm")}
    assert rows[("1992-01..", "ours")][:2] == ["2", "1.000"]  # both episodes detected
    assert "skipped ui-claims-yoy" in result.output


def test_a_file_without_the_indicator_is_a_clear_error(tmp_path):
    data = tmp_path / "x.csv"
    write_tidy(data, {"01": np.full(30, 5.0)}, indicator="other")
    result = CliRunner().invoke(cli, ["backtest-warnings", "--data", str(data), "--indicator", "rate", "--out",
                                      str(tmp_path / "t.csv"), "--rules", str(ROOT / "thresholds.yaml")])  # fmt: skip
    assert result.exit_code != 0 and "no rows of indicator 'rate'" in result.output


@pytest.mark.shared_data
def test_the_tuned_rules_warn_in_2008_on_real_states(shared_data, tmp_path):
    tidy = pd.read_csv(shared_data / "us_state_unemployment_monthly.csv", dtype={"region_code": str})
    tidy = tidy[tidy["region_code"].isin(["06", "12", "26", "48"]) & (tidy["period"] >= "2000-01")]
    data = tmp_path / "four.csv"
    tidy[tidy["period"] <= "2012-12"].to_csv(data, index=False)
    out = tmp_path / "t.csv"
    result = CliRunner().invoke(cli, ["backtest-warnings", "--data", str(data), "--indicator", "unemployment_rate_sa",
                                      "--out", str(out), "--rules", str(ROOT / "bench" / "thresholds_us_states.yaml"),
                                      "--from", "2003-01"])  # fmt: skip
    assert result.exit_code == 0, result.output
    timeline = pd.read_csv(out, dtype=str)
    onset = timeline.groupby("region")["period"].min()
    assert set(onset.index) == {"06", "12", "26", "48"} and (onset <= "2008-06").all(), onset
