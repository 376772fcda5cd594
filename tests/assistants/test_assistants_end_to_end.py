"""Issue 7's four assistants over the real socket path: emulator process, installed action script
pressed like a shortcut, companion started on demand, the action through the bridge.

Runs ``reaper-assist demo --project P --action A --check-undo --json`` in child processes (reapy
connects once per process) on a small session of real stems (fluidsynth renders, a recorded
hydrogen snare over noise), then reads the saved .RPP files with the emulator's Project and the
plugin maps. The four first presses run concurrently, then the four second presses."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

from reaper_assist.emulator import rpp
from reaper_assist.emulator.project import Project
from reaper_assist.host.base import parse_tags
from reaper_assist.plugins.reaeq import freq_hz
from tests.assistants.assist_builder import Session
from tests.assistants.assist_material import RATE, hits_with_noise, hydrogen_hit

SECONDS = 4.0
SELECTED = ("Lead Vox", "Snare", "Gtr", "Bass")  # Lead Vox first: unmask's focus
UNSELECTED = "Pad"
USER_FX_TRACK = "Gtr"  # carries the user's own limiter, which none of the four actions does
ACTIONS = {  # action -> (our FX name, tag, undo title, REAPER's plugin name)
    "auto-eq": ("RA EQ", "auto-eq", "Auto-EQ", "VST: ReaEQ (Cockos)"),
    "auto-compress": ("RA Comp", "auto-compress", "Auto-compress", "VST: ReaComp (Cockos)"),
    "auto-gate": ("RA Gate", "auto-gate", "Auto-gate", "VST: ReaGate (Cockos)"),
    "unmask": ("RA Unmask", "unmask", "Unmask", "VST: ReaEQ (Cockos)"),
}
# the labels our plans give each written parameter -> REAPER's parameter name in the plugin maps
PARAM_NAMES = {
    "auto-compress": {"Threshold": "Threshold", "Ratio": "Ratio", "Attack": "Attack", "Release": "Release",
                      "Wet": "Wet", "RMS size": "RMS size", "Knee": "Knee",
                      "Auto Make Up Gain": "Auto Make Up Gain"},
    "auto-gate": {"Threshold": "Threshold", "Attack": "Attack", "Release": "Release", "Pre-open": "Pre-open",
                  "Hold": "Hold", "Dry": "Dry", "Wet": "Wet", "RMS size": "RMS size"},
    "auto-eq": {"Global Gain": "Global Gain"},  # reset on a new ReaEQ (a default preset may change it)
    "unmask": {"Global Gain": "Global Gain"},
}
RECORD_DECIMALS_TOL = 1e-4  # last_run rounds values to 4 decimals
THRESHOLD_TOL_DB = 0.01


def _demo_cmd(project: Path, out: Path, action: str) -> list[str]:
    return [sys.executable, "-m", "reaper_assist.cli", "demo", "--project", str(project), "--out", str(out),
            "--action", action, "--check-undo", "--json"]


def press_all(jobs: dict[str, tuple[Path, Path]]) -> dict[str, dict]:
    """Press each action's shortcut on its project, concurrently; the parsed ``--json`` results."""
    procs = {a: subprocess.Popen(_demo_cmd(p, o, a), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for a, (p, o) in jobs.items()}
    out = {}
    for a, proc in procs.items():
        stdout, stderr = proc.communicate(timeout=240)
        assert proc.returncode == 0, (a, stderr[-3000:] + stdout[-3000:])
        out[a] = json.loads(stdout.strip().splitlines()[-1])
    return out


def without_record(text: str) -> str:
    return re.sub(r"  <EXTSTATE\n.*?\n  >\n", "", text, flags=re.DOTALL)


@pytest.fixture(scope="module")
def e2e(stems, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("assist-e2e")
    n = int(SECONDS * RATE)
    s = Session(tmp)
    s.track("Lead Vox", stems("lead")[:, :n])
    snare, _ = hits_with_noise(hydrogen_hit("snare")[0], every_s=0.5, seconds=SECONDS, noise_dbfs=-50.0)
    s.track("Snare", snare)
    s.track("Gtr", stems("guitar")[:, :n])
    s.track("Bass", stems("bass")[:, :n])
    s.track(UNSELECTED, stems("pad")[:, :n], selected=False)
    s.add_user_fx(SELECTED.index(USER_FX_TRACK), "ReaLimit", "My Limiter")
    path = s.save()
    first = press_all({a: (path, tmp / f"{a}-1") for a in ACTIONS})
    second = press_all({a: (Path(first[a]["after"]), tmp / f"{a}-2") for a in ACTIONS})
    return {"path": path, "first": first, "second": second}


def _track(p: Project, name: str):
    return next(t for t in p.tracks if t.name == name)


def _ours(track, tag: str) -> list:
    tags = parse_tags(track.get_ext("reaper_assist_tag") or "")
    return [fx for fx in (track.fxchain.fx if track.fxchain else []) if tags.get(fx.guid.upper()) == tag]


def _param_index(action: str, fx, label: str) -> int | None:
    """REAPER's parameter index for one of our change labels ("RA Comp: Threshold (-20.1 dB)",
    "RA EQ: band 2 (Band) gain (-3.0 dB)"), found by name in the plugin map."""
    if label.endswith(" (factory default)"):  # a parameter the plan leaves at REAPER's factory value
        return next(i for i in range(fx.model.num_params) if fx.param_name(i) == label[: -len(" (factory default)")])
    m = re.match(r"band (\d+) \([^)]*\) (freq|gain|BW) ", label)
    if m:
        return 3 * (int(m.group(1)) - 1) + {"freq": 0, "gain": 1, "BW": 2}[m.group(2)]
    for ours, theirs in PARAM_NAMES.get(action, {}).items():
        if label.startswith(ours + " ") or label == ours:
            return next(i for i in range(fx.model.num_params) if fx.param_name(i) == theirs)
    return None


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_status_ok_and_one_undo_step_named_for_the_tracks(e2e, action):
    rec = e2e["first"][action]["record"]
    title = ACTIONS[action][2]
    assert rec["status"] == "ok", rec["message"]
    assert rec["undo"] == f"reaper-assist: {title} {len(SELECTED)} tracks"
    assert [t["name"] for t in rec["tracks"]] == list(SELECTED)
    assert any(t["status"] == "changed" for t in rec["tracks"])


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_tagged_plugin_holds_the_planned_values(e2e, action):
    res = e2e["first"][action]
    rec = res["record"]
    name, tag, _, plugin = ACTIONS[action]
    after = Project.load(res["after"])
    changed = [t["name"] for t in rec["tracks"] if t["status"] == "changed"]
    # auto-gate: only the snare (gate "always"; the others are clean or sustained parts);
    # unmask: every track but the focus masks the lead somewhere
    expected_changed = {"auto-eq": set(SELECTED), "auto-compress": set(SELECTED),
                        "auto-gate": {"Snare"}, "unmask": set(SELECTED[1:])}[action]
    assert set(changed) == expected_changed, rec["tracks"]
    if action == "unmask":
        assert rec["tracks"][0]["status"] == "focus"
    for tname in SELECTED:
        ours = _ours(_track(after, tname), tag)
        if tname not in changed:
            assert not ours, tname
            continue
        assert len(ours) == 1, tname
        fx = ours[0]
        assert fx.name == name and fx.original_name == plugin and fx.enabled
        checked = 0
        for c in (c for c in rec["changes"] if c["track_name"] == tname):
            label = c["what"].split(": ", 1)[1] if c["what"].startswith(name + ": ") else None
            if label is None:
                continue
            if label.startswith("factory layout if it has fewer than "):  # a default preset's missing bands
                assert fx.model.get_named_config(f"BANDTYPE{int(c['new']) - 1}") is not None, (tname, label)
                continue
            m = re.match(r"bands (\d+) and up off$", label)  # a default preset's extra bands
            if m:
                n = sum(1 for k in range(64) if fx.model.get_named_config(f"BANDTYPE{k}") is not None)
                assert all(fx.model.get_named_config(f"BANDENABLED{k}") == "0"
                           for k in range(int(m.group(1)) - 1, n)), (tname, label)
                continue
            if re.search(r" (type|on|off)$", label):  # ReaEQ band layout (named config)
                k = int(re.match(r"band (\d+)", label).group(1)) - 1
                key = f"BANDTYPE{k}" if label.endswith(" type") else f"BANDENABLED{k}"
                assert fx.model.get_named_config(key) == str(c["new"]), (tname, label)
                checked += 1
                continue
            i = _param_index(action, fx, label)
            assert i is not None, label
            assert fx.model.get_param(i) == pytest.approx(c["new"], abs=RECORD_DECIMALS_TOL), (tname, label)
            checked += 1
        assert checked >= 8, (tname, checked)
        ev = next(t for t in rec["tracks"] if t["name"] == tname)["evidence"]
        if action == "auto-compress":
            thr = next(c["evidence"]["threshold_db"] for c in rec["changes"]
                       if c["track_name"] == tname and "Threshold" in c["what"])
            assert 20 * math.log10(fx.model.get_param(0)) == pytest.approx(thr, abs=THRESHOLD_TOL_DB)
            assert ev["predicted_gr_db"] == pytest.approx(ev["target_gr_db"], abs=0.5)
        if action == "auto-gate":
            thr_db = 20 * math.log10(fx.model.get_param(0))
            assert ev["noise_floor_db"] + 6 - 0.01 <= thr_db <= ev["hit_level_db"] - 6 + 0.01
        if action == "auto-eq":  # band 1 is the high-pass, at the corner the reason names
            assert fx.model.get_named_config("BANDTYPE0") == "4"
            hp = re.search(r"high-pass at (\d+) Hz", next(t for t in rec["tracks"] if t["name"] == tname)["reason"])
            if hp:
                assert freq_hz(fx.model.get_param(0)) == pytest.approx(float(hp.group(1)), abs=0.5)
        if action == "unmask":
            assert ev["focus"] == "Lead Vox"
            assert ev["overall_masking_after_predicted"] < ev["overall_masking_before"]


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_unselected_track_and_user_fx_untouched(e2e, action):
    res = e2e["first"][action]
    before, after = Project.load(res["before"]), Project.load(res["after"])
    assert rpp.dumps(_track(after, UNSELECTED).chunk) == rpp.dumps(_track(before, UNSELECTED).chunk)

    def user_fx(p):
        fx = [f for f in _track(p, USER_FX_TRACK).fxchain.fx if f.name == "My Limiter"]
        assert len(fx) == 1
        return "\n".join(n.text if isinstance(n, rpp.Line) else rpp.dumps(n) for n in fx[0].nodes())

    assert user_fx(after) == user_fx(before)


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_one_undo_step_restores_the_project(e2e, action):
    res = e2e["first"][action]
    assert res["undone"], res["record"]["message"]
    before, after, undone = (Path(res[k]).read_text() for k in ("before", "after", "undone"))
    assert without_record(undone) == without_record(before)
    assert without_record(after) != without_record(before)


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_second_press_changes_nothing(e2e, action):
    res = e2e["second"][action]
    rec = res["record"]
    assert rec["status"] == "ok" and not rec["changes"] and not rec["undo"], rec["message"]
    assert rec["message"].startswith("the tracks are already at target; nothing changed")
    assert res["undone"] is None
    assert without_record(Path(res["after"]).read_text()) == without_record(Path(res["before"]).read_text())
