"""How to call every API endpoint, for the permission matrix (tests/integration/api/test_permission_matrix.py).

Each entry of ENDPOINTS, keyed by (method, path template) exactly as in the OpenAPI document, says:
- `roles`: which roles may call it (as members of a province-level organisation); the others get 403;
- `call(kit)`: a valid call in the world of testkit.api_world (fresh objects where a call changes them);
- `at_changsha(kit)`: the same action aimed at Changsha's data, which a Zhuzhou caller must not read or change
  (None when the endpoint holds no regional data: then its answer to Zhuzhou must contain nothing of Changsha);
- `province_admin`: only an admin of a whole province may call it (a city admin gets 403);
- `public`: no key needed;
- `optional`: the endpoint is written on another branch; its entry waits here and is checked once it exists;
- `changsha_refusal`: the statuses that count as refusing the Zhuzhou caller's `at_changsha` call (403/404 by
  default; an upload of Changsha's rows is refused row by row with 422, and that refusal is itself recorded:
  the refused file is kept and audited, so `refusal_audited` is true there).

The matrix test walks the OpenAPI document, so an endpoint without an entry here fails the test: add one
when you add an endpoint.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.accounts import create_organisation, create_user, issue_key
from service.db.tables import ROLES, Alert, Silence, Subscription, ThresholdVersion
from testkit.api_world import COUNTY, PLACES, credit_code
from testkit.factories import NOW
from testkit.live import LiveApi

READ = frozenset(ROLES)  # every role reads within its scope
ADMIN = frozenset({"admin"})
RESPOND = frozenset({"responder", "admin"})
V1 = "/api/v1"


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    params: dict[str, Any] | None = None
    json: Any = None
    content: bytes | None = None
    headers: dict[str, str] | None = None

    def send(self, api: LiveApi, key: str | None):
        kw = {
            k: v for k, v in (("params", self.params), ("json", self.json), ("content", self.content)) if v is not None
        }
        return api.request(self.method, self.path, key, headers=dict(self.headers or {}), **kw)


@dataclass(frozen=True)
class Endpoint:
    roles: frozenset[str]
    call: Callable[[Kit], Call]
    at_changsha: Callable[[Kit], Call] | None = None
    province_admin: bool = False
    public: bool = False
    optional: bool = False
    changsha_refusal: frozenset[int] = frozenset({403, 404})
    refusal_audited: bool = False


class Kit:
    """The live API and its world, with makers of fresh objects for calls that change what they touch."""

    _serial = itertools.count(1)

    def __init__(self, api: LiveApi) -> None:
        self.api = api
        self.world = api.world

    def unique(self) -> str:
        return f"{self.world.tag}-{next(self._serial)}-{uuid.uuid4().hex[:4]}"

    def _session(self) -> Session:
        return Session(self.api.engine)

    def fresh_org(self, place: str) -> int:
        with self._session() as s, s.begin():
            return create_organisation(
                s, name=f"org-{self.unique()}", kind="operations", region_code=PLACES[place], now=NOW
            ).id

    def fresh_user(self, place: str) -> int:
        with self._session() as s, s.begin():
            return create_user(
                s, organisation_id=self.world.orgs[place], username=f"u-{self.unique()}", role="analyst", now=NOW
            ).id

    def fresh_key(self, place: str) -> str:
        user_id = self.fresh_user(place)
        with self._session() as s, s.begin():
            return issue_key(s, user_id=user_id, name="fresh", now=NOW)[0].prefix

    def fresh_subscription(self, place: str) -> int:
        with self._session() as s, s.begin():
            sub = Subscription(
                organisation_id=self.world.orgs[place],
                region_code=PLACES[place],
                channel="email",
                target=f"{self.unique()}@example.org",
                min_grade=4,
                language="zh",
                active=True,
                created_at=NOW,
            )
            s.add(sub)
            s.flush()
            return sub.id

    def report_id(self) -> int:
        """A quarterly report of the province, generated once through the API by the province admin."""
        if not hasattr(self, "_report"):
            r = self.api.request(
                "POST",
                V1 + "/reports",
                self.world.key("province", "admin"),
                json={"quarter": "2025Q3", "region": "430000", "formats": ["html"]},
            )
            assert r.status_code == 201, r.text
            self._report = r.json()[0]["id"]
        return self._report

    def upload(self, place: str, *, bad: bool = False) -> Call:
        """A multipart survey upload with one row for `place` (a fresh figure each time; `bad` adds a bad month)."""
        value = 4.0 + next(self._serial) % 300 / 100
        lines = f"地区代码,时期,指标,数值\n{PLACES[place]},2024-06,城镇调查失业率,{value:.2f}\n"
        if bad:
            lines += f"{PLACES[place]},2024-13,城镇调查失业率,5.0\n"
        form = httpx.Request(
            "POST", "http://form", files={"file": (f"{self.unique()}.csv", lines.encode(), "text/csv")}
        )
        return Call(
            "POST",
            V1 + "/batches",
            params={"source": "survey"},
            content=form.read(),
            headers={"content-type": form.headers["content-type"]},
        )

    def batch_id(self, place: str, *, rejected: bool = False) -> int:
        """A batch submitted by `place`'s uploader (landed, or refused with a problem report)."""
        cache = self.__dict__.setdefault("_batches", {})
        if (place, rejected) not in cache:
            r = self.upload(place, bad=rejected).send(self.api, self.world.key(place, "uploader"))
            assert r.status_code == (422 if rejected else 202), r.text
            cache[place, rejected] = r.json()["batch_id"]
        return cache[place, rejected]

    def filing(self, place: str) -> Call:
        """An art. 41 layoff filing by a new enterprise of `place` (shared test enterprises stay as they are)."""
        serial = 1000 + next(self._serial)
        return Call(
            "POST",
            V1 + "/layoff-filings",
            json={
                "external_ref": f"ref-{self.unique()}",
                "credit_code": credit_code(COUNTY[place], serial),
                "enterprise_name": f"权限矩阵企业{serial}",
                "region_code": COUNTY[place],
                "filed_on": "2025-09-01",
                "planned_on": "2025-10-15",
                "staff_before": 500,
                "layoffs": 40,
                "reason": "订单下降（测试）",
            },
        )

    def fresh_alert(self, place: str) -> int:
        """An open alert of `place` for a risk of its own (acknowledging or resolving it touches nothing shared)."""
        risk = f"test-{self.unique()}"
        with self._session() as s, s.begin():
            alert = Alert(
                fingerprint=uuid.uuid4().hex,
                region_code=PLACES[place],
                risk=risk,
                grade=4,
                state="open",
                period=dt.date(2025, 9, 1),
                summary_zh="测试预警",
                summary_en="test alert",
                opened_at=NOW,
                updated_at=NOW,
                ack_deadline=NOW + dt.timedelta(hours=24),
                responsible_region_code=PLACES[place],
            )
            s.add(alert)
            s.flush()
            return alert.id

    def fresh_silence(self, place: str) -> int:
        with self._session() as s, s.begin():
            silence = Silence(
                region_code=PLACES[place],
                risk=None,
                starts_at=NOW,
                ends_at=NOW + dt.timedelta(days=3650),
                reason=f"test {self.unique()}",
                created_at=NOW,
            )
            s.add(silence)
            s.flush()
            return silence.id

    def silence_body(self, place: str) -> dict:
        ends = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)  # silences are short by rule (at most 90 days)
        return {"region_code": PLACES[place], "ends_at": ends.isoformat(), "reason": f"test {self.unique()}"}

    def active_thresholds(self) -> ThresholdVersion:
        with self._session() as s:
            return s.scalar(select(ThresholdVersion).where(ThresholdVersion.status == "active"))

    def thresholds_text(self) -> str:
        """The rules in force with a new comment: a valid file that differs from every earlier one."""
        return self.active_thresholds().content.rstrip("\n") + f"\n# revised in test {self.unique()}\n"


