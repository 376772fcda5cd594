"""Soak the bridge: 10,000 requests from 4 concurrent clients with random faults, through the
transaction path.

Run: ``python bench/bench_bridge_soak.py [--requests N] [--clients K] [--seed S] [--defer-hz H]``.
Starts the emulated REAPER with the *installed* start-up (so reaper-assist's bridge) and runs K
client threads until N requests were sent in total (bounded: also stops after ``--max-seconds``).
Each client keeps, in the project's ExtState ``soak/c<k>``, the JSON list of the ids of the changes
that were applied, and at random

* commits a change: HOLD, get_proj_ext, txn_begin([proj_ext: list + [id]]), txn_steps, txn_commit,
  RELEASE (the change is *committed*: it must be in the list exactly once);
* makes the same change on a second connection and drops it (RST) right after sending txn_commit
  (0, 0.5 or 2 ms after), without reading the reply (*uncertain*: in the list at most once,
  whichever way it went; the report counts how many were applied);
* makes the change on a second connection and vanishes after txn_steps (*aborted*: never in it);
* sends a fault: a forged handshake, garbage, an oversized or zero-length frame, an unknown
  operation, wrong arguments, a step of a transaction that does not exist, a HOLD it abandons;
* or reads (current_project).

At the end the lists are read back: ``lost`` (committed ids missing), ``duplicated`` (ids present
more than once) and ``resurrected`` (aborted ids present) are counted separately, so they cannot net
out. Prints one JSON report (also the bridge's own counters); exit status 1 unless all are 0.
"""

from __future__ import annotations

import argparse
import collections
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

from bridge_helpers import BridgeEmulator, RawClient

from reaper_assist.bridge import wire

SECTION = "soak"


class Counter:
    def __init__(self):
        self.n = 0
        self.lock = threading.Lock()

    def take(self, k: int = 1) -> None:
        with self.lock:
            self.n += k


def rst_close(c: RawClient) -> None:
    c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
    c.sock.close()


def run_client(k: int, emu: BridgeEmulator, total: Counter, budget: int, rng: random.Random, out: dict,
               stop_at: float) -> None:
    key = f"c{k}"
    ids = {"committed": [], "uncertain": [], "aborted": []}
    faults = reads = 0
    recoveries: list[float] = []
    serial = 0

    def connect() -> RawClient:
        c = RawClient(emu)
        c.handshake(emu.config.token)
        return c

    def req(client: RawClient, op: str, **args):
        total.take()
        r = client.request(op, **args)
        assert r["type"] == "result", (op, r)
        return r["value"]

    def begin_change(client: RawClient) -> tuple[str, str]:
        nonlocal serial
        serial += 1
        cid = f"{key}-{serial}"
        req(client, "HOLD")
        current = json.loads(req(client, "get_proj_ext", section=SECTION, key=key) or "[]")
        op = {"op": "proj_ext", "section": SECTION, "key": key, "value": json.dumps(current + [cid])}
        tid = req(client, "txn_begin", ops=[op], undo_name=f"soak {cid}")
        req(client, "txn_steps", tid=tid, start=0, stop=1)
        return cid, tid

    def probe() -> None:
        t0 = time.perf_counter()
        req(c, "current_project")
        recoveries.append(time.perf_counter() - t0)

    c = connect()
    while total.n < budget and time.monotonic() < stop_at:
        roll = rng.random()
        if roll < 0.40:
            cid, tid = begin_change(c)
            req(c, "txn_commit", tid=tid)
            req(c, "RELEASE")
            ids["committed"].append(cid)
        elif roll < 0.50:
            v = connect()
            cid, tid = begin_change(v)
            total.take()
            v.send_frame(wire.encode_request("txn_commit", {"tid": tid}))
            time.sleep(rng.choice((0.0, 0.0005, 0.002)))  # so that the bridge sometimes reads it first
            rst_close(v)  # dropped right after sending the commit: did it happen? either way, once
            ids["uncertain"].append(cid)
            probe()
        elif roll < 0.60:
            v = connect()
            cid, _tid = begin_change(v)
            rst_close(v)  # vanished holding, with a written but uncommitted change
            ids["aborted"].append(cid)
            probe()
        elif roll < 0.80:
            kind = rng.randrange(8)
            total.take()
            f = RawClient(emu)
            try:
                if kind == 0:
                    f.send_frame(json.dumps({"nonce": "0" * 32, "proof": "0" * 64}).encode())
                    assert f.closed_by_peer()
                elif kind == 1:
                    f.sock.sendall(bytes(rng.randrange(256) for _ in range(600)))
                    assert f.closed_by_peer()
                elif kind in (2, 3, 4, 5):
                    f.handshake(emu.config.token)
                    if kind == 2:
                        assert f.request("Main_OnCommand", command=40026)["type"] == "error"
                    elif kind == 3:
                        assert f.request("set_proj_ext", section=SECTION, key=key, value=7)["type"] == "error"
                    elif kind == 4:
                        assert f.request("txn_steps", tid="nope", start=0, stop=1)["type"] == "error"
                    else:
                        f.sock.sendall((1 << 40).to_bytes(8, "little"))
                        assert json.loads(f.recv_frame())["type"] == "error"
                elif kind == 6:
                    f.sock.sendall(b"\0" * 8)
                    assert f.closed_by_peer()
                else:
                    f.handshake(emu.config.token)
                    f.request("HOLD")  # and walk away without RELEASE
            finally:
                f.close()
            faults += 1
            probe()
        else:
            req(c, "current_project")
            reads += 1
    final = json.loads(req(c, "get_proj_ext", section=SECTION, key=key) or "[]")
    c.close()
    seen = collections.Counter(final)
    out[key] = {
        "committed": len(ids["committed"]), "dropped_after_commit": len(ids["uncertain"]),
        "dropped_after_commit_applied": sum(1 for i in ids["uncertain"] if seen[i]),
        "vanished_mid_change": len(ids["aborted"]), "faults": faults, "reads": reads,
        "lost": sum(1 for i in ids["committed"] if not seen[i]),
        "duplicated": sum(n - 1 for n in seen.values() if n > 1),
        "resurrected": sum(1 for i in ids["aborted"] if seen[i]),
        "unknown": sum(1 for i in seen if i not in set().union(*ids.values())),
        "max_recovery_ms": round(1000 * max(recoveries, default=0.0), 2),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=10_000)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--seed", type=int, default=6)
    ap.add_argument("--defer-hz", type=float, default=1000.0)
    ap.add_argument("--max-seconds", type=float, default=300.0)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        emu = BridgeEmulator(Path(tmp), defer_hz=args.defer_hz, reapy_server=False)
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
            c = RawClient(emu)
            c.handshake(emu.config.token)
            bridge = c.request("stats")["value"]
            c.close()
        finally:
            code = emu.stop()
    sums = {k: sum(v[k] for v in out.values()) for k in ("committed", "dropped_after_commit",
                                                          "dropped_after_commit_applied", "vanished_mid_change",
                                                          "faults", "lost", "duplicated", "resurrected", "unknown")}
    report = {"requests": total.n, "clients": args.clients, "seconds": round(seconds, 2),
              "requests_per_s": round(total.n / seconds, 1), "defer_hz": args.defer_hz, "seed": args.seed,
              **sums, "max_recovery_ms": max((v["max_recovery_ms"] for v in out.values()), default=0.0),
              "clients_report": out, "bridge": bridge, "emulator_exit": code}
    print(json.dumps(report, indent=1))
    ok = (len(out) == args.clients and total.n >= args.requests
          and sums["lost"] == sums["duplicated"] == sums["resurrected"] == sums["unknown"] == 0)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
