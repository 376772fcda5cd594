"""The unmask scenario of the issue 13 scorecard (``bench/quality.py --scenario unmask``).

Issue 13 point 7: unmasking protects each track's own fundamental range and acts on the focus's most
important band (the kick's fundamental against the bass; the vocal's presence against keys and
guitars). Two kinds of session, built from the split's own stems only (a GM source's bass, keys and
guitar; the same split's espeak-ng voices and kicks):

* **vocal focus**: one voice ("Vox") and a keys, a guitar and a bass part of the GM source, each at a
  seeded offset of -6..+3 dB against its stem level;
* **kick focus**: one kick ("Kick") and a bass part at +0..+8 dB (so it covers the kick's
  fundamental), with the source's own kicks and, for a kit source, the kicks of that kit against the
  split's GM basses;
* **in a mix** (``--scenario unmask-mix``, GM sources only): the same two foci against a fuller
  arrangement, several maskers sharing each band: a voice against keys, guitar, bass, pad, strings,
  synth and hi-hat, and a kick against bass (+0..+8 dB), keys, guitar, pad, synth and toms (the others
  at -6..+3 dB); ``MIX_SESSIONS`` of each per source, the parts taken in turn.

The product's "Unmask" action runs with the focus named, through the in-process host on the saved
.RPP; each masker's EQ response is measured by a white-noise probe through its saved chain (numpy and
scipy only, as the rest of the scorecard). Per masker:

* ``notes kept``: every played note's fundamental (the part's MIDI notes) moves < 1 dB
  (``FUNDAMENTAL_TOL_DB``), except notes inside the focus's key band when the focus is the kick
  (there a bounded, stated cut is the point of the action);
* ``key band cleared``: where the masker masks the focus in the focus's key band (its power there,
  while the focus sounds in it, within ``MASKS_WITHIN_DB`` of the focus's: :func:`masks_focus`),
  the mean response over the band is at least
  ``KEY_BAND_CUT_DB`` down.

The key bands are the scorecard's own, measured without the product's analysis: the kick's
fundamental is its spectral peak in 35-150 Hz (:func:`kick_fundamental_hz`) +-1/6 octave; the vocal's
presence is 2-5 kHz.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from scipy.signal import stft

from bench import corpus as K
from bench import quality as Q

VOCAL_PRESENCE_HZ = (2000.0, 5000.0)  # the vocal's "presence" of issue 13 point 7
KICK_BAND_HALF_OCT = 1 / 6  # the kick's fundamental region, as the rumble metric's "fundamental region"
MASKS_WITHIN_DB = 6.0  # the masker's band power at most this far under the focus's: it masks there
# the focus sounds in a frame whose key-band power is within this of its loudest frame's: a kick's
# hits and the start of their tails, a voice's voiced frames as well as its consonants
FOCUS_SOUNDS_DB = 20.0
KEY_BAND_CUT_DB = 1.0  # acting means a move the notes' own tolerance (1 dB) would count as one
MASKERS = ("keys", "guitar", "bass")
MIX_MASKERS = {"vocal": ("keys", "guitar", "bass", "pad", "strings", "synth", "hihat"),
               "kick": ("bass", "keys", "guitar", "pad", "synth", "tom")}
MIX_SESSIONS = 3  # sessions of each focus kind per GM source (each is 7-8 tracks)


def band_frames(x: np.ndarray, lo: float, hi: float, n: int | None = None) -> np.ndarray:
    """Power of ``x`` in ``lo``..``hi`` Hz per STFT frame (``n`` samples, by default a quarter of
    ``quality.WELCH_N``: 85 ms at 48 and 96 kHz, 93 ms at 44.1 and 88.2; half overlap; both channels)."""
    n = n or Q.WELCH_N // 4
    f, _, z = stft(np.asarray(x, dtype=np.float64), fs=Q.RATE, nperseg=n, noverlap=n // 2, axis=-1)
    return (np.abs(z) ** 2).mean(axis=0)[(f >= lo) & (f <= hi)].sum(axis=0)


def masks_focus(focus: np.ndarray, masker: np.ndarray, lo: float, hi: float) -> bool:
    """Whether ``masker`` masks ``focus`` in ``lo``..``hi`` Hz: its mean power there, over the frames
    where the focus sounds in the band (within ``FOCUS_SOUNDS_DB`` of its loudest frame), is within
    ``MASKS_WITHIN_DB`` of the focus's. Only while both sound: a long-term average called a tom that
    plays between the kicks a masker of the kick (tuning split, MuseScore Lite: 5 dB under the kick
    on average, 22 dB under it during the kicks)."""
    a, b = band_frames(focus, lo, hi), band_frames(masker, lo, hi)
    on = a >= np.max(a) * 10 ** (-FOCUS_SOUNDS_DB / 10)
    if not np.any(on) or np.max(a) <= 0:
        return False
    return 10 * math.log10(max(float(np.mean(b[on])), 1e-30)) >= \
        10 * math.log10(float(np.mean(a[on]))) - MASKS_WITHIN_DB


def kick_fundamental_hz(x: np.ndarray) -> float:
    """The kick's spectral peak in 35-150 Hz between the bins of ``quality.kick_peak_hz``'s Welch
    grid (2.9 Hz, 1/25 octave at 60 Hz, a quarter of the +-1/6 octave region): the vertex of the
    parabola through the peak bin and its neighbours (dB). Frames stay short (``quality.WELCH_N``, 0.34 s,
    under a beat): longer ones resolve the pattern's own comb of lines at multiples of the tempo."""
    f, y = Q.psd_db(x)
    sel = np.nonzero((f >= 35) & (f <= 150))[0]
    i = int(sel[np.argmax(y[sel])])
    den = y[i - 1] - 2 * y[i] + y[i + 1]
    d = 0.5 * (y[i - 1] - y[i + 1]) / den if den < 0 else 0.0
    return float(f[i] + d * (f[1] - f[0]))


