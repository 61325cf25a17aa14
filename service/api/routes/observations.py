"""Observations as known at a moment (`as_of`, default now), within the caller's scope."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter

from service.api.deps import CallerDep, SessionDep
from service.api.pagination import Limit, decode_cursor, encode_cursor
from service.api.params import utc_moment
from service.api.problems import Problem
from service.api.schemas import ObservationOut, Page
from service.db.queries import observations_as_of

router = APIRouter(prefix="/api/v1", tags=["observations"])


@router.get("/observations", summary="Figures as known at `as_of` (latest vintage not after it)")
def list_observations(
    caller: CallerDep,
    db: SessionDep,
    indicator: str | None = None,
    region: str | None = None,
    group: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    as_of: dt.datetime | None = None,
    limit: Limit = 500,
    cursor: str | None = None,
) -> Page[ObservationOut]:
    if region is not None and not caller.can_see(region):
        raise Problem(403, f"region {region} is outside your scope")
    # The cursor pins the as-of moment, so later pages read the same immutable snapshot.
    state = decode_cursor(cursor, dict) or {}
    try:
        pinned = dt.datetime.fromisoformat(state["as_of"]) if "as_of" in state else None
        offset = max(0, int(state.get("offset", 0)))
    except (TypeError, ValueError) as exc:
        raise Problem(400, "the cursor is not one this API issued", title="Bad cursor") from exc
    moment = utc_moment(pinned or as_of)
    frame = observations_as_of(
        db,
        as_of=moment,
        indicators=[indicator] if indicator else None,
        regions=[region] if region else sorted(caller.scope),
        population_groups=[group] if group else None,
        start=start,
        end=end,
    )
    page = frame.iloc[offset : offset + limit]
    items = [
        ObservationOut(
            region_code=r.region_code,
            indicator_code=r.indicator_code,
            population_group=r.population_group,
            occupation=r.occupation,
            period=r.period,
            value=r.value,
            sample_size=None if r.sample_size != r.sample_size or r.sample_size is None else int(r.sample_size),
            batch_id=int(r.batch_id),
            vintage=r.vintage,
        )
        for r in page.itertuples(index=False)
    ]
    more = offset + limit < len(frame)
    nxt = encode_cursor({"as_of": moment.isoformat(), "offset": offset + limit}) if more else None
    return Page[ObservationOut](items=items, next_cursor=nxt)
