"""Issue 18 point 2: "Compare reaper-assist changes" switches every action's FX and lanes on the
selected tracks to bypassed at the same loudness (within 0.5 LU, measured by the emulator's own
dry-run render, RENDER_STATS) and back again byte for byte; ``--preview`` writes an action's work
bypassed, compare keeps it and remove discards it."""

from __future__ import annotations

import pytest

from reaper_assist.app.registry import run_action
from reaper_assist.host.inprocess import InProcessHost
from tests.report.conftest import HISSY, body, copy

LOUDNESS_MATCH_LU = 0.5  # issue 18 acceptance
DRY_RUN_SELECTED_TRACKS = 42438  # the emulator's "Calculate loudness of selected tracks via dry run render"


def lufs(host, name: str) -> float:
    """The track's integrated loudness as the emulator's dry-run render reports it (the oracle)."""
    api = host.reaper.rpr_functions()
    tracks = [api["RPR_GetTrack"](0, i) for i in range(api["RPR_CountTracks"](0))]
    was = [api["RPR_IsTrackSelected"](t) for t in tracks]
    for t in tracks:
        api["RPR_SetTrackSelected"](t, api["RPR_GetTrackName"](t, "", 64)[2] == name)
    api["RPR_Main_OnCommand"](DRY_RUN_SELECTED_TRACKS, 0)
    text = api["RPR_GetSetProjectInfo_String"](0, "RENDER_STATS", str(DRY_RUN_SELECTED_TRACKS), False)[3]
    for t, w in zip(tracks, was):
        api["RPR_SetTrackSelected"](t, w)
    field = next(f for f in text.split(";") if f.startswith("LUFSI:"))
    return float(field.split(":")[1])


def fx_states(host):
    api = host.reaper.rpr_functions()
    out = {}
    for i in range(api["RPR_CountTracks"](0)):
        tr = api["RPR_GetTrack"](0, i)
        name = api["RPR_GetTrackName"](tr, "", 64)[2]
        for k in range(api["RPR_TrackFX_GetCount"](tr)):
            fx = api["RPR_TrackFX_GetNamedConfigParm"](tr, k, "renamed_name", "", 256)[4]
            out[(name, fx)] = bool(api["RPR_TrackFX_GetEnabled"](tr, k))
    return out


@pytest.fixture(scope="module")
def compared(processed, tmp_path_factory):
    path = copy(processed, tmp_path_factory.mktemp("compare"))
    host = InProcessHost.open(str(path))
    names = [t.name for t in host.read_state().tracks if t.selected]
    on = {n: lufs(host, n) for n in names}
    rec = run_action("compare", host)
    return path, host, names, on, rec


