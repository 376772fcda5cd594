"""Issue 13: auto-EQ's re-run whose decision needs another band count than our tagged ReaEQ holds
(a measured resonance got a band past ReaEQ's five, or no longer needs it): the same "RA EQ" is
rewritten in place, its bands read back through the emulator's API, the user's own EQ untouched."""

from __future__ import annotations

import pytest

from reaper_assist.app import auto_eq
from reaper_assist.emulator.project import Project
from reaper_assist.emulator.reascript import Reaper
from tests.assistants.assist_builder import Session, run, write_stereo
from tests.assistants.assist_material import peaking, rumble


def _eq_bands(path, track: int, name: str) -> list[tuple[str, str, float]]:
    """(BANDTYPE, BANDENABLED, gain param) of each band of the FX named ``name`` on ``track``."""
    f = Reaper(Project.load(str(path))).rpr_functions()
    tr = f["RPR_GetTrack"](0, track)
    for k in range(f["RPR_TrackFX_GetCount"](tr)):
        if f["RPR_TrackFX_GetNamedConfigParm"](tr, k, "renamed_name", "", 256)[4] != name:
            continue
        out, n = [], 0
        while True:
            t = f["RPR_TrackFX_GetNamedConfigParm"](tr, k, f"BANDTYPE{n}", "", 64)
            if not t[0]:
                return out
            e = f["RPR_TrackFX_GetNamedConfigParm"](tr, k, f"BANDENABLED{n}", "", 64)[4]
            out.append((t[4], e, f["RPR_TrackFX_GetParam"](tr, k, 3 * n + 1, 0, 0)[0]))
            n += 1
    raise AssertionError(f"no FX {name!r} on track {track + 1}")


def _fx_chain(path, track: int) -> list[tuple[str, str, str]]:
    """(GUID, name, vst_chunk) of each FX on ``track``."""
    f = Reaper(Project.load(str(path))).rpr_functions()
    tr = f["RPR_GetTrack"](0, track)
    return [(f["RPR_TrackFX_GetFXGUID"](tr, k), f["RPR_TrackFX_GetNamedConfigParm"](tr, k, "renamed_name", "", 256)[4],
             f["RPR_TrackFX_GetNamedConfigParm"](tr, k, "vst_chunk", "", 1 << 20)[4])
            for k in range(f["RPR_TrackFX_GetCount"](tr))]


def test_a_rerun_needing_fewer_or_more_bands_rewrites_our_reaeq_in_place(stems, tmp_path):
    """A kit with rumble close under its kick (two stacked high-pass sections) and five injected
    +9 dB, Q 8 resonances: 2 sections + 4 cuts (the drums row's count cap) = 6 bands, one past
    ReaEQ's five. The same kit with one resonance needs 5: the re-run rewrites "RA EQ" to 5 bands
    (same GUID and slot, the user's ReaEQ after it byte-identical); the material back, 6 again."""
    kit = stems("drums")
    base = kit + rumble(kit.shape[1], -30.0)
    many = base
    for f0 in (500.0, 900.0, 1700.0, 3300.0, 6000.0):
        many = peaking(many, f0, 9.0, 8.0)
    one = peaking(base, 1700.0, 9.0, 8.0)
    s = Session(tmp_path)
    s.track("Drums", many)
    wav = next(tmp_path.glob("Drums*.wav"))
    run(auto_eq.run, s.save(), tmp_path / "1.rpp")
    first = _eq_bands(tmp_path / "1.rpp", 0, auto_eq.RENAME)
    assert len(first) == 6 and [t for t, _, _ in first] == ["4", "4", "8", "8", "8", "8"], first
    assert all(e == "1" and g < 0.25 for _, e, g in first[2:]), first  # four enabled cuts (0.25 = 0 dB)
    # the user adds an EQ of their own after ours
    p = Project.load(str(tmp_path / "1.rpp"))
    f = Reaper(p).rpr_functions()
    tr = f["RPR_GetTrack"](0, 0)
    k = f["RPR_TrackFX_AddByName"](tr, "ReaEQ", False, -1)
    f["RPR_TrackFX_SetNamedConfigParm"](tr, k, "renamed_name", "My EQ")
    f["RPR_TrackFX_SetParam"](tr, k, 4, 0.125)
    p.save(str(tmp_path / "1b.rpp"))
    chain = _fx_chain(tmp_path / "1b.rpp", 0)
    assert [n for _, n, _ in chain] == [auto_eq.RENAME, "My EQ"]

    write_stereo(wav, one)
    rec2, _ = run(auto_eq.run, tmp_path / "1b.rpp", tmp_path / "2.rpp")
    second = _eq_bands(tmp_path / "2.rpp", 0, auto_eq.RENAME)
    assert len(second) == 5, second
    whats = [c["what"] for c in rec2["changes"]]
    assert sum("6 -> 5 bands (state rewritten)" in w for w in whats) == 1, whats
    assert _fx_chain(tmp_path / "2.rpp", 0)[0][:2] == chain[0][:2] and _fx_chain(tmp_path / "2.rpp", 0)[1] == chain[1]

    write_stereo(wav, many)
    rec3, _ = run(auto_eq.run, tmp_path / "2.rpp", tmp_path / "3.rpp")
    third = _eq_bands(tmp_path / "3.rpp", 0, auto_eq.RENAME)
    assert [b[:2] for b in third] == [b[:2] for b in first], third
    assert [g for *_, g in third] == pytest.approx([g for *_, g in first], abs=1e-12)
    assert any("5 -> 6 bands (state rewritten)" in c["what"] for c in rec3["changes"])
    added = [c for c in rec3["changes"] if "band 6 " in c["what"]]
    assert added and all("band_added" in c["evidence"] for c in added), added
    assert _fx_chain(tmp_path / "3.rpp", 0)[1] == chain[1]
