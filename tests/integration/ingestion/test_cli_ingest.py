"""`labourwatch ingest survey`: exit 0 when the batch lands or is a duplicate, 1 with the problems when refused."""

from click.testing import CliRunner
from testkit.factories import survey_csv

from service.cli import cli


def test_cli_exit_codes(fresh_db, tmp_path):
    env = {"LABOURWATCH_DATABASE_URL": fresh_db.url, "LABOURWATCH_DATA_DIR": str(tmp_path / "var")}
    good = tmp_path / "good.csv"
    good.write_bytes(survey_csv({"430700": [5.0, 5.1]}))
    bad = tmp_path / "bad.csv"
    bad.write_text("地区代码,时期,指标,数值\n430700,2025-13,城镇调查失业率,5\n", encoding="utf-8")
    runner = CliRunner()
    landed = runner.invoke(cli, ["ingest", "survey", str(good), "--no-progress"], env=env)
    assert landed.exit_code == 0 and "landed: 2 rows" in landed.output, landed.output
    again = runner.invoke(cli, ["ingest", "survey", str(good), "--no-progress"], env=env)
    assert again.exit_code == 0 and "duplicate" in again.output
    refused = runner.invoke(cli, ["ingest", "survey", str(bad), "--no-progress"], env=env)
    assert refused.exit_code == 1
    assert "bad.csv, row 2, column '时期': not a month" in refused.output and "月份格式错误" in refused.output
    assert "refused: 1 problem(s)" in refused.output
    fresh = runner.invoke(cli, ["ingest", "freshness"], env=env)
    assert "survey" in fresh.output and fresh.exit_code == 1  # other sources never delivered: overdue