def band_response_db(freqs: np.ndarray, h2: np.ndarray, lo: float, hi: float) -> float:
    sel = (freqs >= lo) & (freqs <= hi)
    return float(10 * np.log10(np.mean(h2[sel])))


def split_stems(split: str, kind: str, labels: tuple[str, ...]) -> list[K.Stem]:
    """The stems of ``labels`` of every available source of ``kind`` in ``split``."""
    out: list[K.Stem] = []
    for src in K.sources():
        if src.split == split and src.kind == kind and K.available(src):
            out += [s for s in K.build_source(src) if s.role == "stem" and s.label in labels]
    return out


def sessions(src: K.Source, stems: list[K.Stem], per_class: int | None,
             rng: np.random.Generator) -> list[tuple[str, K.Stem, list[tuple[K.Stem, float]]]]:
    """``(kind, focus stem, [(masker stem, offset dB), ...])`` of one source."""
    out = []
    if src.kind == "gm":
        voices = Q.pick(split_stems(src.split, "voice", ("vocal",)), per_class)
        parts = {lab: [s for s in stems if s.label == lab] for lab in MASKERS}
        for i, v in enumerate(voices):
            maskers = [(parts[lab][i % len(parts[lab])], float(rng.uniform(-6.0, 3.0))) for lab in MASKERS if parts[lab]]
            out.append(("vocal", v, maskers))
        basses = parts["bass"]
    else:
        basses = Q.pick(split_stems(src.split, "gm", ("bass",)), per_class)
    kicks = [s for s in stems if s.label == "kick"]
    for i, k in enumerate(kicks if basses else []):
        out.append(("kick", k, [(basses[i % len(basses)], float(rng.uniform(0.0, 8.0)))]))
    return out


def mix_sessions(src: K.Source, stems: list[K.Stem], per_class: int | None,
                 rng: np.random.Generator) -> list[tuple[str, K.Stem, list[tuple[K.Stem, float]]]]:
    """``(kind, focus stem, [(masker stem, offset dB), ...])`` of one GM source's mixes (none for a kit)."""
    if src.kind != "gm":
        return []
    n = MIX_SESSIONS if per_class is None else min(MIX_SESSIONS, per_class)
    parts = {lab: [s for s in stems if s.label == lab] for labs in MIX_MASKERS.values() for lab in labs}
    foci = {"vocal": split_stems(src.split, "voice", ("vocal",)), "kick": [s for s in stems if s.label == "kick"]}
    out = []
    for kind in ("vocal", "kick"):
        for i in range(min(n, len(foci[kind]))):
            maskers = [(parts[lab][i % len(parts[lab])],
                        float(rng.uniform(0.0, 8.0) if kind == "kick" and lab == "bass" else rng.uniform(-6.0, 3.0)))
                       for lab in MIX_MASKERS[kind] if parts[lab]]
            out.append((f"{kind}-mix", foci[kind][i], maskers))
    return out


