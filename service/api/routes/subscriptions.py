"""Subscriptions (admins, within their scope): where an organisation wants its region's alerts delivered.

A subscription covers its region and everything below it, from `min_grade` up (4 = every grade). Its secret
signs webhook bodies; it is write-only (answers say `has_secret`). DELETE deactivates: the row stays because
the outbox's delivery history refers to it.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from fastapi import APIRouter, Depends
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.api.admin_schemas import SubscriptionCreate, SubscriptionOut, SubscriptionUpdate, check_target
from service.api.deps import ActorDep, Caller, CallerDep, SessionDep, require_role, writing
from service.api.pagination import Limit, RowId, decode_int_cursor, split_page
from service.api.problems import Problem, problems
from service.api.routes.organisations import organisation_in_scope
from service.api.schemas import Page
from service.audit import record, snapshot
from service.db.queries import subtree_codes
from service.db.tables import Subscription

router = APIRouter(
    prefix="/api/v1",
    tags=["subscriptions"],
    dependencies=[Depends(require_role("admin"))],
    responses=problems(401, 403, 404, 422, 429),
)

FIELDS = ("organisation_id", "region_code", "channel", "target", "secret", "min_grade", "language", "active")


def _out(sub: Subscription) -> SubscriptionOut:
    return SubscriptionOut(
        **{k: getattr(sub, k) for k in SubscriptionOut.model_fields if k != "has_secret"}, has_secret=bool(sub.secret)
    )


def _in_scope(db: Session, caller: Caller, subscription_id: int) -> Subscription:
    sub = db.get(Subscription, subscription_id)
    if sub is None or not caller.can_see(sub.region_code):
        raise Problem(404, f"no subscription {subscription_id} in your scope")
    return sub


@router.get("/subscriptions", summary="Subscriptions for regions in your scope")
def list_subscriptions(
    caller: CallerDep,
    db: SessionDep,
    region: str | None = None,
    channel: Literal["webhook", "wecom", "dingtalk", "email"] | None = None,
    active: bool | None = None,
    limit: Limit = 100,
    cursor: str | None = None,
) -> Page[SubscriptionOut]:
    if region is not None and not caller.can_see(region):
        raise Problem(403, f"region {region} is outside your scope")
    after = decode_int_cursor(cursor)
    q = select(Subscription).where(Subscription.region_code.in_([region] if region else caller.scope))
    if channel is not None:
        q = q.where(Subscription.channel == channel)
    if active is not None:
        q = q.where(Subscription.active.is_(active))
    if after is not None:
        q = q.where(Subscription.id > after)
    rows = db.scalars(q.order_by(Subscription.id).limit(limit + 1)).all()
    rows, next_cursor = split_page(rows, limit, key=lambda r: r.id)
    return Page[SubscriptionOut](items=[_out(s) for s in rows], next_cursor=next_cursor)


@router.post("/subscriptions", status_code=201, summary="Subscribe an organisation to a region's alerts")
def create(body: SubscriptionCreate, caller: CallerDep, actor: ActorDep, db: SessionDep) -> SubscriptionOut:
    if not caller.can_see(body.region_code):
        raise Problem(403, f"region {body.region_code} is outside your scope")
    now = dt.datetime.now(dt.UTC)
    with writing(db):
        org = organisation_in_scope(db, caller, body.organisation_id or caller.organisation_id)
        if body.region_code not in subtree_codes(db, region_code=org.region_code):
            raise Problem(
                422, f"region {body.region_code} is not within organisation {org.id}'s region {org.region_code}"
            )
        sub = Subscription(
            organisation_id=org.id,
            region_code=body.region_code,
            channel=body.channel,
            target=body.target,
            secret=body.secret,
            min_grade=body.min_grade,
            language=body.language,
            active=True,
            created_at=now,
        )
        db.add(sub)
        db.flush()
        record(
            db,
            action="subscription.create",
            object_type="subscription",
            object_id=sub.id,
            now=now,
            actor=actor,
            after=snapshot(sub, FIELDS),
        )
    return _out(sub)


@router.get("/subscriptions/{subscription_id}", summary="One subscription in your scope")
def get_subscription(subscription_id: RowId, caller: CallerDep, db: SessionDep) -> SubscriptionOut:
    return _out(_in_scope(db, caller, subscription_id))


@router.patch("/subscriptions/{subscription_id}", summary="Change a subscription's target, secret, grade or language")
def patch_subscription(
    subscription_id: RowId, body: SubscriptionUpdate, caller: CallerDep, actor: ActorDep, db: SessionDep
) -> SubscriptionOut:
    with writing(db):
        sub = _in_scope(db, caller, subscription_id)
        _change(db, sub, body.model_dump(exclude_none=True), actor=actor, action="subscription.update")
    return _out(sub)


@router.delete("/subscriptions/{subscription_id}", summary="Stop a subscription (kept, inactive, for history)")
def delete_subscription(subscription_id: RowId, caller: CallerDep, actor: ActorDep, db: SessionDep) -> SubscriptionOut:
    with writing(db):
        sub = _in_scope(db, caller, subscription_id)
        _change(db, sub, {"active": False}, actor=actor, action="subscription.deactivate")
    return _out(sub)


def _change(db: Session, sub: Subscription, changes: dict, *, actor, action: str) -> None:
    if "target" in changes:
        try:
            check_target(sub.channel, changes["target"])  # the new target must still fit the channel
        except ValueError as exc:
            raise Problem(422, str(exc)) from exc
    before = snapshot(sub, FIELDS)
    for field, value in changes.items():
        setattr(sub, field, value)
    after = snapshot(sub, FIELDS)
    if after != before or (changes.get("secret")):
        db.flush()
        record(
            db,
            action=action,
            object_type="subscription",
            object_id=sub.id,
            now=dt.datetime.now(dt.UTC),
            actor=actor,
            before=before,
            after=after,
        )
