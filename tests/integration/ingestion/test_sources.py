"""The SQL source (a real second database, read-only), the watched inbox, and new data triggering the chain."""

import datetime as dt
import os
import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session
from testkit.databases import create_postgres, drop_postgres
from testkit.factories import survey_csv

from ingestion.credit_code import check_char
from service.config import Settings
from service.db.engine import make_engine
from service.db.queries import observations_as_of
from service.db.tables import Batch, EnterpriseHeadcount, JobRun
from service.jobs import run_job
from service.sources.errors import SqlSourceError
from service.sources.sql_source import query_as_csv

ROOT = Path(__file__).resolve().parents[3]
NOW = dt.datetime(2025, 4, 10, 1, 0, tzinfo=dt.UTC)
CODE = "91430100MA4L00003"
CODE += check_char(CODE)
AGGREGATES = [
    ("430100", "2025-01-01", "ui_insured", 1_210_000),
    ("430100", "2025-02-01", "ui_insured", 1_213_500),
    ("430200", "2025-02-01", "ui_new_claims", 2_150),
    ("430200", "2025-03-01", "失业保险金领取人数", 8_420),
]


def source_database(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE si_regional_monthly (region_code TEXT, period DATE, indicator TEXT, value NUMERIC)")
        conn.executemany("INSERT INTO si_regional_monthly VALUES (?, ?, ?, ?)", AGGREGATES)
        conn.execute("CREATE TABLE insured (code TEXT, name TEXT, county TEXT, industry TEXT, month TEXT, n INTEGER)")
        conn.executemany(
            "INSERT INTO insured VALUES (?, ?, ?, ?, ?, ?)",
            [
                (CODE, "长沙某智能装备有限公司", "430104", "C34", "2025-02", 812),
                (CODE, "长沙某智能装备有限公司", "430104", "C34", "2025-03", 790),
            ],
        )
    return f"sqlite:///{path}"


def settings(db_url: str, tmp_path: Path, **kw) -> Settings:
    return Settings(database_url=db_url, data_dir=tmp_path / "var", thresholds_path=ROOT / "thresholds.yaml", **kw)


def test_sql_source_lands_once_and_revisions_become_vintages(fresh_db, tmp_path):
    url = source_database(tmp_path / "si.db")
    query = (
        "SELECT code AS credit_code, name, county AS region_code, industry, month AS period, n AS insured FROM insured"
    )
    s = settings(fresh_db.url, tmp_path, social_insurance_sql_url=url, headcount_sql_query=query)
    first = run_job(s, "pull-social-insurance", now=NOW)
    assert first.status == "succeeded", first.error
    assert first.detail["social_insurance"]["rows_landed"] == 4
    assert first.detail["enterprise_headcount"]["rows_landed"] == 2
    again = run_job(s, "pull-social-insurance", now=NOW + dt.timedelta(days=1))
    assert {v["status"] for k, v in again.detail.items()} == {"duplicate"}
    with sqlite3.connect(tmp_path / "si.db") as conn:
        conn.execute(
            "UPDATE si_regional_monthly SET value = 1213900 WHERE period = '2025-02-01' AND region_code = '430100'"
        )
    later = NOW + dt.timedelta(days=2)
    revised = run_job(s, "pull-social-insurance", now=later)
    assert (
        revised.detail["social_insurance"]["rows_landed"],
        revised.detail["social_insurance"]["rows_unchanged"],
    ) == (1, 3)
    engine = fresh_db.engine()
    with Session(engine) as db:
        before = observations_as_of(db, as_of=NOW, indicators=["ui_insured"], regions=["430100"])
        after = observations_as_of(db, as_of=later, indicators=["ui_insured"], regions=["430100"])
        assert before["value"].tolist() == [1_210_000, 1_213_500] and after["value"].tolist() == [1_210_000, 1_213_900]
        assert db.scalar(select(func.count()).select_from(EnterpriseHeadcount)) == 2
    engine.dispose()


def test_sql_source_refuses_to_write_sqlite(tmp_path):
    url = source_database(tmp_path / "si.db")
    with pytest.raises(SqlSourceError, match="readonly"):
        query_as_csv(url, "DELETE FROM si_regional_monthly")
    with sqlite3.connect(tmp_path / "si.db") as conn:
        assert conn.execute("SELECT count(*) FROM si_regional_monthly").fetchone()[0] == 4


def test_sql_source_refuses_to_write_postgresql():
    source = create_postgres("lw_si_source")
    try:
        engine = make_engine(source.url)
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE si (region_code text, period date, indicator text, value numeric)"))
            conn.execute(text("INSERT INTO si VALUES ('430100', '2025-01-01', 'ui_insured', 1210000)"))
        raw, rows = query_as_csv(source.url, "SELECT * FROM si")
        assert rows == 1 and raw.decode().splitlines() == [
            "region_code,period,indicator,value",
            "430100,2025-01,ui_insured,1210000",
        ]
        with pytest.raises(SqlSourceError, match="read-only transaction"):
            query_as_csv(source.url, "DELETE FROM si")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM si")).scalar_one() == 1
        engine.dispose()
    finally:
        drop_postgres(source)


def test_inbox_lands_refuses_and_leaves_partial_files(fresh_db, tmp_path):
    s = settings(fresh_db.url, tmp_path, inbox_settle_seconds=0.5)
    survey = s.data_dir / "inbox" / "survey"
    survey.mkdir(parents=True)
    (survey / "2025-01.csv").write_bytes(survey_csv({"430500": [5.3]}, start="2025-01"))
    (survey / "bad.csv").write_bytes("地区代码,时期,指标,数值\n430500,2025-13,城镇调查失业率,5\n".encode())
    (survey / "2025-02.csv.part").write_bytes(b"still copying")
    fresh = survey / "just-arrived.csv"
    fresh.write_bytes(survey_csv({"430500": [5.4]}, start="2025-02"))
    old = time.time() - 60
    for name in ("2025-01.csv", "bad.csv", "2025-02.csv.part"):
        os.utime(survey / name, (old, old))
    run = run_job(s, "ingest-inbox", now=NOW)
    assert run.status == "succeeded" and (run.detail["landed"], run.detail["rejected"]) == (1, 1)
    assert [p.name.split("-", 1)[1] for p in (survey / "landed").iterdir()] == ["2025-01.csv"]
    assert [p.name.split("-", 1)[1] for p in (survey / "refused").iterdir()] == ["bad.csv"]
    assert fresh.exists() and (survey / "2025-02.csv.part").exists()  # not settled / still being written
    (survey / "again.csv").write_bytes(survey_csv({"430500": [5.3]}, start="2025-01"))
    os.utime(survey / "again.csv", (old, old))
    os.utime(fresh, (old, old))
    second = run_job(s, "ingest-inbox", now=NOW)
    assert sorted(f["status"] for f in second.detail["files"]) == ["duplicate", "landed"]


def test_new_batches_trigger_forecast_then_rules(fresh_db, tmp_path):
    s = settings(fresh_db.url, tmp_path)
    engine = fresh_db.engine()
    quiet = run_job(s, "process-new-data", now=NOW)
    assert quiet.status == "succeeded" and quiet.detail["new_batches"] == 0
    survey = s.data_dir / "inbox" / "survey"
    survey.mkdir(parents=True)
    (survey / "a.csv").write_bytes(survey_csv({"430200": [5.0, 5.1, 5.3, 5.9, 6.2, 6.4]}, start="2024-10"))
    os.utime(survey / "a.csv", (time.time() - 60,) * 2)
    s_inbox = settings(fresh_db.url, tmp_path, inbox_settle_seconds=0)
    assert run_job(s_inbox, "ingest-inbox", now=NOW).detail["landed"] == 1
    run = run_job(s, "process-new-data", now=NOW)
    assert run.status == "succeeded", run.error
    assert run.detail["new_batches"] == 1
    assert {k: v["status"] for k, v in run.detail["runs"].items()} == {
        "forecast-series": "succeeded",
        "evaluate-rules": "succeeded",
    }
    again = run_job(s, "process-new-data", now=NOW)
    assert again.detail["new_batches"] == 0
    with Session(engine) as db:
        chain = db.scalars(select(JobRun.job_id).where(JobRun.trigger == "new_data").order_by(JobRun.id)).all()
        assert chain == ["forecast-series", "evaluate-rules"]
        assert db.scalar(select(func.count()).select_from(Batch)) == 1
    engine.dispose()