def unmask_scenario(src: K.Source, stems: list[K.Stem], tmp: Path, rng: np.random.Generator,
                    per_class: int | None = None, *, mix: bool = False) -> list[dict]:
    """One row per masker: its notes' largest move, the focus key band, whether it masks there and the
    cut; ``mix``: the sessions in a mix (:func:`mix_sessions`) instead of the two-to-four-track ones."""
    from reaper_assist.app import unmask

    rows = []
    todo = (mix_sessions if mix else sessions)(src, stems, per_class, rng)
    for n, (kind, focus, maskers) in enumerate(todo):
        s = Q.Session(tmp, f"{Q._safe(src.name)}-unmask-{'mix-' if mix else ''}{n}")
        fx = focus.read()
        vocal = kind.startswith("vocal")
        focus_name = "Vox" if vocal else "Kick"
        s.track(focus_name, fx)
        audio = []
        for m, off in maskers:
            x = m.read() * 10 ** (off / 20)
            s.track(f"{Q.TRACK_NAMES[m.label]} {len(audio) + 1}", x)
            audio.append(x)
        rec = s.run(unmask.run, options={"focus": focus_name})
        if vocal:
            lo, hi = VOCAL_PRESENCE_HZ
        else:
            f0 = kick_fundamental_hz(fx)
            lo, hi = f0 * 2 ** -KICK_BAND_HALF_OCT, f0 * 2 ** KICK_BAND_HALF_OCT
        freqs, h2 = s.probe_responses()
        by_name = {t["name"]: t.get("evidence") or {} for t in rec.get("tracks", [])}
        for j, ((m, off), x) in enumerate(zip(maskers, audio)):
            h = h2[j + 1]
            ev = by_name.get(f"{Q.TRACK_NAMES[m.label]} {j + 1}", {})
            notes = [f for f in m.fundamentals_hz if f >= 20 and (vocal or not lo <= f <= hi)]
            moves = [abs(Q.response_db(freqs, h, f)) for f in notes]
            masks = masks_focus(fx, x, lo, hi)
            rows.append({"focus": focus.id, "kind": kind, "masker": m.id, "label": m.label, "offset_db": round(off, 1),
                         "key_band_hz": [round(lo, 1), round(hi, 1)], "masks": bool(masks),
                         "key_band_db": round(band_response_db(freqs, h, lo, hi), 2),
                         "note_move_db": round(max(moves), 2) if moves else None,
                         "worst_note_hz": round(notes[int(np.argmax(moves))], 1) if moves else None,
                         "protected_hz": ev.get("own_fundamental_range_hz"),
                         "product_key_band_hz": ev.get("focus_key_band_hz"),
                         "cuts": [[round(b.get("cut_hz", b.get("band_hz", 0.0)), 1), round(-b.get("cut_db", 0.0), 1)]
                                  for b in ev.get("bands") or []],
                         "status": rec.get("status")})
    return rows


def rows_metrics(src: str, rows: list[dict], put, keys: tuple[str, str] = ("umn", "umk")) -> None:
    """Feed the scorecard's two unmask metrics, ``keys`` (``put(key, source, flags, details)``)."""
    kept = [x for x in rows if x["note_move_db"] is not None]
    put(keys[0], src, [x["note_move_db"] < Q.FUNDAMENTAL_TOL_DB for x in kept],
        [f"{src} {x['masker']} ({x['kind']} focus {x['focus']}): note {x['worst_note_hz']} Hz moved "
         f"{x['note_move_db']} dB" for x in kept if x["note_move_db"] >= Q.FUNDAMENTAL_TOL_DB])
    masking = [x for x in rows if x["masks"]]
    put(keys[1], src, [x["key_band_db"] <= -KEY_BAND_CUT_DB for x in masking],
        [f"{src} {x['masker']} ({x['kind']} focus {x['focus']}, key band {x['key_band_hz'][0]:.0f}-"
         f"{x['key_band_hz'][1]:.0f} Hz): {x['key_band_db']:+.2f} dB" for x in masking
         if x["key_band_db"] > -KEY_BAND_CUT_DB])
