"""Acceptance tests of the stock-plugin models, through a rendered project where possible.

Levels: "dBFS" here is RMS dBFS where a sine of peak 1.0 reads -3.01 dBFS (the convention of
analysis.measure_loudness.rms_dbfs); true peak is read with analysis.measure_loudness
(BS.1770-4 Annex 2), a different interpolator from the limiter's own.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from engine_helpers import SR, assert_db_close, rms_dbfs, sine

from reaper_assist.analysis.loudness import measure_loudness
from reaper_assist.emulator.engine import reacomp, reaeq, realimit, render
from reaper_assist.plugins import reaeq as EQ
from reaper_assist.plugins import uncertain as PU
from reaper_assist.plugins.reacomp import CompSettings
from reaper_assist.plugins.realimit import LimitSettings

# Acceptance tolerances of issue 4
EQ_GAIN_TOL_DB = 0.1  # a ReaEQ band at 1 kHz, +6 dB, 1 oct reads +6.0 +- 0.1 dB at 1 kHz
SLOPE_TOL_DB = 1.0  # a high pass attenuates one octave below by the order's slope within 1 dB
COMP_LEVEL_TOL_DB = 0.3  # -20 dB, 4:1, hard knee turns -10 dBFS into -17.5 +- 0.3 dBFS
TIME_CONSTANT_TOL = 0.10  # attack and release time constants within 10 %
TRUE_PEAK_OVER_CEILING_DB = 0.1  # ReaLimit's output true peak never above ceiling + 0.1 dB
# Our own, on exact arithmetic paths (static curves, no smoothing left)
STATIC_TOL_DB = 0.01


def eq_track(session, freq_hz, amp=0.25, seconds=2.0):
    tr = session.add_track("Tone", sine(freq_hz, seconds, amp))
    return tr, session.add_fx(tr, "ReaEQ")


def gain_db(session, freq_hz, amp=0.25, seconds=2.0):
    """Steady-state gain of the track at ``freq_hz`` (last second vs the input)."""
    out = render(session.project, track=session.track("Tone")).audio[:, -SR:]
    return rms_dbfs(out) - rms_dbfs(sine(freq_hz, 1.0, amp))


def test_reaeq_band_1khz_plus6db_1oct_reads_plus6_at_1khz(session):
    tr, k = eq_track(session, 1000.0)
    # band 3 of a fresh ReaEQ is a "Band" at 1 kHz: params 6 freq, 7 gain, 8 BW
    session.set_param(tr, k, 6, EQ.freq_native(1000.0))
    session.set_param(tr, k, 7, PU.reaeq_gain_native(6.0))
    session.set_param(tr, k, 8, EQ.bw_native(1.0))
    assert_db_close(gain_db(session, 1000.0), 6.0, EQ_GAIN_TOL_DB)


def test_reaeq_band_plus6db_1oct_is_plus3db_half_an_octave_away():
    # RBJ: the bandwidth is measured between the midpoint-gain (+3 dB) frequencies
    from scipy.signal import sosfreqz

    sos = reaeq.band_sos(8, 1000.0, 6.0, 1.0, SR)
    _, h = sosfreqz(sos[None, :], worN=[1000 / math.sqrt(2), 1000 * math.sqrt(2)], fs=SR)
    for v in 20 * np.log10(np.abs(h)):
        assert_db_close(float(v), 3.0, 0.15)


def test_reaeq_high_pass_100hz_is_2nd_order_12db_per_octave_at_50hz(session):
    # ReaEQ's high pass is modelled as the RBJ 2nd-order high pass: 12 dB/octave, so one octave
    # below the 100 Hz corner (50 Hz) it attenuates 12 dB (within 1 dB; default BW 2 oct).
    tr, k = eq_track(session, 50.0)
    assert session.f["RPR_TrackFX_SetNamedConfigParm"](tr, k, "BANDENABLED4", "1")
    session.set_param(tr, k, 12, EQ.freq_native(100.0))
    assert_db_close(gain_db(session, 50.0), -12.0, SLOPE_TOL_DB)


def test_reaeq_disabled_default_bands_are_transparent(session):
    eq_track(session, 440.0)
    out = render(session.project, track=session.track("Tone")).audio
    np.testing.assert_allclose(out, sine(440.0, 2.0, 0.25), atol=1e-9)


def test_reacomp_minus20_4to1_hard_knee_turns_minus10_into_minus17_5(session):
    # 1 kHz sine at -10 dBFS RMS; default RMS size 5 ms spans whole cycles, so the detector
    # reads exactly -10 dB: -20 + (-10 + 20) / 4 = -17.5 dBFS RMS.
    amp = 10 ** (-10 / 20) * math.sqrt(2)
    tr = session.add_track("Tone", sine(1000.0, 2.0, amp))
    k = session.add_fx(tr, "ReaComp")
    session.set_param(tr, k, 0, 10 ** (-20 / 20))  # threshold, linear amplitude
    session.set_param(tr, k, 1, PU.ratio_native(4.0))
    session.set_param(tr, k, 14, 0.0)  # knee: hard
    out = render(session.project, track=session.track("Tone")).audio[:, -SR:]
    assert_db_close(rms_dbfs(out), -17.5, COMP_LEVEL_TOL_DB)


def _comp(attack_ms, release_ms, **kw):
    base = dict(threshold_db=-20.0, ratio=4.0, attack_ms=attack_ms, release_ms=release_ms,
                knee_db=0.0, rms_ms=0.0, precomp_ms=0.0, auto_makeup=False, auto_release=False,
                dry_db=-math.inf, wet_db=0.0, detector_lowpass_native=1.0,
                detector_hipass_native=0.0, detector_input_native=0.0)
    base.update(kw)
    return CompSettings(**base)


@pytest.mark.parametrize("attack_ms,release_ms", [(3.0, 100.0), (20.0, 300.0), (0.5, 50.0)])
def test_reacomp_attack_and_release_time_constants_within_10_percent(attack_ms, release_ms):
    # DC steps -40 -> -10 -> -40 dBFS; gain reduction (dB) must follow 1 - exp(-t/tau).
    n = SR
    lvl = np.concatenate([np.full(n // 4, 0.01), np.full(n, 10 ** (-10 / 20)), np.full(2 * n, 0.01)])
    x = np.tile(lvl, (2, 1))
    y = reacomp.process(x, SR, [(0, _comp(attack_ms, release_ms))])
    gr = -20 * np.log10(y[0] / x[0])
    full = 7.5  # (-10 + 20) * (1 - 1/4)
    on, off = n // 4, n // 4 + n
    t_att = np.argmax(gr[on:off] >= full * (1 - math.exp(-1))) / SR * 1000
    t_rel = np.argmax(gr[off:] <= full * math.exp(-1)) / SR * 1000
    assert abs(t_att - attack_ms) <= TIME_CONSTANT_TOL * attack_ms + 1000 / SR, t_att  # + 1 sample
    assert abs(t_rel - release_ms) <= TIME_CONSTANT_TOL * release_ms, t_rel


def test_reacomp_soft_knee_is_continuous_and_meets_hard_curve_outside_the_knee():
    lv = np.linspace(-40, 0, 4001)
    soft = reacomp.static_gain_reduction_db(lv, -20.0, 4.0, 10.0)
    hard = reacomp.static_gain_reduction_db(lv, -20.0, 4.0, 0.0)
    assert np.max(np.abs(np.diff(soft))) < 0.01
    outside = np.abs(lv + 20) > 5
    np.testing.assert_allclose(soft[outside], hard[outside], atol=1e-12)


def test_reacomp_auto_makeup_and_dry_wet():
    x = np.tile(np.full(SR // 2, 10 ** (-10 / 20)), (2, 1))
    y = reacomp.process(x, SR, [(0, _comp(0.0, 10.0, auto_makeup=True))])
    # reduction 7.5 dB, make-up = reduction of a 0 dBFS signal = 15 dB -> +7.5 dB
    assert_db_close(20 * math.log10(y[0, -1] / x[0, -1]), 7.5, STATIC_TOL_DB)
    y = reacomp.process(x, SR, [(0, _comp(0.0, 10.0, dry_db=0.0, wet_db=0.0))])
    assert_db_close(20 * math.log10(y[0, -1] / x[0, -1]), 20 * math.log10(1 + 10 ** (-7.5 / 20)),
                    STATIC_TOL_DB)


def test_realimit_true_peak_output_never_above_ceiling_plus_0_1db(session):
    rng = np.random.default_rng(7)
    # loud, peaky material: noise bursts plus a sine near fs/4 whose inter-sample peaks exceed
    # its samples
    t = np.arange(3 * SR) / SR
    x = 0.3 * rng.standard_normal((2, t.size)) * (1 + np.sin(2 * np.pi * 2 * t))
    x += 0.5 * np.sin(2 * np.pi * 11025.0 * t + np.pi / 4)
    tr = session.add_track("Tone", x)
    k = session.add_fx(tr, "ReaLimit")
    session.set_param(tr, k, 0, PU.limit_threshold_native(-12.0))  # +11 dB into a -1 dB ceiling
    session.set_param(tr, k, 1, PU.limit_ceiling_native(-1.0))
    assert session.f["RPR_TrackFX_SetNamedConfigParm"](tr, k, "TRUEPEAK", "1")
    out = render(session.project, track=session.track("Tone")).audio
    tp = measure_loudness(out, SR, true_peak=True).true_peak_dbtp
    assert tp <= -1.0 + TRUE_PEAK_OVER_CEILING_DB, tp
    assert tp > -3.0  # it limits, it does not just turn down


def test_realimit_sample_peak_mode_holds_the_ceiling_exactly(session):
    rng = np.random.default_rng(3)
    tr = session.add_track("Tone", 0.5 * rng.standard_normal((2, SR)))
    k = session.add_fx(tr, "ReaLimit")
    session.set_param(tr, k, 0, PU.limit_threshold_native(-6.0))
    out = render(session.project, track=session.track("Tone")).audio
    assert np.max(np.abs(out)) <= 1.0 + 1e-12
    assert np.max(np.abs(out)) > 0.99


def test_realimit_passes_near_silence_unchanged_without_numeric_warnings():
    """A near-silent input (float64 denormals, as a filter's decaying tail upstream leaves) is under
    any ceiling: ReaLimit only applies its threshold's gain (0 dB here), and computing the gain
    raises no overflow (ceiling / peak did)."""
    x = np.full((2, SR // 4), 5e-324)
    x[:, ::2] = 1e-310
    for truepeak in (False, True):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            y = realimit.process(x, SR, [(0, LimitSettings(0.0, 0.0, 10.0, truepeak))])
        np.testing.assert_array_equal(y, x)


def test_js_volume_gain_is_2_pow_db_over_6_and_clamps_at_max_volume(session):
    tr = session.add_track("Tone", sine(100.0, 1.0, 0.25))
    k = session.add_fx(tr, "JS: Volume Adjustment")
    session.set_param(tr, k, 0, -6.0)
    out = render(session.project, track=session.track("Tone")).audio
    np.testing.assert_allclose(out, sine(100.0, 1.0, 0.25) * 0.5, atol=1e-6)
    session.set_param(tr, k, 0, 18.0)  # x8 -> 2.0 peak, clamped at 2^(0/6) = 1.0
    out = render(session.project, track=session.track("Tone")).audio
    assert np.max(np.abs(out)) == pytest.approx(1.0)


def test_reagate_closes_below_threshold_and_opens_above(session):
    loud = sine(1000.0, 0.5, 0.5)
    quiet = sine(1000.0, 0.5, 0.001)
    tr = session.add_track("Tone", np.concatenate([loud, quiet, loud], axis=1))
    k = session.add_fx(tr, "ReaGate")
    session.set_param(tr, k, 0, 10 ** (-30 / 20))  # threshold -30 dB
    out = render(session.project, track=session.track("Tone")).audio
    h = SR // 2
    # closed: 400 ms after the level fell, the 100 ms release has taken off > 35 dB
    assert rms_dbfs(out[:, 2 * h - SR // 10: 2 * h]) < rms_dbfs(quiet) - 35
    assert_db_close(rms_dbfs(out[:, 2 * h + SR // 10:]), rms_dbfs(loud), 0.1)
