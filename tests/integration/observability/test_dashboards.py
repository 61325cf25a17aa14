"""Grafana as code: dashboard structure, datasources, every PromQL query's metrics in our /metrics, and every
PostgreSQL query run against a real PostgreSQL database holding the demo-like world."""

from __future__ import annotations

import re

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text
from sqlalchemy.orm import Session
from testkit.promql import metric_names

from .conftest import DASHBOARDS, DEPLOY, load_dashboards, load_yaml

DATASOURCES = DEPLOY / "grafana" / "provisioning" / "datasources" / "labourwatch.yml"
PROVIDERS = DEPLOY / "grafana" / "provisioning" / "dashboards" / "labourwatch.yml"
RULES = DEPLOY / "prometheus" / "rules" / "labourwatch.yml"


def provisioned() -> dict[str, str]:
    return {d["uid"]: d["type"] for d in load_yaml(DATASOURCES)["datasources"]}


def panels(dashboard: dict) -> list[dict]:
    out = []
    for p in dashboard["panels"]:
        out.append(p)
        out.extend(p.get("panels", []))
    return out


def targets(kind: str) -> list[tuple[str, str, dict]]:
    """(dashboard file, panel title, target) for every target of the given datasource type."""
    uid = next(u for u, t in provisioned().items() if t == kind)
    return [
        (name, p["title"], t)
        for name, d in load_dashboards().items()
        for p in panels(d)
        for t in p.get("targets", [])
        if (t.get("datasource") or p["datasource"])["uid"] == uid
    ]


def test_there_are_the_two_dashboards():
    assert {p.name for p in DASHBOARDS} == {"service-health.json", "labour-market.json"}


@pytest.mark.parametrize("name", [p.name for p in DASHBOARDS])
def test_dashboard_structure(name):
    d = load_dashboards()[name]
    uids = provisioned()
    assert d["uid"].startswith("labourwatch-") and d["title"] and d["schemaVersion"] >= 36
    assert d["time"]["from"].startswith("now-") and "labourwatch" in d["tags"]
    ids = [p["id"] for p in panels(d)]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    for p in panels(d):
        g = p["gridPos"]
        assert g["x"] >= 0 and g["w"] >= 1 and g["x"] + g["w"] <= 24 and g["h"] >= 1, p["title"]
        if p["type"] == "row":
            continue
        assert p["type"] in {"stat", "timeseries", "bargauge", "table", "gauge", "state-timeline"}, p["type"]
        assert p["datasource"]["uid"] in uids and p["datasource"]["type"] == uids[p["datasource"]["uid"]]
        assert p["targets"], f"{p['title']} has no query"
        refs = [t["refId"] for t in p["targets"]]
        assert len(refs) == len(set(refs)), p["title"]
        for t in p["targets"]:
            assert t.get("expr") or t.get("rawSql"), p["title"]
    for var in d["templating"]["list"]:
        assert var["datasource"]["uid"] in uids and var["query"]


def test_panels_do_not_overlap():
    for name, d in load_dashboards().items():
        cells: dict[tuple[int, int], str] = {}
        for p in panels(d):
            g = p["gridPos"]
            for x in range(g["x"], g["x"] + g["w"]):
                for y in range(g["y"], g["y"] + g["h"]):
                    assert (x, y) not in cells, f"{name}: {p['title']} overlaps {cells[(x, y)]}"
                    cells[(x, y)] = p["title"]


def test_the_provider_reads_the_folder_compose_mounts():
    provider = load_yaml(PROVIDERS)["providers"][0]
    compose = load_yaml(DEPLOY.parent / "docker-compose.yml")
    mounts = compose["services"]["grafana"]["volumes"]
    assert f"./deploy/grafana/dashboards:{provider['options']['path']}:ro" in mounts


def test_metric_names_are_read_from_promql():
    expr = (
        "histogram_quantile(0.95, sum by (le, route) (rate(labourwatch_http_request_duration_seconds_bucket"
        '{status=~"5.."}[$__rate_interval]))) / ignoring(x) max by (region, name_zh) (labourwatch_region_alert_grade'
        ' * on (region) group_left (name_zh) labourwatch_region_info{level="city"}) or vector(0) > bool 1e3'
    )
    assert metric_names(expr) == {
        "labourwatch_http_request_duration_seconds_bucket",
        "labourwatch_region_alert_grade",
        "labourwatch_region_info",
    }


def test_every_promql_metric_exists_in_our_metrics(exposition):
    exposed = {s.name for f in text_string_to_metric_families(exposition) for s in f.samples}
    exprs = [(f"{name}: {title}", t["expr"]) for name, title, t in targets("prometheus")]
    exprs += [(f"rule {r['alert']}", r["expr"]) for g in load_yaml(RULES)["groups"] for r in g["rules"]]
    assert len(exprs) > 30
    missing = {
        f"{where}: {metric}"
        for where, expr in exprs
        for metric in metric_names(expr)
        if metric not in exposed and metric != "up"
    }
    assert not missing, "\n".join(sorted(missing))


def grafana_sql(raw: str) -> str:
    """A Grafana raw SQL query as PostgreSQL runs it: macros and variables replaced by test values."""
    raw = re.sub(r"\$__timeFilter\((\w+(?:\.\w+)?)\)", r"\1 BETWEEN '1900-01-01' AND '2200-01-01'", raw)
    return raw.replace("$city", "'430100','430200'").replace("$forecast_city", "430200")


@pytest.mark.parametrize("template_db", ["postgresql"], indirect=True)
def test_every_postgresql_query_runs_against_the_real_schema(live):
    queries = [
        (f"{name}: {title} [{t['refId']}]", t["rawSql"]) for name, title, t in targets("grafana-postgresql-datasource")
    ]
    queries += [
        (f"{name}: variable {v['name']}", v["query"])
        for name, d in load_dashboards().items()
        for v in d["templating"]["list"]
        if v["datasource"]["type"] == "grafana-postgresql-datasource"
    ]
    assert len(queries) >= 8
    empty = []
    with Session(live.engine) as s:
        assert s.bind.dialect.name == "postgresql"
        for where, raw in queries:
            rows = s.execute(text(grafana_sql(raw))).all()  # an unknown table or column raises here
            if not rows:
                empty.append(where)
            if "time" in raw:
                assert all(r[0] is not None for r in rows), where
    assert not empty, f"these panels show nothing on a world with data: {empty}"
