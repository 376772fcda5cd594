"""A local attacker without the token, against reaper-assist's bridge (standard library only: it is
run as another user too, by a Python that may not see this repository's packages).

Usage: ``attacker.py TARGET MODE [ARGS...]`` with TARGET ``unix:<socket path>`` or ``tcp:<port>``:

* ``attacks CANARY SCRIPT REPLAY_JSON``: every crafted request of :data:`ATTACKS`, one connection
  each; prints ``{name: outcome}`` as JSON. An outcome is ``"connect refused: <error>"``,
  ``"closed"`` (the bridge closed the connection without answering), ``"closed after <s> s"``
  (for the slow ones), or ``"ANSWERED: <bytes>"`` (what must never happen).
* ``idle N SECONDS``: keep N connections open without a word, reopening any the bridge closes.
* ``flood N SECONDS``: open, drop and reopen N connections as fast as possible.
* ``bigframes N SECONDS``: N connections each announcing a 16 MiB frame and streaming bytes.
Each mode prints a JSON summary (connections made, closed by the bridge, bytes sent).
"""

import json
import os
import secrets
import socket
import sys
import time

NONCE = "0123456789abcdef0123456789abcdef"


def connect(target, timeout=3.0):
    kind, _, where = target.partition(":")
    if kind == "unix":
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect(where)
        except OSError:
            s.close()
            raise
        return s
    return socket.create_connection(("127.0.0.1", int(where)), timeout=timeout)


def frame(payload):
    if isinstance(payload, (dict, list)):
        payload = json.dumps(payload).encode()
    return len(payload).to_bytes(8, "little") + payload


def reapy_call(module, name, *args):
    return {"function": {"__callable__": True, "module_name": module, "name": name},
            "input": {"args": list(args), "kwargs": {}}}


def outcome(s, wait=3.0):
    """What the bridge does next: close (good) or answer (never)."""
    s.settimeout(wait)
    t0 = time.monotonic()
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except (ConnectionResetError, BrokenPipeError):
        pass
    except TimeoutError:
        return f"ANSWERED: nothing, and still open after {wait:.1f} s" if not data else f"ANSWERED: {data[:200]!r}"
    if data:
        return f"ANSWERED: {data[:200]!r}"
    elapsed = time.monotonic() - t0
    return "closed" if elapsed < 0.5 else f"closed after {elapsed:.1f} s"


def greeting(s):
    n = int.from_bytes(recv_exact(s, 8), "little")
    return json.loads(recv_exact(s, n))


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise ConnectionResetError("closed")
        buf += chunk
    return buf


def attack_list(canary, script, replay):
    a = {}
    # python-reapy's protocol, as the attacks were sent to the old bridge
    token_ref = {"__callable__": True, "module_name": "reaper_assist.bridge.start", "name": "_SERVER.token"}
    a["token_read_via_callable"] = frame({"function": token_ref, "input": {"args": [], "kwargs": {}}})
    a["token_read_via_reapy_json_loads"] = frame(reapy_call("reapy.tools.json", "loads", json.dumps(token_ref)))
    a["AddRemoveReaScript"] = frame(reapy_call("reapy.reascript_api", "AddRemoveReaScript", True, 0, script, True))
    a["Main_OnCommand"] = frame(reapy_call("reapy.reascript_api", "Main_OnCommand", 40026, 0))
    a["NamedCommandLookup_then_run"] = frame(reapy_call("reapy.reascript_api", "NamedCommandLookup", "_RS_pwned"))
    a["Deferrer_wrapped_open_truncates"] = frame(
        reapy_call("reapy.core.reaper.defer", "Deferrer._wrapped_open", canary, "w"))
    a["Main_SaveProjectEx_anywhere"] = frame(reapy_call("reapy.reascript_api", "Main_SaveProjectEx", 0, canary, 0))
    a["reapy_config_add_reascript"] = frame(
        reapy_call("reapy.config.config", "add_reascript", os.path.dirname(canary), script))
    a["SetExtState_server_port_redirect"] = frame(
        reapy_call("reapy.reascript_api", "SetExtState", "reapy", "server_port", "1", True))
    a["builtins_eval"] = frame(reapy_call("builtins", "eval", "6*7"))
    a["os_system"] = frame(reapy_call("os", "system", "touch " + canary + ".pwned"))
    a["emulator_save_project"] = frame(reapy_call("reaper_assist.emulator.control", "save_project", canary))
    a["emulator_load_project"] = frame(reapy_call("reaper_assist.emulator.control", "load_project", canary))
    a["old_txn_begin"] = frame(reapy_call("reaper_assist.bridge.txn", "begin", [], "x"))
    a["reapy_HOLD"] = frame({"function": "HOLD", "input": None})
    a["old_RA_HELLO"] = frame({"function": "RA_HELLO", "input": None})
    a["old_RA_AUTH"] = frame({"function": "RA_AUTH", "input": {"args": ["0" * 64], "kwargs": {}}})
    a["reapy_object"] = frame({"function": "x", "input": {"args": [{"__reapy__": True, "class": "Project",
                                                                    "args": [], "kwargs": {}}], "kwargs": {}}})
    # the bridge's own operations, without the handshake
    a["op_read_state"] = frame({"op": "read_state", "args": {}})
    a["op_save_copy"] = frame({"op": "save_copy", "args": {}})
    a["op_txn_begin"] = frame({"op": "txn_begin", "args": {"ops": [], "undo_name": "x"}})
    a["op_set_proj_ext"] = frame({"op": "set_proj_ext", "args": {"section": "a", "key": "b", "value": "pwned"}})
    a["op_console"] = frame({"op": "console", "args": {"text": "pwned"}})
    a["op_stats"] = frame({"op": "stats", "args": {}})
    a["op_HOLD"] = frame({"op": "HOLD", "args": {}})
    a["op_calibrate_sweep"] = frame({"op": "calibrate_sweep", "args": {"plan": []}})
    # forged handshakes
    a["proof_random"] = lambda g: frame({"nonce": NONCE, "proof": secrets.token_hex(32)})
    a["proof_empty_token"] = "empty"  # computed below: HMAC with an empty key
    a["proof_guessed_token"] = "guess"
    a["proof_missing"] = lambda g: frame({"nonce": NONCE})
    a["nonce_not_hex"] = lambda g: frame({"nonce": "z" * 32, "proof": "0" * 64})
    a["proof_as_list"] = lambda g: frame({"nonce": NONCE, "proof": ["0" * 64]})
    a["server_nonce_echoed"] = lambda g: frame({"nonce": g["nonce"], "proof": "0" * 64})
    a["replayed_proof_of_another_connection"] = lambda g: frame(replay)
    a["proof_NaN"] = lambda g: frame(b'{"nonce": NaN, "proof": Infinity}')
    a["bad_proof_then_pipelined_op"] = lambda g: (frame({"nonce": NONCE, "proof": "0" * 64})
                                                  + frame({"op": "console", "args": {"text": "pwned"}}))
    # framing abuse
    a["frame_header_2_pow_40"] = (1 << 40).to_bytes(8, "little")
    a["frame_16MiB_with_data"] = (16 << 20).to_bytes(8, "little") + b"x" * (1 << 20)
    a["frame_513_bytes"] = frame(b"{" + b" " * 511 + b"}")
    a["frame_zero_length"] = b"\0" * 8
    a["frame_not_utf8"] = frame(b"\xff\xfe\x00garbage")
    a["frame_deep_json"] = frame(b"[" * 250 + b"]" * 250)
    a["garbage_4096_bytes"] = bytes(range(256)) * 16
    a["half_a_header_then_silence"] = ("slow", b"\x05\0\0")
    a["idle_after_greeting"] = ("slow", b"")
    a["one_byte_every_0_3_s"] = ("drip", b"\x10\0\0\0\0\0\0\0" + b"{" * 16)
    return a


