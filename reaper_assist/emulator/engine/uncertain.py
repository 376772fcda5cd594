"""Every choice of the audio engine that no source settles, in one place.

Nothing here was measured on a running REAPER. Each entry says what we chose, why, and what the
alternative is; ``docs/engine.md`` lists them. The parameter *maps* (native value -> units) are
not here but in :mod:`reaper_assist.plugins.uncertain`; this module holds what the engine does
with the units: pan law, automation combination, the internals of the DSP models.
"""

from __future__ import annotations

import numpy as np

# --- Track pan law (facts 1.4: D_PANLAW < 0 = project default; the default is not sourced) ----
# Chosen: REAPER's default pan mode "stereo balance / mono pan" with a 0 dB centre: at pan 0 both
# channels are unity; the side the pan moves away from falls linearly to 0 at full pan, the other
# side keeps unity. The engine's item player uses the same law for the take pan (VOLPAN field 1). Alternatives: a -3 dB (sine/cosine) or -6 dB centre, or a sine taper.
PAN_LAW = "balance, 0 dB centre, linear taper"


def pan_gains(pan: np.ndarray | float) -> tuple[np.ndarray | float, np.ndarray | float]:
    """Left/right gains of track pan (-1 = left .. +1 = right), scalar or per-sample array."""
    p = np.clip(pan, -1.0, 1.0)
    left = np.minimum(1.0, 1.0 - p)
    right = np.minimum(1.0, 1.0 + p)
    return left, right


# --- Automation (facts 1.5, 4.5) -----------------------------------------------------------------
# AUTOMODE 0 "trim/read": the fader (D_VOL/D_PAN) still acts, as an offset on top of the envelope:
# volume multiplies, pan adds (clamped). Modes >= 1 (read, touch, write, latch): the envelope
# replaces the fader value. REAPER's manual describes trim/read so; the pan arithmetic is a guess.
def combine_volume(fader: float, env: np.ndarray, automode: int) -> np.ndarray:
    return env * fader if automode == 0 else env


def combine_pan(fader: float, env: np.ndarray, automode: int) -> np.ndarray:
    return np.clip(env + fader, -1.0, 1.0) if automode == 0 else env


# Volume envelopes (VOLENV/VOLENV2/VOLENV3, scaling mode 1) are interpolated between points in the
# fader-scaled domain (ScaleToEnvelopeMode), which is how REAPER draws them; the chunk stores linear
# amplitude (facts Q5). Alternative: interpolate the linear amplitudes directly.
VOLUME_ENVELOPE_INTERPOLATION = "fader"

# Parameter envelopes are evaluated at the start of every block of this many samples and held for
# the block (REAPER itself updates plug-in parameters per audio block).
AUTOMATION_BLOCK = 256

# --- FX wrapper params (facts 2.0: Bypass, Wet, Delta appended to every FX) ----------------------
# out = dry + wet * (fx(dry) - dry); with Delta on, the dry signal is subtracted from that
# (REAPER's "delta solo" plays what the FX changes). How Wet and Delta combine is a guess.


# --- ReaEQ -------------------------------------------------------------------------------------
# All band types use the RBJ cookbook with alpha from the bandwidth in octaves
# (alpha = sin w0 * sinh(ln2/2 * BW * w0/sin w0)), shelves and low/high pass included (the cookbook
# gives shelves a slope S instead; ReaEQ shows BW for them). "Band (alt)", "Band (alt 2)" are
# modelled as the peaking band, "Parallel Band Pass" as band pass. Frequencies above 0.49 x the
# sample rate (ReaEQ allows 24 kHz at any rate) are clamped there.
EQ_NYQUIST_FRACTION = 0.49
# A band gain of -inf dB (native 0): a peaking band becomes a notch of the band's bandwidth; a
# shelf's gain is floored here (REAPER's usual -inf). Unverified: what ReaEQ does at gain 0.
EQ_SHELF_FLOOR_DB = -150.0

