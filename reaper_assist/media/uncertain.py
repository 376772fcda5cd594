"""Every REAPER playback behaviour this package models without a settling source.

Each constant or function here is marked UNCERTAIN with its reasoning, so that one file can be
calibrated against a real REAPER (render an item with the setting, compare with
:func:`reaper_assist.media.render_items`). Nothing outside this module hard-codes these choices.
"""

from __future__ import annotations

import numpy as np

# --------------------------------------------------------------------------------------------
# Fade curves (C_FADEINSHAPE / C_FADEOUTSHAPE 0..6, curvature D_FADEINDIR / D_FADEOUTDIR -1..1)
#
# UNCERTAIN (SECONDARY, one origin). The formulas are the reverse-engineered curves posted by
# "cohler" in the Cockos forum thread https://forum.cockos.com/showthread.php?t=262260 and
# carried by public ReaScripts (ReaTeam "Convert item fades to take volume envelopes" by Oded D,
# v1.4; the "MB Buss Driver" script reuses the same table for a fader taper). They are fits to
# REAPER's drawn/played fades, not Cockos code. Shape k uses the (k+1)-th entry of that table;
# a fade-out evaluates the fade-in curve at (1 - x) with the curvature negated.
#
# Open point: the source table gives shapes 2, 3, 4 a *default* curvature (+1, -1, +1) used only
# when no curvature is passed. Here the item's stored curvature is always passed (what the source
# does with D_FADEINDIR), so at curvature 0 shapes 3 and 4 equal shape 0 (linear). If a real REAPER
# stores curvature 0 for those shapes yet plays them curved, pass the default instead; see
# SHAPE_DEFAULT_DIR.
# --------------------------------------------------------------------------------------------

#: Fade shape names as REAPER's fade menu orders them (0 = linear). Names are descriptive only.
FADE_SHAPE_NAMES = {
    0: "linear",
    1: "fast start (quadratic, bends with curvature)",
    2: "fast end (bends with curvature)",
    3: "fast start (quartic, bends with curvature)",
    4: "fast end (quartic, bends with curvature)",
    5: "slow start/end (smoothstep, S-curve)",
    6: "sharp S-curve",
}

#: The curvature the source table assumes when none is given (see the open point above).
SHAPE_DEFAULT_DIR = {0: 0.0, 1: 0.0, 2: 1.0, 3: -1.0, 4: 1.0, 5: 0.0, 6: 0.0}


def _fade1(x: np.ndarray, c: float) -> np.ndarray:
    if c < 0:
        return (1 + c) * x * (2 - x) - c * np.sqrt(1 - (1 - x) ** 8)
    return (1 - c) * x * (2 - x) + c * x**4


def _fade2(x: np.ndarray, c: float) -> np.ndarray:
    if c < 0:
        return (1 + c) * x - c * (1 - (1 - x) ** 2)
    return (1 - c) * x + c * x**2


def _fade3(x: np.ndarray, c: float) -> np.ndarray:
    if c < 0:
        return (1 + c) * x - c * (1 - (1 - x) ** 4)
    return (1 - c) * x + c * x**4


def _warp(x: np.ndarray, t: float) -> np.ndarray:
    """Monotonic warp of [0, 1] onto itself (the source's ``fadeh``); identity at t = 0.5."""
    # The source writes g = (sqrt(x(1-2t) + t^2) - t) / (1-2t), special-casing t = 0.5; this is the
    # same value multiplied through by the conjugate, which stays accurate as t approaches 0.5.
    g = x / (np.sqrt(x * (1 - 2 * t) + t * t) + t)
    return (2 * t - 1) * g * g + (2 - 2 * t) * g


def _fade_s(x: np.ndarray, c: float) -> np.ndarray:
    x1 = _warp(x, 0.25 * (c + 2))
    return (3 - 2 * x1) * x1 * x1


