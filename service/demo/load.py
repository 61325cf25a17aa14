"""Load the synthetic demo world into a database, through the same landing path uploads use.

Every source goes through the path its real counterpart takes: observation files (the survey with Chinese
headers, the others with English ones) through `land_observations`, the enterprise headcount extract through
`land_headcounts` (which registers the enterprises), and layoff filings through `file_layoff`, as the filing API
does. Every batch and enterprise is flagged synthetic.
Running it twice changes nothing: identical files are recognised by their content hash.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from ingestion.contracts import Reference
from ingestion.layoffs import LayoffFiling
from service.accounts import create_user, get_or_create_organisation, issue_key
from service.calendar import last_complete_month
from service.db.tables import ApiKey, User
from service.enterprises import land_headcounts
from service.landing import LandingResult, land_observations
from service.layoffs import file_layoff
from service.registry import Registry

__all__ = ["DEMO_ACCOUNTS", "DemoLoad", "last_complete_month", "load_world", "tidy_csv"]

SYNTHETIC_NOTE = "合成演示数据（非真实统计） synthetic demo data, not real statistics"

# (organisation, kind, region, username, role): who uses the demo world.
DEMO_ACCOUNTS = (
    ("湖南省人力资源和社会保障厅（演示）", "hr_department", "430000", "demo-province-hr", "admin"),
    ("国家统计局湖南调查总队（演示）", "stats_bureau", "430000", "demo-survey-office", "uploader"),
    ("株洲市人力资源和社会保障局（演示）", "hr_department", "430200", "demo-zhuzhou-hr", "responder"),
    ("长沙市人力资源和社会保障局（演示）", "hr_department", "430100", "demo-changsha-hr", "responder"),
)


@dataclass
class DemoLoad:
    batches: list[LandingResult] = field(default_factory=list)
    headcounts: int = 0
    filings: int = 0


def tidy_csv(frame: pd.DataFrame, *, chinese: bool) -> bytes:
    """A tidy observation file as a bureau would send it."""
    out = pd.DataFrame(
        {
            "region_code": frame["region_code"],
            "period": [_period_text(p) for p in frame["period"]],
            "indicator": frame["indicator"],
            "population_group": frame["population_group"],
            "value": frame["value"].round(4),
        }
    )
    if "occupation" in frame:
        out["occupation"] = frame["occupation"]
    if "sample_size" in frame and frame["sample_size"].notna().any():
        out["sample_size"] = frame["sample_size"]
    if chinese:
        out = out.rename(
            columns={
                "region_code": "地区代码",
                "period": "时期",
                "indicator": "指标",
                "population_group": "群体",
                "value": "数值",
                "sample_size": "样本量",
                "occupation": "职业",
            }
        )
    buf = io.StringIO()
    out.to_csv(buf, index=False)
    return buf.getvalue().encode("utf-8")


def _period_text(p: pd.Period) -> str:
    return f"{p.year}Q{p.quarter}" if p.freqstr.startswith("Q") else f"{p.year}-{p.month:02d}"


def load_world(
    session: Session, *, world, registry: Registry, reference: Reference, now: dt.datetime, data_dir: Path | None = None
) -> DemoLoad:
    """Land every source of the demo world; the caller owns the transaction."""
    result = DemoLoad()
    sources = {i.code: i.source for i in registry.indicators}
    obs = world.observations.assign(source=world.observations["indicator"].map(sources))
    for source, frame in obs.groupby("source", sort=True):
        raw = tidy_csv(frame, chinese=source == "survey")
        result.batches.append(
            _land(session, source, f"demo-{source}-{world.end_month}.csv", raw, reference, now, data_dir)
        )
    rec = world.recruitment
    totals = rec.groupby(["region_code", "period"], as_index=False)[["job_postings", "job_seekers"]].sum()
    totals["occupation"] = "total"
    rec = pd.concat([rec, totals], ignore_index=True)
    long = rec.melt(
        id_vars=["region_code", "period", "occupation"],
        value_vars=["job_postings", "job_seekers"],
        var_name="indicator",
        value_name="value",
    ).assign(population_group="total")
    result.batches.append(
        _land(
            session,
            "recruitment",
            f"demo-recruitment-{world.end_month}.csv",
            tidy_csv(long, chinese=False),
            reference,
            now,
            data_dir,
        )
    )
    _load_enterprises(session, world, reference, now, data_dir, result)
    return result


def _land(session, source, filename, raw, reference, now, data_dir) -> LandingResult:
    res = land_observations(
        session,
        source=source,
        filename=filename,
        raw=raw,
        reference=reference,
        now=now,
        data_dir=data_dir,
        synthetic=True,
        note=SYNTHETIC_NOTE,
    )
    if res.status == "rejected":
        raise ValueError(f"demo batch {filename} was refused: {[str(p) for p in res.problems[:5]]}")
    return res


def _load_enterprises(session: Session, world, reference: Reference, now: dt.datetime, data_dir, result) -> None:
    """Headcounts as a social-insurance extract (registering the enterprises); filings as the filing API takes them."""
    ent = world.enterprises.set_index("credit_code")
    hc = world.headcounts.join(ent, on="credit_code")
    extract = pd.DataFrame(
        {
            "统一社会信用代码": hc["credit_code"],
            "企业名称": hc["name_zh"],
            "地区代码": hc["region_code"],
            "行业代码": hc["industry"],
            "行业名称": hc["industry_zh"],
            "时期": [f"{p.year}-{p.month:02d}" for p in hc["period"]],
            "参保人数": hc["insured"],
        }
    )
    landed = land_headcounts(session, filename=f"demo-enterprise-headcounts-{world.end_month}.csv",
                             raw=extract.to_csv(index=False).encode("utf-8"), reference=reference, now=now,
                             data_dir=data_dir, synthetic=True, note=SYNTHETIC_NOTE)  # fmt: skip
    if landed.status == "rejected":
        raise ValueError(f"demo headcounts were refused: {[str(p) for p in landed.problems[:5]]}")
    result.batches.append(landed)
    result.headcounts = landed.rows_landed
    for r in world.layoff_filings.itertuples(index=False):
        filing = LayoffFiling(credit_code=r.credit_code, region_code=r.region_code, filed_on=r.filed_on,
                              planned_on=r.planned_on, staff_before=int(r.staff_before), layoffs=int(r.layoffs),
                              reason=r.reason_zh)  # fmt: skip
        outcome = file_layoff(session, filing=filing, external_ref=f"demo-{r.credit_code}-{r.filed_on}",
                              reference=reference, now=now, synthetic=True)  # fmt: skip
        result.filings += outcome.status == "created"


def demo_accounts(session: Session, *, now: dt.datetime) -> dict[str, str]:
    """Ensure the demo organisations and users exist; issue each a fresh key (old demo keys are revoked)."""
    keys = {}
    for org_name, kind, region, username, role in DEMO_ACCOUNTS:
        org = get_or_create_organisation(session, name=org_name, kind=kind, region_code=region, now=now)
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            user = create_user(
                session, organisation_id=org.id, username=username, role=role, now=now, password=username
            )
        for old in session.scalars(select(ApiKey).where(ApiKey.user_id == user.id, ApiKey.revoked_at.is_(None))):
            old.revoked_at = now
        _, full = issue_key(session, user_id=user.id, name="demo", now=now, expires_at=now + dt.timedelta(days=30))
        keys[username] = full
    return keys
