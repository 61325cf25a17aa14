"""thresholds.yaml in force: versioned, audited, reloaded at each evaluation, and a bad edit never takes effect."""

import datetime as dt

from sqlalchemy import select
from testkit.alerting import ROOT

from service.db.tables import AuditLog, ThresholdVersion
from service.jobs import evaluate_rules

NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
TEXT = (ROOT / "thresholds.yaml").read_text(encoding="utf-8")


def test_edits_take_effect_without_restart_and_bad_ones_are_refused(db, tmp_path):
    path = tmp_path / "thresholds.yaml"
    path.write_text(TEXT, encoding="utf-8")
    first = evaluate_rules(db, now=NOW, rules_path=path)
    assert first["refused_file"] == []

    path.write_text(TEXT.replace("grades: {4: 5.5, 3: 6.0", "grades: {4: 9.5, 3: 6.0"), encoding="utf-8")
    bad = evaluate_rules(db, now=NOW + dt.timedelta(hours=1), rules_path=path)
    assert bad["threshold_version"] == first["threshold_version"]  # the last good version stays in force
    assert any("more severe grade" in p and p.split(":")[1].isdigit() for p in bad["refused_file"])
    evaluate_rules(db, now=NOW + dt.timedelta(hours=2), rules_path=path)  # refused once, not at every run

    path.write_text(TEXT.replace("grades: {4: 5.5, 3: 6.0", "grades: {4: 5.6, 3: 6.0"), encoding="utf-8")
    edited = evaluate_rules(db, now=NOW + dt.timedelta(hours=3), rules_path=path)
    assert edited["threshold_version"] != first["threshold_version"] and edited["refused_file"] == []

    versions = [(v.status, v.id) for v in db.scalars(select(ThresholdVersion).order_by(ThresholdVersion.id))]
    assert [s for s, _ in versions] == ["superseded", "refused", "active"]
    audit = [
        (a.action, a.before, a.after.get("sha256"))
        for a in db.scalars(select(AuditLog).where(AuditLog.object_type == "threshold_version").order_by(AuditLog.id))
    ]
    assert [a for a, _, _ in audit] == ["thresholds.activate", "thresholds.refuse", "thresholds.activate"]
    assert audit[2][1]["id"] == versions[0][1]  # before: the version it replaced
