"""What every page needs: the signed-in caller (same scope as the API), the language, CSRF, and rendering.

    page: PageDep                                   # 303 to /web/signin when nobody is signed in
    return render(page, "alerts.html", alerts=...)  # Jinja2, autoescaped, Chinese first

The caller is built by `service.api.deps.caller_for`, the function API keys use, so a page sees exactly what
the same user's API key would: their organisation's region and everything below it.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

import yaml
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from sqlalchemy.orm import Session

from service.api.deps import Caller, SessionDep, caller_for
from service.config import PLACEHOLDER
from service.db.tables import Region, User
from service.web.errors import SignInRequired, WebError
from service.web.sessions import COOKIE, MAX_AGE, SessionData, fingerprint, new_csrf, same_token, sign, verify

__all__ = [
    "LANG_COOKIE",
    "AnyPageDep",
    "Page",
    "PageDep",
    "check_csrf",
    "render",
    "require_roles",
    "session_secret",
    "set_session",
    "text",
]

LANG_COOKIE = "lw_lang"
_TEXT = yaml.safe_load(Path(__file__).with_name("labels.yaml").read_text(encoding="utf-8"))
ENV = Environment(
    loader=PackageLoader("service.web", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def text(lang: str) -> dict:
    return _TEXT["en" if lang == "en" else "zh"]


def session_secret(app) -> bytes:
    """The signing secret: the configured one, or (outside production, placeholder) one random per process."""
    if getattr(app.state, "session_secret", None) is None:
        configured = app.state.settings.session_secret
        app.state.session_secret = secrets.token_bytes(32) if configured == PLACEHOLDER else configured.encode()
    return app.state.session_secret


@dataclass
class Page:
    request: Request
    db: Session
    lang: str
    session: SessionData
    caller: Caller | None
    user: User | None
    now: dt.datetime
    new_cookie: str | None = None  # set on the response when the session was created or changed

    @property
    def t(self) -> dict:
        return text(self.lang)

    def name(self, obj) -> str:
        return obj.name_zh if self.lang == "zh" else obj.name_en

    def region_name(self, code: str) -> str:
        region = self.db.get(Region, code)
        return self.name(region) if region else code


def _language(request: Request) -> str:
    asked = request.query_params.get("lang")
    if asked in ("zh", "en"):
        return asked
    return request.cookies.get(LANG_COOKIE) if request.cookies.get(LANG_COOKIE) in ("zh", "en") else "zh"


def _page(request: Request, db: SessionDep) -> Page:
    now = dt.datetime.now(dt.UTC)
    data = verify(request.cookies.get(COOKIE), session_secret(request.app), now=now)
    caller = user = None
    fresh = None
    if data is not None and data.user_id is not None:
        user = db.get(User, data.user_id)
        caller = caller_for(db, user=user)
        if caller is None or not same_token(data.password, fingerprint(user.password_hash)):
            caller = user = None
            data = None
    if data is None or (data.user_id is not None and caller is None):
        data = SessionData(None, new_csrf(), now)
        fresh = sign(data, session_secret(request.app))
    page = Page(request, db, _language(request), data, caller, user, now, fresh)
    request.state.page = page
    return page


def _signed_in(page: Annotated[Page, Depends(_page)]) -> Page:
    if page.caller is None:
        path = page.request.url.path
        if page.request.url.query:
            path += "?" + page.request.url.query
        raise SignInRequired(path)
    return page


PageDep = Annotated[Page, Depends(_signed_in)]
AnyPageDep = Annotated[Page, Depends(_page)]


def set_session(response: Response, page: Page, token: str) -> None:
    secure = page.request.url.scheme == "https"
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(MAX_AGE.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
    )


def check_csrf(page: Page, token: str | None) -> None:
    if not same_token(page.session.csrf, token):
        raise WebError(
            403,
            "表单已过期或来源不明，请刷新页面后重试。",
            "The form expired or did not come from this site; reload and retry.",
        )


def require_roles(page: Page, *roles: str) -> None:
    if page.caller is None or (page.caller.role not in roles and page.caller.role != "admin"):
        raise WebError(403, "您的角色无权执行此操作。", "Your role does not allow this action.")


def render(page: Page, template: str, *, status: int = 200, **context) -> HTMLResponse:
    lang = page.lang
    html = ENV.get_template(template).render(
        page=page,
        t=page.t,
        lang=lang,
        caller=page.caller,
        user=page.user,
        csrf=page.session.csrf,
        name=page.name,
        path=page.request.url.path,
        quote=quote,
        **context,
    )
    response = HTMLResponse(html, status_code=status)
    if page.new_cookie:
        set_session(response, page, page.new_cookie)
    if page.request.query_params.get("lang") in ("zh", "en"):
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", httponly=True, path="/")
    response.headers["cache-control"] = "no-store"
    response.headers["x-frame-options"] = "DENY"
    response.headers["content-security-policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; form-action 'self'; frame-ancestors 'none'"
    )
    return response
