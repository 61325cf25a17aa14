"""Sign in and out of the web pages (password checked with argon2, then a signed session cookie)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse
from sqlalchemy import select

from service.audit import record
from service.db.tables import User
from service.security.keys import verify_secret
from service.web.context import AnyPageDep, PageDep, check_csrf, render, session_secret, set_session
from service.web.sessions import COOKIE, SessionData, fingerprint, new_csrf, sign

__all__ = ["router", "safe_next"]

router = APIRouter(prefix="/web", include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Only paths of this site's pages: never another host (an open redirect)."""
    if not target or not target.startswith("/web/") or target.startswith("//") or "\\" in target:
        return "/web/alerts"
    return target


@router.get("/signin")
def signin_form(page: AnyPageDep, next: str | None = None):
    if page.caller is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(page, "signin.html", next=safe_next(next), failed=False, username="")


@router.post("/signin")
def signin(
    page: AnyPageDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    csrf_token: Annotated[str, Form(max_length=64)],
    next: Annotated[str, Form(max_length=512)] = "/web/alerts",
):
    check_csrf(page, csrf_token)
    user = page.db.scalar(select(User).where(User.username == username))
    ok = user is not None and user.active and user.password_hash and verify_secret(user.password_hash, password)
    if not ok:
        return render(page, "signin.html", status=401, next=safe_next(next), failed=True, username=username)
    # A new CSRF token at sign-in, so a token seen before signing in is worth nothing after.
    token = sign(
        SessionData(user.id, new_csrf(), page.now, fingerprint(user.password_hash)), session_secret(page.request.app)
    )
    with page.request.app.state.sessions.begin() as s:
        record(s, action="web.signin", object_type="user", object_id=user.id, now=page.now, user_id=user.id,
               remote_addr=page.request.client.host if page.request.client else None)  # fmt: skip
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session(response, page, token)
    return response


@router.post("/signout")
def signout(page: PageDep, csrf_token: Annotated[str, Form(max_length=64)]):
    check_csrf(page, csrf_token)
    response = RedirectResponse("/web/signin", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response
