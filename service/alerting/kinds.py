"""The rule kinds of thresholds.yaml, as typed pydantic models (one class per `kind:`).

Every rule says which grade (1 I red .. 4 IV blue) a value asks for: `grades` maps a grade to its bound, `op` says
which side is bad. Around that bound sit the lifecycle knobs shared by every kind:

    for: 2                 the condition must hold 2 periods running before the rule fires (persistence)
    clear_margin: 0.2      once firing, the rule keeps its grade until the value is 0.2 past the bound (hysteresis)
    keep_firing_for: 3     after it clears, the rule keeps firing 3 more periods (hold, as Alertmanager's)
    overrides:             per-region settings, for a region and everything below it; each says why
      "430200": {grades: {4: 5.8}, reason: "..."}

`source` names the law, plan or practice a default comes from. `alert: false` makes a rule a signal that only
feeds composites and breadth rules.
"""

from __future__ import annotations

import itertools
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "BreadthRule",
    "ChangeRule",
    "CompositeRule",
    "ForecastRule",
    "Grade",
    "LayoffRule",
    "Override",
    "RatioRule",
    "RiseRule",
    "Rule",
    "SeriesRule",
    "StaleRule",
    "ThresholdRule",
]

Grade = Annotated[int, Field(ge=1, le=4)]
RegionLevel = Literal["province", "city", "county"]
Transform = Literal["value", "mean3", "local_level"]
Seasonal = Literal["none", "adjust", "auto"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _check_monotonic(grades: dict[int, float], op: str, where: str) -> None:
    ordered = [grades[g] for g in sorted(grades, reverse=True)]  # IV, III, II, I
    pairs = list(itertools.pairwise(ordered))
    ok = all(a <= b for a, b in pairs) if op in (">=", ">") else all(a >= b for a, b in pairs)
    if not ok:
        raise ValueError(f"{where}a more severe grade (lower number) must need a more extreme value")


class Override(_Strict):
    """Settings for one region and the regions below it (the nearest override wins)."""

    grades: dict[Grade, float] | None = None
    for_periods: int | None = Field(default=None, ge=1, alias="for")
    clear_margin: float | None = Field(default=None, ge=0)
    keep_firing_for: int | None = Field(default=None, ge=0)
    enabled: bool = True
    reason: str = Field(min_length=1)


class _Rule(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    risk: str
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    source: str = Field(min_length=1)
    region_level: list[RegionLevel] = ["city"]
    op: Literal[">=", ">", "<=", "<"] = ">="
    grades: dict[Grade, float] = Field(min_length=1)
    for_periods: int = Field(default=1, ge=1, le=24, alias="for")
    clear_margin: float = Field(default=0.0, ge=0)
    keep_firing_for: int = Field(default=0, ge=0, le=24)
    alert: bool = True
    # The rule may fire (or step up) only in periods where all these rules fire too: a confirmation, e.g. a
    # city's rise counts as an early warning only while the rise is widespread. Clear-down stays the rule's own.
    only_when: list[str] = []
    unit: Literal["", "%", "pp", "persons", "enterprises", "months"] = ""  # shown after values in explanations
    overrides: dict[str, Override] = {}

    @field_validator("region_level", mode="before")
    @classmethod
    def _one_or_many(cls, value):
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _grades_ordered(self):
        _check_monotonic(self.grades, self.op, "")
        for code, o in self.overrides.items():
            if o.grades is not None:
                _check_monotonic(o.grades, self.op, f"override {code}: ")
        return self

    @property
    def needs(self) -> set[str]:
        """Indicators the rule reads from observations."""
        return set()


class SeriesRule(_Rule):
    """Base of the rules over one observed monthly indicator of the region."""

    indicator: str
    group: str = "total"
    # value as published; mean3 = trailing 3-month average; local_level = a signal-plus-noise filter of it
    transform: Transform = "value"
    # none; adjust = remove a causal month-of-year pattern; auto = adjust only when the history shows one
    seasonal: Seasonal = "none"
    smoothing: float = Field(default=0.2, gt=0, le=10)  # signal-to-noise variance ratio of local_level

    @property
    def needs(self) -> set[str]:
        return {self.indicator}


class ThresholdRule(SeriesRule):
    """The (transformed) indicator against fixed bounds: e.g. surveyed rate >= the 5.5 % target."""

    kind: Literal["threshold"]


class ChangeRule(SeriesRule):
    """Change over `periods` periods, in percentage points or percent: e.g. new claims +30 % on a year earlier."""

    kind: Literal["change"]
    periods: int = Field(ge=1, le=24)
    relative: bool = False  # true: percent of the earlier figure; false: the difference, in the indicator's unit


class RiseRule(SeriesRule):
    """Sahm-style: the smoothed indicator above its lowest value of the previous `window` periods, in pp."""

    kind: Literal["rise"]
    transform: Transform = "mean3"
    window: int = Field(default=12, ge=2, le=60)
    include_current: bool = False  # the low over t-window+1..t instead of t-window..t-1
    # value: clear when the rise falls clear_margin below the bound; onset_level: clear when the smoothed level
    # falls clear_margin below where it stood when the rule fired (a plateau keeps the warning in force)
    clear_on: Literal["value", "onset_level"] = "value"


class ForecastRule(_Rule):
    """P(indicator >= level) within `horizon` periods, from the stored forecast's mean and 80/95 % bounds."""

    kind: Literal["forecast_probability"]
    indicator: str
    group: str = "total"
    level: float
    horizon: int = Field(ge=1, le=12)

    @field_validator("grades")
    @classmethod
    def _probabilities(cls, grades: dict[int, float]) -> dict[int, float]:
        if not all(0 < p <= 1 for p in grades.values()):
            raise ValueError("grades of a forecast_probability rule are probabilities in (0, 1]")
        return grades

    @property
    def needs(self) -> set[str]:
        return {self.indicator}


class RatioRule(_Rule):
    """numerator summed over `window` periods / denominator averaged over them, times `scale`.

    求人倍率 = job_postings / job_seekers (window 1); 裁员率 = ui_new_claims / ui_insured (window 3, scale 100).
    """

    kind: Literal["ratio"]
    numerator: str
    denominator: str
    window: int = Field(default=1, ge=1, le=12)
    scale: float = Field(default=1.0, gt=0)
    occupation: str = "total"

    @property
    def needs(self) -> set[str]:
        return {self.numerator, self.denominator}


class LayoffRule(_Rule):
    """Filed layoffs (Labour Contract Law art. 41) of the region's enterprises, by month filed.

    measure: filings = how many filed in the last `window` months; largest = the largest single layoff in them;
    share_of_insured = persons in them as % of the region's insured (insured_indicator); county_cluster = the most
    enterprises in one county and month each laying off more than cluster_min_layoffs or >= cluster_min_share of
    their staff.
    """

    kind: Literal["layoffs"]
    measure: Literal["filings", "largest", "share_of_insured", "county_cluster"]
    window: int = Field(default=3, ge=1, le=24)
    insured_indicator: str = "ui_insured"
    cluster_min_layoffs: int = Field(default=50, ge=1)
    cluster_min_share: float = Field(default=0.3, gt=0, le=1)

    @property
    def needs(self) -> set[str]:
        return {self.insured_indicator} if self.measure == "share_of_insured" else set()


class CompositeRule(_Rule):
    """n of m: how many `members` fire (at `member_grade` or worse); grades map a grade to the count it needs."""

    kind: Literal["composite"]
    members: list[str] = Field(min_length=2)
    member_grade: Grade = 4


class BreadthRule(_Rule):
    """How widespread a signal is: % of regions (all evaluated, or the region's siblings) where `member` fires."""

    kind: Literal["breadth"]
    member: str
    scope: Literal["all", "siblings"] = "all"


class StaleRule(_Rule):
    """Data that stopped arriving is its own alert, never 'normal': grades map a grade to the months a region's
    latest figure trails the freshest region's (a region with no figure while others report is missing)."""

    kind: Literal["stale"]
    indicators: list[str] = Field(min_length=1)
    group: str = "total"

    @property
    def needs(self) -> set[str]:
        return set(self.indicators)


Rule = Annotated[
    ThresholdRule
    | ChangeRule
    | RiseRule
    | ForecastRule
    | RatioRule
    | LayoffRule
    | CompositeRule
    | BreadthRule
    | StaleRule,
    Field(discriminator="kind"),
]
