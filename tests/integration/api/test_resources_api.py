"""Enterprises (as of), forecasts with their track record, subscriptions, jobs and the audit log, over HTTP."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from testkit.endpoints import Kit
from testkit.factories import NOW

from service.db.tables import AuditLog, Batch, EnterpriseHeadcount, ForecastPoint, ForecastScore, ForecastSeries, JobRun


def test_enterprise_detail_answers_as_of_a_moment(api):
    code = api.world.enterprises["zhuzhou"]
    key = api.world.key("zhuzhou", "analyst")
    later = NOW + dt.timedelta(days=3)
    with Session(api.engine) as s, s.begin():  # a revised extract: a new batch and a later vintage
        revision = Batch(
            source_code="enterprise_headcount",
            filename="revised.csv",
            content_hash=uuid.uuid4().hex,
            format="csv",
            status="landed",
            rows_total=1,
            rows_landed=1,
            received_at=later,
            landed_at=later,
        )
        s.add(revision)
        s.flush()
        s.add(
            EnterpriseHeadcount(
                credit_code=code, period=dt.date(2025, 9, 1), insured=333, batch_id=revision.id, vintage=later
            )
        )
    now = api.get(f"/api/v1/enterprises/{code}", key, as_of=(later + dt.timedelta(seconds=1)).isoformat()).json()
    then = api.get(f"/api/v1/enterprises/{code}", key, as_of=(later - dt.timedelta(seconds=1)).isoformat()).json()
    assert [(h["period"], h["insured"]) for h in now["headcounts"]] == [("2025-08-01", 500), ("2025-09-01", 333)]
    assert [(h["period"], h["insured"]) for h in then["headcounts"]] == [("2025-08-01", 500), ("2025-09-01", 420)]
    assert [(f["layoffs"], f["staff_before"]) for f in now["layoff_filings"]] == [(80, 500)]
    listed = api.get("/api/v1/enterprises", api.world.key("province", "analyst"), name="测试").json()["items"]
    assert {e["credit_code"] for e in listed} == set(api.world.enterprises.values())
    assert api.get("/api/v1/enterprises", key, region="430202").json()["items"][0]["credit_code"] == code


def test_forecasts_carry_the_track_record_computed_from_scores(api):
    key = api.world.key("province", "analyst")
    items = api.get("/api/v1/forecasts", key, run=api.world.forecast_run).json()["items"]
    with Session(api.engine) as s:
        scored = s.execute(
            select(ForecastSeries.region_code, ForecastPoint.horizon, ForecastScore.error, ForecastScore.covered80)
            .join(ForecastPoint, ForecastPoint.id == ForecastScore.point_id)
            .join(ForecastSeries, ForecastSeries.id == ForecastPoint.series_id)
            .where(ForecastSeries.indicator_code == "surveyed_unemployment_rate")
        ).all()
    assert scored, "the world scores some surveyed-rate points"
    for item in items:
        mine = [r for r in scored if r.region_code == item["region_code"]]
        by_h = {t["horizon"]: t for t in item["track_record"]}
        assert set(by_h) == {r.horizon for r in mine}
        for h, rec in by_h.items():
            errs = [abs(r.error) for r in mine if r.horizon == h]
            assert rec["n_scored"] == len(errs) and rec["model"] == item["model"]
            assert abs(rec["mean_absolute_error"] - sum(errs) / len(errs)) < 1e-9
    overall = api.get("/api/v1/forecasts/accuracy", key).json()["items"]
    assert sum(r["n_scored"] for r in overall) == len(scored)
    assert all(0 <= r["coverage80"] <= r["coverage95"] <= 1 for r in overall)


def test_subscription_secrets_are_write_only_and_targets_must_fit_the_channel(api):
    admin = api.world.key("zhuzhou", "admin")
    body = {"region_code": "430202", "channel": "webhook", "target": "https://hr.example.org/h", "secret": "k" * 32}
    r = api.request("POST", "/api/v1/subscriptions", admin, json=body)
    assert r.status_code == 201 and r.json()["has_secret"] is True and "k" * 32 not in r.text
    assert r.json()["organisation_id"] == api.world.orgs["zhuzhou"]
    with Session(api.engine) as s:
        entry = s.scalar(select(AuditLog).where(AuditLog.request_id == r.headers["x-request-id"]))
    assert entry.after["secret"] == "[redacted]"
    assert api.request("POST", "/api/v1/subscriptions", admin, json={**body, "target": "not a url"}).status_code == 422
    assert api.request("POST", "/api/v1/subscriptions", admin, json={**body, "channel": "email"}).status_code == 422
    patched = api.request("PATCH", f"/api/v1/subscriptions/{r.json()['id']}", admin, json={"target": "ftp://x"})
    assert patched.status_code == 422
    outside_org = {**body, "region_code": "430200", "organisation_id": Kit(api).fresh_org("zhuzhou")}
    outside_org["region_code"] = "430100"
    assert api.request("POST", "/api/v1/subscriptions", admin, json=outside_org).status_code == 403
    gone = api.request("DELETE", f"/api/v1/subscriptions/{r.json()['id']}", admin)
    assert gone.status_code == 200 and gone.json()["active"] is False


def test_a_subscription_must_stay_within_its_organisations_region(api):
    admin = api.world.key("province", "admin")
    zhuzhou_org = api.world.orgs["zhuzhou"]
    body = {"region_code": "430300", "channel": "email", "target": "duty@example.org", "organisation_id": zhuzhou_org}
    r = api.request("POST", "/api/v1/subscriptions", admin, json=body)
    assert r.status_code == 422 and "430200" in r.json()["detail"]


def test_jobs_list_and_a_run_now_is_recorded_and_audited(api):
    admin = api.world.key("province", "admin")
    jobs = {j["id"]: j for j in api.get("/api/v1/jobs", admin).json()["items"]}
    assert {"forecast-series", "evaluate-rules"} <= set(jobs)
    assert jobs["evaluate-rules"]["last_run"]["status"] == "failed"
    r = api.request("POST", "/api/v1/jobs/forecast-series/runs", admin)
    assert r.status_code == 201 and r.json()["status"] == "succeeded" and r.json()["detail"]["series"] >= 2
    runs = api.get("/api/v1/jobs/forecast-series/runs", admin, limit=1).json()
    assert runs["items"][0]["id"] == r.json()["id"] and runs["next_cursor"]
    with Session(api.engine) as s:
        assert s.scalar(select(func.count()).select_from(JobRun).where(JobRun.id == r.json()["id"])) == 1
        entry = s.scalar(select(AuditLog).where(AuditLog.request_id == r.headers["x-request-id"]))
    assert entry.action == "job.run" and entry.after["status"] == "succeeded"
    assert api.request("POST", "/api/v1/jobs/no-such-job/runs", admin).status_code == 404


def test_the_audit_log_shows_each_admin_only_their_scope(api):
    kit = Kit(api)
    zz_admin, cs_admin = api.world.key("zhuzhou", "admin"), api.world.key("changsha", "admin")
    api.request("PATCH", f"/api/v1/users/{kit.fresh_user('changsha')}", cs_admin, json={"display_name": "长沙值班"})
    api.request("PATCH", f"/api/v1/users/{kit.fresh_user('zhuzhou')}", zz_admin, json={"display_name": "株洲值班"})
    zz_users = {api.world.users["zhuzhou", r] for r in ("uploader", "analyst", "responder", "admin")}
    seen = api.get("/api/v1/audit-log", zz_admin, limit=1000).json()["items"]
    assert seen and {e["user_id"] for e in seen} <= zz_users
    assert any(e["after"] and e["after"].get("display_name") == "株洲值班" for e in seen)
    province = api.get("/api/v1/audit-log", api.world.key("province", "admin"), limit=1000).json()["items"]
    assert any(e["user_id"] is None for e in province)  # the world's own set-up, made without an API user
    assert any(e["after"] and e["after"].get("display_name") == "长沙值班" for e in province)
    page = api.get("/api/v1/audit-log", api.world.key("province", "admin"), limit=2, action="user.update").json()
    assert len(page["items"]) == 2 and all(e["action"] == "user.update" for e in page["items"])