def test_bypassed_at_the_same_loudness(compared):
    path, host, names, on, rec = compared
    assert rec["status"] == "ok" and rec["undo"] == "reaper-assist: Compare reaper-assist changes on 6 tracks"
    states = fx_states(host)
    assert states[("Bass", "My Bass EQ")] is True  # the user's EQ is never switched
    ours = {k: v for k, v in states.items() if k[1].startswith("RA ") and k[1] != "RA Compare"}
    assert ours and not any(ours.values())
    assert all(states[(n, "RA Compare")] for n in names if (n, "RA Compare") in states)
    uncompensated = {}
    for n in names:
        if n == "Toms":  # silent: nothing of the tool's on it
            continue
        assert abs(lufs(host, n) - on[n]) <= LOUDNESS_MATCH_LU, n
    # the make-up gain is doing the work: without it the bypass is audibly louder or quieter
    api = host.reaper.rpr_functions()
    keys = next(api["RPR_GetTrack"](0, i) for i in range(api["RPR_CountTracks"](0))
                if api["RPR_GetTrackName"](api["RPR_GetTrack"](0, i), "", 64)[2] == "Keys")
    k = next(k for k in range(api["RPR_TrackFX_GetCount"](keys))
             if api["RPR_TrackFX_GetNamedConfigParm"](keys, k, "renamed_name", "", 64)[4] == "RA Compare")
    api["RPR_TrackFX_SetEnabled"](keys, k, False)
    uncompensated["Keys"] = lufs(host, "Keys")
    api["RPR_TrackFX_SetEnabled"](keys, k, True)
    assert abs(uncompensated["Keys"] - on["Keys"]) > 2 * LOUDNESS_MATCH_LU
    # the values the tool changed are the user's again: gain-stage's take volumes, balance's track
    # volumes, auto-pan's pans (all 1.0 or centre in the untouched demo session)
    values = [c for c in rec["changes"] if c["what"].endswith(": your value")]
    fields = sorted({c["what"].split(" (")[0].split(":")[0] for c in values})
    assert fields == ["take volume", "track pan", "track volume"], fields
    # 5 tracks' takes; the hissy track's take volume went with denoise's take: its own take plays
    assert sum(c["what"].startswith("take volume") for c in values) == 5
    switched = [c for c in rec["changes"] if c["what"].startswith("the active take of item")]
    assert [c["track_name"] for c in switched] == [HISSY]
    assert all(c["new"] in (1.0, 0.0) for c in values)
    for i in range(api["RPR_CountTracks"](0)):
        tr = api["RPR_GetTrack"](0, i)
        if api["RPR_GetTrackName"](tr, "", 64)[2] in names:
            assert api["RPR_GetMediaTrackInfo_Value"](tr, "D_VOL") == 1.0
            assert api["RPR_GetMediaTrackInfo_Value"](tr, "D_PAN") == 0.0
            take = api["RPR_GetActiveTake"](api["RPR_GetTrackMediaItem"](tr, 0))
            assert api["RPR_GetMediaItemTakeInfo_Value"](take, "D_VOL") == 1.0
            src = api["RPR_GetMediaSourceFileName"](api["RPR_GetMediaItemTake_Source"](take), "", 4096)[1]
            assert "reaper-assist" not in src  # the user's media plays, never denoise's render
    lanes = [c for c in rec["changes"] if "lane off" in c["what"]]
    assert sorted(c["what"] for c in lanes) == ["the Trim Volume lane off"] * 6 + ["the Volume (Pre-FX) lane off"]
    # ride's Trim Volume lanes on 6 tracks and dip-gaps' lane on the hissy Lead Synth


def test_compare_again_is_the_processed_file_byte_for_byte(compared):
    path, host, names, on, rec = compared
    back = run_action("compare", host)
    assert back["status"] == "ok" and all("on again" in t["reason"] for t in back["tracks"] if t["name"] != "Toms")
    out = path.with_name(path.stem + "-back.rpp")
    host.save(str(out))
    assert body(out) == body(path)


def test_preview_then_keep_or_discard(processed, tmp_path):
    path = processed.original.parent / f"{tmp_path.name}-preview.rpp"
    path.write_bytes(processed.original.read_bytes())
    host = InProcessHost.open(str(path))
    before = lufs(host, "Keys")
    rec = run_action("auto-eq", host, options={"preview": True})
    assert rec["preview"] is True and "preview: the new FX and lanes are written bypassed" in rec["message"]
    assert fx_states(host)[("Keys", "RA EQ")] is False
    assert abs(lufs(host, "Keys") - before) < 0.01  # bypassed: the sound is the original's
    kept = run_action("compare", host)
    assert any("the preview's changes on: kept" in t["reason"] for t in kept["tracks"])
    assert fx_states(host)[("Keys", "RA EQ")] is True
    # discarding: a preview removed is the original file again
    host2 = InProcessHost.open(str(path))
    run_action("auto-eq", host2, options={"preview": True})
    run_action("remove", host2)
    out = path.with_name(path.stem + "-discarded.rpp")
    host2.save(str(out))
    assert body(out) == body(processed.original)


def master_lufs(host) -> float:
    """The master's integrated loudness from the emulator's dry-run render of the master."""
    from reaper_assist.rules.mastering import parse_render_stats

    return parse_render_stats(host.master_stats()).integrated_lufs


