"""API bodies (pydantic), separate from the ORM tables. Field names are the API's contract."""

from __future__ import annotations

import datetime as dt
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

__all__ = [
    "AlertDetail",
    "AlertEventOut",
    "AlertOut",
    "ForecastPointOut",
    "ForecastSeriesOut",
    "IndicatorOut",
    "ObservationOut",
    "Page",
    "RegionOut",
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
