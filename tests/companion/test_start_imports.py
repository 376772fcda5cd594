"""What a cold gain-stage press imports (issue 20: the companion's start is part of the press).

scipy.signal and scipy.stats cost 1-2.5 s of a fresh process and the gain-stage measurement does
not use them (the compiled meter replaces sosfilt): the companion's modules and the action must
not import them. Checked in a fresh interpreter, which is what a press starts.
"""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("scipy.signal", "scipy.stats", "librosa", "matplotlib")


def test_the_companion_and_gain_stage_import_no_scipy_signal_or_stats():
    code = ("import sys\n"
            "import reaper_assist.companion.cli, reaper_assist.companion.server, reaper_assist.app.gain_stage\n"
            "import reaper_assist.app.registry as r\n"
            "r.resolve('gain-stage')\n"
            f"print([m for m in {HEAVY!r} if m in sys.modules])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_the_analysis_package_still_gives_its_names():
    from reaper_assist import analysis
    from reaper_assist.analysis import track

    assert analysis.analyze_track is track.analyze_track
    assert analysis.TrackAnalysis is track.TrackAnalysis
