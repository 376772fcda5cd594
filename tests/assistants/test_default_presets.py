"""Issue 10 point 3: the assistants write what they plan even when the user has default presets
for ReaEQ, ReaComp and ReaGate (reaper-defpresets.ini), which give a fresh ReaEQ another band
count and types and every plugin other values than the factory's.

The presets are made with the plugin maps and stored as REAPER stores them (docs/emulator.md,
"User default presets"); the emulator loads them into every FX it adds."""

from __future__ import annotations

import re

import pytest

from reaper_assist.app import auto_compress, auto_eq, auto_gate, gain_stage, unmask
from reaper_assist.emulator.project import Project
from reaper_assist.emulator.reascript import Reaper
from reaper_assist.host.base import parse_tags
from reaper_assist.host.inprocess import InProcessHost
from reaper_assist.plugins import js_volume, vstchunk
from reaper_assist.plugins.reacomp import REACOMP
from reaper_assist.plugins.reaeq import REAEQ, EqBandRecord
from reaper_assist.plugins.reagate import REAGATE
from tests.assistants.assist_builder import Session
from tests.assistants.assist_material import hits_with_noise, hydrogen_hit

RECORD_DECIMALS_TOL = 1e-4  # last_run rounds values to 4 decimals
SECONDS = 4.0


def _state_hex(spec, state) -> str:
    return vstchunk.decode_blob(spec.encode(state)).state.hex().upper()


def eq_preset(n_bands: int) -> str:
    """A ReaEQ of ``n_bands`` Band-type bands, all on at +3 dB, Global Gain +6 dB."""
    st = REAEQ.default_state()
    st.payload.bands = [EqBandRecord(8, 1, 200.0 * (k + 1), 10 ** (3 / 20), 1.0) for k in range(n_bands)]
    st.payload.global_gain = 2.0
    st.values = []  # re-derived from the payload on decode
    st.synced_values = []
    return vstchunk.encode_blob(st.blob.with_state(REAEQ._encode_payload(st.payload)))


def _dyn_preset(spec, values: dict[str, float]) -> str:
    st = spec.default_state()
    for key, native in values.items():
        spec.set_param(st, spec.param_by_key(st, key)[0], native)
    return _state_hex(spec, st)


def write_defaults(resource, eq_bands: int) -> None:
    """reaper-defpresets.ini naming one preset per plugin, and the presets' files."""
    eq_state = vstchunk.decode_blob(eq_preset(eq_bands)).state.hex().upper()
    presets = {
        "vst-reaeq": ("My EQ", eq_state),
        "vst-reacomp": ("Parallel Smash", _dyn_preset(REACOMP, {"ratio": 0.3, "dry_db": 1.0, "threshold_db": 0.1,
                                                               "wet_db": 0.5, "auto_makeup": 1.0})),
        "vst-reagate": ("Half Open", _dyn_preset(REAGATE, {"threshold_db": 0.5, "dry_db": 1.0, "wet_db": 0.5,
                                                          "hold_ms": 0.9})),
    }
    (resource / "presets").mkdir(parents=True, exist_ok=True)
    lines = ["[defaultpresets]"] + [f"{k}={name}" for k, (name, _) in presets.items()]
    (resource / "reaper-defpresets.ini").write_text("\n".join(lines) + "\n")
    for key, (name, data) in presets.items():
        (resource / "presets" / f"{key}.ini").write_text(
            f"[General]\nNbPresets=1\n\n[Preset0]\nData={data}\nLen={len(data) // 2}\nName={name}\n")


