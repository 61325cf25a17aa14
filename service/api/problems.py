"""RFC 9457 problem details: every error the API returns is `application/problem+json`.

Routes raise `Problem(status, title, detail)`; the handlers here turn it, FastAPI's validation errors and
Starlette's HTTP errors into the same shape. The one place errors are mapped.

`ProblemOut` documents the shape in the OpenAPI document; routers add `responses=problems(401, 403, ...)`.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

__all__ = ["Problem", "ProblemOut", "install_problem_handlers", "problem_response", "problems"]

MEDIA_TYPE = "application/problem+json"
# RFC 9110 names where Python's HTTPStatus still has the older ones.
TITLES = {413: "Content Too Large", 422: "Unprocessable Content"}
log = logging.getLogger(__name__)


class Problem(Exception):
    def __init__(
        self,
        status: int,
        detail: str,
        *,
        title: str | None = None,
        type_: str = "about:blank",
        headers: dict[str, str] | None = None,
        **extra,
    ) -> None:
        self.status = status
        self.title = title or TITLES.get(status) or HTTPStatus(status).phrase
        self.detail = detail
        self.type = type_
        self.headers = headers
        self.extra = extra
        super().__init__(detail)


class ProblemOut(BaseModel):
    """RFC 9457 problem details; some problems add members (`errors`, `problems`)."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None


_WHY = {
    400: "The request is malformed (a bad cursor, a bad header)",
    401: "No API key, or one that is unknown, revoked or expired",
    403: "Your role or region scope does not allow this",
    404: "Not found in your scope",
    409: "Conflicts with the current state",
    412: "If-Match does not match the current version",
    413: "The request body is too large",
    422: "The request is well-formed but invalid",
    429: "Too many requests with this key; see Retry-After",
}


def problems(*statuses: int) -> dict[int | str, dict]:
    """OpenAPI `responses` entries for the problem statuses a route can answer."""
    return {
        s: {"model": ProblemOut, "description": _WHY.get(s, HTTPStatus(s).phrase), "content": {MEDIA_TYPE: {}}}
        for s in statuses
    }


def problem_response(
    request: Request,
    status: int,
    title: str,
    detail: str,
    *,
    type_: str = "about:blank",
    headers: dict[str, str] | None = None,
    **extra,
) -> JSONResponse:
    body = {"type": type_, "title": title, "status": status, "detail": detail, "instance": request.url.path, **extra}
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(
            request, exc.status, exc.title, exc.detail, type_=exc.type, headers=exc.headers, **exc.extra
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
        detail = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errors[:5])
        return problem_response(request, 422, "Unprocessable Content", detail, errors=errors)

    @app.exception_handler(DataError)
    @app.exception_handler(OverflowError)
    async def _data(request: Request, exc: DataError | OverflowError) -> JSONResponse:
        # The database (or the SQLite driver) refused a value: out of range, too long, NUL. The request's data,
        # so a 422, and logged so that a real bug shows up in the log.
        log.warning(
            "database refused a value on %s %s: %s", request.method, request.url.path, getattr(exc, "orig", exc)
        )
        return problem_response(
            request, 422, "Unprocessable Content", "a value in the request is outside what the database can store"
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem_response(
            request,
            exc.status_code,
            TITLES.get(exc.status_code) or HTTPStatus(exc.status_code).phrase,
            str(exc.detail),
            headers=getattr(exc, "headers", None),
        )
