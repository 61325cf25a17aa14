"""Render assembled report content to HTML (Jinja2) and PDF (WeasyPrint), with charts inlined as SVG.

    html = render_html(content, lang="zh", generated_at=now)      # one self-contained file
    pdf = render_pdf(html)                                        # A4, CJK fonts from fonts-noto-cjk

The HTML carries its CSS and charts inside it (SVG data URIs), so the stored file opens anywhere and the
PDF is made from exactly the same document.
"""

from __future__ import annotations

import base64
import datetime as dt

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from service.reports.charts import Band, bar_chart, fan_chart, lines_chart
from service.reports.content import ReportContent
from service.reports.figures import KEY_GROUPS, SURVEYED, history
from service.reports.labels import LANGUAGES, Formatter, text

__all__ = ["render_html", "render_pdf", "report_charts"]

_ENV = Environment(
    loader=PackageLoader("service.reports", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _grade_labels(content: ReportContent, lang: str) -> dict[str, str]:
    t = text(lang)
    out = {"grade_none": t["grade_none"]}
    for g, level in content.snapshot.levels.items():
        out[f"grade_{g}"] = f"{level.code} {level.name_zh if lang == 'zh' else level.name_en}"
    return out


def report_charts(content: ReportContent, lang: str) -> dict[str, str]:
    """The report's figures as data URIs: province fan chart, city bars, key groups."""
    t, snap = text(lang), content.snapshot
    heads = {h.key: h for h in content.headlines}
    target = heads[SURVEYED].target if SURVEYED in heads else None
    target_label = t["target_line"].format(value=target) if target is not None else ""
    charts = {}
    f = snap.forecasts
    band, until = None, snap.quarter.last_month
    if not f.empty:
        mine = f[(f["region_code"] == snap.region.code) & (f["indicator_code"] == SURVEYED)]
        mine = mine[mine["population_group"] == "total"].sort_values("horizon")
        if not mine.empty:
            band = Band(list(mine["period"]), *(list(mine[k]) for k in ("mean", "lo80", "hi80", "lo95", "hi95")))
            until = max(until, mine["origin"].iloc[0])  # the line runs on to where the fan starts
    past = history(snap, SURVEYED, snap.region.code, until=until)
    if not past.empty:
        charts["province"] = _data_uri(
            fan_chart(
                periods=list(past["period"]),
                values=list(past["value"]),
                band=band,
                target=target,
                labels={
                    "y": t["percent_axis"],
                    "history": t["history"],
                    "forecast": t["forecast"],
                    "band80": t["band80"],
                    "band95": t["band95"],
                    "target": target_label,
                },
            )
        )
    rows = [r for r in content.cities if r.rate is not None]
    if rows:
        rows = sorted(rows, key=lambda r: -r.rate)
        charts["cities"] = _data_uri(
            bar_chart(
                names=[r.place.name(lang) for r in rows],
                values=[r.rate for r in rows],
                grades=[r.grade for r in rows],
                target=target,
                labels={"x": t["percent_axis"], "target": target_label, **_grade_labels(content, lang)},
            )
        )
    series = {}
    for code in ("total", *KEY_GROUPS):
        h = history(snap, SURVEYED, snap.region.code, code, months=24)
        if not h.empty:
            name_zh, name_en = snap.groups.get(code, (code, code))
            series[name_zh if lang == "zh" else name_en] = (list(h["period"]), list(h["value"]))
    if len(series) > 1:
        charts["groups"] = _data_uri(lines_chart(series=series, labels={"y": t["percent_axis"]}))
    return charts


def render_html(content: ReportContent, *, lang: str, generated_at: dt.datetime) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, got {lang!r}")
    snap = content.snapshot
    return _ENV.get_template("report.html").render(
        c=content,
        snap=snap,
        lang=lang,
        t=text(lang),
        f=Formatter(lang),
        charts=report_charts(content, lang),
        generated_at=generated_at,
        css=_ENV.loader.get_source(_ENV, "report.css")[0],
        name=lambda obj: obj.name_zh if lang == "zh" else obj.name_en,
        indicator_name=lambda code: (snap.indicators.get(code) or {}).get(
            "name_zh" if lang == "zh" else "name_en", code
        ),
        level=lambda g: snap.levels.get(g),
    )


def render_pdf(html: str) -> bytes:
    """A4 PDF of the HTML; fonts come from fontconfig (Noto Sans CJK), nothing is fetched from the network."""
    # Imported here: WeasyPrint loads pango at import, which only reports need.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # Charts are data: URIs; any other URL in a report is a mistake, never a reason to touch the network.
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    return HTML(string=html, url_fetcher=fetcher).write_pdf()
