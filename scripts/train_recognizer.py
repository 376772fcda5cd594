"""Train the instrument recogniser on the TUNING split of the issue-13 corpus; write the model file.

Run: ``python scripts/train_recognizer.py [--out reaper_assist/data/instrument_model.json]``.

1. Features (``reaper_assist.analysis.recognizer.features``) of every tuning stem
   (``bench/corpus.py``: TimGM6mb, MuseScore General Lite, csound's GM bank, the AVL kits, the
   hydrogen kits other than the evaluation kit, the tuning espeak-ng voices). The evaluation split
   is never read.
2. Groups = independent sources (one SoundFont, one kit, one espeak language); the L2 strength is
   chosen by leave-one-group-out accuracy, so every figure here is measured on a source the model
   did not see, like the evaluation set.
3. The softmax temperature is fitted to those out-of-source predictions (minimum negative log
   likelihood), and the "unknown" threshold is the highest confidence below which the
   out-of-source answers are right less than half the time, and at least 0.5 (a calibrated
   confidence under one half is more likely wrong than right). Audio farther from the training
   mean (RMS of the standardised features) than any tuning stem lies from the stems of the other
   sources is out of distribution: "unknown".
4. The final model is fitted on all tuning stems and written as JSON (numbers only, read by
   ``recognizer.shipped_model``), with the out-of-source figures in its ``info``.

Needs scikit-learn (installed with librosa) for training only; the product's inference is numpy.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np

from bench import corpus as K
from reaper_assist.analysis import recognizer as R

C_GRID = (0.01, 0.03, 0.1, 0.3, 1.0)
T_GRID = np.exp(np.linspace(math.log(0.25), math.log(8.0), 121))
THRESHOLD_GRID = np.round(np.arange(0.20, 0.71, 0.05), 2)
# at least this: a calibrated confidence under one half says the answer is more likely wrong than
# right, whatever the out-of-source answers under it happened to score (with few of them, none may
# fall under the data's own threshold, and the model would never say "unknown")
MIN_UNKNOWN_BELOW = 0.5


def feature_table(stems: list[K.Stem]) -> np.ndarray:
    """Features of ``stems``, cached next to the corpus (keyed by stem id and feature version)."""
    cache = K.cache_dir() / f"features-v{K.CORPUS_VERSION}-f{R.FEATURE_VERSION}.npz"
    known: dict[str, np.ndarray] = {}
    if cache.is_file():
        with np.load(cache) as z:
            known = {k: z[k] for k in z.files}
    rows = []
    for i, st in enumerate(stems):
        key = st.id.replace("/", "|")
        if key not in known:
            known[key] = R.features(st.read(), K.RATE)
            if i % 25 == 0:
                print(f"  features {i + 1}/{len(stems)}", file=sys.stderr)
        rows.append(known[key])
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez(cache, **known)
    return np.array(rows)


def group_of(st: K.Stem) -> str:
    if st.source.startswith("espeak:"):
        return f"espeak:{Path(st.what.split()[2]).name.split('+')[0]}"  # "espeak-ng -v de+m2 ..." -> language
    return st.source


def _fit(X: np.ndarray, y: np.ndarray, c: float):
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(X)
    scale = np.where(scaler.scale_ > 1e-9, scaler.scale_, 1.0)
    clf = LogisticRegression(C=c, max_iter=5000, class_weight="balanced")
    clf.fit((X - scaler.mean_) / scale, y)
    return scaler.mean_, scale, clf


def out_of_group_logits(X, y, groups, c: float, classes: list[str]) -> np.ndarray:
    """Logits of each stem from a model fitted without its group (leave one source out)."""
    logits = np.full((len(y), len(classes)), -1e9)
    for g in sorted(set(groups)):
        test = groups == g
        mean, scale, clf = _fit(X[~test], y[~test], c)
        z = (X[test] - mean) / scale
        raw = z @ clf.coef_.T + clf.intercept_
        for j, cls in enumerate(clf.classes_):
            logits[np.where(test)[0], classes.index(cls)] = raw[:, j]
    return logits


def out_of_group_distances(X: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Each stem's :meth:`Model.distance` from the standardisation of the stems of other sources."""
    out = np.zeros(len(X))
    for g in sorted(set(groups)):
        test = groups == g
        mean, std = X[~test].mean(axis=0), X[~test].std(axis=0)
        z = (X[test] - mean) / np.where(std > 1e-9, std, 1.0)
        out[test] = np.sqrt(np.mean(z * z, axis=1))
    return out


