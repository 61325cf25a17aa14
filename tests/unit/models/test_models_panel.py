"""The whole panel run: no leakage, the result frames the service stores, fallbacks recorded, quarterly data."""

import json

import numpy as np
import pandas as pd
import pytest

from models import PanelConfig, forecast_panel

CFG = PanelConfig(
    horizon=3, origins=4, step=6, warmup=4, models=("ets", "pooled_ar", "naive"), min_calibration_errors=10
)


@pytest.fixture(scope="module")
def result(make_panel):
    return forecast_panel(make_panel(), CFG)


def test_points_have_one_row_per_series_origin_and_horizon(result):
    pts = result.points
    back = pts[pts["kind"] == "backtest"]
    assert len(back) == 4 * 4 * 3
    assert sorted(back["origin"].unique()) == ["2013-03", "2013-09", "2014-03", "2014-09"]
    assert list(pts.columns[:10]) == [
        "series_id",
        "origin",
        "period",
        "horizon",
        "mean",
        "lo80",
        "hi80",
        "lo95",
        "hi95",
        "model",
    ]
    assert (pts["lo95"] <= pts["lo80"]).all() and (pts["lo80"] <= pts["mean"]).all()
    assert (pts["mean"] <= pts["hi80"]).all() and (pts["hi80"] <= pts["hi95"]).all()
    assert set(pts["model"]) == {"combo:ets+pooled_ar+naive"}
    live = pts[pts["kind"] == "live"]
    assert set(live["origin"]) == {"2014-12"} and live["actual"].isna().all()
    params = json.loads(pts["params"].iloc[0])
    assert set(params["weights"]) == {"ets", "pooled_ar", "naive"} and "ets" in params["members"]


def test_accuracy_is_running_mase_per_model_and_horizon(result):
    acc = result.accuracy
    assert set(acc["model"]) == {"ets", "pooled_ar", "naive", "combo:ets+pooled_ar+naive"}
    assert set(acc["horizon"]) == {1, 2, 3}
    first = acc[acc["origin"] == "2013-03"]
    assert first["mase"].notna().all()  # the warm-up origins' errors are known by the first reported origin


def test_series_table_and_members(result):
    s = result.series.set_index("series_id")
    assert (s["season_length"] == 1).all() and (s["origins"] == 4).all() and (s["scale"] > 0).all()
    assert set(result.members["kind"]) == {"warmup", "backtest", "live"}


def test_a_forecast_from_origin_t_is_the_same_with_or_without_later_data(make_panel):
    full = make_panel()
    cut = full[full["period"] <= "2013-03"]
    origins = ("2010-08", "2011-02", "2011-08", "2012-02", "2012-08", "2013-02")
    cfg = PanelConfig(
        horizon=3,
        warmup=2,
        models=("ets", "pooled_ar", "theta"),
        origin_periods=origins,
        min_calibration_errors=10,
        live=False,
    )
    a = forecast_panel(cut, cfg).points
    b = forecast_panel(full, cfg).points
    cols = ["series_id", "origin", "period", "mean", "lo80", "hi80", "lo95", "hi95", "model", "params"]
    pd.testing.assert_frame_equal(a[cols], b[cols])
    assert a["actual"].isna().sum() > 0 and b["actual"].isna().sum() == 0


def test_failing_model_falls_back_per_series_without_stopping_the_run(make_panel):
    frame = make_panel(n_series=3)
    short = frame[(frame["series_id"] != "r1") | (frame["period"] >= "2012-06")]  # r1: 31 months only
    cfg = PanelConfig(
        horizon=3, origins=2, step=6, warmup=1, models=("ets", "naive"), min_train=24, season_length=12, live=False
    )
    res = forecast_panel(short, cfg)
    fb = res.fallbacks
    assert not fb.empty and set(fb["series_id"]) == {"r1"} and set(fb["model"]) == {"ets"}
    assert fb["reason"].str.contains("needs at least").all() and set(fb["used"]) == {"seasonal_naive"}
    assert res.points["mean"].notna().all()


