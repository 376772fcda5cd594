"""Why auto-EQ leaves an injected resonance standing: each eq-scenario injection of the given
sources sorted into "not found by the detector", "found, no cut there" and "cut there, more than
2 dB left" (the scorecard's residual; issue 13 point 4's diagnosis), with how many of each stood
less than 4 dB above the smoothed spectrum of the injected stem before any EQ (``quality.excess_db``:
barely there in the audio, whatever the filter says).

Run: ``python bench/eq_misses.py SOURCE [SOURCE ...]`` (tuning sources only: the evaluation split
is never looked at to tune anything). The injections are the scorecard's own (``quality.eq_injections``
with ``quality.source_rng``); the measurement and decision are auto-EQ's own (``auto_eq.analyse``
on the injected stem, the row of its class). The residual is the scorecard's
(``quality.residual_db``), given the decided bells' response (``tone.bands_response_db``) instead
of a render's (the high-pass left out: it is far below every injection).
"""

from __future__ import annotations

import argparse
import collections
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus as K  # noqa: E402
import quality as Q  # noqa: E402

from reaper_assist.app import auto_eq  # noqa: E402
from reaper_assist.app.assist_common import TrackSource, load_table, row_for  # noqa: E402
from reaper_assist.rules import eq_decision, tone  # noqa: E402

NEAR_OCT = 1 / 12  # a found peak or a cut this close to the injection's centre is "there"
FAINT_DB = 4.0  # an injection standing less than this above the smoothed spectrum is barely in the audio


def residual_db(bands: list[tone.EqBand], f0: float, g: float, q: float) -> float:
    freqs = f0 * 2 ** np.linspace(-1 / 24, 1 / 24, 49)
    return Q.residual_db(freqs, 10 ** (tone.bands_response_db(bands, freqs, Q.RATE) / 10), f0, g, q)


def classify(src: K.Source, table: dict) -> list[tuple[str, str, float]]:
    stems = [s for s in K.build_source(src) if s.role == "stem"]
    out = []
    for st, f0, g, q in Q.eq_injections(stems, Q.source_rng(src.name, 13)):
        x = Q.peaking(st.read(), f0, g, q).astype(np.float32)
        row, _ = row_for(table, st.label)
        _, res, _, d = auto_eq.analyse(TrackSource(x, Q.RATE, "", st.label), row, st.id, 1.0)
        found = [r for r in res if abs(math.log2(r.freq_hz / f0)) < NEAR_OCT]
        cut = [b for b in d.cuts if abs(math.log2(b.freq_hz / f0)) < NEAR_OCT]
        if residual_db(d.bands, f0, g, q) <= 2.0:  # every bell (the low-mid band too)
            kind = "cut to <= 2 dB"
        elif not found:
            kind = "not found by the detector"
        elif not cut:
            kind = ("found, no cut there: the count taken by taller peaks" if len(d.cuts) >= eq_decision._caps(row)[2]
                    else "found, no cut there: fewer cuts than the count")
        else:
            kind = "cut there, more than 2 dB left"
        out.append((st.label, kind, Q.excess_db(x, f0)))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sources", nargs="+")
    a = ap.parse_args(argv)
    srcs = [s for s in K.sources() if s.name in a.sources]
    bad = [s.name for s in srcs if s.split != "tuning"] + [n for n in a.sources if n not in {s.name for s in srcs}]
    if bad:
        raise SystemExit(f"not tuning sources: {', '.join(bad)}")
    table = load_table("auto-eq")
    rows = [r for s in srcs for r in classify(s, table)]
    kinds = collections.Counter(k for _, k, _ in rows)
    print(f"{len(rows)} injections of {len(srcs)} tuning sources")
    for k, n in kinds.most_common():
        by = collections.Counter(lab for lab, kk, _ in rows if kk == k)
        faint = sum(1 for _, kk, before in rows if kk == k and before < FAINT_DB)
        print(f"  {n:4d} {k} ({', '.join(f'{lab} {m}' for lab, m in by.most_common())}); "
              f"{faint} stood < {FAINT_DB:g} dB above the smoothed spectrum before any EQ")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
