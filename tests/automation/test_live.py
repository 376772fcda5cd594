"""The automation actions through the real path: python-reapy over a socket to the emulator
process, the bridge's read (volume lanes) and its owned_envelope write in one undo block."""

from __future__ import annotations

from reaper_assist.app import dip_gaps, ride
from tests.automation.conftest import body, build


def test_ride_and_dip_gaps_over_reapy(vox, tmp_path, reapy_host, live_project):
    src = tmp_path / "src"
    src.mkdir()
    path = live_project(src=build(src, vox))
    rec = ride.run(reapy_host)
    assert rec["status"] == "ok" and rec["tracks"][0]["status"] == "changed", rec["message"]
    rec = dip_gaps.run(reapy_host)
    assert rec["tracks"][0]["status"] == "changed", rec["message"]
    out = tmp_path / "live-out.rpp"
    reapy_host.save(str(out))
    text = out.read_text()
    assert "<VOLENV3\n" in text and "<VOLENV\n" in text and '"owner": "ride"' in text and '"owner": "dip-gaps"' in text
    again = ride.run(reapy_host)
    assert again["tracks"][0]["status"] == "at target" and again["changes"] == []
    reapy_host.save(str(tmp_path / "live-again.rpp"))
    assert body(tmp_path / "live-again.rpp") == body(out)
    assert reapy_host.undo()  # the dip-gaps block
    assert reapy_host.undo()  # the ride block
    reapy_host.save(str(tmp_path / "live-undone.rpp"))
    assert "<VOLENV3" not in (tmp_path / "live-undone.rpp").read_text()
    assert path.exists()
