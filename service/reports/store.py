"""Generated reports in the `reports` table: save, list and fetch, always within a region scope.

Session first, keyword-only, never committing: the caller owns the transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from service.db.tables import Report

__all__ = ["MEDIA_TYPES", "download_name", "get_report", "list_reports", "save_report"]

MEDIA_TYPES = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}


def save_report(
    session: Session,
    *,
    region_code: str,
    quarter: str,
    language: str,
    fmt: str,
    content: bytes,
    synthetic: bool,
    data_as_of: dt.datetime,
    batch_ids: list[int],
    now: dt.datetime,
    user_id: int | None = None,
) -> Report:
    report = Report(
        region_code=region_code,
        quarter=quarter,
        language=language,
        format=fmt,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        synthetic=synthetic,
        generated_at=now,
        generated_by=user_id,
        data_as_of=data_as_of,
        batch_ids=sorted(batch_ids),
    )
    session.add(report)
    session.flush()
    return report


def list_reports(
    session: Session,
    *,
    scope: Collection[str],
    quarter: str | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[Report]:
    """Newest first, without loading the content bytes."""
    q = select(Report).options(defer(Report.content)).where(Report.region_code.in_(list(scope)))
    if quarter:
        q = q.where(Report.quarter == quarter)
    if before_id is not None:
        q = q.where(Report.id < before_id)
    return list(session.scalars(q.order_by(Report.id.desc()).limit(limit)))


def get_report(session: Session, *, report_id: int, scope: Collection[str]) -> Report | None:
    """The report if it exists and its region is within `scope`; None otherwise (the caller answers 404)."""
    report = session.get(Report, report_id)
    return report if report is not None and report.region_code in scope else None


def download_name(report: Report) -> str:
    return f"labourwatch-{report.region_code}-{report.quarter}-{report.language}-{report.id}.{report.format}"
