"""Uploads and layoff filings over a real HTTP server: 202/422/413, roles, scope, idempotency, audit, reports."""

import datetime as dt

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from testkit.databases import clone, discard
from testkit.factories import account, survey_csv
from testkit.server import serve

from ingestion.credit_code import check_char
from service.api import create_app
from service.config import Settings
from service.db.tables import AuditLog, Batch, Enterprise, EnterpriseHeadcount, LayoffFiling, Observation


@pytest.fixture(scope="module")
def api(template_db, tmp_path_factory):
    db = clone(template_db, tmp_path_factory.mktemp("api-batches"))
    engine = db.engine()
    with Session(engine) as s, s.begin():
        keys = {
            "bureau": account(s, region="430000", role="uploader")[1],
            "zhuzhou_uploader": account(s, region="430200", role="uploader")[1],
            "zhuzhou_hr": account(s, region="430200", role="responder")[1],
            "changsha_hr": account(s, region="430100", role="responder")[1],
            "analyst": account(s, region="430000", role="analyst")[1],
        }
    settings = Settings(database_url=db.url, upload_max_bytes=4096, data_dir=tmp_path_factory.mktemp("data"))
    app = create_app(settings, engine=engine)
    with serve(app) as base:
        yield base, keys, engine
    engine.dispose()
    discard(db)


def call(base, method, path, key=None, headers=None, **kw):
    headers = (headers or {}) | ({"Authorization": f"Bearer {key}"} if key else {})
    return httpx.request(method, base + path, headers=headers, timeout=30, **kw)


def upload(base, key, raw: bytes, source="survey", name="upload.csv"):
    return call(base, "POST", "/api/v1/batches", key, params={"source": source}, files={"file": (name, raw)})


def count(engine, table, *where):
    with Session(engine) as s:
        return s.scalar(select(func.count()).select_from(table).where(*where))


def test_upload_lands_then_duplicate_then_revision(api):
    base, keys, engine = api
    raw = survey_csv({"430400": [5.1, 5.2]}, start="2024-01")
    first = upload(base, keys["bureau"], raw)
    assert first.status_code == 202, first.text
    body = first.json()
    assert (body["status"], body["rows_landed"], body["problems_total"]) == ("landed", 2, 0)
    assert first.headers["location"] == f"/api/v1/batches/{body['batch_id']}"
    again = upload(base, keys["bureau"], raw, name="same-again.csv")
    assert again.status_code == 202 and again.json()["status"] == "duplicate"
    assert again.json()["batch_id"] == body["batch_id"]
    revised = upload(base, keys["bureau"], survey_csv({"430400": [5.1, 5.3]}, start="2024-01"))
    assert (revised.json()["rows_landed"], revised.json()["rows_unchanged"]) == (1, 1)
    assert count(engine, Observation, Observation.region_code == "430400") == 3
    audit = count(engine, AuditLog, AuditLog.object_type == "batch", AuditLog.object_id == str(body["batch_id"]))
    assert audit == 2  # the landing and the duplicate upload


def test_refused_upload_is_problem_json_with_rows_and_kept_report(api):
    base, keys, engine = api
    raw = "地区代码,时期,指标,数值\n430400,2024-05,城镇调查失业率,0.051\n999999,2024-05,城镇调查失业率,5\n".encode()
    r = upload(base, keys["bureau"], raw, name="bad.csv")
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["title"] == "Batch refused" and body["problems_total"] == 2
    assert [(p["row"], p["column"]) for p in body["problems"]] == [(2, "数值"), (3, "地区代码")]
    assert body["problems"][0]["reason_zh"]
    report = call(base, "GET", body["report"], keys["bureau"])
    assert report.json()["status"] == "rejected" and len(report.json()["problems"]) == 2
    sheet = call(base, "GET", body["report"], keys["bureau"], params={"format": "csv"})
    assert sheet.headers["content-type"].startswith("text/csv") and sheet.content.startswith(b"\xef\xbb\xbf")
    assert "地区代码或名称不存在" in sheet.content.decode("utf-8-sig")
    assert count(engine, Observation, Observation.period == dt.date(2024, 5, 1)) == 0


def test_size_limit_roles_and_scope(api):
    base, keys, _ = api
    big = survey_csv({"430400": [5.0] * 200})
    assert len(big) > 4096
    r = upload(base, keys["bureau"], big)
    assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json"
    raw = call(
        base,
        "POST",
        "/api/v1/batches",
        keys["bureau"],
        params={"filename": "raw.csv"},
        content=big,
        headers={"content-type": "text/csv"},
    )
    assert raw.status_code == 413

    def chunks():  # no Content-Length: the server counts the body while it streams in
        for _ in range(40):
            yield b"x" * 4096

    chunked = call(
        base,
        "POST",
        "/api/v1/batches",
        keys["bureau"],
        params={"filename": "stream.csv"},
        content=chunks(),
        headers={"content-type": "text/csv"},
    )
    assert chunked.status_code == 413 and "content-length" not in chunked.request.headers
    assert upload(base, keys["analyst"], survey_csv({"430400": [5.0]})).status_code == 403
    assert upload(base, None, survey_csv({"430400": [5.0]})).status_code == 401
    outside = upload(base, keys["zhuzhou_uploader"], survey_csv({"430200": [5.0], "430100": [4.0]}, start="2023-01"))
    assert outside.status_code == 422
    assert {p["reason"] for p in outside.json()["problems"]} == {"region is outside your organisation's area"}


