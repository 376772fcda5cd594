"""Envelope curves at audio rate."""

from __future__ import annotations

import numpy as np

from reaper_assist.emulator import uncertain as EU
from reaper_assist.emulator.envelope_eval import evaluate_array
from reaper_assist.emulator.project import Envelope

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

