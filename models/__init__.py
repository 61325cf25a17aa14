"""Forecasting models: arrays and frames in, arrays and frames out.

Nothing here imports sqlalchemy, fastapi or service; storage and scheduling live in `service/`.
"""

from models.base import Forecaster, forecast_keys
from models.baselines import Naive, SeasonalNaive
from models.panel import SeriesForecast, forecast_panel

__all__ = ["Forecaster", "Naive", "SeasonalNaive", "SeriesForecast", "forecast_keys", "forecast_panel"]
