"""Organisations, users and keys over HTTP: keys shown once, revocable at once, expiring; scope; before/after."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from testkit.endpoints import Kit

from service.db.tables import ApiKey, AuditLog


def _audit(api, response) -> AuditLog:
    with Session(api.engine) as s:
        return s.scalar(select(AuditLog).where(AuditLog.request_id == response.headers["x-request-id"]))


def test_an_admin_onboards_a_city_bureau_and_its_key_works_once_shown(api):
    kit = Kit(api)
    admin = api.world.key("zhuzhou", "admin")
    org = api.request(
        "POST",
        "/api/v1/organisations",
        admin,
        json={"name": f"渌口区人社局-{kit.unique()}", "kind": "hr_department", "region_code": "430212"},
    )
    assert org.status_code == 201, org.text
    user = api.request(
        "POST",
        "/api/v1/users",
        admin,
        json={"organisation_id": org.json()["id"], "username": f"lk-{kit.unique()}", "role": "responder"},
    )
    assert user.status_code == 201, user.text
    issued = api.request(
        "POST", f"/api/v1/users/{user.json()['id']}/keys", admin, json={"name": "duty", "expires_in_days": 30}
    )
    assert issued.status_code == 201 and issued.headers["cache-control"] == "no-store"
    key = issued.json()["key"]
    assert key.startswith(f"lw_{issued.json()['prefix']}_")
    expires = dt.datetime.fromisoformat(issued.json()["expires_at"])
    assert dt.timedelta(days=29) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(days=30)
    me = api.get("/api/v1/me", key).json()
    assert me["region_code"] == "430212" and me["role"] == "responder" and me["regions_in_scope"] == 1
    listed = api.get(f"/api/v1/users/{user.json()['id']}/keys", admin).text
    assert key.split("_", 2)[2] not in listed and issued.json()["prefix"] in listed  # the secret is never shown again
    with Session(api.engine) as s:
        row = s.scalar(select(ApiKey).where(ApiKey.prefix == issued.json()["prefix"]))
        assert row.secret_hash.startswith("$argon2") and key not in row.secret_hash
    entry = _audit(api, issued)
    assert entry.action == "api_key.issue" and "key" not in entry.after and "secret_hash" not in entry.after


def test_revocation_and_deactivation_take_effect_on_the_next_request(api):
    kit = Kit(api)
    admin = api.world.key("province", "admin")
    user_id = kit.fresh_user("zhuzhou")
    key = api.request("POST", f"/api/v1/users/{user_id}/keys", admin, json={"name": "a"}).json()
    assert api.get("/api/v1/me", key["key"]).status_code == 200
    revoked = api.request("DELETE", f"/api/v1/keys/{key['prefix']}", admin)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert api.get("/api/v1/me", key["key"]).status_code == 401  # despite the verified-key cache
    entry = _audit(api, revoked)
    assert entry.before["revoked_at"] is None and entry.after["revoked_at"]

    other = api.request("POST", f"/api/v1/users/{user_id}/keys", admin, json={"name": "b"}).json()["key"]
    assert api.get("/api/v1/me", other).status_code == 200
    off = api.request("PATCH", f"/api/v1/users/{user_id}", admin, json={"active": False})
    assert off.status_code == 200 and api.get("/api/v1/me", other).status_code == 401
    entry = _audit(api, off)
    assert entry.before["active"] is True and entry.after["active"] is False


def test_an_expired_key_is_refused(api):
    kit = Kit(api)
    prefix = kit.fresh_key("zhuzhou")
    admin = api.world.key("province", "admin")
    key = api.request("POST", f"/api/v1/users/{kit.fresh_user('zhuzhou')}/keys", admin, json={"name": "x"}).json()
    assert api.get("/api/v1/me", key["key"]).status_code == 200
    with Session(api.engine) as s, s.begin():
        s.execute(
            update(ApiKey)
            .where(ApiKey.prefix.in_([prefix, key["prefix"]]))
            .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
    r = api.get("/api/v1/me", key["key"])
    assert r.status_code == 401 and "expired" in r.json()["detail"]


def test_admins_cannot_demote_or_deactivate_themselves(api):
    admin = api.world.key("zhuzhou", "admin")
    me = api.world.users["zhuzhou", "admin"]
    assert api.request("PATCH", f"/api/v1/users/{me}", admin, json={"role": "analyst"}).status_code == 409
    assert api.request("PATCH", f"/api/v1/users/{me}", admin, json={"active": False}).status_code == 409
    assert api.request("PATCH", f"/api/v1/users/{me}", admin, json={"display_name": "值班"}).status_code == 200


def test_a_city_admin_cannot_reach_above_its_city(api):
    kit = Kit(api)
    admin = api.world.key("zhuzhou", "admin")
    province_org = api.world.orgs["province"]
    body = {"name": f"x-{kit.unique()}", "kind": "operations", "region_code": "430000"}
    assert api.request("POST", "/api/v1/organisations", admin, json=body).status_code == 403
    assert api.get(f"/api/v1/organisations/{province_org}", admin).status_code == 404
    assert api.get(f"/api/v1/users/{api.world.users['province', 'admin']}", admin).status_code == 404
    names = {o["region_code"] for o in api.get("/api/v1/organisations", admin).json()["items"]}
    assert names and all(code.startswith("4302") for code in names)


def test_duplicates_and_bad_input_are_client_errors(api):
    admin = api.world.key("province", "admin")
    taken = {"organisation_id": api.world.orgs["zhuzhou"], "username": f"zz-{api.world.tag}-analyst", "role": "analyst"}
    assert api.request("POST", "/api/v1/users", admin, json=taken).status_code == 409
    bad = {**taken, "username": "Has Spaces"}
    r = api.request("POST", "/api/v1/users", admin, json=bad)
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "username"]
    assert api.request("POST", "/api/v1/users", admin, json={**taken, "role": "root"}).status_code == 422
    too_long = {"name": "k", "expires_in_days": 731}
    assert (
        api.request(
            "POST", f"/api/v1/users/{api.world.users['zhuzhou', 'analyst']}/keys", admin, json=too_long
        ).status_code
        == 422
    )
