"""Scheduled jobs (admins): the list from service.jobs.JOBS with each job's last run, recent runs, and a run now.

POST runs the job in this request (service.jobs.run_job records the run in its own transactions, so a failed
job still leaves its record) and answers with the recorded run: 201 whether the job succeeded or failed. Only
an admin of a whole province may run jobs, because every job acts on every region.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from sqlalchemy import func, select

from service.api.deps import ActorDep, CallerDep, SessionDep, require_province_admin, require_role, writing
from service.api.pagination import Limit, decode_int_cursor, split_page
from service.api.problems import Problem, problems
from service.api.schemas import JobOut, JobRunOut, Page
from service.audit import record
from service.db.tables import JobRun
from service.jobs import JOBS, run_job

router = APIRouter(
    prefix="/api/v1",
    tags=["jobs"],
    dependencies=[Depends(require_role("admin"))],
    responses=problems(401, 403, 404, 422, 429),
)
JobId = Annotated[str, Path(max_length=64, description="A job id from GET /jobs, e.g. forecast-series")]


def _description(job_id: str) -> str:
    doc = (JOBS[job_id].__doc__ or "").strip()
    return doc.splitlines()[0] if doc else job_id


@router.get("/jobs", summary="The scheduled jobs and each one's last run")
def list_jobs(_: CallerDep, db: SessionDep) -> Page[JobOut]:
    latest = (
        select(JobRun.job_id, func.max(JobRun.id).label("id"))
        .where(JobRun.job_id.in_(list(JOBS)))
        .group_by(JobRun.job_id)
    ).subquery()
    last = {r.job_id: r for r in db.scalars(select(JobRun).join(latest, JobRun.id == latest.c.id))}
    return Page[JobOut](
        items=[
            JobOut(
                id=job_id,
                description=_description(job_id),
                last_run=JobRunOut.model_validate(last[job_id]) if job_id in last else None,
            )
            for job_id in sorted(JOBS)
        ]
    )


@router.get("/jobs/{job_id}/runs", summary="A job's recent runs, newest first")
def list_runs(
    job_id: JobId, _: CallerDep, db: SessionDep, limit: Limit = 50, cursor: str | None = None
) -> Page[JobRunOut]:
    if job_id not in JOBS:
        raise Problem(404, f"no job {job_id!r}; jobs are {', '.join(sorted(JOBS))}")
    after = decode_int_cursor(cursor)
    q = select(JobRun).where(JobRun.job_id == job_id).order_by(JobRun.id.desc())
    if after is not None:
        q = q.where(JobRun.id < after)
    rows = db.scalars(q.limit(limit + 1)).all()
    rows, next_cursor = split_page(rows, limit, key=lambda r: r.id)
    return Page[JobRunOut](items=[JobRunOut.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.post(
    "/jobs/{job_id}/runs",
    status_code=201,
    dependencies=[Depends(require_province_admin)],
    summary="Run a job now (province admins); answers with the recorded run",
)
def run_now(job_id: JobId, request: Request, actor: ActorDep, db: SessionDep) -> JobRunOut:
    if job_id not in JOBS:
        raise Problem(404, f"no job {job_id!r}; jobs are {', '.join(sorted(JOBS))}")
    run = run_job(request.app.state.settings, job_id, trigger="manual")
    with writing(db):
        record(
            db,
            action="job.run",
            object_type="job_run",
            object_id=run.id,
            now=dt.datetime.now(dt.UTC),
            actor=actor,
            after={"job_id": job_id, "status": run.status, "duration_seconds": run.duration_seconds},
        )
    return JobRunOut.model_validate(run)
