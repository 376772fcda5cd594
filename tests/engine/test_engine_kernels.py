"""The engine's compiled loops (emulator/engine/_kernels.py) against tiny straightforward Python
loops written from the models' descriptions, on random signals with a 60 dB level envelope.

The reference loops compute the same quantities another way (a window mean taken sample by
sample instead of differences of cumulative sums; the gate's one-pole as the plain recursion
instead of the closed form per run; the biquads one sample at a time), so they agree to float
rounding, not bit for bit. Tolerances: outputs within 1e-9 of full scale; the detector within
1e-6 dB; the biquads also against scipy's sosfilt within 1e-12.
"""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest
from scipy.signal import sosfilt

from reaper_assist.emulator.engine import _dyn, reacomp, reaeq, reagate
from reaper_assist.emulator.engine import uncertain as U
from reaper_assist.plugins.reacomp import CompSettings
from reaper_assist.plugins.reaeq import EqBandSettings, EqSettings
from reaper_assist.plugins.reagate import GateSettings

SR = 48000
OUT_ATOL = 1e-9  # outputs, of full scale (1.0)
LEVEL_ATOL_DB = 1e-6  # detector level where it is above -200 dB
SOSFILT_ATOL = 1e-12


def signal(seed: int, n: int = 4000, channels: int = 2) -> np.ndarray:
    """Noise under a level envelope that steps every 250 samples somewhere in [-60, 0] dB."""
    rng = np.random.default_rng(seed)
    env = np.repeat(10 ** (rng.uniform(-60, 0, n // 250 + 1) / 20), 250)[:n]
    return 0.5 * rng.standard_normal((channels, n)) * env


# --- straightforward references --------------------------------------------------------------

def ref_level_db(x: np.ndarray, w: int) -> np.ndarray:
    """Per sample: the loudest channel's mean square over the last ``w`` samples (fewer at the
    start), in dB; ``w <= 1``: the loudest square."""
    out = np.empty(x.shape[1])
    for i in range(x.shape[1]):
        lo = max(0, i - max(w, 1) + 1)
        p = max(float(np.mean(x[c, lo:i + 1] ** 2)) for c in range(x.shape[0]))
        out[i] = 10 * math.log10(p) if p > 0 else -math.inf
    return out


def ref_reduction(lv: float, thr: float, ratio: float, knee: float) -> float:
    """Giannoulis et al. 2012 eq. 4: reduction = input - output of the static curve."""
    if lv == -math.inf:
        return 0.0
    if 2 * (lv - thr) < -knee:
        y = lv
    elif knee > 0 and 2 * abs(lv - thr) <= knee:
        y = lv + (1 / ratio - 1) * (lv - thr + knee / 2) ** 2 / (2 * knee)
    else:
        y = thr + (lv - thr) / ratio
    return lv - y


def ref_compress(x: np.ndarray, segs: list[tuple[int, CompSettings]]) -> np.ndarray:
    n = x.shape[1]
    at = lambda i: next(s for start, s in reversed(segs) if start <= i)
    first = segs[0][1]
    level = ref_level_db(x, int(round(first.rms_ms * SR / 1000)))
    look = int(round(first.precomp_ms * SR / 1000))
    taus = [t for _, s in segs for t in (s.attack_ms, s.release_ms)]
    step = 1 if min(taus) <= 0 else max(1, min(U.SMOOTHER_MAX_STEP,
                                                int(min(taus) / 1000 * SR / U.SMOOTHER_STEPS_PER_TAU)))
    coef = lambda ms: math.exp(-step / (ms / 1000 * SR)) if ms > 0 else 0.0
    gr = np.empty(n)
    y = 0.0
    for a in range(0, n, step):
        b = min(a + step, n)
        target = max(ref_reduction(level[min(i + look, n - 1)], max(at(i).threshold_db, -200.0),
                                   at(i).ratio, at(i).knee_db) for i in range(a, b))
        prev = y
        c = coef(at(a).attack_ms) if target > y else coef(at(a).release_ms)
        y = target + (y - target) * c
        for i in range(a, b):
            gr[i] = prev + (y - prev) * (i - a + 1) / step
    out = np.empty_like(x)
    for i in range(n):
        s = at(i)
        makeup = ref_reduction(0.0, max(s.threshold_db, -200.0), s.ratio, s.knee_db) if s.auto_makeup else 0.0
        gain = 10 ** ((makeup - gr[i]) / 20)
        wet = 10 ** (s.wet_db / 20)
        dry = 0.0 if s.dry_db == -math.inf else 10 ** (s.dry_db / 20)
        out[:, i] = x[:, i] * (gain * wet + dry)
    return out


def ref_gate(x: np.ndarray, s: GateSettings) -> np.ndarray:
    n = x.shape[1]
    level = ref_level_db(x, int(round(s.rms_ms * SR / 1000)))
    look = int(round(s.preopen_ms * SR / 1000))
    hold = int(round(s.hold_ms * SR / 1000))
    close = s.threshold_db + (20 * math.log10(min(s.hysteresis_native, 1.0))
                              if s.hysteresis_native > 0 else -math.inf)
    ca = math.exp(-1 / (s.attack_ms / 1000 * SR)) if s.attack_ms > 0 else 0.0
    cr = math.exp(-1 / (s.release_ms / 1000 * SR)) if s.release_ms > 0 else 0.0
    is_open, last_open, y = False, -10**9, 0.0
    g = np.empty(n)
    for i in range(n):
        lv = level[min(i + look, n - 1)]
        if lv >= s.threshold_db:
            is_open = True
        elif lv < close:
            is_open = False
        if is_open:
            last_open = i
        t = 1.0 if i - last_open <= hold else 0.0
        y = t + (y - t) * (ca if t > y else cr)
        g[i] = 1.0 - y if s.invert_wet else y
    wet = 10 ** (s.wet_db / 20)
    dry = 0.0 if s.dry_db == -math.inf else 10 ** (s.dry_db / 20)
    return x * (dry + wet * g)


def ref_eq(x: np.ndarray, segs: list[tuple[int, EqSettings]]) -> np.ndarray:
    """Transposed direct form II one sample at a time; the state restarts when the band count
    changes."""
    out = np.empty_like(x)
    bounds = [s for s, _ in segs] + [x.shape[1]]
    z = None
    for (a, st), b in zip(segs, bounds[1:]):
        sos, gain = reaeq.settings_sos(st, SR)
        if z is None or len(z[0]) != len(sos):
            z = [[[0.0, 0.0] for _ in sos] for _ in range(x.shape[0])]
        for c in range(x.shape[0]):
            for i in range(a, b):
                v = float(x[c, i])
                for k, (b0, b1, b2, _, a1, a2) in enumerate(sos.tolist()):
                    zk = z[c][k]
                    yk = b0 * v + zk[0]
                    zk[0] = b1 * v - a1 * yk + zk[1]
                    zk[1] = b2 * v - a2 * yk
                    v = yk
                out[c, i] = v * gain
    return out


# --- settings ----------------------------------------------------------------------------------

def comp(**kw) -> CompSettings:
    base = dict(threshold_db=-25.0, ratio=4.0, attack_ms=3.0, release_ms=100.0, knee_db=0.0,
                rms_ms=5.0, precomp_ms=0.0, auto_makeup=False, auto_release=False,
                dry_db=-math.inf, wet_db=0.0, detector_lowpass_native=1.0,
                detector_hipass_native=0.0, detector_input_native=0.0)
    base.update(kw)
    return CompSettings(**base)


def gate(**kw) -> GateSettings:
    base = dict(threshold_db=-30.0, attack_ms=1.0, release_ms=50.0, preopen_ms=0.0, hold_ms=5.0,
                hysteresis_native=0.5, rms_ms=0.0, dry_db=-math.inf, wet_db=0.0,
                noise_level_db=-math.inf, invert_wet=False)
    base.update(kw)
    return GateSettings(**base)


def band(kind: int, freq: float, gain_db: float, bw: float, enabled: bool = True) -> EqBandSettings:
    return EqBandSettings(kind, "", enabled, freq, gain_db, bw)


COMP_CASES = {
    "rms 5 ms, 3/100 ms": [(0, comp())],
    "peak detector, instant attack": [(0, comp(rms_ms=0.0, attack_ms=0.0, release_ms=20.0))],
    "soft knee, pre-comp, limiter ratio": [(0, comp(knee_db=10.0, precomp_ms=3.0, ratio=math.inf))],
    "auto make-up, dry/wet": [(0, comp(auto_makeup=True, dry_db=-6.0, wet_db=-1.0))],
    "window longer than the signal": [(0, comp(rms_ms=200.0, attack_ms=200.0, release_ms=2000.0))],
    "threshold -inf": [(0, comp(threshold_db=-math.inf))],
    "automated": [(0, comp()), (256, comp(threshold_db=-40.0, attack_ms=1.0)),
                  (1792, comp(knee_db=6.0, release_ms=10.0, auto_makeup=True)),
                  (3072, comp(ratio=2.0, wet_db=-3.0))],
}


@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize("case", sorted(COMP_CASES))
def test_reacomp_kernel_matches_a_plain_loop(case, channels):
    segs = COMP_CASES[case]
    for seed in range(2):
        x = signal(seed, channels=channels)
        np.testing.assert_allclose(reacomp.process(x, SR, segs), ref_compress(x, segs), rtol=0, atol=OUT_ATOL)


@pytest.mark.parametrize("rms_ms", [0.0, 0.01, 5.0, 200.0])
def test_detector_level_matches_a_window_mean_per_sample(rms_ms):
    x = signal(3)
    x[:, 1000:1300] = 0.0  # digital silence inside the signal: -inf with a peak detector
    got = _dyn.level_db(x, SR, rms_ms)
    want = ref_level_db(x, int(round(rms_ms * SR / 1000)))
    loud = want > -200
    np.testing.assert_allclose(got[loud], want[loud], rtol=0, atol=LEVEL_ATOL_DB)
    assert np.all(got[~loud] < -200)  # silence (or below -200 dB: cumulative-sum round-off)


@pytest.mark.parametrize("settings", [gate(), gate(rms_ms=5.0, preopen_ms=2.0, hold_ms=0.0, attack_ms=0.0),
                                      gate(invert_wet=True, dry_db=-10.0, hysteresis_native=1.5),
                                      gate(threshold_db=-45.0, release_ms=0.0, hold_ms=20.0)],
                         ids=["default", "rms, pre-open, instant attack", "inverted, dry", "instant release"])
def test_reagate_kernel_matches_a_plain_loop(settings):
    for seed in range(2):
        x = signal(10 + seed)
        np.testing.assert_allclose(reagate.process(x, SR, [(0, settings)]), ref_gate(x, settings),
                                   rtol=0, atol=OUT_ATOL)


EQ_A = EqSettings((band(0, 100, 3, 1), band(8, 1000, -6, 1), band(4, 50, 0, 2), band(1, 8000, 2, 0.7)), 1.5)
EQ_B = EqSettings((band(0, 120, 4, 1), band(8, 900, -3, 1), band(4, 60, 0, 2), band(1, 8000, 2, 0.7, False)), -1.0)
EQ_NONE = EqSettings((), 0.0)


@pytest.mark.parametrize("channels", [1, 2, 3])
def test_reaeq_kernel_matches_a_plain_loop_under_automation(channels):
    # band count 4 -> 3 -> 3 -> 0 -> 4 -> 3: the state carries over, restarting where it changes
    segs = [(0, EQ_A), (256, EQ_B), (512, EQ_B), (768, EQ_NONE), (1024, EQ_A), (2900, EQ_B)]
    x = signal(20, channels=channels)
    np.testing.assert_allclose(reaeq.process(x, SR, segs), ref_eq(x, segs), rtol=0, atol=OUT_ATOL)


@pytest.mark.parametrize("channels", [1, 2])
def test_reaeq_kernel_matches_scipy_sosfilt_on_static_settings(channels):
    x = signal(21, n=20000, channels=channels)
    sos, gain = reaeq.settings_sos(EQ_A, SR)
    np.testing.assert_allclose(reaeq.process(x, SR, [(0, EQ_A)]), sosfilt(sos, x, axis=-1) * gain,
                               rtol=0, atol=SOSFILT_ATOL)


def test_a_missing_numba_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "reaper_assist.emulator.engine._kernels", None)
    with pytest.raises(_dyn.KernelError, match=r"needs numba .*'mean_square'.*pip install numba"):
        _dyn.level_db(signal(0), SR, 5.0)
