"""Signed cookie sessions for the web pages: HMAC-SHA256 over a small JSON payload, no server-side state.

    token = sign(SessionData(user_id=7, csrf=new_csrf(), issued=now, password=fingerprint(hash)), secret)
    data = verify(token, secret, now=now)         # None if forged, expired or malformed

The cookie is HttpOnly, SameSite=Lax, Secure when served over HTTPS, and lives MAX_AGE. It carries a
fingerprint of the user's password hash, so changing a password ends every session of that user; each
request also re-reads the user, so deactivating a user ends their sessions at once. Forms carry the
session's CSRF token, compared in constant time.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

__all__ = ["COOKIE", "MAX_AGE", "SessionData", "fingerprint", "new_csrf", "same_token", "sign", "verify"]

COOKIE = "lw_session"
MAX_AGE = dt.timedelta(hours=8)


@dataclass(frozen=True)
class SessionData:
    user_id: int | None  # None: not signed in yet (the session only carries the sign-in form's CSRF token)
    csrf: str
    issued: dt.datetime
    password: str = ""  # fingerprint of the password hash at sign-in


def new_csrf() -> str:
    return secrets.token_urlsafe(24)


def fingerprint(password_hash: str | None) -> str:
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:16]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(payload: str, secret: bytes) -> str:
    return _b64(hmac.new(secret, payload.encode(), hashlib.sha256).digest())


def sign(data: SessionData, secret: bytes) -> str:
    body = {"u": data.user_id, "c": data.csrf, "i": int(data.issued.timestamp()), "p": data.password}
    payload = _b64(json.dumps(body, separators=(",", ":")).encode())
    return f"{payload}.{_mac(payload, secret)}"


def verify(token: str | None, secret: bytes, *, now: dt.datetime) -> SessionData | None:
    if not token or token.count(".") != 1 or len(token) > 1024:
        return None
    payload, mac = token.split(".")
    if not hmac.compare_digest(mac, _mac(payload, secret)):
        return None
    try:
        body = json.loads(_unb64(payload))
        issued = dt.datetime.fromtimestamp(int(body["i"]), dt.UTC)
        data = SessionData(body["u"], str(body["c"]), issued, str(body.get("p", "")))
    except (ValueError, KeyError, TypeError):
        return None
    if not now - MAX_AGE <= issued <= now + dt.timedelta(minutes=5):
        return None
    return data


def same_token(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))
