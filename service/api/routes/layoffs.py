"""Layoff filings (Labour Contract Law art. 41): submit one, list those in your scope.

POST answers 201 with the filing (and any warnings, e.g. notice under 30 days), 200 when the same filing is sent
again with the same `external_ref`, 409 when that reference was used for a different filing, 422 when it is not
a valid art. 41 filing, 403 when the workplace is outside the caller's region.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy import select

from ingestion.errors import BatchRefused
from ingestion.layoffs import LayoffFiling
from service.api.deps import Caller, CallerDep, SessionDep, require_role
from service.api.ingest_schemas import LayoffFilingIn, LayoffFilingOut, ProblemOut
from service.api.pagination import Limit, decode_cursor, split_page
from service.api.problems import Problem
from service.api.schemas import Page
from service.audit import record
from service.db.tables import Enterprise
from service.db.tables import LayoffFiling as FilingRow
from service.layoffs import file_layoff, filing_fields
from service.registry import load_registry
from service.registry.reference import reference_for

router = APIRouter(prefix="/api/v1", tags=["layoff filings"])


def _out(row: FilingRow, name: str | None, warnings=()) -> LayoffFilingOut:
    out = LayoffFilingOut.model_validate(row)
    out.enterprise_name = name
    out.warnings = [ProblemOut(**w.as_dict()) for w in warnings]
    return out


@router.post(
    "/layoff-filings",
    status_code=201,
    summary="Report a layoff plan under art. 41 (idempotent by external_ref)",
    responses={200: {"description": "The same filing was already recorded"}, 409: {}, 422: {}, 403: {}},
)
def submit_filing(
    body: LayoffFilingIn,
    request: Request,
    response: Response,
    db: SessionDep,
    caller: Caller = Depends(require_role("uploader", "responder")),
) -> LayoffFilingOut:
    settings = request.app.state.settings
    now = dt.datetime.now(dt.UTC)
    reference = reference_for(load_registry(settings.province_codes), today=now.date())
    region = reference.region_code(body.region_code.strip())
    if region is not None and not caller.can_see(region):
        raise Problem(403, f"region {region} is outside your scope")
    filing = LayoffFiling(**body.model_dump(exclude={"external_ref"}))
    # The session already began with the caller's lookup; everything below commits once at the end.
    try:
        outcome = file_layoff(
            db, filing=filing, external_ref=body.external_ref, reference=reference, now=now, user_id=caller.user_id
        )
    except BatchRefused as exc:
        raise Problem(
            422,
            "; ".join(p.reason for p in exc.problems),
            title="Filing refused",
            problems=[p.as_dict() for p in exc.problems],
        ) from exc
    row = outcome.filing
    if outcome.status == "conflict":
        raise Problem(409, f"external_ref {body.external_ref!r} was used for a different filing (id {row.id})")
    if outcome.status == "created":
        record(
            db,
            action="layoff_filing.create",
            object_type="layoff_filing",
            object_id=row.id,
            now=now,
            user_id=caller.user_id,
            after={k: str(v) for k, v in filing_fields(row).items()} | {"external_ref": row.external_ref},
            remote_addr=request.client.host if request.client else None,
            request_id=getattr(request.state, "request_id", None),
        )
    else:
        response.status_code = 200
    name = db.scalar(select(Enterprise.name_zh).where(Enterprise.credit_code == row.credit_code))
    out = _out(row, name, outcome.warnings)
    db.commit()  # the filing, its batch, a new enterprise and the audit entry together
    return out


@router.get("/layoff-filings", summary="Layoff filings in your scope, newest first")
def list_filings(
    caller: CallerDep,
    db: SessionDep,
    region: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: Limit = 100,
    cursor: str | None = None,
) -> Page[LayoffFilingOut]:
    if region is not None and not caller.can_see(region):
        raise Problem(403, f"region {region} is outside your scope")
    q = select(FilingRow, Enterprise.name_zh).join(Enterprise, Enterprise.credit_code == FilingRow.credit_code)
    q = q.where(FilingRow.region_code.in_([region] if region else sorted(caller.scope)))
    if since is not None:
        q = q.where(FilingRow.filed_on >= since)
    if until is not None:
        q = q.where(FilingRow.filed_on <= until)
    after = decode_cursor(cursor)
    if after is not None and (not isinstance(after, int) or not 0 < after < 2**31):
        raise Problem(400, "the cursor is not one this API issued", title="Bad cursor")
    if after:
        q = q.where(FilingRow.id < after)
    rows = db.execute(q.order_by(FilingRow.id.desc()).limit(limit + 1)).all()
    rows, next_cursor = split_page(rows, limit, key=lambda r: r[0].id)
    return Page[LayoffFilingOut](items=[_out(r, n) for r, n in rows], next_cursor=next_cursor)
