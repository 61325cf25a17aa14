"""The warning benchmark's fixed definitions, on series built so the answer is known."""

import numpy as np
import pandas as pd
import pytest

from service.alerting.score import episode_starts, in_force, onsets, sahm_flags, score

MONTHS = pd.period_range("2000-01", periods=120, freq="M")


def rates(*columns):
    return pd.DataFrame(np.column_stack(columns), index=MONTHS, columns=[f"r{i}" for i in range(len(columns))])


def recession(start: int, rise: float = 2.0, months: int = 12, base: float = 4.0):
    x = np.full(len(MONTHS), base)
    x[start : start + months] = base + np.linspace(rise / months, rise, months)
    x[start + months :] = base + rise
    return x


def test_an_episode_starts_at_the_first_low_month_whose_next_18_months_rise_enough():
    got = episode_starts(rates(recession(40), recession(40, rise=1.2), np.full(120, 5.0)))
    # m is flat at 4.0 until month 39 and reaches 5.5 at month 49: months 31..39 all qualify as starts, and as
    # they are less than 24 months apart they count once, at the first.
    assert got == {"r0": [31], "r1": [], "r2": []}


def test_onsets_are_first_months_in_force():
    assert onsets(np.array([0, 1, 1, 0, 1, 0, 0, 1], dtype=bool)).tolist() == [1, 4, 7]


def test_score_counts_detections_delays_and_false_alarms():
    r = rates(recession(40), np.full(120, 5.0))
    flags = np.zeros((120, 2), dtype=bool)
    flags[36:60, 0] = True  # detects the episode (t0 = 31) 5 months late
    flags[5:7, 0] = True  # no episode within [onset - 9, onset + 12]: a false alarm
    flags[70:71, 1] = True  # the quiet region: a false alarm
    s = score(r, flags, first=MONTHS[0], last=MONTHS[-1])
    assert (s.episodes, s.detected, s.median_delay, s.onsets, s.false_alarms) == (1, 1, 5.0, 3, 2)
    assert s.precision == pytest.approx(1 / 3, abs=1e-3) and s.recall == 1.0


def test_a_warning_too_early_or_already_in_force_does_not_detect():
    r = rates(recession(40))
    early = np.zeros((120, 1), dtype=bool)
    early[10:60] = True  # in force since t0 - 21: no onset within [t0 - 12, t0 + 9]
    assert score(r, early, first=MONTHS[0], last=MONTHS[-1]).detected == 0


def test_sahm_flags_and_timeline_flags():
    r = rates(recession(40))
    f = sahm_flags(r)[:, 0]
    assert onsets(f).tolist() == [43]  # m is 0.5 pp above its low in the fourth month of the rise
    timeline = pd.DataFrame({"region": ["r0", "r0", "r0"], "period": ["2003-09", "2003-10", "2004-01"],
                             "grade": [3, 4, 2]})  # fmt: skip
    got = in_force(timeline, MONTHS, ["r0"])[:, 0]
    assert np.flatnonzero(got).tolist() == [44, 48]
