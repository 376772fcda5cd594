"""The FX GUIDs read_state reports, and the FX a plan finds by GUID, come through REAPER's stock
binding (issue 10 point 4): from the FXID lines of the track's state chunk, not from a GUID*
pointer that the stock rpr_packp passes on as NULL."""

from __future__ import annotations

import json
import shutil

from reaper_assist.bridge import remote, writes
from reaper_assist.host.inprocess import InProcessHost
from tests.conftest import RPP_DIR

FIXTURE = "griffinsauce_with-external-files.rpp"  # a REAPER-saved project with 9 FXID lines


def test_read_state_reports_each_fx_guid_from_the_project_file(tmp_path):
    src = tmp_path / FIXTURE
    shutil.copy(RPP_DIR / FIXTURE, src)
    host = InProcessHost.open(str(src))
    want = {t.guid.upper(): [fx.guid for fx in t.fx] for t in host.reaper.project.tracks}
    state = host.read_state()
    got = {t.guid.upper(): [fx.guid for fx in t.fx] for t in state.tracks}
    assert sum(len(v) for v in want.values()) == 9
    assert got == want
    assert all(g.startswith("{") and g.endswith("}") for v in got.values() for g in v)


def test_a_tagged_fx_is_found_and_its_params_read_through_the_stock_binding(tmp_path):
    src = tmp_path / FIXTURE
    shutil.copy(RPP_DIR / FIXTURE, src)
    host = InProcessHost.open(str(src))
    track = next(t for t in host.reaper.project.tracks if t.fx)
    fx_guid = track.fx[0].guid
    track_ptr = host.api.GetTrack(0, host.reaper.project.tracks.index(track))
    host.api.GetSetMediaTrackInfo_String(track_ptr, remote.TAG_KEY, json.dumps({fx_guid: "gain"}), True)
    t = host.read_state(track_guids=[track.guid]).tracks[0]
    assert t.fx[0].guid == fx_guid and t.fx[0].params is not None and len(t.fx[0].params) == t.fx[0].n_params
    assert writes.fx_by_guid(host.api, track_ptr, fx_guid.lower()) == 0  # what the writes resolve by
    assert writes.fx_by_guid(host.api, track_ptr, "{00000000-0000-0000-0000-000000000000}") == -1


CHUNK = """<TRACK {0F8F62A1-4F0B-4D57-9B5C-2D7C1E36A001}
  NAME Vox
  <FXCHAIN
    SHOW 0
    LASTSEL 0
    DOCKED 0
    BYPASS 0 0 0
    <VST "VST: ReaEQ (Cockos)" reaeq.dll 0 "" 1919247729<56535472656571726561657100000000> ""
      cWVlcu5e7f4CAAAAAQAAAAAAAAACAAAAAAAAAAIAAAABAAAAAAAAAAIAAAAAAAAA
    >
    FLOATPOS 0 0 0 0
    FXID {11111111-1111-1111-1111-111111111111}
    WAK 0 0
    BYPASS 0 0 0
    <CONTAINER Container ""
      BYPASS 0 0 0
      <JS utility/volume ""
        0 0 - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
      >
      FXID {99999999-9999-9999-9999-999999999999}
      WAK 0 0
    >
    FXID {22222222-2222-2222-2222-222222222222}
    WAK 0 0
  >
  <FXCHAIN_REC
    BYPASS 0 0 0
    <JS utility/volume ""
      0 0 - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
    >
    FXID {33333333-3333-3333-3333-333333333333}
  >
  <ITEM
    POSITION 0
    <TAKEFX
      BYPASS 0 0 0
      <JS utility/volume ""
        0 0 - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
      >
      FXID {44444444-4444-4444-4444-444444444444}
    >
  >
>
"""


def test_only_the_track_chains_own_fxid_lines_count():
    """Container children, the input chain and take FX have FXID lines of their own (facts 4.4)."""
    assert remote._chain_fxids(CHUNK) == ["{11111111-1111-1111-1111-111111111111}",
                                          "{22222222-2222-2222-2222-222222222222}"]
    assert remote._chain_fxids(CHUNK.replace("\n", "\r\n")) == remote._chain_fxids(CHUNK)