@pytest.fixture(scope="module")
def session(stems, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("defpresets")
    n = int(SECONDS * 48000)
    s = Session(tmp)
    s.track("Lead Vox", stems("lead")[:, :n])
    snare, _ = hits_with_noise(hydrogen_hit("snare")[0], every_s=0.5, seconds=SECONDS, noise_dbfs=-50.0)
    s.track("Snare", snare)
    s.track("Bass", stems("bass")[:, :n])
    return s.save()


def _host(path, resource) -> InProcessHost:
    return InProcessHost.open(str(path), resource_path=str(resource))


def _ours(project: Project, tname: str, tag: str):
    tr = next(t for t in project.tracks if t.name == tname)
    tags = parse_tags(tr.get_ext("reaper_assist_tag") or "")
    return [fx for fx in tr.fxchain.fx if tags.get(fx.guid.upper()) == tag]


def test_the_emulator_loads_the_default_preset_into_a_new_fx(tmp_path):
    write_defaults(tmp_path, eq_bands=8)
    reaper = Reaper(Project.new(), resource_path=str(tmp_path))
    api = reaper.rpr_functions()
    api["RPR_InsertTrackAtIndex"](0, False)
    tr = api["RPR_GetTrack"](0, 0)
    k = api["RPR_TrackFX_AddByName"](tr, "ReaEQ", False, -1)
    assert api["RPR_TrackFX_GetNumParams"](tr, k) == 8 * 3 + 1 + 3  # 8 bands, Global Gain, wrapper params
    assert api["RPR_TrackFX_GetNamedConfigParm"](tr, k, "BANDTYPE7", "", 64)[4] == "8"
    reaper.project.save(str(tmp_path / "p.rpp"))
    assert re.search(r'PRESETNAME "?My EQ"?\n', (tmp_path / "p.rpp").read_text())  # the program REAPER shows
    fresh = Reaper(Project.new(), resource_path=str(tmp_path / "none")).rpr_functions()
    fresh["RPR_InsertTrackAtIndex"](0, False)
    t2 = fresh["RPR_GetTrack"](0, 0)
    assert fresh["RPR_TrackFX_GetNumParams"](t2, fresh["RPR_TrackFX_AddByName"](t2, "ReaEQ", False, -1)) == 19


def _check_record_against_fx(rec, after: Project, rename: str, tag: str, bands: int = 8) -> int:
    """Every written value of the record is what the FX holds now, found by name or band."""
    checked = 0
    for tname in {c["track_name"] for c in rec["changes"]}:
        (fx,) = _ours(after, tname, tag)
        names = [fx.param_name(i) for i in range(fx.model.num_params)]
        for c in (c for c in rec["changes"] if c["track_name"] == tname and c["what"].startswith(rename + ": ")):
            label = c["what"].split(": ", 1)[1]
            m = re.match(r"band (\d+) \([^)]*\) (type|on|off|freq|gain|BW)", label)
            if m:
                k, what = int(m.group(1)) - 1, m.group(2)
                if what in ("type", "on", "off"):
                    key = f"BANDTYPE{k}" if what == "type" else f"BANDENABLED{k}"
                    assert fx.model.get_named_config(key) == str(c["new"]), (tname, label)
                else:
                    i = 3 * k + {"freq": 0, "gain": 1, "BW": 2}[what]
                    assert names[i].startswith({"freq": "Freq", "gain": "Gain", "BW": "BW"}[what]), names[i]
                    assert fx.model.get_param(i) == pytest.approx(c["new"], abs=RECORD_DECIMALS_TOL), (tname, label)
            elif label.startswith("factory layout if it has fewer than "):
                assert fx.model.get_named_config(f"BANDTYPE{int(c['new']) - 1}") is not None, (tname, label)
            elif (m := re.match(r"bands (\d+) and up off", label)):
                n = sum(1 for k in range(64) if fx.model.get_named_config(f"BANDTYPE{k}") is not None)
                assert n == bands and all(fx.model.get_named_config(f"BANDENABLED{k}") == "0"
                                      for k in range(int(m.group(1)) - 1, n)), (tname, label)
            else:
                pname = next(n for n in names if label.startswith(n) or label.split(" (")[0] in n)
                assert fx.model.get_param(names.index(pname)) == pytest.approx(c["new"], abs=RECORD_DECIMALS_TOL), \
                    (tname, label)
            checked += 1
    return checked


@pytest.mark.parametrize("action, rename, tag", [
    (auto_eq, "RA EQ", "auto-eq"), (unmask, "RA Unmask", "unmask"),
    (auto_compress, "RA Comp", "auto-compress"), (auto_gate, "RA Gate", "auto-gate"),
])
def test_assistants_write_the_planned_values_over_the_default_presets(session, tmp_path, action, rename, tag):
    write_defaults(tmp_path, eq_bands=8)
    host = _host(session, tmp_path)
    rec = action.run(host, selected=True)
    assert rec["status"] == "ok", rec["message"]
    out = tmp_path / "after.rpp"
    host.save(str(out))
    after = Project.load(str(out))
    assert _check_record_against_fx(rec, after, rename, tag) >= 8
    for tname in {c["track_name"] for c in rec["changes"]}:
        (fx,) = _ours(after, tname, tag)
        if fx.model.key == "reaeq":  # the preset's +6 dB Global Gain and its bands 6-8 are gone
            assert fx.model.get_param(3 * 8) == pytest.approx(1.0, abs=1e-12)
            assert [fx.model.get_named_config(f"BANDENABLED{k}") for k in (5, 6, 7)] == ["0", "0", "0"]
        if fx.model.key in ("reacomp", "reagate"):  # the preset's Dry at 0 dB would mix the dry signal back in
            spec = REACOMP if fx.model.key == "reacomp" else REAGATE
            i, p = spec.param_by_key(None, "dry_db")
            planned = any(c["what"].startswith(f"{rename}: Dry") and "factory" not in c["what"]
                          for c in rec["changes"] if c["track_name"] == tname)
            if not planned:
                assert fx.model.get_param(i) == pytest.approx(p.default_native, rel=1e-6), tname


def test_a_default_reaeq_with_too_few_bands_gets_the_factory_layout(session, tmp_path):
    write_defaults(tmp_path, eq_bands=3)
    host = _host(session, tmp_path)
    rec = auto_eq.run(host, selected=True)
    assert rec["status"] == "ok", rec["message"]
    out = tmp_path / "after.rpp"
    host.save(str(out))
    after = Project.load(str(out))
    assert _check_record_against_fx(rec, after, "RA EQ", "auto-eq", bands=5) >= 8
    for tname in {c["track_name"] for c in rec["changes"]}:
        (fx,) = _ours(after, tname, "auto-eq")
        assert fx.model.num_own_params == 5 * 3 + 1 and fx.model.get_param(15) == pytest.approx(1.0, abs=1e-12)


def test_too_few_bands_and_no_factory_layout_stops_with_a_clear_message(session, tmp_path, monkeypatch):
    """If REAPER refused the factory state (vst_chunk), nothing is changed and the message says why."""
    from reaper_assist.emulator.fxmodel import FXModel

    monkeypatch.setattr(FXModel, "_set_vst_chunk", lambda self, text: False)
    write_defaults(tmp_path, eq_bands=3)
    host = _host(session, tmp_path)
    before = tmp_path / "before.rpp"
    host.save(str(before))
    rec = auto_eq.run(host, selected=True)
    assert rec["status"] == "error"
    assert re.search(r"has 3 bands \(a default preset of yours\?\).*nothing was changed", rec["message"]), \
        rec["message"]
    out = tmp_path / "after.rpp"
    host.save(str(out))
    assert all(not _ours(Project.load(str(out)), t.name, "auto-eq") for t in Project.load(str(before)).tracks)


def test_gain_stage_js_method_with_default_presets_present(session, tmp_path):
    write_defaults(tmp_path, eq_bands=4)
    host = _host(session, tmp_path)
    rec = gain_stage.run(host, selected=True, options={"method": "js"})
    assert rec["status"] == "ok", rec["message"]
    out = tmp_path / "after.rpp"
    host.save(str(out))
    after = Project.load(str(out))
    for t in rec["tracks"]:
        if t["status"] != "changed":
            continue
        (fx,) = _ours(after, t["name"], "gain")
        assert js_volume.gain_db(fx.model.get_param(0)) == pytest.approx(t["change_db"], abs=RECORD_DECIMALS_TOL)
