"""Accuracy tables for backtest forecasts: MASE, RMSE and interval coverage by horizon.

    table = score_by_horizon(points, scale)     # points: series_id, horizon, mean, actual, lo80, hi80, ...

`scale` maps each series to its MASE denominator: the mean absolute one-step change of the series up to the
first reported origin (`PanelResult.series["scale"]`). Rows without an actual value are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["score_by_horizon"]


def score_by_horizon(
    points: pd.DataFrame, scale: Mapping[str, float] | pd.Series, levels: Sequence[int] = (80, 95)
) -> pd.DataFrame:
    """One row per horizon and a final "all" row: n, MASE, RMSE and coverage of each interval level."""
    df = points[np.isfinite(points["actual"].to_numpy(dtype=float))].copy()
    sc = df["series_id"].map(pd.Series(scale) if not isinstance(scale, pd.Series) else scale).astype(float)
    err = df["mean"] - df["actual"]
    df["ae"] = err.abs() / sc
    df["se"] = err**2
    for lv in levels:
        df[f"cov{lv}"] = (df["actual"] >= df[f"lo{lv}"]) & (df["actual"] <= df[f"hi{lv}"])

    def agg(g: pd.DataFrame) -> dict:
        row = {"n": len(g), "mase": g["ae"].mean(), "rmse": float(np.sqrt(g["se"].mean()))}
        row |= {f"coverage{lv}": g[f"cov{lv}"].mean() for lv in levels}
        return row

    rows = [{"horizon": str(h), **agg(g)} for h, g in df.groupby("horizon", sort=True)]
    if rows:
        by_h = pd.DataFrame(rows)
        overall = {"horizon": "all", "n": int(by_h["n"].sum()), "mase": by_h["mase"].mean()}
        overall |= {"rmse": float(np.sqrt(df["se"].mean()))}
        overall |= {f"coverage{lv}": df[f"cov{lv}"].mean() for lv in levels}
        rows.append(overall)
    return pd.DataFrame(rows, columns=["horizon", "n", "mase", "rmse", *[f"coverage{lv}" for lv in levels]])
