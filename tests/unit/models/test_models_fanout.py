"""Serial, process pool and Dask give the same numbers; executor specs are parsed strictly."""

import pandas as pd
import pytest

from models import PanelConfig, forecast_panel, make_executor
from models.fanout import DaskExecutor, ProcessExecutor, SerialExecutor

CFG = PanelConfig(
    horizon=2, origins=3, step=6, warmup=3, models=("ets", "theta", "pooled_ar"), min_calibration_errors=5
)


def _square(x):
    return x * x


@pytest.mark.parametrize(
    ("spec", "kind"),
    [("serial", SerialExecutor), ("process", ProcessExecutor), ("process:2", ProcessExecutor), (None, ProcessExecutor)],
)
def test_specs(spec, kind):
    with make_executor(spec) as ex:
        assert isinstance(ex, kind)
        assert ex.map(_square, [1, 2, 3]) == [1, 4, 9]


@pytest.mark.parametrize(
    "spec", ["threads", "process:x", "dask://", "dask://local?cores=3", "dask://local?processes=maybe"]
)
def test_bad_specs_are_refused(spec):
    with pytest.raises(ValueError):
        make_executor(spec)


@pytest.mark.slow
def test_serial_process_and_dask_give_identical_results(make_panel):
    frame = make_panel(n_series=3, months=100)
    results = {}
    for spec in ("serial", "process:2", "dask://local?workers=1&processes=false"):
        ex = make_executor(spec)
        try:
            if isinstance(ex, DaskExecutor):
                assert ex.map(_square, [4]) == [16]
            results[spec] = forecast_panel(frame, CFG, executor=ex)
        finally:
            ex.close()
    base = results["serial"]
    for spec, res in results.items():
        pd.testing.assert_frame_equal(res.points, base.points, check_exact=True, obj=spec)
        pd.testing.assert_frame_equal(res.accuracy, base.accuracy, check_exact=True, obj=spec)
        pd.testing.assert_frame_equal(res.members, base.members, check_exact=True, obj=spec)
