"""Can rumble's ripple lines be kept out of a tonal part's lowest note? (issue 13 point 3, a record)

Run: ``python bench/proto_line_precision.py`` (tuning split only; with ``REAPER_ASSIST_CORPUS_RATE`` and
``REAPER_ASSIST_CORPUS`` for the 44.1 kHz corpus). Not product code: nothing here is used by
``reaper_assist``; it keeps the figures of docs/quality.md's "2026-12-07 (tenth part)" reproducible.

At 44.1 kHz three tuning guitars took a ripple of the injected rumble (or of the noise floor) for a
note: the ripple "line" passed ``pitch._harmonic_lines`` because lines at 2x and 3x lay within its
quarter tone. Two ideas were measured here, on every tonal tuning stem with MIDI notes, dry and with
one seeded 1/6-octave rumble (27-38 Hz, 12-20 dB under the stem, ``bench/quality.py``'s
``band_noise``):

* ``contrast``: each strong line under 400 Hz (within 30 dB of the strongest, as ``fundamentals``
  takes them), its peak bin (the largest of +-1 bin) over the mean power of the bins 3-6 away on both
  sides (outside a Hann window's main lobe): a sinusoid stands far above that ring, band noise should
  not. Printed as percentiles for the lines that are a MIDI note's partial (k = 1..8, within a
  quarter tone), the other lines, and the lines inside the rumble band.
* ``hump``: each strong line under 70 Hz (where rumble lies), the mean power of the bins within 1/12
  octave of it (but 3 bins or more away) over the median of the bins 1/4-1/2 octave away: rumble is
  a band that stands out of the spectrum around it, a low note's line stands alone. The same groups,
  the rumble-band lines split into bass and other stems.
* ``variants``: ``pitch.fundamentals`` as it is (``now``), and with every line's frequency read between
  the bins (``spectrum.bin_peak_hz`` on the long-term spectrum, the peak within +-1 bin) with the
  harmonic check's tolerance 1/24, 1/32, 1/48 or 1/64 octave (``refNN``). Per variant, the lowest note
  read on the dry and the rumbled stem against the lowest MIDI note: within a semitone, above (the
  dangerous side: a high-pass can reach the note), below, untracked; and how many rumbled stems read
  the rumble as their lowest note. Stems whose readings differ between variants are listed.

``python bench/proto_line_precision.py --draws 3`` instead reads the product as it is (no variant)
under three more rumble draws per stem (seeded apart from the ones above), and lists every reading
above the lowest note or of the rumble (docs/quality.md, "2026-12-07 (eleventh part)").
"""

from __future__ import annotations

import functools
import hashlib
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from bench import corpus as K
from bench import quality as Q
from reaper_assist.analysis import pitch as P
from reaper_assist.analysis import spectrum as S

VARIANTS = (("now", False, 1 / 24), ("ref24", True, 1 / 24), ("ref32", True, 1 / 32), ("ref48", True, 1 / 48),
            ("ref64", True, 1 / 64))
_ORIGINAL = (P.pitch_track, S.spectral_lines, P._harmonic_lines)
_MODE = {"refine": False, "tol": 1 / 24}
_TRACKS: dict = {}


def _memo_track(x, rate, **kw):  # pYIN is the slow part and the same in every variant
    key = (hashlib.md5(np.ascontiguousarray(x).tobytes()).hexdigest(), tuple(sorted(kw.items())))
    if key not in _TRACKS:
        _TRACKS[key] = _ORIGINAL[0](x, rate, **kw)
    return _TRACKS[key]


def _lines(spec, **kw):
    hz, db = _ORIGINAL[1](spec, **kw)
    if not (_MODE["refine"] and hz.size):
        return hz, db
    f, y = spec.freqs_hz, spec.power_db
    df = f[1] - f[0]
    out = []
    for a in hz:
        lo = max(1, int(round(a / df)) - 1)
        out.append(S.bin_peak_hz(f, y, lo + int(np.argmax(y[lo:lo + 3]))))
    return np.array(out), db


