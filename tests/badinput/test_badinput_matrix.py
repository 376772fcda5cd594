"""Issue 6, item 4: the bad-input matrix, over every action (gain-stage, auto-eq, auto-compress,
auto-gate, unmask). Each case ends in a defined outcome: the ``last_run`` record's status, the
subject track's status and a message/reason that names the track and the cause (or our
ProjectFormatError for an unreadable .RPP). Where the action could not complete, the project is
byte-identical apart from that record. Where it completed, the tool's tagged plugin holds values
that pass known-answer checks (table corner, target reduction, noise floor of the generated media).

Runs the actions headless on the in-process host, like ``reaper-assist run``. Media is generated
small (2 s); the hour-long case is a looped 1 s source in an 8 kHz project."""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from reaper_assist.app import registry
from reaper_assist.emulator.project import Project
from reaper_assist.host.base import parse_tags
from reaper_assist.plugins.reaeq import freq_native
from tests.badinput.badinput_cases import (
    FOCUS,
    SECONDS,
    SR,
    SUBJECT,
    Case,
    api,
    harmonic_tone,
    hits,
    make_midi,
    take_handle,
    track_handle,
    without_record,
    wrap_in_section,
)

ACTIONS = ("gain-stage", "auto-eq", "auto-compress", "auto-gate", "unmask")
ASSISTANTS = ACTIONS[1:]
# action -> (the stock plugin, the name we give our instance)
OURS = {"gain-stage": ("JS: Volume Adjustment", "RA Gain"), "auto-eq": ("ReaEQ", "RA EQ"),
        "auto-compress": ("ReaComp", "RA Comp"), "auto-gate": ("ReaGate", "RA Gate"),
        "unmask": ("ReaEQ", "RA Unmask")}
SNARE_HIGHPASS_HZ = 80.0  # rules/tables/auto-eq.json, row "snare"
SNARE_TARGET_GR_DB = 4.0  # rules/tables/auto-compress.json, row "snare"
GR_TOL_DB = 0.5  # the threshold bisection meets the target on the track's own audio
FLOOR_DBFS = -60.0  # the generated noise floor (badinput_cases.hits)
FLOOR_TOL_DB = 3.0  # a percentile of 5 ms levels of 2 s of noise
MAX_UNMASK_CUT_DB = 6.0  # rules/tables/unmask.json, generic row


@dataclass
class Setup:
    host: Any
    mutate: Callable | None = None  # runs between analysis and apply
    options: dict = field(default_factory=dict)
    first_run: dict | None = None  # options of a run made before the one under test
    subject: int = 0  # index of the track the case is about


@dataclass(frozen=True)
class Expect:
    status: str  # the record's status
    subject: str | None  # the subject track's status in the record (None: no per-track entries)
    cause: str  # regex the subject's reason (or the message) must match
    unchanged: bool = False  # the project must be byte-identical apart from the record


def start(tmp: Path, action: str, sample_rate: int = SR) -> Case:
    c = Case(tmp, sample_rate)
    if action == "unmask":  # a healthy focus first: the subject is the masker
        c.focus(harmonic_tone(sr=sample_rate), sr=sample_rate)
    return c


def subject_index(action: str) -> int:
    return 1 if action == "unmask" else 0


def setup(c: Case, action: str, **kw) -> Setup:
    return Setup(c.host(), subject=subject_index(action), **kw)


# ------------------------------------------------------------------------------------------------
# the cases: (tmp, action) -> Setup; their expected outcome per action is in EXPECT below
# ------------------------------------------------------------------------------------------------
def c_missing_media(tmp, action):
    c = start(tmp, action)
    c.track(file=tmp / "nowhere.wav")
    return setup(c, action)


def c_unreadable_media(tmp, action):
    bad = tmp / "bad.wav"
    bad.write_bytes(b"RIFF\0\0\0\0WAVEjunkjunkjunk")
    c = start(tmp, action)
    c.track(file=bad)
    return setup(c, action)


def c_zero_length_item(tmp, action):
    c = start(tmp, action)
    c.track(signal=hits(), length=0.0)
    return setup(c, action)


def c_too_short(tmp, action):
    c = start(tmp, action)
    c.track(signal=hits(0.5))
    return setup(c, action)


