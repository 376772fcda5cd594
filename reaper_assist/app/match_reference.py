"""Action "Match reference": the tonal balance, loudness and (when asked) stereo width of the master,
or of a few tracks taken together, brought toward one or more reference files, with a tagged
ReaEQ ("RA Match", at most 8 shelves and peaks), a tagged JS Mid/Side Encoder + Decoder pair
("RA Match Width In" / "RA Match Width": the decoder's Center Level is the mid's gain) and a
tagged gain stage ("RA Match Gain", JS Volume) at the end of each target's FX chain. No limiter.

read the target -> its audio rendered to a file without our plugins (the master mix; for tracks,
the master with only the listed tracks soloed) -> mid/side long-term spectra over the loudest
pieces of the mix and of each reference -> the tone difference fitted with the bands (x amount)
-> width: a second render with the Mid/Side pair at its lowest Center Level splits the mix into
what the Center Level scales and what it leaves, so the side/mid ratio after the EQ is known for
every Center Level -> trial dry-run renders with everything in place until the target reads the
references' integrated loudness (as app/master.py does) -> ONE undo block -> ``last_run`` record.

Tracks are matched as one group (their sum, as heard soloed through the master): each listed
track gets the same EQ, the same Center Level and the same gain, so the tracks keep their balance
and the group takes the reference's tone, width and loudness.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from reaper_assist.analysis.loudness import measure_loudness
from reaper_assist.analysis.reference_tone import ToneProfile, band_mid_side, tone_profile
from reaper_assist.app.master_chain import gain_step, render_stats, solo_alone, target_guids, without_ours
from reaper_assist.app.our_fx import our_fx
from reaper_assist.app.records import clean, error_record, record_for_plan, write_record
from reaper_assist.app.run_action import SETTINGS_EXT, settings_of
from reaper_assist.errors import ParameterError, ReaperAssistError
from reaper_assist.host import realize
from reaper_assist.host.base import FXState, ProjectState, TrackState
from reaper_assist.media.reference_file import Reference, read_reference, take_render
from reaper_assist.plugins.js_midside import center_db, center_slider_for_db
from reaper_assist.rules import mastering
from reaper_assist.rules import reference_match as rule
from reaper_assist.rules.plan import Plan, TrackDecision
from reaper_assist.rules.steps import BandValue, ParamValue, Step, TaggedPlugin

ACTION = "match-reference"
EQ_TAG, EQ_RENAME = "match-reference", "RA Match"
ENC_TAG, ENC_RENAME = "match-reference-width-in", "RA Match Width In"
DEC_TAG, DEC_RENAME = "match-reference-width", "RA Match Width"
GAIN_TAG, GAIN_RENAME = "match-reference-gain", "RA Match Gain"
TAGS = (EQ_TAG, ENC_TAG, DEC_TAG, GAIN_TAG)
SPLIT_SLIDER = -120.0  # the decoder's lowest Center Level: the mid at 2^-20, for the split render
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


def _eq_step(track: TrackState, eq: FXState | None, fit: rule.ToneFit, reason: str) -> TaggedPlugin:
    bands = tuple(BandValue(k, b.band_type, True, b.freq_hz, b.gain_db, b.bw_oct, dict(b.evidence))
                  for k, b in enumerate(fit.bands))
    idle = tuple(BandValue(k, rule.BAND, False, 1000.0, 0.0, 1.0) for k in range(len(bands), rule.MAX_BANDS))
    return TaggedPlugin(track_guid=track.guid, track_name=track.name, reason=reason, evidence=fit.to_json(),
                        plugin="reaeq", rename=EQ_RENAME, tag=EQ_TAG, position=-1,
                        existing_guid=eq.guid if eq is not None else None, bands=bands + idle)


def _width_steps(track: TrackState, ours: dict[str, FXState | None], slider: float, reason: str,
                 evidence: dict[str, Any]) -> list[Step]:
    """Our Mid/Side Encoder, then our Decoder with its Center Level at ``slider`` (swap and
    position at their factory 0)."""
    enc, dec = ours.get(ENC_TAG), ours.get(DEC_TAG)
    mid_db = center_db(slider)
    return [TaggedPlugin(track_guid=track.guid, track_name=track.name, reason=reason, evidence=evidence,
                         plugin="js_ms_encoder", rename=ENC_RENAME, tag=ENC_TAG, position=-1,
                         existing_guid=enc.guid if enc is not None else None),
            TaggedPlugin(track_guid=track.guid, track_name=track.name, reason=reason, evidence=evidence,
                         plugin="js_ms_decoder", rename=DEC_RENAME, tag=DEC_TAG, position=-1,
                         existing_guid=dec.guid if dec is not None else None,
                         params=(ParamValue("center_level_db", slider, f"Center Level (mid {mid_db:+.2f} dB)"),
                                 ParamValue("output_swap", 0.0, "Output Swap (off)"),
                                 ParamValue("center_position", 0.0, "Center Position (centre)")))]


class _Match:
    """One run's measurements and the steps they lead to. ``guids`` None: the master; else the
    tracks matched together (their sum, soloed)."""

    def __init__(self, host, options: dict[str, Any], guids: list[str] | None):
        self.host = host
        self.guids = guids
        self._reread(ext=[SETTINGS_EXT])  # the settings with the first read: one request
        raw = settings_of(self.state, ACTION, options)
        self.aspects = rule.parse_aspects(raw.get("aspects"))
        self.amount = rule.parse_amount(raw.get("amount"))
        self.refs = _references(raw, self.state.sample_rate)
        self.width: rule.WidthFit | None = None

    # -- the targets ---------------------------------------------------------------------------
    def _reread(self, ext: list[tuple[str, str]] | None = None, state: ProjectState | None = None) -> None:
        """The targets as they are now (``state``: as a render's request read them after it)."""
        if self.guids is None:
            self.state = state or self.host.read_state(master=True, ext=ext)
            if not self.state.tracks:
                raise ReaperAssistError("the project has no master track to read")
            self.targets = [self.state.tracks[0]]
        else:
            self.state = state or self.host.read_state(ext=ext)
            by_guid = {t.guid.upper(): t for t in self.state.tracks}
            missing = [g for g in self.guids if g.upper() not in by_guid]
            if missing:
                raise ReaperAssistError(f"track {missing[0]} is not in the project any more")
            self.targets = [by_guid[g.upper()] for g in self.guids]
        self.ours = {t.guid: {tag: our_fx(t, tag) for tag in TAGS} for t in self.targets}

    @property
    def where(self) -> str:
        if self.guids is None:
            return "the master"
        return ("track " if len(self.targets) == 1 else "the tracks ") + ", ".join(repr(t.name) for t in self.targets)

    def _solo(self) -> list[dict[str, Any]]:
        """Trial writes that solo the listed tracks alone (nothing for the master)."""
        return solo_alone(self.state, self.guids)

    def _without(self, tags: tuple[str, ...]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for t in self.targets:
            fxs = [fx for tag, fx in self.ours[t.guid].items() if fx is not None and tag in tags]
            if fxs:
                out += without_ours(self.state, t, fxs)
        return out

    def _render(self, ops: list[dict[str, Any]]) -> np.ndarray:
        audio, _ = take_render(self.host.master_render_file(ops or None))
        if ops:
            self._reread()
        return audio

    # -- measurements --------------------------------------------------------------------------
    def measure_mix(self) -> None:
        self.mix_audio = self._render(self._without(TAGS) + self._solo())
        rate = self.state.sample_rate
        self.mix_lufs = measure_loudness(self.mix_audio, rate, true_peak=False).integrated_lufs
        if not math.isfinite(self.mix_lufs):
            raise ReaperAssistError(f"{self.where} is silent (its render measured -inf LUFS): nothing to match; "
                                    "unmute the tracks or add audio first")
        self.mix_tone = tone_profile(self.mix_audio, rate, name=self.where)

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
        amount = self.amount if "tone" in self.aspects else 0.0
        self.tone = rule.fit_bands(self.target, grid, self.state.sample_rate, amount=amount)
        self.target_lufs = float(np.mean([r.integrated_lufs for r in self.refs]))

    def fit_width(self) -> None:
        """The Center Level that gives the side/mid ratio asked. A render with the pair at its
        lowest Center Level (B = g U + V, g = 2^-20) and the mix without it (A = U + V) give U
        and V; the ratio for any mid gain follows, through the EQ's power response."""
        if "width" not in self.aspects:
            return
        reason = "measure what the Center Level scales"
        split: list[Step] = []
        for t in self.targets:
            split += _width_steps(t, self.ours[t.guid], SPLIT_SLIDER, reason, {})
        ops = realize.ops(realize.realize(self.state, split))
        b = self._render(ops + self._without((EQ_TAG, GAIN_TAG)) + self._solo())
        g = 2.0 ** (SPLIT_SLIDER / 6.0)
        freqs, am, as_ = band_mid_side(self.mix_audio, self.mix_tone)
        _, bm, bs = band_mid_side(b, self.mix_tone)
        vm, vs = (bm - g * am) / (1.0 - g), (bs - g * as_) / (1.0 - g)
        weight = 10.0 ** (rule.response_db(self.tone.bands, freqs, self.state.sample_rate) / 10.0)
        terms = rule.width_terms(am - vm, as_ - vs, vm, vs, weight)
        ratios = []
        for r, t in zip(self.refs, self.ref_tones, strict=True):
            _, m, s = band_mid_side(r.audio, t)
            ratios.append(rule.side_mid_db(m, s))
        self.ref_width_db = [float(x) for x in ratios]
        self.width = rule.fit_width(terms, float(np.mean(ratios)), amount=self.amount, where=self.where)

    # -- the steps -----------------------------------------------------------------------------
    def steps(self, gain_db: float | None) -> list[Step]:
        reason = (f"match {', '.join(r.name for r in self.refs)} at {self.amount * 100:g} %: "
                  f"{', '.join(self.aspects)}")
        out: list[Step] = []
        for t in self.targets:
            ours = self.ours[t.guid]
            if "tone" in self.aspects:
                out.append(_eq_step(t, ours[EQ_TAG], self.tone, reason))
            if self.width is not None:
                out += _width_steps(t, ours, center_slider_for_db(self.width.center_db), reason,
                                    self.width.to_json())
            if gain_db is not None:
                ev = {"target_lufs": self.target_lufs, "mix_lufs": self.mix_lufs}
                out.append(gain_step(t, ours[GAIN_TAG], gain_db, tag=GAIN_TAG, rename=GAIN_RENAME, reason=reason,
                                     evidence=ev))
        return out

    def _stats(self, steps: list[Step]) -> mastering.MasterStats:
        trial = realize.ops(realize.realize(self.state, steps)) + self._solo()
        if not trial:
            return render_stats(self.host, trial)
        # the state after the trial comes with the render (one request, issue 20 point 4)
        text, state = self.host.master_stats_then_read(trial, master=self.guids is None)
        self._reread(state=state)
        return mastering.parse_render_stats(text)

    def loudness(self) -> tuple[float | None, mastering.MasterStats]:
        """The gain that brings the target to the references' loudness, from trial renders."""
        if "loudness" not in self.aspects:
            return None, self._stats(self.steps(None))
        g = self.amount * (self.target_lufs - self.mix_lufs)
        goal = self.mix_lufs + g
        for i in range(mastering.MAX_RENDERS):
            st = self._stats(self.steps(g))
            if abs(goal - st.integrated_lufs) <= mastering.CONVERGED_LU or i == mastering.MAX_RENDERS - 1:
                break
            g += goal - st.integrated_lufs
        if abs(goal - st.integrated_lufs) > TOLERANCE_LU:
            raise ReaperAssistError(f"after {mastering.MAX_RENDERS} dry-run renders {self.where} reads "
                                    f"{st.integrated_lufs:.2f} LUFS, not {goal:.2f}: nothing was changed")
        return g, st

    def report(self, st: mastering.MasterStats, gain_db: float | None) -> dict[str, Any]:
        refs = []
        for k, (r, t) in enumerate(zip(self.refs, self.ref_tones, strict=True)):
            one = {"file": r.path, "integrated_lufs": r.integrated_lufs, "seconds": r.seconds, **t.to_json()}
            if self.width is not None:
                one["side_mid_db"] = self.ref_width_db[k]
            refs.append(one)
        return clean({
            "references": refs, "target": "master" if self.guids is None else [t.name for t in self.targets],
            "mix": {"integrated_lufs": self.mix_lufs, **self.mix_tone.to_json()},
            "amount": self.amount * 100, "aspects": list(self.aspects), "tone": self.tone.to_json(),
            "side_difference_mean_abs_db": self.side_diff_db, "target_lufs": self.target_lufs,
            "width": self.width.to_json() if self.width is not None else None,
            "gain_db": gain_db, "after": st.to_json(),
            "measured": "the master mix" if self.guids is None else
                        "the listed tracks soloed together, as heard through the master (its FX and fader)",
            "segments": "the loudest pieces: each file cut into equal pieces of up to 3 s, the pieces whose mid "
                        "RMS is at or above the quadratic mean of all pieces' RMS (as Matchering chooses them); "
                        "width is the side/mid energy ratio over those pieces, 40 Hz-16 kHz; loudness is the "
                        "whole file's integrated loudness (BS.1770 gating leaves quiet parts out)",
            "bands": [{"type": b.band_type, "freq_hz": b.freq_hz, "gain_db": b.gain_db, "bw_oct": b.bw_oct}
                      for b in self.tone.bands] if "tone" in self.aspects else []}, 2)


def _figures(rep: dict[str, Any]) -> str:
    t = rep["tone"]
    out = (f"{t['bands']} bands, spectral difference {t['difference_mean_abs_db']} dB -> "
           f"{t['predicted_mean_abs_after_db']} dB predicted (fit residual {t['residual_rms_db']} dB RMS)"
           if "tone" in rep["aspects"] else "tone not matched")
    w = rep.get("width")
    if w:
        out += (f", side/mid {w['mix_side_mid_db']} dB -> {w['predicted_side_mid_db']} dB for the reference's "
                f"{w['reference_side_mid_db']} dB (Center Level {w['center_level_db']:+.2f} dB)")
    where = "master" if rep["target"] == "master" else "tracks"
    return out + f", {where} {rep['after']['integrated_lufs']} LUFS for the reference's {rep['target_lufs']} LUFS"


def run(host, *, track_guids: list[str] | None = None, selected: bool = True, options: dict[str, Any] | None = None,
        dry_run: bool = False) -> dict[str, Any]:
    """Match the master (``options["master"]``, or no tracks given) or the tracks together to the
    references; returns the ``last_run`` record (written into the project unless dry run)."""
    options = dict(options or {})
    try:
        guids = target_guids(host, ACTION, track_guids, options)
        m = _Match(host, {k: v for k, v in options.items() if k not in ("master", "selected")}, guids)
        m.measure_mix()
        m.fit()
        m.fit_width()
        gain_db, st = m.loudness()
        steps = m.steps(gain_db)
        rep = m.report(st, gain_db)
        writes = realize.realize(m.state, steps)
        ev = {k: rep[k] for k in ("tone", "target_lufs", "gain_db", "side_difference_mean_abs_db", "width")}
        reason = steps[0].reason if steps else "nothing asked"
        decisions = tuple(TrackDecision(t.guid, t.name, "changed" if any(w.track_guid == t.guid for w in writes)
                                        else "at target", m.mix_lufs, st.integrated_lufs, gain_db or 0.0, reason, ev)
                          for t in m.targets)
        undo = f"reaper-assist: Match reference ({m.amount * 100:g} %)"
        p = Plan(ACTION, undo, tuple(steps), decisions, {"amount": m.amount * 100, "aspects": list(m.aspects),
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
