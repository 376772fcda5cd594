"""Action "Match reference": the master's tonal balance and loudness brought toward one or more
reference files, with a tagged ReaEQ ("RA Match", at most 8 shelves and peaks) and a tagged gain
stage ("RA Match Gain", JS Volume) at the end of the master's FX chain. No limiter is added.

read the master -> the master mix rendered to a file without our two plugins (the user's FX
count) -> mid/side long-term spectra over the loudest pieces of the mix and of each reference
-> the difference fitted with the bands (x amount) -> trial dry-run renders with the EQ and the
gain in place until the master reads the references' integrated loudness (as app/master.py
does) -> ONE undo block -> ``last_run`` record with the fit, its residual and the pieces chosen.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from reaper_assist.analysis.loudness import measure_loudness
from reaper_assist.analysis.reference_tone import ToneProfile, tone_profile
from reaper_assist.app.master_chain import gain_step, render_stats, without_ours
from reaper_assist.app.our_fx import our_fx
from reaper_assist.app.records import clean, error_record, record_for_plan, write_record
from reaper_assist.app.run_action import load_settings
from reaper_assist.errors import ParameterError, ReaperAssistError
from reaper_assist.host import realize
from reaper_assist.host.base import FXState, ProjectState, TrackState
from reaper_assist.media.reference_file import Reference, read_reference, take_render
from reaper_assist.rules import mastering
from reaper_assist.rules import reference_match as rule
from reaper_assist.rules.plan import Plan, TrackDecision
from reaper_assist.rules.steps import BandValue, Step, TaggedPlugin

ACTION = "match-reference"
EQ_TAG, EQ_RENAME = "match-reference", "RA Match"
GAIN_TAG, GAIN_RENAME = "match-reference-gain", "RA Match Gain"
TOLERANCE_LU = 0.3  # issue 17: loudness within 0.3 LU of the reference


def _references(raw: dict[str, Any], rate: int) -> list[Reference]:
    refs = raw.get("reference")
    paths = [refs] if isinstance(refs, str) else list(refs or [])
    if not paths:
        raise ParameterError("match-reference needs --reference FILE (one or more)")
    return [read_reference(str(p), rate) for p in paths]


def _grid_db(profile: ToneProfile, grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return (rule.smoothed_on_grid(profile.freqs_hz, profile.mid_db, grid),
            rule.smoothed_on_grid(profile.freqs_hz, profile.side_db, grid))


def _eq_step(master: TrackState, eq: FXState | None, fit: rule.ToneFit, reason: str) -> TaggedPlugin:
    bands = tuple(BandValue(k, b.band_type, True, b.freq_hz, b.gain_db, b.bw_oct, dict(b.evidence))
                  for k, b in enumerate(fit.bands))
    idle = tuple(BandValue(k, rule.BAND, False, 1000.0, 0.0, 1.0) for k in range(len(bands), rule.MAX_BANDS))
    return TaggedPlugin(track_guid=master.guid, track_name=master.name, reason=reason, evidence=fit.to_json(),
                        plugin="reaeq", rename=EQ_RENAME, tag=EQ_TAG, position=-1,
                        existing_guid=eq.guid if eq is not None else None, bands=bands + idle)


class _Match:
    """One run's measurements and the steps they lead to."""

    def __init__(self, host, state: ProjectState, raw: dict[str, Any]):
        self.host = host
        self.aspects = rule.parse_aspects(raw.get("aspects"))
        self.amount = rule.parse_amount(raw.get("amount"))
        self.state = state
        self.refs = _references(raw, state.sample_rate)
        self._reread(state)

    def _reread(self, state: ProjectState | None = None) -> None:
        self.state = state or self.host.read_state(master=True)
        self.master = self.state.tracks[0]
        self.eq, self.gain = our_fx(self.master, EQ_TAG), our_fx(self.master, GAIN_TAG)

    def measure_mix(self) -> None:
        ours = [f for f in (self.eq, self.gain) if f is not None]
        pre_ops = without_ours(self.state, self.master, ours)
        audio, rate = take_render(self.host.master_render_file(pre_ops or None))
        if pre_ops:
            self._reread()
        self.mix_lufs = measure_loudness(audio, rate, true_peak=False).integrated_lufs
        if not math.isfinite(self.mix_lufs):
            raise ReaperAssistError("the master is silent (its render measured -inf LUFS): nothing to match; "
                                    "unmute the tracks or add audio first")
        self.mix_tone = tone_profile(audio, rate, name="master")

    def fit(self) -> None:
        grid = rule.fit_grid()
        self.ref_tones = [tone_profile(r.audio, r.sample_rate, name=r.name) for r in self.refs]
        ref = [_grid_db(t, grid) for t in self.ref_tones]
        ref_mid = np.mean([m for m, _ in ref], axis=0)
        ref_side = np.mean([s for _, s in ref], axis=0)
        mix_mid, mix_side = _grid_db(self.mix_tone, grid)
        diff = ref_mid - mix_mid
        self.target = diff - diff.mean()
        side = ref_side - mix_side
        self.side_diff_db = float(np.mean(np.abs((side - side.mean()))))
        self.tone = rule.fit_bands(self.target, grid, self.state.sample_rate, amount=self.amount)
        self.target_lufs = float(np.mean([r.integrated_lufs for r in self.refs]))

    def steps(self, gain_db: float | None) -> list[Step]:
        reason = (f"match {', '.join(r.name for r in self.refs)} at {self.amount * 100:g} %: "
                  f"{', '.join(self.aspects)}")
        out: list[Step] = []
        if "tone" in self.aspects:
            out.append(_eq_step(self.master, self.eq, self.tone, reason))
        if gain_db is not None:
            ev = {"target_lufs": self.target_lufs, "mix_lufs": self.mix_lufs}
            out.append(gain_step(self.master, self.gain, gain_db, tag=GAIN_TAG, rename=GAIN_RENAME, reason=reason,
                                 evidence=ev))
        return out

    def loudness(self) -> tuple[float | None, mastering.MasterStats]:
        """The gain that brings the master to the references' loudness, from trial renders."""
        if "loudness" not in self.aspects:
            trial = realize.ops(realize.realize(self.state, self.steps(None)))
            st = render_stats(self.host, trial)
            if trial:
                self._reread()
            return None, st
        g = self.amount * (self.target_lufs - self.mix_lufs)
        goal = self.mix_lufs + g
        for i in range(mastering.MAX_RENDERS):
            trial = realize.ops(realize.realize(self.state, self.steps(g)))
            st = render_stats(self.host, trial)
            if trial:
                self._reread()
            if abs(goal - st.integrated_lufs) <= mastering.CONVERGED_LU or i == mastering.MAX_RENDERS - 1:
                break
            g += goal - st.integrated_lufs
        if abs(goal - st.integrated_lufs) > TOLERANCE_LU:
            raise ReaperAssistError(f"after {mastering.MAX_RENDERS} dry-run renders the master reads "
                                    f"{st.integrated_lufs:.2f} LUFS, not {goal:.2f}: nothing was changed")
        return g, st

    def report(self, st: mastering.MasterStats, gain_db: float | None) -> dict[str, Any]:
        return clean({
            "references": [{"file": r.path, "integrated_lufs": r.integrated_lufs, "seconds": r.seconds,
                            **t.to_json()} for r, t in zip(self.refs, self.ref_tones, strict=True)],
            "mix": {"integrated_lufs": self.mix_lufs, **self.mix_tone.to_json()},
            "amount": self.amount * 100, "aspects": list(self.aspects), "tone": self.tone.to_json(),
            "side_difference_mean_abs_db": self.side_diff_db, "target_lufs": self.target_lufs,
            "gain_db": gain_db, "after": st.to_json(),
            "segments": "the loudest pieces: each file cut into equal pieces of up to 3 s, the pieces whose mid "
                        "RMS is at or above the quadratic mean of all pieces' RMS (as Matchering chooses them); "
                        "loudness is the whole file's integrated loudness (BS.1770 gating leaves quiet parts out)",
            "bands": [{"type": b.band_type, "freq_hz": b.freq_hz, "gain_db": b.gain_db, "bw_oct": b.bw_oct}
                      for b in self.tone.bands]}, 2)


