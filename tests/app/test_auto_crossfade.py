"""Auto-crossfaded items are measured with the fades REAPER plays (issue 10 point 7).

REAPER keeps an auto-crossfade's length apart from the manual fade (D_FADEINLEN_AUTO /
D_FADEOUTLEN_AUTO, "-1=no auto-fade", SDK text quoted in docs/media.md; the third field of the RPP
FADEIN/FADEOUT line, emulator uncertain.FADE_FIELDS) and plays it instead of the manual one. Two
equal DC items crossfaded with complementary linear fades sum to the same level throughout the
overlap; played with their short manual fades instead they would sum to twice it (+6.02 dB).
"""

from __future__ import annotations

import numpy as np
import soundfile as sf

from reaper_assist.app.track_audio import pre_fx_audio
from reaper_assist.emulator.engine.render import render
from reaper_assist.emulator.project import Project
from reaper_assist.host.inprocess import InProcessHost

SR = 48000
DC = 0.5
XFADE_S = 0.2  # the auto-crossfade: item B starts 0.2 s before item A ends
MANUAL_S = 0.01  # the manual fades the auto-crossfade overrides
# Complementary linear fades sum to 1 at every sample up to float rounding; 1e-9 of full scale is
# far below any level a meter reports (0.0000002 dB at 0.5) and far above double rounding.
SUM_TOL = 1e-9


def crossfaded_pair(tmp_path) -> str:
    wav = tmp_path / "dc.wav"
    sf.write(wav, np.full(2 * SR, DC), SR, subtype="FLOAT")
    p = Project.new()
    p.path = str(tmp_path / "xfade.rpp")
    t = p.add_track(0, name="Vox")
    a = p.add_item(t, position=0.0, length=1.0, file=str(wav))
    b = p.add_item(t, position=1.0 - XFADE_S, length=1.0, file=str(wav))
    # FADEIN/FADEOUT: shape, manual length, auto length, shape, ?, curvature (linear = shape 0)
    for it, key in ((a, "FADEOUT"), (b, "FADEIN")):
        it.chunk.set(key, 0, 0)
        it.chunk.set(key, 1, MANUAL_S)
        it.chunk.set(key, 2, XFADE_S)
        it.chunk.set(key, 3, 0)
    p.save(p.path)
    return p.path


def test_read_state_reports_the_auto_fade_lengths(tmp_path):
    state = InProcessHost.open(crossfaded_pair(tmp_path)).read_state()
    a, b = state.tracks[0].items
    assert (a.fade_out_s, a.fade_out_auto_s) == (MANUAL_S, XFADE_S)
    assert (b.fade_in_s, b.fade_in_auto_s) == (MANUAL_S, XFADE_S)


def test_an_auto_crossfaded_pair_keeps_its_level_through_the_overlap(tmp_path):
    host = InProcessHost.open(crossfaded_pair(tmp_path))
    track = host.read_state().tracks[0]
    pre = pre_fx_audio(track, SR)
    assert not pre.why_not(track, "measure")
    ta = pre.audio
    t = ta.start_s + np.arange(ta.n_samples) / SR
    body = (t >= 0.05) & (t < 1.75)  # both items' outer edges play no fade: all of it is DC
    assert np.max(np.abs(ta.audio[:, body] - DC)) < SUM_TOL


def test_product_media_matches_the_emulators_render_of_the_pair(tmp_path):
    host = InProcessHost.open(crossfaded_pair(tmp_path))
    track = host.read_state().tracks[0]
    ours = pre_fx_audio(track, SR).audio
    # the emulator renders the track as REAPER plays it (fader 0 dB, pan centre, no FX)
    emu = render(host.reaper.project, track=host.reaper.project.tracks[0], start_s=ours.start_s,
                 end_s=ours.end_s, sample_rate=SR)
    n = min(emu.audio.shape[1], ours.n_samples)
    assert n == round((2.0 - XFADE_S) * SR)
    assert np.max(np.abs(ours.audio[:2, :n] - emu.audio[:, :n])) < SUM_TOL
