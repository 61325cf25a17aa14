"""Pure ingestion pieces as tables of cases: chunked reading, duplicates across chunks, art. 41, feed records."""

import datetime as dt

import numpy as np
import pytest
from testkit.reference import hunan_reference

from ingestion.checks import Duplicates
from ingestion.layoffs import LayoffFiling, check_filing, is_article_41
from ingestion.recruitment import check_records, monthly_totals
from ingestion.tidy import open_observations, parse_observations

REF = hunan_reference(dt.date(2025, 6, 30))


def test_row_numbers_survive_small_chunks_blank_lines_and_ragged_rows():
    lines = ["标题：湖南省调查失业率", "地区代码,时期,指标,数值"]
    for m in range(1, 13):
        lines.append(f"430100,2024-{m:02d},城镇调查失业率,5.{m}")
        if m in (3, 7):
            lines.append("")  # a blank line keeps its number
        if m == 9:
            lines.append("430100,2024-10")  # a ragged line
    raw = ("\n".join(lines) + "\n").encode()
    stream = open_observations(raw, filename="f.csv", reference=REF, chunk_rows=4)
    rows = [r for chunk in stream for r in chunk["row"].to_pylist()]
    assert [p.row for p in stream.problems] == [14]  # the ragged line, by its line in the file
    assert rows == [3, 4, 5, 7, 8, 9, 10, 12, 13, 15, 16, 17]  # blank lines 6 and 11 are skipped, not renumbered


def test_duplicates_are_found_across_chunks_and_name_the_first_row():
    dups = Duplicates()
    assert dups.check(np.array([5, 7, 5]), np.array([2, 3, 4])).tolist() == [0, 0, 2]
    assert dups.check(np.array([7, 9, 9]), np.array([10, 11, 12])).tolist() == [3, 0, 11]


def test_duplicates_in_different_chunks_refuse_the_batch():
    head = "region_code,period,indicator,value\n"
    body = "".join(f"430100,2024-{m:02d},surveyed_unemployment_rate,5.0\n" for m in range(1, 9))
    raw = (head + body + "430100,2024-02,surveyed_unemployment_rate,5.5\n").encode()
    parsed = parse_observations(raw, filename="d.csv", reference=REF)
    assert [(p.row, p.reason) for p in parsed.problems] == [
        (10, "duplicate of row 3 (same region, indicator, period and group)")
    ]


@pytest.mark.parametrize(
    "layoffs,staff,covered",
    [(20, 10_000, True), (19, 190, True), (19, 191, False), (10, 100, True), (9, 100, False), (200, 200, True)],
)
def test_article_41_size(layoffs, staff, covered):
    assert is_article_41(layoffs, staff) is covered


def filing(**kw):
    base = dict(
        credit_code="91430200MA4L00001P",
        region_code="430211",
        filed_on=dt.date(2025, 6, 2),
        planned_on=dt.date(2025, 7, 10),
        staff_before=400,
        layoffs=60,
    )
    return LayoffFiling(**(base | kw))


@pytest.mark.parametrize(
    "changes,field,kind",
    [
        ({"region_code": "430000"}, "region_code", "problem"),
        ({"region_code": "999999"}, "region_code", "problem"),
        ({"credit_code": "91430200MA4L00001X"}, "credit_code", "problem"),
        ({"layoffs": 500}, "staff_before", "problem"),
        ({"layoffs": 10}, "layoffs", "problem"),
        ({"filed_on": dt.date(2025, 7, 2), "planned_on": dt.date(2025, 8, 10)}, "filed_on", "problem"),
        ({"planned_on": dt.date(2025, 6, 1)}, "planned_on", "problem"),
        ({"planned_on": dt.date(2025, 6, 20)}, "planned_on", "warning"),
    ],
)
def test_filing_checks(changes, field, kind):
    problems, warnings = check_filing(filing(**changes), reference=REF, today=dt.date(2025, 6, 30))
    found = problems if kind == "problem" else warnings
    assert [p.column for p in found] == [field]
    assert (warnings if kind == "problem" else problems) == []


def test_valid_filing_has_no_problems():
    assert check_filing(filing(), reference=REF, today=dt.date(2025, 6, 30)) == ([], [])


def test_feed_records_are_checked_and_summed_by_month():
    records = [
        {"date": "2025-05-30", "region_code": "430100", "occupation": "services", "postings": 5, "seekers": 7},
        {"date": "2025-05-31", "region_code": "长沙", "occupation": "services", "postings": "1,000", "seekers": 3},
        {"date": "2025-06-01", "region_code": "430100", "occupation": "it", "postings": 2, "seekers": 0},
    ]
    rows, problems = check_records(records, reference=REF, where="page")
    assert problems == []
    totals = {(t["period"].month, t["indicator_code"], t["occupation"]): t["value"] for t in monthly_totals(rows)}
    assert totals[(5, "job_postings", "total")] == 1005 and totals[(5, "job_seekers", "services")] == 10
    assert totals[(6, "job_postings", "it")] == 2 and totals[(6, "job_seekers", "total")] == 0


@pytest.mark.parametrize(
    "record,field",
    [
        ({"date": "2025-13-01"}, "date"),
        ({"date": "2025-07-01"}, "date"),  # after `today`
        ({"region_code": "430102"}, "region_code"),  # a county: the feed is by city
        ({"occupation": "total"}, "occupation"),
        ({"postings": -1}, "postings"),
        ({"seekers": 2.5}, "seekers"),
    ],
)
def test_bad_feed_records(record, field):
    good = {"date": "2025-05-30", "region_code": "430100", "occupation": "services", "postings": 5, "seekers": 7}
    rows, problems = check_records([good | record], reference=REF, where="page")
    assert rows == [] and [p.column for p in problems] == [field]
