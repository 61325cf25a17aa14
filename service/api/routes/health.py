from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from service.api.deps import SessionDep
from service.api.problems import Problem

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness and database reachability")
def healthz(db: SessionDep) -> dict[str, str]:
    try:
        db.execute(text("SELECT 1"))
    except Exception as exc:  # any database failure means "not healthy", reported, not raised
        raise Problem(503, f"database unreachable: {type(exc).__name__}") from exc
    return {"status": "ok", "database": "ok"}
