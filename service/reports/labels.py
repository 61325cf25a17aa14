"""The words of the report in Chinese (first) and English (labels.yaml), and the number formats of each."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

__all__ = ["LANGUAGES", "Formatter", "text"]

LANGUAGES = ("zh", "en")

_TEXT = yaml.safe_load((Path(__file__).with_name("labels.yaml")).read_text(encoding="utf-8"))


def text(lang: str) -> dict:
    return _TEXT[lang if lang in _TEXT else "zh"]


class Formatter:
    """Number and date formats for one language (Chinese counts in 万 as officials write them)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def pct(self, v: float | None, digits: int = 1) -> str:
        return "—" if v is None else f"{v:.{digits}f}%"

    def pp(self, v: float | None, digits: int = 1) -> str:
        """A change in percentage points, signed; the unit is in the column header."""
        return "—" if v is None else f"{v:+.{digits}f}"

    def change(self, v: float | None) -> str:
        return "—" if v is None else f"{v:+.1f}%"

    def persons(self, v: float | None) -> str:
        if v is None:
            return "—"
        if self.lang == "zh":
            return f"{v / 1e4:,.2f} 万人" if abs(v) >= 1e4 else f"{v:,.0f} 人"
        return f"{v:,.0f}"

    def count(self, v: float | None) -> str:
        return "—" if v is None else f"{v:,.0f}"

    def share(self, v: float | None) -> str:
        return "—" if v is None else f"{100 * v:.1f}%"

    def month(self, d: dt.date | None) -> str:
        if d is None:
            return "—"
        return f"{d.year}年{d.month}月" if self.lang == "zh" else d.strftime("%b %Y")

    def date(self, d: dt.date | None) -> str:
        return "—" if d is None else d.strftime("%Y-%m-%d")

    def moment(self, t: dt.datetime | None) -> str:
        """An instant shown in Beijing time, as officials read it."""
        if t is None:
            return "—"
        local = t.astimezone(dt.timezone(dt.timedelta(hours=8)))
        return local.strftime("%Y-%m-%d %H:%M") + (" 北京时间" if self.lang == "zh" else " UTC+8")

    def hours(self, v: float | None) -> str:
        return "—" if v is None else f"{v:.1f}"

    def batches(self, ids) -> str:
        return ", ".join(f"#{i}" for i in ids) if ids else "—"
