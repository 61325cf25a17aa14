"""The audit log (admins): every write, who made it, when, from where, and the object before and after.

An admin sees the entries made by users of organisations in their scope; entries without a user (the command
line, the system) are shown only to admins of a whole province.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Query
from sqlalchemy import or_, select

from service.api.admin_schemas import AuditEntryOut
from service.api.deps import CallerDep, SessionDep, require_role
from service.api.pagination import Limit, decode_int_cursor, split_page
from service.api.params import utc_moment
from service.api.problems import problems
from service.api.schemas import Page
from service.db.tables import AuditLog, Organisation, User

router = APIRouter(
    prefix="/api/v1",
    tags=["audit"],
    dependencies=[Depends(require_role("admin"))],
    responses=problems(401, 403, 422, 429),
)


@router.get("/audit-log", summary="Audit entries in your scope, newest first")
def list_audit(
    caller: CallerDep,
    db: SessionDep,
    action: str | None = Query(default=None, max_length=64, description="e.g. user.update"),
    object_type: str | None = Query(default=None, max_length=32),
    user_id: int | None = Query(default=None, ge=1, le=2_147_483_647),
    since: dt.datetime | None = None,
    limit: Limit = 100,
    cursor: str | None = None,
) -> Page[AuditEntryOut]:
    users_in_scope = (
        select(User.id)
        .join(Organisation, Organisation.id == User.organisation_id)
        .where(Organisation.region_code.in_(caller.scope))
    )
    visible = AuditLog.user_id.in_(users_in_scope)
    if caller.covers_province:
        visible = or_(visible, AuditLog.user_id.is_(None))
    q = select(AuditLog).where(visible).order_by(AuditLog.id.desc())
    if action is not None:
        q = q.where(AuditLog.action == action)
    if object_type is not None:
        q = q.where(AuditLog.object_type == object_type)
    if user_id is not None:
        q = q.where(AuditLog.user_id == user_id)
    if since is not None:
        q = q.where(AuditLog.at >= utc_moment(since, name="since"))
    after = decode_int_cursor(cursor)
    if after is not None:
        q = q.where(AuditLog.id < after)
    rows = db.scalars(q.limit(limit + 1)).all()
    rows, next_cursor = split_page(rows, limit, key=lambda r: r.id)
    return Page[AuditEntryOut](items=[AuditEntryOut.model_validate(e) for e in rows], next_cursor=next_cursor)