def _fade_sharp_s(x: np.ndarray, c: float) -> np.ndarray:
    x2 = _warp(x, (5 * c + 8) / 16)
    return np.where(x2 <= 0.5, 8 * x2**4, 1 - 8 * (1 - x2) ** 4)


_FADE_IN = {0: _fade3, 1: _fade1, 2: _fade2, 3: _fade3, 4: _fade3, 5: _fade_s, 6: _fade_sharp_s}


def fade_in_curve(x: np.ndarray, shape: int, direction: float) -> np.ndarray:
    """Fade-in gain at normalized fade time ``x`` (0 = fade start, 1 = fade end).

    Parameters
    ----------
    x : numpy.ndarray
        Positions in [0, 1]; values outside are clamped.
    shape : int
        ``C_FADEINSHAPE``, 0..6.
    direction : float
        ``D_FADEINDIR``, curvature -1..1.

    Returns
    -------
    numpy.ndarray
        Linear gain, 0 at ``x = 0`` and 1 at ``x = 1``.
    """
    xc = np.clip(np.asarray(x, dtype=np.float64), 0.0, 1.0)
    return np.clip(_FADE_IN[int(shape)](xc, float(direction)), 0.0, 1.0)


def fade_out_curve(x: np.ndarray, shape: int, direction: float) -> np.ndarray:
    """Fade-out gain at normalized fade time ``x`` (0 = fade start, gain 1; 1 = item end, gain 0).

    The source evaluates the fade-in curve at ``1 - x`` with the curvature negated.
    """
    xc = np.clip(np.asarray(x, dtype=np.float64), 0.0, 1.0)
    return fade_in_curve(1.0 - xc, shape, -float(direction))


#: UNCERTAIN: when fade-in and fade-out overlap (sum of lengths > item length) both gains are
#: multiplied. No source says whether REAPER shortens them instead; its UI usually prevents it.
OVERLAPPING_FADES_MULTIPLY = True

# --------------------------------------------------------------------------------------------
# Channels
# --------------------------------------------------------------------------------------------

#: UNCERTAIN (pan law): a mono source on a stereo (or wider) track plays the same signal in
#: channels 1 and 2 at this gain. REAPER items are not panned by the track pan law before FX;
#: unity matches "a mono file sounds as loud in each channel as its samples say". A pan law that
#: applied to items would change this to e.g. 0.7071 (-3 dB).
MONO_TO_STEREO_GAIN = 1.0

#: UNCERTAIN: I_CHANMODE 2 ("mono (downmix)") is taken as the mean of the source channels
#: (L+R)/2 for stereo, i.e. gain 1/channels on the sum, then played as a mono source. REAPER
#: might sum at -3 dB or 0 dB; no public source gives the gain.
def downmix_gain(source_channels: int) -> float:
    """Gain applied to the sum of all source channels for ``I_CHANMODE`` 2 (UNCERTAIN)."""
    return 1.0 / max(1, int(source_channels))


def take_pan_gains(pan: float) -> tuple[float, float]:
    """Left/right gains of take pan ``D_PAN`` on a stereo pair (UNCERTAIN).

    Modelled as a balance control with a 0 dB centre: the side the pan moves towards keeps
    unity, the other side falls linearly to 0 at full pan. REAPER applies the take's pan law
    (``D_PANLAW``, default = project default) which is not modelled; only pan = 0 is certain
    (unity on both sides under any law normalised to 0 dB at centre).
    """
    p = float(pan)
    return (min(1.0, 1.0 - p), min(1.0, 1.0 + p))


# --------------------------------------------------------------------------------------------
# Timing
# --------------------------------------------------------------------------------------------

#: UNCERTAIN: item edges land on the nearest project sample (round half to even of
#: seconds * rate). REAPER may place items with sub-sample precision; the difference is at most
#: half a sample of time shift, never a level change.
def seconds_to_frame(seconds: float, rate: float) -> int:
    """Project or source frame index nearest to ``seconds`` at ``rate`` Hz."""
    return int(round(float(seconds) * float(rate)))