def master_fx(host) -> dict[str, bool]:
    api = host.reaper.rpr_functions()
    m = api["RPR_GetMasterTrack"](0)
    return {api["RPR_TrackFX_GetNamedConfigParm"](m, k, "renamed_name", "", 256)[4]: bool(api["RPR_TrackFX_GetEnabled"](m, k))
            for k in range(api["RPR_TrackFX_GetCount"](m))}


def test_master_preview_kept_by_compare_or_discarded_by_remove(processed, tmp_path):
    """Gap 4: ``master --preview`` decides with the same renders, writes its gain and limiter
    bypassed (the master sounds as before, < 0.01 LU); ``compare --master`` switches them on and
    the master reads the platform's target; ``remove --master`` gives the original file back."""
    from tests.report.test_remove import EMPTY_MASTER_FX

    path = processed.original.parent / f"{tmp_path.name}-mpreview.rpp"
    path.write_bytes(processed.original.read_bytes())
    host = InProcessHost.open(str(path))
    before = master_lufs(host)
    rec = run_action("master", host, options={"preview": True})
    assert rec["status"] == "ok" and rec["preview"] is True, rec["message"]
    assert "written bypassed (run compare --master" in rec["message"]
    assert master_fx(host) == {"RA Master Gain": False, "RA Master Limit": False}
    assert abs(master_lufs(host) - before) < 0.01
    target = rec["master"]["target_lufs"]
    assert abs(before - target) > 1.0  # the preview would change the loudness audibly
    saved = path.with_name(path.stem + "-previewed.rpp")
    host.save(str(saved))
    kept = run_action("compare", host, options={"master": True})
    assert kept["status"] == "ok" and "the preview's changes on: kept (2 FX" in kept["tracks"][0]["reason"]
    assert master_fx(host) == {"RA Master Gain": True, "RA Master Limit": True}
    assert abs(master_lufs(host) - target) <= 0.5  # what master alone reaches (rules.mastering tolerance)
    assert abs(master_lufs(host) - rec["master"]["integrated_lufs"]) < 0.01
    # a master run after a preview switches our bypassed FX on again
    h3 = InProcessHost.open(str(saved))
    again = run_action("master", h3)
    assert again["status"] == "ok" and master_fx(h3) == {"RA Master Gain": True, "RA Master Limit": True}
    assert abs(master_lufs(h3) - target) <= 0.5
    # discarded: remove --master, the original file (the master's empty FX list block aside)
    h2 = InProcessHost.open(str(saved))
    gone = run_action("remove", h2, options={"master": True})
    assert gone["status"] == "ok"
    out = path.with_name(path.stem + "-discarded.rpp")
    h2.save(str(out))
    assert body(out).replace(EMPTY_MASTER_FX, "") == body(processed.original)


