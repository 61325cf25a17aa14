"""Charts as SVG strings, drawn with matplotlib's object API (no pyplot state, safe in a threaded server).

Text is drawn as glyph outlines (svg.fonttype "path") in Noto Sans CJK, so the SVG shows Chinese the same in
a browser and in WeasyPrint's PDF without either needing the font. The font comes from Debian's
fonts-noto-cjk (installed by `make system-deps`); without it the charts still render, with a warning.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

__all__ = ["GRADE_COLOURS", "Band", "bar_chart", "fan_chart", "lines_chart"]

log = logging.getLogger(__name__)

CJK_FONTS = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
)
FAMILY = "Noto Sans CJK SC"
# Grade colours, darkened from the plan's red/orange/yellow/blue so that text on them stays legible.
GRADE_COLOURS = {1: "#b3261e", 2: "#d9640e", 3: "#b58900", 4: "#2f6db3", None: "#8a8f98"}
INK, MUTED, TARGET = "#1f2328", "#59636e", "#b3261e"


@dataclass(frozen=True)
class Band:
    """Forecast points with their intervals, for a fan chart."""

    periods: Sequence[dt.date]
    mean: Sequence[float]
    lo80: Sequence[float]
    hi80: Sequence[float]
    lo95: Sequence[float]
    hi95: Sequence[float]


@cache
def _fonts() -> list[str]:
    found = [p for p in CJK_FONTS if p.exists()]
    for path in found:
        font_manager.fontManager.addfont(str(path))
    if not found:
        log.warning("no CJK font at %s; charts will lack Chinese glyphs (install fonts-noto-cjk)", CJK_FONTS[0])
        return ["DejaVu Sans"]
    return [FAMILY, "DejaVu Sans"]


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=100)
    fig.patch.set_facecolor("white")
    return fig


def _style(ax) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(MUTED)
    ax.tick_params(colors=INK, labelsize=8)
    ax.grid(axis="y", color="#d0d7de", linewidth=0.6)
    ax.set_axisbelow(True)


def _svg(fig: Figure) -> str:
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "labourwatch"}):
        fig.savefig(buf, format="svg", bbox_inches="tight")
    text = buf.getvalue()
    return text[text.index("<svg") :]  # drop the XML prolog and DOCTYPE, so the SVG can be inlined


# rc_context changes matplotlib's global rcParams, so concurrent renders (server threads) take turns.
_RENDER = threading.Lock()


def _rc() -> dict:
    return {"font.family": _fonts(), "axes.unicode_minus": False}


def _serialised(draw):
    def wrapper(*args, **kwargs):
        with _RENDER:
            return draw(*args, **kwargs)

    wrapper.__doc__, wrapper.__name__ = draw.__doc__, draw.__name__
    return wrapper


@_serialised
def fan_chart(
    *,
    periods: Sequence[dt.date],
    values: Sequence[float],
    band: Band | None,
    target: float | None,
    labels: dict[str, str],
    width: float = 7.0,
    height: float = 3.0,
) -> str:
    """History as a line, the forecast mean dashed with 80 % and 95 % bands, and the target as a red rule.

    labels: y (axis title), history, forecast, band80, band95, target.
    """
    with matplotlib.rc_context(_rc()):
        fig = _figure(width, height)
        ax = fig.add_subplot()
        _style(ax)
        ax.plot(list(periods), list(values), color=INK, linewidth=1.6, label=labels["history"])
        if band is not None and len(band.periods):
            # The fan starts at the last observed point so it reads as a continuation.
            xs = [periods[-1], *band.periods] if len(periods) else list(band.periods)
            first = [values[-1]] if len(values) else []
            ax.fill_between(xs, [*first, *band.lo95], [*first, *band.hi95], color="#9ec5fe", alpha=0.55,
                            linewidth=0, label=labels["band95"])  # fmt: skip
            ax.fill_between(xs, [*first, *band.lo80], [*first, *band.hi80], color="#4a90e2", alpha=0.55,
                            linewidth=0, label=labels["band80"])  # fmt: skip
            ax.plot(xs, [*first, *band.mean], color="#0b3d91", linewidth=1.6, linestyle="--", label=labels["forecast"])
        if target is not None:
            ax.axhline(target, color=TARGET, linewidth=1.0, linestyle=":", label=labels["target"])
        ax.set_ylabel(labels["y"], color=INK, fontsize=8)
        # Above the plot area, so the legend never covers the series it explains.
        ax.legend(fontsize=7, frameon=False, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=5)
        fig.autofmt_xdate(rotation=0, ha="center")
        return _svg(fig)


@_serialised
def bar_chart(
    *,
    names: Sequence[str],
    values: Sequence[float | None],
    grades: Sequence[int | None],
    target: float | None,
    labels: dict[str, str],
    width: float = 7.0,
) -> str:
    """Horizontal bars (one per city), coloured by the grade in force, with the target as a red rule.

    labels: x (axis title), target, and grade_1..grade_4 / grade_none for the legend.
    """
    with matplotlib.rc_context(_rc()):
        fig = _figure(width, 0.28 * len(names) + 0.9)
        ax = fig.add_subplot()
        _style(ax)
        ax.grid(axis="x", color="#d0d7de", linewidth=0.6)
        ax.grid(axis="y", visible=False)
        ys = list(range(len(names)))[::-1]
        shown = [v if v is not None else 0.0 for v in values]
        ax.barh(ys, shown, color=[GRADE_COLOURS.get(g, GRADE_COLOURS[None]) for g in grades], height=0.65)
        for y, v in zip(ys, values, strict=True):
            if v is not None:
                ax.text(v + 0.05, y, f"{v:.1f}", va="center", fontsize=7, color=INK)
        ax.set_yticks(ys, list(names), fontsize=8)
        if target is not None:
            ax.axvline(target, color=TARGET, linewidth=1.0, linestyle=":")
        ax.set_xlabel(labels["x"], color=INK, fontsize=8)
        used = sorted({g for g in grades if g is not None})
        handles = [Patch(color=GRADE_COLOURS[g], label=labels[f"grade_{g}"]) for g in used]
        handles.append(Patch(color=GRADE_COLOURS[None], label=labels["grade_none"]))
        if target is not None:
            handles.append(Line2D([], [], color=TARGET, linestyle=":", label=labels["target"]))
        ax.legend(handles=handles, fontsize=7, frameon=False, loc="lower right")
        return _svg(fig)


@_serialised
def lines_chart(
    *,
    series: dict[str, tuple[Sequence[dt.date], Sequence[float]]],
    labels: dict[str, str],
    width: float = 7.0,
    height: float = 2.8,
) -> str:
    """Several monthly series on one axis (key groups). labels: y."""
    palette = ["#1f2328", "#0b3d91", "#b3261e", "#1a7f37", "#8250df", "#d9640e"]
    with matplotlib.rc_context(_rc()):
        fig = _figure(width, height)
        ax = fig.add_subplot()
        _style(ax)
        for i, (name, (xs, ys)) in enumerate(series.items()):
            ax.plot(list(xs), list(ys), color=palette[i % len(palette)], linewidth=1.4 if i else 2.0, label=name)
        ax.set_ylabel(labels["y"], color=INK, fontsize=8)
        ax.legend(fontsize=7, frameon=False, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=5)
        fig.autofmt_xdate(rotation=0, ha="center")
        return _svg(fig)
