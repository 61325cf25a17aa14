"""What ingestion validates against: reference lookups built by the service from the registries.

Ingestion never reads the database or the settings; the service passes a `Reference` in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["IndicatorContract", "Reference"]


@dataclass(frozen=True)
class IndicatorContract:
    code: str
    unit: str  # percent, persons, positions, ratio
    frequency: str  # M, Q, D, E
    value_min: float
    value_max: float
    source: str = ""
    groups: tuple[str, ...] = ("total",)


@dataclass(frozen=True)
class Reference:
    """Lookups by code and by name: region codes, indicators and population groups."""

    regions: Mapping[str, str]  # code, Chinese name or English name -> region code
    indicators: Mapping[str, IndicatorContract]  # code -> contract
    indicator_names: Mapping[str, str]  # Chinese or English name -> indicator code
    groups: Mapping[str, str]  # code, Chinese or English name -> group code
    today: dt.date = field(default_factory=dt.date.today)  # periods after this month are "in the future"
    region_levels: Mapping[str, str] = field(default_factory=dict)  # code -> province, city, county

    def region_level(self, code: str) -> str:
        """The region's level from the registry; by GB/T 2260 code shape (xx0000, xxxx00) for others."""
        if code in self.region_levels:
            return self.region_levels[code]
        return "province" if code.endswith("0000") else "city" if code.endswith("00") else "county"

    def region_code(self, text: str) -> str | None:
        return self.regions.get(text) or self.regions.get(text.lower())

    def indicator(self, text: str) -> IndicatorContract | None:
        code = (
            text
            if text in self.indicators
            else self.indicator_names.get(text) or self.indicator_names.get(text.lower())
        )
        return self.indicators.get(code) if code else None

    def group_code(self, text: str) -> str | None:
        return self.groups.get(text) or self.groups.get(text.lower())
