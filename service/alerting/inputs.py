"""What the rules read, as plain frames, and the region tree they are read over.

    regions = RegionTable.from_records(registry.regions)          # code, level, parent_code, names, path
    inputs = Inputs(observations=frame, forecasts=..., filings=...)
    inputs.wide("surveyed_unemployment_rate", months, ["430100", "430200"])   # (periods, regions) array

observations: region_code, indicator_code, period (a date, 'YYYY-MM' or a monthly Period), value; optional
population_group and occupation (default 'total'). The caller chooses the vintage (the figures as known then).
forecasts: region_code, indicator_code, origin (the last observed month), horizon, mean, lo80, hi80, lo95, hi95;
optional population_group. filings: region_code (the enterprise's county or city), filed_on (date), layoffs,
staff_before, credit_code.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from service.alerting.errors import InputError
from service.alerting.exceedance import exceedance

__all__ = ["Inputs", "RegionTable", "month_index", "month_ordinals"]


def month_ordinals(values: pd.Series | Sequence) -> np.ndarray:
    """Months as integers (year * 12 + month - 1) from dates, timestamps, monthly periods or 'YYYY-MM' text."""
    s = pd.Series(values)
    if s.empty:
        return np.zeros(0, dtype=np.int64)
    if isinstance(s.dtype, pd.PeriodDtype):
        return (s.dt.year * 12 + s.dt.month - 1).to_numpy(dtype=np.int64)
    try:
        stamps = pd.to_datetime(s.astype(str) if s.dtype == object else s, format="mixed")
    except (ValueError, TypeError) as exc:
        raise InputError(f"periods must be dates or YYYY-MM months: {exc}") from exc
    return (stamps.dt.year * 12 + stamps.dt.month - 1).to_numpy(dtype=np.int64)


def month_index(first: int, last: int) -> pd.PeriodIndex:
    return pd.period_range(pd.Period(year=first // 12, month=first % 12 + 1, freq="M"), periods=last - first + 1)


@dataclass(frozen=True)
class RegionTable:
    """The regions evaluated and their tree: level, parent, names, path of codes from the top."""

    codes: tuple[str, ...]
    levels: tuple[str, ...]
    parents: tuple[str | None, ...]
    names_zh: tuple[str, ...]
    names_en: tuple[str, ...]
    paths: tuple[str, ...]

    @classmethod
    def from_records(cls, records: Iterable) -> RegionTable:
        rows = list(records)
        return cls(
            tuple(r.code for r in rows),
            tuple(r.level for r in rows),
            tuple(r.parent_code for r in rows),
            tuple(r.name_zh for r in rows),
            tuple(r.name_en for r in rows),
            tuple(r.path for r in rows),
        )

    @classmethod
    def flat(cls, codes: Sequence[str], names: dict[str, str] | None = None, level: str = "city") -> RegionTable:
        """Regions without a tree (a CSV of US states): each its own root at one level."""
        names = names or {}
        codes = tuple(codes)
        return cls(
            codes,
            (level,) * len(codes),
            (None,) * len(codes),
            tuple(names.get(c, c) for c in codes),
            tuple(names.get(c, c) for c in codes),
            codes,
        )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {c: i for i, c in enumerate(self.codes)})

    def at_levels(self, levels: Iterable[str]) -> list[str]:
        wanted = set(levels)
        return [c for c, lv in zip(self.codes, self.levels, strict=True) if lv in wanted]

    def info(self, code: str) -> tuple[str, str, str | None]:
        """(name_zh, name_en, parent code)."""
        i = self._index[code]  # type: ignore[attr-defined]
        return self.names_zh[i], self.names_en[i], self.parents[i]

    def parent(self, code: str) -> str | None:
        i = self._index.get(code)  # type: ignore[attr-defined]
        return None if i is None else self.parents[i]

    def ancestry(self, code: str) -> list[str]:
        """The region's own code and its ancestors' (nearest first); unknown codes are their own root."""
        i = self._index.get(code)  # type: ignore[attr-defined]
        return [code] if i is None else self.paths[i].split("/")[::-1]


_OBS = ("region_code", "indicator_code", "period", "value")
_FORECAST = ("region_code", "indicator_code", "origin", "horizon", "mean", "lo80", "hi80", "lo95", "hi95")
_FILINGS = ("region_code", "filed_on", "layoffs", "staff_before")


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"{what} lack column(s) {', '.join(missing)}")


@dataclass
class Inputs:
    observations: pd.DataFrame
    forecasts: pd.DataFrame | None = None
    filings: pd.DataFrame | None = None
    _forecasts: pd.DataFrame | None = field(init=False, repr=False, default=None)
    _cache: dict = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        obs = self.observations
        _require(obs, _OBS, "observations")
        # Index the figures once: a series key per row (indicator, group, occupation), the region and the month
        # as integers, sorted by key so each series is one slice. A repeated (series, region, month) keeps its
        # last row, as a later line of a file corrects an earlier one.
        parts = [obs["indicator_code"], obs.get("population_group"), obs.get("occupation")]
        codes, uniques = [], []
        for part in parts:
            c, u = pd.factorize(pd.Series("total", index=obs.index) if part is None else part.astype(str))
            codes.append(c.astype(np.int64))
            uniques.append(list(u))
        key = (codes[0] * len(uniques[1]) + codes[1]) * len(uniques[2]) + codes[2]
        region, self._regions = pd.factorize(obs["region_code"].astype(str))
        month = month_ordinals(obs["period"])
        value = pd.to_numeric(obs["value"], errors="coerce").to_numpy(dtype=float)
        flat = (key * (len(self._regions) + 1) + region) * 100_000 + (month - month.min() if len(month) else 0)
        keep = ~pd.Series(flat).duplicated(keep="last").to_numpy()
        order = np.argsort(key[keep], kind="stable")
        self._key = key[keep][order]
        self._region = region[keep][order]
        self._month = month[keep][order]
        self._value = value[keep][order]
        self._keys = {
            (a, b, c): (i * len(uniques[1]) + j) * len(uniques[2]) + k
            for i, a in enumerate(uniques[0])
            for j, b in enumerate(uniques[1])
            for k, c in enumerate(uniques[2])
        }
        if self.forecasts is not None:
            _require(self.forecasts, _FORECAST, "forecasts")
            f = self.forecasts
            self._forecasts = pd.DataFrame(
                {
                    "region_code": f["region_code"].astype(str).to_numpy(),
                    "key": f["indicator_code"].astype(str)
                    + "|"
                    + (f["population_group"].astype(str) if "population_group" in f else "total"),
                    "origin": month_ordinals(f["origin"]),
                    "horizon": f["horizon"].to_numpy(dtype=int),
                    **{c: f[c].to_numpy(dtype=float) for c in ("mean", "lo80", "hi80", "lo95", "hi95")},
                }
            )
        if self.filings is not None:
            _require(self.filings, _FILINGS, "layoff filings")

    def exceedance(self, indicator: str, group: str, level: float, horizon: int) -> pd.DataFrame:
        """Per region and origin month: the largest P(value >= level) over horizons 1..horizon, and its mean.

        Columns region_code, origin (month ordinal), p, mean; sorted by origin. Computed once per question.
        """
        key = ("exceedance", indicator, group, level, horizon)
        if key not in self._cache:
            f = self._forecasts if self.forecasts is not None else None
            if f is None or f.empty:
                out = pd.DataFrame(
                    {
                        "region_code": pd.Series([], dtype=object),
                        "origin": pd.Series([], dtype="int64"),
                        "p": pd.Series([], dtype=float),
                        "mean": pd.Series([], dtype=float),
                    }
                )
            else:
                f = f[(f["key"] == f"{indicator}|{group}") & (f["horizon"] <= horizon)]
                p = exceedance(level, mean=f["mean"], lo80=f["lo80"], hi80=f["hi80"], lo95=f["lo95"], hi95=f["hi95"])
                frame = pd.DataFrame(
                    {"region_code": f["region_code"], "origin": f["origin"], "p": p, "mean": f["mean"]}
                )
                frame = frame.sort_values(["region_code", "origin", "p"], kind="stable")
                last = np.r_[(frame["region_code"].to_numpy()[1:] != frame["region_code"].to_numpy()[:-1])
                             | (frame["origin"].to_numpy()[1:] != frame["origin"].to_numpy()[:-1]), True]  # fmt: skip
                out = frame[last]
            self._cache[key] = out.sort_values("origin", kind="stable").reset_index(drop=True)
        return self._cache[key]

    @property
    def last_month(self) -> int | None:
        return int(self._month.max()) if len(self._month) else None

    def wide(
        self,
        indicator: str,
        months: pd.PeriodIndex,
        regions: Sequence[str],
        *,
        group: str = "total",
        occupation: str = "total",
    ) -> np.ndarray:
        """(periods, regions) values of one series key; NaN where no figure is known."""
        out = np.full((len(months), len(regions)), np.nan)
        key = self._keys.get((indicator, group, occupation))
        if key is None or len(months) == 0:
            return out
        lo, hi = np.searchsorted(self._key, [key, key + 1])
        cols_key = ("cols", id(regions), len(regions))
        if cols_key not in self._cache:
            self._cache[cols_key] = (regions, pd.Index(list(regions)).get_indexer(self._regions))
        col_of = self._cache[cols_key][1]
        first = months[0].year * 12 + months[0].month - 1
        row = self._month[lo:hi] - first
        col = col_of[self._region[lo:hi]]
        ok = (col >= 0) & (row >= 0) & (row < len(months))
        out[row[ok], col[ok]] = self._value[lo:hi][ok]
        return out
