"""A track's pre-FX audio from its items' media files, via the host's item description."""

from __future__ import annotations

from dataclasses import dataclass

from reaper_assist.host.base import ItemState, TrackState
from reaper_assist.media import ItemSpec, MediaProblem, TrackAudio, render_items
from reaper_assist.media.items import item_spec_from_info


def item_spec(track: TrackState, item: ItemState) -> ItemSpec:
    """The media layer's description of one item; ``item_index`` is 1-based, as users count."""
    take = item.take
    info = {"D_POSITION": item.position_s, "D_LENGTH": item.length_s, "B_MUTE": float(item.mute),
            "D_VOL": item.item_volume, "D_FADEINLEN": item.fade_in_s, "C_FADEINSHAPE": item.fade_in_shape,
            "D_FADEINLEN_AUTO": item.fade_in_auto_s, "D_FADEOUTLEN_AUTO": item.fade_out_auto_s,
            "D_FADEINDIR": item.fade_in_dir, "D_FADEOUTLEN": item.fade_out_s, "C_FADEOUTSHAPE": item.fade_out_shape,
            "D_FADEOUTDIR": item.fade_out_dir, "B_LOOPSRC": float(item.loop_source)}
    if take is None:
        return item_spec_from_info(track.name, item.index + 1, info, None, source_kind="empty")
    tinfo = {"D_VOL": take.volume, "D_PAN": take.pan, "D_STARTOFFS": take.start_offset_s,
             "D_PLAYRATE": take.playrate, "I_CHANMODE": float(take.chanmode)}
    st = take.source_type.upper()
    if take.is_midi:
        kind, file = "midi", None
    elif st.startswith("_OFFLINE") or st == "":
        kind, file = ("offline" if st else "empty"), take.file or None
    else:
        kind, file = "audio", take.file or None
    sec = take.section or {}
    return item_spec_from_info(track.name, item.index + 1, info, tinfo, source_file=file, source_kind=kind,
                               section_start_s=float(sec.get("start_s", 0.0)),
                               section_length_s=sec.get("length_s") if sec else None,
                               reversed=bool(sec.get("reversed", False)))


@dataclass(frozen=True)
class PreFxAudio:
    audio: TrackAudio | None
    problems: tuple[MediaProblem, ...]
    midi_only: bool
    no_items: bool

    def why_not(self, track: TrackState, verb: str) -> str:
        """Why there is nothing to ``verb`` (measure, analyse) on this track, or ""."""
        if self.no_items:
            return f"no items to {verb}" if not track.items else "every item is muted"
        if self.midi_only:
            return f"MIDI only: no audio to {verb} (render or freeze it to audio first)"
        if self.problems:
            return f"cannot {verb}: " + "; ".join(str(p) for p in self.problems)
        return ""


def identity_key(track: TrackState, sample_rate: int, params: dict) -> tuple[str, float]:
    """Cache key of a track's pre-FX measurement, and the reference gain it is relative to.

    The key holds every item's playback description with its gain taken *relative to the first
    audible item's gain* ``g0``, the identity (path, size, mtime) of every media file, the project
    rate and the measurement parameters. Levels scale exactly with a common gain, so a cached
    measurement stored relative to ``g0`` stays valid after an action changed all item gains by
    the same dB (a second gain-staging run, a fader-like change) and needs no new analysis.
    """
    import dataclasses
    import os

    from reaper_assist.analysis.cache import FileIdentity, cache_key

    specs = [item_spec(track, it) for it in track.items]
    g0 = next((sp.item_volume * sp.take_volume for sp in specs
               if not sp.mute and sp.item_volume * sp.take_volume != 0.0), 1.0)
    rel = [dataclasses.replace(sp, item_volume=1.0, take_volume=sp.item_volume * sp.take_volume / g0)
           for sp in specs]
    files = []
    for sp in specs:
        if sp.source_file:
            try:
                st = os.stat(sp.source_file)
                files.append((sp.source_file, st.st_size, st.st_mtime_ns))
            except OSError:
                files.append((sp.source_file, -1, -1))
    ident = FileIdentity(track.guid, len(specs), 0)
    items = [{k: (round(v, 12) if isinstance(v, float) else v) for k, v in dataclasses.asdict(sp).items()}
             for sp in rel]
    return cache_key(ident, {"items": items, "files": files, "sr": sample_rate, "nchan": track.nchan,
                             **params}), g0


def pre_fx_audio(track: TrackState, sample_rate: int) -> PreFxAudio:
    """Render the track's items (only where they play) at the project rate; never raises on
    bad media: problems are reported per item."""
    if not track.items:
        return PreFxAudio(None, (), False, True)
    specs = [item_spec(track, it) for it in track.items]
    midi_only = all(s.source_kind == "midi" for s in specs)
    audible = [s for s in specs if not s.mute]
    if not audible:
        return PreFxAudio(None, (), midi_only, True)
    start = min(s.position_s for s in audible)
    end = max(s.position_s + s.length_s for s in audible)
    ta = render_items(specs, sample_rate=sample_rate, channels=max(1, min(track.nchan, 8)), start_s=start, end_s=end)
    return PreFxAudio(ta, tuple(ta.problems), midi_only, False)
