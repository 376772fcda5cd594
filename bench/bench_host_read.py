"""Reading a 64-track project's state through the reapy host at REAPER's 30 Hz defer pacing.

Run: ``python bench/bench_host_read.py``. Starts the emulator process at 30 Hz, then reads the
state of every track (name, selection, volume, items, FX) two ways and prints round trips and
seconds, and the ratio of the naive reading to ours:
  * reference: plain reapy objects, one request per property (what a script would naturally do);
  * reference: the same inside ``reapy.inside_reaper()`` (reapy's batching: its server holds the
    defer loop, so the same requests are served without waiting for REAPER's defer cycles);
  * ours: ReapyHost.read_state(), one shipped request (median of 5), and without FX, which
    leaves out the state chunk read per track for the FX GUIDs.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reaper_assist.emulator.project import Project  # noqa: E402
from reaper_assist.emulator.reascript import Reaper  # noqa: E402
from tests.conftest import EmulatorProc  # noqa: E402

N_TRACKS = 64


def build(tmp: Path) -> Path:
    p = Project.new()
    for i in range(N_TRACKS):
        t = p.add_track(i, name=f"Track {i + 1:02d}")
        p.add_item(t, position=0.0, length=180.0, file=str(tmp / f"t{i}.wav"))
        t.selected = i % 2 == 0
    r = Reaper(p)
    f = r.rpr_functions()
    for i in range(N_TRACKS):
        tr = f["RPR_GetTrack"](0, i)
        f["RPR_TrackFX_AddByName"](tr, "ReaEQ", False, -1)
        f["RPR_TrackFX_AddByName"](tr, "ReaComp", False, -1)
    path = tmp / "bench64.rpp"
    p.save(path)
    return path


def main() -> int:
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        emu = EmulatorProc(tmp, build(tmp), defer_hz=30.0)
        try:
            from reaper_assist.host import reapy_ports

            host = emu.host()  # reaper-assist's bridge; reapy's own client below, against reapy's server
            reapy_ports.preset_web_interface_port(emu.web_port)
            import reapy
            from reapy.tools.network import machines

            client = machines.get_selected_client()
            counter = {"n": 0}
            orig = client.request

            def counting(*a, **k):
                counter["n"] += 1
                return orig(*a, **k)

            client.request = counting

            t0 = time.perf_counter()
            project = reapy.Project()
            naive = []
            for tr in project.tracks:
                naive.append((tr.name, tr.is_selected, tr.get_info_value("D_VOL"), len(tr.items), len(tr.fxs)))
            t_naive = time.perf_counter() - t0
            n_naive = counter["n"]

            # reapy's own batching: its server holds the defer loop for the block (its documented fast path)
            batched = []
            counter["n"] = 0
            t0 = time.perf_counter()
            with reapy.inside_reaper():
                for tr in reapy.Project().tracks:
                    batched.append((tr.name, tr.is_selected, tr.get_info_value("D_VOL"), len(tr.items),
                                    len(tr.fxs)))
            t_batched = time.perf_counter() - t0
            n_batched = counter["n"]

            def ours(**kw):
                """Median of 5 reads, and the round trips of one."""
                times = []
                for _ in range(5):
                    n0 = host.round_trips  # our host talks to the bridge on its own connection
                    t0 = time.perf_counter()
                    state = host.read_state(**kw)
                    times.append(time.perf_counter() - t0)
                return state, sorted(times)[2], host.round_trips - n0

            state, t_ours, n_ours = ours()
            _, t_nofx, _ = ours(with_fx=False)
            assert len(state.tracks) == N_TRACKS and [t[0] for t in naive] == [t.name for t in state.tracks]
            assert [t[0] for t in batched] == [t[0] for t in naive]
            print(f"reading {N_TRACKS} tracks (names, selection, volume, items, FX) at 30 Hz defer pacing")
            print(f"  reference (reapy objects): {n_naive:5d} round trips  {t_naive:7.3f} s")
            print(f"  reference (reapy objects inside reapy.inside_reaper()): {n_batched:3d} round trips  "
                  f"{t_batched:7.3f} s")
            print(f"  ours (ReapyHost.read_state, median of 5): {n_ours:3d} round trips  {t_ours:7.3f} s; "
                  f"without FX (no state chunk per track) {t_nofx:7.3f} s")
            print(f"  ratio reference/ours: {t_naive / t_ours:6.1f}x time, {n_naive / max(1, n_ours):6.1f}x round trips; "
                  f"inside_reaper/ours {t_batched / t_ours:5.2f}x time")
        finally:
            emu.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
