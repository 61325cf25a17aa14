"""Silences: mute the notices of a region subtree (and optionally one risk) until they expire.

Reading needs any role; creating and expiring need responder (or admin) and the region in the caller's scope.
Every write is audited. A silence is never deleted: DELETE ends it now and keeps it as history.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from service.api.deps import Caller, CallerDep, SessionDep, require_role
from service.api.pagination import Limit, decode_cursor, split_page
from service.api.problems import Problem
from service.api.routes.alerts import fresh_transaction, small_body
from service.api.schemas import Page
from service.audit import record
from service.db.silences import SilenceError, create_silence, expire_silence, silence_dict
from service.db.tables import Silence

router = APIRouter(prefix="/api/v1", tags=["silences"])
Responder = Annotated[Caller, Depends(require_role("responder"))]


class SilenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    region_code: str = Field(pattern=r"^\d{6}$")
    risk: str | None = Field(default=None, max_length=48, description="One risk only; omit for every risk")
    starts_at: dt.datetime | None = Field(default=None, description="Default: now")
    ends_at: dt.datetime
    reason: str = Field(min_length=1, max_length=2000)


class SilenceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    region_code: str
    risk: str | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    reason: str
    created_by: int | None
    created_at: dt.datetime
    active: bool


def _out(s: Silence, now: dt.datetime) -> SilenceOut:
    return SilenceOut(
        **{k: getattr(s, k) for k in SilenceOut.model_fields if k != "active"}, active=s.starts_at <= now < s.ends_at
    )


def _aware(t: dt.datetime) -> dt.datetime:
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)


def _audit(db, request: Request, caller: Caller, action: str, s: Silence, before, now) -> None:
    record(
        db,
        action=action,
        object_type="silence",
        object_id=s.id,
        now=now,
        user_id=caller.user_id,
        before=before,
        after=silence_dict(s),
        remote_addr=request.client.host if request.client else None,
        request_id=getattr(request.state, "request_id", None),
    )


@router.get("/silences", summary="Silences in your scope, newest first")
def list_silences(
    caller: CallerDep,
    db: SessionDep,
    state: Literal["active", "pending", "expired", "all"] = "all",
    limit: Limit = 100,
    cursor: str | None = None,
) -> Page[SilenceOut]:
    now = dt.datetime.now(dt.UTC)
    q = select(Silence).where(Silence.region_code.in_(caller.scope))
    if state == "active":
        q = q.where(Silence.starts_at <= now, Silence.ends_at > now)
    elif state == "pending":
        q = q.where(Silence.starts_at > now)
    elif state == "expired":
        q = q.where(Silence.ends_at <= now)
    after = decode_cursor(cursor)
    if after:
        q = q.where(Silence.id < int(after))
    rows = db.scalars(q.order_by(Silence.id.desc()).limit(limit + 1)).all()
    rows, next_cursor = split_page(rows, limit, key=lambda r: r.id)
    return Page[SilenceOut](items=[_out(s, now) for s in rows], next_cursor=next_cursor)


@router.get("/silences/{silence_id}", summary="One silence")
def get_silence(silence_id: int, caller: CallerDep, db: SessionDep) -> SilenceOut:
    s = db.get(Silence, silence_id)
    if s is None or not caller.can_see(s.region_code):
        raise Problem(404, f"no silence {silence_id} in your scope")
    return _out(s, dt.datetime.now(dt.UTC))


@router.post("/silences", status_code=201, summary="Create a silence", dependencies=[Depends(small_body)])
def post_silence(body: SilenceIn, caller: Responder, db: SessionDep, request: Request) -> SilenceOut:
    if not caller.can_see(body.region_code):
        raise Problem(403, f"region {body.region_code} is outside your scope")
    now = dt.datetime.now(dt.UTC)
    fresh_transaction(db)
    with db.begin():
        try:
            s = create_silence(
                db,
                region_code=body.region_code,
                risk=body.risk,
                starts_at=_aware(body.starts_at or now),
                ends_at=_aware(body.ends_at),
                reason=body.reason,
                user_id=caller.user_id,
                now=now,
            )
        except SilenceError as exc:
            raise Problem(422, str(exc)) from exc
        _audit(db, request, caller, "silence.create", s, None, now)
        out = _out(s, now)
    return out


@router.delete("/silences/{silence_id}", summary="End a silence now (it stays as history)")
def delete_silence(silence_id: int, caller: Responder, db: SessionDep, request: Request) -> SilenceOut:
    now = dt.datetime.now(dt.UTC)
    fresh_transaction(db)
    with db.begin():
        s = db.get(Silence, silence_id)
        if s is None or not caller.can_see(s.region_code):
            raise Problem(404, f"no silence {silence_id} in your scope")
        before = silence_dict(s)
        expire_silence(db, silence=s, now=now)
        _audit(db, request, caller, "silence.expire", s, before, now)
        out = _out(s, now)
    return out
