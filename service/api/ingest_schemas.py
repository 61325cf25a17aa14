"""API bodies of the ingestion routes (batches, layoff filings, source freshness). Separate from the ORM tables."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "BatchOut",
    "BatchReport",
    "FreshnessOut",
    "LayoffFilingIn",
    "LayoffFilingOut",
    "ProblemOut",
]


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ProblemOut(BaseModel):
    file: str
    row: int | None
    column: str | None
    value: str | None
    reason: str
    reason_zh: str


class BatchOut(_Out):
    id: int
    source_code: str
    filename: str
    format: str
    status: str
    rows_total: int
    rows_landed: int
    rows_unchanged: int
    rows_rejected: int
    received_at: dt.datetime
    landed_at: dt.datetime | None
    synthetic: bool
    submitted_by: int | None


class BatchReport(BaseModel):
    """What an upload did: landed (new or revised rows), duplicate (identical file seen before), or rejected."""

    status: str
    batch_id: int
    source: str
    filename: str
    rows_total: int
    rows_landed: int
    rows_unchanged: int
    problems: list[ProblemOut]
    problems_total: int


class FreshnessOut(BaseModel):
    source: str
    name_zh: str
    name_en: str
    cadence_days: int
    grace_days: int
    last_batch_id: int | None
    last_landed_at: dt.datetime | None
    age_seconds: float | None
    due_at: dt.datetime | None
    overdue_at: dt.datetime | None
    overdue: bool
    event_driven: bool


class LayoffFilingIn(BaseModel):
    """A layoff plan reported under Labour Contract Law art. 41 (>= 20 people, or < 20 but >= 10 % of staff)."""

    model_config = ConfigDict(extra="forbid")

    external_ref: str = Field(min_length=1, max_length=64, description="The filer's own reference: idempotency key")
    credit_code: str = Field(min_length=18, max_length=18, description="统一社会信用代码 with its check character")
    enterprise_name: str | None = Field(default=None, max_length=128, description="Required for a new enterprise")
    industry: str | None = Field(default=None, max_length=4, description="GB/T 4754 code, e.g. C36")
    region_code: str = Field(min_length=1, max_length=32, description="City or county of the workplace")
    filed_on: dt.date
    planned_on: dt.date
    staff_before: int = Field(gt=0, le=10_000_000)
    layoffs: int = Field(gt=0, le=10_000_000)
    reason: str | None = Field(default=None, max_length=2000)


class LayoffFilingOut(_Out):
    id: int
    external_ref: str | None
    credit_code: str
    enterprise_name: str | None = None
    region_code: str
    filed_on: dt.date
    planned_on: dt.date
    staff_before: int
    layoffs: int
    reason: str | None
    status: str
    batch_id: int | None
    received_at: dt.datetime
    warnings: list[ProblemOut] = []
