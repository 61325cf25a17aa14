"""The ingestion Reference for Hunan, built the way the service builds it."""

import datetime as dt

from service.registry import load_registry
from service.registry.reference import reference_for


def hunan_reference(today: dt.date = dt.date(2026, 11, 23)):
    return reference_for(load_registry(["430000"]), today=today)
