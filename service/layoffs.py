"""Recording layoff filings (art. 41): validated, linked to the enterprise, idempotent by the filer's reference.

    outcome = file_layoff(session, filing=..., external_ref="HR-2025-0412", reference=..., now=now)
    outcome.status    # "created", "existing" (the same filing sent again) or "conflict" (same ref, other content)

The caller owns the transaction. A new filing also records a Batch of source `layoff_filings` (one row), so
freshness, the ingestion metrics and the new-data hand-off to rule evaluation see it like any delivery.
An unknown enterprise is created from the filing (name required then); a known one is linked as it is.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ingestion.contracts import Reference
from ingestion.errors import BatchRefused, RowProblem
from ingestion.layoffs import LayoffFiling, check_filing
from service.db.tables import Batch, Enterprise
from service.db.tables import LayoffFiling as FilingRow

__all__ = ["FilingOutcome", "file_layoff", "filing_fields"]

_COMPARED = ("credit_code", "region_code", "filed_on", "planned_on", "staff_before", "layoffs", "reason")


@dataclass
class FilingOutcome:
    status: str  # created, existing, conflict
    filing: FilingRow
    warnings: list[RowProblem] = field(default_factory=list)


def filing_fields(row: FilingRow) -> dict:
    return {name: getattr(row, name) for name in _COMPARED}


def _digest(filing: LayoffFiling, external_ref: str) -> str:
    body = json.dumps({**dataclasses.asdict(filing), "external_ref": external_ref}, default=str, sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()


def file_layoff(
    session: Session,
    *,
    filing: LayoffFiling,
    external_ref: str,
    reference: Reference,
    now: dt.datetime,
    user_id: int | None = None,
    synthetic: bool = False,
) -> FilingOutcome:
    """Validate and record a filing; BatchRefused with the problems when it is not a valid art. 41 filing.

    `synthetic` marks the filing's batch (and a new enterprise) as demo data.
    """
    filing = dataclasses.replace(filing, credit_code=filing.credit_code.strip().upper())
    problems, warnings = check_filing(filing, reference=reference, today=now.date())
    region = reference.region_code(filing.region_code.strip()) or filing.region_code
    enterprise = session.get(Enterprise, filing.credit_code) if not problems else None
    if not problems and enterprise is None and not (filing.enterprise_name or "").strip():
        problems.append(
            RowProblem(
                "request",
                None,
                "enterprise_name",
                None,
                "unknown enterprise: give its name so it can be registered",
                "企业不在名录中，请填写企业名称",
            )
        )
    existing = session.scalar(select(FilingRow).where(FilingRow.external_ref == external_ref))
    if existing is not None:
        return FilingOutcome(_compare(existing, filing, region), existing, warnings)
    if problems:
        raise BatchRefused(problems)
    try:
        with session.begin_nested():  # a concurrent identical filing loses here and is answered as existing
            row = _insert(session, filing, region, enterprise, external_ref, now, user_id, synthetic)
    except IntegrityError:
        existing = session.scalar(select(FilingRow).where(FilingRow.external_ref == external_ref))
        if existing is None:
            raise
        return FilingOutcome(_compare(existing, filing, region), existing, warnings)
    return FilingOutcome("created", row, warnings)


def _compare(existing: FilingRow, filing: LayoffFiling, region: str) -> str:
    """existing: the same filing sent again; conflict: the reference was used for a different filing."""
    wanted = {**dataclasses.asdict(filing), "region_code": region}
    same = all(wanted.get(k) == v for k, v in filing_fields(existing).items())
    return "existing" if same else "conflict"


def _insert(session, filing, region, enterprise, external_ref, now, user_id, synthetic) -> FilingRow:
    if enterprise is None:
        enterprise = Enterprise(
            credit_code=filing.credit_code,
            name_zh=filing.enterprise_name.strip()[:128],
            region_code=region,
            industry=(filing.industry or None) and filing.industry[:4],
            synthetic=synthetic,
            updated_at=now,
        )
        session.add(enterprise)
    batch = Batch(
        source_code="layoff_filings",
        filename=f"layoff-filing {external_ref}"[:255],
        content_hash=_digest(filing, external_ref),
        format="api",
        status="landed",
        rows_total=1,
        rows_landed=1,
        submitted_by=user_id,
        received_at=now,
        landed_at=now,
        synthetic=synthetic,
    )
    session.add(batch)
    session.flush()
    row = FilingRow(
        credit_code=filing.credit_code,
        region_code=region,
        filed_on=filing.filed_on,
        planned_on=filing.planned_on,
        staff_before=filing.staff_before,
        layoffs=filing.layoffs,
        reason=filing.reason,
        status="filed",
        external_ref=external_ref,
        batch_id=batch.id,
        received_at=now,
    )
    session.add(row)
    session.flush()
    return row
