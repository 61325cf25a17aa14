"""Just enough PromQL reading for tests: the metric names an expression selects, and Grafana's variables."""

from __future__ import annotations

import re

__all__ = ["GRAFANA_DEFAULTS", "metric_names", "without_grafana_variables"]

_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset"}
GRAFANA_DEFAULTS = {"$__rate_interval": "1m", "$__interval": "30s", "$__range": "1h"}


def without_grafana_variables(expr: str) -> str:
    for name, value in GRAFANA_DEFAULTS.items():
        expr = expr.replace(name, value)
    return expr


def metric_names(expr: str) -> set[str]:
    """Names of the series an expression selects (not functions, keywords, labels, strings or durations)."""
    e = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    e = re.sub(r"\{[^}]*\}", "", e)
    e = re.sub(r"\[[^\]]*\]", "", e)
    e = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", e)
    e = re.sub(r"\$\w+", "", e)
    names = set()
    for m in re.finditer(r"(?<![\w.])[A-Za-z_:][A-Za-z0-9_:]*", e):
        if m.group(0) in _KEYWORDS or e[m.end() :].lstrip().startswith("("):
            continue
        names.add(m.group(0))
    return names
