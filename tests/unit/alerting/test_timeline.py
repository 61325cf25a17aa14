"""The grade timeline as a table of cases: values in, grades out, for `for`, hysteresis, hold and gaps."""

import numpy as np
import pytest

from service.alerting.timeline import grade_timeline, grade_values

NAN = float("nan")
BOUNDS = np.array([[5.5, 6.0, 7.0, 8.0]])  # IV, III, II, I


def run(values, *, k=1, margin=0.0, hold=0, op=">=", level=None, level_margin=0.0, allowed=None, bounds=BOUNDS):
    v = np.array(values, dtype=float)[:, None]
    raw, relaxed = grade_values(v, bounds, op=op, margin=np.array([margin]))
    return grade_timeline(
        raw,
        relaxed,
        np.isnan(v),
        periods_needed=np.array([k]),
        hold=np.array([hold]),
        level=None if level is None else np.array(level, dtype=float)[:, None],
        level_margin=np.array([level_margin]),
        allowed=None if allowed is None else np.array(allowed)[:, None],
    )[:, 0].tolist()


CASES = [
    # name, values, settings, grades (0 = none, 4 = IV ... 1 = I)
    ("quiet", [5.0, 5.2, 5.4], {}, [0, 0, 0]),
    ("fires at once", [5.0, 5.6, 6.1], {}, [0, 4, 3]),
    ("bounds are inclusive", [5.5, 6.0, 7.0, 8.0], {}, [4, 3, 2, 1]),
    ("for 2 waits", [5.6, 5.0, 5.6, 5.6], {"k": 2}, [0, 0, 0, 4]),
    ("for 2: the grade held both periods", [6.1, 7.2, 7.3], {"k": 2}, [0, 3, 2]),
    ("clears without margin", [5.6, 5.4], {}, [4, 0]),
    ("margin keeps the grade", [5.6, 5.4, 5.35, 5.29], {"margin": 0.2}, [4, 4, 4, 0]),
    ("margin steps down one grade at a time", [7.1, 6.85, 6.5, 5.95], {"margin": 0.2}, [2, 2, 3, 3]),
    ("hold keeps firing after clear", [5.6, 5.0, 5.0, 5.0, 5.0], {"hold": 2}, [4, 4, 4, 0, 0]),
    ("a worse grade escalates at once", [5.6, 8.2], {"k": 1}, [4, 1]),
    ("a gap holds the grade and restarts for", [5.6, NAN, 5.0, 5.6, 5.6], {"k": 2}, [0, 0, 0, 0, 4]),
    ("a gap is not a clear", [5.6, 5.6, NAN, NAN, 5.0], {"k": 2}, [0, 4, 4, 4, 0]),
]


@pytest.mark.parametrize("name,values,settings,expected", CASES, ids=[c[0] for c in CASES])
def test_timeline(name, values, settings, expected):
    assert run(values, **settings) == expected


def test_less_than_rules_grade_the_low_side():
    bounds = np.array([[1.0, np.nan, np.nan, np.nan]])
    v = np.array([[1.2], [0.95], [0.99], [1.02], [1.06]])
    raw, relaxed = grade_values(v, bounds, op="<", margin=np.array([0.05]))
    out = grade_timeline(raw, relaxed, np.isnan(v), periods_needed=np.array([1]), hold=np.array([0]))
    assert out[:, 0].tolist() == [0, 4, 4, 4, 0]


def test_onset_level_clears_only_when_the_rise_is_undone():
    # A rise fires when the rise value meets the bound; the level plateaus, so the rise value decays, but the
    # warning stays until the level falls back below where it fired (5.6) less the margin (0.1).
    rise = [0.0, 0.6, 0.6, 0.2, 0.0, 0.0, 0.0]
    level = [5.0, 5.6, 5.7, 5.7, 5.6, 5.5, 5.4]
    out = run(rise, level=level, level_margin=0.1, bounds=np.array([[np.nan, 0.5, np.nan, np.nan]]))
    assert out == [0, 3, 3, 3, 3, 3, 0]


def test_allowed_gates_firing_but_not_clearing():
    values = [5.6, 5.6, 5.6, 5.6, 5.0]
    assert run(values, allowed=[False, False, True, False, False]) == [0, 0, 4, 4, 0]


def test_regions_are_independent():
    v = np.array([[5.6, 5.0], [5.0, 6.1]])
    raw, relaxed = grade_values(v, np.repeat(BOUNDS, 2, axis=0), op=">=", margin=np.zeros(2))
    out = grade_timeline(raw, relaxed, np.isnan(v), periods_needed=np.array([1, 2]), hold=np.zeros(2, int))
    assert out.tolist() == [[4, 0], [0, 0]]
