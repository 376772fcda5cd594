"""Does the recogniser need training material at the session's rate? (issue 13 point 8, a record)

Run: ``python bench/proto_recognizer_rates.py <folder of the 44.1 kHz corpus>`` (tuning split only,
built first with ``REAPER_ASSIST_CORPUS_RATE=44100 REAPER_ASSIST_CORPUS=<folder> python bench/corpus.py
--split tuning``). Not product code: it keeps the figures of docs/quality.md's "2026-12-07 (eleventh
part)" reproducible.

The shipped model is fitted on the 48 kHz renders of the tuning split, and on the evaluation split
its lowest class recall was 83 % at 48 kHz but 71 % at 44.1 kHz (the recogniser resamples every
track to 22.05 kHz; the fonts render differently at each rate). Measured here on the tuning split only,
out of source as ``scripts/train_recognizer.py`` measures (each source predicted by a model fitted
without it): a model fitted on the 48 kHz features alone, and one fitted on the 48 and 44.1 kHz
features of the same stems, each read on both rates' features, at the L2 strengths around the
shipped one (temperature fitted to each model's own out-of-source answers, "unknown" under 0.5).
"""

from __future__ import annotations

import importlib.util
import io
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np

from bench import corpus as K

_spec = importlib.util.spec_from_file_location("train_recognizer", ROOT / "scripts" / "train_recognizer.py")
T = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(T)

C_TRIED = (0.1, 0.3, 1.0)


def features_at(rate: int, folder: str | None) -> np.ndarray:
    """The tuning stems' features at ``rate`` (the training script's cache), from this script run
    again with ``--features`` in a process of its own: the corpus's rate is fixed when
    ``bench.corpus`` is imported."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), REAPER_ASSIST_CORPUS_RATE=str(rate))
    if folder:
        env["REAPER_ASSIST_CORPUS"] = folder
    out = subprocess.run([sys.executable, __file__, "--features"], env=env, check=True, capture_output=True).stdout
    return np.load(io.BytesIO(out))


def main(argv: list[str]) -> int:
    if argv == ["--features"]:  # the child of features_at: this process's rate, to stdout
        np.save(sys.stdout.buffer, T.feature_table(K.stems("tuning")))
        return 0
    if len(argv) != 1:
        print(__doc__)
        return 2
    stems = K.stems("tuning")
    y = np.array([s.label for s in stems])
    groups = np.array([T.group_of(s) for s in stems])
    classes = sorted(set(y))
    idx = np.array([classes.index(v) for v in y])
    rates = {"48 kHz": features_at(48000, os.environ.get("REAPER_ASSIST_CORPUS")), "44.1 kHz": features_at(44100, argv[0])}
    for name, fitted_on in (("fitted on 48 kHz", ["48 kHz"]), ("fitted on 48 + 44.1 kHz", ["48 kHz", "44.1 kHz"])):
        for c in C_TRIED:
            logits = {r: np.full((len(y), len(classes)), -1e9) for r in rates}
            for g in sorted(set(groups)):
                test = groups == g
                X = np.vstack([rates[r][~test] for r in fitted_on])
                mean, scale, clf = T._fit(X, np.concatenate([y[~test]] * len(fitted_on)), c)
                for r, Xr in rates.items():
                    raw = ((Xr[test] - mean) / scale) @ clf.coef_.T + clf.intercept_
                    for j, cls in enumerate(clf.classes_):
                        logits[r][np.where(test)[0], classes.index(cls)] = raw[:, j]
            own = np.vstack([logits[r] for r in fitted_on])
            truth = np.concatenate([idx] * len(fitted_on))
            nll = [-np.mean(np.log(np.maximum(T.softmax(own, t)[np.arange(truth.size), truth], 1e-12))) for t in T.T_GRID]
            t = float(T.T_GRID[int(np.argmin(nll))])
            for r in rates:
                s = T.summary(T.softmax(logits[r], t), y, classes, T.MIN_UNKNOWN_BELOW)
                low = min(s["recall"], key=s["recall"].get)
                print(f"{name}, C {c:g}, T {t:.2f}, read at {r}: accuracy {100 * s['accuracy']:.1f} %, lowest recall "
                      f"{low} {100 * s['recall'][low]:.0f} %, unknown {100 * s['unknown_share']:.1f} %, wrong with "
                      f"confidence > 0.8 {100 * s['confident_wrong_share']:.1f} %", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
