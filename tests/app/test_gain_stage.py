"""Gain staging on the in-process host: known answers, peak guard, idempotence, bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest

from reaper_assist.app import gain_stage
from reaper_assist.emulator.project import Project
from reaper_assist.host.inprocess import InProcessHost
from tests.app.conftest import bursts, measured_pre_fx, sine

TARGET_TOL_DB = 0.2  # issue 3: each track within +-0.2 dB of the target
IDEMPOTENCE_TOL_DB = 0.1  # issue 3: a second run changes nothing within 0.1 dB


def run(path, **options):
    host = InProcessHost.open(str(path))
    rec = gain_stage.run(host, options=options)
    out = path.with_name("out.rpp")
    host.save(str(out))
    return rec, out, host


def test_tracks_reach_the_rms_target(builder):
    builder.track("Pad", sine(0.05))  # -29.0 dBFS RMS (asymmetric stereo: both channels counted)
    builder.track("Keys", sine(0.6, freq=440.0))
    builder.track("Toms", bursts(0.02))  # sparse: RMS over active parts, not over the silence
    path = builder.save()
    rec, out, _ = run(path)
    assert rec["status"] == "ok" and rec["message"] == "changed 3 of 3 tracks"
    for name in ("Pad", "Keys", "Toms"):
        rms, peak = measured_pre_fx(out, name)
        assert rms == pytest.approx(-18.0, abs=TARGET_TOL_DB), name
        assert peak <= -6.0 + 1e-6
    toms = next(t for t in rec["tracks"] if t["name"] == "Toms")
    # a plain RMS over the whole 4 s would read 6 dB lower than over the 1-in-4 active parts
    assert toms["before_db"] == pytest.approx(20 * np.log10(0.02) - 3.01, abs=0.05)


def test_second_run_changes_nothing(builder, tmp_path):
    builder.track("Pad", sine(0.05))
    builder.track("Keys", sine(0.3))
    path = builder.save()
    _, out, _ = run(path)
    rec2, out2, _ = run(out)
    assert rec2["message"] == "the tracks are already at target; nothing changed"
    assert all(t["status"] == "at target" and abs(t["change_db"]) <= IDEMPOTENCE_TOL_DB for t in rec2["tracks"])
    a = Project.load(out).dumps().split("<EXTSTATE")[0]
    b = Project.load(out2).dumps().split("<EXTSTATE")[0]
    assert a == b


def test_peak_guard_binds_and_says_so(builder):
    # a spiky signal: 0.5 RMS-ish pulse train; crest factor ~ 20 dB, so -18 RMS would put peaks above -6
    x = np.zeros((SR := 48000) * 2)
    x[:: SR // 10] = 0.1
    x += 0.001 * np.sin(2 * np.pi * 200 * np.arange(x.size) / SR)
    builder.track("Click", np.stack([x, x], axis=1))
    path = builder.save()
    rec, out, _ = run(path)
    t = rec["tracks"][0]
    assert "limited by the peak guard" in t["reason"] and "-6.0 dBFS" in t["reason"]
    _, peak = measured_pre_fx(out, "Click")
    assert peak == pytest.approx(-6.0, abs=1e-6)


def test_lufs_target(builder):
    x = sine(0.1, freq=997.0, seconds=5.0)
    builder.track("Vox", x)
    rec, out, _ = run(builder.save(), target="lufs:-23")
    from reaper_assist.analysis.loudness import measure_loudness

    p = Project.load(out)
    take = p.tracks[0].items[0].active_take
    assert measure_loudness(x.T * take.volume, 48000).integrated_lufs == pytest.approx(-23.0, abs=TARGET_TOL_DB)


def test_relative_item_levels_and_polarity_are_preserved(builder):
    tr = builder.track("Gtr", sine(0.1), sine(0.1))
    items = tr.items
    items[1].active_take.volume = -0.5  # quieter and polarity-flipped take
    path = builder.save()
    _, out, _ = run(path)
    t0, t1 = (it.active_take.volume for it in Project.load(out).tracks[0].items)
    assert t1 / t0 == pytest.approx(-0.5, rel=1e-12)


def test_unselected_tracks_and_user_fx_untouched(builder):
    builder.track("Sel", sine(0.05))
    builder.track("NotSel", sine(0.05), selected=False)
    from reaper_assist.emulator.reascript import Reaper

    api = Reaper(builder.project).rpr_functions()
    tr = api["RPR_GetTrack"](0, 0)
    api["RPR_TrackFX_AddByName"](tr, "ReaEQ", False, -1)
    api["RPR_TrackFX_SetNamedConfigParm"](tr, 0, "renamed_name", "RA Gain")  # the user's, with our name
    path = builder.save()
    before = Project.load(path)
    _, out, _ = run(path, method="js")
    after = Project.load(out)
    from reaper_assist.emulator import rpp

    assert rpp.dumps(after.tracks[1].chunk) == rpp.dumps(before.tracks[1].chunk)
    fx_after = after.tracks[0].fx
    assert [f.name for f in fx_after] == ["RA Gain", "RA Gain"]  # ours added at the top, the user's kept
    assert rpp.dumps(fx_after[1].plugin) == rpp.dumps(before.tracks[0].fx[0].plugin)


def test_js_volume_method_compensates_its_law_and_updates_in_place(builder):
    builder.track("Pad", sine(0.05))
    path = builder.save()
    rec, out, _ = run(path, method="js")
    change = rec["tracks"][0]["change_db"]
    p = Project.load(out)
    fx = p.tracks[0].fx[0]
    assert fx.original_name == "JS: Volume Adjustment" and fx.renamed_name == "RA Gain"
    adjust = fx.model.get_param(0)
    # the JSFX applies 2^(adjust/6) (facts 2.6); that must equal the planned change
    assert 20 * np.log10(2 ** (adjust / 6)) == pytest.approx(change, abs=1e-4)  # record rounds to 1e-4 dB
    assert change == pytest.approx(-18.0 - (20 * np.log10(0.05) + 10 * np.log10((1 + 0.49) / 2) - 3.01), abs=0.05)
    assert json.loads(p.tracks[0].get_ext("reaper_assist_tag")) == {fx.guid.upper(): "gain"}
    rec2, out2, _ = run(out, method="js")
    assert rec2["tracks"][0]["status"] == "at target"
    assert len(Project.load(out2).tracks[0].fx) == 1


def test_dry_run_writes_nothing(builder):
    builder.track("Pad", sine(0.05))
    path = builder.save()
    host = InProcessHost.open(str(path))
    before = host.reaper.project.dumps()
    rec = gain_stage.run(host, dry_run=True)
    assert rec["dry_run"] and rec["message"] == "would change 1 of 1 tracks"
    assert host.reaper.project.dumps() == before


def _without_record(text: str) -> str:
    if "  <EXTSTATE" not in text:
        return text
    return text[: text.index("  <EXTSTATE")] + text[text.index("  <TRACK"):]


def test_undo_restores_everything_but_the_record(builder):
    builder.track("Pad", sine(0.05))
    path = builder.save()
    host = InProcessHost.open(str(path))
    before = host.reaper.project.dumps()
    rec = gain_stage.run(host)
    assert rec["status"] == "ok"
    assert host.reaper.undo.can_undo() == "reaper-assist: Gain-stage 1 track"
    assert host.undo()
    assert _without_record(host.reaper.project.dumps()) == before


@pytest.mark.parametrize("case", ["empty selection", "midi only", "silent", "missing media", "all muted"])
def test_bad_input_is_reported_and_leaves_the_project(builder, tmp_path, case):
    if case == "empty selection":
        builder.track("Pad", sine(0.05), selected=False)
    elif case == "midi only":
        tr = builder.track("Synth")
        from reaper_assist.emulator.rpp import Chunk, Line

        item = builder.project.add_item(tr, position=0, length=2.0)
        src = Chunk.new("SOURCE", ["MIDI"])
        src.children = [Line("HASDATA 1 960 QN"), Line("E 0 90 3c 60"), Line("E 960 80 3c 00")]
        item.chunk.children.append(src)
    elif case == "silent":
        builder.track("Quiet", np.zeros((48000, 2)))
    elif case == "missing media":
        builder.track("Gone", sine(0.05))
        (tmp_path / "Gone-0.wav").unlink()
    elif case == "all muted":
        tr = builder.track("Muted", sine(0.05))
        tr.items[0].mute = True
    path = builder.save()
    host = InProcessHost.open(str(path))
    before = host.reaper.project.dumps()
    rec = gain_stage.run(host)
    assert rec["status"] == "error"
    expected = {"empty selection": "no tracks selected", "midi only": "Synth: MIDI only",
                "silent": "Quiet: silent", "missing media": "missing media", "all muted": "every item is muted"}[case]
    assert expected in rec["message"]
    if case == "missing media":
        assert "track 'Gone', item 1" in rec["message"] and "Gone-0.wav" in rec["message"]
    assert _without_record(host.reaper.project.dumps()) == before
    assert "reaper-assist gain-stage: error" in "".join(host.reaper.console)


def test_second_run_reuses_the_analysis_and_a_changed_file_does_not(builder, monkeypatch):
    builder.track("Pad", sine(0.05))
    path = builder.save()
    host = InProcessHost.open(str(path))
    gain_stage.run(host)  # changes the take volume by +11 dB
    calls = []
    real = gain_stage._measure
    monkeypatch.setattr(gain_stage, "_measure", lambda *a: calls.append(a) or real(*a))
    rec = gain_stage.run(host)
    assert calls == [] and rec["tracks"][0]["status"] == "at target"
    assert rec["tracks"][0]["before_db"] == pytest.approx(-18.0, abs=IDEMPOTENCE_TOL_DB)
    # the user replaces the media: its size/mtime change, so it is measured again
    import soundfile as sf

    sf.write(builder.tmp / "Pad-0.wav", sine(0.2), 48000, subtype="FLOAT")
    rec = gain_stage.run(host)
    assert len(calls) == 1 and rec["tracks"][0]["status"] == "changed"


def test_settings_file_project_override_and_cli(builder, tmp_path, monkeypatch, capsys):
    builder.track("Pad", sine(0.05))
    path = builder.save()
    cfg = tmp_path / "settings.json"
    cfg.write_text('{"gain-stage": {"target": "rms:-20"}}')
    monkeypatch.setenv("REAPER_ASSIST_CONFIG", str(cfg))
    host = InProcessHost.open(str(path))
    assert gain_stage.run(host, dry_run=True)["tracks"][0]["after_db"] == pytest.approx(-20.0, abs=0.05)
    host.set_proj_ext("reaper_assist", "settings", '{"gain-stage": {"target": "rms:-16"}}')  # the project wins
    assert gain_stage.run(host, dry_run=True)["tracks"][0]["after_db"] == pytest.approx(-16.0, abs=0.05)
    rec = gain_stage.run(host, dry_run=True, options={"target": "lufs:-30"})  # this run's option wins
    assert rec["settings"]["target"] == "lufs:-30"
    cfg.write_text('{"gain-stage": {"peak_ceiling_dbfs": 3}}')
    rec = gain_stage.run(host, dry_run=True)
    assert rec["status"] == "error" and "peak_ceiling_dbfs 3: must be within -60..0 dBFS" in rec["message"]

    from reaper_assist.cli import main

    monkeypatch.delenv("REAPER_ASSIST_CONFIG")
    out = tmp_path / "cli.rpp"
    assert main(["run", "gain-stage", "--project", str(path), "--tracks", "Pad", "--save", str(out), "--aes17"]) == 0
    text = capsys.readouterr().out
    assert "AES17" in text and "-15.0" in text  # -18 plain RMS shown as -15.0 AES17
    assert measured_pre_fx(out, "Pad")[0] == pytest.approx(-18.0, abs=TARGET_TOL_DB)
    assert main(["run", "gain-stage", "--project", str(path), "--tracks", "Nope", "--dry-run"]) == 2
