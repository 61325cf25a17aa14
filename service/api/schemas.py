"""API bodies (pydantic), separate from the ORM tables. Field names are the API's contract."""

from __future__ import annotations

import datetime as dt
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

__all__ = [
    "AccuracyOut",
    "AlertDetail",
    "AlertEventOut",
    "AlertOut",
    "EnterpriseDetail",
    "EnterpriseOut",
    "ForecastPointOut",
    "ForecastRunOut",
    "ForecastSeriesOut",
    "HeadcountOut",
    "IndicatorOut",
    "JobOut",
    "JobRunOut",
    "LayoffFilingOut",
    "ObservationOut",
    "Page",
    "RegionOut",
    "TrackRecord",
]


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class RegionOut(_Out):
    code: str
    name_zh: str
    name_en: str
    level: str
    parent_code: str | None


class IndicatorOut(_Out):
    code: str
    name_zh: str
    name_en: str
    unit: str
    frequency: str
    direction: str
    source_code: str
    grain: str
    cumulative: bool
    spec: dict[str, Any]


class ObservationOut(BaseModel):
    region_code: str
    indicator_code: str
    population_group: str
    occupation: str
    period: dt.date
    value: float
    sample_size: int | None
    batch_id: int
    vintage: dt.datetime


class TrackRecord(BaseModel):
    """How a model's earlier forecasts of this kind fared once the figures arrived (forecast_scores)."""

    model: str
    horizon: int | None = None  # None: all horizons together
    n_scored: int
    mean_absolute_error: float | None
    mase: float | None  # mean absolute error scaled by the in-sample seasonal-naive error
    coverage80: float | None  # share of actuals inside the 80 % interval
    coverage95: float | None


class ForecastPointOut(_Out):
    period: dt.date
    horizon: int
    mean: float
    lo80: float
    hi80: float
    lo95: float
    hi95: float


class ForecastSeriesOut(BaseModel):
    run_id: int
    region_code: str
    indicator_code: str
    population_group: str
    origin: dt.date
    model: str
    fallback_reason: str | None
    data_as_of: dt.datetime
    points: list[ForecastPointOut]
    # The model's record on this series so far, per horizon (empty until forecasts have been scored).
    track_record: list[TrackRecord] = []


class AlertOut(_Out):
    id: int
    region_code: str
    risk: str
    grade: int
    level_code: str
    level_name_zh: str
    state: str
    period: dt.date
    summary_zh: str
    summary_en: str
    opened_at: dt.datetime
    updated_at: dt.datetime
    acknowledged_at: dt.datetime | None
    resolved_at: dt.datetime | None
    ack_deadline: dt.datetime | None
    responsible_region_code: str


class AlertEventOut(_Out):
    at: dt.datetime
    kind: str
    reason: str
    from_grade: int | None
    to_grade: int | None
    from_state: str | None
    to_state: str | None


class AlertDetail(AlertOut):
    rule_ids: list[str]
    evidence: dict[str, Any]
    response_zh: str
    response_en: str
    events: list[AlertEventOut]


# ------------------------------------------------------------------------------------------- enterprises


class EnterpriseOut(_Out):
    credit_code: str
    name_zh: str
    region_code: str
    industry: str | None
    industry_zh: str | None
    synthetic: bool
    updated_at: dt.datetime


class HeadcountOut(BaseModel):
    period: dt.date
    insured: int
    vintage: dt.datetime


class LayoffFilingOut(_Out):
    id: int
    credit_code: str
    region_code: str
    filed_on: dt.date
    planned_on: dt.date
    staff_before: int
    layoffs: int
    reason: str | None
    status: str
    received_at: dt.datetime


class EnterpriseDetail(EnterpriseOut):
    headcounts: list[HeadcountOut]
    layoff_filings: list[LayoffFilingOut]


# ---------------------------------------------------------------------------------- forecast track record


class ForecastRunOut(_Out):
    id: int
    started_at: dt.datetime
    finished_at: dt.datetime | None
    status: str
    data_as_of: dt.datetime
    trigger: str
    n_series: int
    n_fallbacks: int
    error: str | None


class AccuracyOut(TrackRecord):
    indicator_code: str


# ----------------------------------------------------------------------------------------------- jobs


class JobRunOut(_Out):
    id: int
    job_id: str
    trigger: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    status: str
    duration_seconds: float | None
    detail: dict[str, Any]
    error: str | None


class JobOut(BaseModel):
    id: str
    description: str
    last_run: JobRunOut | None
