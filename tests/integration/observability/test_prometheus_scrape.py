"""A real Prometheus (/usr/bin/prometheus on loopback, temporary storage, 1 s scrape interval) scrapes a running
labourwatch: labourwatch metrics arrive with the values of the database, our alerting rules load and evaluate,
and every dashboard expression is valid PromQL to Prometheus itself."""

from __future__ import annotations

import subprocess
import time
from urllib.parse import urlsplit

import httpx
import pytest
import yaml
from testkit.promql import without_grafana_variables
from testkit.server import free_port

from .conftest import DEPLOY, load_dashboards

PROMETHEUS = "/usr/bin/prometheus"


@pytest.fixture
def prometheus(live, tmp_path):
    target = urlsplit(live.base).netloc
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(DEPLOY / "prometheus" / "rules" / "labourwatch.yml")],
        "scrape_configs": [{"job_name": "labourwatch", "static_configs": [{"targets": [target]}]}],
    }
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    port = free_port()
    log = (tmp_path / "prometheus.log").open("w")
    proc = subprocess.Popen(
        [
            PROMETHEUS,
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield f"http://127.0.0.1:{port}", tmp_path / "prometheus.log"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        log.close()


def query(base: str, expr: str) -> dict:
    r = httpx.get(f"{base}/api/v1/query", params={"query": expr}, timeout=10)
    if r.status_code == 503:  # not ready yet: answers plain text until the TSDB is open
        return {"status": "starting", "data": {"result": []}}
    return r.json()


def wait_for(check, what: str, log, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = check()
        except httpx.TransportError:  # Prometheus still starting
            result = None
        if result:
            return result
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}; prometheus log:\n{log.read_text()[-3000:]}")


@pytest.mark.slow
def test_prometheus_scrapes_labourwatch(live, prometheus):
    base, log = prometheus
    grade = wait_for(
        lambda: query(base, 'labourwatch_region_alert_grade{region="430200"}')["data"]["result"],
        "labourwatch_region_alert_grade from the scrape",
        log,
    )
    assert grade[0]["metric"]["job"] == "labourwatch" and float(grade[0]["value"][1]) == 3
    assert float(query(base, 'up{job="labourwatch"}')["data"]["result"][0]["value"][1]) == 1
    dead = query(base, 'labourwatch_deliveries_total{channel="webhook",outcome="dead"}')["data"]["result"]
    assert float(dead[0]["value"][1]) == 1

    def rules_evaluated():
        answer = httpx.get(f"{base}/api/v1/rules", timeout=10)
        if answer.status_code != 200:
            return None
        groups = answer.json()["data"]["groups"]
        rules = [r for g in groups for r in g["rules"]]
        return rules if rules and all(r.get("lastEvaluation", "").startswith("20") for r in rules) else None

    rules = wait_for(rules_evaluated, "the alerting rules to evaluate", log)
    assert {r["name"] for r in rules} >= {"LabourwatchScrapeDown", "LabourwatchJobFailing", "LabourwatchSourceOverdue"}
    assert all(r["health"] == "ok" for r in rules), [(r["name"], r.get("lastError")) for r in rules]
    # The world's evaluate-rules job failed last: JobFailing is pending (for: 5m), as it should be.
    failing = wait_for(
        lambda: [a for r in rules_evaluated() or [] for a in r.get("alerts", []) if a["labels"].get("job_id")],
        "LabourwatchJobFailing to become pending",
        log,
    )
    assert failing[0]["labels"]["job_id"] == "evaluate-rules" and failing[0]["state"] == "pending"

    errors = []
    for name, dashboard in load_dashboards().items():
        for panel in dashboard["panels"]:
            for target in panel.get("targets", []):
                if "expr" in target:
                    answer = query(base, without_grafana_variables(target["expr"]))
                    if answer["status"] != "success":
                        errors.append(f"{name}: {panel['title']}: {answer.get('error')}")
    assert not errors, "\n".join(errors)
