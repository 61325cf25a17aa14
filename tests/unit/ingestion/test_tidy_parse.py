"""Tidy batches: what reads, and every kind of bad row named by file, row, column, value and reason."""

import datetime as dt

import pytest
from testkit.reference import hunan_reference

from ingestion.tidy import parse_observations

REF = hunan_reference()
HEAD_ZH = "地区代码,时期,指标,数值,样本量\n"
HEAD_EN = "region_code,period,indicator,value,sample_size\n"


def parse(text: str | bytes, source: str | None = "survey"):
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return parse_observations(raw, filename="upload.csv", reference=REF, source=source)


def test_chinese_headers_names_and_period_forms():
    batch = parse(
        HEAD_ZH
        + "430200,2025-03,城镇调查失业率,5.6,1200\n"
        + "株洲,2025年4月,surveyed_unemployment_rate,5.7,1180\n"
        + '430100,202505,城镇调查失业率,"5.1",\n'
    )
    assert batch.ok, batch.problems
    f = batch.frame
    assert list(f["region_code"]) == ["430200", "430200", "430100"]
    assert list(f["period"]) == [dt.date(2025, 3, 1), dt.date(2025, 4, 1), dt.date(2025, 5, 1)]
    assert list(f["value"]) == [5.6, 5.7, 5.1]
    assert f["sample_size"].tolist()[:2] == [1200, 1180] and f["sample_size"].isna().tolist()[2]


@pytest.mark.parametrize(
    "encoding,prefix", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gbk", b"")], ids=["utf8", "bom", "gbk"]
)
def test_encodings(encoding, prefix):
    batch = parse(prefix + (HEAD_ZH + "430200,2025-03,城镇调查失业率,5.6,1200\n").encode(encoding))
    assert batch.ok and batch.frame["value"].tolist() == [5.6]
    assert batch.encoding == {"utf-8": "utf-8" if not prefix else "utf-8-sig", "gbk": "gbk"}[encoding]


def test_title_rows_above_header_and_full_width_digits():
    batch = parse(
        "湖南省城镇调查失业率月报（2025年3月）\n\n"
        + HEAD_ZH
        + "４３０２００,２０２５-０３,城镇调查失业率,５.６,１２００\n"
    )
    assert batch.ok, batch.problems
    assert batch.frame.loc[0, "region_code"] == "430200" and batch.frame.loc[0, "value"] == 5.6


def test_quarterly_indicator_needs_a_quarter():
    ok = parse(HEAD_EN + "430200,2025Q1,registered_unemployment_rate,3.5,\n", source="hr_admin")
    assert ok.ok and ok.frame.loc[0, "period"] == dt.date(2025, 1, 1)
    zh = parse(HEAD_EN + "430200,2025年第三季度,城镇登记失业率,3.5,\n", source="hr_admin")
    assert zh.ok and zh.frame.loc[0, "period"] == dt.date(2025, 7, 1)
    bad = parse(HEAD_EN + "430200,2025-03,registered_unemployment_rate,3.5,\n", source="hr_admin")
    assert [p.reason for p in bad.problems] == ["not a quarter (write 2025Q1 or 2025年第一季度)"]


def test_counts_with_thousands_separators():
    batch = parse(HEAD_EN + '430200,2025-03,ui_insured,"412,345",\n', source="social_insurance")
    assert batch.ok and batch.frame.loc[0, "value"] == 412345


BAD = [
    ("999999,2025-03,surveyed_unemployment_rate,5.6,", "region_code", "unknown region code or name"),
    ("430200,2025-13,surveyed_unemployment_rate,5.6,", "period", "not a month (write 2025-03, 2025年3月 or 202503)"),
    ("430200,2027-01,surveyed_unemployment_rate,5.6,", "period", "period is in the future"),
    (
        "430200,2025-03,no_such_indicator,5.6,",
        "indicator",
        "unknown indicator (use a code or Chinese name from the dictionary)",
    ),
    ("430200,2025-03,surveyed_unemployment_rate,abc,", "value", "not a number"),
    (
        "430200,2025-03,surveyed_unemployment_rate,0.056,",
        "value",
        "a rate given as a fraction (0.055); give percent (5.5)",
    ),
    ("430200,2025-03,surveyed_unemployment_rate,105,", "value", "outside the valid range of this indicator"),
    ("430200,2025-03,surveyed_unemployment_rate,,", "value", "required value is empty"),
    ("430200,2025-03,surveyed_unemployment_rate,5.6,-3", "sample_size", "sample size must be a positive whole number"),
    ("430200,2025-03,ui_insured,1000,", "indicator", "indicator does not belong to the 'survey' source of this upload"),
]


@pytest.mark.parametrize("line,column,reason", BAD, ids=[b[2][:30] for b in BAD])
def test_bad_rows_are_named_and_nothing_is_returned(line, column, reason):
    batch = parse(HEAD_EN + "430100,2025-03,surveyed_unemployment_rate,5.1,900\n" + line + "\n")
    assert not batch.ok and batch.frame.empty
    assert [(p.file, p.row, p.column, p.reason) for p in batch.problems] == [("upload.csv", 3, column, reason)]
    assert all(p.reason_zh for p in batch.problems)


def test_negative_and_fractional_counts():
    batch = parse(HEAD_EN + "430200,2025-03,ui_new_claims,-5,\n430200,2025-04,ui_new_claims,2.5,\n", "social_insurance")
    assert [p.reason for p in batch.problems] == ["a count must not be negative", "a count must be a whole number"]


def test_duplicates_name_the_first_row():
    batch = parse(HEAD_EN + "430200,2025-03,surveyed_unemployment_rate,5.6,\n株洲市,2025年3月,城镇调查失业率,5.7,\n")
    assert [(p.row, p.reason) for p in batch.problems] == [
        (3, "duplicate of row 2 (same region, indicator, period and group)")
    ]


@pytest.mark.parametrize(
    "raw,reason",
    [
        (b"", "the file is empty"),
        (b"a,b,c\n1,2,3\n", "no header row with the required columns"),
        (HEAD_EN.encode(), "the file has a header but no data rows"),
        (b"\xff\xfe\x00\x01\x80\x81\xfe", "not UTF-8 or GBK text"),
    ],
    ids=["empty", "no-header", "header-only", "binary"],
)
def test_unreadable_files(raw, reason):
    batch = parse(raw)
    assert len(batch.problems) == 1 and batch.problems[0].reason.startswith(reason)
    assert batch.problems[0].row is None and batch.frame.empty


def test_every_problem_is_collected_not_just_the_first():
    batch = parse(HEAD_EN + "999999,2025-13,x,abc,\n430200,2025-03,surveyed_unemployment_rate,5.6,\n")
    assert {p.column for p in batch.problems} == {"region_code", "indicator", "value"}