def test_batches_are_listed_in_scope_and_freshness_reported(api):
    base, keys, _ = api
    # Self-contained: under xdist each worker has its own server and database for this module.
    mine = upload(base, keys["zhuzhou_uploader"], survey_csv({"430200": [5.4]}, start="2022-06")).json()
    theirs = upload(base, keys["bureau"], survey_csv({"430900": [4.4]}, start="2022-06")).json()
    listed = {b["id"] for b in call(base, "GET", "/api/v1/batches", keys["zhuzhou_hr"]).json()["items"]}
    assert mine["batch_id"] in listed and theirs["batch_id"] not in listed
    province = {b["id"] for b in call(base, "GET", "/api/v1/batches", keys["bureau"]).json()["items"]}
    assert {mine["batch_id"], theirs["batch_id"]} <= province
    assert call(base, "GET", f"/api/v1/batches/{mine['batch_id']}", keys["changsha_hr"]).status_code == 404
    fresh = {f["source"]: f for f in call(base, "GET", "/api/v1/sources/freshness", keys["analyst"]).json()}
    assert fresh["survey"]["overdue"] is False and fresh["recruitment"]["overdue"] is True
    assert fresh["layoff_filings"]["event_driven"] is True


def credit_code(serial: str) -> str:
    base = f"91430200{serial:0>9}"[:17]
    return base + check_char(base)


def filing(**changes) -> dict:
    body = {
        "external_ref": "ZZ-2025-001",
        "credit_code": credit_code("MA4L0001"),
        "enterprise_name": "株洲某电机有限公司",
        "industry": "C38",
        "region_code": "430211",
        "filed_on": "2025-06-02",
        "planned_on": "2025-07-10",
        "staff_before": 400,
        "layoffs": 60,
        "reason": "订单大幅减少，生产经营发生严重困难",
    }
    return body | changes


def test_layoff_filing_is_validated_linked_and_idempotent(api):
    base, keys, engine = api
    key = keys["zhuzhou_hr"]
    created = call(base, "POST", "/api/v1/layoff-filings", key, json=filing())
    assert created.status_code == 201, created.text
    assert created.json()["enterprise_name"] == "株洲某电机有限公司" and created.json()["warnings"] == []
    assert call(base, "POST", "/api/v1/layoff-filings", key, json=filing()).status_code == 200
    assert call(base, "POST", "/api/v1/layoff-filings", key, json=filing(layoffs=70)).status_code == 409
    with Session(engine) as s:
        assert s.get(Enterprise, filing()["credit_code"]).region_code == "430211"
        assert s.scalar(select(func.count()).select_from(LayoffFiling)) == 1
    small = call(base, "POST", "/api/v1/layoff-filings", key, json=filing(external_ref="ZZ-2", layoffs=15))
    assert small.status_code == 422 and "not an art. 41 layoff" in small.json()["detail"]
    # 15 of 120 staff is 12.5 %: an art. 41 layoff despite fewer than 20 people; short notice is a warning.
    share = call(
        base,
        "POST",
        "/api/v1/layoff-filings",
        key,
        json=filing(external_ref="ZZ-3", layoffs=15, staff_before=120, planned_on="2025-06-20"),
    )
    assert share.status_code == 201 and share.json()["warnings"][0]["column"] == "planned_on"
    bad_code = call(base, "POST", "/api/v1/layoff-filings", key, json=filing(external_ref="ZZ-4", credit_code="9" * 18))
    assert bad_code.status_code == 422 and "check digit" in bad_code.json()["problems"][0]["reason"]
    changsha = call(base, "POST", "/api/v1/layoff-filings", keys["changsha_hr"], json=filing(external_ref="CS-1"))
    assert changsha.status_code == 403
    assert call(base, "GET", "/api/v1/layoff-filings", keys["changsha_hr"]).json()["items"] == []
    mine = call(base, "GET", "/api/v1/layoff-filings", key).json()["items"]
    assert [f["external_ref"] for f in mine] == ["ZZ-3", "ZZ-2025-001"]


def test_enterprise_headcounts_upload(api):
    base, keys, engine = api
    code = credit_code("MA4L0002")
    raw = (
        "统一社会信用代码,企业名称,地区代码,行业代码,时期,参保人数\n"
        f'{code},株洲某轨道交通装备有限公司,430211,C37,2025-04,"1,250"\n'
        f"{code},株洲某轨道交通装备有限公司,430211,C37,2025-05,1190\n"
    ).encode()
    r = upload(base, keys["bureau"], raw, source="enterprise_headcount", name="headcounts.csv")
    assert r.status_code == 202 and r.json()["rows_landed"] == 2, r.text
    with Session(engine) as s:
        assert s.get(Enterprise, code).industry == "C37"
        assert s.scalars(
            select(EnterpriseHeadcount.insured)
            .where(EnterpriseHeadcount.credit_code == code)
            .order_by(EnterpriseHeadcount.period)
        ).all() == [1250, 1190]
        assert s.scalar(select(Batch.source_code).where(Batch.id == r.json()["batch_id"])) == "enterprise_headcount"
    bad = upload(
        base, keys["bureau"], raw.replace(code.encode(), code[:-1].encode() + b"0"), source="enterprise_headcount"
    )
    assert bad.status_code == 422 and "check digit" in bad.json()["problems"][0]["reason"]
