"""Soak the bridge: 10,000 requests from 4 concurrent clients with random faults, loopback only.

Run: ``python bench/bench_bridge_soak.py [--requests N] [--clients K] [--seed S] [--defer-hz H]``.
Starts the emulated REAPER with the *installed* start-up (so reaper-assist's bridge) and runs K
client threads until N requests were sent in total (bounded: also stops after ``--max-seconds``).
Each client keeps a counter in the project's ExtState and, at random, either

* commits one change: HOLD, Undo_BeginBlock2, read counter, write counter+1, Undo_EndBlock2, RELEASE;
* starts the same change on a second connection and vanishes (RST) after writing: must be undone;
* sends a fault: builtins.eval, malformed JSON, an unknown function, an unencodable result, an
  exception, an oversized frame header, a zero-length frame, a silent HOLD it abandons;
* or reads (CountTracks).

At the end every counter must equal the number of changes its client saw committed: zero lost,
zero duplicated. Prints one JSON report (also the bridge's own counters).
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "bridge"))

from bridge_helpers import BridgeEmulator, RawClient  # noqa: E402

API = "reapy.reascript_api"


class Counter:
    def __init__(self):
        self.n = 0
        self.lock = threading.Lock()

    def take(self, k: int = 1) -> None:
        with self.lock:
            self.n += k


def run_client(k: int, emu: BridgeEmulator, total: Counter, budget: int, rng: random.Random, out: dict,
               stop_at: float) -> None:
    key = f"c{k}"
    committed = vanished = faults = reads = 0
    recoveries: list[float] = []
    c = RawClient(emu.bridge_port)
    c.authenticate(emu.config.token)

    def req(client, fn, *args):
        total.take()
        return client.request(fn, *args) if fn in ("HOLD", "RELEASE") else client.call(API, fn, *args)

    def change(client) -> int:
        assert req(client, "HOLD")["type"] == "result"
        req(client, "Undo_BeginBlock2", 0)
        raw = req(client, "GetProjExtState", 0, "soak", key, "", 64)["value"][4]
        v = int(raw or 0)
        assert req(client, "SetProjExtState", 0, "soak", key, str(v + 1))["type"] == "result"
        return v

    while total.n < budget and time.monotonic() < stop_at:
        roll = rng.random()
        if roll < 0.45:
            change(c)
            req(c, "Undo_EndBlock2", 0, f"soak {key}", -1)
            assert req(c, "RELEASE")["type"] == "result"
            committed += 1
        elif roll < 0.55:
            v = RawClient(emu.bridge_port)
            change(v)
            v.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
            v.sock.close()  # vanish holding, with a written but uncommitted change
            vanished += 1
            t0 = time.perf_counter()
            assert req(c, "CountTracks", 0)["type"] == "result"
            recoveries.append(time.perf_counter() - t0)
        elif roll < 0.80:
            f = RawClient(emu.bridge_port)
            kind = rng.randrange(8)
            total.take()
            try:
                if kind == 0:
                    r = f.call("builtins", "eval", "6*7")
                    assert r["type"] == "error"
                elif kind == 1:
                    f.send_frame(b'{"function": ')
                    assert json.loads(f.recv_frame())["type"] == "error"
                elif kind == 2:
                    assert f.call(API, "NoSuchFunction")["type"] == "error"
                elif kind == 3:
                    f.authenticate(emu.config.token)
                    assert f.call("reaper_assist.emulator.control", "_reaper")["type"] == "error"
                elif kind == 4:
                    assert f.call(API, "GetTrack", "x", "y", "z")["type"] == "error"
                elif kind == 5:
                    f.sock.sendall((1 << 40).to_bytes(8, "little"))
                    assert json.loads(f.recv_frame())["type"] == "error"
                elif kind == 6:
                    f.sock.sendall(b"\0" * 8)
                else:
                    f.request("HOLD")  # and walk away without RELEASE (closing the socket)
            finally:
                f.close()
            faults += 1
            t0 = time.perf_counter()
            assert req(c, "CountTracks", 0)["type"] == "result"
            recoveries.append(time.perf_counter() - t0)
        else:
            assert req(c, "CountTracks", 0)["value"] == 1
            reads += 1
    final = int(c.call(API, "GetProjExtState", 0, "soak", key, "", 64)["value"][4] or 0)
    c.close()
    out[key] = {"committed": committed, "vanished_mid_change": vanished, "faults": faults, "reads": reads,
                "final_counter": final, "lost": max(0, committed - final), "duplicated": max(0, final - committed),
                "max_recovery_ms": round(1000 * max(recoveries, default=0.0), 2)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=10_000)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--seed", type=int, default=6)
    ap.add_argument("--defer-hz", type=float, default=1000.0)
    ap.add_argument("--max-seconds", type=float, default=300.0)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        emu = BridgeEmulator(Path(tmp), defer_hz=args.defer_hz)
        try:
            total, out = Counter(), {}
            t0 = time.perf_counter()
            stop_at = time.monotonic() + args.max_seconds
            threads = [threading.Thread(target=run_client, args=(k, emu, total, args.requests,
                                                                 random.Random(args.seed * 100 + k), out, stop_at))
                       for k in range(args.clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            seconds = time.perf_counter() - t0
            c = RawClient(emu.bridge_port)
            c.authenticate(emu.config.token)
            bridge = c.call("reaper_assist.bridge.start", "stats")["value"]
            c.close()
        finally:
            code = emu.stop()
    report = {"requests": total.n, "clients": args.clients, "seconds": round(seconds, 2),
              "requests_per_s": round(total.n / seconds, 1), "defer_hz": args.defer_hz, "seed": args.seed,
              "lost": sum(v["lost"] for v in out.values()), "duplicated": sum(v["duplicated"] for v in out.values()),
              "clients_report": out, "bridge": bridge, "emulator_exit": code}
    print(json.dumps(report, indent=1))
    ok = (len(out) == args.clients and report["lost"] == 0 and report["duplicated"] == 0
          and total.n >= args.requests)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
