"""The quarterly report on a small real province, on both databases: figures, traceability, HTML and PDF.

The PDF pages are rendered to PNG under test-artifacts/reports/ so a person can look at what the test saw.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from sqlalchemy import select
from testkit.reportworld import (
    EARLY,
    FILING_CODE,
    INSURED,
    NEW_JOBS_SEPT,
    NOW,
    PROVINCE,
    QUIET_CODE,
    ZHUZHOU,
    build_world,
)

from service.db.tables import Alert, AlertEvent, ForecastPoint, ForecastSeries
from service.jobs import evaluate_rules, forecast
from service.registry import load_registry
from service.reports import (
    BadQuarter,
    NothingToReport,
    Quarter,
    ReportError,
    assemble,
    generate_reports,
    read_snapshot,
    scheduled_reports,
)

RULES = Path(__file__).resolve().parents[3] / "thresholds.yaml"
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "reports"
Q3 = Quarter.parse("2026Q3")


def chain(db, *, synthetic=False) -> dict[str, int]:
    """The world, a forecast made before Q3 (from the early batch), the latest forecast and the rules."""
    ids = build_world(db, synthetic=synthetic)
    forecast(db, now=EARLY + dt.timedelta(days=2))
    forecast(db, now=NOW)
    evaluate_rules(db, now=NOW, registry=load_registry(["430000"]), rules_path=RULES)
    return ids


def test_sections_hold_the_figures_of_the_quarter(db):
    ids = chain(db)
    # An alert raised and acknowledged inside Q3 (5 h to respond, deadline 12 h): what section 5 counts.
    opened = dt.datetime(2026, 8, 3, 9, 0, tzinfo=dt.UTC)
    alert = Alert(fingerprint="test-q3", region_code="430300", risk="layoffs", grade=4, state="acknowledged",
                  period=dt.date(2026, 7, 1), rule_ids=["r"], evidence={}, summary_zh="湘潭", summary_en="Xiangtan",
                  opened_at=opened, updated_at=opened, acknowledged_at=opened + dt.timedelta(hours=5),
                  ack_deadline=opened + dt.timedelta(hours=12), responsible_region_code="430300")  # fmt: skip
    db.add(alert)
    db.flush()
    db.add_all([
        AlertEvent(alert_id=alert.id, at=opened, kind="opened", reason="opened", to_grade=4, to_state="open"),
        AlertEvent(alert_id=alert.id, at=opened + dt.timedelta(hours=5), kind="acknowledged", reason="acknowledged",
                   to_grade=4, to_state="acknowledged"),
    ])  # fmt: skip
    db.flush()

    c = assemble(read_snapshot(db, region_code="430000", quarter=Q3, as_of=NOW))

    heads = {h.key: h for h in c.headlines}
    surveyed = heads["surveyed_unemployment_rate"]
    assert surveyed.value == pytest.approx(PROVINCE[20]) and surveyed.period == dt.date(2026, 9, 1)
    assert surveyed.change_q == pytest.approx(PROVINCE[20] - PROVINCE[17])
    assert surveyed.change_y == pytest.approx(PROVINCE[20] - PROVINCE[8])
    assert surveyed.met is (PROVINCE[20] < 5.5) and surveyed.batches == tuple(
        sorted((ids["survey"], ids["survey_early"]))
    )
    registered = heads["registered_unemployment_rate"]
    assert registered.estimated and registered.reporting == (3, 14)  # three of the 14 cities report
    assert registered.value == pytest.approx(
        (3.0 * 2_000_000 + 4.0 * 600_000 + 3.5 * 500_000) / sum(INSURED.values()), abs=1e-4
    )
    assert heads["new_urban_jobs"].value == sum(NEW_JOBS_SEPT.values())
    assert heads["new_urban_jobs"].progress == pytest.approx(sum(NEW_JOBS_SEPT.values()) / 700_000)
    assert heads["ui_insured"].value == sum(INSURED.values()) and heads["ui_insured"].met is False

    zz = next(r for r in c.cities if r.place.code == "430200")
    assert zz.rate == pytest.approx(ZHUZHOU[20]) and zz.change_y == pytest.approx(ZHUZHOU[20] - ZHUZHOU[8])
    # The grade in force is what the rules decided for the city (most severe live alert), not a number of its own.
    live = db.scalars(select(Alert).where(Alert.state != "resolved")).all()
    worst = {}
    for a in live:
        worst[a.region_code] = min(a.grade, worst.get(a.region_code, 5))
    assert zz.grade == worst["430200"] and zz.grade <= 3 and zz.claims_change == pytest.approx(50.0)
    assert zz.forecast is not None and zz.forecast.period == dt.date(2026, 12, 1)
    assert zz.forecast.lo80 <= zz.forecast.mean <= zz.forecast.hi80
    assert {g.code: g.value for g in c.groups}["youth_16_24"] == 15.0

    assert [(f.credit_code, f.layoffs, f.large) for f in c.layoffs.filings] == [(FILING_CODE, 300, True)]
    signals = {s.credit_code: s for s in c.layoffs.signals}
    assert signals[FILING_CODE].filed and "large" in signals[FILING_CODE].reasons
    assert not signals[QUIET_CODE].filed and set(signals[QUIET_CODE].reasons) == {"art41", "month30"}
    assert c.layoffs.signals_unfiled == 1

    assert c.alerts.counts["opened"] == 1 and c.alerts.counts["acknowledged"] == 1
    assert c.alerts.response_hours == [5.0] and c.alerts.late == 0
    assert sorted((a.place.code, a.grade) for a in c.alerts.in_force) == sorted((a.region_code, a.grade) for a in live)
    # Cities this small world does not feed get "data missing" alerts, as they must; no other risk fires there.
    assert {a.region_code for a in live if a.risk != "data"} == {"430200", "430300"}

    # The run made in June forecast Q3's months; they are judged against the figures known now.
    assert c.accuracy.basis == "stored" and c.accuracy.n == 4 * 3
    zz_acc = next(r for r in c.accuracy.rows if r.place.code == "430200")
    # The early run's stored forecasts of 2026-07..09 against the figures that came in (ZHUZHOU[18:21]).
    early = db.scalars(
        select(ForecastPoint.mean)
        .join(ForecastSeries, ForecastSeries.id == ForecastPoint.series_id)
        .where(
            ForecastSeries.run_id == min(db.scalars(select(ForecastSeries.run_id))),
            ForecastSeries.region_code == "430200",
            ForecastSeries.indicator_code == "surveyed_unemployment_rate",
            ForecastSeries.population_group == "total",
            ForecastPoint.period.in_([dt.date(2026, m, 1) for m in (7, 8, 9)]),
        )
    ).all()
    assert len(early) == 3
    assert zz_acc.bias == pytest.approx(sum(ZHUZHOU[18:21]) / 3 - sum(early) / 3, abs=1e-3)

    topics = {p.topic for p in c.points}
    assert {"cities", "alerts", "layoffs", "target"} <= topics
    assert any("株洲市" in p.zh for p in c.points if p.topic == "cities")
    assert {b.id for b in c.provenance.batches} == set(ids.values()) and not c.synthetic


def _pdf_text_and_pages(pdf: bytes, name: str) -> tuple[str, int]:
    doc = pdfium.PdfDocument(pdf)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    text = []
    for i in range(len(doc)):
        page = doc[i]
        text.append(page.get_textpage().get_text_range())
        image = page.render(scale=1).to_pil()
        if i == 0:
            # The page is not blank: a real share of its pixels is ink.
            grey = image.convert("L")
            dark = sum(grey.histogram()[:128])
            assert dark > 0.005 * grey.width * grey.height
        image.save(ARTIFACTS / f"{name}-page{i + 1}.png")
    return "\n".join(text), len(doc)


def test_html_and_pdf_are_stored_with_their_batches(db):
    ids = chain(db)
    html, pdf = generate_reports(db, region_code="430000", quarter=Q3, now=NOW, formats=("html", "pdf"))
    assert (html.format, pdf.format, html.region_code, html.quarter, html.language) == ("html", "pdf", "430000",
                                                                                         "2026Q3", "zh")  # fmt: skip
    assert html.batch_ids == sorted(ids.values()) and html.data_as_of == NOW and not html.synthetic
    page = html.content.decode()
    assert "湖南省就业形势季度会商报告" in page and "2026年第三季度" in page and "合成演示数据" not in page
    assert f"#{ids['survey']}" in page and "株洲测试机械有限公司" in page and "data:image/svg+xml;base64," in page
    text, pages = _pdf_text_and_pages(pdf.content, f"report-{db.bind.dialect.name}")
    assert pdf.content.startswith(b"%PDF") and pages >= 3
    assert "湖南省就业形势季度会商报告" in text and "株洲市" in text and "会商要点" in text


def test_synthetic_data_says_so_in_english_too(db):
    chain(db, synthetic=True)
    (report,) = generate_reports(db, region_code="430000", quarter=Q3, now=NOW, languages=("en",), formats=("html",))
    page = report.content.decode()
    assert report.synthetic and "synthetic demo data" in page and "Hunan" in page and 'lang="en"' in page


def test_the_scheduled_job_makes_each_quarter_once(db):
    chain(db)
    first = scheduled_reports(db, province_codes=["430000", "520000"], now=NOW)
    assert first["quarter"] == "2026Q3" and len(first["report_ids"]) == 4  # zh and en, html and pdf
    again = scheduled_reports(db, province_codes=["430000"], now=NOW)
    assert again["report_ids"] == [] and again["skipped"] == ["430000"]


def test_refusals_name_the_problem(db):
    chain(db)
    with pytest.raises(BadQuarter, match="not ended"):
        generate_reports(db, region_code="430000", quarter=Quarter.parse("2026Q4"), now=NOW)
    with pytest.raises(NothingToReport):
        generate_reports(db, region_code="430000", quarter=Quarter.parse("2018Q1"), now=NOW)
    with pytest.raises(ReportError, match="unknown region"):
        generate_reports(db, region_code="520000", quarter=Q3, now=NOW)
    with pytest.raises(ReportError, match="languages"):
        generate_reports(db, region_code="430000", quarter=Q3, now=NOW, languages=("fr",))
