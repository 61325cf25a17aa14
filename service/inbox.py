"""The watched inbox: files dropped into data_dir/inbox/<source>/ land on their own.

    var/inbox/survey/2025-03.xlsx             -> landed, then moved to var/inbox/survey/landed/
    var/inbox/enterprise_headcount/x.csv      -> refused, moved to var/inbox/enterprise_headcount/refused/

Sources: survey, social_insurance, hr_admin, recruitment (monthly tidy files) and enterprise_headcount.
A file is picked up once it has not changed for `inbox_settle_seconds` (a copy still in progress is left alone);
names starting with "." or ending in .part, .tmp or .crdownload are never picked up, so writers can also copy
under such a name and rename when done. Each file lands in its own transaction and is moved only after the
commit: after a crash in between, the next pass lands it again, which the content hash turns into a duplicate.
The refused file's report is on its batch (GET /api/v1/batches/{id}/errors).
"""

from __future__ import annotations

import datetime as dt
import logging
import mmap
import time
from pathlib import Path

from service.config import Settings
from service.db.engine import make_engine, make_sessionmaker
from service.enterprises import land_headcounts
from service.landing import land_observations
from service.registry import load_registry
from service.registry.reference import reference_for

__all__ = ["INBOX_SOURCES", "drain_inbox", "inbox_folder"]

log = logging.getLogger(__name__)
INBOX_SOURCES = ("survey", "social_insurance", "hr_admin", "recruitment", "enterprise_headcount")
_SKIP_SUFFIXES = (".part", ".tmp", ".crdownload")


def inbox_folder(settings: Settings, source: str) -> Path:
    return settings.data_dir / "inbox" / source


def _ready(path: Path, settle: float) -> bool:
    if not path.is_file() or path.name.startswith(".") or path.name.endswith(_SKIP_SUFFIXES):
        return False
    return time.time() - path.stat().st_mtime >= settle


def _move(path: Path, folder: Path, batch_id: int) -> Path:
    folder.mkdir(exist_ok=True)
    target = folder / f"{batch_id:08d}-{path.name}"
    path.replace(target)
    return target


def drain_inbox(settings: Settings, *, now: dt.datetime) -> dict:
    reference = reference_for(load_registry(settings.province_codes), today=now.date())
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    counts = {"landed": 0, "duplicate": 0, "rejected": 0}
    files = []
    try:
        for source in INBOX_SOURCES:
            folder = inbox_folder(settings, source)
            folder.mkdir(parents=True, exist_ok=True)
            for path in sorted(p for p in folder.iterdir() if _ready(p, settings.inbox_settle_seconds)):
                with path.open("rb") as f:
                    size = path.stat().st_size
                    with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if size else _Empty() as raw:
                        common = {"filename": path.name, "raw": raw, "reference": reference, "now": now}
                        common["data_dir"] = settings.data_dir
                        with sessions() as s, s.begin():
                            if source == "enterprise_headcount":
                                result = land_headcounts(s, **common)
                            else:
                                result = land_observations(s, source=source, **common)
                where = folder / ("refused" if result.status == "rejected" else "landed")
                moved = _move(path, where, result.batch_id)
                counts[result.status] += 1
                files.append({"file": f"{source}/{path.name}", "status": result.status, "batch_id": result.batch_id})
                log.info("inbox %s: %s (batch %s), moved to %s", path, result.status, result.batch_id, moved)
    finally:
        engine.dispose()
    return counts | {"files": files}


class _Empty(bytes):
    """b"" usable as a context manager, for empty files (mmap cannot map zero bytes)."""

    def __enter__(self) -> bytes:
        return b""

    def __exit__(self, *exc) -> None:
        return None