def c_midi_only(tmp, action):
    c = start(tmp, action)
    _, item = c.track()
    make_midi(item)
    return setup(c, action)


def c_empty_track(tmp, action):
    c = start(tmp, action)
    c.project.add_track(len(c.project.tracks), name=SUBJECT).selected = True
    return setup(c, action)


def c_all_silent(tmp, action):
    c = start(tmp, action)
    c.track(signal=np.zeros((int(SECONDS * SR), 2)))
    return setup(c, action)


def c_nan_samples(tmp, action):
    x = hits()
    x[1000:1010] = np.nan
    c = start(tmp, action)
    c.track(signal=x)
    return setup(c, action)


def c_dc_only(tmp, action):
    c = start(tmp, action)
    c.track(signal=np.full((int(SECONDS * SR), 2), 0.25))
    return setup(c, action)


def c_clipped_float(tmp, action):
    c = start(tmp, action)
    c.track(signal=np.clip(hits(peak=3.0), -1.5, 1.5))  # a float file with overs
    return setup(c, action)


def c_clipped_int16(tmp, action):
    c = start(tmp, action)
    c.track(signal=np.clip(hits(peak=3.0), -1.0, 1.0), subtype="PCM_16")
    return setup(c, action)


def _format(tmp, action, *, channels=2, subtype="FLOAT", rate=SR, project_rate=SR):
    c = start(tmp, action, project_rate)
    c.track(signal=hits(sr=rate, channels=channels), subtype=subtype, sr=rate)
    return setup(c, action)


def _playrate(tmp, action, *, rate, seconds):
    c = start(tmp, action)
    c.track(signal=hits(seconds))
    s = setup(c, action)
    api(s.host, "SetMediaItemTakeInfo_Value", take_handle(s.host, s.subject), "D_PLAYRATE", rate)
    return s


def c_reversed_source(tmp, action):
    c = start(tmp, action)
    _, item = c.track(signal=hits())
    wrap_in_section(item, start_s=0.0, length_s=SECONDS, mode=2)
    return setup(c, action)


def c_section_source(tmp, action):
    # 1 s of silence, the hits, 1 s of loud DC: only the hits are inside the section
    x = np.concatenate([np.zeros((SR, 2)), hits(), np.full((SR, 2), 0.9)])
    c = start(tmp, action)
    _, item = c.track(signal=x, length=SECONDS)
    wrap_in_section(item, start_s=1.0, length_s=SECONDS, mode=0)
    return setup(c, action)


def c_hour_long_looped(tmp, action):
    c = start(tmp, action, 8000)  # an 8 kHz project keeps the hour cheap to render
    c.track(signal=hits(1.0, sr=8000), sr=8000, length=3600.0)
    s = setup(c, action)
    item = api(s.host, "GetTrackMediaItem", track_handle(s.host, s.subject), 0)
    api(s.host, "SetMediaItemInfo_Value", item, "B_LOOPSRC", 1)
    return s


def c_deleted_track_before_apply(tmp, action):
    c = start(tmp, action)
    c.track(signal=hits())
    c.track("Snare 2", hits(seed=6))
    last = len(c.project.tracks) - 1
    return setup(c, action, mutate=lambda h: api(h, "DeleteTrack", track_handle(h, last)))


def c_renamed_track_before_apply(tmp, action):
    c = start(tmp, action)
    c.track(signal=hits())
    k = subject_index(action)
    return setup(c, action, mutate=lambda h: api(h, "GetSetMediaTrackInfo_String", track_handle(h, k), "P_NAME",
                                                 "Renamed", True))


def c_changed_before_apply(tmp, action):
    """The user edits what the action is about to update: gain-stage's take volume; our own
    plugin (added by a first run at 100 %, updated now at 50 %) for the assistants."""
    c = start(tmp, action)
    c.track(signal=hits())
    if action == "gain-stage":
        return setup(c, action, mutate=lambda h: api(h, "SetMediaItemTakeInfo_Value", take_handle(h, 0), "D_VOL", 0.3))
    k = subject_index(action)

    def edit_ours(h):
        tr = track_handle(h, k)
        for fx in range(api(h, "TrackFX_GetCount", tr)):
            for p in range(api(h, "TrackFX_GetNumParams", tr, fx) - 3):  # not the wrapper params
                api(h, "TrackFX_SetParamNormalized", tr, fx, p, 0.123)
    return setup(c, action, mutate=edit_ours, first_run={}, options={"amount": 50.0})


