"""Which thresholds.yaml is in force: the file if it is valid, else the last good version, every offer recorded.

Rules are re-read at every evaluation, so an edited file takes effect without a restart. A file that fails
validation is recorded once as `refused` (with the messages naming its lines) and the last good version stays
in force. Every new version and every refusal is also written to the audit log. The caller owns the transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.alerting.rules import RulesError, Ruleset, load_rules
from service.audit import record
from service.db.tables import ThresholdVersion

__all__ = ["ActiveRules", "active_rules", "offer_rules"]


@dataclass(frozen=True)
class ActiveRules:
    ruleset: Ruleset
    version_id: int
    refused: list[str]  # problems of the file on disk, when it was refused and an older version is in force


def offer_rules(
    session: Session, *, text: str, source: str, now: dt.datetime, user_id: int | None = None
) -> ActiveRules:
    """Validate `text`; make it the active version if valid and new; otherwise keep the last good one."""
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    active = session.scalar(select(ThresholdVersion).where(ThresholdVersion.status == "active"))
    try:
        ruleset = load_rules(text, source=source)
    except RulesError as exc:
        if not session.scalar(select(ThresholdVersion.id).where(ThresholdVersion.sha256 == sha)):
            refused = ThresholdVersion(
                sha256=sha,
                content=text,
                status="refused",
                message="\n".join(exc.problems),
                loaded_at=now,
                loaded_by=user_id,
            )
            session.add(refused)
            session.flush()
            record(
                session,
                action="thresholds.refuse",
                object_type="threshold_version",
                object_id=refused.id,
                now=now,
                user_id=user_id,
                before=_brief(active),
                after={"source": source, "sha256": sha, "problems": exc.problems[:50]},
            )
        if active is None:
            raise
        return ActiveRules(load_rules(active.content, source=f"threshold version {active.id}"), active.id, exc.problems)
    if active is not None and active.sha256 == sha:
        return ActiveRules(ruleset, active.id, [])
    session.execute(update(ThresholdVersion).where(ThresholdVersion.status == "active").values(status="superseded"))
    version = ThresholdVersion(sha256=sha, content=text, status="active", loaded_at=now, loaded_by=user_id)
    session.add(version)
    session.flush()
    record(
        session,
        action="thresholds.activate",
        object_type="threshold_version",
        object_id=version.id,
        now=now,
        user_id=user_id,
        before=_brief(active),
        after={"id": version.id, "sha256": sha, "source": source, "rules": [r.id for r in ruleset.rules]},
    )
    return ActiveRules(ruleset, version.id, [])


def _brief(version: ThresholdVersion | None) -> dict | None:
    return None if version is None else {"id": version.id, "sha256": version.sha256}


def active_rules(session: Session, *, path: Path, now: dt.datetime) -> ActiveRules:
    """Read the file and offer it; a missing file falls back to the active version in the database."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        active = session.scalar(select(ThresholdVersion).where(ThresholdVersion.status == "active"))
        if active is None:
            raise RulesError([f"{path}: cannot read: {exc.strerror}, and no earlier version is in force"]) from exc
        return ActiveRules(load_rules(active.content), active.id, [f"{path}: cannot read: {exc.strerror}"])
    return offer_rules(session, text=text, source=str(path), now=now)
