"""Whatever bytes arrive, parsing answers with problems or rows; it never raises (a 500 on an upload)."""

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from testkit.reference import hunan_reference

from ingestion.headcounts import open_headcounts
from ingestion.tidy import parse_observations

REF = hunan_reference(dt.date(2025, 6, 30))
HEADER = "地区代码,时期,指标,数值,样本量,群体\n"
CELLS = st.sampled_from(
    ["430100", "株洲", "2025-03", "2025年3月", "2025Q1", "城镇调查失业率", "5.5", "0.05", "-1", "１２,３４５", "",
     '"', '""', "，", "\t", "%", "nan", "1e400", "全体", "x" * 40, "\ufeff", "\x00"]
)  # fmt: skip
ROWS = st.lists(st.lists(CELLS, min_size=0, max_size=8).map(",".join), max_size=12).map("\n".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=ROWS, head=st.booleans(), encoding=st.sampled_from(["utf-8", "gb18030", "utf-8-sig"]))
def test_csv_like_input_never_raises(body, head, encoding):
    raw = ((HEADER if head else "") + body).encode(encoding, errors="replace")
    parsed = parse_observations(raw, filename="f.csv", reference=REF, source="survey")
    assert parsed.ok or parsed.problems


@settings(max_examples=100, deadline=None)
@given(raw=st.binary(max_size=400))
def test_arbitrary_bytes_never_raise(raw):
    parsed = parse_observations(raw, filename="f.bin", reference=REF)
    assert parsed.ok or parsed.problems
    try:
        stream = open_headcounts(raw, filename="f.bin", reference=REF)
    except Exception as exc:  # only the documented refusal may escape opening
        assert type(exc).__name__ == "UnreadableInput", exc
    else:
        list(stream)
