"""The web pages driven by a real headless Chromium (Debian's), against a real server, on both databases.

One world and one browser per module; each test signs in as the person it is about. Screenshots are kept under
test-artifacts/web/ for people to look at.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from testkit.databases import clone, discard
from testkit.reportworld import NOW, build_world
from testkit.server import serve

from service.accounts import create_organisation, create_user, issue_key
from service.api import create_app
from service.config import Settings
from service.db.tables import Alert, AlertEvent, AuditLog, Batch
from service.jobs import evaluate_rules, forecast
from service.registry import load_registry
from service.reports import Quarter, generate_reports

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "test-artifacts" / "web"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
# (username, organisation region, role); the password is the username reversed, so no two are alike.
PEOPLE = {
    "survey": ("430000", "uploader"),
    "analyst": ("430000", "analyst"),
    "zhuzhou": ("430200", "responder"),
    "changsha": ("430100", "responder"),
}
GOOD = (
    "地区代码,时期,指标,数值,样本量\n430000,2026-10,城镇调查失业率,5.3,20000\n430100,2026-10,城镇调查失业率,4.9,3000\n"
)
# Line 2: no such region; line 3: no 13th month; line 4: a rate above 100 %.
BAD = (
    "地区代码,时期,指标,数值\n439999,2026-10,城镇调查失业率,5.3\n430100,2026-13,城镇调查失业率,4.9\n"
    "430200,2026-10,城镇调查失业率,155\n"
)


def password(name: str) -> str:
    return f"{name[::-1]}-Pa55word"


@pytest.fixture(scope="module")
def site(template_db, tmp_path_factory):
    folder = tmp_path_factory.mktemp("web-site")
    db = clone(template_db, folder)
    engine = db.engine()
    keys, users = {}, {}
    with Session(engine) as s, s.begin():
        build_world(s)
        for name, (region, role) in PEOPLE.items():
            org = create_organisation(s, name=f"{name} 单位", kind="hr_department", region_code=region, now=NOW)
            user = create_user(s, organisation_id=org.id, username=name, role=role, now=NOW, password=password(name),
                               display_name=f"{name} 用户")  # fmt: skip
            users[name] = user.id
            keys[name] = issue_key(s, user_id=user.id, name="t", now=NOW, expires_at=NOW + dt.timedelta(days=400))[1]
    with Session(engine) as s, s.begin():
        forecast(s, now=NOW)
        evaluate_rules(s, now=NOW, registry=load_registry(["430000"]), rules_path=ROOT / "thresholds.yaml")
        generate_reports(s, region_code="430000", quarter=Quarter.parse("2026Q3"), now=NOW)
    settings = Settings(database_url=db.url, data_dir=folder / "var", session_secret="t" * 40)
    with serve(create_app(settings, engine=engine)) as base:
        yield type("Site", (), {"base": base, "engine": engine, "keys": keys, "users": users, "backend": db.backend})
    engine.dispose()
    discard(db)


@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run `make system-deps` (Debian package chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=CHROMIUM,
            args=ARGS,
            headless=True,
            accept_downloads=True,
            locale="zh-CN",
        )
        yield context
        context.close()


@pytest.fixture
def page(chromium, site):
    chromium.clear_cookies()
    tab = chromium.new_page()
    yield tab
    tab.close()


def shot(page, name: str, site) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-{site.backend}.png"), full_page=True)


def sign_in(page, site, name: str, then: str = "/web/alerts") -> None:
    page.goto(site.base + then)
    assert "/web/signin" in page.url
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(password(name))
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/web/signin" not in url)


def test_sign_in_refuses_a_wrong_password_then_lets_the_right_one_in(page, site):
    page.goto(site.base + "/web/alerts")
    assert page.url.startswith(site.base + "/web/signin")
    page.get_by_label("用户名").fill("zhuzhou")
    page.get_by_label("密码").fill("wrong password")
    page.get_by_role("button", name="登录").click()
    assert page.get_by_role("alert").inner_text().startswith("用户名或密码不正确")
    page.get_by_label("密码").fill(password("zhuzhou"))
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(site.base + "/web/alerts")
    assert page.get_by_role("heading", level=1).inner_text() == "预警看板"
    assert page.locator("#who").inner_text() == "zhuzhou 用户"
    cookie = next(c for c in page.context.cookies() if c["name"] == "lw_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    shot(page, "alert-board", site)


def test_upload_a_good_file_then_a_bad_one(page, site):
    sign_in(page, site, "survey", "/web/upload")
    page.get_by_label("文件").set_input_files(
        {"name": "good.csv", "mimeType": "text/csv", "buffer": GOOD.encode("utf-8")}
    )
    page.get_by_role("button", name="上传并校验").click()
    page.wait_for_url("**/web/batches/*")
    assert page.locator("#batch-status").inner_text() == "已入库"
    good_id = int(page.url.rsplit("/", 1)[1])
    shot(page, "upload-good", site)

    page.goto(site.base + "/web/upload")
    page.get_by_label("文件").set_input_files({"name": "bad.csv", "mimeType": "text/csv", "buffer": BAD.encode("gbk")})
    page.get_by_role("button", name="上传并校验").click()
    page.wait_for_url("**/web/batches/*")
    assert page.locator("#batch-status").inner_text() == "已拒收，未入库"
    rows = page.locator("#problems tbody tr")
    reported = {int(rows.nth(i).locator("td").first.inner_text()) for i in range(rows.count())}
    assert reported == {2, 3, 4}  # every bad line named, by its line in the file
    shot(page, "upload-bad", site)
    bad_id = int(page.url.rsplit("/", 1)[1])
    with Session(site.engine) as s:
        statuses = {
            b.id: (b.status, b.submitted_by) for b in s.scalars(select(Batch).where(Batch.id.in_([good_id, bad_id])))
        }
    assert statuses == {good_id: ("landed", site.users["survey"]), bad_id: ("rejected", site.users["survey"])}


def test_a_responder_acknowledges_the_alert_of_their_city(page, site):
    sign_in(page, site, "zhuzhou")
    with Session(site.engine) as s:
        alert_id = s.scalar(select(Alert.id).where(Alert.region_code == "430200", Alert.state == "open"))
    row = page.locator(f"#alert-{alert_id}")
    assert "株洲市" in row.inner_text() and row.get_attribute("data-state") == "open"
    row.get_by_placeholder("处理说明").first.fill("已联系重点企业")
    row.get_by_role("button", name="签收").click()
    page.wait_for_url("**/web/alerts?done=*")
    assert page.locator(f"#alert-{alert_id}").get_attribute("data-state") == "acknowledged"
    assert page.get_by_role("status").inner_text() == f"已签收预警 {alert_id}。"
    shot(page, "acknowledged", site)
    with Session(site.engine) as s:
        alert = s.get(Alert, alert_id)
        event = s.scalar(select(AlertEvent).where(AlertEvent.alert_id == alert_id, AlertEvent.kind == "acknowledged"))
        audit = s.scalar(
            select(AuditLog).where(AuditLog.action == "alert.acknowledge", AuditLog.object_id == str(alert_id))
        )
    assert alert.acknowledged_by == site.users["zhuzhou"] and alert.acknowledged_at is not None
    assert event.actor_user_id == site.users["zhuzhou"] and event.detail == {"note": "已联系重点企业"}
    assert audit.before == {"state": "open"} and audit.after["state"] == "acknowledged"


def test_the_city_page_shows_history_forecast_grades_and_rules(page, site):
    sign_in(page, site, "zhuzhou", "/web/city")
    page.wait_for_url("**/web/cities/430200")
    assert page.get_by_role("heading", level=1).inner_text() == "株洲市"
    chart = page.locator("#fan-chart")
    assert chart.is_visible() and chart.evaluate("img => img.naturalWidth") > 300
    assert page.locator("#forecast-points tbody tr").count() == 6
    with Session(site.engine) as s:  # what the page must show is what the rules decided and stored
        alert = s.scalars(select(Alert).where(Alert.region_code == "430200", Alert.risk == "unemployment")).first()
    level = {1: "I ", 2: "II ", 3: "III ", 4: "IV "}[alert.grade]
    assert page.locator("#timeline").inner_text().splitlines()[1].startswith(level)
    rules_text = page.locator("table.rules").first.inner_text()
    assert alert.rule_ids and all(rule in rules_text for rule in alert.rule_ids)
    shot(page, "city-zhuzhou", site)
    page.goto(site.base + "/web/cities/430200?lang=en")
    assert page.get_by_role("heading", level=1).inner_text() == "Zhuzhou"
    page.goto(site.base + "/web/alerts")  # the preference is remembered
    assert page.get_by_role("heading", level=1).inner_text() == "Warning board"


def test_a_user_of_one_city_cannot_reach_another_citys_page(page, site):
    sign_in(page, site, "changsha")
    response = page.goto(site.base + "/web/cities/430200")
    assert response.status == 404 and "株洲" not in page.content()
    assert page.goto(site.base + "/web/cities/430100").status == 200
    with Session(site.engine) as s:
        zz_alert = s.scalar(select(Alert.id).where(Alert.region_code == "430200"))
    page.goto(site.base + "/web/alerts?state=all")
    assert page.locator(f"#alert-{zz_alert}").count() == 0
    csrf = page.locator("input[name=csrf_token]").first.get_attribute("value")
    forged = page.request.post(f"{site.base}/web/alerts/{zz_alert}/resolve", form={"csrf_token": csrf, "note": "x"})
    assert forged.status == 404
    no_token = page.request.post(f"{site.base}/web/alerts/{zz_alert}/resolve", form={"csrf_token": "nope"})
    assert no_token.status == 403
    assert page.goto(site.base + "/web/reports").ok and page.locator("#reports").count() == 0
    shot(page, "changsha-denied", site)


def test_an_analyst_downloads_the_quarterly_report(page, site):
    sign_in(page, site, "analyst", "/web/reports")
    links = page.locator("#reports a[download]")
    assert links.count() == 2
    with page.expect_download() as info:
        page.locator("#reports a[download]", has_text="PDF").first.click()
    download = info.value
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / f"report-{site.backend}.pdf"
    download.save_as(target)
    assert (
        download.suggested_filename.startswith("labourwatch-430000-2026Q3-zh-") and target.read_bytes()[:4] == b"%PDF"
    )
    shot(page, "reports", site)


def test_report_api_is_scoped_and_generation_needs_a_role(site):
    def call(method, path, who, **kw):
        return httpx.request(method, site.base + path, headers={"Authorization": f"Bearer {site.keys[who]}"},
                             timeout=60, **kw)  # fmt: skip

    listed = call("GET", "/api/v1/reports", "analyst").json()["items"]
    assert {(r["format"], r["language"], r["quarter"]) for r in listed} >= {
        ("html", "zh", "2026Q3"),
        ("pdf", "zh", "2026Q3"),
    }
    assert call("GET", "/api/v1/reports", "changsha").json()["items"] == []
    pdf = next(r for r in listed if r["format"] == "pdf")
    got = call("GET", pdf["download"], "analyst")
    assert got.status_code == 200 and got.headers["content-type"] == "application/pdf" and got.content[:4] == b"%PDF"
    assert call("GET", pdf["download"], "changsha").status_code == 404
    body = {"quarter": "2026Q3", "languages": ["en"], "formats": ["html"]}
    refused = call("POST", "/api/v1/reports", "zhuzhou", json=body)
    assert refused.status_code == 403 and refused.headers["content-type"] == "application/problem+json"
    made = call("POST", "/api/v1/reports", "analyst", json=body)
    assert made.status_code == 201, made.text
    (item,) = made.json()
    assert (item["language"], item["format"], item["region_code"]) == ("en", "html", "430000")
    assert call("POST", "/api/v1/reports", "analyst", json={"quarter": "2026Q4"}).status_code == 422
    with Session(site.engine) as s:
        audit = s.scalar(select(AuditLog).where(AuditLog.action == "report.generate"))
    assert audit.user_id == site.users["analyst"] and audit.after["reports"] == [item["id"]]