def _user_fx(tmp, action, *, enabled):
    """The user's own plugin, renamed like ours (untagged); enabled or bypassed."""
    c = start(tmp, action)
    c.track(signal=hits())
    s = setup(c, action, options={"method": "js"} if action == "gain-stage" else {})
    tr = track_handle(s.host, s.subject)
    name, ours = OURS[action]
    k = api(s.host, "TrackFX_AddByName", tr, name, False, -1)
    api(s.host, "TrackFX_SetNamedConfigParm", tr, k, "renamed_name", ours)
    api(s.host, "TrackFX_SetParamNormalized", tr, k, 0, 0.37)  # the user's own setting
    if not enabled:
        api(s.host, "TrackFX_SetEnabled", tr, k, False)
    return s


def c_no_tracks_selected(tmp, action):
    c = start(tmp, action)
    c.track(signal=hits(), selected=False)
    for t in c.project.tracks:
        t.selected = False
    return setup(c, action)


def _focus(tmp, action, *, kind):
    """Unmask's focus track: named but missing, unselected, silent or with missing media."""
    c = Case(tmp)
    opts = {}
    if kind == "missing":
        opts = {"focus": "Lead"}
    elif kind == "unselected":
        c.focus(selected=False)
        opts = {"focus": FOCUS}
    elif kind == "silent":
        c.focus(np.zeros((int(SECONDS * SR), 2)))
    elif kind == "missing_media":
        c.track(FOCUS, file=tmp / "vox-gone.wav")
    c.track(signal=hits())
    return Setup(c.host(), options=opts, subject=len(c.project.tracks) - 1)


CASES: dict[str, Callable] = {n[2:]: f for n, f in sorted(globals().items()) if n.startswith("c_")}
CASES["user_fx_with_our_name"] = functools.partial(_user_fx, enabled=True)
CASES["user_fx_with_our_name_bypassed"] = functools.partial(_user_fx, enabled=False)
CASES["playrate_0.01"] = functools.partial(_playrate, rate=0.01, seconds=SECONDS)
CASES["playrate_100"] = functools.partial(_playrate, rate=100.0, seconds=4.0)
for _ch in (1, 2, 6, 8):
    CASES[f"channels_{_ch}"] = functools.partial(_format, channels=_ch)
for _sub in ("PCM_U8", "PCM_16", "PCM_24", "PCM_32", "FLOAT"):
    CASES[f"wav_{_sub}"] = functools.partial(_format, subtype=_sub)
for _rate in (8000, 22050, 96000, 192000):
    CASES[f"rate_{_rate}"] = functools.partial(_format, rate=_rate)
for _rate in (8000, 192000):
    CASES[f"project_rate_{_rate}"] = functools.partial(_format, rate=_rate, project_rate=_rate)
FOCUS_CASES = {f"focus_{k}": functools.partial(_focus, kind=k)
               for k in ("missing", "unselected", "silent", "missing_media")}


# ------------------------------------------------------------------------------------------------
# expected outcomes
# ------------------------------------------------------------------------------------------------
CHANGED = Expect("ok", "changed", r".")


def skipped(action: str, cause: str) -> Expect:
    """The subject cannot be analysed: skipped, named with its cause; unmask still has its healthy
    focus (status ok, nothing changed), the other actions had nothing to measure (error)."""
    return Expect("ok" if action == "unmask" else "error", "skipped", cause, unchanged=True)


