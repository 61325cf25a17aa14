"""Organisations (admins): each is bound to a region, and its users see that region and everything below it.

An admin manages organisations inside their own scope only; an organisation's region cannot be changed
(moving it would silently widen or narrow what its users see): create a new one instead.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.accounts import AccountConflict, AccountError, create_organisation, update_organisation
from service.api.admin_schemas import OrganisationCreate, OrganisationOut, OrganisationUpdate
from service.api.deps import ActorDep, Caller, CallerDep, SessionDep, require_role, writing
from service.api.pagination import Limit, RowId, decode_int_cursor, split_page
from service.api.problems import Problem, problems
from service.api.schemas import Page
from service.db.tables import Organisation

router = APIRouter(
    prefix="/api/v1",
    tags=["organisations"],
    dependencies=[Depends(require_role("admin"))],
    responses=problems(401, 403, 404, 422, 429),
)


def organisation_in_scope(db: Session, caller: Caller, organisation_id: int) -> Organisation:
    """The organisation, if the caller may see it; 404 otherwise (never say that it exists elsewhere)."""
    org = db.get(Organisation, organisation_id)
    if org is None or not caller.can_see(org.region_code):
        raise Problem(404, f"no organisation {organisation_id} in your scope")
    return org


@router.get("/organisations", summary="Organisations in your scope")
def list_organisations(
    caller: CallerDep, db: SessionDep, limit: Limit = 100, cursor: str | None = None
) -> Page[OrganisationOut]:
    after = decode_int_cursor(cursor)
    q = select(Organisation).where(Organisation.region_code.in_(caller.scope)).order_by(Organisation.id)
    if after is not None:
        q = q.where(Organisation.id > after)
    rows = db.scalars(q.limit(limit + 1)).all()
    rows, next_cursor = split_page(rows, limit, key=lambda r: r.id)
    return Page[OrganisationOut](
        items=[OrganisationOut.model_validate(o) for o in rows],
        next_cursor=next_cursor,
    )


@router.post("/organisations", status_code=201, summary="Create an organisation for a region in your scope")
def create(body: OrganisationCreate, caller: CallerDep, actor: ActorDep, db: SessionDep) -> OrganisationOut:
    if not caller.can_see(body.region_code):
        raise Problem(403, f"region {body.region_code} is outside your scope")
    now = dt.datetime.now(dt.UTC)
    try:
        with writing(db):
            org = create_organisation(
                db, name=body.name, kind=body.kind, region_code=body.region_code, now=now, actor=actor
            )
    except AccountConflict as exc:
        raise Problem(409, str(exc)) from exc
    except AccountError as exc:
        raise Problem(422, str(exc)) from exc
    return OrganisationOut.model_validate(org)


@router.get("/organisations/{organisation_id}", summary="One organisation in your scope")
def get_organisation(organisation_id: RowId, caller: CallerDep, db: SessionDep) -> OrganisationOut:
    return OrganisationOut.model_validate(organisation_in_scope(db, caller, organisation_id))


@router.patch("/organisations/{organisation_id}", summary="Rename an organisation or change its kind")
def patch_organisation(
    organisation_id: RowId, body: OrganisationUpdate, caller: CallerDep, actor: ActorDep, db: SessionDep
) -> OrganisationOut:
    now = dt.datetime.now(dt.UTC)
    try:
        with writing(db):
            org = organisation_in_scope(db, caller, organisation_id)
            update_organisation(db, organisation=org, name=body.name, kind=body.kind, now=now, actor=actor)
    except AccountConflict as exc:
        raise Problem(409, str(exc)) from exc
    return OrganisationOut.model_validate(org)
