"""The figures of docs/master.md: each mix of the test material mastered for each platform of the
tests, measured independently (pyloudnorm; 4x resample_poly true peak) on the emulator's render.

    PYTHONPATH=$PWD python tests/master/master_numbers.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from master_material import build, integrated_lufs, render_file, true_peak_dbtp

from reaper_assist.app.registry import run_action
from reaper_assist.host.inprocess import InProcessHost


def main() -> None:
    print("| mix (LUFS) | platform | result LUFS | true peak dBTP (4x) | limiter max GR dB | renders |")
    print("|---|---|---|---|---|---|")
    for mix in (-30.0, -20.0, -9.0):
        for platform in ("spotify", "apple", "ebu-r128"):
            tmp = Path(tempfile.mkdtemp())
            host = InProcessHost.open(str(build(tmp, mix)))
            rec = run_action("master", host, options={"platform": platform})
            if rec["status"] != "ok":
                print(f"| {mix:g} | {platform} | refused: {rec['message']} | | | |")
                continue
            host.save(str(tmp / "out.rpp"))
            audio = render_file(tmp / "out.rpp")
            m = rec["master"]
            print(f"| {mix:g} | {platform} | {integrated_lufs(audio):.2f} | {true_peak_dbtp(audio):.2f} | "
                  f"{m['limiter_max_gain_reduction_db']:.2f} | {m['renders']} |")


if __name__ == "__main__":
    main()