def expect(case: str, action: str) -> Expect:
    gs = action == "gain-stage"
    verb = "measure" if gs else "analyse"
    media = {
        "missing_media": rf"cannot {verb}: track 'Snare', item 1: missing media \(.*nowhere\.wav\)",
        "unreadable_media": rf"cannot {verb}: track 'Snare', item 1: unreadable media \(.*bad\.wav\)",
        "midi_only": rf"MIDI only: no audio to {verb}",
        "empty_track": rf"no items to {verb}",
        "all_silent": r"silent: no level above the silence threshold" if gs else r"silent \(peak below -80 dBFS\)",
        "zero_length_item": r"silent: no level above the silence threshold" if gs else r"no audio to analyse",
        "too_short": None if gs else r"too short: 0\.50 s of audio, at least 1 s needed",
        "nan_samples": r"cannot measure: .*non-finite sample.*channel 0 at sample 1000" if gs
        else r"audio holds NaN/inf samples",
    }
    if media.get(case):
        return skipped(action, media[case])
    if case == "no_tracks_selected":
        return Expect("error", None, r"no tracks selected: select the tracks to .+ first", True)
    if case == "deleted_track_before_apply":
        return Expect("error", None, r"track 'Snare 2' no longer exists", True)
    if case == "changed_before_apply":
        what = (r"take_info D_VOL: expected 1\.0, now 0\.3" if gs
                else r"(fx_param [\w /-]+|eq_band_param band \d+ (freq|gain|bw)): expected [-0-9.e]+, now [-0-9.e]+")
        return Expect("error", None, rf"'Snare' changed since it was analysed \({what}\)", True)
    if case == "user_fx_with_our_name" and action in ("auto-eq", "auto-compress", "auto-gate"):
        kind = {"auto-eq": "EQ", "auto-compress": "compressor", "auto-gate": "gate"}[action]
        return Expect("ok", "kept", rf"the track already has your own {kind} \('{OURS[action][1]}'\): not doubled",
                      unchanged=True)
    if case == "dc_only" and action == "auto-gate":  # a constant level: no events, so no gaps between them
        return Expect("ok", "at target", r"snare .*no gate: no steady level between events", True)
    if case == "dc_only" and action == "unmask":
        return Expect("ok", "at target", r"does not mask 'Vox' enough to cut", True)
    if case == "playrate_100" and action == "auto-gate":  # 40 ms of source stretched over 4 s of item
        return Expect("ok", "at target", r"no gate: (too short to see gaps|no steady level between events)", True)
    if case == "playrate_0.01" and action == "auto-gate":  # 20 ms of noise over 2 s: no event, no gap
        return Expect("ok", "at target", r"no gate: no steady level between events", True)
    if case in ("playrate_100", "playrate_0.01") and action == "unmask":
        return Expect("ok", "at target", r"does not mask 'Vox' enough to cut", True)
    if case in ("focus_missing", "focus_unselected"):
        name = "Lead" if case == "focus_missing" else "Vox"
        return Expect("error", None, rf"focus track '{name}' is not among the selected tracks \(Snare\)", True)
    if case == "focus_silent":
        return Expect("error", None, r"the focus track 'Vox' cannot be analysed: silent \(peak below -80 dBFS\)", True)
    if case == "focus_missing_media":
        return Expect("error", None, r"the focus track 'Vox' cannot be analysed: cannot analyse: track 'Vox', item 1: "
                      r"missing media \(.*vox-gone\.wav\)", True)
    return CHANGED


# ------------------------------------------------------------------------------------------------
# checks of a completed action
# ------------------------------------------------------------------------------------------------
def tagged(track, tag_name: str) -> list:
    tags = parse_tags(track.get_ext("reaper_assist_tag") or "")
    return [fx for fx in (track.fxchain.fx if track.fxchain else []) if tags.get(fx.guid.upper()) == tag_name]


def expected_floor_db(case: str) -> tuple[float, float]:
    """Where auto-gate's noise floor of the generated media must land (lo, hi) in dBFS."""
    m = re.fullmatch(r"rate_(\d+)", case)
    if m:  # white noise made at a higher rate loses the power above 24 kHz when resampled to 48 kHz
        floor = FLOOR_DBFS + 10 * math.log10(min(1.0, SR / int(m.group(1))))
        return floor - FLOOR_TOL_DB, floor + FLOOR_TOL_DB
    if case == "wav_PCM_U8":  # quantisation-limited: between the noise and one 8-bit step (-42 dBFS)
        return FLOOR_DBFS - FLOOR_TOL_DB, 20 * math.log10(1 / 128)
    return FLOOR_DBFS - FLOOR_TOL_DB, FLOOR_DBFS + FLOOR_TOL_DB


