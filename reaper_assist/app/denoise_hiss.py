"""Denoise, hiss part: a denoised new take beside each item's original take (docs/denoise.md).

Per item whose active take plays an audio file: the file's noise profile from its quietest parts
(:mod:`reaper_assist.analysis.hiss`), the spectral gate over the whole file, the result written (on
apply only) into the project folder's ``reaper-assist/`` subfolder under a content-digest name, and a
``NewTake`` step making it the active take. The item's original take stays. An item whose active take
is already ours is analysed from its original file (the ``P_EXT:reaper_assist_take`` listing says
which): the same result has the same file name, so a second run changes nothing.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import numpy as np

from reaper_assist.analysis import hiss
from reaper_assist.host.base import TrackState
from reaper_assist.items import ItemState
from reaper_assist.media import rendered
from reaper_assist.rules.steps import NewTake, Step

TAG = "denoise"
TAKE_NAME = "RA denoise"


def our_takes(item: ItemState) -> dict[str, dict[str, Any]]:
    try:
        d = json.loads(item.our_takes or "{}")
    except ValueError:
        return {}
    return {str(k).upper(): v for k, v in d.items() if isinstance(v, dict)} if isinstance(d, dict) else {}


def original_item(item: ItemState) -> ItemState:
    """The item as its original take plays it, when its active take is our denoised one."""
    t = item.take
    mine = our_takes(item).get(str(t.guid).upper()) if t is not None else None
    if t is None or not mine or not mine.get("original"):
        return item
    return dataclasses.replace(item, take=dataclasses.replace(t, file=str(mine["original"])))


def original_track(track: TrackState) -> TrackState:
    return dataclasses.replace(track, items=tuple(original_item(it) for it in track.items))


def _read(path: str) -> tuple[np.ndarray, int]:
    import soundfile as sf

    x, sr = sf.read(path, dtype="float64", always_2d=True)
    return x.T, int(sr)


def item_step(tr: TrackState, item: ItemState, orig: ItemState, project_file: str,
              amount: float) -> tuple[list[Step], dict[str, Any], str]:
    """The step (or none), the evidence and the words for one item."""
    t = orig.take
    if t is None or t.source_kind != "audio" or t.section is not None or not t.file:
        return [], {}, f"item {item.number}: no plain audio file behind its take (nothing denoised)"
    x, sr = _read(t.file)
    prof = hiss.profile(x, sr, name=tr.name)
    ev: dict[str, Any] = {"item": item.number, "hiss_found": prof.found, "floor_before_dbfs": prof.floor_dbfs,
                          "profile_flatness": prof.flatness, "signal_over_floor_db": prof.snr_db}
    if not prof.found or prof.noise_psd is None:
        return [], ev, f"item {item.number}: {prof.why}"
    if not project_file:
        return [], ev, (f"item {item.number}: {prof.why}, but the project is not saved: save it first (the "
                        f"denoised take is written into its folder's {rendered.SUBFOLDER}/ subfolder)")
    y = hiss.gate(x, sr, prof.noise_psd, amount=amount)
    path = rendered.target_path(project_file, t.file, "denoise", y)
    after = hiss.quiet_floor_db(y, x)
    ev.update({"floor_after_dbfs": after, "signal_damage_db": hiss.band_change_db(x, y, sr, prof.noise_psd),
               "file": str(path)})
    words = (f"item {item.number}: {prof.why}; floor {prof.floor_dbfs:.1f} -> {after:.1f} dBFS in a new take, "
             f"loud parts' bands change <= {ev['signal_damage_db']:.2f} dB")
    if item.take is not None and str(item.take.file) == str(path):
        return [], ev, f"item {item.number}: its active take is already this denoised take"
    step = NewTake(track_guid=tr.guid, track_name=tr.name, reason=words, evidence=ev, item_guid=item.guid,
                   item_index=item.index, file=str(path), original=t.file, name=TAKE_NAME, tag=TAG,
                   write=lambda: rendered.write_new(path, y, sr))
    return [step], ev, words


def hiss_steps(tr: TrackState, project_file: str, amount: float) -> tuple[list[Step], list[dict[str, Any]], list[str]]:
    steps: list[Step] = []
    evs, words = [], []
    for item in tr.items:
        if item.mute:
            continue
        st, ev, w = item_step(tr, item, original_item(item), project_file, amount)
        steps += st
        evs.append(ev)
        words.append(w)
    return steps, evs, words
