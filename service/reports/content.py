"""The whole report as data: `assemble(snapshot)` runs every pure builder once. Templates only format it."""

from __future__ import annotations

from dataclasses import dataclass

from service.reports.accuracy import AccuracySection, accuracy_section
from service.reports.alert_activity import AlertSection, alert_section
from service.reports.discussion import Point, discussion_points
from service.reports.errors import NothingToReport
from service.reports.figures import CityRow, GroupRow, Headline, city_rows, group_rows, headlines
from service.reports.layoffs import LayoffSection, layoff_section
from service.reports.provenance import Provenance, provenance
from service.reports.snapshot import Snapshot

__all__ = ["ReportContent", "assemble"]


@dataclass(frozen=True)
class ReportContent:
    snapshot: Snapshot
    headlines: list[Headline]
    cities: list[CityRow]
    groups: list[GroupRow]
    layoffs: LayoffSection
    alerts: AlertSection
    accuracy: AccuracySection
    points: list[Point]
    provenance: Provenance

    @property
    def synthetic(self) -> bool:
        return self.provenance.synthetic

    @property
    def quarter(self):
        return self.snapshot.quarter

    @property
    def region(self):
        return self.snapshot.region


def assemble(snap: Snapshot) -> ReportContent:
    """Build every section; refuse when the quarter has no figures at all (an empty report would mislead)."""
    o = snap.observations
    q = snap.quarter
    if o.empty or not ((o["period"] >= q.start) & (o["period"] <= q.last_month)).any():
        raise NothingToReport(
            f"no figures for {snap.region.code} in {snap.quarter} as known at {snap.as_of.isoformat()}"
        )
    heads = headlines(snap)
    cities = city_rows(snap)
    groups = group_rows(snap)
    lay = layoff_section(snap)
    alerts = alert_section(snap)
    acc = accuracy_section(snap)
    points = discussion_points(
        headlines=heads, cities=cities, groups=groups, layoffs=lay, alerts=alerts, accuracy=acc, levels=snap.levels
    )
    return ReportContent(snap, heads, cities, groups, lay, alerts, acc, points, provenance(snap))
