"""Monitored enterprises (重点监测企业) and their monthly insured headcounts.

About ENTERPRISES enterprises, spread over the cities by labour force and over each city's counties (districts
weigh more), each with a valid unified social credit code registered in its county, a synthetic name that says
so, and a GB/T 4754 industry section. The wave city also gets WAVE_ANCHORS large manufacturers for its layoffs.
The enterprises depend on the seed only, not on the end month.

Headcounts: a random walk per enterprise (small drift and monthly churn), a February dip in factories, building
and transport, the 2020 shock (deeper in retail and hospitality); layoffs are subtracted by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ingestion.credit_code import CHARSET, check_char
from service.demo import calibration as cal
from service.demo._registry import City
from service.demo._series import clipped_normal, in_2020, month_pattern

__all__ = ["COLUMNS", "SYNTHETIC_MARK", "EnterpriseBook", "base_headcounts", "headcount_frame", "make_enterprises"]

COLUMNS = ["credit_code", "name_zh", "region_code", "city_code", "industry", "industry_zh"]
SYNTHETIC_MARK = "（合成）"
_TRADE = "华鑫湘达源恒盛瑞通宏博远泰新创联汇丰隆兴旺德信诚安嘉和佳美锦程宇航星辰金银"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714 organisation-code check weights
# Per-city tilts of the industry mix (multipliers of the province shares).
_TILTS = {
    "430100": {"I": 2.0, "M": 1.5},
    "430200": {"C": 1.2},
    "430800": {"H": 3.0},
    "431000": {"B": 3.0},
    "431300": {"B": 3.0},
    "433100": {"H": 2.5},
}


@dataclass(frozen=True)
class EnterpriseBook:
    """The public enterprise frame plus what the generator needs about each row."""

    frame: pd.DataFrame  # credit_code, name_zh, region_code, city_code, industry, industry_zh
    staff: np.ndarray  # insured headcount in the first month
    anchor: np.ndarray  # bool: a large manufacturer of the wave city, reserved for the wave


def _counts(cities: tuple[City, ...]) -> list[int]:
    """ENTERPRISES split by labour force, largest remainders first, so the total is exact."""
    lf = np.array([cal.CITIES[c.code].labour_force for c in cities])
    quota = cal.ENTERPRISES * lf / lf.sum()
    counts = np.floor(quota).astype(int)
    for i in np.argsort(-(quota - counts), kind="stable")[: cal.ENTERPRISES - counts.sum()]:
        counts[i] += 1
    return counts.tolist()


def _county_weights(city: City) -> np.ndarray:
    w = np.array([2.0 if k.name_zh.endswith("区") else 1.5 if k.name_zh.endswith("市") else 1.0 for k in city.counties])
    return w / w.sum()


def _organisation_code(body: str) -> str:
    """GB 11714: eight body characters and their check character (values 0-9, A=10 .. Z=35)."""
    total = sum(int(c, 36) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


def _credit_code(county: str, rng: np.random.Generator) -> str:
    if rng.random() < 0.45:  # registered since 2015: body "MA4" and five characters
        body = "MA4" + "".join(rng.choice(list(CHARSET[10:]) + list("0123456789"), 5))
    else:
        body = str(rng.integers(10_000_000, 80_000_000))
    first17 = "91" + county + _organisation_code(body)
    return first17 + check_char(first17)


def _industry_probabilities(city_code: str) -> np.ndarray:
    p = np.array([share for _, share, _ in cal.INDUSTRIES.values()])
    for section, factor in _TILTS.get(city_code, {}).items():
        p[list(cal.INDUSTRIES).index(section)] *= factor
    return p / p.sum()


def make_enterprises(*, cities: tuple[City, ...], rng: np.random.Generator) -> EnterpriseBook:
    sections = list(cal.INDUSTRIES)
    rows, staff, anchor = [], [], []
    codes, names = set(), set()
    for city, count in zip(cities, _counts(cities), strict=True):
        n_anchor = cal.WAVE_ANCHORS if city.code == cal.WAVE_CITY else 0
        weights, probabilities = _county_weights(city), _industry_probabilities(city.code)
        for j in range(count):
            is_anchor = j < n_anchor
            if is_anchor:
                county, section = cal.WAVE_COUNTIES[j % len(cal.WAVE_COUNTIES)], "C"
                size = rng.uniform(4500, 10000) if j < 12 else rng.uniform(600, 2500)
            else:
                county = city.counties[rng.choice(len(city.counties), p=weights)].code
                section = sections[rng.choice(len(sections), p=probabilities)]
                size = np.clip(np.exp(rng.normal(np.log(150), 0.95)), 12, 6000)
            code = _credit_code(county, rng)
            while code in codes:
                code = _credit_code(county, rng)
            industry_zh, _, words = cal.INDUSTRIES[section]
            kind = "股份有限公司" if is_anchor else "有限公司"
            name = ""
            while not name or name in names:
                trade = "".join(rng.choice(list(_TRADE), 2, replace=False))
                name = f"{city.short_zh}{trade}{words[rng.integers(len(words))]}{kind}{SYNTHETIC_MARK}"
            codes.add(code)
            names.add(name)
            rows.append((code, name, county, city.code, section, industry_zh))
            staff.append(round(size))
            anchor.append(is_anchor)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return EnterpriseBook(frame, np.array(staff, dtype=np.int64), np.array(anchor))


def base_headcounts(*, book: EnterpriseBook, months: pd.PeriodIndex, rng: np.random.Generator) -> np.ndarray:
    """(enterprise, month) insured headcount before layoffs, float."""
    n_ent, n_months = len(book.staff), len(months)
    drift = np.where(book.anchor, 0.0, 0.0008) + np.where(book.anchor, 0.0005, 0.0015) * clipped_normal(rng, n_ent)
    churn = np.where(book.anchor, 0.004, 0.008)
    steps = drift[None, :] + churn[None, :] * clipped_normal(rng, (n_months, n_ent))
    steps[0] = 0.0
    path = np.cumsum(steps, axis=0).T
    industry = book.frame["industry"].to_numpy()
    seasonal = np.where(np.isin(industry, ["C", "E", "G"])[:, None], month_pattern(months, [0, -0.012] + [0] * 10), 0)
    hit = np.where(np.isin(industry, ["F", "H"]), 2.0, 1.0)[:, None]
    shock = hit * in_2020(months, {2: -0.04, 3: -0.05, 4: -0.03, 5: -0.015}, 0.0)
    return book.staff[:, None] * np.exp(path + seasonal + shock)


def headcount_frame(*, book: EnterpriseBook, months: pd.PeriodIndex, insured: np.ndarray) -> pd.DataFrame:
    """Long frame credit_code, period, insured from an (enterprise, month) integer array."""
    n_months = len(months)
    return pd.DataFrame(
        {
            "credit_code": np.repeat(book.frame["credit_code"].to_numpy(), n_months),
            "period": months[np.tile(np.arange(n_months), len(book.staff))],
            "insured": insured.ravel().astype(np.int64),
        }
    )
