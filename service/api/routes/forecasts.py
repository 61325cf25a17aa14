"""Forecasts with intervals, each with its model's track record, within the caller's scope; and forecast runs.

The track record comes from forecast_scores: each earlier forecast point scored against the figure that later
arrived (filled by the forecasting jobs). It is served as it stands: empty until anything has been scored.
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from service.api.deps import CallerDep, SessionDep
from service.api.pagination import Limit, RowId, decode_int_cursor, split_page
from service.api.problems import Problem, problems
from service.api.schemas import AccuracyOut, ForecastPointOut, ForecastRunOut, ForecastSeriesOut, Page, TrackRecord
from service.db.queries import latest_forecast_series
from service.db.tables import ForecastPoint, ForecastRun, ForecastScore, ForecastSeries

router = APIRouter(prefix="/api/v1", tags=["forecasts"], responses=problems(401, 403, 404, 422, 429))


def _scores(db: Session, *, indicator: str, group: str, regions: Iterable[str], by_region: bool) -> list[tuple]:
    """(region or None, model, horizon, n, mae, mase, coverage80, coverage95) over the scored points."""
    s, p, sc = ForecastSeries, ForecastPoint, ForecastScore
    keys = [s.region_code] if by_region else []
    q = (
        select(
            *keys,
            s.model,
            p.horizon,
            func.count(),
            func.avg(func.abs(sc.error)),
            func.avg(sc.scaled_abs_error),
            func.avg(case((sc.covered80, 1.0), else_=0.0)),
            func.avg(case((sc.covered95, 1.0), else_=0.0)),
        )
        .join(p, sc.point_id == p.id)
        .join(s, p.series_id == s.id)
        .where(s.indicator_code == indicator, s.population_group == group, s.region_code.in_(sorted(regions)))
        .group_by(*keys, s.model, p.horizon)
        .order_by(*keys, s.model, p.horizon)
    )
    rows = db.execute(q).all()
    return [tuple(r) if by_region else (None, *r) for r in rows]


def _f(value) -> float | None:
    return None if value is None else float(value)


def _record(model, horizon, n, mae, mase, c80, c95) -> TrackRecord:
    f = _f
    return TrackRecord(
        model=model,
        horizon=horizon,
        n_scored=n,
        mean_absolute_error=f(mae),
        mase=f(mase),
        coverage80=f(c80),
        coverage95=f(c95),
    )


@router.get("/forecasts", summary="Each series' latest forecast (or those of one `run`), with each model's record")
def list_forecasts(
    caller: CallerDep,
    db: SessionDep,
    indicator: str = "surveyed_unemployment_rate",
    region: str | None = None,
    group: str = "total",
    run: int | None = None,
) -> Page[ForecastSeriesOut]:
    if region is not None and not caller.can_see(region):
        raise Problem(403, f"region {region} is outside your scope")
    regions = [region] if region else sorted(caller.scope)
    q = select(ForecastSeries).where(
        ForecastSeries.indicator_code == indicator,
        ForecastSeries.population_group == group,
        ForecastSeries.region_code.in_(regions),
    )
    if run is None:
        q = q.where(ForecastSeries.id.in_(latest_forecast_series(db, indicators=[indicator], regions=regions,
                                                                 groups=[group])))  # fmt: skip
    elif 0 < run < 2**31 and db.get(ForecastRun, run) is not None:
        q = q.where(ForecastSeries.run_id == run)
    else:
        return Page[ForecastSeriesOut](items=[])
    series = db.scalars(q.order_by(ForecastSeries.region_code)).all()
    points: dict[int, list[ForecastPoint]] = {}
    records: dict[tuple[str, str], list[TrackRecord]] = {}
    if series:
        for p in db.scalars(
            select(ForecastPoint)
            .where(ForecastPoint.series_id.in_([s.id for s in series]))
            .order_by(ForecastPoint.horizon)
        ):
            points.setdefault(p.series_id, []).append(p)
        for reg, model, *rest in _scores(
            db, indicator=indicator, group=group, regions={s.region_code for s in series}, by_region=True
        ):
            records.setdefault((reg, model), []).append(_record(model, *rest))
    as_of = dict(db.execute(select(ForecastRun.id, ForecastRun.data_as_of).where(
        ForecastRun.id.in_({s.run_id for s in series}))).all()) if series else {}  # fmt: skip
    return Page[ForecastSeriesOut](
        items=[
            ForecastSeriesOut(
                run_id=s.run_id,
                region_code=s.region_code,
                indicator_code=s.indicator_code,
                population_group=s.population_group,
                origin=s.origin,
                model=s.model,
                fallback_reason=s.fallback_reason,
                data_as_of=as_of[s.run_id],
                points=[ForecastPointOut.model_validate(p) for p in points.get(s.id, [])],
                track_record=records.get((s.region_code, s.model), []),
            )
            for s in series
        ]
    )


@router.get("/forecasts/accuracy", summary="Each model's track record by horizon, over your scope (or `region`)")
def accuracy(
    caller: CallerDep,
    db: SessionDep,
    indicator: str = "surveyed_unemployment_rate",
    region: str | None = None,
    group: str = "total",
) -> Page[AccuracyOut]:
    if region is not None and not caller.can_see(region):
        raise Problem(403, f"region {region} is outside your scope")
    rows = _scores(db, indicator=indicator, group=group, regions=[region] if region else caller.scope, by_region=False)
    return Page[AccuracyOut](
        items=[AccuracyOut(indicator_code=indicator, **_record(*r[1:]).model_dump()) for r in rows]
    )


@router.get("/forecast-runs", summary="Forecast runs, newest first")
def list_runs(_: CallerDep, db: SessionDep, limit: Limit = 50, cursor: str | None = None) -> Page[ForecastRunOut]:
    after = decode_int_cursor(cursor)
    q = select(ForecastRun).order_by(ForecastRun.id.desc())
    if after is not None:
        q = q.where(ForecastRun.id < after)
    rows = db.scalars(q.limit(limit + 1)).all()
    rows, next_cursor = split_page(rows, limit, key=lambda r: r.id)
    return Page[ForecastRunOut](items=[ForecastRunOut.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.get("/forecast-runs/{run_id}", summary="One forecast run: when, on which data vintage, with what outcome")
def get_run(run_id: RowId, _: CallerDep, db: SessionDep) -> ForecastRunOut:
    the_run = db.get(ForecastRun, run_id)
    if the_run is None:
        raise Problem(404, f"no forecast run {run_id}")
    return ForecastRunOut.model_validate(the_run)