def check_completed(case: str, action: str, record: dict, project: Project, subject: int) -> None:
    """Known answers on the subject's planned values, and the tagged plugin in the project."""
    t = record["tracks"][subject]
    ev = t["evidence"]
    tr = project.tracks[subject]
    if action == "gain-stage":
        assert t["after_db"] <= -18.0 + 0.2 and t["after_db"] == pytest.approx(t["before_db"] + t["change_db"], abs=0.01)
        assert ev["sample_peak_dbfs"] + t["change_db"] <= -6.0 + 0.01  # the peak guard
        return
    ours = tagged(tr, {"auto-eq": "auto-eq", "auto-compress": "auto-compress", "auto-gate": "auto-gate",
                       "unmask": "unmask"}[action])
    assert len(ours) == 1 and ours[0].name == OURS[action][1], [f.name for f in tr.fxchain.fx]
    fx = ours[0].model
    if action == "auto-eq":
        assert ev["instrument"] == "snare" and not ev["generic_rules"]
        assert fx.get_named_config("BANDTYPE0") == "4" and fx.get_named_config("BANDENABLED0") == "1"  # High Pass
        # the table's corner, or lower where the snare's own lowest partial needs it (issue 13)
        planned = next(c["new"] for c in record["changes"] if "(High Pass) freq" in c["what"])
        assert planned <= freq_native(SNARE_HIGHPASS_HZ) + 1e-4
        assert fx.get_param(0) == pytest.approx(planned, abs=1e-4)  # the record rounds to 4 decimals
    elif action == "auto-compress":
        assert ev["target_gr_db"] == SNARE_TARGET_GR_DB
        assert ev["predicted_gr_db"] == pytest.approx(SNARE_TARGET_GR_DB, abs=GR_TOL_DB)
        thr_db = next(c["evidence"]["threshold_db"] for c in record["changes"] if "Threshold" in c["what"])
        assert 20 * math.log10(fx.get_param(0)) == pytest.approx(thr_db, abs=0.01)
        assert fx.get_param(15) == 0.0  # auto make-up off
    elif action == "auto-gate":
        lo, hi = expected_floor_db(case)
        assert lo <= ev["noise_floor_db"] <= hi, (lo, hi)
        thr_db = 20 * math.log10(fx.get_param(0))
        assert ev["noise_floor_db"] + 6.0 - 0.01 <= thr_db <= ev["hit_level_db"] - 6.0 + 0.01  # evidence: 3 decimals
    elif action == "unmask":
        assert ev["focus"] == FOCUS and ev["bands"]
        assert ev["overall_masking_after_predicted"] < ev["overall_masking_before"]
        assert all(0.0 < b["cut_db"] <= MAX_UNMASK_CUT_DB + 1e-9 for b in ev["bands"])


def run_case(builder: Callable, tmp: Path, action: str):
    s = builder(tmp, action)
    host = s.host
    if s.first_run is not None:
        first = registry.run_action(action, host, options=s.first_run)
        assert first["status"] == "ok" and first["undo"], first["message"]
    reference = {"text": host.reaper.project.dumps()}
    if s.mutate is not None:
        real_apply = host.apply

        def apply_after_mutation(ops, undo_name, **kw):
            s.mutate(host)
            reference["text"] = host.reaper.project.dumps()
            return real_apply(ops, undo_name, **kw)

        host.apply = apply_after_mutation
    record = registry.run_action(action, host, selected=True, options=s.options)
    stored = json.loads(host.get_proj_ext("reaper_assist", "last_run"))
    assert stored["status"] == record["status"] and stored["message"] == record["message"]
    return s, record, reference["text"], host.reaper.project.dumps()


def check_outcome(case: str, action: str, s: Setup, record: dict, before: str, after: str) -> None:
    exp = expect(case, action)
    msg = record["message"]
    assert record["status"] == exp.status, msg
    assert msg and "Traceback" not in msg
    if exp.subject is None:
        assert re.search(exp.cause, msg), msg
    else:
        t = record["tracks"][s.subject]
        assert t["name"] == SUBJECT and t["status"] == exp.subject, t
        assert re.search(exp.cause, t["reason"]), t["reason"]
        if exp.subject == "skipped":  # the message names the track and the cause
            assert re.search(rf"\b{SUBJECT}: {exp.cause}", msg), msg
    if exp.unchanged:
        assert without_record(after) == without_record(before), msg
        assert not record.get("undo")
    else:
        assert without_record(after) != without_record(before)
        check_completed(case, action, record, Project.loads(after), s.subject)


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_ends_in_a_defined_outcome(case, action, tmp_path):
    s, record, before, after = run_case(CASES[case], tmp_path, action)
    check_outcome(case, action, s, record, before, after)


