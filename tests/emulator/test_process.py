"""The emulator as a process: the unmodified reapy client over a real socket."""

from __future__ import annotations

import subprocess
import sys
import urllib.request

import pytest

from tests.conftest import RPP_DIR, EmulatorProc
from tests.emulator_proc import REPO


def test_ready_line_and_web_interface_ext_state(emulator):
    assert "ready" in emulator.ready_line
    url = f"http://127.0.0.1:{emulator.web_port}/_/GET/EXTSTATE/reapy/server_port"
    body = urllib.request.urlopen(url, timeout=2).read().decode()
    # reapy keeps split("\t")[-1][:-1]: the trailing newline is mandatory (reapy_behaviour 2.7)
    assert body == f"EXTSTATE\treapy\tserver_port\t{emulator.reapy_port}\n"


def test_reapy_client_reads_and_writes(reapy_client, live_project):
    import reapy

    live_project("rpp-editor_test2.rpp")
    project = reapy.Project()
    assert [t.name for t in project.tracks] == ["Track1"]
    track = project.tracks[0]
    fx = track.fxs[0]
    assert fx.name == "VST: ReaComp (Cockos)"
    assert fx.n_params == 24
    with reapy.inside_reaper():
        names = [p.name for p in fx.params]
    assert names[:4] == ["Threshold", "Ratio", "Attack", "Release"]
    assert track.get_info_value("D_VOL") == 1.0
    project.begin_undo_block()
    track.set_info_value("D_VOL", 0.5)
    fx.params[0] = 0.25
    project.end_undo_block("test change")
    assert track.get_info_value("D_VOL") == 0.5
    assert fx.params[0] == 0.25
    assert project.can_undo
    project.undo()
    assert track.get_info_value("D_VOL") == 1.0
    assert fx.params[0] == pytest.approx(1.409999966621399)


def test_reapy_selection_and_items(reapy_client, live_project):
    import reapy

    live_project("griffinsauce_with-external-files.rpp")
    project = reapy.Project()
    assert len(project.tracks) == 19
    with reapy.inside_reaper():
        drums = project.tracks[1]
        n_items = len(drums.items)
        take = drums.items[0].active_take
        name = take.name
    assert n_items == 38 and name == "MT-PowerDrumKit untitled MIDI item-glued"
    project.tracks[2].make_only_selected_track()
    assert [t.name for t in project.selected_tracks] == ["Kick+Snare+Toms"]


def test_undo_restores_the_saved_file_exactly(reapy_host, live_project, tmp_path):
    live_project("ultraschall_StudioLink.RPP")
    reapy_host.save(str(tmp_path / "before.rpp"))
    state = reapy_host.read_state()
    t = state.tracks[0]
    reapy_host.apply([{"op": "track_info", "track": t.guid, "parm": "D_VOL", "value": 0.5},
                      {"op": "add_fx", "track": t.guid, "name": "ReaEQ", "rename": "RA EQ"}], "reaper-assist: test")
    reapy_host.save(str(tmp_path / "after.rpp"))
    assert (tmp_path / "after.rpp").read_text() != (tmp_path / "before.rpp").read_text()
    assert reapy_host.undo()
    reapy_host.save(str(tmp_path / "undone.rpp"))
    assert (tmp_path / "undone.rpp").read_text() == (tmp_path / "before.rpp").read_text()


def test_sigterm_exits_cleanly(tmp_path):
    emu = EmulatorProc(tmp_path, RPP_DIR / "griffinsauce_empty.rpp")
    assert emu.stop() == 0


def test_corrupt_project_fails_with_the_line(tmp_path):
    bad = tmp_path / "bad.rpp"
    bad.write_text('<REAPER_PROJECT 0.1 "7.0" 0\n  <TRACK\n')
    proc = subprocess.run(["python", "-m", "reaper_assist.emulator", "--project", str(bad), "--resource-path",
                           str(tmp_path / "res")], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2
    assert "line 2" in proc.stderr and "never closed" in proc.stderr


def test_wrong_pointers_are_null_over_the_socket_and_the_server_keeps_serving(reapy_client, live_project):
    import reapy
    import reapy.reascript_api as RPR

    live_project("rpp-editor_test2.rpp")
    assert RPR.GetTrackName("(MediaItem*)0x0000000010A1A1A0", "", 64) == [0, "(MediaItem*)0x0000000010A1A1A0", "", 64]
    assert RPR.GetTrackName("not a pointer", "", 64)[0] == 0
    assert RPR.CountTrackMediaItems("(MediaTrack*)0x00000000DEADBEEF") == 0
    assert [t.name for t in reapy.Project().tracks] == ["Track1"]  # still serving


def test_the_client_is_bound_to_the_emulator_port_not_reapers(reapy_client, emulator):
    import reapy.config

    assert reapy.config.WEB_INTERFACE_PORT == emulator.web_port != 2307


TAKEN_PORT_RUN = r'''
import socket, sys, urllib.request
from reaper_assist.emulator import process
from reaper_assist.ports import free_port

taken = socket.socket(); taken.bind(("0.0.0.0", 0)); taken.listen()  # someone else's server
picks = [taken.getsockname()[1]]
process.free_port = lambda host="127.0.0.1": picks.pop(0) if picks else free_port(host)
emu = process.EmulatorProcess(project=None, resource_path=sys.argv[1], echo_console=False)
emu.setup()
try:
    url = f"http://127.0.0.1:{emu.web_port}/_/GET/EXTSTATE/reapy/server_port"
    published = urllib.request.urlopen(url, timeout=5).read().decode().split("\t")[-1].strip()
    print(taken.getsockname()[1], emu.reapy_port, published, emu.ns["SERVER"]._socket.getsockname()[1])
finally:
    emu.shutdown()
'''


def test_a_reapy_port_taken_between_pick_and_bind_is_picked_again(tmp_path):
    """The port reapy's server gets is picked free, then bound by reapy's own script; when another
    program takes it in between, the emulator picks another and publishes that one."""
    out = subprocess.run([sys.executable, "-c", TAKEN_PORT_RUN, str(tmp_path)], capture_output=True, text=True,
                         timeout=120, cwd=REPO)
    assert out.returncode == 0, out.stderr[-3000:]
    taken, port, published, bound = (int(v) for v in out.stdout.split()[-4:])
    assert port != taken and published == port == bound
