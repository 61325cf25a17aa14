"""Thresholds over HTTP: the version in force with its ETag, validated replacement by a province admin, refusal
with line-numbered problems, optimistic concurrency with If-Match, and the file on disk kept in step."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from testkit.endpoints import Kit
from testkit.factories import NOW

from service.db.tables import AuditLog, ThresholdVersion
from service.jobs import evaluate_rules
from service.registry import load_registry


def test_get_has_the_content_hash_as_etag_and_revalidates(api):
    key = api.world.key("zhuzhou", "analyst")
    r = api.get("/api/v1/thresholds", key)
    body = r.json()
    assert r.status_code == 200 and r.headers["etag"] == f'"{body["sha256"]}"'
    assert [lv["code"] for lv in body["levels"]] == ["I", "II", "III", "IV"]
    assert body["status"] == "active" and "surveyed-rate-level" in {rule["id"] for rule in body["rules"]}
    again = api.request("GET", "/api/v1/thresholds", key, headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_a_bad_file_is_refused_with_its_lines_recorded_and_audited(api):
    key = api.world.key("province", "admin")
    before = api.get("/api/v1/thresholds", key).json()
    bad = "version: 1\nlevels:\n  - grade: 9\n    code: I\nrules: []\n"
    r = api.request(
        "PUT", "/api/v1/thresholds", key, content=bad.encode(), headers={"content-type": "application/yaml"}
    )
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    problems = r.json()["problems"]
    assert problems and all(p.startswith("thresholds.yaml:") for p in problems)
    assert any(p.startswith("thresholds.yaml:3:") and "grade" in p for p in problems), problems
    assert api.get("/api/v1/thresholds", key).json()["id"] == before["id"]  # the last good version stays
    refused = api.get("/api/v1/thresholds/versions", key, status="refused").json()["items"]
    assert refused and "grade" in api.get(f"/api/v1/thresholds/versions/{refused[0]['id']}", key).json()["message"]
    with Session(api.engine) as s:
        entry = s.scalar(select(AuditLog).where(AuditLog.request_id == r.headers["x-request-id"]))
    assert entry.action == "thresholds.refuse" and entry.after["problems"] == problems
    assert api.settings.thresholds_path.read_text(encoding="utf-8") == before["content"]


def test_a_valid_file_replaces_the_rules_and_the_file_and_the_next_evaluation_keeps_it(api):
    kit = Kit(api)
    key = api.world.key("province", "admin")
    current = api.get("/api/v1/thresholds", key)
    text = kit.thresholds_text().replace("report_within_hours: 12", "report_within_hours: 11")
    stale = '"' + "0" * 64 + '"'
    assert (
        api.request("PUT", "/api/v1/thresholds", key, json={"content": text}, headers={"If-Match": stale}).status_code
        == 412
    )
    r = api.request(
        "PUT", "/api/v1/thresholds", key, json={"content": text}, headers={"If-Match": current.headers["etag"]}
    )
    assert r.status_code == 200, r.text
    new = r.json()
    assert new["id"] != current.json()["id"] and new["loaded_by"] == api.world.users["province", "admin"]
    assert {lv["code"]: lv["report_within_hours"] for lv in new["levels"]}["III"] == 11
    assert api.settings.thresholds_path.read_text(encoding="utf-8") == text
    with Session(api.engine) as s:
        old = s.get(ThresholdVersion, current.json()["id"])
        entry = s.scalar(select(AuditLog).where(AuditLog.request_id == r.headers["x-request-id"]))
        assert old.status == "superseded"
        assert entry.before["version_id"] == old.id and entry.after["version_id"] == new["id"]
        assert entry.remote_addr == "127.0.0.1"
    # The evaluation job re-reads the file: it finds the version the API made active, not a new one.
    with Session(api.engine) as s, s.begin():
        outcome = evaluate_rules(
            s, now=NOW, registry=load_registry(["430000"]), rules_path=api.settings.thresholds_path
        )
    assert outcome["threshold_version"] == new["id"]
    same = api.request("PUT", "/api/v1/thresholds", key, json={"content": text})
    assert same.status_code == 200 and same.json()["id"] == new["id"]


def test_a_city_admin_cannot_change_the_rules_of_every_city(api):
    kit = Kit(api)
    r = api.request(
        "PUT", "/api/v1/thresholds", api.world.key("zhuzhou", "admin"), json={"content": kit.thresholds_text()}
    )
    assert r.status_code == 403


def test_unsupported_media_and_empty_bodies_are_client_errors(api):
    key = api.world.key("province", "admin")
    assert (
        api.request("PUT", "/api/v1/thresholds", key, content=b"x", headers={"content-type": "image/png"}).status_code
        == 415
    )
    assert api.request("PUT", "/api/v1/thresholds", key, json={"content": "   "}).status_code == 422
    assert api.request("PUT", "/api/v1/thresholds", key, json={"text": "x"}).status_code == 422
