"""Issue 18 point 2: "Compare reaper-assist changes" switches every action's FX and lanes on the
selected tracks to bypassed at the same loudness (within 0.5 LU, measured by the emulator's own
dry-run render, RENDER_STATS) and back again byte for byte; ``--preview`` writes an action's work
bypassed, compare keeps it and remove discards it."""

from __future__ import annotations

import pytest

from reaper_assist.app.registry import run_action
from reaper_assist.host.inprocess import InProcessHost
from tests.report.conftest import body, copy

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
    lanes = [c for c in rec["changes"] if "lane off" in c["what"]]
    assert len(lanes) == 6  # ride's Trim Volume lanes


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
