"""The emulator renders a ReaEQ band-gain parameter envelope (what de-ess writes) as facts say:
the envelope stores the native value (facts 1.5: the TrackFX_GetParam range; ReaEQ gain
native = linear / 4, facts Q1), square points hold, linear points interpolate the native value,
and at a peaking band's centre the gain is the band's gain (RBJ cookbook: |H(f0)| = A^2)."""

from __future__ import annotations

import numpy as np
import soundfile as sf

from reaper_assist.emulator.project import Project
from reaper_assist.host.inprocess import InProcessHost
from reaper_assist.plugins.reaeq import bw_native, freq_native
from tests.automation.conftest import render_track

SR = 48000
F0 = 5000.0
TOL_DB = 0.2  # the native value moves 0.19/s: over a 10 ms window that is < 0.15 dB


def _project(tmp_path):
    p = Project.new(sample_rate=SR)
    p.path = str(tmp_path / "env.rpp")
    tr = p.add_track(0, name="Vox")
    t = np.arange(3 * SR) / SR
    sf.write(tmp_path / "sine.wav", 0.25 * np.sin(2 * np.pi * F0 * t), SR, subtype="FLOAT")
    p.add_item(tr, position=0.0, length=3.0, file=str(tmp_path / "sine.wav"))
    p.save(p.path)
    host = InProcessHost.open(p.path)
    api = host.api
    track = api.GetTrack(0, 0)
    k = api.TrackFX_AddByName(track, "ReaEQ", False, -1)
    api.TrackFX_SetNamedConfigParm(track, k, "BANDTYPE0", "8")  # band 1: a peaking "Band" (facts 2.1)
    for b in range(1, 4):
        api.TrackFX_SetNamedConfigParm(track, k, f"BANDENABLED{b}", "0")
    api.TrackFX_SetParam(track, k, 0, freq_native(F0))
    api.TrackFX_SetParam(track, k, 2, bw_native(1.0))
    env = api.GetFXEnvelope(track, k, 1, True)  # band 1's gain
    for t0, native, shape in ((0.0, 0.25, 1), (1.0, 0.0625, 0), (2.0, 0.25, 0)):
        api.InsertEnvelopePoint(env, t0, native, shape, 0.0, False, True)
    api.Envelope_SortPoints(env)
    host.save(p.path)
    return tmp_path / "env.rpp"


def test_reaeq_gain_envelope_renders_in_native_units(tmp_path):
    y, start = render_track(_project(tmp_path))
    assert start == 0.0

    def gain_db(t: float) -> float:
        seg = y[int((t - 0.005) * SR):int((t + 0.005) * SR)]
        return 20 * np.log10(np.sqrt(np.mean(seg**2)) / (0.25 / np.sqrt(2)))

    native = {0.5: 0.25, 0.95: 0.25,  # square: holds 0 dB until the next point
              1.05: 0.0625 + 0.05 * 0.1875, 1.5: 0.0625 + 0.5 * 0.1875,  # linear in the native value
              2.5: 0.25}
    for t, v in native.items():
        expected = 20 * np.log10(4 * v)
        assert abs(gain_db(t) - expected) < TOL_DB, (t, gain_db(t), expected)
