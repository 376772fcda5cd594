"""Instrument recognition of a track: from its name, else from its audio.

Names are matched against the abbreviations engineers use on track names ("Kik In",
"SN top", "OH L", "Bs DI", "Gtr 2", "Pno", "Lead Vox", "BV 3"...). When the name says nothing,
a nearest-centroid classifier over ten spectral and dynamic features decides; its centroids
were learned from stems rendered from the FluidR3 General MIDI SoundFont and it is evaluated
on stems from a different SoundFont (TimGM6mb): see ``docs/analysis.md`` for the measured
accuracy. Audio recognition covers: kick, snare, hihat, tom, drums, bass, keys, guitar, pad,
strings, synth. Vocals are recognised from names only.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

import numpy as np

from reaper_assist.analysis._validate import as_audio, check_sample_rate
from reaper_assist.units import db_to_power, power_to_db, power_to_db_array

#: Every instrument label this module can return.
INSTRUMENTS = (
    "kick",
    "snare",
    "hihat",
    "tom",
    "overheads",
    "room",
    "drums",
    "percussion",
    "bass",
    "guitar",
    "keys",
    "synth",
    "pad",
    "strings",
    "brass",
    "vocal",
    "backing_vocal",
    "fx",
    "other",
)

#: A name match is trusted at or above this confidence; below, audio decides if given.
NAME_TRUST = 0.6

# token -> (instrument, confidence). Tokens are lower-case words of the name, split on
# spaces, punctuation, digits and camelCase.
_TOKENS: dict[str, tuple[str, float]] = {}


def _add(instrument: str, confidence: float, *tokens: str) -> None:
    for t in tokens:
        _TOKENS[t] = (instrument, confidence)


_add("kick", 0.95, "kick", "kik", "kck", "bd", "bassdrum", "kickin", "kickout", "kicksub")
_add("snare", 0.95, "snare", "snr", "sn", "sd", "snaretop", "snarebottom", "snarebot")
_add("hihat", 0.95, "hh", "hat", "hats", "hihat", "hihats", "hi-hat")
_add("tom", 0.95, "tom", "toms", "tomtom", "ft", "rt", "floortom", "racktom")
_add(
    "overheads",
    0.95,
    "oh",
    "ohs",
    "overhead",
    "overheads",
    "ovh",
    "ovhd",
    "cymbals",
    "cym",
    "ride",
    "crash",
)
_add("room", 0.9, "room", "rooms", "amb", "ambience")
_add(
    "drums",
    0.9,
    "drum",
    "drums",
    "drm",
    "drms",
    "kit",
    "dr",
    "drumbus",
    "drumloop",
    "loop",
    "breakbeat",
    "beat",
)
_add(
    "percussion",
    0.9,
    "perc",
    "percussion",
    "shaker",
    "tamb",
    "tambourine",
    "conga",
    "congas",
    "bongo",
    "bongos",
    "clap",
    "claps",
    "cowbell",
    "cajon",
    "timbale",
    "timbales",
)
_add(
    "bass",
    0.95,
    "bass",
    "bs",
    "bas",
    "bss",
    "sub",
    "subbass",
    "bassdi",
    "bassamp",
    "808",
    "upright",
    "contrabass",
)
_add(
    "guitar",
    0.95,
    "gtr",
    "gtrs",
    "guitar",
    "guitars",
    "gt",
    "git",
    "egtr",
    "agtr",
    "ag",
    "eg",
    "acgtr",
    "elgtr",
    "gtrl",
    "gtrr",
)
_add(
    "keys",
    0.95,
    "keys",
    "key",
    "pno",
    "piano",
    "pianos",
    "rhodes",
    "wurli",
    "wurlitzer",
    "organ",
    "hammond",
    "ep",
    "epiano",
    "clav",
    "clavinet",
    "harpsichord",
)
_add("synth", 0.9, "synth", "synths", "syn", "arp", "arps", "pluck", "plucks", "moog")
_add("pad", 0.9, "pad", "pads")
_add(
    "strings",
    0.95,
    "str",
    "strs",
    "strings",
    "string",
    "violin",
    "violins",
    "vln",
    "viola",
    "cello",
    "cellos",
    "vc",
    "orch",
    "ensemble",
)
_add(
    "brass",
    0.95,
    "brass",
    "horn",
    "horns",
    "trumpet",
    "tpt",
    "trp",
    "trombone",
    "tbn",
    "sax",
    "saxophone",
    "tenor",
    "alto",
    "flugel",
    "tuba",
)
_add(
    "vocal",
    0.95,
    "vox",
    "vocal",
    "vocals",
    "voc",
    "vcl",
    "lv",
    "leadvox",
    "leadvocal",
    "singer",
    "vo",
    "voice",
    "rap",
    "mc",
    "adlib",
    "adlibs",
)
_add(
    "backing_vocal",
    0.95,
    "bv",
    "bvs",
    "bgv",
    "bgvs",
    "backing",
    "backings",
    "backs",
    "harmony",
    "harmonies",
    "harm",
    "choir",
    "chorus",
    "bvox",
    "bgvox",
    "dbl",
    "double",
    "dbls",
    "ooh",
    "oohs",
    "aah",
    "aahs",
)
_add(
    "fx",
    0.85,
    "fx",
    "sfx",
    "riser",
    "risers",
    "sweep",
    "impact",
    "noise",
    "whoosh",
    "verb",
    "reverb",
    "delay",
    "return",
)

# two-word phrases checked before single tokens ("bass drum" is a kick, not a bass)
_PHRASES: tuple[tuple[tuple[str, ...], str, float], ...] = (
    (("bass", "drum"), "kick", 0.95),
    (("kick", "drum"), "kick", 0.95),
    (("hi", "hat"), "hihat", 0.95),
    (("floor", "tom"), "tom", 0.95),
    (("rack", "tom"), "tom", 0.95),
    (("lead", "vox"), "vocal", 0.97),
    (("lead", "vocal"), "vocal", 0.97),
    (("main", "vox"), "vocal", 0.97),
    (("backing", "vox"), "backing_vocal", 0.97),
    (("backing", "vocal"), "backing_vocal", 0.97),
    (("back", "vox"), "backing_vocal", 0.97),
    (("synth", "bass"), "bass", 0.95),
    (("bass", "synth"), "bass", 0.9),
    (("lead", "synth"), "synth", 0.95),
    (("synth", "lead"), "synth", 0.95),
    (("synth", "pad"), "pad", 0.95),
    (("string", "pad"), "pad", 0.9),
    (("acoustic", "guitar"), "guitar", 0.97),
    (("electric", "guitar"), "guitar", 0.97),
    (("electric", "piano"), "keys", 0.97),
)

# When a name has several matches ("Gtr Lead", "Kick Sub"), the more specific part wins.
_PRIORITY = (
    "kick",
    "snare",
    "hihat",
    "tom",
    "overheads",
    "room",
    "backing_vocal",
    "vocal",
    "bass",
    "guitar",
    "keys",
    "pad",
    "strings",
    "brass",
    "synth",
    "percussion",
    "drums",
    "fx",
)
# Names that are known to say nothing about the content.
_GENERIC = {
    "audio",
    "track",
    "trk",
    "new",
    "untitled",
    "take",
    "comp",
    "mix",
    "bus",
    "stem",
    "print",
    "rec",
    "input",
    "in",
    "out",
    "l",
    "r",
    "left",
    "right",
    "mono",
    "stereo",
    "st",
    "copy",
    "dup",
    "final",
    "edit",
    "main",
    "top",
    "bottom",
    "bot",
    "close",
    "far",
    "di",
    "amp",
    "mic",
}
# "lead" on its own usually means the lead vocal in a mix, but guitars and synths lead too.
_WEAK = {
    "lead": ("vocal", 0.55),
    "ld": ("vocal", 0.5),
    "hook": ("vocal", 0.5),
    "top": ("snare", 0.3),
}


def name_tokens(name: str) -> list[str]:
    """Lower-case words of a track name: split on non-letters, digits and camelCase.

    ``"KickIn_2"`` -> ``["kick", "in"]``; ``"OH-L"`` -> ``["oh", "l"]``; ``"808"`` is kept.
    """
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)
    words = re.findall(r"808|[A-Za-z]+", spaced)
    return [w.lower() for w in words]


@dataclass(frozen=True)
class InstrumentGuess:
    """What a track most likely is.

    Attributes
    ----------
    instrument : str
        One of :data:`INSTRUMENTS`.
    confidence : float
        0..1: for names, how unambiguous the match is; for audio, the classifier's
        probability-like score.
    source : {'name', 'audio', 'default'}
        What decided.
    """

    instrument: str
    confidence: float
    source: Literal["name", "audio", "default"]


def recognise_name(name: str | None) -> InstrumentGuess | None:
    """Instrument from a track name alone, or None when the name says nothing."""
    if not name:
        return None
    tokens = name_tokens(name)
    joined = "".join(tokens)
    candidates: list[tuple[str, float]] = []
    for i in range(len(tokens) - 1):
        for phrase, instrument, conf in _PHRASES:
            if tuple(tokens[i : i + 2]) == phrase:
                candidates.append((instrument, conf))
    if candidates:
        best = max(candidates, key=lambda c: c[1])
        return InstrumentGuess(best[0], best[1], "name")
    for t in tokens:
        if t in _TOKENS:
            candidates.append(_TOKENS[t])
    if not candidates and joined in _TOKENS:  # "Kick In" written "KICKIN"
        candidates.append(_TOKENS[joined])
    if not candidates:
        for t in tokens:  # prefixes of four letters or more: "vocs", "guitarra", "snares"
            for key, value in _TOKENS.items():
                if len(key) >= 4 and (t.startswith(key) or (len(t) >= 5 and key.startswith(t))):
                    candidates.append((value[0], min(value[1], 0.8)))
    if candidates:
        rank = {inst: i for i, inst in enumerate(_PRIORITY)}
        kinds = {c[0] for c in candidates}
        best_kind = min(kinds, key=lambda k: rank.get(k, len(rank)))
        conf = max(c[1] for c in candidates if c[0] == best_kind)
        if len(kinds) > 1:
            conf *= 0.85  # two instruments named: less sure
        return InstrumentGuess(best_kind, round(conf, 3), "name")
    for t in tokens:
        if t in _WEAK:
            inst, conf = _WEAK[t]
            return InstrumentGuess(inst, conf, "name")
    return None


# --- audio ------------------------------------------------------------------------------------------

FEATURE_NAMES = (
    "log2_centroid_hz",
    "sub_db",
    "low_end_db",
    "low_mid_db",
    "presence_db",
    "air_db",
    "flatness_db",
    "transient_density_hz",
    "short_term_crest_db",
    "active_fraction",
    "log2_peak_band_hz",
    "log2_rolloff_hz",
)

# Learned with ``python tests/analysis/stems.py --train`` (FluidR3_GM, 3 variants per part).
FEATURE_MEAN = np.array(
    [
        8.9984,
        -30.9532,
        -18.4721,
        -7.4706,
        -19.1683,
        -43.4823,
        -20.6787,
        2.181,
        10.2289,
        0.718,
        8.1378,
        9.5355,
    ]
)
FEATURE_STD = np.array(
    [1.67, 19.066, 15.1328, 5.918, 12.3604, 21.1681, 12.8513, 1.8749, 2.59, 0.1885, 1.8495, 1.8327]
)
CENTROIDS: dict[str, list[float]] = {
    "kick": [
        7.0667,
        -4.1178,
        -0.5831,
        -20.5422,
        -19.1192,
        -41.7123,
        -15.8824,
        4.862,
        10.6466,
        0.3467,
        6.6325,
        6.8727,
    ],
    "snare": [
        9.6736,
        -32.9078,
        -25.9037,
        -2.3799,
        -10.7978,
        -23.493,
        -8.2386,
        4.9251,
        14.8847,
        0.1989,
        7.6325,
        10.0897,
    ],
    "hihat": [
        13.4548,
        -49.0411,
        -43.0204,
        -18.928,
        -7.0154,
        -3.4752,
        -2.3071,
        5.9767,
        14.8759,
        0.7662,
        13.9658,
        14.0803,
    ],
    "tom": [
        7.8523,
        -7.5143,
        -1.6615,
        -8.7408,
        -17.4903,
        -34.0269,
        -10.7708,
        2.4868,
        8.1851,
        0.8099,
        6.2991,
        7.9196,
    ],
    "drums": [
        10.0798,
        -7.262,
        -3.6209,
        -6.7018,
        -10.8395,
        -15.8476,
        -7.1212,
        3.5779,
        13.6924,
        0.6702,
        7.6325,
        10.2221,
    ],
    "bass": [
        7.2659,
        -10.3403,
        -3.8986,
        -9.1729,
        -37.0315,
        -63.8692,
        -35.2158,
        1.5673,
        7.4646,
        0.8442,
        6.8269,
        7.747,
    ],
    "keys": [
        8.4621,
        -26.6483,
        -14.8306,
        -3.7137,
        -28.3762,
        -60.789,
        -32.3732,
        1.922,
        10.2467,
        0.846,
        7.7713,
        9.1072,
    ],
    "guitar": [
        9.6265,
        -47.0661,
        -24.1637,
        -3.7764,
        -11.2009,
        -42.3658,
        -17.596,
        1.6867,
        10.3568,
        0.7571,
        8.5769,
        10.533,
    ],
    "pad": [
        7.8106,
        -46.9081,
        -19.7513,
        -4.2612,
        -26.7903,
        -63.6619,
        -29.663,
        0.1917,
        9.1658,
        0.7413,
        7.6325,
        8.5353,
    ],
    "strings": [
        8.8844,
        -46.6212,
        -20.1766,
        -3.2164,
        -18.1679,
        -52.0187,
        -21.4855,
        0.0712,
        9.9694,
        0.7669,
        8.0399,
        9.4241,
    ],
    "synth": [
        10.3975,
        -47.0192,
        -43.9003,
        -9.3062,
        -7.4618,
        -31.9015,
        -19.4042,
        0.8202,
        7.6165,
        0.7866,
        9.4102,
        11.2685,
    ],
}


#: Analyse at most this much audio (seconds, from the loudest region) for recognition.
MAX_ANALYSIS_S = 45.0


def _rel_db(power: np.ndarray, freqs: np.ndarray, lo: float, hi: float, total: float) -> float:
    sel = (freqs >= lo) & (freqs < hi)
    p = float(power[sel].sum())
    return max(-80.0, power_to_db(p / total)) if total > 0 else -80.0


def audio_features(audio: np.ndarray, sample_rate: float) -> np.ndarray:
    """The :data:`FEATURE_NAMES` vector of a signal (for recognition and for training).

    Parameters
    ----------
    audio : array_like, shape (channels, samples)
    sample_rate : float
        Hz.

    Returns
    -------
    numpy.ndarray, shape (12,)
        Centroid (log2 Hz); power in 20-60, 20-120, 200-500, 2-6 kHz and 8-16 kHz relative to
        the total (dB, floor -80); spectral flatness 100 Hz-8 kHz (dB); onsets per active
        second; median short-term crest (dB); active fraction; loudest third-octave band and
        85 % roll-off frequency (log2 Hz).
    """
    from reaper_assist.analysis.dynamics import dynamics_from_granules
    from reaper_assist.analysis.loudness import measure_loudness_stream
    from reaper_assist.analysis.spectrum import long_term_spectrum

    rate = check_sample_rate(sample_rate)
    x = as_audio(audio)
    loud, gran = measure_loudness_stream([x], rate, true_peak=False, granule_peaks=True)
    dyn = dynamics_from_granules(gran, loud)
    spec = long_term_spectrum(x, rate, n_fft=4096)
    return _features(spec, dyn)


def _features(spec, dyn) -> np.ndarray:
    freqs = spec.freqs_hz
    power = db_to_power(spec.power_db)
    total = float(power.sum())
    band = (freqs >= 100) & (freqs < 8000)
    pb = np.maximum(power[band], 1e-30)
    # spectral flatness: mean of the dB levels minus the level of the mean (0 dB when flat)
    flatness = (
        float(np.mean(power_to_db_array(pb))) - power_to_db(float(np.mean(pb)))
        if total > 0
        else 0.0
    )
    centroid = spec.centroid_hz if total > 0 else 1000.0
    return np.array(
        [
            math.log2(max(centroid, 20.0)),
            _rel_db(power, freqs, 20, 60, total),
            _rel_db(power, freqs, 20, 120, total),
            _rel_db(power, freqs, 200, 500, total),
            _rel_db(power, freqs, 2000, 6000, total),
            _rel_db(power, freqs, 8000, 16000, total),
            max(-80.0, flatness),
            dyn.transient_density_hz,
            dyn.short_term_crest_db,
            dyn.active_fraction,
            math.log2(float(spec.band_centres_hz[np.argmax(spec.band_levels_db)]))
            if total > 0
            else 10.0,
            math.log2(
                max(
                    20.0,
                    float(
                        freqs[min(len(freqs) - 1, np.searchsorted(np.cumsum(power), 0.85 * total))]
                    ),
                )
            )
            if total > 0
            else 10.0,
        ]
    )


def classify_features(features: np.ndarray) -> InstrumentGuess:
    """Nearest centroid in standardised feature space; confidence from a softmax of distances."""
    if not CENTROIDS:
        return InstrumentGuess("other", 0.0, "default")
    z = (features - FEATURE_MEAN) / FEATURE_STD
    labels = list(CENTROIDS)
    cz = (np.array([CENTROIDS[k] for k in labels]) - FEATURE_MEAN) / FEATURE_STD
    d2 = ((cz - z) ** 2).sum(axis=1)
    logits = -0.5 * (d2 - d2.min())
    p = np.exp(logits) / np.exp(logits).sum()
    i = int(np.argmax(p))
    return InstrumentGuess(labels[i], round(float(p[i]), 3), "audio")


def _loudest_excerpt(x: np.ndarray, rate: float) -> np.ndarray:
    n = int(MAX_ANALYSIS_S * rate)
    if x.shape[1] <= n:
        return x
    hop = int(rate)
    energy = np.add.reduceat(np.einsum("ij,ij->j", x, x), np.arange(0, x.shape[1], hop))
    win = int(MAX_ANALYSIS_S)
    sums = np.convolve(energy, np.ones(win), mode="valid")
    start = int(np.argmax(sums)) * hop
    return x[:, start : start + n]


def recognise(
    name: str | None,
    audio: np.ndarray | None = None,
    sample_rate: float | None = None,
) -> InstrumentGuess:
    """What a track is: from its name if the name says so, else from its audio.

    Parameters
    ----------
    name : str or None
        Track name as the user typed it.
    audio : array_like, shape (channels, samples), optional
        The track's audio (at most :data:`MAX_ANALYSIS_S` of its loudest part is used).
    sample_rate : float, optional
        Hz; required with ``audio``.

    Returns
    -------
    InstrumentGuess
        ``source='name'`` for a name match of confidence >= :data:`NAME_TRUST` (or any name
        match when there is no audio), ``'audio'`` from the classifier, ``'default'``
        (``'other'``, confidence 0) when neither says anything, e.g. silence.
    """
    by_name = recognise_name(name)
    if by_name is not None and (by_name.confidence >= NAME_TRUST or audio is None):
        return by_name
    if audio is not None:
        if sample_rate is None:
            from reaper_assist.errors import ParameterError

            raise ParameterError("sample_rate is required with audio")
        rate = check_sample_rate(sample_rate, name=name)
        x = as_audio(audio, name=name)
        x = _loudest_excerpt(x, rate)
        if x.shape[1] >= int(0.1 * rate) and np.any(x):
            return classify_features(audio_features(x, rate))
    if by_name is not None:
        return by_name
    return InstrumentGuess("other", 0.0, "default")