def test_cli_master_preview_and_compare_master(processed, tmp_path):
    import subprocess
    import sys

    path = processed.original.parent / f"{tmp_path.name}-mcli.rpp"
    path.write_bytes(processed.original.read_bytes())
    out, kept = path.with_name(path.stem + "-p.rpp"), path.with_name(path.stem + "-k.rpp")
    run = [sys.executable, "-m", "reaper_assist.cli", "run"]
    r = subprocess.run(run + ["master", "--project", str(path), "--master", "--preview", "--save", str(out)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "preview: the master's gain and limiter are written bypassed" in r.stdout
    r = subprocess.run(run + ["compare", "--project", str(out), "--master", "--save", str(kept)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "compare: ok: changed 1 of 1 track" in r.stdout
    r = subprocess.run(run + ["remove", "--project", str(path), "--selected", "--preview", "--dry-run"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "remove has no --preview" in r.stdout + r.stderr


def test_compare_switches_a_gain_stage_take_volume_at_equal_loudness(tmp_path):
    """Gap 2, on a render with known numbers: a 220 Hz sine at -30 dBFS RMS gain-staged to
    -18 dBFS RMS (take volume +12 dB, no FX); compare puts the take volume back to the user's 1.0
    and RA Compare makes up the 12 dB (the dry-run loudness within 0.5 LU of the processed one,
    and 12 LU away without it); compare again: the processed file byte for byte."""
    import numpy as np
    import soundfile as sf

    from reaper_assist.emulator.project import Project

    sr = 48000
    x = np.sqrt(2) * 10 ** (-30 / 20) * np.sin(2 * np.pi * 220 * np.arange(4 * sr) / sr)
    sf.write(tmp_path / "tone.wav", np.stack([x, x], axis=1), sr, subtype="FLOAT")
    p = Project.new(sample_rate=sr)
    p.path = str(tmp_path / "tone.rpp")
    tr = p.add_track(0, name="Tone")
    p.add_item(tr, position=0.0, length=4.0, file=str(tmp_path / "tone.wav"))
    tr.selected = True
    p.save(p.path)
    host = InProcessHost.open(p.path)
    plain = lufs(host, "Tone")
    gs = run_action("gain-stage", host, options={"target": "rms:-18", "peak_ceiling_dbfs": 0})
    assert gs["status"] == "ok", gs["message"]
    api = host.reaper.rpr_functions()
    take = api["RPR_GetActiveTake"](api["RPR_GetTrackMediaItem"](api["RPR_GetTrack"](0, 0), 0))
    ours = api["RPR_GetMediaItemTakeInfo_Value"](take, "D_VOL")
    assert 20 * np.log10(ours) == pytest.approx(12.0, abs=0.05)
    processed = lufs(host, "Tone")
    assert processed - plain == pytest.approx(12.0, abs=0.1)
    saved = tmp_path / "processed.rpp"
    host.save(str(saved))
    rec = run_action("compare", host)
    assert rec["status"] == "ok", rec["message"]
    assert api["RPR_GetMediaItemTakeInfo_Value"](take, "D_VOL") == 1.0  # A: the user's value
    makeup = rec["tracks"][0]["evidence"]["makeup_db"]
    assert makeup == pytest.approx(12.0, abs=0.1)
    assert abs(lufs(host, "Tone") - processed) <= LOUDNESS_MATCH_LU
    assert abs(lufs(host, "Tone") - processed) < 0.05  # measured: a JS Volume of +12 dB on a sine
    # the history, which remove walks back, holds gain-stage's write only (not compare's switch)
    from reaper_assist.app import history

    assert [e["action"] for e in history.load(host)] == ["gain-stage"]
    back = run_action("compare", host)
    assert "1 values" in back["tracks"][0]["reason"]
    assert api["RPR_GetMediaItemTakeInfo_Value"](take, "D_VOL") == ours  # B: ours, exactly
    out = tmp_path / "back.rpp"
    host.save(str(out))
    assert body(out) == body(saved)
    # remove while compared off: the user's value stays, nothing else to do with the take
    run_action("compare", host)
    run_action("remove", host)
    assert api["RPR_GetMediaItemTakeInfo_Value"](take, "D_VOL") == 1.0
    host.save(str(tmp_path / "removed.rpp"))
    assert body(tmp_path / "removed.rpp") == body(p.path)


def test_compare_plays_your_take_where_denoise_added_one_in_either_order(processed, tmp_path):
    """Denoise's take is switched like an FX: compared off, the user's take plays at the user's own
    volume (gain-stage wrote it before denoise copied it: the first order; or wrote denoise's take
    after: the second), level-matched; on again, denoise's take plays at ours; remove is then the
    original session."""
    from tests.report.test_remove import _items, _take_facts

    for first in (("gain-stage", "denoise"), ("denoise", "gain-stage")):
        path = processed.original.parent / f"{tmp_path.name}-{first[0]}.rpp"
        path.write_bytes(processed.original.read_bytes())
        host = InProcessHost.open(str(path))
        lead = next(t.guid for t in host.read_state().tracks if t.name == HISSY)
        for action in first:
            assert run_action(action, host, track_guids=[lead])["status"] == "ok"
        api, item = _items(host, HISSY)
        names, active, ours_vol = _take_facts(api, item)
        assert active == "RA denoise" and abs(ours_vol - 1.0) > 0.01, first
        on = lufs(host, HISSY)
        rec = run_action("compare", host, track_guids=[lead])
        assert rec["status"] == "ok", rec["message"]
        names, active, vol = _take_facts(api, item)
        assert active != "RA denoise" and vol == 1.0, first  # the user's take, at the user's volume
        assert abs(lufs(host, HISSY) - on) <= LOUDNESS_MATCH_LU, first
        back = run_action("compare", host, track_guids=[lead])
        assert "1 takes" in back["tracks"][0]["reason"], back["tracks"][0]["reason"]
        names, active, vol = _take_facts(api, item)
        assert active == "RA denoise" and vol == ours_vol, first
        assert run_action("remove", host, track_guids=[lead])["status"] == "ok"
        out = path.with_name(path.stem + "-removed.rpp")
        host.save(str(out))
        assert body(out) == body(processed.original), first


def test_take_writes_refuse_a_client_naming_other_takes_or_other_values(processed, tmp_path):
    """As an attacker would send them: compare_take between the user's take and a GUID the item
    does not list as ours, or our_take_delete / compare_take whose restore sets another take value
    (the playrate) on the user's take: refused inside REAPER, the project byte for byte as it was."""
    from reaper_assist.errors import ReaperAssistError
    from tests.report.test_remove import _items

    path = copy(processed, tmp_path)
    host = InProcessHost.open(str(path))
    api, item = _items(host, HISSY)
    lead = next(t for t in host.read_state().tracks if t.name == HISSY)
    it = lead.items[0]
    ours = it.take.guid
    users = api["RPR_GetSetMediaItemTakeInfo_String"](api["RPR_GetMediaItemTake"](item, 0), "GUID", "", False)[3]
    base = {"track": lead.guid, "track_name": HISSY, "item": it.guid}
    bad = [
        ({**base, "op": "compare_take", "take_guid": users, "active_now": "{00000000-0000-0000-0000-000000000000}"},
         "no other take is ever switched"),
        ({**base, "op": "compare_take", "take_guid": users, "active_now": ours,
          "restore": '[["D_PLAYRATE", 2.0, [1.0]]]'}, "only D_VOL, D_PAN"),
        ({**base, "op": "our_take_delete", "take_guid": ours, "original_take": users,
          "restore": '[["D_PLAYRATE", 2.0, [1.0]]]'}, "only D_VOL, D_PAN"),
        ({**base, "op": "compare_take", "take_guid": users, "active_now": ours, "restore": '{"not": "rows"}'},
         "must be"),
    ]
    before = body(path)
    for op, why in bad:
        with pytest.raises(ReaperAssistError, match=why):
            host.apply([op], "reaper-assist: attack")
        out = path.with_name(path.stem + "-after.rpp")
        host.save(str(out))
        assert body(out) == before, op


def test_a_track_the_dry_runs_budget_left_unmeasured_says_so(processed, tmp_path, monkeypatch):
    """REAPER is not kept waiting (bridge/heard.py ``BUDGET_S``): a clock on which the budget is spent
    before the first dry run leaves every track unmeasured, and compare says that, not "silent"
    (counted on a fake clock, not timed)."""
    from reaper_assist.bridge import heard

    path = copy(processed, tmp_path)
    host = InProcessHost.open(str(path))
    clock = [0.0]

    def spent():
        clock[0] += heard.BUDGET_S
        return clock[0]

    monkeypatch.setattr(heard, "_clock", spent)
    rec = run_action("compare", host)
    assert rec["status"] == "ok", rec["message"]
    budget = f"not level-matched: not measured: the dry runs' time budget of {heard.BUDGET_S:g} s"
    reasons = [t["reason"] for t in rec["tracks"] if "bypassed (" in t["reason"]]
    assert len(reasons) == 6 and all(budget in r for r in reasons), reasons
    assert not any("silent in the dry run" in r for r in reasons)
