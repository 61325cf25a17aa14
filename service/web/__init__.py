"""Web pages for officials: server-rendered Jinja2, Chinese first, no JavaScript, behind the API's region scope.

    install_web(app)     # called by service.api.create_app: routes under /web, static files, error pages

Pages: sign in (signin.py); upload a survey batch and read its validation report (upload.py); the alert board
with acknowledge and resolve (alerts.py, actions.py); a city's page with its forecast fan chart, grade timeline
and the rules that fired (cities.py, timeline.py); quarterly reports (reports.py). Sessions are signed cookies
(sessions.py); context.py builds the caller with the same function API keys use.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from service.web.errors import ActionRefused, SignInRequired, WebError

__all__ = ["ActionRefused", "SignInRequired", "WebError", "install_web"]


def install_web(app: FastAPI) -> None:
    # Imported here: the pages import service.api.deps, and service.api's app imports this package.
    from service.web import alerts, cities, reports, signin, upload
    from service.web.context import render

    for module in (signin, upload, alerts, cities, reports):
        app.include_router(module.router)
    app.mount("/web/static", StaticFiles(directory=Path(__file__).with_name("static")), name="web-static")

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/web/alerts", status_code=303)

    @app.exception_handler(WebError)
    async def _web_error(request: Request, exc: WebError):
        if isinstance(exc, SignInRequired):
            from urllib.parse import quote

            return RedirectResponse(f"/web/signin?next={quote(exc.next_path)}", status_code=303)
        page = getattr(request.state, "page", None)
        if page is None:  # failed before the page was built: plain text, still no problem+json for people
            from fastapi.responses import PlainTextResponse

            return PlainTextResponse(exc.en, status_code=exc.status)
        # The request's session was closed when its dependency ended; the page reads names through a new one.
        with request.app.state.sessions() as session:
            page.db = session
            return render(page, "error.html", status=exc.status, message=exc.message(page.lang))
