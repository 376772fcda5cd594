"""Envelope curves at audio rate, and the ItemSpec converter for the media renderer."""

from __future__ import annotations

import numpy as np

from reaper_assist.emulator import uncertain as EU
from reaper_assist.emulator.envelope_eval import evaluate_array
from reaper_assist.emulator.project import Envelope, Project, Track
from reaper_assist.media import ItemSpec

amp_to_slider = EU.amp_to_slider  # fader scaling (facts addendum Q2), arrays welcome
slider_to_amp = EU.slider_to_amp
evaluate_points = evaluate_array


def envelope_values(env: Envelope | None, times: np.ndarray) -> np.ndarray | None:
    """Stored-domain values of an active envelope with points, else None.

    Volume envelopes (scaling mode 1) interpolate in the fader domain and return linear
    amplitude (see :data:`.uncertain.VOLUME_ENVELOPE_INTERPOLATION`).
    """
    if env is None or not env.active:
        return None
    pts = env.points
    if not pts:
        return None
    pts = sorted(pts, key=lambda p: p.time)
    if env.scaling_mode == 1:
        from dataclasses import replace

        scaled = [replace(p, value=float(amp_to_slider(p.value))) for p in pts]
        return slider_to_amp(evaluate_points(scaled, times))
    return evaluate_points(pts, times)


def item_specs(track: Track, project: Project) -> tuple[list[ItemSpec], list[str]]:
    """The track's items as :class:`ItemSpec` (active take), and notes on unmodelled take FX."""
    specs: list[ItemSpec] = []
    notes: list[str] = []
    for k, item in enumerate(track.items):
        take = item.active_take
        src = take.source if take is not None else None
        kind, file, section = "audio", None, None
        if src is None:
            kind = "empty"
        elif src.is_midi:
            kind = "midi"
        elif src.offline:
            kind = "offline"
            file = src.file
        else:
            file = project.resolve_media(src.file)
            section = src.section
        if any(getattr(c, "tag", None) == "TAKEFX" for c in (take.nodes if take is not None else [])):
            notes.append(f"{track.name}: item {k} take FX")
        fade_in = item.fade_in_auto if item.fade_in_auto > 0 else item.fade_in
        fade_out = item.fade_out_auto if item.fade_out_auto > 0 else item.fade_out
        specs.append(ItemSpec(
            track_name=track.name, item_index=k, position_s=item.position, length_s=item.length,
            mute=item.mute, item_volume=item.volume,
            take_volume=take.volume if take is not None else 1.0,
            take_pan=max(-1.0, min(1.0, take.pan)) if take is not None else 0.0,
            start_offset_s=take.start_offset if take is not None else 0.0,
            playrate=take.playrate if take is not None and take.playrate > 0 else 1.0,
            fade_in_s=max(0.0, fade_in), fade_in_shape=item.fade_in_shape if 0 <= item.fade_in_shape <= 6 else 0,
            fade_in_dir=max(-1.0, min(1.0, item.fade_in_dir)),
            fade_out_s=max(0.0, fade_out), fade_out_shape=item.fade_out_shape if 0 <= item.fade_out_shape <= 6 else 0,
            fade_out_dir=max(-1.0, min(1.0, item.fade_out_dir)),
            chanmode=take.chanmode if take is not None and 0 <= take.chanmode <= 4 else 0,
            source_file=file, source_kind=kind,
            section_start_s=section[0] if section else 0.0,
            section_length_s=section[1] if section and section[1] > 0 else None,
            reversed=bool(section[2]) if section else False,
            loop_source=item.loop_source,
        ))
    return specs, notes