def _harmonic(strong_hz):
    if not _MODE["refine"]:  # "now": the product's own check (since 73fbb79 its bound is included)
        return _ORIGINAL[2](strong_hz)
    keep = [f for f in strong_hz if f >= P.HARMONIC_CHECK_MAX_HZ or all(
        np.any(np.abs(np.log2(strong_hz / (k * f))) <= _MODE["tol"]) for k in (2, 3))]
    return np.array(keep, dtype=np.float64)


def contrasts(x: np.ndarray) -> list[tuple[float, float]]:
    """(frequency, contrast dB) of the strong lines under 400 Hz, as ``fundamentals`` reads lines."""
    ex = P.active_excerpt(x.mean(axis=0), K.RATE, max_seconds=30.0)
    spec = S.long_term_spectrum(ex, K.RATE, n_fft=int(2 ** round(math.log2(K.RATE * 1.4))))
    hz, db = _ORIGINAL[1](spec, min_hz=25.0, max_hz=1200.0, min_excess_db=4.0)
    p = S.db_to_power(spec.power_db)
    df = spec.freqs_hz[1] - spec.freqs_hz[0]
    out = []
    for a, level in zip(hz, db):
        if a < 400.0 and level >= db.max() - 30.0:
            k = int(round(a / df))
            ring = np.r_[p[k - 6:k - 2], p[k + 3:k + 7]]
            out.append((float(a), 10 * math.log10(p[k - 1:k + 2].max() / max(float(ring.mean()), 1e-30))))
    return out


def humps(x: np.ndarray) -> list[tuple[float, float]]:
    """(frequency, hump dB) of the strong lines under 70 Hz: ``pitch._band_noise_levels``'s hump (since
    094b2d0 the product's own reading; this script measured it before it was wired)."""
    ex = P.active_excerpt(x.mean(axis=0), K.RATE, max_seconds=30.0)
    spec = S.long_term_spectrum(ex, K.RATE, n_fft=int(2 ** round(math.log2(K.RATE * 1.4))))
    hz, db = _ORIGINAL[1](spec, min_hz=25.0, max_hz=1200.0, min_excess_db=4.0)
    hump, _ = P._band_noise_levels(spec, hz)
    return [(float(a), float(h)) for a, level, h in zip(hz, db, hump) if np.isfinite(h) and level >= db.max() - 30.0]


def _print_percentiles(title: str, groups: dict[str, list[float]]) -> None:
    print(f"\n{K.RATE} Hz, {title}: percentiles 1 / 5 / 10 / 25 / 50 / 95 / max")
    for name, c in groups.items():
        print(f"  {name} ({len(c)}): " + (" / ".join(f"{v:.1f}" for v in np.percentile(c, [1, 5, 10, 25, 50, 95, 100]))
                                         if c else "-"))


def _rumbled(x: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, float]:
    """``x`` under one seeded 1/6-octave rumble (27-38 Hz, 12-20 dB under it) and the rumble's centre."""
    fc = math.exp(rng.uniform(math.log(27.0), math.log(38.0)))
    return x + Q.band_noise(x.shape[1], fc, Q.rms_db(x) - rng.uniform(12.0, 20.0), rng), fc


def _lowest_read(sig: np.ndarray, st: K.Stem) -> float | None:
    """The product's lowest played note of ``sig`` (None where its pitch is not tracked)."""
    fu = P.fundamentals(sig, K.RATE, monophonic=st.label == "bass")
    return fu.lowest_hz if fu.source == "pitch" else None


def _variant_read(sig: np.ndarray, *, st: K.Stem, refine: bool, tol: float) -> float | None:
    """:func:`_lowest_read` with the line readings of one of :data:`VARIANTS`."""
    _MODE.update(refine=refine, tol=tol)
    return _lowest_read(sig, st)


def _kind(v: float | None, low: float) -> str:
    """A reading against the lowest MIDI note: within a semitone, above, below or untracked."""
    semis = None if v is None else 12 * math.log2(v / low)
    return "untracked" if semis is None else "within" if abs(semis) <= 1 else "above" if semis > 0 else "below"


def _reads_rumble(v: float | None, fc: float) -> bool:
    return v is not None and abs(math.log2(v / fc)) <= Q.RUMBLE_HALF_OCT + 1 / 24


