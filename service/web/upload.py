"""Upload a survey batch and read its row-level validation report.

Landing goes through `service.landing.land_observations`, as the API and the CLI do. The region scope is
enforced by validation itself: the Reference handed to ingestion knows only the caller's regions, so a row
for any other region is refused with its row number like any other bad row.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Form, UploadFile
from fastapi.responses import RedirectResponse
from sqlalchemy import select

from service.audit import record
from service.db.tables import Batch, Organisation, Region, User
from service.landing import MAX_REPORTED_PROBLEMS, land_observations
from service.registry import load_registry
from service.registry.reference import reference_for
from service.web.context import Page, PageDep, check_csrf, render, require_roles
from service.web.errors import WebError

__all__ = ["router"]

router = APIRouter(prefix="/web", include_in_schema=False)
UPLOADERS = ("uploader", "admin")
SHOWN_PROBLEMS = 500


def _scoped_reference(page: Page):
    settings = page.request.app.state.settings
    reference = reference_for(load_registry(settings.province_codes), today=page.now.date())
    scope = page.caller.scope
    return dataclasses.replace(reference, regions={k: v for k, v in reference.regions.items() if v in scope})


@router.get("/upload")
def upload_form(page: PageDep):
    require_roles(page, *UPLOADERS)
    return render(page, "upload.html", error=None, region=page.region_name(page.caller.region_code))


@router.post("/upload")
async def upload(page: PageDep, file: UploadFile, csrf_token: Annotated[str, Form(max_length=64)]):
    check_csrf(page, csrf_token)
    require_roles(page, *UPLOADERS)
    limit = page.request.app.state.settings.upload_max_bytes
    raw = await file.read(limit + 1)
    region = page.region_name(page.caller.region_code)
    if len(raw) > limit:
        return render(page, "upload.html", status=413, error=page.t["too_large"].format(limit=limit), region=region)
    if not raw or not file.filename:
        return render(page, "upload.html", status=422, error=page.t["no_file"], region=region)
    settings = page.request.app.state.settings
    with page.request.app.state.sessions.begin() as s:
        result = land_observations(
            s,
            source="survey",
            filename=file.filename,
            raw=raw,
            reference=_scoped_reference(page),
            now=page.now,
            data_dir=settings.data_dir,
            user_id=page.caller.user_id,
        )
        record(s, action="batch.upload", object_type="batch", object_id=result.batch_id, now=page.now,
               user_id=page.caller.user_id, after={"status": result.status, "filename": file.filename,
               "rows_total": result.rows_total, "problems": len(result.problems)},
               remote_addr=page.request.client.host if page.request.client else None)  # fmt: skip
    query = "?duplicate=1" if result.status == "duplicate" else ""
    return RedirectResponse(f"/web/batches/{result.batch_id}{query}", status_code=303)


def _visible(page: Page, batch: Batch) -> bool:
    """A batch is visible to callers whose scope holds its submitter's region (system batches: province level)."""
    if batch.submitted_by is None:
        level = page.db.scalar(select(Region.level).where(Region.code == page.caller.region_code))
        return level == "province"
    org_region = page.db.scalar(
        select(Organisation.region_code)
        .join(User, User.organisation_id == Organisation.id)
        .where(User.id == batch.submitted_by)
    )
    return org_region in page.caller.scope


@router.get("/batches/{batch_id}")
def batch_report(page: PageDep, batch_id: int, duplicate: int = 0):
    batch = page.db.get(Batch, batch_id)
    if batch is None or not _visible(page, batch):
        raise WebError(404, "没有找到该批次，或不在您的辖区范围内。", "No such batch in your region.")
    problems = list(batch.error_report or [])
    return render(
        page,
        "batch.html",
        batch=batch,
        duplicate=bool(duplicate),
        problems=problems[:SHOWN_PROBLEMS],
        problems_total=len(problems),
        capped=len(problems) >= MAX_REPORTED_PROBLEMS,
    )
