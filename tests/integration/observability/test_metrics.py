"""/metrics of a populated instance: every metric of docs/observability.md with exactly its labels (and nothing
undocumented), Prometheus naming checked by promtool, and values that follow from the world's rows."""

from __future__ import annotations

import re
import subprocess

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session, sessionmaker

from service.db.tables import Alert
from service.metrics import DatabaseCollector

from .conftest import ROOT

SUFFIXES = {"counter": [""], "gauge": [""], "summary": ["_count", "_sum"], "histogram": ["_bucket", "_count", "_sum"]}


def documented() -> dict[str, tuple[str, set[str]]]:
    """name -> (type, labels) from the table in docs/observability.md."""
    text = (ROOT / "docs" / "observability.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(labourwatch_\w+)` \| (\w+) \|([^|]*)\|", text, flags=re.M)
    assert len(rows) > 20, "the metrics table of docs/observability.md was not found"
    return {name: (kind, set(re.findall(r"`(\w+)`", labels))) for name, kind, labels in rows}


def samples(exposition: str) -> dict[str, list]:
    out: dict[str, list] = {}
    for family in text_string_to_metric_families(exposition):
        for s in family.samples:
            out.setdefault(s.name, []).append(s)
    return out


def value(exposition: str, name: str, **labels) -> float:
    found = [s.value for s in samples(exposition).get(name, []) if all(s.labels.get(k) == v for k, v in labels.items())]
    assert len(found) == 1, f"{name}{labels}: {found}"
    return found[0]


def test_every_documented_metric_is_exposed_with_its_labels(exposition):
    exposed = samples(exposition)
    wrong = []
    for name, (kind, labels) in documented().items():
        for suffix in SUFFIXES[kind]:
            got = exposed.get(name + suffix)
            if not got:
                wrong.append(f"{name}{suffix} is documented but not exposed")
                continue
            keys = {frozenset(set(s.labels) - {"le", "quantile"}) for s in got}
            if keys != {frozenset(labels)}:
                wrong.append(f"{name}{suffix}: labels {sorted(map(sorted, keys))}, documented {sorted(labels)}")
    assert not wrong, "\n".join(wrong)


def test_every_exposed_metric_is_documented(exposition):
    docs = documented()
    base = {re.sub(r"_(bucket|count|sum|created)$", "", n) for n in samples(exposition)}
    undocumented = sorted(n for n in base if n.startswith("labourwatch_") and n not in docs)
    assert not undocumented, f"add these to docs/observability.md: {undocumented}"


def test_promtool_accepts_the_naming(exposition):
    done = subprocess.run(["/usr/bin/promtool", "check", "metrics"], input=exposition, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_values_follow_from_the_rows(live, exposition):
    assert value(exposition, "labourwatch_database_up") == 1
    # Grades come from the alert rows: both cities run the same wave (grade III or worse); Xiangtan, which this
    # world does not feed, may only have a "data missing" alert.
    with Session(live.engine) as s:
        rows = s.execute(select(Alert.region_code, Alert.grade, Alert.risk).where(Alert.state != "resolved")).all()
    worst: dict[str, int] = {}
    for region, grade, _ in rows:
        worst[region] = min(grade, worst.get(region, 5))
    assert worst["430200"] <= 3 and worst["430100"] == worst["430200"]
    assert {risk for region, _, risk in rows if region == "430300"} <= {"data"}
    for region in ("430200", "430100", "430300"):
        assert value(exposition, "labourwatch_region_alert_grade", region=region) == worst.get(region, 0)
    for grade in (1, 2, 3, 4):
        expected = sum(1 for _, g, _ in rows if g == grade)
        assert value(exposition, "labourwatch_alerts_in_force", grade=str(grade)) == expected
    assert value(exposition, "labourwatch_surveyed_unemployment_rate_percent", region="430200") == 6.3
    assert value(exposition, "labourwatch_region_info", region="430200", name_zh="株洲市", level="city") == 1
    assert value(exposition, "labourwatch_ingest_batches_total", source="social_insurance", outcome="rejected") == 1
    assert value(exposition, "labourwatch_ingest_rows_total", source="survey", outcome="landed") == 18
    assert value(exposition, "labourwatch_source_overdue", source="survey") == 0
    assert value(exposition, "labourwatch_source_overdue", source="hr_admin") == 1  # never delivered
    assert value(exposition, "labourwatch_deliveries_total", channel="webhook", outcome="sent") == 1
    assert value(exposition, "labourwatch_deliveries_total", channel="webhook", outcome="dead") == 1
    assert value(exposition, "labourwatch_deliveries_total", channel="email", outcome="dead") == 0
    assert value(exposition, "labourwatch_delivery_attempts_total", channel="webhook") == 9
    assert value(exposition, "labourwatch_layoff_filings_total", region="430100") == 1
    assert value(exposition, "labourwatch_layoff_filed_persons_total", region="430200") == 80
    failed = value(exposition, "labourwatch_job_last_failure_timestamp_seconds", job_id="evaluate-rules")
    assert failed > value(exposition, "labourwatch_job_last_success_timestamp_seconds", job_id="evaluate-rules")
    assert (
        value(exposition, "labourwatch_job_run_duration_seconds_sum", job_id="forecast-series", outcome="succeeded")
        == 42
    )
    scored = sum(s.value for s in samples(exposition)["labourwatch_forecast_scored_points_total"])
    assert scored == 12
    assert value(exposition, "labourwatch_forecast_runs_total", outcome="succeeded") >= 1
    assert any(
        s.labels["route"] == "/api/v1/me"
        for s in samples(exposition)["labourwatch_http_request_duration_seconds_count"]
    )


def test_an_unreachable_database_is_reported_not_raised():
    engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 2})
    families = list(DatabaseCollector(sessionmaker(engine)).collect())
    engine.dispose()
    assert [f.name for f in families] == ["labourwatch_database_up"]
    assert families[0].samples[0].value == 0