def tally_readings(stem_id: str, stems: tuple[np.ndarray, np.ndarray, float], low: float,
                   readers: dict, tally: dict) -> None:
    """Each of ``readers`` (name -> the lowest note it reads off a signal) on the dry and the rumbled
    stem (``stems``: dry, rumbled, the rumble's centre), counted into ``tally[name]`` against the
    lowest MIDI note ``low``; the stem is printed where the readers disagree."""
    x, y, fc = stems
    read = {}
    for name, reader in readers.items():
        pair = []
        for sig in (x, y):
            v = reader(sig)
            pair.append(None if v is None else round(v, 1))
            tally[name][_kind(v, low)] += 1
        tally[name]["rumble read"] += _reads_rumble(pair[1], fc)
        read[name] = tuple(pair)
    if len(set(read.values())) > 1:
        print(f"{stem_id}: lowest MIDI {low:.1f} Hz, rumble at {fc:.1f} Hz; (dry, rumbled) {read}", flush=True)


def more_draws(n: int) -> int:
    """The product's lowest note on every tonal tuning stem with MIDI notes under ``n`` rumble draws each."""
    rng = np.random.default_rng(11)
    tally = dict.fromkeys(("within", "above", "below", "untracked", "rumble read"), 0)
    for st in K.stems("tuning"):
        if st.label not in Q.TONAL or not st.fundamentals_hz:
            continue
        x = st.read()
        low = min(st.fundamentals_hz)
        for _ in range(n):
            y, fc = _rumbled(x, rng)
            v = _lowest_read(y, st)
            kind = _kind(v, low)
            tally[kind] += 1
            rumble = _reads_rumble(v, fc)
            tally["rumble read"] += rumble
            if kind == "above" or rumble:
                print(f"{st.id}: lowest MIDI {low:.1f} Hz, rumble at {fc:.1f} Hz, read {v:.1f} Hz", flush=True)
    print(f"\n{K.RATE} Hz, lowest note read under {n} rumble draws per stem: "
          + ", ".join(f"{k} {v}" for k, v in tally.items()))
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["--draws"]:
        return more_draws(int(argv[1]))
    P.pitch_track, S.spectral_lines, P._harmonic_lines = _memo_track, _lines, _harmonic
    rng = np.random.default_rng(7)
    groups: dict[str, list[float]] = {"note partials": [], "other lines": [], "rumble-band lines": []}
    hump: dict[str, list[float]] = {"note partials": [], "other lines": [], "rumble-band lines, bass stems": [],
                                     "rumble-band lines, other stems": []}
    tally = {v[0]: dict.fromkeys(("within", "above", "below", "untracked", "rumble read"), 0) for v in VARIANTS}
    for st in K.stems("tuning"):
        if st.label not in Q.TONAL or not st.fundamentals_hz:
            continue
        x = st.read()
        low = min(st.fundamentals_hz)
        y, fc = _rumbled(x, rng)

        def partial(a: float, notes: tuple[float, ...] = st.fundamentals_hz) -> bool:
            return any(abs(math.log2(a / (k * f))) <= 1 / 24 for f in notes for k in range(1, 9))

        for a, c in contrasts(x):
            groups["note partials" if partial(a) else "other lines"].append(c)
        groups["rumble-band lines"] += [c for a, c in contrasts(y)
                                        if abs(math.log2(a / fc)) <= Q.RUMBLE_HALF_OCT + 1 / 48 and not partial(a)]
        for a, h in humps(x):
            hump["note partials" if partial(a) else "other lines"].append(h)
        hump["rumble-band lines, " + ("bass" if st.label == "bass" else "other") + " stems"] += [
            h for a, h in humps(y) if abs(math.log2(a / fc)) <= Q.RUMBLE_HALF_OCT + 1 / 48 and not partial(a)]
        tally_readings(st.id, (x, y, fc), low, {name: functools.partial(_variant_read, st=st, refine=refine, tol=tol)
                                                for name, refine, tol in VARIANTS}, tally)
    _print_percentiles("contrast of lines under 400 Hz (dB)", groups)
    _print_percentiles("hump around lines under 70 Hz (dB)", hump)
    print("\nlowest note read (dry and rumbled stems), per variant")
    for name, t in tally.items():
        print(f"  {name}: " + ", ".join(f"{k} {v}" for k, v in t.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
