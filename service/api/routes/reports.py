"""Quarterly reports in the caller's scope: list, download, and generate on demand (analysts and admins)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from service.api.deps import Caller, CallerDep, SessionDep, require_role
from service.api.pagination import Limit, decode_int_cursor, split_page
from service.api.problems import Problem
from service.api.schemas import Page
from service.audit import record
from service.db.tables import Region, Report

router = APIRouter(prefix="/api/v1", tags=["reports"])


class ReportOut(BaseModel):
    id: int
    region_code: str
    quarter: str
    language: str
    format: str
    sha256: str
    synthetic: bool
    generated_at: dt.datetime
    data_as_of: dt.datetime | None
    batch_ids: list[int]
    download: str


class ReportRequest(BaseModel):
    quarter: str = Field(pattern=r"^\d{4}Q[1-4]$", examples=["2026Q3"])
    region: str | None = Field(default=None, description="A province code in your scope; default: your region")
    languages: list[Literal["zh", "en"]] = Field(default=["zh"], min_length=1, max_length=2)
    formats: list[Literal["html", "pdf"]] = Field(default=["html", "pdf"], min_length=1, max_length=2)


def _out(r: Report) -> ReportOut:
    return ReportOut(
        id=r.id,
        region_code=r.region_code,
        quarter=r.quarter,
        language=r.language,
        format=r.format,
        sha256=r.sha256,
        synthetic=r.synthetic,
        generated_at=r.generated_at,
        data_as_of=r.data_as_of,
        batch_ids=list(r.batch_ids or []),
        download=f"/api/v1/reports/{r.id}",
    )


@router.get("/reports", summary="Generated quarterly reports in your scope, newest first")
def list_reports_route(
    caller: CallerDep, db: SessionDep, quarter: str | None = None, limit: Limit = 100, cursor: str | None = None
) -> Page[ReportOut]:
    from service.reports import list_reports

    after = decode_int_cursor(cursor)
    rows = list_reports(db, scope=caller.scope, quarter=quarter, before_id=after, limit=limit + 1)
    rows, next_cursor = split_page(rows, limit, key=lambda r: r.id)
    return Page[ReportOut](items=[_out(r) for r in rows], next_cursor=next_cursor)


@router.get(
    "/reports/{report_id}",
    summary="Download one report (HTML or PDF)",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}, "text/html": {}}}},
)
def download_report(report_id: int, caller: CallerDep, db: SessionDep) -> Response:
    from service.reports import MEDIA_TYPES, download_name, get_report

    report = get_report(db, report_id=report_id, scope=caller.scope)
    if report is None:
        raise Problem(404, f"no report {report_id} in your scope")
    return Response(
        report.content,
        media_type=MEDIA_TYPES[report.format],
        headers={"content-disposition": f'attachment; filename="{download_name(report)}"'},
    )


@router.post("/reports", status_code=201, summary="Generate a quarterly report now (analysts and admins)")
def generate_report_route(
    body: ReportRequest,
    caller: Annotated[Caller, Depends(require_role("analyst"))],
    db: SessionDep,
    request: Request,
) -> list[ReportOut]:
    from service.reports import Quarter, ReportError, generate_reports

    region = body.region or caller.region_code
    if not caller.can_see(region):
        raise Problem(403, f"region {region} is outside your scope")
    place = db.get(Region, region)
    if place is None or place.level != "province":
        raise Problem(422, f"a quarterly report covers a province; {region} is not one")
    now = dt.datetime.now(dt.UTC)
    try:
        # A session of its own for the write: the request's session has already begun reading.
        with request.app.state.sessions.begin() as s:
            made = generate_reports(
                s,
                region_code=region,
                quarter=Quarter.parse(body.quarter),
                now=now,
                languages=tuple(dict.fromkeys(body.languages)),
                formats=tuple(dict.fromkeys(body.formats)),
                user_id=caller.user_id,
            )
            record(
                s,
                action="report.generate",
                object_type="report",
                object_id=",".join(str(r.id) for r in made),
                now=now,
                user_id=caller.user_id,
                after={"region": region, "quarter": body.quarter, "reports": [r.id for r in made]},
                remote_addr=request.client.host if request.client else None,
                request_id=getattr(request.state, "request_id", None),
            )
            out = [_out(r) for r in made]
    except ReportError as exc:
        raise Problem(422, str(exc), title="Report not generated") from exc
    return out