def _figures(rep: dict[str, Any]) -> str:
    t = rep["tone"]
    return (f"{t['bands']} bands, spectral difference {t['difference_mean_abs_db']} dB -> "
            f"{t['predicted_mean_abs_after_db']} dB predicted (fit residual {t['residual_rms_db']} dB RMS), "
            f"master {rep['after']['integrated_lufs']} LUFS for the reference's {rep['target_lufs']} LUFS")


def run(host, *, track_guids: list[str] | None = None, selected: bool = True, options: dict[str, Any] | None = None,
        dry_run: bool = False) -> dict[str, Any]:
    """Match the master to the references; returns the ``last_run`` record (written into the
    project unless dry run)."""
    try:
        if track_guids:
            raise ParameterError("match-reference acts on the master track (--master); matching single tracks "
                                 "is not available yet")
        raw = load_settings(host, ACTION, options)
        state = host.read_state(master=True)
        if not state.tracks:
            raise ReaperAssistError("the project has no master track to read")
        m = _Match(host, state, raw)
        m.measure_mix()
        m.fit()
        gain_db, st = m.loudness()
        steps = m.steps(gain_db)
        rep = m.report(st, gain_db)
        writes = realize.realize(m.state, steps)
        status = "changed" if writes else "at target"
        d = TrackDecision(m.master.guid, m.master.name, status, m.mix_lufs, st.integrated_lufs,
                          gain_db or 0.0, steps[0].reason if steps else "nothing asked",
                          {k: rep[k] for k in ("tone", "target_lufs", "gain_db", "side_difference_mean_abs_db")})
        undo = f"reaper-assist: Match reference ({m.amount * 100:g} %)"
        p = Plan(ACTION, undo, tuple(steps), (d,), {"amount": m.amount * 100, "aspects": list(m.aspects),
                                                   "reference": [r.path for r in m.refs]})
        if writes and not dry_run:
            host.apply(realize.ops(writes), undo)
        record = record_for_plan(p, writes, dry_run=dry_run)
        record["reference"] = rep
        record["message"] += "; " + _figures(rep)
        record["time"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    except ReaperAssistError as exc:
        record = error_record(ACTION, str(exc))
    if not dry_run:
        write_record(host, record)
    return record
