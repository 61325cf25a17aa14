"""Build the pure ingestion `Reference` (lookups by code and name) from the registry."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from ingestion.contracts import IndicatorContract, Reference
from service.registry.load import Registry

__all__ = ["reference_for"]


def reference_for(registry: Registry, *, today: dt.date) -> Reference:
    names: list[tuple[str, str]] = []
    for r in registry.regions:
        names += [(r.name_zh, r.code), (r.name_en.lower(), r.code)]
        if r.level == "city" and r.name_zh.endswith("市"):
            names.append((r.name_zh[:-1], r.code))  # 株洲 for 株洲市
    # A name shared by two regions (e.g. two 白云区) is ambiguous: only its code is accepted.
    counts = Counter(n for n, _ in names)
    regions = {n: c for n, c in names if counts[n] == 1}
    regions.update({r.code: r.code for r in registry.regions})

    indicators = {
        i.code: IndicatorContract(
            code=i.code,
            unit=i.unit,
            frequency=i.frequency,
            value_min=i.value_min,
            value_max=i.value_max,
            source=i.source,
            groups=tuple(i.spec.get("groups", ["total"])),
        )
        for i in registry.indicators
    }
    indicator_names = {}
    for i in registry.indicators:
        indicator_names[i.name_zh] = i.code
        indicator_names[i.name_en.lower()] = i.code
    groups = {}
    for g in registry.groups:
        groups.update({g.code: g.code, g.name_zh: g.code, g.name_en.lower(): g.code})
    levels = {r.code: r.level for r in registry.regions}
    return Reference(regions, indicators, indicator_names, groups, today=today, region_levels=levels)
