"""Inhibition across risks of one region, and silences matching a region subtree, a risk and a time window."""

import datetime as dt

from testkit.alerting import default_rules

from service.alerting.inhibit import inhibited
from service.alerting.silence import SilenceSpec, muted_by

NOW = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def test_a_worse_grade_inhibits_other_risks_of_the_same_region_only():
    grades = {
        ("430200", "unemployment"): 2,
        ("430200", "layoffs"): 3,
        ("430200", "data"): 4,  # missing data is always told
        ("430100", "layoffs"): 4,  # another region: untouched
    }
    assert inhibited(grades, default_rules()) == {("430200", "layoffs"): ("unemployment", 2)}


def test_equal_grades_do_not_inhibit_each_other():
    assert inhibited({("430200", "unemployment"): 3, ("430200", "layoffs"): 3}, default_rules()) == {}


def test_silences_match_subtree_risk_and_window():
    s = SilenceSpec(7, "430200", "layoffs", NOW - dt.timedelta(hours=1), NOW + dt.timedelta(days=1))
    everything = SilenceSpec(8, "430000", None, NOW + dt.timedelta(hours=1), NOW + dt.timedelta(days=1))
    assert muted_by([s], region_path="430000/430200/430211", risk="layoffs", now=NOW) == 7
    assert muted_by([s], region_path="430000/430200", risk="unemployment", now=NOW) is None
    assert muted_by([s], region_path="430000/430100", risk="layoffs", now=NOW) is None
    assert muted_by([s], region_path="430000/430200", risk="layoffs", now=NOW + dt.timedelta(days=1)) is None
    assert muted_by([everything, s], region_path="430000/430200", risk="layoffs", now=NOW) == 7  # not started yet
