"""Forecasting models: arrays and frames in, arrays and frames out.

Nothing here imports sqlalchemy, fastapi or service; storage and scheduling live in `service/`.

    from models import PanelConfig, forecast_panel
    result = forecast_panel(frame, PanelConfig(horizon=6), executor="process")
    result.points, result.accuracy, result.fallbacks

Map: base (the Forecaster interface) · baselines, ets, theta, sarimax, local_level, prophet, pooled (models) ·
registry (names to models) · season (seasonality test) · backtest (rolling origins) · combine (choice and
weights) · calibrate (intervals from errors) · fanout (serial, process pool, Dask) · panel_data, panel, result
(the whole run) · scores (MASE, RMSE, coverage tables).
"""

from models.backtest import coverage, mase, naive_scale, origin_rows, rmse
from models.base import Forecaster, PanelForecaster, forecast_keys
from models.baselines import Naive, SeasonalNaive
from models.ets import ETS, AutoETS
from models.fanout import make_executor
from models.local_level import SignalPlusNoise
from models.panel import PanelConfig, PanelResult, forecast_panel
from models.pooled import DirectAR, PooledAR
from models.prophet import Prophet
from models.registry import MODEL_NAMES, make_model
from models.sarimax import SARIMAX
from models.theta import Theta

__all__ = [
    "ETS",
    "MODEL_NAMES",
    "SARIMAX",
    "AutoETS",
    "DirectAR",
    "Forecaster",
    "Naive",
    "PanelConfig",
    "PanelForecaster",
    "PanelResult",
    "PooledAR",
    "Prophet",
    "SeasonalNaive",
    "SignalPlusNoise",
    "Theta",
    "coverage",
    "forecast_keys",
    "forecast_panel",
    "make_executor",
    "make_model",
    "mase",
    "naive_scale",
    "origin_rows",
    "rmse",
]
