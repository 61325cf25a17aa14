"""Inhibition, as Alertmanager's: a region's alert sends no notices while the same region has a worse one.

    muted = inhibited({("430200", "unemployment"): 3, ("430200", "layoffs"): 4}, ruleset)
    muted == {("430200", "layoffs"): ("unemployment", 3)}

Within one risk the worst grade is the alert's grade already (evaluate() keeps one grade per region and risk), so
inhibition here is across risks. A risk marked `inhibited_by_higher_grades: false` (missing data) is never muted.
"""

from __future__ import annotations

from collections.abc import Mapping

from service.alerting.rules import Ruleset

__all__ = ["inhibited"]


def inhibited(grades: Mapping[tuple[str, str], int], ruleset: Ruleset) -> dict[tuple[str, str], tuple[str, int]]:
    """(region, risk) -> (the risk, grade) that inhibits it, for every alert a worse one in its region mutes."""
    worst: dict[str, tuple[int, str]] = {}
    for (region, risk), grade in grades.items():
        if grade < worst.get(region, (5, ""))[0]:
            worst[region] = (grade, risk)
    inhibitable = {r.code: r.inhibited_by_higher_grades for r in ruleset.risks}
    out = {}
    for (region, risk), grade in grades.items():
        top, by = worst[region]
        if by != risk and top < grade and inhibitable.get(risk, True):
            out[(region, risk)] = (by, top)
    return out
