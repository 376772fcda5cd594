"""Issue 6: the bad-input matrix. Every case ends in a defined, readable outcome (a ``last_run``
record with status ``ok`` or ``error`` and a message, or our ProjectFormatError for an unreadable
.RPP), and where the action could not complete, the project is unchanged (apart from that record).

Runs the gain-stage action (the one action so far) headless on an in-process host, like
``reaper-assist run``. Media is generated small; the hour-long case is a looped 1 s source."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from reaper_assist.app import gain_stage
from reaper_assist.emulator.project import Project
from reaper_assist.errors import ProjectFormatError
from reaper_assist.host.inprocess import InProcessHost

SR = 48000


def tone(seconds=1.0, sr=SR, channels=2, amp=0.1):
    t = np.arange(int(seconds * sr)) / sr
    x = amp * np.sin(2 * np.pi * 220 * t)
    return np.stack([x * (1 - 0.3 * c / max(1, channels)) for c in range(channels)], axis=1)


class Case:
    def __init__(self, tmp: Path, sample_rate: int = SR):
        self.tmp = tmp
        self.project = Project.new(sample_rate=sample_rate)
        self.project.path = str(tmp / "song.rpp")

    def track(self, name="T", signal=None, *, subtype="FLOAT", sr=SR, file=None, length=None, source_type="WAVE"):
        tr = self.project.add_track(len(self.project.tracks), name=name)
        if signal is not None:
            file = file or self.tmp / f"{name}.wav"
            sf.write(file, signal, sr, subtype=subtype)
        n = (signal.shape[0] / sr) if signal is not None else 1.0
        self.project.add_item(tr, position=0.0, length=n if length is None else length,
                              file=str(file) if file else None, source_type=source_type)
        tr.selected = True
        return tr

    def host(self) -> InProcessHost:
        self.project.save(self.project.path)
        return InProcessHost.open(self.project.path)


def api(host, name, *a):
    return getattr(host.api, name)(*a)


def set_take(host, parm, value, track=0):
    tr = api(host, "GetTrack", 0, track)
    take = api(host, "GetActiveTake", api(host, "GetTrackMediaItem", tr, 0))
    api(host, "SetMediaItemTakeInfo_Value", take, parm, value)


# each case: (tmp) -> (host, expected statuses, mutate-between-analysis-and-apply or None)
def c_missing_media(tmp):
    c = Case(tmp)
    c.track("Gone", file=tmp / "nowhere.wav")
    return c.host(), {"error", "ok"}, None


def c_unreadable_media(tmp):
    bad = tmp / "bad.wav"
    bad.write_bytes(b"RIFF\0\0\0\0WAVEjunkjunkjunk")
    c = Case(tmp)
    c.track("Bad", file=bad)
    return c.host(), {"error", "ok"}, None


def c_zero_length_item(tmp):
    c = Case(tmp)
    c.track("Zero", tone(), length=0.0)
    return c.host(), {"error", "ok"}, None


def c_midi_only(tmp):
    c = Case(tmp)
    c.track("Midi", source_type="MIDI")
    return c.host(), {"error", "ok"}, None


def c_all_silent(tmp):
    c = Case(tmp)
    c.track("Silent", np.zeros((SR, 2)))
    return c.host(), {"error", "ok"}, None


def c_clipped(tmp):
    c = Case(tmp)
    c.track("Clip", np.clip(tone(amp=3.0), -1.5, 1.5))  # float file with overs
    return c.host(), {"ok"}, None


def c_extreme_playrate_slow(tmp):
    c = Case(tmp)
    c.track("Slow", tone())
    h = c.host()
    set_take(h, "D_PLAYRATE", 0.01)
    return h, {"error", "ok"}, None


def c_extreme_playrate_fast(tmp):
    c = Case(tmp)
    c.track("Fast", tone(seconds=2.0))
    h = c.host()
    set_take(h, "D_PLAYRATE", 100.0)
    return h, {"error", "ok"}, None


def c_hour_long_looped(tmp):
    c = Case(tmp, sample_rate=8000)  # an 8 kHz project keeps the hour cheap to render
    c.track("Hour", tone(seconds=1.0, sr=8000, channels=1), sr=8000, length=3600.0)
    h = c.host()
    it = api(h, "GetTrackMediaItem", api(h, "GetTrack", 0, 0), 0)
    api(h, "SetMediaItemInfo_Value", it, "B_LOOPSRC", 1)
    return h, {"error", "ok"}, None


def c_deleted_track_before_apply(tmp):
    c = Case(tmp)
    c.track("A", tone())
    c.track("B", tone(amp=0.5))

    def mutate(h):
        api(h, "DeleteTrack", api(h, "GetTrack", 0, 1))
    return c.host(), {"error"}, mutate


def c_renamed_track_before_apply(tmp):
    c = Case(tmp)
    c.track("A", tone())

    def mutate(h):
        api(h, "GetSetMediaTrackInfo_String", api(h, "GetTrack", 0, 0), "P_NAME", "Renamed", True)
    return c.host(), {"ok"}, mutate  # identified by GUID: a rename does not matter


def c_volume_changed_before_apply(tmp):
    c = Case(tmp)
    c.track("A", tone())

    def mutate(h):
        tr = api(h, "GetTrack", 0, 0)
        take = api(h, "GetActiveTake", api(h, "GetTrackMediaItem", tr, 0))
        api(h, "SetMediaItemTakeInfo_Value", take, "D_VOL", 0.3)
    return c.host(), {"error", "ok"}, mutate


def c_user_fx_with_our_name(tmp):
    c = Case(tmp)
    c.track("A", tone())
    h = c.host()
    tr = api(h, "GetTrack", 0, 0)
    k = api(h, "TrackFX_AddByName", tr, "JS: Volume Adjustment", False, -1)
    api(h, "TrackFX_SetNamedConfigParm", tr, k, "renamed_name", "RA Gain")  # the user's, untagged
    return h, {"ok"}, None


CASES = {f.__name__[2:]: f for n, f in sorted(globals().items()) if n.startswith("c_")}
def _uniform(tmp, *, channels=2, subtype="FLOAT", rate=SR, seconds=1.0):
    return _simple(tmp, tone(channels=channels, sr=rate, seconds=seconds), subtype=subtype, sr=rate), {"ok"}, None


for ch in (1, 2, 6, 8):
    CASES[f"channels_{ch}"] = functools.partial(_uniform, channels=ch)
for sub in ("PCM_U8", "PCM_16", "PCM_24", "PCM_32", "FLOAT"):
    CASES[f"wav_{sub}"] = functools.partial(_uniform, subtype=sub)
for rate in (8000, 22050, 96000, 192000):
    CASES[f"rate_{rate}"] = functools.partial(_uniform, rate=rate, seconds=0.5)


def _simple(tmp, sig, **kw):
    c = Case(tmp)
    c.track("A", sig, **kw)
    return c.host()


def without_record(text: str) -> str:
    return re.sub(r"  <EXTSTATE\n.*?\n  >\n", "", text, flags=re.DOTALL)


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_ends_in_a_defined_outcome(name, tmp_path):
    host, expected, mutate = CASES[name](tmp_path)
    if mutate is not None:
        real_apply = host.apply

        def apply_after_mutation(ops, undo_name, **kw):
            mutate(host)
            host.before_apply = host.reaper.project.dumps()
            return real_apply(ops, undo_name, **kw)

        host.apply = apply_after_mutation
    before = host.reaper.project.dumps()
    record = gain_stage.run(host, selected=True)
    assert record["status"] in expected, record
    assert isinstance(record["message"], str) and record["message"] and "Traceback" not in record["message"]
    after = host.reaper.project.dumps()
    reference = getattr(host, "before_apply", before)
    changed = [t for t in record.get("tracks", []) if t.get("status") == "changed"]
    if record["status"] == "error" or not changed:
        assert without_record(after) == without_record(reference), record["message"]
    if name == "user_fx_with_our_name":
        fx = re.findall(r"<JS [^\n]*", after)
        assert len(fx) <= 2 and "RA Gain" in after


def test_corrupt_rpp_is_a_readable_project_format_error(tmp_path):
    src = (Path(__file__).resolve().parents[1] / "data" / "rpp" / "rpp-editor_test2.rpp").read_text()
    p = tmp_path / "corrupt.rpp"
    p.write_text(src[: len(src) // 2] + "\n<TRACK\n  NAME \"unterminated\n")
    with pytest.raises(ProjectFormatError, match=r"line \d+"):
        InProcessHost.open(str(p))
