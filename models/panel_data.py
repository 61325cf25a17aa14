"""A long frame of series turned into the aligned arrays the backtest works on.

    data = PanelData.from_frame(frame, freq="M", exog=("claims",), sample_size=None, start="1990-01")
    data.Y          (periods, series) values, NaN outside each series' span
    data.periods    the common period axis (a pandas PeriodIndex)

The frame has columns `series_id`, `period` (Period, Timestamp or text such as "2024-03" / "2024Q1") and `value`,
plus one column per exogenous signal and optionally a sample-size column. Within its span a series must be
complete; missing periods inside the span are filled with the last value before them (never from a later one,
so a backtest origin cannot see the future through a filled gap) and counted in `filled`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["PanelData"]


@dataclass(frozen=True)
class PanelData:
    ids: tuple[str, ...]
    periods: pd.PeriodIndex
    Y: np.ndarray  # (periods, series)
    first: np.ndarray  # first row with a value, per series
    last: np.ndarray  # last row with a value, per series
    filled: np.ndarray  # interpolated periods per series
    X: np.ndarray | None  # (periods, series, signals)
    sample_size: np.ndarray | None  # (periods, series)
    freq: str

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        *,
        freq: str = "M",
        exog: Sequence[str] = (),
        sample_size: str | None = None,
        start: str | None = None,
    ) -> PanelData:
        need = ["series_id", "period", "value", *exog, *([sample_size] if sample_size else [])]
        missing = [c for c in need if c not in frame.columns]
        if missing:
            raise ValueError(f"frame lacks column(s) {', '.join(missing)}")
        if frame.empty:
            raise ValueError("frame has no rows")
        df = frame[need].copy()
        df["series_id"] = df["series_id"].astype(str)
        df["period"] = _to_periods(df["period"], freq)
        if start is not None:
            df = df[df["period"] >= pd.Period(start, freq=freq)]
            if df.empty:
                raise ValueError(f"no data from {start} on")
        dup = df.duplicated(["series_id", "period"], keep=False)
        if dup.any():
            first = df[dup].iloc[0]
            raise ValueError(f"duplicate values for series {first['series_id']} in {first['period']}")
        periods = pd.period_range(df["period"].min(), df["period"].max(), freq=freq)
        ids = tuple(sorted(df["series_id"].unique()))

        def wide(col: str) -> np.ndarray:
            w = df.pivot(index="period", columns="series_id", values=col).reindex(index=periods, columns=list(ids))
            return w.to_numpy(dtype=float)

        Y = wide("value")
        finite = np.isfinite(Y)
        has = finite.any(axis=0)
        if not has.all():
            bad = [ids[i] for i in np.flatnonzero(~has)]
            raise ValueError(f"series without any numeric value: {', '.join(bad)}")
        first = finite.argmax(axis=0)
        last = Y.shape[0] - 1 - finite[::-1].argmax(axis=0)
        filled = np.zeros(len(ids), dtype=int)
        for i in range(len(ids)):
            seg = Y[first[i] : last[i] + 1, i]
            gaps = ~np.isfinite(seg)
            if gaps.any():
                # carry the last value forward: interpolating would let a value after a gap leak into it
                idx = np.where(~gaps, np.arange(seg.size), 0)
                np.maximum.accumulate(idx, out=idx)
                seg[:] = seg[idx]
                filled[i] = int(gaps.sum())
        X = np.stack([wide(c) for c in exog], axis=-1) if exog else None
        S = wide(sample_size) if sample_size else None
        return cls(ids, periods, Y, first, last, filled, X, S, freq)

    def label(self, row: int) -> str:
        return str(self.periods[0] + int(row))


def _to_periods(col: pd.Series, freq: str) -> pd.Series:
    if isinstance(col.dtype, pd.PeriodDtype):
        return col.dt.asfreq(freq)
    if pd.api.types.is_datetime64_any_dtype(col):
        return col.dt.to_period(freq)
    try:
        return pd.Series(pd.PeriodIndex(col.astype(str), freq=freq), index=col.index)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"periods must look like 2024-03 (monthly) or 2024Q1 (quarterly): {exc}") from exc
