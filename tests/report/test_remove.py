"""Issue 18 point 3: "Remove reaper-assist changes" takes every action's work off the demo session
(tagged FX, owned lanes, volumes from the durable history) in one undo step, and the saved project
is the original file again, byte for byte, apart from the tool's ExtState; the user's FX and a
volume the user changed since are left (and the latter reported)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from reaper_assist.app import history
from reaper_assist.app.registry import run_action
from reaper_assist.errors import StaleReferenceError
from reaper_assist.host.inprocess import InProcessHost
from tests.report.conftest import HISSY, body, copy

# the one thing the emulator cannot take back: the master's FX list block once it exists (the
# emulator does not set the master's state chunk; docs/report.md "What is left")
EMPTY_MASTER_FX = "  <MASTERFXLIST\n    SHOW 0\n    LASTSEL 0\n    DOCKED 0\n  >\n"
# and the render settings a master render (match-reference) sets and puts back: REAPER saves these two
# lines in every project (empty by default); the emulator's new project has none until one is set
RENDER_TEXTS = '  RENDER_FILE ""\n  RENDER_PATTERN ""\n'


def users_parts(text: str) -> str:
    return text.replace(EMPTY_MASTER_FX, "").replace(RENDER_TEXTS, "")


def remove_all(path) -> tuple[InProcessHost, dict, dict]:
    host = InProcessHost.open(str(path))
    tracks = run_action("remove", host)
    master = run_action("remove", host, options={"master": True})
    return host, tracks, master


def test_every_action_wrote_something(processed):
    assert all(r["status"] == "ok" for r in processed.records.values()), \
        {a: r["message"] for a, r in processed.records.items() if r["status"] != "ok"}
    changed = {a for a, r in processed.records.items() if r["changes"]}
    assert {"denoise", "gain-stage", "auto-eq", "unmask", "auto-compress", "ride", "dip-gaps", "de-ess", "balance",
            "auto-pan", "master", "match-reference", "ab-reference", "ab-reference-toggle"} <= changed
    # denoise's hiss take on the hissy track, then played by gain-stage's take volume
    assert any(c["what"].startswith("new active take 'RA denoise'") and c["track_name"] == HISSY
               for c in processed.records["denoise"]["changes"])
    assert any(c["track_name"] == HISSY and "take volume" in c["what"].lower()
               for c in processed.records["gain-stage"]["changes"])


def test_remove_restores_the_original_file(processed, tmp_path):
    path = copy(processed, tmp_path)
    assert body(path) != body(processed.original)
    host, rec, mrec = remove_all(path)
    out = path.with_name(path.stem + "-removed.rpp")  # same folder: media paths stay relative
    host.save(str(out))
    assert rec["status"] == "ok" and mrec["status"] == "ok"
    assert users_parts(body(out)) == body(processed.original)
    # the user's own EQ on Bass is byte-identical, and was never listed for removal
    assert "My Bass EQ" in body(out)
    assert not any("My Bass EQ" in c["what"] for c in rec["changes"])
    # one undo step takes the whole remove back
    assert host.undo() is True  # the master's remove
    assert host.undo() is True  # the tracks' remove
    host.save(str(path.with_name(path.stem + "-undone.rpp")))
    assert body(path.with_name(path.stem + "-undone.rpp")) == body(path)


def test_second_remove_changes_nothing(processed, tmp_path):
    path = copy(processed, tmp_path)
    host, _, _ = remove_all(path)
    once, twice = path.with_name(path.stem + "-once.rpp"), path.with_name(path.stem + "-twice.rpp")
    host.save(str(once))
    again = run_action("remove", host)
    assert again["changes"] == [] and again["message"] == "nothing of reaper-assist's to remove"
    host.save(str(twice))
    assert body(twice) == body(once)


def test_dry_run_writes_nothing(processed, tmp_path):
    path = copy(processed, tmp_path)
    host = InProcessHost.open(str(path))
    rec = run_action("remove", host, dry_run=True)
    assert rec["changes"] and "would change" in rec["message"]
    dry = path.with_name(path.stem + "-dry.rpp")
    host.save(str(dry))
    assert dry.read_text() == path.read_text()


def _take(host, track_name):
    api = host.reaper.rpr_functions()
    tr = next(api["RPR_GetTrack"](0, i) for i in range(api["RPR_CountTracks"](0))
              if api["RPR_GetTrackName"](api["RPR_GetTrack"](0, i), "", 64)[2] == track_name)
    return api, api["RPR_GetActiveTake"](api["RPR_GetTrackMediaItem"](tr, 0))


def test_a_volume_the_user_changed_since_is_left_and_reported(processed, tmp_path):
    path = copy(processed, tmp_path)
    host = InProcessHost.open(str(path))
    api, take = _take(host, "Kick")
    api["RPR_SetMediaItemTakeInfo_Value"](take, "D_VOL", 0.7)  # the user's own move after gain-stage
    rec = run_action("remove", host)
    assert api["RPR_GetMediaItemTakeInfo_Value"](take, "D_VOL") == 0.7
    kick = next(t for t in rec["tracks"] if t["name"] == "Kick")
    assert "take volume (item 1): you changed it since (-3.10 dB" in kick["reason"]
    assert "left as it is" in kick["reason"]
    _, snare = _take(host, "Snare")
    assert api["RPR_GetMediaItemTakeInfo_Value"](snare, "D_VOL") == 1.0  # the others are restored exactly


def test_history_restores_the_value_before_a_chain_of_runs(processed, tmp_path):
    """Two gain-stage runs (50 % then 100 %): the last record knows only the second; the history
    puts the take back to the user's value before both. A value the user set between two runs is
    the one restored."""
    path = processed.original.parent / f"{tmp_path.name}-chain.rpp"
    path.write_bytes(processed.original.read_bytes())
    host = InProcessHost.open(str(path))
    run_action("gain-stage", host, options={"amount": 50})
    run_action("gain-stage", host)
    api, snare = _take(host, "Snare")
    _, keys = _take(host, "Keys")
    api["RPR_SetMediaItemTakeInfo_Value"](keys, "D_VOL", 2.0)  # the user's value between runs
    run_action("gain-stage", host, options={"amount": 100, "target": "rms:-20"})
    entries = [e for e in history.load(host) if e["track_name"] == "Snare"]
    assert len(entries) == 3
    assert json.loads(host.get_proj_ext("reaper_assist", "last_run"))["action"] == "gain-stage"
    rec = run_action("remove", host)
    assert api["RPR_GetMediaItemTakeInfo_Value"](snare, "D_VOL") == 1.0
    assert api["RPR_GetMediaItemTakeInfo_Value"](keys, "D_VOL") == 2.0
    snare_rec = next(t for t in rec["tracks"] if t["name"] == "Snare")
    assert "back to +0.00 dB (before 3 runs of gain-stage)" in snare_rec["reason"]
    assert [e for e in history.load(host) if e["track_name"] in ("Snare", "Keys")] == []


def test_a_track_the_tool_added_is_deleted_and_a_user_track_never(processed, tmp_path):
    path = copy(processed, tmp_path)
    host = InProcessHost.open(str(path))
    api = host.reaper.rpr_functions()
    n = api["RPR_CountTracks"](0)
    api["RPR_InsertTrackAtIndex"](n, True)
    ref = api["RPR_GetTrack"](0, n)
    api["RPR_GetSetMediaTrackInfo_String"](ref, "P_NAME", "RA Reference", True)
    api["RPR_GetSetMediaTrackInfo_String"](ref, "P_EXT:reaper_assist_track", "ab-reference", True)
    api["RPR_SetTrackSelected"](ref, True)
    rec = run_action("remove", host)
    assert api["RPR_CountTracks"](0) == n
    assert any(t["name"] == "RA Reference" and "deleted" in t["reason"] for t in rec["tracks"])
    # a plan that names a user's track or FX for deletion is refused inside REAPER, nothing written
    state = host.read_state()
    bass = next(t for t in state.tracks if t.name == "Bass")
    users_eq = next(fx for fx in bass.fx if fx.renamed_name == "My Bass EQ")
    for op in ({"op": "track_delete", "track": bass.guid},
               {"op": "our_fx_delete", "track": bass.guid, "fx_guid": users_eq.guid}):
        with pytest.raises(StaleReferenceError, match="never deleted"):
            host.apply([op], "reaper-assist: test")
    assert any(fx.renamed_name == "My Bass EQ" for fx in host.read_state().tracks[4].fx)


def test_cli_remove(processed, tmp_path):
    path = copy(processed, tmp_path)
    out = path.with_name(path.stem + "-cli.rpp")
    r = subprocess.run([sys.executable, "-m", "reaper_assist.cli", "run", "remove", "--project", str(path),
                        "--selected", "--save", str(out)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "remove: ok: changed 6 of 7 tracks" in r.stdout
    assert "RA EQ" not in body(out) and "RA EQ" in body(path)


def test_the_report_no_longer_lists_what_remove_took_off(processed, tmp_path):
    from reaper_assist.reporting.collect import load_records

    path = copy(processed, tmp_path)
    host = InProcessHost.open(str(path))
    assert "auto-eq" in load_records(host.reaper.project)
    run_action("remove", host)
    kept = load_records(host.reaper.project)
    removed = {t.guid.upper() for t in host.read_state().tracks if t.selected}
    assert not any(str(c["track_guid"]).upper() in removed for r in kept.values() if r["action"] != "remove"
                   for c in r["changes"])


def _items(host, track_name):
    api = host.reaper.rpr_functions()
    tr = next(api["RPR_GetTrack"](0, i) for i in range(api["RPR_CountTracks"](0))
              if api["RPR_GetTrackName"](api["RPR_GetTrack"](0, i), "", 64)[2] == track_name)
    return api, api["RPR_GetTrackMediaItem"](tr, 0)


def _take_facts(api, item):
    takes = [api["RPR_GetMediaItemTake"](item, k) for k in range(api["RPR_CountTakes"](item))]
    active = api["RPR_GetActiveTake"](item)
    names = [api["RPR_GetSetMediaItemTakeInfo_String"](t, "P_NAME", "", False)[3] for t in takes]
    return names, api["RPR_GetSetMediaItemTakeInfo_String"](active, "P_NAME", "", False)[3], \
        api["RPR_GetMediaItemTakeInfo_Value"](active, "D_VOL")


def test_denoise_take_is_deleted_and_the_users_take_active_again(processed, tmp_path):
    """Gap 1: remove deletes the take denoise added (listed in the item's P_EXT) and makes the
    user's take active again at its own volume (gain-stage wrote the denoised take's volume after
    denoise); the rendered file stays in the project's reaper-assist/ folder (an undo plays it)."""
    path = copy(processed, tmp_path)
    host = InProcessHost.open(str(path))
    api, item = _items(host, HISSY)
    names, active, vol = _take_facts(api, item)
    assert len(names) == 2 and active == "RA denoise" and abs(vol - 1.0) > 0.01  # gain-stage moved it
    src = api["RPR_GetMediaItemTake_Source"](api["RPR_GetActiveTake"](item))
    rendered = api["RPR_GetMediaSourceFileName"](src, "", 4096)[1]
    assert "reaper-assist" in rendered and rendered.endswith(".wav")
    rec = run_action("remove", host)
    lead = next(t for t in rec["tracks"] if t["name"] == HISSY)
    assert "the denoise take of item 1" in lead["reason"]
    names, active, vol = _take_facts(api, item)
    assert names == [names[0]] and names[0] != "RA denoise" and vol == 1.0
    assert api["RPR_GetSetMediaItemInfo_String"](item, "P_EXT:reaper_assist_take", "", False)[3] == ""
    from pathlib import Path

    assert Path(rendered).is_file()  # kept: the remove's undo plays it again
    assert host.undo() is True
    _, item = _items(host, HISSY)
    assert _take_facts(api, item)[1] == "RA denoise"


