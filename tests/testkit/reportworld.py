"""A small province for report and web tests: three cities, key groups, an enterprise layoff, a forecast run
made before 2026Q3, and (after `run_chain`) an alert in 株洲. Built through the service's own functions.

Figures are chosen so tests can state expected values: see the constants below.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pandas as pd
from sqlalchemy.orm import Session

from service.db.tables import Batch, Enterprise, EnterpriseHeadcount, LayoffFiling
from service.landing import land_observations
from testkit.reference import hunan_reference

NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
EARLY = dt.datetime(2026, 6, 20, 8, 0, tzinfo=dt.UTC)  # the first survey batch lands before 2026Q3 begins
MONTHS = [str(p) for p in pd.period_range("2025-01", "2026-10", freq="M")]  # 22 months
EARLY_MONTHS = MONTHS[:17]  # 2025-01 .. 2026-05
PROVINCE = [5.2 + 0.1 * (i % 3) for i in range(22)]  # 2026-09 (index 20) = 5.4, 2026-06 (17) = 5.4
CHANGSHA = [4.8] * 22
ZHUZHOU = [5.0] * 13 + [5.1, 5.2, 5.4, 5.6, 5.9, 6.1, 6.2, 6.3, 6.4]  # 2026-07..09 = 6.1, 6.2, 6.3
XIANGTAN = [5.0] * 22
GROUPS = {"youth_16_24": 15.0, "graduates": 12.0, "migrant_workers": 5.0, "poverty_alleviated": 5.5}
INSURED = {"430100": 2_000_000, "430200": 600_000, "430300": 500_000}
REGISTERED = {"430100": 3.0, "430200": 4.0, "430300": 3.5}
NEW_JOBS_SEPT = {"430100": 100_000, "430200": 30_000, "430300": 20_000}  # year to date at 2026-09
FILING_CODE, QUIET_CODE = "91430200MA4TEST01X", "91430200MA4TEST02X"


def _csv(rows: list[tuple]) -> bytes:
    lines = ["地区代码,时期,指标,群体,数值"] + [",".join(str(x) for x in r) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _land(session: Session, source: str, rows: list[tuple], now: dt.datetime, synthetic: bool):
    result = land_observations(
        session,
        source=source,
        filename=f"{source}-{uuid.uuid4().hex[:6]}.csv",
        raw=_csv(rows),
        reference=hunan_reference(now.date()),
        now=now,
        synthetic=synthetic,
    )
    assert result.status == "landed", [str(p) for p in result.problems[:5]]
    return result.batch_id


def survey_rows(months: list[str]) -> list[tuple]:
    series = {"430000": PROVINCE, "430100": CHANGSHA, "430200": ZHUZHOU, "430300": XIANGTAN}
    rows = []
    for i, month in enumerate(MONTHS):
        if month not in months:
            continue
        for code, values in series.items():
            rows.append((code, month, "城镇调查失业率", "total", values[i]))
        for group, value in GROUPS.items():
            rows.append(("430000", month, "城镇调查失业率", group, value))
    return rows


def build_world(session: Session, *, synthetic: bool = False) -> dict[str, int]:
    """Land every batch; return their ids by name. The caller owns the transaction."""
    ids = {"survey_early": _land(session, "survey", survey_rows(EARLY_MONTHS), EARLY, synthetic)}
    ids["survey"] = _land(session, "survey", survey_rows(MONTHS[17:]), NOW, synthetic)
    hr, si = [], []
    for code in INSURED:
        for q in ("2025Q3", "2026Q2", "2026Q3"):
            hr.append((code, q, "城镇登记失业率", "total", REGISTERED[code] - (0.1 if q != "2026Q3" else 0)))
        hr.append((code, "2026-09", "城镇新增就业人数", "total", NEW_JOBS_SEPT[code]))
        for month in MONTHS:
            si.append((code, month, "失业保险参保人数", "total", INSURED[code]))
            claims = 1000 * (1.5 if code == "430200" and month >= "2026-07" else 1.0)
            si.append((code, month, "失业保险金新增申领人数", "total", claims))
    ids["hr_admin"] = _land(session, "hr_admin", hr, NOW, synthetic)
    ids["social_insurance"] = _land(session, "social_insurance", si, NOW, synthetic)
    ids["enterprises"] = _enterprises(session, synthetic)
    return ids


def _enterprises(session: Session, synthetic: bool) -> int:
    batch = Batch(source_code="enterprise_headcount", filename="enterprises.csv", content_hash=uuid.uuid4().hex,
                  format="csv", status="landed", rows_total=8, rows_landed=8, received_at=NOW, landed_at=NOW,
                  synthetic=synthetic)  # fmt: skip
    session.add(batch)
    session.flush()
    session.add_all(
        [
            Enterprise(credit_code=FILING_CODE, name_zh="株洲测试机械有限公司", region_code="430211",
                       industry_zh="制造业", updated_at=NOW),
            Enterprise(credit_code=QUIET_CODE, name_zh="株洲无备案电子有限公司", region_code="430203",
                       industry_zh="制造业", updated_at=NOW),
        ]
    )  # fmt: skip
    session.flush()
    months = [dt.date(2026, m, 1) for m in (6, 7, 8, 9)]
    for code, counts in ((FILING_CODE, [1000, 1000, 800, 700]), (QUIET_CODE, [400, 390, 250, 240])):
        for month, n in zip(months, counts, strict=True):
            session.add(EnterpriseHeadcount(credit_code=code, period=month, insured=n, batch_id=batch.id, vintage=NOW))
    session.add(
        LayoffFiling(credit_code=FILING_CODE, region_code="430211", filed_on=dt.date(2026, 7, 20),
                     planned_on=dt.date(2026, 8, 20), staff_before=1000, layoffs=300, reason="订单减少",
                     batch_id=batch.id, received_at=NOW, external_ref=uuid.uuid4().hex)
    )  # fmt: skip
    session.flush()
    return batch.id
