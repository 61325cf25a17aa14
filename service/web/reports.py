"""The report list with downloads, and generation on demand for analysts and admins."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select

from service.audit import record
from service.db.tables import Region
from service.reports import (
    MEDIA_TYPES,
    Quarter,
    ReportError,
    download_name,
    generate_reports,
    get_report,
    latest_complete_quarter,
    list_reports,
)
from service.web.context import PageDep, check_csrf, render, require_roles
from service.web.errors import WebError

__all__ = ["router"]

router = APIRouter(prefix="/web", include_in_schema=False)
GENERATORS = ("analyst", "admin")


def _quarters(page) -> list[Quarter]:
    q = latest_complete_quarter(page.now)
    out = []
    for _ in range(8):
        out.append(q)
        q = q.previous
    return out


def _provinces(page) -> list[Region]:
    return list(page.db.scalars(select(Region).where(Region.level == "province", Region.code.in_(page.caller.scope))))


@router.get("/reports")
def reports_page(page: PageDep, generated: int | None = None, error: str | None = None):
    rows = list_reports(page.db, scope=page.caller.scope, limit=200)
    can_generate = page.caller.role in GENERATORS and bool(_provinces(page))
    return render(page, "reports.html", reports=rows, quarters=_quarters(page), can_generate=can_generate,
                  generated=generated, error=None)  # fmt: skip


@router.post("/reports")
def generate(
    page: PageDep,
    csrf_token: Annotated[str, Form(max_length=64)],
    quarter: Annotated[str, Form(max_length=8)],
    language: Annotated[Literal["zh", "en", "both"], Form()] = "both",
):
    check_csrf(page, csrf_token)
    require_roles(page, *GENERATORS)
    provinces = _provinces(page)
    if not provinces:
        raise WebError(
            403, "季度报告覆盖全省，只有省级用户可以生成。", "Quarterly reports cover a province: province users only."
        )
    languages = ("zh", "en") if language == "both" else (language,)
    try:
        with page.request.app.state.sessions.begin() as s:
            made = generate_reports(s, region_code=provinces[0].code, quarter=Quarter.parse(quarter), now=page.now,
                                    languages=languages, user_id=page.caller.user_id)  # fmt: skip
            record(s, action="report.generate", object_type="report", object_id=",".join(str(r.id) for r in made),
                   now=page.now, user_id=page.caller.user_id,
                   after={"quarter": quarter, "reports": [r.id for r in made]},
                   remote_addr=page.request.client.host if page.request.client else None)  # fmt: skip
            n = len(made)
    except ReportError as exc:
        rows = list_reports(page.db, scope=page.caller.scope, limit=200)
        return render(page, "reports.html", status=422, reports=rows, quarters=_quarters(page), can_generate=True,
                      generated=None, error=str(exc))  # fmt: skip
    return RedirectResponse(f"/web/reports?generated={n}", status_code=303)


@router.get("/reports/{report_id}/download")
def download(page: PageDep, report_id: int):
    report = get_report(page.db, report_id=report_id, scope=page.caller.scope)
    if report is None:
        raise WebError(404, "没有找到该报告，或不在您的辖区范围内。", "No such report in your scope.")
    return Response(
        report.content,
        media_type=MEDIA_TYPES[report.format],
        headers={"content-disposition": f'attachment; filename="{download_name(report)}"', "cache-control": "no-store"},
    )