def test_denoise_after_gain_stage_remove_gives_the_users_take_its_own_volume(processed, tmp_path):
    """The other order: gain-stage wrote the user's take, denoise copied that volume into its take;
    remove deletes ours and puts the user's take back to its own 1.0."""
    path = processed.original.parent / f"{tmp_path.name}-order.rpp"
    path.write_bytes(processed.original.read_bytes())
    host = InProcessHost.open(str(path))
    lead = next(t.guid for t in host.read_state().tracks if t.name == HISSY)
    run_action("gain-stage", host, track_guids=[lead])
    run_action("denoise", host, track_guids=[lead])
    run_action("gain-stage", host, track_guids=[lead], options={"target": "rms:-22"})
    api, item = _items(host, HISSY)
    names, active, vol = _take_facts(api, item)
    assert active == "RA denoise" and abs(vol - 1.0) > 0.01
    user = api["RPR_GetMediaItemTake"](item, 0)
    assert abs(api["RPR_GetMediaItemTakeInfo_Value"](user, "D_VOL") - 1.0) > 0.01  # the first gain-stage's
    rec = run_action("remove", host, track_guids=[lead])
    assert rec["status"] == "ok", rec["message"]
    names, active, vol = _take_facts(api, item)
    assert len(names) == 1 and vol == 1.0
    out = path.with_name(path.stem + "-removed.rpp")
    host.save(str(out))
    assert body(out) == body(processed.original)


