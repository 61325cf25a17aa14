"""The bad-file corpus (tests/corpus/): every file is refused with its expected error and lands nothing."""

from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select
from testkit.factories import NOW
from testkit.reference import hunan_reference

from service.db.queries import subtree_codes
from service.db.tables import Batch, Observation
from service.landing import land_observations

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
CASES = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
REFERENCE = hunan_reference(NOW.date())


def test_the_corpus_is_big_and_complete():
    files = {p.name for p in CORPUS.iterdir() if p.name != "expected.yaml"}
    assert len(CASES) >= 25
    assert files == {c["file"] for c in CASES}, "every corpus file has exactly one expected error"


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_bad_file_is_refused_with_its_reason(db, case, tmp_path):
    raw = (CORPUS / case["file"]).read_bytes()
    scope = frozenset(subtree_codes(db, region_code=case["scope"])) if "scope" in case else None
    observations = db.scalar(select(func.count()).select_from(Observation))
    result = land_observations(
        db,
        source=case["source"],
        filename=case["file"],
        raw=raw,
        reference=REFERENCE,
        now=NOW,
        data_dir=tmp_path,
        sheet=case.get("sheet"),
        scope=scope,
    )
    assert result.status == "rejected"
    found = [(p.row, p.column, p.reason) for p in result.problems]
    assert any(
        (row, column) == (case["row"], case["column"]) and reason.startswith(case["reason"])
        for row, column, reason in found
    ), found
    assert all(p.file == case["file"] and p.reason_zh for p in result.problems)
    assert db.scalar(select(func.count()).select_from(Observation)) == observations
    batch = db.get(Batch, result.batch_id)
    assert batch.status == "rejected" and Path(batch.stored_path).read_bytes() == raw
