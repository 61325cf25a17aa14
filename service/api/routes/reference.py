"""Regions (within the caller's scope) and the indicator dictionary."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from sqlalchemy import select

from service.api.deps import CallerDep, SessionDep
from service.api.pagination import Limit, decode_cursor, split_page
from service.api.problems import Problem
from service.api.schemas import IndicatorOut, Page, RegionOut
from service.db.tables import Indicator, Region

router = APIRouter(prefix="/api/v1", tags=["reference"])


@router.get("/regions", summary="Regions in your scope (your organisation's region and below)")
def list_regions(
    caller: CallerDep,
    db: SessionDep,
    level: Literal["province", "city", "county"] | None = None,
    parent: str | None = None,
    limit: Limit = 500,
    cursor: str | None = None,
) -> Page[RegionOut]:
    after = decode_cursor(cursor)
    q = select(Region).where(Region.code.in_(caller.scope), Region.active.is_(True)).order_by(Region.code)
    if level:
        q = q.where(Region.level == level)
    if parent:
        q = q.where(Region.parent_code == parent)
    if after:
        q = q.where(Region.code > str(after))
    rows = db.scalars(q.limit(limit + 1)).all()
    rows, next_cursor = split_page(rows, limit, key=lambda r: r.code)
    return Page[RegionOut](items=[RegionOut.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.get("/regions/{code}", summary="One region in your scope")
def get_region(code: str, caller: CallerDep, db: SessionDep) -> RegionOut:
    region = db.get(Region, code)
    if region is None or not caller.can_see(code):
        raise Problem(404, f"no region {code} in your scope")
    return RegionOut.model_validate(region)


@router.get("/indicators", summary="The indicator dictionary")
def list_indicators(_: CallerDep, db: SessionDep) -> Page[IndicatorOut]:
    rows = db.scalars(select(Indicator).order_by(Indicator.code)).all()
    return Page[IndicatorOut](items=[IndicatorOut.model_validate(r) for r in rows])