def softmax(logits: np.ndarray, t: float) -> np.ndarray:
    z = logits / t
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(axis=1, keepdims=True)


def summary(p: np.ndarray, y: np.ndarray, classes: list[str], unknown_below: float) -> dict:
    pred = np.array([classes[i] for i in p.argmax(axis=1)])
    conf = p.max(axis=1)
    pred = np.where(conf < unknown_below, "unknown", pred)
    right = pred == y
    recall = {c: float(np.mean(right[y == c])) for c in classes}
    return {"accuracy": round(float(right.mean()), 4),
            "recall": {c: round(v, 4) for c, v in recall.items()},
            "unknown_share": round(float(np.mean(pred == "unknown")), 4),
            "confident_wrong_share": round(float(np.mean((~right) & (pred != "unknown") & (conf > 0.8))), 4),
            "n": len(y)}


def train(out: Path) -> dict:
    stems = K.stems("tuning")  # strict: every tuning source must be installed
    assert all(s.split == "tuning" for s in stems)
    X = feature_table(stems)
    y = np.array([s.label for s in stems])
    groups = np.array([group_of(s) for s in stems])
    classes = sorted(set(y))
    scores = {}
    for c in C_GRID:
        p = softmax(out_of_group_logits(X, y, groups, c, classes), 1.0)
        pred = np.array([classes[i] for i in p.argmax(axis=1)])
        per_class = [np.mean(pred[y == k] == k) for k in classes]
        scores[c] = float(np.mean(per_class))  # balanced accuracy over sources left out
        print(f"C={c:g}: out-of-source balanced accuracy {scores[c]:.3f}", file=sys.stderr)
    c = max(scores, key=scores.get)
    logits = out_of_group_logits(X, y, groups, c, classes)
    idx = np.array([classes.index(v) for v in y])
    nll = [float(-np.mean(np.log(np.maximum(softmax(logits, t)[np.arange(len(y)), idx], 1e-12)))) for t in T_GRID]
    t = float(T_GRID[int(np.argmin(nll))])
    p = softmax(logits, t)
    conf, right = p.max(axis=1), np.array([classes[i] for i in p.argmax(axis=1)]) == y
    unknown_below = MIN_UNKNOWN_BELOW
    for th in THRESHOLD_GRID:
        below = conf < th
        if below.any() and float(np.mean(right[below])) < 0.5:
            unknown_below = max(unknown_below, float(th))
    # out of distribution: farther from the training mean than any tuning stem lies from a model
    # fitted without its own source
    far = out_of_group_distances(X, groups)
    max_distance = float(far.max())
    mean, scale, clf = _fit(X, y, c)
    info = {
        "trained_by": "python scripts/train_recognizer.py",
        "corpus_version": K.CORPUS_VERSION,
        "tuning_sources": sorted({s.source for s in stems}),
        "stems_per_class": {k: int(np.sum(y == k)) for k in classes},
        "l2_c": c,
        "out_of_source": summary(p, y, classes, unknown_below),
        "out_of_source_distance": {"median": round(float(np.median(far)), 3), "max": round(max_distance, 3)},
        "out_of_source_groups": sorted(set(groups)),
    }
    model = R.Model(tuple(clf.classes_), mean, scale, clf.coef_, clf.intercept_, t, unknown_below, info,
                    max_distance)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(_rounded(model.to_json()), indent=None, separators=(",", ":")) + "\n")
    return info | {"temperature": t, "unknown_below": unknown_below}


def _rounded(d):
    if isinstance(d, dict):
        return {k: _rounded(v) for k, v in d.items()}
    if isinstance(d, list):
        return [_rounded(v) for v in d]
    if isinstance(d, float):
        return float(f"{d:.6g}")
    return d


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="train the instrument recogniser on the tuning split")
    ap.add_argument("--out", type=Path, default=ROOT / "reaper_assist" / "data" / R.MODEL_FILE)
    args = ap.parse_args(argv)
    info = train(args.out)
    print(json.dumps(info, indent=1))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
