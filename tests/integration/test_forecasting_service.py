"""The forecasting engine inside the service: stored runs, no leakage through the database, scoring."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select
from testkit.factories import NOW, land_survey

from service.db.tables import ForecastPoint, ForecastRun, ForecastScore, ForecastSeries
from service.forecasting import ForecastTarget, forecast, score_forecasts

TARGET = (ForecastTarget("surveyed_unemployment_rate", "M", 6, 6, 6, sample_size=True),)
START = "2022-01"


def series(n: int, seed: int, level: float) -> list[float]:
    rng = np.random.default_rng(seed)
    months = np.arange(n)
    return list(np.round(level + 0.3 * np.sin(2 * np.pi * months / 12) + rng.normal(0, 0.1, n), 2))


def stored(db, run_id: int) -> pd.DataFrame:
    rows = db.execute(
        select(ForecastSeries.region_code, ForecastSeries.model, ForecastPoint.horizon, ForecastPoint.period,
               ForecastPoint.mean, ForecastPoint.lo80, ForecastPoint.hi80, ForecastPoint.lo95, ForecastPoint.hi95)
        .join(ForecastPoint, ForecastPoint.series_id == ForecastSeries.id)
        .where(ForecastSeries.run_id == run_id)
        .order_by(ForecastSeries.region_code, ForecastPoint.horizon)
    ).all()  # fmt: skip
    return pd.DataFrame(rows, columns=["region", "model", "h", "period", "mean", "lo80", "hi80", "lo95", "hi95"])


def test_runs_are_stored_with_models_intervals_and_accuracy(db):
    land_survey(db, {"430200": series(48, 1, 5.4), "430100": series(48, 2, 4.9), "430300": [5.0] * 8}, start=START)
    out = forecast(db, now=NOW, targets=TARGET)
    run = db.get(ForecastRun, out["run_id"])
    assert (run.status, run.n_series, run.data_as_of) == ("succeeded", 3, NOW)
    pts = stored(db, run.id)
    assert set(pts["region"]) == {"430100", "430200", "430300"} and len(pts) == 18
    assert (pts["lo95"] <= pts["lo80"]).all() and (pts["lo80"] <= pts["mean"]).all()
    assert (pts["mean"] <= pts["hi80"]).all() and (pts["hi80"] <= pts["hi95"]).all()
    assert list(pts[pts["region"] == "430200"]["period"]) == [dt.date(2026, m, 1) for m in range(1, 7)]
    zz = db.scalars(select(ForecastSeries).where(ForecastSeries.run_id == run.id, ForecastSeries.region_code ==
                                                 "430200")).one()  # fmt: skip
    assert zz.model.startswith("combo:") and zz.fallback_reason is None
    assert zz.params["weights"] and zz.params["accuracy"] and zz.params["scale"] > 0
    short = db.scalars(select(ForecastSeries).where(ForecastSeries.run_id == run.id, ForecastSeries.region_code ==
                                                    "430300")).one()  # fmt: skip
    assert short.model in {"naive", "seasonal_naive"} and "too short" in short.fallback_reason
    assert run.n_fallbacks == 1


def test_an_origins_forecast_does_not_change_when_later_data_arrive(db):
    full = series(48, 3, 5.2)
    land_survey(db, {"430200": full[:42]}, start=START)  # up to 2025-06
    origin = dt.date(2025, 6, 1)
    before = stored(db, forecast(db, now=NOW, targets=TARGET, origin=origin)["run_id"])
    later = NOW + dt.timedelta(days=40)
    land_survey(db, {"430200": full}, start=START, now=later)  # 2025-07..12 arrive
    after = stored(db, forecast(db, now=later, targets=TARGET, origin=origin)["run_id"])
    pd.testing.assert_frame_equal(before, after)
    newest = stored(db, forecast(db, now=later, targets=TARGET)["run_id"])
    assert newest["period"].min() == dt.date(2026, 1, 1)  # without an origin, the new data are used


def test_stored_forecasts_are_scored_when_actuals_arrive(db):
    values = series(48, 4, 5.0)
    land_survey(db, {"430200": values[:42]}, start=START)
    run_id = forecast(db, now=NOW, targets=TARGET)["run_id"]
    assert score_forecasts(db, now=NOW)["scored"] == 0  # nothing of 2025-07.. is known yet
    later = NOW + dt.timedelta(days=60)
    land_survey(db, {"430200": values}, start=START, now=later)
    result = score_forecasts(db, now=later)
    assert result["scored"] == 6
    scores = db.execute(select(ForecastScore.actual, ForecastScore.error, ForecastScore.covered80, ForecastPoint.mean,
                               ForecastPoint.lo80, ForecastPoint.hi80)
                        .join(ForecastPoint, ForecastPoint.id == ForecastScore.point_id)
                        .join(ForecastSeries, ForecastSeries.id == ForecastPoint.series_id)
                        .where(ForecastSeries.run_id == run_id)).all()  # fmt: skip
    assert sorted(round(s.actual, 2) for s in scores) == sorted(values[42:48])
    for s in scores:
        assert s.error == pytest.approx(s.actual - s.mean) and s.covered80 == (s.lo80 <= s.actual <= s.hi80)
    assert score_forecasts(db, now=later)["scored"] == 0  # each point is scored once
    assert db.scalar(select(func.count()).select_from(ForecastScore)) == 6


def test_cli_forecasts_one_indicator_and_region(fresh_db):
    from click.testing import CliRunner
    from sqlalchemy.orm import Session

    from service.cli import cli

    engine = fresh_db.engine()
    with Session(engine) as s, s.begin():
        land_survey(s, {"430200": series(48, 5, 5.1), "430100": series(48, 6, 4.8)}, start=START)
    env = {"LABOURWATCH_DATABASE_URL": fresh_db.url, "LABOURWATCH_EXECUTOR": "serial"}
    out = CliRunner().invoke(cli, ["forecast", "--indicator", "surveyed_unemployment_rate", "--region", "430200"],
                             env=env)  # fmt: skip
    assert out.exit_code == 0, out.output
    with Session(engine) as s:
        assert s.scalars(select(ForecastSeries.region_code)).all() == ["430200"]
    bad = CliRunner().invoke(cli, ["forecast", "--indicator", "no_such"], env=env)
    assert bad.exit_code != 0 and "not forecast" in bad.output
    engine.dispose()


def test_a_run_over_one_region_does_not_hide_the_others_forecasts(db):
    from service.db.queries import latest_forecast_series

    land_survey(db, {"430200": series(48, 7, 5.1), "430100": series(48, 8, 4.8)}, start=START)
    full = forecast(db, now=NOW, targets=TARGET)["run_id"]
    partial = forecast(db, now=NOW + dt.timedelta(hours=1), targets=TARGET, regions=frozenset({"430200"}))["run_id"]
    ids = latest_forecast_series(db, indicators=["surveyed_unemployment_rate"])
    latest = {s.region_code: s.run_id for s in db.scalars(select(ForecastSeries).where(ForecastSeries.id.in_(ids)))}
    assert latest == {"430200": partial, "430100": full}
    before = latest_forecast_series(db, indicators=["surveyed_unemployment_rate"], as_of=NOW + dt.timedelta(hours=1),
                                    strictly_before=True)  # fmt: skip
    assert {db.get(ForecastSeries, i).run_id for i in before} == {full}
