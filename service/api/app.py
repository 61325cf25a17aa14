"""Build the application: `create_app(settings)`. Nothing is read from the environment here.

Middleware, outermost first: ObserveMiddleware (request id, duration histogram, security headers), BodySizeLimit
(413 above the route's limit), RejectNul (400 for a NUL in path or query), ETagMiddleware (ETag and 304 on
GET), then FastAPI's exception handling, which turns every error into problem+json (service/api/problems.py).
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import Engine, select

from service.alerting.rules import Ruleset, load_rules
from service.api.body_limit import BodySizeLimit
from service.api.etags import ETagMiddleware
from service.api.hygiene import RejectNul
from service.api.observe import ObserveMiddleware
from service.api.problems import install_problem_handlers
from service.api.routes import (
    alerts,
    audit,
    batches,
    enterprises,
    forecasts,
    health,
    jobs,
    layoffs,
    observations,
    organisations,
    reference,
    reports,
    silences,
    subscriptions,
    thresholds,
    users,
)
from service.config import Settings
from service.db.engine import make_engine, make_sessionmaker
from service.db.tables import ThresholdVersion
from service.metrics import build_registry
from service.security.ratelimit import RateLimiter
from service.security.redact import install_log_redaction
from service.web import install_web

__all__ = ["ROUTERS", "create_app"]

# Every resource module; each exposes `router`. Add yours here.
ROUTERS = (
    health,
    reference,
    observations,
    forecasts,
    alerts,
    enterprises,
    thresholds,
    subscriptions,
    jobs,
    organisations,
    users,
    audit,
    reports,
    batches,
    layoffs,
    silences,
)


def create_app(settings: Settings, *, engine: Engine | None = None) -> FastAPI:
    install_log_redaction()
    engine = engine or make_engine(settings.database_url)
    app = FastAPI(
        title="labourwatch",
        version="1",
        summary="Labour-market monitoring and graded unemployment early warning (规模性失业风险预警)",
        description=(
            "Every endpoint except /healthz needs an API key (`Authorization: Bearer lw_…`) and answers only "
            "within your organisation's region and below. Errors are RFC 9457 problem+json. Roles: uploader "
            "(upload for its organisation), analyst (read), responder (acknowledge and resolve alerts), admin."
        ),
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = make_sessionmaker(engine)
    app.state.ruleset = _active_ruleset_reader(app)
    app.state.rate_limiter = RateLimiter(rate=settings.rate_limit_per_second, burst=settings.rate_limit_burst)
    app.state.auth_failure_limiter = RateLimiter(
        rate=settings.auth_failures_per_second, burst=settings.auth_failures_burst
    )
    registry, http_metrics = build_registry(app.state.sessions)
    app.state.metrics_registry = registry
    install_problem_handlers(app)
    for module in ROUTERS:
        app.include_router(module.router)
    install_web(app)

    # add_middleware puts each one outside the ones added before it.
    app.add_middleware(ETagMiddleware)
    app.add_middleware(RejectNul)
    app.add_middleware(BodySizeLimit, default_bytes=settings.request_max_bytes, upload_bytes=settings.upload_max_bytes)
    app.add_middleware(ObserveMiddleware, metrics=http_metrics)

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