def _pan_through_chunk(f, item, old: str, new: str) -> None:
    chunk = f["RPR_GetItemStateChunk"](item, "", 1 << 20, False)[2]
    assert old in chunk
    assert f["RPR_SetItemStateChunk"](item, chunk.replace(old, new), False)


def _ours_first(tmp_path, ours_active: bool):
    """An item whose FIRST take is reaper-assist's (listed in its P_EXT) and whose second is the
    user's (name, file, volume 0.5, pan 0.25; the item at volume 0.9): the order a user gets by
    moving our take to the top."""
    import numpy as np
    import soundfile as sf

    from reaper_assist.emulator.project import Project
    from reaper_assist.emulator.reascript import Reaper

    rng = np.random.default_rng(11)
    for name in ("ours", "user"):
        sf.write(tmp_path / f"{name}.wav", 0.1 * rng.standard_normal((24000, 2)), 48000, subtype="FLOAT")
    p = Project.new(sample_rate=48000)
    p.path = str(tmp_path / "first.rpp")
    tr = p.add_track(0, name="Lead")
    tr.selected = True
    p.add_item(tr, position=0.0, length=0.5, file=str(tmp_path / "ours.wav"))
    f = Reaper(p, resource_path=str(tmp_path)).rpr_functions()
    item = f["RPR_GetTrackMediaItem"](f["RPR_GetTrack"](0, 0), 0)
    ours = f["RPR_GetMediaItemTake"](item, 0)
    user = f["RPR_AddTakeToMediaItem"](item)
    f["RPR_SetMediaItemTake_Source"](user, f["RPR_PCM_Source_CreateFromFile"](str(tmp_path / "user.wav")))
    f["RPR_GetSetMediaItemTakeInfo_String"](user, "P_NAME", "My take", True)
    f["RPR_GetSetMediaItemTakeInfo_String"](ours, "P_NAME", "RA denoise", True)
    f["RPR_SetMediaItemTakeInfo_Value"](user, "D_VOL", 0.5)
    f["RPR_SetMediaItemInfo_Value"](item, "D_VOL", 0.9)
    _pan_through_chunk(f, item, "TAKEVOLPAN 0 0.5", "TAKEVOLPAN 0.25 0.5")  # the emulator sets no take D_PAN
    guid = {k: f["RPR_GetSetMediaItemTakeInfo_String"](t, "GUID", "", False)[3] for k, t in (("ours", ours),
                                                                                           ("user", user))}
    f["RPR_GetSetMediaItemInfo_String"](item, "P_EXT:reaper_assist_take", json.dumps(
        {guid["ours"]: {"tag": "denoise", "original": str(tmp_path / "user.wav"), "original_take": guid["user"]}}),
        True)
    f["RPR_SetActiveTake"](ours if ours_active else user)
    p.save(p.path)
    # what the item must be afterwards: the user's take alone, as it was
    q = Project.new(sample_rate=48000)
    q.path = str(tmp_path / "want.rpp")
    qt = q.add_track(0, name="Lead")
    q.add_item(qt, position=0.0, length=0.5, file=str(tmp_path / "user.wav"))
    g = Reaper(q, resource_path=str(tmp_path)).rpr_functions()
    qi = g["RPR_GetTrackMediaItem"](g["RPR_GetTrack"](0, 0), 0)
    g["RPR_SetMediaItemTakeInfo_Value"](g["RPR_GetMediaItemTake"](qi, 0), "D_VOL", 0.5)
    g["RPR_SetMediaItemInfo_Value"](qi, "D_VOL", 0.9)
    _pan_through_chunk(g, qi, "VOLPAN 0.9 0 0.5", "VOLPAN 0.9 0.25 0.5")
    return p.path, q, guid


