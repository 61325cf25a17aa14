"""The permission matrix, over every endpoint of the OpenAPI document (so a new endpoint is covered or fails):

- each role, as a member of a province-level organisation, can do exactly its own actions (others get 403),
  and every write it is allowed leaves an audit entry naming the user, the request and the remote address;
- a Zhuzhou (430200) user of any role cannot read or change Changsha's (430100) data: aimed at Changsha, a
  call is refused (403/404) or answers without anything of Changsha, writes change nothing and audit nothing;
- without a key, every endpoint but /healthz answers 401.

How to call each endpoint lives in tests/testkit/endpoints.py.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from testkit.endpoints import ENDPOINTS, Kit

from service.db.queries import subtree_codes
from service.db.tables import ROLES, ApiKey, AuditLog, JobRun, Organisation, Subscription, ThresholdVersion, User

WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def operations(api) -> set[tuple[str, str]]:
    doc = api.get("/api/v1/openapi.json").json()
    return {
        (m.upper(), path)
        for path, item in doc["paths"].items()
        for m in item
        if m in ("get", "post", "put", "patch", "delete")
    }


def strings(value):
    if isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)
    elif value is not None:
        yield str(value)


def changsha_leaks(api, response) -> list[str]:
    """Every value in the answer that belongs to Changsha: one of its region codes or a Changsha-only string."""
    try:
        body = response.json()
    except json.JSONDecodeError:
        body = response.text
    codes = _changsha_codes(api)
    assert "430102" in codes
    markers = api.world.changsha_markers()
    return sorted({v for v in strings(body) if v in codes or any(m in v for m in markers)})


def _changsha_codes(api) -> set[str]:
    with Session(api.engine) as s:
        return set(subtree_codes(s, region_code="430100"))


def audit_entries(api, request_id: str) -> list[AuditLog]:
    with Session(api.engine) as s:
        return list(s.scalars(select(AuditLog).where(AuditLog.request_id == request_id)))


def present(api) -> dict:
    """The registry entries of endpoints this build serves (optional entries wait for their branch)."""
    ops = operations(api)
    return {k: v for k, v in ENDPOINTS.items() if k in ops}


def test_every_endpoint_has_a_registry_entry(api):
    ops = operations(api)
    missing = sorted(ops - set(ENDPOINTS))
    stale = sorted(k for k in set(ENDPOINTS) - ops if not ENDPOINTS[k].optional)
    assert not missing, f"add these endpoints to tests/testkit/endpoints.py: {missing}"
    assert not stale, f"these registry entries name no endpoint of the OpenAPI document: {stale}"


def test_each_role_can_do_exactly_its_own_actions(api):
    kit = Kit(api)
    wrong = []
    for (method, template), entry in sorted(present(api).items()):
        if entry.public:
            r = entry.call(kit).send(api, None)
            if not r.is_success:
                wrong.append(f"{method} {template} without a key: {r.status_code}")
            continue
        for role in ROLES:
            r = entry.call(kit).send(api, api.world.key("province", role))
            expected = "allowed" if role in entry.roles else "403"
            if role in entry.roles and not r.is_success:
                wrong.append(f"{method} {template} as {role}: expected 2xx, got {r.status_code} {r.text[:200]}")
            elif role not in entry.roles and r.status_code != 403:
                wrong.append(f"{method} {template} as {role}: expected {expected}, got {r.status_code}")
            if method in WRITES and r.is_success:
                entries = audit_entries(api, r.headers["x-request-id"])
                who = {(e.user_id, e.remote_addr) for e in entries}
                if who != {(api.world.users["province", role], "127.0.0.1")}:
                    wrong.append(
                        f"{method} {template} as {role} succeeded but its audit entries are {who or 'missing'}"
                    )
    assert not wrong, "\n".join(wrong)


def _changsha_state(api) -> dict:
    w = api.world
    with Session(api.engine) as s:
        org = s.get(Organisation, w.orgs["changsha"])
        users = s.scalars(select(User).where(User.organisation_id == org.id).order_by(User.id)).all()
        keys = s.scalars(select(ApiKey).where(ApiKey.user_id.in_([u.id for u in users])).order_by(ApiKey.id)).all()
        sub = s.get(Subscription, w.subscriptions["changsha"])
        return {
            "org": (org.name, org.kind, org.region_code),
            "users": [(u.id, u.username, u.role, u.active, u.display_name) for u in users],
            "keys": [(k.prefix, k.revoked_at) for k in keys],
            "subscriptions": s.execute(
                select(Subscription.id, Subscription.target, Subscription.min_grade, Subscription.active).where(
                    Subscription.region_code.like("4301%")
                )
            ).all(),
            "subscription": (sub.target, sub.min_grade, sub.active),
            "organisations in Changsha": s.scalar(
                select(func.count()).select_from(Organisation).where(Organisation.region_code.like("4301%"))
            ),
            "thresholds": s.scalar(select(ThresholdVersion.id).where(ThresholdVersion.status == "active")),
            "job runs": s.scalar(select(func.count()).select_from(JobRun)),
        }


@pytest.mark.parametrize("role", ROLES)
def test_zhuzhou_cannot_read_or_change_changsha(api, role):
    kit = Kit(api)
    before = _changsha_state(api)
    key = api.world.key("zhuzhou", role)
    wrong = []
    for (method, template), entry in sorted(present(api).items()):
        if entry.public:
            continue
        aimed = entry.at_changsha is not None or entry.province_admin
        call = (entry.at_changsha or entry.call)(kit)
        r = call.send(api, key)
        denied = r.status_code in entry.changsha_refusal
        if r.is_success:
            leaks = changsha_leaks(api, r)
            if leaks:
                wrong.append(f"{method} {template}: Zhuzhou {role} received Changsha's {leaks[:5]}")
            if method in WRITES and aimed:
                wrong.append(f"{method} {template}: Zhuzhou {role} changed Changsha's data ({r.status_code})")
        elif not denied:
            wrong.append(f"{method} {template}: Zhuzhou {role} got {r.status_code}, expected 403/404 or a clean 2xx")
        if (
            method in WRITES
            and not r.is_success
            and not (denied and entry.refusal_audited)
            and audit_entries(api, r.headers["x-request-id"])
        ):
            wrong.append(f"{method} {template}: a refused write left an audit entry")
    assert not wrong, "\n".join(wrong)
    assert _changsha_state(api) == before


def test_every_endpoint_but_health_needs_a_key(api):
    kit = Kit(api)
    wrong = []
    for (method, template), entry in sorted(present(api).items()):
        if entry.public:
            continue
        for key in (None, api.world.key("province", "admin")[:-4] + "nope"):
            r = entry.call(kit).send(api, key)
            if r.status_code != 401 or r.headers["content-type"] != "application/problem+json":
                wrong.append(f"{method} {template} with key {key and key[:16]}: {r.status_code}")
    assert not wrong, "\n".join(wrong)
