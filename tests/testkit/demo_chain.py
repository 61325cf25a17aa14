"""The demo world's figures landed the way uploads land (service.landing), without the enterprise headcounts
the warning rules do not read (they are most of the demo's rows and seconds)."""

from __future__ import annotations

import datetime as dt
import uuid

import pandas as pd
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from service.db.tables import Enterprise, LayoffFiling
from service.demo.load import tidy_csv
from service.landing import land_observations
from service.registry import load_registry
from testkit.reference import hunan_reference

__all__ = ["land_figures", "land_world", "monthly_figures"]

SOURCES = {i.code: i.source for i in load_registry(["430000"]).indicators}


def monthly_figures(world) -> pd.DataFrame:
    """Monthly observations and recruitment totals: region_code, indicator, period, population_group, value."""
    obs = world.observations[world.observations["period"].map(lambda p: p.freqstr.startswith("M"))]
    rec = world.recruitment.groupby(["region_code", "period"], as_index=False)[["job_postings", "job_seekers"]].sum()
    rec = rec.melt(id_vars=["region_code", "period"], var_name="indicator", value_name="value")
    rec = rec.assign(population_group="total", occupation="total")
    return pd.concat([obs.assign(occupation="total"), rec], ignore_index=True)


def land_figures(session: Session, figures: pd.DataFrame, *, now: dt.datetime) -> None:
    reference = hunan_reference(now.date())
    for source, frame in figures.assign(source=figures["indicator"].map(SOURCES)).groupby("source"):
        res = land_observations(session, source=source, filename=f"{source}-{uuid.uuid4().hex[:6]}.csv",
                                raw=tidy_csv(frame, chinese=source == "survey"), reference=reference, now=now,
                                synthetic=True)  # fmt: skip
        assert res.status == "landed", (source, [str(p) for p in res.problems[:3]])


def land_world(session: Session, world, *, now: dt.datetime) -> None:
    land_figures(session, monthly_figures(world), now=now)
    filings = world.layoff_filings
    known = set(session.scalars(select(Enterprise.credit_code)))
    firms = world.enterprises[world.enterprises["credit_code"].isin(set(filings["credit_code"]) - known)]
    session.execute(insert(Enterprise), [
        {"credit_code": r.credit_code, "name_zh": r.name_zh, "region_code": r.region_code, "industry": r.industry,
         "industry_zh": r.industry_zh, "synthetic": True, "updated_at": now} for r in firms.itertuples()])  # fmt: skip
    session.execute(insert(LayoffFiling), [
        {"credit_code": r.credit_code, "region_code": r.region_code, "filed_on": r.filed_on, "planned_on": r.planned_on,
         "staff_before": int(r.staff_before), "layoffs": int(r.layoffs), "reason": r.reason_zh, "status": "filed",
         "external_ref": f"demo-{r.credit_code}-{r.filed_on}", "received_at": now}
        for r in filings.itertuples()])  # fmt: skip
    session.flush()
