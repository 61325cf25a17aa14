"""Build the application: `create_app(settings)`. Nothing is read from the environment here."""

from __future__ import annotations

import time
import uuid

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import Engine, select

from service.alerting.rules import Ruleset, load_rules
from service.api.problems import install_problem_handlers
from service.api.routes import alerts, forecasts, health, observations, reference, silences
from service.config import Settings
from service.db.engine import make_engine, make_sessionmaker
from service.db.tables import ThresholdVersion
from service.metrics import build_registry

__all__ = ["create_app"]


def create_app(settings: Settings, *, engine: Engine | None = None) -> FastAPI:
    engine = engine or make_engine(settings.database_url)
    app = FastAPI(
        title="labourwatch",
        version="1",
        summary="Labour-market monitoring and graded unemployment early warning (规模性失业风险预警)",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = make_sessionmaker(engine)
    app.state.ruleset = _active_ruleset_reader(app)
    registry, http_metrics = build_registry(app.state.sessions)
    app.state.metrics_registry = registry
    install_problem_handlers(app)
    for module in (health, reference, observations, forecasts, alerts, silences):
        app.include_router(module.router)

    @app.middleware("http")
    async def _observe(request: Request, call_next):
        started = time.perf_counter()
        request.state.request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        response = await call_next(request)
        route = request.scope.get("route")
        template = getattr(route, "path", "unmatched")
        http_metrics.request_duration.labels(request.method, template, str(response.status_code)).observe(
            time.perf_counter() - started
        )
        response.headers["x-request-id"] = request.state.request_id
        response.headers["x-content-type-options"] = "nosniff"
        return response

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return app


def _active_ruleset_reader(app: FastAPI):
    cache: dict[int, Ruleset] = {}

    def read() -> Ruleset | None:
        with app.state.sessions() as s:
            version = s.scalar(select(ThresholdVersion).where(ThresholdVersion.status == "active"))
            if version is None:
                return None
            if version.id not in cache:
                cache.clear()
                cache[version.id] = load_rules(version.content, source=f"threshold version {version.id}")
            return cache[version.id]

    return read
