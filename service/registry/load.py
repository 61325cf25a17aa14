"""Read the registry YAML files into frozen records. Pure: no database, no settings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

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

HERE = Path(__file__).parent


class RegistryError(ValueError):
    """A registry file is missing, malformed, or names a province we do not have."""


@dataclass(frozen=True)
class RegionRecord:
    code: str
    name_zh: str
    name_en: str
    level: str  # province, city, county
    parent_code: str | None
    path: str  # "430000/430200/430211"


@dataclass(frozen=True)
class IndicatorRecord:
    code: str
    name_zh: str
    name_en: str
    unit: str
    frequency: str  # M, Q, D, E
    direction: str  # up_bad, up_good
    source: str
    grain: str
    cumulative: bool
    value_min: float
    value_max: float
    spec: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class NamedRecord:
    code: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class SourceRecord:
    code: str
    name_zh: str
    name_en: str
    cadence_days: int
    grace_days: int


@dataclass(frozen=True)
class Registry:
    regions: tuple[RegionRecord, ...]
    indicators: tuple[IndicatorRecord, ...]
    groups: tuple[NamedRecord, ...]
    sources: tuple[SourceRecord, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_code", {r.code: r for r in self.regions})
        object.__setattr__(self, "_indicators", {i.code: i for i in self.indicators})

    def region(self, code: str) -> RegionRecord:
        try:
            return self._by_code[code]  # type: ignore[attr-defined]
        except KeyError:
            raise RegistryError(f"unknown region code {code!r}") from None

    def has_region(self, code: str) -> bool:
        return code in self._by_code  # type: ignore[attr-defined]

    def indicator(self, code: str) -> IndicatorRecord:
        try:
            return self._indicators[code]  # type: ignore[attr-defined]
        except KeyError:
            raise RegistryError(f"unknown indicator {code!r}") from None

    def provinces(self) -> list[RegionRecord]:
        return [r for r in self.regions if r.level == "province"]

    def cities(self, province_code: str | None = None) -> list[RegionRecord]:
        return [
            r for r in self.regions if r.level == "city" and (province_code is None or r.parent_code == province_code)
        ]

    def children(self, code: str) -> list[RegionRecord]:
        return [r for r in self.regions if r.parent_code == code]

    def subtree(self, code: str) -> list[str]:
        """The region and every region below it."""
        root = self.region(code).path
        return [r.code for r in self.regions if r.path == root or r.path.startswith(root + "/")]

    def ancestors(self, code: str) -> list[str]:
        """Parent, grandparent, ... up to the province (the escalation chain)."""
        return self.region(code).path.split("/")[-2::-1]


def available_provinces() -> dict[str, Path]:
    """Province code -> its region file, for every file under regions/."""
    out = {}
    for path in sorted((HERE / "regions").glob("*.yaml")):
        doc = _read(path)
        out[str(doc["province"]["code"])] = path
    return out


@cache
def _load(province_codes: tuple[str, ...]) -> Registry:
    files = available_provinces()
    missing = [c for c in province_codes if c not in files]
    if missing:
        raise RegistryError(
            f"no region file for province(s) {', '.join(missing)}; available: {', '.join(sorted(files))}"
        )
    regions: list[RegionRecord] = []
    for code in province_codes:
        regions.extend(_regions(files[code]))
    doc = _read(HERE / "indicators.yaml")
    return Registry(
        regions=tuple(regions),
        indicators=tuple(_indicator(d) for d in doc["indicators"]),
        groups=tuple(NamedRecord(**g) for g in doc["groups"]),
        sources=tuple(SourceRecord(**s) for s in doc["sources"]),
    )


def load_registry(province_codes: Sequence[str]) -> Registry:
    return _load(tuple(province_codes))


def _read(path: Path) -> dict[str, Any]:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RegistryError(f"{path}: {exc}") from exc


def _regions(path: Path) -> Iterable[RegionRecord]:
    doc = _read(path)
    p = doc["province"]
    yield RegionRecord(str(p["code"]), p["name_zh"], p["name_en"], "province", None, str(p["code"]))
    for c in doc["cities"]:
        cpath = f"{p['code']}/{c['code']}"
        yield RegionRecord(str(c["code"]), c["name_zh"], c["name_en"], "city", str(p["code"]), cpath)
        for k in c.get("counties", []):
            yield RegionRecord(
                str(k["code"]), k["name_zh"], k["name_en"], "county", str(c["code"]), f"{cpath}/{k['code']}"
            )


def _indicator(d: dict[str, Any]) -> IndicatorRecord:
    lo, hi = d["value_range"]
    spec = {k: d[k] for k in ("groups", "target", "derived_from") if k in d}
    return IndicatorRecord(
        code=d["code"],
        name_zh=d["name_zh"],
        name_en=d["name_en"],
        unit=d["unit"],
        frequency=d["frequency"],
        direction=d["direction"],
        source=d["source"],
        grain=d["grain"],
        cumulative=bool(d["cumulative"]),
        value_min=float(lo),
        value_max=float(hi),
        spec=spec,
    )
