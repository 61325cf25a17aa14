"""The read API over a real HTTP server: authentication, region scope, problem+json, as-of, metrics."""

import datetime as dt
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.orm import Session
from testkit.factories import NOW, account, land_survey
from testkit.server import serve

from service.api import create_app
from service.config import Settings
from service.jobs import evaluate_rules, forecast
from service.registry import load_registry

RULES = Path(__file__).resolve().parents[2] / "thresholds.yaml"
ZHUZHOU_WAVE = [5.0, 5.0, 5.1, 5.0, 5.2, 5.9, 6.1, 6.2, 6.3]  # 3-month average >= 6.0 for the last two months
CHANGSHA_CALM = [4.8, 4.9, 4.8, 4.9, 4.8, 4.9, 4.8, 4.9, 4.8]


@pytest.fixture
def world(fresh_db):
    engine = fresh_db.engine()
    with Session(engine) as s, s.begin():
        land_survey(s, {"430200": ZHUZHOU_WAVE, "430100": CHANGSHA_CALM, "430300": [6.5] * 9})
        keys = {
            "zhuzhou": account(s, region="430200", role="responder")[1],
            "changsha": account(s, region="430100", role="responder")[1],
            "province": account(s, region="430000", role="analyst")[1],
        }
    with Session(engine) as s, s.begin():
        forecast(s, now=NOW)
        evaluate_rules(s, now=NOW, registry=load_registry(["430000"]), rules_path=RULES)
    app = create_app(Settings(database_url=fresh_db.url), engine=engine)
    with serve(app) as base:
        yield base, keys
    engine.dispose()


def get(base, path, key=None, **params):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.get(base + path, headers=headers, params=params, timeout=30)


def test_health_needs_no_key(world):
    base, _ = world
    assert get(base, "/healthz").json() == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize("key", [None, "lw_000000000000_nope", "not-a-key"])
def test_unauthenticated_requests_get_problem_json(world, key):
    base, _ = world
    r = get(base, "/api/v1/alerts", key)
    assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["status"] == 401 and r.headers["www-authenticate"].startswith("Bearer")


def test_city_user_sees_only_its_subtree(world):
    base, keys = world
    regions = get(base, "/api/v1/regions", keys["zhuzhou"]).json()["items"]
    assert {r["code"] for r in regions} == {
        "430200",
        "430202",
        "430203",
        "430204",
        "430211",
        "430212",
        "430223",
        "430224",
        "430225",
        "430281",
    }
    alerts = get(base, "/api/v1/alerts", keys["zhuzhou"]).json()["items"]
    assert [(a["region_code"], a["grade"], a["level_code"]) for a in alerts] == [("430200", 3, "III")]
    assert get(base, "/api/v1/observations", keys["zhuzhou"], region="430100").status_code == 403
    rows = get(base, "/api/v1/observations", keys["zhuzhou"]).json()["items"]
    assert {r["region_code"] for r in rows} == {"430200"} and len(rows) == 9


def test_other_citys_alert_is_not_found(world):
    base, keys = world
    xiangtan = get(base, "/api/v1/alerts", keys["province"], region="430300").json()["items"][0]
    r = get(base, f"/api/v1/alerts/{xiangtan['id']}", keys["changsha"])
    assert r.status_code == 404 and r.json()["title"] == "Not Found"


def test_alert_detail_has_evidence_and_response_plan(world):
    base, keys = world
    alert = get(base, "/api/v1/alerts", keys["zhuzhou"]).json()["items"][0]
    detail = get(base, f"/api/v1/alerts/{alert['id']}", keys["zhuzhou"]).json()
    ev = detail["evidence"]["surveyed-rate-level"]
    assert ev["threshold"] == 6.0 and ev["values"]["2025-09"] == pytest.approx(6.2)
    assert "株洲市" in detail["summary_zh"] and detail["response_zh"].startswith("市州就业工作领导小组")
    assert [e["kind"] for e in detail["events"]] == ["opened"]
    assert dt.datetime.fromisoformat(detail["ack_deadline"]) == NOW + dt.timedelta(hours=12)


def test_forecasts_have_intervals_and_stay_in_scope(world):
    base, keys = world
    items = get(base, "/api/v1/forecasts", keys["zhuzhou"]).json()["items"]
    assert [i["region_code"] for i in items] == ["430200"]
    points = items[0]["points"]
    assert [p["horizon"] for p in points] == [1, 2, 3, 4, 5, 6]
    assert all(p["lo95"] <= p["lo80"] <= p["mean"] <= p["hi80"] <= p["hi95"] for p in points)


def test_pagination_walks_a_pinned_snapshot(world):
    base, keys = world
    seen, cursor = [], None
    while True:
        page = get(base, "/api/v1/observations", keys["province"], limit=10, **({"cursor": cursor} if cursor else {}))
        body = page.json()
        seen += [(r["region_code"], r["period"]) for r in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 27 == len(set(seen))


def test_metrics_expose_grades_and_rates(world):
    base, keys = world
    get(base, "/api/v1/alerts", keys["province"])
    text = httpx.get(base + "/metrics", timeout=30).text
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for f in text_string_to_metric_families(text)
        for s in f.samples
    }
    assert samples[("labourwatch_region_alert_grade", (("region", "430200"),))] == 3
    assert samples[("labourwatch_region_alert_grade", (("region", "430100"),))] == 0
    assert samples[("labourwatch_surveyed_unemployment_rate_percent", (("region", "430200"),))] == 6.3
    assert samples[("labourwatch_ingest_batches_total", (("outcome", "landed"), ("source", "survey")))] == 1
    assert any(
        n == "labourwatch_http_request_duration_seconds_count" and dict(lbl).get("route") == "/api/v1/alerts"
        for n, lbl in samples
    )