def _get(path: str, **params) -> Callable[[Kit], Call]:
    return lambda kit: Call("GET", V1 + path.format(w=kit.world), params or None)


ZZ, CS = "430200", "430100"

ENDPOINTS: dict[tuple[str, str], Endpoint] = {
    ("GET", "/healthz"): Endpoint(READ, lambda kit: Call("GET", "/healthz"), public=True),
    # reference data
    ("GET", V1 + "/regions"): Endpoint(READ, _get("/regions", level="city"), _get("/regions", parent=CS)),
    ("GET", V1 + "/regions/{code}"): Endpoint(READ, _get(f"/regions/{ZZ}"), _get(f"/regions/{CS}")),
    ("GET", V1 + "/indicators"): Endpoint(READ, _get("/indicators")),
    ("GET", V1 + "/me"): Endpoint(READ, _get("/me")),
    # data
    ("GET", V1 + "/observations"): Endpoint(READ, _get("/observations", region=ZZ), _get("/observations", region=CS)),
    ("GET", V1 + "/forecasts"): Endpoint(READ, _get("/forecasts", region=ZZ), _get("/forecasts", region=CS)),
    ("GET", V1 + "/forecasts/accuracy"): Endpoint(
        READ, _get("/forecasts/accuracy", region=ZZ), _get("/forecasts/accuracy", region=CS)
    ),
    ("GET", V1 + "/forecast-runs"): Endpoint(READ, _get("/forecast-runs")),
    ("GET", V1 + "/forecast-runs/{run_id}"): Endpoint(READ, _get("/forecast-runs/{w.forecast_run}")),
    ("GET", V1 + "/alerts"): Endpoint(READ, _get("/alerts", region=ZZ), _get("/alerts", region=CS)),
    ("GET", V1 + "/alerts/{alert_id}"): Endpoint(
        READ, _get("/alerts/{w.alerts[zhuzhou]}"), _get("/alerts/{w.alerts[changsha]}")
    ),
    ("GET", V1 + "/enterprises"): Endpoint(READ, _get("/enterprises", region=ZZ), _get("/enterprises", region=CS)),
    ("GET", V1 + "/enterprises/{credit_code}"): Endpoint(
        READ, _get("/enterprises/{w.enterprises[zhuzhou]}"), _get("/enterprises/{w.enterprises[changsha]}")
    ),
    # thresholds
    ("GET", V1 + "/thresholds"): Endpoint(READ, _get("/thresholds")),
    ("GET", V1 + "/thresholds/versions"): Endpoint(READ, _get("/thresholds/versions")),
    ("GET", V1 + "/thresholds/versions/{version_id}"): Endpoint(
        READ, lambda kit: Call("GET", f"{V1}/thresholds/versions/{kit.active_thresholds().id}")
    ),
    ("PUT", V1 + "/thresholds"): Endpoint(
        ADMIN, lambda kit: Call("PUT", V1 + "/thresholds", json={"content": kit.thresholds_text()}), province_admin=True
    ),
    # subscriptions
    ("GET", V1 + "/subscriptions"): Endpoint(
        ADMIN, _get("/subscriptions", region=ZZ), _get("/subscriptions", region=CS)
    ),
    ("POST", V1 + "/subscriptions"): Endpoint(
        ADMIN,
        lambda kit: Call(
            "POST",
            V1 + "/subscriptions",
            json={"region_code": ZZ, "channel": "wecom", "target": "https://wecom.example/x"},
        ),
        lambda kit: Call(
            "POST",
            V1 + "/subscriptions",
            json={"region_code": CS, "channel": "wecom", "target": "https://wecom.example/x"},
        ),
    ),
    ("GET", V1 + "/subscriptions/{subscription_id}"): Endpoint(
        ADMIN, _get("/subscriptions/{w.subscriptions[zhuzhou]}"), _get("/subscriptions/{w.subscriptions[changsha]}")
    ),
    ("PATCH", V1 + "/subscriptions/{subscription_id}"): Endpoint(
        ADMIN,
        lambda kit: Call("PATCH", f"{V1}/subscriptions/{kit.fresh_subscription('zhuzhou')}", json={"min_grade": 2}),
        lambda kit: Call("PATCH", f"{V1}/subscriptions/{kit.world.subscriptions['changsha']}", json={"min_grade": 1}),
    ),
    ("DELETE", V1 + "/subscriptions/{subscription_id}"): Endpoint(
        ADMIN,
        lambda kit: Call("DELETE", f"{V1}/subscriptions/{kit.fresh_subscription('zhuzhou')}"),
        lambda kit: Call("DELETE", f"{V1}/subscriptions/{kit.world.subscriptions['changsha']}"),
    ),
    # jobs
    ("GET", V1 + "/jobs"): Endpoint(ADMIN, _get("/jobs")),
    ("GET", V1 + "/jobs/{job_id}/runs"): Endpoint(ADMIN, _get("/jobs/forecast-series/runs")),
    ("POST", V1 + "/jobs/{job_id}/runs"): Endpoint(
        ADMIN, lambda kit: Call("POST", V1 + "/jobs/forecast-series/runs"), province_admin=True
    ),
    # organisations
    ("GET", V1 + "/organisations"): Endpoint(ADMIN, _get("/organisations")),
    ("POST", V1 + "/organisations"): Endpoint(
        ADMIN,
        lambda kit: Call(
            "POST", V1 + "/organisations", json={"name": f"o-{kit.unique()}", "kind": "operations", "region_code": ZZ}
        ),
        lambda kit: Call(
            "POST", V1 + "/organisations", json={"name": f"o-{kit.unique()}", "kind": "operations", "region_code": CS}
        ),
    ),
    ("GET", V1 + "/organisations/{organisation_id}"): Endpoint(
        ADMIN, _get("/organisations/{w.orgs[zhuzhou]}"), _get("/organisations/{w.orgs[changsha]}")
    ),
    ("PATCH", V1 + "/organisations/{organisation_id}"): Endpoint(
        ADMIN,
        lambda kit: Call("PATCH", f"{V1}/organisations/{kit.fresh_org('zhuzhou')}", json={"name": f"o-{kit.unique()}"}),
        lambda kit: Call("PATCH", f"{V1}/organisations/{kit.world.orgs['changsha']}", json={"kind": "operations"}),
    ),
    # users and keys
    ("GET", V1 + "/users"): Endpoint(
        ADMIN, _get("/users"), lambda kit: Call("GET", V1 + "/users", {"organisation_id": kit.world.orgs["changsha"]})
    ),
    ("POST", V1 + "/users"): Endpoint(
        ADMIN,
        lambda kit: Call(
            "POST",
            V1 + "/users",
            json={"organisation_id": kit.world.orgs["zhuzhou"], "username": f"n-{kit.unique()}", "role": "analyst"},
        ),
        lambda kit: Call(
            "POST",
            V1 + "/users",
            json={"organisation_id": kit.world.orgs["changsha"], "username": f"n-{kit.unique()}", "role": "analyst"},
        ),
    ),
    ("GET", V1 + "/users/{user_id}"): Endpoint(
        ADMIN,
        lambda kit: Call("GET", f"{V1}/users/{kit.world.users['zhuzhou', 'analyst']}"),
        lambda kit: Call("GET", f"{V1}/users/{kit.world.users['changsha', 'analyst']}"),
    ),
    ("PATCH", V1 + "/users/{user_id}"): Endpoint(
        ADMIN,
        lambda kit: Call("PATCH", f"{V1}/users/{kit.fresh_user('zhuzhou')}", json={"display_name": kit.unique()}),
        lambda kit: Call("PATCH", f"{V1}/users/{kit.world.users['changsha', 'analyst']}", json={"active": False}),
    ),
    ("GET", V1 + "/users/{user_id}/keys"): Endpoint(
        ADMIN,
        lambda kit: Call("GET", f"{V1}/users/{kit.world.users['zhuzhou', 'analyst']}/keys"),
        lambda kit: Call("GET", f"{V1}/users/{kit.world.users['changsha', 'analyst']}/keys"),
    ),
    ("POST", V1 + "/users/{user_id}/keys"): Endpoint(
        ADMIN,
        lambda kit: Call("POST", f"{V1}/users/{kit.fresh_user('zhuzhou')}/keys", json={"name": "k"}),
        lambda kit: Call("POST", f"{V1}/users/{kit.world.users['changsha', 'analyst']}/keys", json={"name": "k"}),
    ),
    ("DELETE", V1 + "/keys/{prefix}"): Endpoint(
        ADMIN,
        lambda kit: Call("DELETE", f"{V1}/keys/{kit.fresh_key('zhuzhou')}"),
        lambda kit: Call("DELETE", f"{V1}/keys/{kit.world.key_prefixes['changsha', 'analyst']}"),
    ),
    ("GET", V1 + "/audit-log"): Endpoint(ADMIN, _get("/audit-log")),
    # quarterly reports (service/api/routes/reports.py): a report covers a province
    ("GET", V1 + "/reports"): Endpoint(READ, _get("/reports")),
    ("GET", V1 + "/reports/{report_id}"): Endpoint(
        READ,
        lambda kit: Call("GET", f"{V1}/reports/{kit.report_id()}"),
        at_changsha=lambda kit: Call("GET", f"{V1}/reports/{kit.report_id()}"),
    ),
    ("POST", V1 + "/reports"): Endpoint(
        frozenset({"analyst", "admin"}),
        lambda kit: Call("POST", V1 + "/reports", json={"quarter": "2025Q3", "region": "430000", "formats": ["html"]}),
        lambda kit: Call("POST", V1 + "/reports", json={"quarter": "2025Q3", "region": "430000", "formats": ["html"]}),
    ),
    # ingestion (service/api/routes/batches.py, layoffs.py): batches are seen by their submitter's subtree
    ("GET", V1 + "/batches"): Endpoint(READ, _get("/batches")),
    ("GET", V1 + "/batches/{batch_id}"): Endpoint(
        READ,
        lambda kit: Call("GET", f"{V1}/batches/{kit.batch_id('zhuzhou')}"),
        lambda kit: Call("GET", f"{V1}/batches/{kit.batch_id('changsha')}"),
    ),
    ("GET", V1 + "/batches/{batch_id}/errors"): Endpoint(
        READ,
        lambda kit: Call("GET", f"{V1}/batches/{kit.batch_id('zhuzhou', rejected=True)}/errors"),
        lambda kit: Call("GET", f"{V1}/batches/{kit.batch_id('changsha', rejected=True)}/errors"),
    ),
    ("POST", V1 + "/batches"): Endpoint(
        frozenset({"uploader", "admin"}),
        lambda kit: kit.upload("zhuzhou"),
        lambda kit: kit.upload("changsha"),
        changsha_refusal=frozenset({403, 422}),
        refusal_audited=True,
    ),
    ("GET", V1 + "/sources/freshness"): Endpoint(READ, _get("/sources/freshness")),
    ("GET", V1 + "/layoff-filings"): Endpoint(
        READ, _get("/layoff-filings", region=ZZ), _get("/layoff-filings", region=CS)
    ),
    ("POST", V1 + "/layoff-filings"): Endpoint(
        frozenset({"uploader", "responder", "admin"}),
        lambda kit: kit.filing("zhuzhou"),
        lambda kit: kit.filing("changsha"),
    ),
    # alert actions and silences (service/api/routes/alerts.py, silences.py): responders and admins act
    ("POST", V1 + "/alerts/{alert_id}/acknowledge"): Endpoint(
        RESPOND,
        lambda kit: Call("POST", f"{V1}/alerts/{kit.fresh_alert('zhuzhou')}/acknowledge", json={"note": "在处理"}),
        lambda kit: Call("POST", f"{V1}/alerts/{kit.fresh_alert('changsha')}/acknowledge", json={"note": "x"}),
    ),
    ("POST", V1 + "/alerts/{alert_id}/resolve"): Endpoint(
        RESPOND,
        lambda kit: Call("POST", f"{V1}/alerts/{kit.fresh_alert('zhuzhou')}/resolve", json={"note": "已处置"}),
        lambda kit: Call("POST", f"{V1}/alerts/{kit.fresh_alert('changsha')}/resolve", json={"note": "x"}),
    ),
    ("GET", V1 + "/silences"): Endpoint(READ, _get("/silences")),
    ("GET", V1 + "/silences/{silence_id}"): Endpoint(
        READ,
        lambda kit: Call("GET", f"{V1}/silences/{kit.fresh_silence('zhuzhou')}"),
        lambda kit: Call("GET", f"{V1}/silences/{kit.fresh_silence('changsha')}"),
    ),
    ("POST", V1 + "/silences"): Endpoint(
        RESPOND,
        lambda kit: Call("POST", V1 + "/silences", json=kit.silence_body("zhuzhou")),
        lambda kit: Call("POST", V1 + "/silences", json=kit.silence_body("changsha")),
    ),
    ("DELETE", V1 + "/silences/{silence_id}"): Endpoint(
        RESPOND,
        lambda kit: Call("DELETE", f"{V1}/silences/{kit.fresh_silence('zhuzhou')}"),
        lambda kit: Call("DELETE", f"{V1}/silences/{kit.fresh_silence('changsha')}"),
    ),
}
