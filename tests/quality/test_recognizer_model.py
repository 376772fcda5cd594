"""Issue 13 point 8: the shipped recogniser is a data file trained on the tuning split only, with
calibrated confidence; when it is unsure it says "unknown" and the assistants use generic rules.
Its accuracy on the evaluation split is asserted in test_quality_slice.py (names withheld)."""

from __future__ import annotations

import dataclasses
import json
from importlib import resources

import numpy as np
import pytest

from bench import corpus as K
from bench import quality as Q
from reaper_assist.analysis import instruments, recognizer


def _model_json() -> dict:
    return json.loads(resources.files("reaper_assist").joinpath("data").joinpath(recognizer.MODEL_FILE).read_text())


def test_the_model_is_shipped_as_data_trained_on_tuning_sources_only():
    d = _model_json()
    tuning = {s.name for s in K.sources() if s.split == "tuning"}
    evaluation = {s.name for s in K.sources() if s.split == "evaluation"}
    assert set(d["info"]["tuning_sources"]) <= tuning
    assert not set(d["info"]["tuning_sources"]) & evaluation
    assert d["info"]["trained_by"] == "python scripts/train_recognizer.py"
    assert set(d["classes"]) == set(K.CLASSES)  # vocal included: voice is recognised from audio
    w = np.array(d["weights"])
    assert w.shape == (len(d["classes"]), len(recognizer.FEATURE_NAMES))
    assert 0.0 < d["temperature"] and 0.0 < d["unknown_below"] < 1.0


def test_a_model_for_other_features_is_refused_with_the_command_to_retrain():
    d = _model_json() | {"feature_version": recognizer.FEATURE_VERSION + 1}
    with pytest.raises(ValueError, match="train_recognizer.py"):
        recognizer.Model.from_json(d)


def test_voice_is_recognised_from_audio():
    st = next(s for s in K.stems("evaluation") if s.label == "vocal")
    g = instruments.recognise("Audio 1", st.read(), K.RATE)
    assert (g.instrument, g.source) == ("vocal", "audio")


def test_unsure_means_unknown_and_generic_rules_in_the_evidence(tmp_path, monkeypatch):
    """With a threshold no answer reaches, the recogniser says "unknown" (naming its best guess)
    and auto-EQ's evidence says the instrument was not recognised and generic rules were used."""
    from reaper_assist.app import auto_eq

    model = recognizer.shipped_model()
    monkeypatch.setattr(recognizer, "shipped_model", lambda: dataclasses.replace(model, unknown_below=0.999))
    st = next(s for s in K.stems("evaluation") if s.label == "keys")
    g = instruments.recognise("Audio 1", st.read(), K.RATE)
    assert g.instrument == "unknown" and g.source == "audio" and g.best_guess in model.classes
    s = Q.Session(tmp_path, "unsure")
    s.track("Audio 1", st.read())
    rec = s.run(auto_eq.run, dry_run=True)
    t = rec["tracks"][0]
    assert t["evidence"]["instrument"] == "unknown" and t["evidence"]["generic_rules"] is True
    assert "instrument not recognised (audio, confidence" in t["reason"] and "generic rules" in t["reason"]


def test_a_name_still_decides_over_audio():
    st = next(s for s in K.stems("evaluation") if s.label == "vocal")
    assert instruments.recognise("Gtr 2", st.read(), K.RATE).instrument == "guitar"


def test_audio_out_of_the_training_distribution_is_unknown_however_sure_the_softmax():
    """A plain sine is no instrument of the corpus: its features lie farther from the training
    mean than any tuning stem did from the stems of the other sources (the model's
    ``max_distance``), so it is "unknown" with confidence 0, though the softmax alone says keys
    at 0.99. Real stems of the evaluation split (one per class) lie inside and keep their class."""
    d = _model_json()
    assert 0.0 < d["max_distance"] < float("inf")
    assert abs(d["max_distance"] - d["info"]["out_of_source_distance"]["max"]) < 1e-3
    model = recognizer.shipped_model()
    t = np.arange(8 * K.RATE) / K.RATE
    for hz in (220.0, 1000.0):
        x = 0.3 * np.sin(2 * np.pi * hz * t)
        assert float(model.probabilities(recognizer.features(x, K.RATE)).max()) > 0.8  # the softmax is sure
        g = instruments.recognise(None, x, K.RATE)
        assert (g.instrument, g.confidence, g.source) == ("unknown", 0.0, "audio") and g.best_guess in model.classes
    inside = {}
    for st in K.stems("evaluation"):
        if st.label not in inside:
            inside[st.label] = model.distance(recognizer.features(st.read(), K.RATE)) <= model.max_distance
    assert all(inside.values()), inside