@pytest.mark.parametrize("case", sorted(FOCUS_CASES))
def test_unmask_focus_track_problems(case, tmp_path):
    s, record, before, after = run_case(FOCUS_CASES[case], tmp_path, "unmask")
    check_outcome(case, "unmask", s, record, before, after)


# ------------------------------------------------------------------------------------------------
# sections and reversed sources play exactly what a plain file of that audio plays
# ------------------------------------------------------------------------------------------------
def _planned(record: dict) -> list[tuple[str, Any]]:
    return [(c["what"], c["new"]) for c in record["changes"]]


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("kind", ["section", "reversed"])
def test_section_and_reversed_sources_plan_like_the_plain_audio(kind, action, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    _, wrapped, _, _ = run_case(CASES[f"{kind}_source"], tmp_path / "a", action)
    x = hits()
    c = start(tmp_path / "b", action)
    c.track(signal=x[::-1] if kind == "reversed" else x)
    plain = registry.run_action(action, c.host(), selected=True)
    assert wrapped["status"] == plain["status"] == "ok"
    got, want = _planned(wrapped), _planned(plain)
    assert [w for w, _ in got] == [w for w, _ in want]
    for (what, a), (_, b) in zip(got, want):
        if isinstance(b, float):
            assert a == pytest.approx(b, rel=1e-3, abs=1e-4), what
        else:
            assert a == b, what


# ------------------------------------------------------------------------------------------------
# a user's plugin with our name is never taken for ours
# ------------------------------------------------------------------------------------------------
def _user_fx_chunk(project: Project, track: int, name: str) -> str:
    from reaper_assist.emulator import rpp

    tr = project.tracks[track]
    tags = parse_tags(tr.get_ext("reaper_assist_tag") or "")
    mine = [fx for fx in tr.fxchain.fx if fx.name == name and fx.guid.upper() not in tags]
    assert len(mine) == 1, [fx.name for fx in tr.fxchain.fx]
    return "\n".join(n.text if isinstance(n, rpp.Line) else rpp.dumps(n) for n in mine[0].nodes())


@pytest.mark.parametrize("action", ACTIONS)
def test_user_fx_named_like_ours_stays_untouched_over_two_runs(action, tmp_path):
    """The user's bypassed plugin renamed like ours: we add our own (tagged) next to it, and a
    second run at another amount updates ours, never the user's."""
    s = CASES["user_fx_with_our_name_bypassed"](tmp_path, action)
    host = s.host
    name = OURS[action][1]
    user_before = _user_fx_chunk(Project.loads(host.reaper.project.dumps()), s.subject, name)
    opts = dict(s.options)
    first = registry.run_action(action, host, selected=True, options=opts)
    again = {"target": "rms:-30"} if action == "gain-stage" else {"amount": 50.0}
    second = registry.run_action(action, host, selected=True, options={**opts, **again})
    assert first["status"] == second["status"] == "ok", (first["message"], second["message"])
    assert second["changes"], second["message"]  # the update happened...
    after = Project.loads(host.reaper.project.dumps())
    assert _user_fx_chunk(after, s.subject, name) == user_before  # ...and not on the user's plugin
    if action != "gain-stage":
        tag = action
        ours = tagged(after.tracks[s.subject], tag)
        assert len(ours) == 1 and ours[0].name == name and ours[0].enabled


def test_corrupt_rpp_is_a_readable_error_for_every_action(tmp_path, capsys):
    from reaper_assist import cli

    src = (Path(__file__).resolve().parents[1] / "data" / "rpp" / "rpp-editor_test2.rpp").read_text()
    p = tmp_path / "corrupt.rpp"
    p.write_text(src[: len(src) // 2] + "\n<TRACK\n  NAME \"unterminated\n")
    for action in ACTIONS:
        rc = cli.main(["run", action, "--project", str(p), "--selected", "--save", str(tmp_path / "out.rpp")])
        err = capsys.readouterr().err
        assert rc == 2 and re.search(r"^reaper-assist: .*line \d+", err), (action, err)
        assert "Traceback" not in err and not (tmp_path / "out.rpp").exists()
