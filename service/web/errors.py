"""Web page errors, rendered as HTML pages (never problem+json: a person is reading).

WebError              an error page with a status and a message in Chinese and English
├── SignInRequired    no valid session: redirect to the sign-in page (303), then back
└── ActionRefused     an alert action that the state or the caller's role does not allow (409 or 403)
"""

from __future__ import annotations

__all__ = ["ActionRefused", "SignInRequired", "WebError"]


class WebError(Exception):
    def __init__(self, status: int, zh: str, en: str) -> None:
        self.status, self.zh, self.en = status, zh, en
        super().__init__(en)

    def message(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class SignInRequired(WebError):
    def __init__(self, next_path: str = "/web/") -> None:
        super().__init__(303, "请先登录。", "Please sign in.")
        self.next_path = next_path


class ActionRefused(WebError):
    pass
