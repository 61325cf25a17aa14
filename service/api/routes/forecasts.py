"""The latest forecasts with intervals, within the caller's scope."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from service.api.deps import CallerDep, SessionDep
from service.api.problems import Problem
from service.api.schemas import ForecastPointOut, ForecastSeriesOut, Page
from service.db.tables import ForecastPoint, ForecastRun, ForecastSeries

router = APIRouter(prefix="/api/v1", tags=["forecasts"])


@router.get("/forecasts", summary="Forecasts of the latest successful run (or of `run`)")
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
    if run is None:
        run = db.scalar(
            select(ForecastRun.id).where(ForecastRun.status == "succeeded").order_by(ForecastRun.id.desc()).limit(1)
        )
    the_run = db.get(ForecastRun, run) if run is not None else None
    if the_run is None:
        return Page[ForecastSeriesOut](items=[])
    q = select(ForecastSeries).where(
        ForecastSeries.run_id == the_run.id,
        ForecastSeries.indicator_code == indicator,
        ForecastSeries.population_group == group,
        ForecastSeries.region_code.in_([region] if region else caller.scope),
    )
    series = db.scalars(q.order_by(ForecastSeries.region_code)).all()
    points: dict[int, list[ForecastPoint]] = {}
    if series:
        for p in db.scalars(
            select(ForecastPoint)
            .where(ForecastPoint.series_id.in_([s.id for s in series]))
            .order_by(ForecastPoint.horizon)
        ):
            points.setdefault(p.series_id, []).append(p)
    return Page[ForecastSeriesOut](
        items=[
            ForecastSeriesOut(
                run_id=the_run.id,
                region_code=s.region_code,
                indicator_code=s.indicator_code,
                population_group=s.population_group,
                origin=s.origin,
                model=s.model,
                fallback_reason=s.fallback_reason,
                data_as_of=the_run.data_as_of,
                points=[ForecastPointOut.model_validate(p) for p in points.get(s.id, [])],
            )
            for s in series
        ]
    )