@pytest.mark.parametrize("ours_active", [False, True])
def test_our_take_first_in_its_item_is_removed_and_the_users_take_left_as_it_was(tmp_path, ours_active):
    """Our take need not be the item's last: as its first take (no TAKE line: the item's own
    lines), remove still deletes it, the user's take becomes the first with its own name, file,
    volume and pan, and the item plays exactly as one with the user's take alone."""
    import numpy as np

    from reaper_assist.emulator.engine.render import render
    from reaper_assist.emulator.project import Project

    path, want, guid = _ours_first(tmp_path, ours_active)
    host = InProcessHost.open(path)
    rec = run_action("remove", host)
    assert rec["status"] == "ok", rec["message"]
    assert "the denoise take of item 1" in rec["tracks"][0]["reason"]
    api, item = _items(host, "Lead")
    assert _take_facts(api, item) == (["My take"], "My take", 0.5)
    take = api["RPR_GetActiveTake"](item)
    assert api["RPR_GetSetMediaItemTakeInfo_String"](take, "GUID", "", False)[3] == guid["user"]
    assert api["RPR_GetMediaItemTakeInfo_Value"](take, "D_PAN") == 0.25
    assert api["RPR_GetMediaItemInfo_Value"](item, "D_VOL") == 0.9
    src = api["RPR_GetMediaSourceFileName"](api["RPR_GetMediaItemTake_Source"](take), "", 4096)[1]
    assert src.endswith("user.wav")
    assert api["RPR_GetSetMediaItemInfo_String"](item, "P_EXT:reaper_assist_take", "", False)[3] == ""
    host.save(str(tmp_path / "removed.rpp"))
    got = Project.load(str(tmp_path / "removed.rpp"))
    assert np.max(np.abs(render(got).audio - render(want).audio)) < 1e-9
    assert host.undo() is True
    api, item = _items(host, "Lead")
    assert _take_facts(api, item)[0] == ["RA denoise", "My take"]
