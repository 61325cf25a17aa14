"""Enterprises in the caller's scope, with their insured headcount as known at `as_of` and their layoff filings.

An enterprise belongs to the county (or city) where it is registered; a city user sees the enterprises of the
city's counties. Headcounts are revised like observations (a later vintage beside the earlier one), so the
detail answers "as known at" a moment, default now. The layoff-filing endpoints themselves (filing, listing)
belong to the ingestion routes; the detail here shows an enterprise's own filings.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy import func, select

from service.api.deps import CallerDep, SessionDep
from service.api.pagination import Limit, decode_cursor, split_page
from service.api.params import utc_moment
from service.api.problems import Problem, problems
from service.api.schemas import EnterpriseDetail, EnterpriseOut, HeadcountOut, LayoffFilingOut, Page
from service.db.queries import subtree_codes
from service.db.tables import Enterprise, EnterpriseHeadcount, LayoffFiling

router = APIRouter(prefix="/api/v1", tags=["enterprises"], responses=problems(401, 403, 404, 422, 429))
CreditCode = Annotated[str, Path(pattern=r"^[0-9A-Z]{18}$", description="统一社会信用代码, 18 characters")]


@router.get("/enterprises", summary="Enterprises registered in your scope")
def list_enterprises(
    caller: CallerDep,
    db: SessionDep,
    region: str | None = Query(default=None, description="A region in your scope; its whole subtree is listed"),
    industry: str | None = Query(default=None, max_length=4, description="GB/T 4754 code"),
    name: str | None = Query(default=None, max_length=64, description="Part of the Chinese name"),
    limit: Limit = 100,
    cursor: str | None = None,
) -> Page[EnterpriseOut]:
    if region is not None and not caller.can_see(region):
        raise Problem(403, f"region {region} is outside your scope")
    regions = subtree_codes(db, region_code=region) if region else caller.scope
    after = decode_cursor(cursor, str)
    q = select(Enterprise).where(Enterprise.region_code.in_(sorted(regions))).order_by(Enterprise.credit_code)
    if industry:
        q = q.where(Enterprise.industry == industry)
    if name:
        q = q.where(Enterprise.name_zh.contains(name, autoescape=True))
    if after is not None:
        q = q.where(Enterprise.credit_code > after)
    rows = db.scalars(q.limit(limit + 1)).all()
    rows, next_cursor = split_page(rows, limit, key=lambda r: r.credit_code)
    return Page[EnterpriseOut](
        items=[EnterpriseOut.model_validate(e) for e in rows],
        next_cursor=next_cursor,
    )


@router.get("/enterprises/{credit_code}", summary="One enterprise: headcount history (as of) and layoff filings")
def get_enterprise(
    credit_code: CreditCode,
    caller: CallerDep,
    db: SessionDep,
    as_of: dt.datetime | None = Query(default=None, description="Default now; naive times are UTC"),
) -> EnterpriseDetail:
    ent = db.get(Enterprise, credit_code)
    if ent is None or not caller.can_see(ent.region_code):
        raise Problem(404, f"no enterprise {credit_code} in your scope")
    moment = utc_moment(as_of)
    h = EnterpriseHeadcount
    rank = func.row_number().over(partition_by=h.period, order_by=(h.vintage.desc(), h.id.desc())).label("rank")
    known = (
        select(h.period, h.insured, h.vintage, rank).where(h.credit_code == credit_code, h.vintage <= moment).subquery()
    )
    heads = db.execute(
        select(known.c.period, known.c.insured, known.c.vintage).where(known.c.rank == 1).order_by(known.c.period)
    ).all()
    filings = db.scalars(
        select(LayoffFiling).where(LayoffFiling.credit_code == credit_code).order_by(LayoffFiling.filed_on)
    ).all()
    return EnterpriseDetail(
        **EnterpriseOut.model_validate(ent).model_dump(),
        headcounts=[HeadcountOut(period=p, insured=n, vintage=v) for p, n, v in heads],
        layoff_filings=[LayoffFilingOut.model_validate(f) for f in filings],
    )
