"""Landing batches: whole or nothing, identical re-uploads recognised, revisions as new vintages, as-of reads."""

import datetime as dt
from pathlib import Path

from sqlalchemy import func, select
from testkit.factories import NOW, land_survey, survey_csv
from testkit.reference import hunan_reference

from service.db.queries import observations_as_of
from service.db.tables import Batch, Observation
from service.landing import land_observations


def count(db, table=Observation):
    return db.scalar(select(func.count()).select_from(table))


def test_lands_whole_and_identical_reupload_changes_nothing(db):
    first = land_survey(db, {"430200": [5.1, 5.2, 5.3]})
    assert (first.status, first.rows_landed) == ("landed", 3)
    before = count(db)
    again = land_survey(db, {"430200": [5.1, 5.2, 5.3]})
    assert (again.status, again.batch_id) == ("duplicate", first.batch_id)
    assert count(db) == before and count(db, Batch) == 1


def test_bad_batch_lands_nothing_and_keeps_the_file(db, tmp_path):
    raw = survey_csv({"430200": [5.1, 5.2]}) + "999999,2025-03,城镇调查失业率,5.0,100\n".encode()
    res = land_observations(
        db, source="survey", filename="bad.csv", raw=raw, reference=hunan_reference(), now=NOW, data_dir=tmp_path
    )
    assert res.status == "rejected" and count(db) == 0
    batch = db.get(Batch, res.batch_id)
    assert batch.status == "rejected" and batch.error_report[0]["row"] == 4
    assert Path(batch.stored_path).read_bytes() == raw


def test_revision_adds_a_vintage_and_as_of_reads_the_past(db):
    land_survey(db, {"430200": [5.1, 5.2, 5.3]})
    later = NOW + dt.timedelta(days=3)
    res = land_survey(db, {"430200": [5.1, 5.25, 5.3]}, now=later)
    assert (res.status, res.rows_landed, res.rows_unchanged) == ("landed", 1, 2)
    assert count(db) == 4  # the old figure stays beside the new one
    old = observations_as_of(db, as_of=NOW, indicators=["surveyed_unemployment_rate"])
    new = observations_as_of(db, as_of=later, indicators=["surveyed_unemployment_rate"])
    assert old["value"].tolist() == [5.1, 5.2, 5.3]
    assert new["value"].tolist() == [5.1, 5.25, 5.3]
    assert observations_as_of(db, as_of=NOW - dt.timedelta(seconds=1)).empty