# --- ReaComp -----------------------------------------------------------------------------------
# Detector: per channel RMS over the "RMS size" window (a causal moving average of the square), or
# the absolute sample when RMS size is 0; channels linked by taking the loudest channel. Gain
# computer in dB with a quadratic soft knee of the knee width (Giannoulis, Massberg & Reiss 2012).
# Attack/release: one-pole smoothing of the gain reduction in dB, attack while the reduction
# grows. Auto make-up: + the reduction the static curve applies to a 0 dBFS signal. Pre-comp: the
# detector looks that far ahead (the render is latency-compensated, as REAPER's PDC does).
# Auto release, the detector filters and the side-chain input are not modelled.
COMP_AUTO_MAKEUP = "gain reduction at 0 dBFS"
COMP_CHANNEL_LINK = "max"

# The compressor's smoother runs as a Python loop at a control rate: one step per
# ``SMOOTHER_STEP`` samples, chosen so that the shortest time constant spans >= 16 steps (exact at
# the step points; the target is the block's largest reduction). Step 1 = every sample.
SMOOTHER_MAX_STEP = 32
SMOOTHER_STEPS_PER_TAU = 16

# --- ReaGate -----------------------------------------------------------------------------------
# Hysteresis (native 0..2, linear like the threshold): the gate closes when the level falls below
# threshold x hysteresis (1.0 = same level; values above 1 are treated as 1).
# Hold and pre-open curves: plugins/uncertain.py (gate_hold_ms, gate_preopen_ms).
# Attack/release: one-pole on the linear gate gain (opening with attack, closing with release).
# "Noise level", MIDI output, detector filters and side-chain: not modelled.

# --- ReaLimit ----------------------------------------------------------------------------------
# Threshold works like a "maximizer": the signal is raised by (ceiling - threshold) dB and then
# limited to the ceiling. Brickwall with a lookahead of LIMIT_LOOKAHEAD_MS (the render is
# latency-compensated), instant attack across the lookahead, exponential release toward unity
# gain. True-peak mode detects on the 4x oversampled signal (BS.1770-4 Annex 2 style) and the
# output is re-checked so its true peak stays within the ceiling + LIMIT_TP_TOLERANCE_DB.
LIMIT_LOOKAHEAD_MS = 1.5
# The true-peak detector (engine/meter.py) oversamples with resample_poly through BS.1770-4
# Annex 2's published 48-tap interpolator, so the limiter holds its ceiling on a standard meter.
# With scipy's default resample_poly filter instead (Kaiser, 10 zero crossings, beta 5, which
# attenuates content near Nyquist) the limiter's output read -0.73 dBTP on an Annex 2 meter for
# a -1 dB ceiling (the ReaLimit true-peak test in tests/engine). How closely a true peak is read
# depends on the interpolator (a long sinc reads that output near 0 dBTP); REAPER's own detector
# is not published. At 2x (96-192 kHz) phases 0 and 2 of the same filter are used.
TRUE_PEAK_INTERPOLATOR = "BS.1770-4 Annex 2, 48 taps"
LIMIT_TP_TOLERANCE_DB = 0.1

# --- RENDER_STATS text (facts dry-run addendum) --------------------------------------------------
# Numbers printed with two decimals; silence prints "-inf". The master's FILE is the project file
# name with ".wav" (or "master.wav" for an unsaved project); a track stem's FILE is the track name.
STATS_DECIMALS = 2
# LUFSMMAX / LUFSSMAX: the loudest 400 ms / 3 s window, windows starting every STATS_HOP_S (EBU
# Tech 3341 asks for at least 10 updates a second; REAPER's own step is not published).
STATS_HOP_S = 0.01
# RMSI: the mean square over all samples of both channels, in dB (a sine of peak 1 reads -3.01).
# CLIP: samples (each channel counted) whose magnitude reaches STATS_CLIP_LEVEL (0 dBFS); REAPER's
# exact clip criterion is not published.
STATS_CLIP_LEVEL = 1.0
