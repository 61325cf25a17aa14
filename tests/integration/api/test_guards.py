"""The shared guards: body size limits (JSON and uploads), per-key rate limiting, ETags, security headers,
request ids, and keys never reaching the logs."""

from __future__ import annotations

import logging

import httpx
from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from testkit.factories import account
from testkit.server import serve

from service.api import create_app
from service.api.body_limit import UPLOAD_BODY, UPLOAD_SLACK_BYTES
from service.config import Settings


def test_a_json_body_over_the_limit_is_refused_before_it_is_read(api):
    admin = api.world.key("province", "admin")
    limit = api.settings.request_max_bytes
    big = b'{"name": "' + b"x" * (limit + 10) + b'"}'
    r = api.request("POST", "/api/v1/organisations", admin, content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json"
    assert str(limit) in r.json()["detail"]

    def chunks():  # no Content-Length: the limit is enforced on the streamed bytes
        for _ in range(limit // 65536 + 2):
            yield b"x" * 65536

    r = api.request(
        "POST", "/api/v1/organisations", admin, content=chunks(), headers={"content-type": "application/json"}
    )
    assert r.status_code == 413 and r.json()["title"] == "Content Too Large"


def test_routes_marked_as_uploads_take_the_upload_limit(fresh_db):
    engine = fresh_db.engine()
    settings = Settings(database_url=fresh_db.url, request_max_bytes=2048, upload_max_bytes=64 * 1024)
    app = create_app(settings, engine=engine)
    extra = APIRouter()

    @extra.post("/test-upload", openapi_extra=UPLOAD_BODY)
    async def upload(request: Request) -> dict:
        return {"bytes": len(await request.body())}

    @extra.post("/test-json")
    async def small(request: Request) -> dict:
        return {"bytes": len(await request.body())}

    app.include_router(extra)
    with serve(app) as base:
        limit = 64 * 1024 + UPLOAD_SLACK_BYTES  # room for multipart framing beyond the file limit
        assert httpx.post(base + "/test-upload", content=b"x" * 40_000).json() == {"bytes": 40_000}
        assert httpx.post(base + "/test-upload", content=b"x" * limit).json() == {"bytes": limit}
        assert httpx.post(base + "/test-upload", content=b"x" * (limit + 1)).status_code == 413
        assert httpx.post(base + "/test-json", content=b"x" * 2048).status_code == 200
        assert httpx.post(base + "/test-json", content=b"x" * 2049).status_code == 413
        # A form with a file is an upload wherever it goes (the web upload page posts one).
        form = httpx.post(base + "/test-json", files={"file": ("a.csv", b"x" * 40_000)})
        assert form.status_code == 200 and form.json()["bytes"] > 40_000
    engine.dispose()


def test_each_key_has_its_own_token_bucket(fresh_db):
    engine = fresh_db.engine()
    with Session(engine) as s, s.begin():
        _, first = account(s, region="430200", role="analyst")
        _, second = account(s, region="430200", role="analyst")
    settings = Settings(
        database_url=fresh_db.url, rate_limit_per_second=0.2, rate_limit_burst=3, auth_failures_burst=1000
    )
    with serve(create_app(settings, engine=engine)) as base:
        # Guesses at the first key's public prefix do not drain its bucket: buckets are per presented key.
        guesses = [{"Authorization": f"Bearer {first.rsplit('_', 1)[0]}_guess{i}"} for i in range(5)]
        assert {httpx.get(base + "/api/v1/me", headers=g).status_code for g in guesses} == {401}
        codes = [
            httpx.get(base + "/api/v1/me", headers={"Authorization": f"Bearer {first}"}).status_code for _ in range(5)
        ]
        assert codes == [200, 200, 200, 429, 429]
        refused = httpx.get(base + "/api/v1/me", headers={"Authorization": f"Bearer {first}"})
        assert refused.headers["content-type"] == "application/problem+json"
        assert 1 <= int(refused.headers["retry-after"]) <= 5
        assert httpx.get(base + "/api/v1/me", headers={"Authorization": f"Bearer {second}"}).status_code == 200
        assert httpx.get(base + "/healthz").status_code == 200  # not rate-limited: no key
    engine.dispose()


def test_an_address_sending_wrong_keys_is_slowed_before_argon2(fresh_db):
    engine = fresh_db.engine()
    with Session(engine) as s, s.begin():
        _, key = account(s, region="430200", role="analyst")
    settings = Settings(database_url=fresh_db.url, auth_failures_per_second=0.1, auth_failures_burst=3)
    with serve(create_app(settings, engine=engine)) as base:
        wrong = {"Authorization": f"Bearer {key[:-3]}xyz"}
        assert [httpx.get(base + "/api/v1/me", headers=wrong).status_code for _ in range(4)] == [401, 401, 401, 429]
        refused = httpx.get(base + "/api/v1/me", headers={"Authorization": f"Bearer {key}"})
        assert refused.status_code == 429 and "failed authentications" in refused.json()["detail"]
    engine.dispose()


def test_etags_differ_by_caller_and_revalidate(api):
    zz, cs = api.world.key("zhuzhou", "analyst"), api.world.key("changsha", "analyst")
    a, b = api.get("/api/v1/regions", zz), api.get("/api/v1/regions", cs)
    assert a.headers["etag"] != b.headers["etag"]
    assert a.headers["cache-control"] == "private, no-cache" and "Authorization" in a.headers["vary"]
    assert api.request("GET", "/api/v1/regions", zz, headers={"If-None-Match": a.headers["etag"]}).status_code == 304
    assert api.request("GET", "/api/v1/regions", zz, headers={"If-None-Match": b.headers["etag"]}).status_code == 200
    assert "etag" not in api.get("/api/v1/regions/999999", zz).headers  # only successful answers carry one


def test_every_answer_has_a_request_id_and_security_headers(api):
    r = api.request("GET", "/api/v1/me", api.world.key("zhuzhou", "analyst"), headers={"X-Request-ID": "trace-42"})
    assert r.headers["x-request-id"] == "trace-42"
    assert r.headers["x-content-type-options"] == "nosniff" and r.headers["x-frame-options"] == "DENY"
    odd = api.request("GET", "/api/v1/me", None, headers={"X-Request-ID": "x" * 500})
    assert odd.status_code == 401 and len(odd.headers["x-request-id"]) == 32


def test_keys_never_reach_the_logs(api, caplog):
    key = api.world.key("zhuzhou", "analyst")
    secret = key.split("_", 2)[2]
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("uvicorn.error").warning("client sent %s", f"Authorization: Bearer {key}")
        logging.getLogger("labourwatch.test").info(f"retrying with {key}")
        api.get("/api/v1/me", key + "x")  # a bad key: authentication fails and is logged nowhere with its secret
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert secret not in text and f"lw_{key.split('_')[1]}_[redacted]" in text


def test_hostile_inputs_are_client_errors_on_every_backend(api):
    key = api.world.key("province", "admin")
    cases = [
        ("/api/v1/observations", {"indicator": "a\x00b"}, 400),  # PostgreSQL cannot hold NUL
        ("/api/v1/regions/43%000", {}, 400),
        (f"/api/v1/alerts/{2**70}", {}, 422),  # larger than any integer column
        ("/api/v1/observations", {"as_of": "0001-01-01T00:00:00+05:00"}, 422),  # no UTC equivalent
        ("/api/v1/organisations", {"cursor": "eyJ4IjoxfQ"}, 400),  # a cursor holding {"x": 1}
        ("/api/v1/observations", {"cursor": "WzFd"}, 400),  # a cursor holding [1]
    ]
    for path, params, status in cases:
        r = api.get(path, key, **params)
        assert r.status_code == status and r.headers["content-type"] == "application/problem+json", (path, r.text)
