"""The HTTP API (FastAPI, /api/v1): create_app(settings) builds it; routes/ holds one module per resource."""

from service.api.app import create_app

__all__ = ["create_app"]
