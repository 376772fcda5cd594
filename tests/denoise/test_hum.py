"""Hum (issue 19 point 1): notches on one tagged ReaEQ, measured on the emulator's render."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import csd, welch

from tests.denoise import material as M
from tests.denoise.conftest import build, line_db, local_db, render_track, run, with_source

HUM_DROP_DB = 20.0  # issue 19: hum harmonics down >= 20 dB
FAR_CHANGE_DB = 0.5  # issue 19: < 0.5 dB change more than a semitone away from them
PRESENT_DB = 10.0  # a harmonic "is there" when it stands 10 dB over the clean stem's power within +-0.5 Hz


@pytest.fixture(scope="module", params=[("speech", 50.0), ("bass", 60.0), ("piano", 50.0)], ids=str)
def hummed(request, stems, tmp_path_factory):
    stem, f0 = request.param
    clean = stems[stem]
    h = M.hum(f0, clean.size)
    tmp = tmp_path_factory.mktemp(f"hum-{stem}")
    path = build(tmp, clean + h)
    media = (tmp / "in.wav").read_bytes()
    rec, out, host = run(path)
    return stem, f0, clean, h, tmp, path, out, rec, host, media


def test_present_harmonics_fall_20_db(hummed):
    """Every harmonic that stands 10 dB over the stem's own line falls >= 20 dB (the hum isolated
    as the render of the noisy take minus the render of the clean stem, both through the emulator)."""
    stem, f0, clean, h, tmp, path, out, rec, _, _ = hummed
    assert rec["tracks"][0]["status"] == "changed", rec["message"]
    import soundfile as sf

    sf.write(tmp / "clean.wav", clean, M.SR, subtype="FLOAT")
    # the emulator's EQ is linear: the hum alone is the render minus the clean stem's render
    x = render_track(path) - render_track(with_source(path, "in.wav", "clean.wav"))
    y = render_track(out) - render_track(with_source(out, "in.wav", "clean.wav"))
    present = [k for k, a in M.HUM_SHAPE_DB.items() if M.HUM_DBFS + a - local_db(clean, k * f0, 0.5) >= PRESENT_DB]
    assert 1 in present and len(present) >= 3, present
    drops = {k: line_db(x, k * f0) - line_db(y, k * f0) for k in present}
    assert min(drops.values()) >= HUM_DROP_DB, drops


def test_a_semitone_away_nothing_changes(hummed):
    """White noise through the same track, with and without our ReaEQ: the transfer (cross-spectrum,
    1 Hz resolution) more than a semitone from every notch stays within 0.5 dB."""
    stem, f0, clean, h, tmp, path, out, rec, _, _ = hummed
    import soundfile as sf

    noise = np.random.default_rng(3).standard_normal(clean.size) * 0.1
    sf.write(tmp / "noise.wav", noise, M.SR, subtype="FLOAT")
    x = render_track(with_source(path, "in.wav", "noise.wav"))
    y = render_track(with_source(out, "in.wav", "noise.wav"))
    f, pxy = csd(x, y, M.SR, nperseg=M.SR)
    _, pxx = welch(x, M.SR, nperseg=M.SR)
    gain = 20 * np.log10(np.abs(pxy / pxx))
    notches = [n["freq_hz"] for n in rec["tracks"][0]["evidence"]["notches"]]
    far = (f >= 20) & (f <= 20000)
    for fn in notches:
        far &= np.abs(np.log2(np.maximum(f, 1) / fn)) > 1 / 12
    assert np.max(np.abs(gain[far])) < FAR_CHANGE_DB, f[far][np.argmax(np.abs(gain[far]))]


def test_one_tagged_reaeq_and_media_untouched(hummed):
    stem, f0, clean, h, tmp, path, out, rec, _, media = hummed
    fx = [ln for ln in out.read_text().splitlines() if ln.strip().startswith("<VST")]
    assert len(fx) == 1 and '"RA Denoise"' in fx[0] and "reaper_assist_tag" in out.read_text()
    assert (tmp / "in.wav").read_bytes() == media
    ev = rec["tracks"][0]["evidence"]
    assert ev["hum_floor_after_dbfs"] < ev["hum_floor_before_dbfs"] - HUM_DROP_DB
    assert -0.5 < ev["signal_damage_db"] <= 0.0
    assert abs(ev["f0_hz"] - f0) < 0.01


def test_second_run_changes_nothing_and_one_undo_restores(hummed):
    stem, f0, clean, h, tmp, path, out, rec, host, _ = hummed
    rec2, out2, _ = run(out)
    assert rec2["changes"] == [] and rec2["tracks"][0]["status"] == "at target", rec2["message"]
    assert host.undo()
    host.save(str(path.with_name("undone.rpp")))
    assert "RA Denoise" not in path.with_name("undone.rpp").read_text()


def test_bass_playing_a1_is_not_hum(stems, tmp_path):
    rec, out, _ = run(build(tmp_path, stems["bass"]))
    t = rec["tracks"][0]
    assert rec["changes"] == [] and t["status"] == "at target" and "no noise found" in t["reason"], t


def test_hum_off_the_mains_frequency_is_not_notched(stems, tmp_path):
    rec, out, _ = run(build(tmp_path, stems["speech"] + M.hum(53.0, stems["speech"].size)))
    t = rec["tracks"][0]
    assert rec["changes"] == [] and "53.0" in t["reason"] and "not at 50 or 60 Hz" in t["reason"], t


def test_very_short_item_is_skipped_with_its_reason(stems, tmp_path):
    x = stems["speech"][: M.SR] + M.hum(50.0, M.SR)
    rec, out, _ = run(build(tmp_path, x))
    t = rec["tracks"][0]
    assert rec["changes"] == [] and t["status"] == "skipped" and "too short" in t["reason"], t


def test_dry_run_writes_nothing(stems, tmp_path):
    path = build(tmp_path, stems["speech"] + M.hum(60.0, stems["speech"].size))
    before = path.read_text()
    from reaper_assist.app import denoise
    from reaper_assist.host.inprocess import InProcessHost

    host = InProcessHost.open(str(path))
    rec = denoise.run(host, dry_run=True)
    assert rec["tracks"][0]["status"] == "changed" and rec["changes"]
    host.save(str(path))
    assert path.read_text() == before
