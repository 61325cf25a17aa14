"""Signal plus survey noise: the noise variance follows the sample size, and the filter follows the signal."""

import numpy as np
import pytest

from models import SignalPlusNoise
from models.local_level import survey_noise_variance


@pytest.mark.parametrize(
    ("rate", "n", "deff", "percent", "expected"),
    [
        (5.0, 1000, 1.0, True, 1e4 * 0.05 * 0.95 / 1000),
        (0.05, 1000, 1.0, False, 0.05 * 0.95 / 1000),
        (5.0, 500, 2.0, True, 2 * 1e4 * 0.05 * 0.95 / 500),
        (50.0, 100, 1.0, True, 1e4 * 0.25 / 100),
    ],
)
def test_noise_variance_is_p_q_over_n_times_design_effect(rate, n, deff, percent, expected):
    assert survey_noise_variance(rate, n, deff, percent) == pytest.approx(expected)


@pytest.mark.parametrize("n", [0, -5, np.nan])
def test_bad_sample_sizes_are_refused(n):
    with pytest.raises(ValueError, match="sample sizes"):
        survey_noise_variance(5.0, n)


def _survey(n_people, T=240, seed=5):
    rng = np.random.default_rng(seed)
    signal = 5 + np.cumsum(rng.normal(0, 0.04, T))
    var = survey_noise_variance(signal, np.full(T, n_people))
    return signal, signal + rng.normal(0, np.sqrt(var)), np.full(T, float(n_people))


def test_known_sample_size_beats_the_raw_survey_at_tracking_the_signal():
    signal, y, n = _survey(600)
    model = SignalPlusNoise().fit(y, n)
    # the filtered level is much closer to the true signal than the noisy last observation
    assert abs(model.state_[0] - signal[-1]) < abs(y[-1] - signal[-1]) or abs(model.state_[0] - signal[-1]) < 0.2
    errs_model, errs_naive = [], []
    for end in range(120, 239, 6):
        m = SignalPlusNoise().fit(y[:end], n[:end])
        errs_model.append(abs(m.predict(1)["mean"][0] - signal[end]))
        errs_naive.append(abs(y[end - 1] - signal[end]))
    assert np.mean(errs_model) < 0.6 * np.mean(errs_naive)


def test_estimated_noise_variance_is_close_to_the_truth_without_sample_sizes():
    _, y, n = _survey(600)
    true_var = float(np.mean(survey_noise_variance(y, n)))
    est = SignalPlusNoise().fit(y).params_["noise_var"]
    assert est == pytest.approx(true_var, rel=0.35)


def test_smaller_samples_give_wider_intervals():
    _, y, _ = _survey(600)
    wide = SignalPlusNoise(sample_size=200).fit(y).predict(1)
    narrow = SignalPlusNoise(sample_size=5000).fit(y).predict(1)
    assert (wide["hi-80"] - wide["lo-80"])[0] > (narrow["hi-80"] - narrow["lo-80"])[0]


def test_matches_statsmodels_local_level_when_the_noise_is_estimated():
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    _, y, _ = _survey(600)
    ours = SignalPlusNoise().fit(y)
    ref = UnobservedComponents(y, "local level").fit(disp=False)
    assert ours.predict(1)["mean"][0] == pytest.approx(float(ref.forecast(1)[0]), abs=0.02)
    assert ours.params_["noise_var"] == pytest.approx(float(ref.params[0]), rel=0.1)
