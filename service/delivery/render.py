"""What a notice says, in the subscriber's language (Chinese first): markdown for robots, text for e-mail.

title, body = render(payload, "zh")        # markdown
subject, text = render_text(payload, "en")
"""

from __future__ import annotations

import datetime as dt

__all__ = ["EVENTS", "render", "render_text", "title"]

# event -> (Chinese, English)
EVENTS = {
    "opened": ("新发预警", "New warning"),
    "escalated": ("预警升级", "Warning raised"),
    "de_escalated": ("预警降级", "Warning lowered"),
    "resolved": ("预警解除", "Warning cleared"),
    "resolved_by_hand": ("人工解除", "Resolved by hand"),
    "ack_overdue": ("逾期未签收，转上级负责", "Not acknowledged in time: passed up"),
    "reminder": ("提醒：预警仍未签收", "Reminder: still not acknowledged"),
}


def _when(iso: str | None, language: str) -> str:
    if not iso:
        return "—"
    t = dt.datetime.fromisoformat(iso).astimezone(dt.timezone(dt.timedelta(hours=8)))
    return f"{t:%Y-%m-%d %H:%M}（北京时间）" if language == "zh" else f"{t:%Y-%m-%d %H:%M} (Beijing time)"


def title(p: dict, language: str) -> str:
    zh = language == "zh"
    level = p.get("level") or {}
    event = EVENTS.get(p["event"], (p["event"], p["event"]))[0 if zh else 1]
    region = p["region"]["name_zh" if zh else "name_en"]
    risk = p["risk"]["name_zh" if zh else "name_en"]
    if zh:
        return f"【{level.get('code', p['grade'])}级 {level.get('name_zh', '')}预警·{event}】{region} {risk}"
    return f"[Grade {level.get('code', p['grade'])} {level.get('name_en', '')} · {event}] {region}: {risk}"


def _lines(p: dict, language: str) -> list[tuple[str, str]]:
    zh = language == "zh"
    level = p.get("level") or {}
    period = dt.date.fromisoformat(p["period"])
    rows = [
        ("数据月份" if zh else "Data month", f"{period.year}年{period.month}月" if zh else f"{period:%Y-%m}"),
        ("依据" if zh else "Evidence", p["summary_zh" if zh else "summary_en"]),
    ]
    if p["event"] not in ("resolved", "resolved_by_hand"):
        rows += [
            ("牵头单位" if zh else "Lead unit", level.get("lead_unit_zh" if zh else "lead_unit_en", "")),
            ("响应措施" if zh else "Response", level.get("response_zh" if zh else "response_en", "")),
            ("签收时限" if zh else "Acknowledge by", _when(p.get("ack_deadline"), language)),
        ]
    if p["responsible_region"]["code"] != p["region"]["code"]:
        rows.append(("现由" if zh else "Now responsible", p["responsible_region"]["name_zh" if zh else "name_en"]))
    if p.get("note"):
        rows.append(("说明" if zh else "Note", p["note"]))
    rows.append(("编号" if zh else "Reference", p["idempotency_key"]))
    return rows


def render(p: dict, language: str) -> tuple[str, str]:
    """(title, markdown body) for group robots."""
    head = title(p, language)
    parts = [f"### {head}"]
    for label, value in _lines(p, language):
        text = "\n".join(f"> {line}" for line in str(value).splitlines()) if "\n" in str(value) else str(value)
        parts.append(f"**{label}**：{text}" if language == "zh" else f"**{label}**: {text}")
    return head, "\n\n".join(parts)


def render_text(p: dict, language: str) -> tuple[str, str]:
    """(subject, plain text) for e-mail."""
    sep = "：" if language == "zh" else ": "
    body = "\n".join(f"{label}{sep}{value}" for label, value in _lines(p, language))
    return f"labourwatch {title(p, language)}", body + "\n"
