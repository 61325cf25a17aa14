"""Generate quarterly reports: read a snapshot, assemble, render, store. The one function jobs, CLI and API call.

    reports = generate_reports(session, region_code="430000", quarter=Quarter.parse("2026Q3"),
                               languages=("zh",), formats=("html", "pdf"), now=now)

The caller owns the transaction. Each (language, format) becomes one row of `reports`; the PDF is rendered
from exactly the HTML stored beside it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db.tables import Region, Report
from service.reports.content import assemble
from service.reports.errors import BadQuarter, ReportError
from service.reports.labels import LANGUAGES
from service.reports.quarters import Quarter, latest_complete_quarter
from service.reports.render import render_html, render_pdf
from service.reports.snapshot import read_snapshot
from service.reports.store import save_report

__all__ = ["FORMATS", "generate_reports", "scheduled_reports"]

FORMATS = ("html", "pdf")


def generate_reports(
    session: Session,
    *,
    region_code: str,
    quarter: Quarter,
    now: dt.datetime,
    languages: Sequence[str] = ("zh",),
    formats: Sequence[str] = FORMATS,
    as_of: dt.datetime | None = None,
    user_id: int | None = None,
) -> list[Report]:
    bad = [x for x in languages if x not in LANGUAGES] + [x for x in formats if x not in FORMATS]
    if bad or not languages or not formats:
        raise ReportError(f"languages must be among {LANGUAGES} and formats among {FORMATS}; got {bad or 'none'}")
    if not quarter.is_complete(now):
        raise BadQuarter(f"{quarter} has not ended yet; a quarterly report covers a complete quarter")
    as_of = as_of or now
    content = assemble(read_snapshot(session, region_code=region_code, quarter=quarter, as_of=as_of))
    batch_ids = [b.id for b in content.provenance.batches]
    out = []
    for lang in languages:
        html = render_html(content, lang=lang, generated_at=now)
        rendered = {"html": html.encode("utf-8")}
        if "pdf" in formats:
            rendered["pdf"] = render_pdf(html)
        for fmt in formats:
            out.append(
                save_report(
                    session,
                    region_code=region_code,
                    quarter=str(quarter),
                    language=lang,
                    fmt=fmt,
                    content=rendered[fmt],
                    synthetic=content.synthetic,
                    data_as_of=as_of,
                    batch_ids=batch_ids,
                    now=now,
                    user_id=user_id,
                )
            )
    return out


def scheduled_reports(session: Session, *, province_codes: Sequence[str], now: dt.datetime) -> dict:
    """The `report-quarterly` job: the latest complete quarter for each province, in both languages and formats.

    Idempotent: a province whose report for that quarter already exists is skipped, so a re-run or a misfire
    catch-up does not add copies (`labourwatch report` and the API make new versions on demand).
    """
    quarter = latest_complete_quarter(now)
    made, skipped, empty = [], [], []
    for code in province_codes:
        if session.get(Region, code) is None:
            continue
        exists = session.scalar(select(Report.id).where(Report.region_code == code, Report.quarter == str(quarter)))
        if exists is not None:
            skipped.append(code)
            continue
        try:
            with session.begin_nested():
                rows = generate_reports(
                    session, region_code=code, quarter=quarter, now=now, languages=LANGUAGES, formats=FORMATS
                )
        except ReportError as exc:  # no figures for this province yet: recorded in the run's detail, not fatal
            empty.append(f"{code}: {exc}")
            continue
        made += [r.id for r in rows]
    return {"quarter": str(quarter), "report_ids": made, "skipped": skipped, "not_made": empty}
