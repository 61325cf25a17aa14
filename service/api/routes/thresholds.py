"""The warning thresholds: the version in force, its history, and a validated replacement by a province admin.

PUT takes the whole thresholds.yaml (as JSON `{"content": …}` or as a raw `application/yaml` body). A file that
fails validation is refused with 422 and the problems, each naming its line; it is recorded as a refused
version and audited, and the version in force stays. A valid file becomes the active version and is written
to `settings.thresholds_path` (atomically), so the evaluation job, which re-reads that file, sees the same
rules; the file and the active version change in one step. `If-Match: "<sha256>"` (the ETag of GET) makes the
replacement conditional on nobody having changed the rules since you read them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Depends, Header, Request, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.alerting.rules import RulesError, load_rules
from service.api.admin_schemas import ThresholdOffer, ThresholdsInForce, ThresholdVersionDetail, ThresholdVersionOut
from service.api.deps import ActorDep, CallerDep, SessionDep, require_province_admin, writing
from service.api.etags import etag_matches
from service.api.pagination import Limit, RowId, decode_int_cursor, split_page
from service.api.problems import Problem, problems
from service.api.schemas import Page
from service.audit import record
from service.db.tables import ThresholdVersion
from service.thresholds import offer_rules

router = APIRouter(prefix="/api/v1", tags=["thresholds"], responses=problems(401, 403, 404, 429))

YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/plain")


def _active(db: Session) -> ThresholdVersion | None:
    return db.scalar(select(ThresholdVersion).where(ThresholdVersion.status == "active"))


def _in_force(version: ThresholdVersion) -> ThresholdsInForce:
    ruleset = load_rules(version.content, source=f"threshold version {version.id}")
    return ThresholdsInForce(
        **ThresholdVersionDetail.model_validate(version).model_dump(),
        levels=[level.model_dump() for level in ruleset.levels],
        rules=[
            {k: getattr(r, k, None) for k in ("id", "risk", "kind", "name_zh", "name_en", "indicator", "source")}
            for r in ruleset.rules
        ],
    )


@router.get("/thresholds", summary="The thresholds in force: the file, its levels and rules (ETag = its SHA-256)")
def get_thresholds(_: CallerDep, db: SessionDep, response: Response) -> ThresholdsInForce:
    version = _active(db)
    if version is None:
        raise Problem(404, "no thresholds version is in force yet (run `labourwatch db upgrade`)")
    response.headers["etag"] = f'"{version.sha256}"'
    return _in_force(version)


@router.get("/thresholds/versions", summary="Every thresholds file offered: in force, superseded and refused")
def list_versions(
    _: CallerDep,
    db: SessionDep,
    status: Literal["active", "superseded", "refused"] | None = None,
    limit: Limit = 50,
    cursor: str | None = None,
) -> Page[ThresholdVersionOut]:
    after = decode_int_cursor(cursor)
    q = select(ThresholdVersion).order_by(ThresholdVersion.id.desc())
    if status is not None:
        q = q.where(ThresholdVersion.status == status)
    if after is not None:
        q = q.where(ThresholdVersion.id < after)
    rows = db.scalars(q.limit(limit + 1)).all()
    rows, next_cursor = split_page(rows, limit, key=lambda r: r.id)
    return Page[ThresholdVersionOut](
        items=[ThresholdVersionOut.model_validate(v) for v in rows],
        next_cursor=next_cursor,
    )


@router.get("/thresholds/versions/{version_id}", summary="One thresholds version with its text")
def get_version(version_id: RowId, _: CallerDep, db: SessionDep) -> ThresholdVersionDetail:
    version = db.get(ThresholdVersion, version_id)
    if version is None:
        raise Problem(404, f"no thresholds version {version_id}")
    return ThresholdVersionDetail.model_validate(version)


async def offered_text(request: Request) -> str:
    """The offered file: JSON {"content": …} or the raw YAML body."""
    raw = await request.body()
    media = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if media in YAML_TYPES:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise Problem(422, "the thresholds file must be UTF-8 text") from exc
    elif media == "application/json":
        try:
            text = ThresholdOffer.model_validate_json(raw).content
        except ValidationError as exc:
            errors = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
            raise Problem(422, 'the body must be {"content": "<thresholds.yaml text>"}', errors=errors) from exc
    else:
        raise Problem(415, f"send application/json or application/yaml, not {media}")
    if not text.strip() or "\x00" in text:
        raise Problem(422, "the thresholds file is empty or contains NUL characters")
    return text


_BODY_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": ThresholdOffer.model_json_schema()},
            "application/yaml": {"schema": {"type": "string", "minLength": 1}},
        },
    }
}


@router.put(
    "/thresholds",
    summary="Replace the thresholds (province admins): validated, versioned, audited, in force at once",
    openapi_extra=_BODY_DOC,
    responses=problems(412, 415, 422, 503),
)
def put_thresholds(
    request: Request,
    response: Response,
    actor: ActorDep,
    db: SessionDep,
    caller=Depends(require_province_admin),
    text: str = Depends(offered_text),
    if_match: str | None = Header(default=None, max_length=200),
) -> ThresholdsInForce:
    now = dt.datetime.now(dt.UTC)
    path = Path(request.app.state.settings.thresholds_path)
    refused: list[str] = []
    with writing(db):
        before = _active(db)
        if if_match is not None and (before is None or not etag_matches(if_match, f'"{before.sha256}"')):
            raise Problem(412, "the thresholds changed since you read them; GET them again and retry")
        try:
            outcome = offer_rules(db, text=text, source="thresholds.yaml", now=now, user_id=caller.user_id)
            refused = outcome.refused
        except RulesError as exc:  # refused, and there was no version in force to fall back on
            refused = exc.problems
        if refused:
            _record_refusal(db, text=text, problems=refused, now=now, actor=actor)
        elif before is None or outcome.version_id != before.id:
            _write_file(path, text)
            record(
                db,
                action="thresholds.replace",
                object_type="threshold_version",
                object_id=outcome.version_id,
                now=now,
                actor=actor,
                before=None if before is None else {"version_id": before.id, "sha256": before.sha256},
                after={"version_id": outcome.version_id, "sha256": outcome.ruleset.sha256, "file": str(path)},
            )
    if refused:  # committed above: the refused version and its audit entry are kept
        raise Problem(422, f"the thresholds file was refused ({len(refused)} problems)", problems=refused)
    version = _active(db)
    response.headers["etag"] = f'"{version.sha256}"'
    return _in_force(version)


def _record_refusal(db: Session, *, text: str, problems: list[str], now: dt.datetime, actor) -> None:
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    refused_id = db.scalar(select(ThresholdVersion.id).where(ThresholdVersion.sha256 == sha).limit(1))
    record(
        db,
        action="thresholds.refuse",
        object_type="threshold_version",
        object_id=refused_id,
        now=now,
        actor=actor,
        after={"sha256": sha, "problems": problems[:50]},
    )


def _write_file(path: Path, text: str) -> None:
    """Replace the file atomically (write beside it, then rename), so the evaluation job never reads half."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".thresholds-", suffix=".yaml", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise Problem(503, f"the thresholds file {path} cannot be written ({exc.strerror}); nothing changed") from exc
