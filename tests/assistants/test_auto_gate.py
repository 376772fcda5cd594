"""Issue 7, action 4: "Auto-gate selected tracks", measured on emulator renders of recorded drum
hits (hydrogen-drumkits, ColomboAcousticDrumkit) over steady noise."""

from __future__ import annotations

import numpy as np
import pytest

from reaper_assist.app import auto_gate
from reaper_assist.emulator.project import Project
from tests.assistants.assist_builder import Session, render_file, run
from tests.assistants.assist_material import RATE, hits_with_noise, hydrogen_hit

NOISE_DROP_DB = 20.0  # issue 7: gating lowers the noise between hits by at least 20 dB
PEAK_TOL_DB = 1.0  # issue 7: hit peaks stay within 1 dB
EVERY_S = 2.0  # the samples are cut at 1 s; the noise is measured from 50 ms after they end
KITS = {"Snare": "snare-opaque-2mics", "Kick": "bassdrum-4mics-br-stereo-normal3", "Tom": "tom-mid-1"}


@pytest.fixture(scope="module")
def gate_session(stems, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("auto-gate")
    s = Session(tmp)
    onsets = {}
    for name, sample in KITS.items():
        hit, _ = hydrogen_hit(sample)
        x, on = hits_with_noise(hit, every_s=EVERY_S, noise_dbfs=-50.0, seed=len(name))
        s.track(name, x)
        onsets[name] = (on, min(hit.size, RATE))  # hits_with_noise cuts a sample at 1 s
    s.track("Keys", stems("keys"))  # sustained: a gate would chop it
    path = s.save()
    out1 = tmp / "g1.rpp"
    rec1, _ = run(auto_gate.run, path, out1)
    out2 = tmp / "g2.rpp"
    rec2, _ = run(auto_gate.run, out1, out2)
    return {"in": path, "out": out1, "rec1": rec1, "rec2": rec2, "onsets": onsets}


def _db(x):
    return 10 * np.log10(max(float(np.mean(np.asarray(x) ** 2)), 1e-30))


@pytest.mark.parametrize("name", sorted(KITS))
def test_noise_between_hits_drops_and_hit_peaks_stay(gate_session, name):
    x_in, x_out = render_file(gate_session["in"], name), render_file(gate_session["out"], name)
    on, length = gate_session["onsets"][name]
    gaps_in, gaps_out, peaks = [], [], []
    for i in on:
        a, b = i + length + int(0.05 * RATE), i + int((EVERY_S - 0.05) * RATE)
        if b <= a or b > x_in.shape[1]:
            continue
        gaps_in.append(x_in[:, a:b])
        gaps_out.append(x_out[:, a:b])
        seg = slice(i, i + int(0.05 * RATE))
        peaks.append(20 * np.log10(np.max(np.abs(x_out[:, seg])) / np.max(np.abs(x_in[:, seg]))))
    assert gaps_in, "no gap measured"
    drop = _db(np.concatenate(gaps_in, axis=1)) - _db(np.concatenate(gaps_out, axis=1))
    assert drop >= NOISE_DROP_DB, f"{name}: noise between hits down {drop:.1f} dB"
    assert max(abs(p) for p in peaks) <= PEAK_TOL_DB, f"{name}: hit peaks moved {peaks}"


def test_sustained_part_is_not_gated_and_reported(gate_session):
    rec = gate_session["rec1"]
    keys = next(t for t in rec["tracks"] if t["name"] == "Keys")
    assert keys["status"] == "at target" and "no gate" in keys["reason"]
    p = Project.load(str(gate_session["out"]))
    assert [len(t.fxchain.fx) if t.fxchain else 0 for t in p.tracks] == [1, 1, 1, 0]
    assert rec["undo"] == "reaper-assist: Auto-gate 4 tracks"


def test_second_run_changes_nothing(gate_session):
    rec = gate_session["rec2"]
    assert rec["status"] == "ok" and rec["changes"] == []
