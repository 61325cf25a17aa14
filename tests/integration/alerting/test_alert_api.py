"""Acknowledge, resolve and silences over a real HTTP server: roles, scope, conflicts, audit, size limits."""

import datetime as dt

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from testkit.alerting import ROOT, default_rules
from testkit.alerts import evaluation, signal, subscribe
from testkit.databases import clone, discard
from testkit.factories import account
from testkit.server import serve

from service.api import create_app
from service.config import Settings
from service.db.alerts import apply_evaluation
from service.db.tables import Alert, AuditLog, Outbox
from service.thresholds import offer_rules

NOW = dt.datetime.now(dt.UTC)


@pytest.fixture(scope="module")
def api(template_db, tmp_path_factory):
    """One server per backend for the module: a Zhuzhou and a Changsha alert, and four users."""
    db = clone(template_db, tmp_path_factory.mktemp("alert-api"))
    engine = db.engine()
    with Session(engine) as s, s.begin():
        offer_rules(s, text=(ROOT / "thresholds.yaml").read_text(encoding="utf-8"), source="thresholds.yaml", now=NOW)
        subscribe(s, region="430200", channel="webhook", target="http://127.0.0.1:9/h", now=NOW)
        keys = {
            "zz": account(s, region="430200", role="responder")[1],
            "cs": account(s, region="430100", role="responder")[1],
            "analyst": account(s, region="430000", role="analyst")[1],
            "admin": account(s, region="430000", role="admin")[1],
        }
        signals = [signal("430200", 3), signal("430100", 3), signal("430200", 4, risk="layoffs", rule="layoff-filings")]
        apply_evaluation(s, evaluation=evaluation(*signals), ruleset=default_rules(), now=NOW)
        ids = {(a.region_code, a.risk): a.id for a in s.scalars(select(Alert))}
    with serve(create_app(Settings(database_url=db.url), engine=engine)) as base:
        yield base, keys, ids, engine
    engine.dispose()
    discard(db)


def call(base, method, path, key, **kw):
    return httpx.request(method, base + path, headers={"Authorization": f"Bearer {key}"}, timeout=30, **kw)


def test_acknowledge_is_for_responders_in_scope_and_audited(api):
    base, keys, ids, engine = api
    zz = ids[("430200", "unemployment")]
    assert call(base, "POST", f"/api/v1/alerts/{zz}/acknowledge", keys["analyst"], json={}).status_code == 403
    r = call(base, "POST", f"/api/v1/alerts/{zz}/acknowledge", keys["cs"], json={})
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    r = call(base, "POST", f"/api/v1/alerts/{zz}/acknowledge", keys["zz"], json={"note": "已联系重点企业"})
    assert r.status_code == 200
    body = r.json()
    assert body["state"] == "acknowledged" and body["ack_deadline"] is None
    assert [e["kind"] for e in body["events"]] == ["opened", "acknowledged"]
    again = call(base, "POST", f"/api/v1/alerts/{zz}/acknowledge", keys["zz"], json={})
    assert again.status_code == 409 and "only an open alert" in again.json()["detail"]
    with Session(engine) as s:
        log = s.scalar(select(AuditLog).where(AuditLog.action == "alert.acknowledge"))
    assert log.object_id == str(zz) and log.before["state"] == "open" and log.after["ack_note"] == "已联系重点企业"


def test_resolve_by_hand_needs_a_note_and_tells_subscribers(api):
    base, keys, ids, engine = api
    alert = ids[("430200", "layoffs")]
    assert call(base, "POST", f"/api/v1/alerts/{alert}/resolve", keys["zz"], json={}).status_code == 422
    r = call(base, "POST", f"/api/v1/alerts/{alert}/resolve", keys["admin"], json={"note": "裁员计划已撤回"})
    assert r.status_code == 200 and r.json()["state"] == "resolved"
    assert call(base, "POST", f"/api/v1/alerts/{alert}/resolve", keys["zz"], json={"note": "x"}).status_code == 409
    with Session(engine) as s:
        last = s.scalar(select(Outbox).where(Outbox.alert_id == alert).order_by(Outbox.id.desc()))
        log = s.scalar(select(AuditLog).where(AuditLog.action == "alert.resolve"))
    assert last.payload["event"] == "resolved_by_hand" and last.payload["note"] == "裁员计划已撤回"
    assert log.after["resolution_note"] == "裁员计划已撤回"


def test_oversized_bodies_are_refused(api):
    base, keys, ids, _ = api
    cs = ids[("430100", "unemployment")]
    headers = {"Authorization": f"Bearer {keys['cs']}", "content-type": "application/json"}
    r = httpx.post(base + f"/api/v1/alerts/{cs}/acknowledge", content=b"{" + b" " * 20000 + b"}", headers=headers,
                   timeout=30)  # fmt: skip
    assert r.status_code == 413 and r.json()["status"] == 413


def test_silences_crud_in_scope(api):
    base, keys, _, engine = api
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).isoformat()
    new = {"region_code": "430200", "risk": "layoffs", "ends_at": soon, "reason": "企业名单已上报，集中处置中"}
    assert call(base, "POST", "/api/v1/silences", keys["analyst"], json=new).status_code == 403
    assert call(base, "POST", "/api/v1/silences", keys["cs"], json=new).status_code == 403
    too_long = {**new, "ends_at": (dt.datetime.now(dt.UTC) + dt.timedelta(days=200)).isoformat()}
    assert call(base, "POST", "/api/v1/silences", keys["zz"], json=too_long).status_code == 422
    r = call(base, "POST", "/api/v1/silences", keys["zz"], json=new)
    assert r.status_code == 201 and r.json()["active"] is True
    sid = r.json()["id"]
    listed = call(base, "GET", "/api/v1/silences", keys["zz"], params={"state": "active"}).json()["items"]
    assert [s["id"] for s in listed] == [sid]
    assert call(base, "GET", "/api/v1/silences", keys["cs"]).json()["items"] == []
    assert call(base, "GET", f"/api/v1/silences/{sid}", keys["cs"]).status_code == 404
    ended = call(base, "DELETE", f"/api/v1/silences/{sid}", keys["zz"])
    assert ended.status_code == 200 and ended.json()["active"] is False
    assert (
        call(base, "GET", "/api/v1/silences", keys["zz"], params={"state": "expired"}).json()["items"][0]["id"] == sid
    )
    with Session(engine) as s:
        actions = [a.action for a in s.scalars(select(AuditLog).where(AuditLog.object_type == "silence"))]
    assert actions == ["silence.create", "silence.expire"]


def test_the_new_endpoints_are_in_the_openapi(api):
    base = api[0]
    paths = httpx.get(base + "/api/v1/openapi.json", timeout=30).json()["paths"]
    assert {"/api/v1/alerts/{alert_id}/acknowledge", "/api/v1/alerts/{alert_id}/resolve", "/api/v1/silences",
            "/api/v1/silences/{silence_id}"} <= set(paths)  # fmt: skip
