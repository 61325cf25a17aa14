"""Batches: upload a file (multipart, or the raw bytes), list and read batches, their error reports, freshness.

    POST /api/v1/batches?source=survey      multipart field `file` (or a raw body with ?filename=)
        202  landed or duplicate, with the report
        413  larger than LABOURWATCH_UPLOAD_MAX_BYTES (refused while the body streams in)
        422  refused: problem+json with every problem (file, row, column, value, reason); the batch and the
             file are kept, the report stays at /api/v1/batches/{id}/errors
    GET  /api/v1/batches, /api/v1/batches/{id}, /api/v1/batches/{id}/errors[?format=csv]
    GET  /api/v1/sources/freshness

Uploads need the role uploader (or admin); rows for regions outside the caller's subtree are refused as
problems. Every upload is audited. Batches are visible to callers whose subtree holds the submitter's
organisation; batches from feeds and the inbox (no submitter) to province-level callers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy import or_, select
from starlette.datastructures import UploadFile
from starlette.requests import ClientDisconnect

from service.api.deps import Caller, CallerDep, SessionDep, require_role
from service.api.ingest_schemas import BatchOut, BatchReport, FreshnessOut
from service.api.pagination import Limit, decode_int_cursor, split_page
from service.api.problems import Problem
from service.api.schemas import Page
from service.audit import record
from service.db.tables import Batch, Organisation, Region, User
from service.freshness import source_freshness
from service.landing import land_observations
from service.registry import load_registry
from service.registry.reference import reference_for

router = APIRouter(prefix="/api/v1", tags=["batches"])

UploadSource = Literal["survey", "social_insurance", "hr_admin", "recruitment", "enterprise_headcount"]
_FORM_SLACK = 64 * 1024  # multipart boundaries and headers around the file
BatchId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class _TooLarge(Exception):
    pass


async def read_upload(request: Request, limit: int) -> tuple[str, bytes]:
    """The uploaded file's name and bytes; 413 as soon as the body grows past `limit` (plus form overhead)."""
    too_large = Problem(413, f"the upload is larger than {limit:,} bytes", title="Content Too Large")
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit + _FORM_SLACK:
        raise too_large
    received = 0
    receive = request.receive

    async def counted():
        nonlocal received
        message = await receive()
        if message.get("type") == "http.request":
            received += len(message.get("body", b""))
            if received > limit + _FORM_SLACK:
                raise _TooLarge
        return message

    limited = Request(request.scope, counted)
    try:
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            form = await limited.form(max_files=1, max_fields=8)
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise Problem(422, "send the file in a multipart form field named 'file'")
            raw = await upload.read(limit + 1)
            name = upload.filename or "upload"
        else:
            raw = await limited.body()
            name = request.query_params.get("filename") or "upload"
    except _TooLarge as exc:
        raise too_large from exc
    except ClientDisconnect as exc:
        raise Problem(400, "the upload was interrupted") from exc
    if len(raw) > limit:
        raise too_large
    return name.replace("\\", "/").rsplit("/", 1)[-1][:255] or "upload", raw


def _land(request: Request, caller: Caller, source: str, filename: str, raw: bytes, sheet: str | None) -> dict:
    settings = request.app.state.settings
    now = dt.datetime.now(dt.UTC)
    registry = load_registry(settings.province_codes)
    reference = reference_for(registry, today=now.date())
    with request.app.state.sessions() as session, session.begin():
        if source == "enterprise_headcount":
            from service.enterprises import land_headcounts

            result = land_headcounts(
                session,
                filename=filename,
                raw=raw,
                reference=reference,
                now=now,
                data_dir=settings.data_dir,
                user_id=caller.user_id,
                scope=caller.scope,
                sheet=sheet,
            )
        else:
            result = land_observations(
                session,
                source=source,
                filename=filename,
                raw=raw,
                reference=reference,
                now=now,
                data_dir=settings.data_dir,
                user_id=caller.user_id,
                scope=caller.scope,
                sheet=sheet,
            )
        report = result.as_dict()
        record(
            session,
            action=f"batch.upload.{result.status}",
            object_type="batch",
            object_id=result.batch_id,
            now=now,
            user_id=caller.user_id,
            after={k: v for k, v in report.items() if k != "problems"},
            remote_addr=request.client.host if request.client else None,
            request_id=getattr(request.state, "request_id", None),
        )
    return report


