"""The master action's rules: the platform table, the settings, the RENDER_STATS text, refusal."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest
from master_material import build

from reaper_assist.errors import InvalidAudioError, ParameterError
from reaper_assist.rules import mastering as M

ISSUE_TABLE = {"spotify": (-14, -1), "apple": (-16, -1), "youtube": (-14, -1), "amazon": (-14, -2),
               "tidal": (-14, -1), "deezer": (-15, -1), "ebu-r128": (-23, -1), "atsc-a85": (-24, -2),
               "podcast": (-16, -1)}


def test_the_shipped_table_holds_the_issues_values():
    t = M.platforms()
    assert {k: (p.lufs, p.tp_dbtp) for k, p in t.items()} == ISSUE_TABLE
    assert t["ebu-r128"].tolerance_lu == 0.2 and t["podcast"].accepted_lu == 1.0


def test_settings_platform_overrides_and_spotifys_ceiling_for_louder_masters():
    s = M.parse_settings({"platform": "spotify"})
    assert (s.target_lufs, s.ceiling_dbtp, s.max_gain_reduction_db) == (-14.0, -1.0, 6.0)
    loud = M.parse_settings({"platform": "spotify", "lufs": -11})
    assert loud.ceiling_dbtp == -2.0  # louder than -14 LUFS: -2 dBTP (Spotify for Artists)
    assert M.parse_settings({"platform": "spotify", "lufs": -11, "tp": -1.5}).ceiling_dbtp == -1.5
    over = M.parse_settings({"platform": "deezer", "platforms": {"deezer": {"lufs": -14.5}}})
    assert over.target_lufs == -14.5
    with pytest.raises(ParameterError, match="custom needs both"):
        M.parse_settings({"platform": "custom", "lufs": -12})
    with pytest.raises(ParameterError, match="unknown platform 'napster'"):
        M.parse_settings({"platform": "napster"})


def test_render_stats_text_true_peak_when_reaper_gives_it():
    st = M.parse_render_stats("FILE:a.wav;LUFSI:-12.50;RMSI:-14.00;TRUEPEAK:-0.70;LUFSMMAX:-9.00;"
                              "LUFSSMAX:-10.20;LRA:5.10;CLIP:0;TRUPEAKCLIP:0;")
    assert (st.integrated_lufs, st.peak_db, st.peak_kind, st.lra_lu, st.max_short_term_lufs) == (
        -12.5, -0.7, "true", 5.1, -10.2)
    assert math.isclose(st.plr_db, 11.8)
    silent = M.parse_render_stats("FILE:a.wav;LUFSI:-inf;RMSI:-inf;PEAK:-inf;LUFSMMAX:-inf;LUFSSMAX:-inf;LRA:0.00;CLIP:0;")
    assert silent.silent and silent.peak_kind == "sample"
    with pytest.raises(InvalidAudioError, match="measured nothing"):
        M.parse_render_stats("")


def test_refusal_names_the_gain_reduction_and_what_is_reachable():
    s = M.parse_settings({"platform": "spotify"})
    pre = M.MasterStats(-24.0, 6.0, -20.0, -18.0, -4.0, "sample")  # PLR 20 dB
    assert M.gain_reduction_db(pre, 10.0, s) == pytest.approx(7.1)  # -4 + 10 - (-1.1)
    why = M.refusal(pre, 10.0, s)
    assert "7.1 dB of gain reduction" in why and "6 dB allowed" in why and "About -15.1 LUFS is reachable" in why
    assert M.refusal(pre, 8.0, s) == ""


def test_headless_command_with_master(tmp_path):
    src = build(tmp_path, -20.0)
    out = tmp_path / "out.rpp"
    r = subprocess.run([sys.executable, "-m", "reaper_assist.cli", "run", "master", "--platform", "apple",
                        "--project", str(src), "--save", str(out), "--master"], capture_output=True, text=True,
                       check=False, timeout=600)
    assert r.returncode == 0, r.stderr + r.stdout
    assert "master for Apple Music (-16.0 LUFS, -1.0 dBTP)" in r.stdout and out.is_file()
    bad = subprocess.run([sys.executable, "-m", "reaper_assist.cli", "run", "gain-stage", "--project", str(src),
                          "--save", str(out), "--master"], capture_output=True, text=True, check=False,
                         timeout=600)
    assert bad.returncode != 0 and "cannot act on the master track" in bad.stderr + bad.stdout


def test_calibrate_checks_the_realimit_curves_the_master_action_relies_on():
    """The ReaLimit curves (threshold, ceiling, release) stay in plugins/uncertain.py and
    `reaper-assist calibrate` reports a REAPER whose ceiling is another curve."""
    from reaper_assist.plugins import SPECS
    from reaper_assist.plugins import uncertain as U
    from reaper_assist.plugins.calibrate import calibrate
    from reaper_assist.plugins.cockos import fmt_db_signed2

    assert {"limit_threshold", "limit_ceiling", "limit_release"} <= set(U.UNCERTAIN)

    class CeilingOver20dB:  # a 'REAPER' whose ReaLimit ceiling is linear over -20..0 dB
        def __init__(self):
            self.states = {k: s.default_state() for k, s in SPECS.items()}

        def format_param_normalized(self, fx_key, param_index, norm):
            spec = SPECS[fx_key].params(self.states[fx_key])[param_index]
            if spec.mapping == "limit_ceiling":
                return fmt_db_signed2(-20.0 + 20.0 * norm)
            return spec.format(spec.from_normalized(norm))

    found = calibrate(CeilingOver20dB(), specs=[SPECS["realimit"]])
    assert found and {m.mapping for m in found} == {"limit_ceiling"}
