"""The Prophet adapter: quiet, not pickled fitted, and an install hint when Prophet is missing."""

import logging
import pickle
import sys

import numpy as np
import pytest

from models.prophet import INSTALL_HINT, Prophet

Y = 5 + np.sin(np.arange(48) * 2 * np.pi / 12) + np.random.default_rng(2).normal(0, 0.05, 48)


def test_fits_monthly_data_quietly_and_gives_every_level(capfd, caplog):
    caplog.set_level(logging.DEBUG)
    out = Prophet(start="2018-01").fit(Y).predict(3, level=(80, 95))
    assert out["mean"].shape == (3,)
    assert np.all(out["lo-95"] <= out["lo-80"]) and np.all(out["hi-80"] <= out["hi-95"])
    captured = capfd.readouterr()
    assert "cmdstanpy" not in captured.out + captured.err
    assert not [r for r in caplog.records if r.name.startswith(("cmdstanpy", "prophet"))]


def test_a_fitted_adapter_travels_unfitted():
    model = Prophet(start="2018-01").fit(Y)
    clone = pickle.loads(pickle.dumps(model))
    assert not hasattr(clone, "model_")
    assert clone.params_ == model.params_


def test_missing_prophet_fails_with_an_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "prophet", None)
    with pytest.raises(ImportError, match="pip install") as info:
        Prophet().fit(Y)
    assert str(info.value) == INSTALL_HINT