@router.post(
    "/batches",
    status_code=202,
    summary="Upload a batch (CSV or .xlsx); it lands whole or is refused with every problem",
    responses={413: {"description": "Too large"}, 422: {"description": "Refused, with the row-level report"}},
    # The body is read by the route itself (counted while it streams in), so it is declared here for the docs.
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                        "required": ["file"],
                    }
                },
                "text/csv": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
async def upload_batch(
    request: Request,
    response: Response,
    source: UploadSource = "survey",
    sheet: str | None = None,
    caller: Caller = Depends(require_role("uploader")),
) -> BatchReport:
    filename, raw = await read_upload(request, request.app.state.settings.upload_max_bytes)
    report = await run_in_threadpool(_land, request, caller, source, filename, raw, sheet)
    if report["status"] == "rejected":
        raise Problem(
            422,
            f"{report['problems_total']} problem(s) in {filename}; nothing landed",
            title="Batch refused",
            batch_id=report["batch_id"],
            report=f"/api/v1/batches/{report['batch_id']}/errors",
            problems=report["problems"],
            problems_total=report["problems_total"],
        )
    response.headers["location"] = f"/api/v1/batches/{report['batch_id']}"
    return BatchReport(**report)


def _visible(db, caller: Caller):
    """Batches submitted from the caller's subtree; unattended ones (feeds, inbox) for province-level callers."""
    condition = Organisation.region_code.in_(sorted(caller.scope))
    if db.scalar(select(Region.level).where(Region.code == caller.region_code)) == "province":
        condition = or_(condition, Batch.submitted_by.is_(None))
    return (
        select(Batch)
        .outerjoin(User, User.id == Batch.submitted_by)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(condition)
    )


@router.get("/batches", summary="Batches in your scope, newest first")
def list_batches(
    caller: CallerDep,
    db: SessionDep,
    source: str | None = None,
    status: Literal["landed", "rejected", "received"] | None = None,
    limit: Limit = 100,
    cursor: str | None = None,
) -> Page[BatchOut]:
    q = _visible(db, caller)
    if source:
        q = q.where(Batch.source_code == source)
    if status:
        q = q.where(Batch.status == status)
    after = decode_int_cursor(cursor)
    if after:
        q = q.where(Batch.id < after)
    rows = db.scalars(q.order_by(Batch.id.desc()).limit(limit + 1)).all()
    rows, next_cursor = split_page(rows, limit, key=lambda r: r.id)
    return Page[BatchOut](items=[BatchOut.model_validate(b) for b in rows], next_cursor=next_cursor)


def _batch(db, caller: Caller, batch_id: int) -> Batch:
    batch = db.scalar(_visible(db, caller).where(Batch.id == batch_id))
    if batch is None:
        raise Problem(404, f"no batch {batch_id} in your scope")
    return batch


@router.get("/batches/{batch_id}", summary="One batch: source, status, row counts")
def get_batch(batch_id: BatchId, caller: CallerDep, db: SessionDep) -> BatchOut:
    return BatchOut.model_validate(_batch(db, caller, batch_id))


_CSV_HEADER = ["文件 file", "行 row", "列 column", "值 value", "原因 reason", "原因（中文）"]


@router.get("/batches/{batch_id}/errors", summary="A refused batch's problems (JSON, or CSV for spreadsheets)")
def batch_errors(
    batch_id: BatchId, caller: CallerDep, db: SessionDep, format: Literal["json", "csv"] = "json"
) -> Response:
    batch = _batch(db, caller, batch_id)
    problems = batch.error_report or []
    if format == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(_CSV_HEADER)
        for p in problems:
            writer.writerow([p["file"], p["row"], p["column"], p["value"], p["reason"], p["reason_zh"]])
        # With a BOM so that Excel opens the Chinese text as UTF-8.
        return Response(
            ("\ufeff" + buf.getvalue()).encode("utf-8"),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="batch-{batch.id}-errors.csv"'},
        )
    body = {"batch_id": batch.id, "status": batch.status, "rows_rejected": batch.rows_rejected, "problems": problems}
    return JSONResponse(body)


@router.get("/sources/freshness", summary="Per source: last good batch, expected cadence, overdue or not")
def freshness(caller: CallerDep, db: SessionDep) -> list[FreshnessOut]:
    return [FreshnessOut(**f.as_dict()) for f in source_freshness(db, now=dt.datetime.now(dt.UTC))]
