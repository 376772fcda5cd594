"""The figures of docs/mix.md: the test band balanced (and panned) through the emulator, every
level measured independently of the product (the emulator's engine renders each track as heard,
pyloudnorm reads it; the fold-down by tests/mix/pan_measure.py).

    PYTHONPATH=$PWD python tests/mix/mix_numbers.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from mix_material import FOCUS, build, build_routed, faders_db, offsets, stems

from reaper_assist.app.registry import run_action
from reaper_assist.host.inprocess import InProcessHost
from reaper_assist.rules.tables import load_table

ROWS = {"Bass": "bass", "Guitar 1": "guitar", "Guitar 2": "guitar", "Piano": "keys", "Strings": "strings",
        "Kick": "kick", "Snare": "snare", "Hats": "hihat"}


def balance_numbers(tmp: Path, st) -> None:
    table = load_table("balance")
    host = InProcessHost.open(str(build(tmp / "a", st)))
    rec = run_action("balance", host, selected=True)
    first = offsets(host.reaper.project, ROWS)
    print("| track | table offset LU | rendered offset LU | error LU |")
    print("|---|---|---|---|")
    for n, off in first.items():
        want = table[ROWS[n]]["offset_lu"]
        print(f"| {n} | {want:+.1f} | {off:+.2f} | {off - want:+.2f} |")
    print(f"focus below the mix: {rec['settings']['focus_below_mix_lu']} LU")
    rng = np.random.default_rng(1512)
    gains = {n: float(rng.uniform(-12, 12)) for n in (FOCUS, *ROWS)}
    h2 = InProcessHost.open(str(build(tmp / "b", st, gains_db=gains)))
    run_action("balance", h2, selected=True)
    second = offsets(h2.reaper.project, ROWS)
    print(f"invariance (random input gains -12..+12 dB, seed 1512): worst difference "
          f"{max(abs(second[n] - first[n]) for n in ROWS):.3f} dB")
    ref = faders_db(host.reaper.project)
    host.save(str(tmp / "c.rpp"))
    h3 = InProcessHost.open(str(tmp / "c.rpp"))
    r = np.random.default_rng(6)
    for t in h3.reaper.project.tracks:
        if t.name in ROWS:
            t.volume *= 10 ** (r.uniform(-6, 6) / 20)
    run_action("balance", h3, selected=True)
    got = faders_db(h3.reaper.project)
    print(f"restore (faders +-6 dB, seed 6): MAE {np.mean([abs(got[n] - ref[n]) for n in ROWS]):.3f} dB")
    again = run_action("balance", h3, selected=True)
    print(f"second run: {len(again['changes'])} changes")


def pan_numbers(tmp: Path, st) -> None:
    from test_auto_pan import _channel_balance, _octave_fold_down_db

    from reaper_assist.emulator.engine.render import render

    host = InProcessHost.open(str(build(tmp / "p", st)))
    rec = run_action("auto-pan", host, selected=True)
    print("| track | pan | rendered (E_R - E_L)/(E_R + E_L) | why |")
    print("|---|---|---|---|")
    for t in rec["tracks"]:
        tr = next(x for x in host.reaper.project.tracks if x.name == t["name"])
        bal = f"{_channel_balance(host, t['name']):+.3f}" if t["status"] != "skipped" else ""
        print(f"| {t['name']} | {tr.pan:+.3f} | {bal} | {t['status']}: {t['reason'].split('; ', 1)[-1]} |")
    loss = _octave_fold_down_db(render(host.reaper.project).audio)
    print("rendered mix, mono fold-down per octave band (dB): " + ", ".join(f"{k} Hz {v:+.2f}" for k, v in loss.items()))
    x = render(host.reaper.project).audio
    print(f"rendered mix channel correlation: {np.corrcoef(x[0], x[1])[0, 1]:+.3f}; the product's estimate: "
          f"{rec['settings']['mono_compatibility']['correlation']:+.3f}, worst band "
          f"{rec['settings']['mono_compatibility']['worst_band_loss_db']:+.2f} dB")
    again = run_action("auto-pan", host, selected=True)
    print(f"second run: {len(again['changes'])} changes")


def compressed_folder_numbers(tmp: Path, st) -> None:
    host = InProcessHost.open(str(build(tmp / "k", st)))
    api = host.api
    drums = api.GetTrack(0, 6)
    api.TrackFX_SetParam(drums, api.TrackFX_AddByName(drums, "ReaComp", False, -1), 0, 0.25)  # -12 dB, 4:1
    rec = run_action("balance", host, selected=True)
    got = offsets(host.reaper.project, ROWS)
    renders = max(t["evidence"].get("trial_renders", 0) for t in rec["tracks"])
    print("ReaComp -12 dB 4:1 on the Drums folder: " + ", ".join(f"{n} {got[n]:+.2f} LU" for n in ("Kick", "Snare", "Hats"))
          + f" ({renders} trial renders)")


def routed_numbers(tmp: Path, st) -> None:
    """The routed band (sends, nested folders): tests/mix/test_balance_routes.py."""
    table = load_table("balance")
    gains = {"Guitar 1": -2.0, "Piano": 5.0}
    host = InProcessHost.open(str(build_routed(tmp / "r", st, gains_db=gains)))
    start = faders_db(host.reaper.project)
    rec = run_action("balance", host, selected=True)
    got = offsets(host.reaper.project, ROWS)
    by = {t["name"]: t for t in rec["tracks"]}
    print("| track | heard through | table offset LU | rendered offset LU | error LU |")
    print("|---|---|---|---|---|")
    for n, off in got.items():
        want = table[ROWS[n]]["offset_lu"]
        print(f"| {n} | {by[n]['evidence'].get('heard_through') or '(itself)'} | {want:+.1f} | {off:+.2f} | {off - want:+.2f} |")
    print(f"focus heard through: {by[FOCUS]['evidence']['heard_through']}")
    print("kept: " + "; ".join(f"{n}: {by[n]['reason']}" for n in by if by[n]["status"] == "skipped"))
    again = run_action("balance", host, selected=True)
    print(f"second run: {len(again['changes'])} changes")
    host.undo()  # the second run made no undo point: this undoes the first
    back = faders_db(host.reaper.project)
    print(f"one undo: worst fader difference to the start {max(abs(back[n] - start[n]) for n in start):.2e} dB")
    h2 = InProcessHost.open(str(build_routed(tmp / "r6", st, gains_db=gains)))
    api = h2.api
    api.TrackFX_SetParam(api.GetTrack(0, 9), 0, 0, -9.0)  # Guitar Bus JS -3 -> -9 dB
    run_action("balance", h2, selected=True)
    h = InProcessHost.open(str(build_routed(tmp / "r1", st, gains_db=gains)))
    run_action("balance", h, selected=True)
    a = faders_db(h.reaper.project)
    b = faders_db(h2.reaper.project)
    print("Guitar Bus JS 6 dB lower (-6.02 dB): fader moves " + ", ".join(
        f"{n} {b[n] - a[n]:+.2f} dB" for n in ("Guitar 1", "Guitar 2", "Bass")))


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    st = stems(tmp / "stems")
    routed_numbers(tmp, st)
    balance_numbers(tmp, st)
    compressed_folder_numbers(tmp, st)
    pan_numbers(tmp, st)


if __name__ == "__main__":
    main()
