"""A small private reader of the region and indicator registries (service/registry/*.yaml).

Temporary: the demo world will move to the shared registry loader once it exists. Only what the generator needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

__all__ = ["City", "County", "indicator_codes", "load_province"]

_REGISTRY = Path(__file__).resolve().parents[1] / "registry"


@dataclass(frozen=True)
class County:
    code: str
    name_zh: str


@dataclass(frozen=True)
class City:
    code: str
    name_zh: str
    name_en: str
    counties: tuple[County, ...]

    @property
    def short_zh(self) -> str:
        """长沙市 -> 长沙; 湘西土家族苗族自治州 -> 湘西 (autonomous prefectures go by their first two characters)."""
        if self.name_zh.endswith("自治州"):
            return self.name_zh[:2]
        return self.name_zh.removesuffix("市")


@cache
def load_province(name: str = "hunan") -> tuple[str, tuple[City, ...]]:
    """(province code, its cities in registry order) from regions/<name>.yaml."""
    raw = yaml.safe_load((_REGISTRY / "regions" / f"{name}.yaml").read_text(encoding="utf-8"))
    cities = tuple(
        City(
            code=str(c["code"]),
            name_zh=c["name_zh"],
            name_en=c["name_en"],
            counties=tuple(County(str(k["code"]), k["name_zh"]) for k in c["counties"]),
        )
        for c in raw["cities"]
    )
    return str(raw["province"]["code"]), cities


@cache
def indicator_codes() -> frozenset[str]:
    raw = yaml.safe_load((_REGISTRY / "indicators.yaml").read_text(encoding="utf-8"))
    return frozenset(i["code"] for i in raw["indicators"])
