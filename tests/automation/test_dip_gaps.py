"""Dip noise between phrases (issue 14): measured on emulator renders of espeak-ng phrases over a
noise floor; phrase positions come from the clean speech, not from the product."""

from __future__ import annotations

import numpy as np
import pytest

from reaper_assist.app import dip_gaps
from reaper_assist.host.inprocess import InProcessHost
from tests.automation.conftest import body, build, energy_db, render_track, timeline

DEPTH_TOL_DB = 1.0  # issue 14: noise between phrases falls by the set depth +-1 dB
EDGE_LOSS_DB = 1.0  # issue 14: the first 20 ms and the last 50 ms of every phrase lose < 1 dB


def run(path, **options):
    host = InProcessHost.open(str(path))
    rec = dip_gaps.run(host, options=options)
    out = path.with_name(path.stem + "-out.rpp")
    host.save(str(out))
    return rec, out, host


@pytest.fixture(scope="module")
def dipped(vox, tmp_path_factory):
    path = build(tmp_path_factory.mktemp("dip"), vox)
    rec, out, host = run(path)
    return path, rec, out, host


def _gap_interiors(spans):
    """The middle 40 % of every pause between phrases."""
    return [(b + 0.3 * (a2 - b), a2 - 0.3 * (a2 - b)) for (_, b), (a2, _) in zip(spans, spans[1:])]


@pytest.mark.parametrize("depth", [-12.0, -20.0])
def test_noise_between_phrases_falls_by_the_depth(vox, tmp_path, depth):
    path = build(tmp_path, vox)
    rec, out, _ = run(path, depth_db=depth)
    assert rec["tracks"][0]["status"] == "changed", rec["message"]
    x, _ = render_track(path)
    y, _ = render_track(out)
    for a, b in _gap_interiors(timeline(vox, vox.spans)):
        assert energy_db(y, a, b) - energy_db(x, a, b) == pytest.approx(depth, abs=DEPTH_TOL_DB), (a, b)


def _edge_losses(vox, path, out, **tl):
    x, _ = render_track(path)
    y, _ = render_track(out)
    losses = []
    for a, b in timeline(vox, vox.spans, **tl):
        if a < 1.0:  # cut off by the take offset
            continue
        losses.append(energy_db(x, a, a + 0.020) - energy_db(y, a, a + 0.020))
        losses.append(energy_db(x, b - 0.050, b) - energy_db(y, b - 0.050, b))
    return np.array(losses)


def test_phrase_starts_and_tails_keep_their_level(vox, dipped):
    path, _, out, _ = dipped
    losses = _edge_losses(vox, path, out)
    assert losses.size == 2 * len(vox.spans) and losses.max() < EDGE_LOSS_DB, losses


def test_offset_and_playrate_follow_the_timeline(vox, tmp_path):
    path = build(tmp_path, vox, offset_s=1.2, playrate=1.25)
    rec, out, _ = run(path)
    assert rec["tracks"][0]["status"] == "changed"
    assert _edge_losses(vox, path, out, offset_s=1.2, playrate=1.25).max() < EDGE_LOSS_DB
    x, _ = render_track(path)
    y, _ = render_track(out)
    spans = [s for s in timeline(vox, vox.spans, offset_s=1.2, playrate=1.25) if s[0] >= 1.0]
    for a, b in _gap_interiors(spans):
        assert energy_db(y, a, b) - energy_db(x, a, b) == pytest.approx(-12.0, abs=DEPTH_TOL_DB)


def test_second_run_changes_nothing_and_one_undo_restores(dipped):
    path, _, out, host = dipped
    rec2, out2, _ = run(out)
    assert rec2["tracks"][0]["status"] == "at target" and rec2["changes"] == []
    assert body(out) == body(out2)
    assert host.undo()
    host.save(str(path.with_name("undone.rpp")))
    assert body(path.with_name("undone.rpp")) == \
        body(path)


def test_no_noise_floor_nothing_to_dip(tmp_path):
    from tests.automation.material import voice

    path = build(tmp_path, voice(noise_dbfs=None, breaths=False))
    rec, out, _ = run(path)
    assert rec["tracks"][0]["status"] == "at target" and "no noise floor to dip" in rec["tracks"][0]["reason"]
    assert rec["changes"] == []
