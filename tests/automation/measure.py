"""Print the acceptance numbers of docs/automation.md: `PYTHONPATH=$PWD python tests/automation/measure.py`."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from tests.automation.conftest import build, energy_db, momentary, render_track, timeline
from tests.automation.material import SR, voice
from tests.automation.sibilants import fall_db
from tests.automation.test_de_ess import measure
from tests.automation.test_de_ess import run as run_deess
from tests.automation.test_dip_gaps import _edge_losses, _gap_interiors
from tests.automation.test_dip_gaps import run as run_dip
from tests.automation.test_ride import run as run_ride
from tests.automation.test_ride import trim_points, voiced_centres


def _spread(x):
    return np.percentile(x, 90) - np.percentile(x, 10)


def main() -> None:
    v = voice()
    path = build(Path(tempfile.mkdtemp()), v)
    _, out, _ = run_ride(path)
    c = voiced_centres(timeline(v, v.spans))
    b, a = momentary(render_track(path)[0], c), momentary(render_track(out)[0], c)
    print(f"ride: spread before {_spread(b):.2f} LU, after {_spread(a):.2f} LU, fall {100 * (1 - _spread(a) / _spread(b)):.0f} %")
    pts = trim_points(out)
    t, db = np.array([p[0] for p in pts]), np.array([p[1] for p in pts])
    step = np.abs(np.diff(db)) * np.minimum(1.0, 0.010 / np.maximum(np.diff(t), 1e-12))
    print(f"ride: {len(pts)} points = {len(pts) / (v.audio.size / SR):.2f}/s, {db.min():.2f}..{db.max():.2f} dB, "
          f"largest change within 10 ms {step.max():.3f} dB")
    path = build(Path(tempfile.mkdtemp()), v)
    _, out, _ = run_dip(path)
    x, y = render_track(path)[0], render_track(out)[0]
    falls = [energy_db(y, a0, b0) - energy_db(x, a0, b0) for a0, b0 in _gap_interiors(timeline(v, v.spans))]
    print(f"dip-gaps: noise in the pauses {np.round(falls, 2).tolist()} dB, largest edge loss "
          f"{_edge_losses(v, path, out).max():.3f} dB")

    for placement in ({}, {"offset_s": 1.2, "playrate": 1.25}):
        path = build(Path(tempfile.mkdtemp()), v, **placement)
        rec, out, _ = run_deess(path)
        ev = rec["tracks"][0]["evidence"]
        fr, px, py, band = measure(v, path, out, rec, **placement)
        every = np.ones(px.shape[1], bool)
        where = f" (take offset {placement['offset_s']} s, playrate {placement['playrate']})" if placement else ""
        print(f"de-ess{where}: band {ev['band_lo_hz']:.0f}-{ev['band_hi_hz']:.0f} Hz ({ev['shape']} at "
              f"{ev['freq_hz']:.0f} Hz, {ev['bw_oct']:.2f} oct; sibilant spectrum's peak by the test {fr.peak_hz:.0f} Hz), "
              f"{ev['dips']} dips, band gain down to {ev['gain_min_db']:.2f} dB, {ev['points']} points = "
              f"{ev['points_per_s']:.2f}/s")
        print(f"de-ess{where}: band energy during sibilants -{fall_db(px, py, fr.sibilant, band):.2f} dB, "
              f"outside them -{fall_db(px, py, fr.outside, band):.3f} dB; rest of the spectrum: whole track "
              f"-{fall_db(px, py, every, ~band):.3f} dB, outside sibilants -{fall_db(px, py, fr.outside, ~band):.3f} dB, "
              f"during sibilants -{fall_db(px, py, fr.sibilant, ~band):.3f} dB (under 2 kHz "
              f"-{fall_db(px, py, fr.sibilant, fr.freqs < 2000):.3f} dB)")


if __name__ == "__main__":
    main()
