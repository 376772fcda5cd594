"""Instrument recognition of a track: from its name, else from its audio.

Names are matched against the abbreviations engineers use on track names ("Kik In",
"SN top", "OH L", "Bs DI", "Gtr 2", "Pno", "Lead Vox", "BV 3"...). When the name says nothing,
the shipped model decides (:mod:`reaper_assist.analysis.recognizer`: a calibrated logistic
regression over librosa features, trained by ``scripts/train_recognizer.py`` on the tuning split
of the issue-13 corpus and measured on its evaluation split by ``bench/quality.py``; numbers in
``docs/quality.md``). Audio classes: kick, snare, hihat, tom, drums, bass, keys, guitar, pad,
strings, synth, vocal (speech); when the model is unsure it answers ``'unknown'`` and the
assistants use their generic rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import numpy as np

from reaper_assist.analysis import recognizer
from reaper_assist.analysis._validate import as_audio, check_sample_rate

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
    "unknown",
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
    best_guess : str or None
        With ``instrument='unknown'``: the class the model would have said.
    """

    instrument: str
    confidence: float
    source: Literal["name", "audio", "default"]
    best_guess: str | None = None


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

#: Analyse at most this much audio (seconds, from the loudest region) for recognition.
MAX_ANALYSIS_S = recognizer.MAX_SECONDS


def _loudest_excerpt(x: np.ndarray, rate: float, seconds: float = MAX_ANALYSIS_S) -> np.ndarray:
    n = int(seconds * rate)
    if x.shape[1] <= n:
        return x
    hop = int(rate)
    energy = np.add.reduceat(np.einsum("ij,ij->j", x, x), np.arange(0, x.shape[1], hop))
    win = max(1, int(seconds))
    sums = np.convolve(energy, np.ones(win), mode="valid")
    start = int(np.argmax(sums)) * hop
    return x[:, start : start + n]


def classify_audio(x: np.ndarray, rate: float) -> InstrumentGuess | None:
    """The shipped model's answer for ``x`` ``(channels, samples)``; None without a model file.

    ``instrument='unknown'`` when the calibrated confidence of the best class is below the
    model's threshold (``best_guess`` then says which class that was), and with confidence 0 when
    the audio lies farther from the training material than the model's ``max_distance``: out of
    what it knows, its softmax is no confidence at all.
    """
    model = recognizer.shipped_model()
    if model is None:
        return None
    feats = recognizer.features(_loudest_excerpt(x, rate), rate)
    p = model.probabilities(feats)
    i = int(np.argmax(p))
    conf = round(float(p[i]), 3)
    if model.distance(feats) > model.max_distance:
        return InstrumentGuess("unknown", 0.0, "audio", best_guess=model.classes[i])
    if conf < model.unknown_below:
        return InstrumentGuess("unknown", conf, "audio", best_guess=model.classes[i])
    return InstrumentGuess(model.classes[i], conf, "audio")


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
        The track's audio (its loudest part is used).
    sample_rate : float, optional
        Hz; required with ``audio``.

    Returns
    -------
    InstrumentGuess
        ``source='name'`` for a name match of confidence >= :data:`NAME_TRUST` (or any name
        match when there is no audio), ``'audio'`` from the shipped model (``'unknown'`` when it
        is unsure), ``'default'`` (``'other'``, confidence 0) when neither says anything, e.g.
        silence.
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
            guess = classify_audio(x, rate)
            if guess is not None:
                return guess
    if by_name is not None:
        return by_name
    return InstrumentGuess("other", 0.0, "default")