def test_quarterly_indicator_with_one_or_two_quarters_ahead(make_panel):
    q = make_panel(months=120)
    q = (
        q.assign(period=pd.PeriodIndex(q["period"], freq="M").asfreq("Q").astype(str))
        .groupby(["series_id", "period"], as_index=False)["value"]
        .mean()
    )
    cfg = PanelConfig(
        horizon=2, origins=4, step=1, warmup=4, freq="Q", models=("ets", "naive", "pooled_ar"), min_calibration_errors=8
    )
    res = forecast_panel(q, cfg)
    back = res.points[res.points["kind"] == "backtest"]
    assert set(back["horizon"]) == {1, 2} and back["origin"].str.contains("Q").all()
    assert len(back) == 4 * 4 * 2


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"combine": "vote"}, "combine"),
        ({"models": ("ets", "crystal_ball")}, "unknown model"),
        ({"freq": "W"}, "freq"),
        ({"levels": (80, 120)}, "interval level"),
        ({"calibrate": "maybe"}, "calibrate"),
    ],
)
def test_bad_config_is_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        PanelConfig(**kwargs)


@pytest.mark.parametrize(
    ("mutate", "match"),
    [
        (lambda f: f.drop(columns="value"), "lacks column"),
        (lambda f: pd.concat([f, f.iloc[:1]]), "duplicate"),
        (lambda f: f.assign(period="month 13"), "periods must look like"),
    ],
)
def test_bad_frames_are_refused(mutate, match, make_panel):
    with pytest.raises(ValueError, match=match):
        forecast_panel(mutate(make_panel(n_series=2, months=60)), CFG)


def test_gaps_inside_a_series_are_filled_from_the_past_and_counted(make_panel):
    f = make_panel(n_series=2, months=80)
    f = f[~((f["series_id"] == "r0") & f["period"].isin(["2008-03", "2008-04"]))]
    cfg = PanelConfig(horizon=2, warmup=0, models=("naive",), live=False, origin_periods=("2008-04", "2011-04"))
    res = forecast_panel(f, cfg)
    assert res.series.set_index("series_id")["filled"].to_dict() == {"r0": 2, "r1": 0}
    assert np.isfinite(res.points["mean"]).all()
    # the naive forecast from the gap is the last value seen before it, not one from after it
    before = f[(f["series_id"] == "r0") & (f["period"] == "2008-02")]["value"].item()
    at_gap = res.points[(res.points["series_id"] == "r0") & (res.points["origin"] == "2008-04")]["mean"]
    np.testing.assert_allclose(at_gap, before)


def test_exogenous_signals_reach_sarimax_lagged(make_panel):
    f = make_panel(n_series=2, months=100)
    rng = np.random.default_rng(1)
    f["claims"] = rng.normal(0, 1, len(f))
    # the rate answers claims two months later
    f["value"] = f["value"] + 0.5 * f.groupby("series_id")["claims"].shift(2).fillna(0)
    cfg = PanelConfig(horizon=3, origins=2, warmup=2, models=("sarimax",), exog=(("claims", 2),), live=False)
    res = forecast_panel(f, cfg)
    assert res.fallbacks.empty
    params = json.loads(res.points["params"].iloc[0])["members"]["sarimax"]
    assert params["lags"] == [2] and params["x1"] == pytest.approx(0.5, abs=0.1)


def test_sample_sizes_reach_the_signal_plus_noise_model(make_panel):
    f = make_panel(n_series=2, months=80).assign(n=800.0)
    cfg = PanelConfig(horizon=2, origins=2, warmup=2, models=("ll_noise",), sample_size="n", live=False)
    params = json.loads(forecast_panel(f, cfg).points["params"].iloc[0])["members"]["ll_noise"]
    assert params["noise_var"] == "from sample size"