def run_attacks(target, canary, script, replay_path):
    with open(replay_path, encoding="utf-8") as f:
        replay = json.load(f)
    out = {}
    for name, payload in attack_list(canary, script, replay).items():
        try:
            s = connect(target)
        except OSError as exc:
            out[name] = f"connect refused: {type(exc).__name__}"
            continue
        try:
            g = greeting(s)
            if payload in ("empty", "guess"):
                import hashlib
                import hmac

                key = b"" if payload == "empty" else b"0" * 32
                msg = "\0".join(("client", g["nonce"], NONCE, "unix:" + target.partition(":")[2])).encode()
                payload = frame({"nonce": NONCE, "proof": hmac.new(key, msg, hashlib.sha256).hexdigest()})
            if callable(payload):
                payload = payload(g)
            if isinstance(payload, tuple):
                mode, data = payload
                if mode == "drip":
                    t0 = time.monotonic()
                    try:
                        for b in data:
                            s.sendall(bytes([b]))
                            time.sleep(0.3)
                        out[name] = "ANSWERED: nothing, and still open after the drip"
                    except OSError:
                        out[name] = "closed after %.1f s" % (time.monotonic() - t0)
                    continue
                s.sendall(data)
                out[name] = outcome(s, wait=4.0)
                continue
            try:
                s.sendall(payload)
            except OSError:
                out[name] = "closed"
                continue
            out[name] = outcome(s)
        except (OSError, ValueError) as exc:
            out[name] = f"closed ({type(exc).__name__})"
        finally:
            s.close()
    return out


def hold_open(target, n, seconds, kind):
    made = closed = sent = refused = 0
    socks = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        while len(socks) < n:
            try:
                s = connect(target, timeout=1.0)
            except OSError:
                refused += 1
                time.sleep(0.01)
                break
            made += 1
            s.setblocking(False)
            if kind == "bigframes":
                try:
                    s.send((16 << 20).to_bytes(8, "little"))
                except OSError:
                    pass
            socks.append(s)
        alive = []
        for s in socks:
            try:
                if kind == "flood":
                    raise OSError("drop")
                if kind == "bigframes":
                    sent += s.send(b"x" * 65536)
                data = s.recv(65536)
                if data == b"":
                    raise OSError("closed")
                alive.append(s)  # the greeting
            except (BlockingIOError, InterruptedError):
                alive.append(s)
            except OSError as exc:
                if str(exc) != "drop":
                    closed += 1
                s.close()
        socks = alive
        time.sleep(0.002 if kind == "flood" else 0.05)
    for s in socks:
        s.close()
    return {"made": made, "closed_by_bridge": closed, "bytes_sent": sent, "connect_refused": refused}


def main(argv):
    target, mode = argv[0], argv[1]
    if mode == "attacks":
        result = run_attacks(target, *argv[2:5])
    else:
        result = hold_open(target, int(argv[2]), float(argv[3]), mode)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
