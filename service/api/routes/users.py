"""Users and their API keys (admins, within their scope), and `/me` for every caller.

A key is shown once, in the answer that issues it, and is stored only as an argon2 hash. Every key expires
(at most two years); revoking takes effect on the next request. Admins cannot demote or deactivate themselves,
so a province is never left without an admin by accident.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.accounts import AccountConflict, AccountError, create_user, issue_key, revoke_key, update_user
from service.api.admin_schemas import KeyCreate, KeyIssued, KeyOut, MeOut, UserCreate, UserOut, UserUpdate
from service.api.deps import ActorDep, Caller, CallerDep, SessionDep, require_role, writing
from service.api.pagination import Limit, RowId, decode_int_cursor, split_page
from service.api.problems import Problem, problems
from service.api.routes.organisations import organisation_in_scope
from service.api.schemas import Page
from service.db.tables import ApiKey, Organisation, User

router = APIRouter(prefix="/api/v1", tags=["users and keys"], responses=problems(401, 403, 404, 422, 429))
ADMIN = [Depends(require_role("admin"))]
KeyPrefix = Annotated[str, Path(pattern=r"^[0-9a-f]{12}$", description="The 12 hex characters after `lw_`")]


def user_in_scope(db: Session, caller: Caller, user_id: int) -> User:
    user = db.get(User, user_id)
    org = db.get(Organisation, user.organisation_id) if user else None
    if org is None or not caller.can_see(org.region_code):
        raise Problem(404, f"no user {user_id} in your scope")
    return user


@router.get("/me", summary="Who you are: your user, role, organisation and region")
def me(caller: CallerDep) -> MeOut:
    return MeOut(
        user_id=caller.user_id,
        username=caller.username,
        role=caller.role,
        organisation_id=caller.organisation_id,
        region_code=caller.region_code,
        regions_in_scope=len(caller.scope),
    )


@router.get("/users", dependencies=ADMIN, summary="Users of the organisations in your scope")
def list_users(
    caller: CallerDep,
    db: SessionDep,
    organisation_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    role: Literal["uploader", "analyst", "responder", "admin"] | None = None,
    limit: Limit = 100,
    cursor: str | None = None,
) -> Page[UserOut]:
    after = decode_int_cursor(cursor)
    q = (
        select(User)
        .join(Organisation, Organisation.id == User.organisation_id)
        .where(Organisation.region_code.in_(caller.scope))
        .order_by(User.id)
    )
    if organisation_id is not None:
        q = q.where(User.organisation_id == organisation_id)
    if role is not None:
        q = q.where(User.role == role)
    if after is not None:
        q = q.where(User.id > after)
    rows = db.scalars(q.limit(limit + 1)).all()
    rows, next_cursor = split_page(rows, limit, key=lambda r: r.id)
    return Page[UserOut](items=[UserOut.model_validate(u) for u in rows], next_cursor=next_cursor)


@router.post("/users", status_code=201, dependencies=ADMIN, summary="Create a user in an organisation in your scope")
def create(body: UserCreate, caller: CallerDep, actor: ActorDep, db: SessionDep) -> UserOut:
    now = dt.datetime.now(dt.UTC)
    try:
        with writing(db):
            organisation_in_scope(db, caller, body.organisation_id)
            user = create_user(
                db,
                organisation_id=body.organisation_id,
                username=body.username,
                role=body.role,
                display_name=body.display_name,
                email=body.email,
                now=now,
                actor=actor,
            )
    except AccountConflict as exc:
        raise Problem(409, str(exc)) from exc
    except AccountError as exc:
        raise Problem(422, str(exc)) from exc
    return UserOut.model_validate(user)


@router.get("/users/{user_id}", dependencies=ADMIN, summary="One user in your scope")
def get_user(user_id: RowId, caller: CallerDep, db: SessionDep) -> UserOut:
    return UserOut.model_validate(user_in_scope(db, caller, user_id))


@router.patch("/users/{user_id}", dependencies=ADMIN, summary="Change a user's role, activity, name or e-mail")
def patch_user(user_id: RowId, body: UserUpdate, caller: CallerDep, actor: ActorDep, db: SessionDep) -> UserOut:
    if user_id == caller.user_id and (body.role not in (None, caller.role) or body.active is False):
        raise Problem(409, "you cannot change your own role or deactivate yourself; ask another admin")
    with writing(db):
        user = user_in_scope(db, caller, user_id)
        update_user(
            db,
            user=user,
            role=body.role,
            active=body.active,
            display_name=body.display_name,
            email=body.email,
            now=dt.datetime.now(dt.UTC),
            actor=actor,
        )
    return UserOut.model_validate(user)


@router.get("/users/{user_id}/keys", dependencies=ADMIN, summary="A user's API keys (never the secrets)")
def list_keys(user_id: RowId, caller: CallerDep, db: SessionDep) -> Page[KeyOut]:
    user = user_in_scope(db, caller, user_id)
    keys = db.scalars(select(ApiKey).where(ApiKey.user_id == user.id).order_by(ApiKey.id)).all()
    return Page[KeyOut](items=[KeyOut.model_validate(k) for k in keys])


@router.post(
    "/users/{user_id}/keys",
    status_code=201,
    dependencies=ADMIN,
    summary="Issue an API key; the answer is the only time the full key is shown",
)
def issue(
    user_id: RowId, body: KeyCreate, caller: CallerDep, actor: ActorDep, db: SessionDep, response: Response
) -> KeyIssued:
    now = dt.datetime.now(dt.UTC)
    with writing(db):
        user = user_in_scope(db, caller, user_id)
        key, full = issue_key(
            db,
            user_id=user.id,
            name=body.name,
            now=now,
            expires_at=now + dt.timedelta(days=body.expires_in_days),
            actor=actor,
        )
    response.headers["cache-control"] = "no-store"
    return KeyIssued(**KeyOut.model_validate(key).model_dump(), key=full)


@router.delete("/keys/{prefix}", dependencies=ADMIN, summary="Revoke an API key (effective on the next request)")
def revoke(prefix: KeyPrefix, caller: CallerDep, actor: ActorDep, db: SessionDep) -> KeyOut:
    with writing(db):
        key = db.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
        owner = db.get(User, key.user_id) if key else None
        org = db.get(Organisation, owner.organisation_id) if owner else None
        if org is None or not caller.can_see(org.region_code):
            raise Problem(404, f"no key {prefix} in your scope")
        revoke_key(db, prefix=prefix, now=dt.datetime.now(dt.UTC), actor=actor)
    return KeyOut.model_validate(key)
