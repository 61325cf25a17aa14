"""Model names as data: the one place a name such as "ets" becomes a model object.

    make_model("ets", season_length=12)          -> ETS(trend="add", damped=True, seasonal="add", ...)
    default_models(season_length=1)              -> ("ets", "pooled_ar")

Per-series models implement `Forecaster`; `pooled_ar` is a panel model (`PanelForecaster`), fitted across every
series of a panel that shares a season length. The default sets were chosen on US state data before 2015
(docs/benchmarks.md, Forecasting); a caller may name any other subset.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from models.base import Forecaster, PanelForecaster
from models.baselines import Naive, SeasonalNaive
from models.ets import ETS, AutoETS
from models.local_level import SignalPlusNoise
from models.pooled import DirectAR, PooledAR
from models.prophet import Prophet
from models.sarimax import SARIMAX
from models.theta import Theta

__all__ = ["MODEL_NAMES", "PANEL_MODELS", "default_models", "make_model", "make_panel_model", "validate_names"]

PANEL_MODELS = frozenset({"pooled_ar"})
SERIES_MODELS = frozenset(
    {
        "naive",
        "seasonal_naive",
        "ets",
        "autoets",
        "theta",
        "arima",
        "sarimax",
        "ll_noise",
        "llt_noise",
        "direct_ar",
        "prophet",
    }
)
MODEL_NAMES = tuple(sorted(SERIES_MODELS | PANEL_MODELS))


def default_models(season_length: int) -> tuple[str, ...]:
    """The members combined when the caller names none (evidence in docs/benchmarks.md)."""
    if season_length > 1:
        return ("ets", "theta", "pooled_ar")
    return ("ets", "pooled_ar")


def validate_names(names: Sequence[str]) -> tuple[str, ...]:
    unknown = [n for n in names if n not in MODEL_NAMES]
    if unknown:
        raise ValueError(f"unknown model(s) {', '.join(unknown)}; known: {', '.join(MODEL_NAMES)}")
    if not names:
        raise ValueError("at least one model is needed")
    return tuple(dict.fromkeys(names))


def make_model(
    name: str,
    *,
    season_length: int = 1,
    start: str | pd.Period = "2000-01",
    freq: str = "M",
    exog_lags: Sequence[int] | None = None,
) -> Forecaster:
    m = season_length
    if name == "naive":
        return Naive()
    if name == "seasonal_naive":
        return SeasonalNaive(m) if m > 1 else Naive()
    if name == "ets":
        return ETS("add", True, "add" if m > 1 else None, m)
    if name == "autoets":
        return AutoETS(m)
    if name == "theta":
        return Theta(m)
    if name == "arima":
        return SARIMAX((2, 1, 0), (0, 1, 1, m) if m > 1 else (0, 0, 0, 0))
    if name == "sarimax":
        return SARIMAX((1, 1, 0), (0, 1, 1, m) if m > 1 else (0, 0, 0, 0), lags=list(exog_lags or [1]))
    if name == "ll_noise":
        return SignalPlusNoise(trend=False)
    if name == "llt_noise":
        return SignalPlusNoise(trend=True)
    if name == "direct_ar":
        return DirectAR(season_length=m)
    if name == "prophet":
        return Prophet(start=start, freq=freq)
    raise ValueError(f"unknown per-series model {name!r}")


def make_panel_model(name: str, *, season_length: int = 1) -> PanelForecaster:
    if name == "pooled_ar":
        return PooledAR(season_length=season_length)
    raise ValueError(f"unknown panel model {name!r}")
