"""Quarterly joint-assessment reports (就业形势季度会商报告): HTML and PDF, Chinese first, with charts.

    snap = read_snapshot(session, region_code="430000", quarter=Quarter.parse("2026Q3"), as_of=now)  # the reads
    content = assemble(snap)                                   # pure: every section as data
    html = render_html(content, lang="zh", generated_at=now)   # Jinja2; charts inlined as SVG
    pdf = render_pdf(html)                                     # WeasyPrint, A4, Noto Sans CJK
    generate_reports(session, region_code=..., quarter=..., now=now)   # all of it, stored in `reports`

Modules: quarters (calendar), snapshot (the only queries), figures (headline, cities, key groups), layoffs,
alert_activity, accuracy, discussion (points generated from the figures), provenance (batches and vintages),
content (assemble), charts, labels (+ labels.yaml), render, store, generate; errors holds the error tree.
"""

from service.reports.content import ReportContent, assemble
from service.reports.errors import BadQuarter, NothingToReport, ReportError
from service.reports.generate import FORMATS, generate_reports, scheduled_reports
from service.reports.labels import LANGUAGES
from service.reports.quarters import Quarter, latest_complete_quarter
from service.reports.render import render_html, render_pdf
from service.reports.snapshot import Snapshot, read_snapshot
from service.reports.store import MEDIA_TYPES, download_name, get_report, list_reports, save_report

__all__ = [
    "FORMATS",
    "LANGUAGES",
    "MEDIA_TYPES",
    "BadQuarter",
    "NothingToReport",
    "Quarter",
    "ReportContent",
    "ReportError",
    "Snapshot",
    "assemble",
    "download_name",
    "generate_reports",
    "get_report",
    "latest_complete_quarter",
    "list_reports",
    "read_snapshot",
    "render_html",
    "render_pdf",
    "save_report",
    "scheduled_reports",
]
