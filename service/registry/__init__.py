"""Registries as data: region trees (regions/*.yaml, one file per province) and the indicator dictionary.

    registry = load_registry(["430000"])          # pure: YAML in, frozen records out
    registry.region("430200").name_zh             # 株洲市
    registry.subtree("430200")                    # codes of Zhuzhou and its counties
    sync_registry(session, registry, now=now)     # service/registry/sync.py: upsert into the database

A second province is configuration only: drop its YAML here and list its code in LABOURWATCH_PROVINCES.
"""

from service.registry.load import (
    IndicatorRecord,
    NamedRecord,
    RegionRecord,
    Registry,
    RegistryError,
    SourceRecord,
    available_provinces,
    load_registry,
)

__all__ = [
    "IndicatorRecord",
    "NamedRecord",
    "RegionRecord",
    "Registry",
    "RegistryError",
    "SourceRecord",
    "available_provinces",
    "load_registry",
]
