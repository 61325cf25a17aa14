"""Fixtures for the forecasting tests: a small synthetic panel (regions with a common factor)."""

import numpy as np
import pandas as pd
import pytest


def small_panel(n_series=4, start="2005-01", months=120, seasonal=False, seed=0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    periods = pd.period_range(start, periods=months, freq="M")
    common = np.cumsum(rng.normal(0, 0.05, months))
    rows = []
    for i in range(n_series):
        d = np.zeros(months)
        for t in range(1, months):
            d[t] = 0.6 * d[t - 1] + rng.normal(0, 0.04)
        y = 4 + i + common + np.cumsum(d)
        if seasonal:
            y = y + 0.5 * np.sin(2 * np.pi * periods.month.to_numpy() / 12)
        rows += [(f"r{i}", str(p), float(v)) for p, v in zip(periods, y, strict=True)]
    return pd.DataFrame(rows, columns=["series_id", "period", "value"])


@pytest.fixture(scope="session")
def make_panel():
    return small_panel
