"""Action "Master selected project for a platform": the master's integrated loudness at the
platform's target, its true peak at or under the ceiling, with a tagged gain stage (JS Volume)
and a tagged ReaLimit (true-peak mode) at the end of the master's FX chain.

read the master (1 round trip) -> dry-run render of the master without our two plugins (the
user's own FX count) -> trial renders with candidate settings in place only while REAPER renders
(bridge.dryrun; at most rules.mastering.MAX_RENDERS) -> the last trial's settings in ONE undo
block -> ``last_run`` record with the figures of the renders and what each platform's
normalisation will do. ``report_only`` renders the master as it is and changes nothing.
``preview``: the same renders decide (with our FX on), and the result is written bypassed; compare
(``--master``) keeps it, remove (``--master``) discards it. A later run switches a bypassed one on.
"""

from __future__ import annotations

import time
from typing import Any

from reaper_assist.app.master_chain import gain_step, render_stats, without_ours
from reaper_assist.app.our_fx import fx_label, our_fx, user_fx_doing
from reaper_assist.app.records import clean, error_record, record_for_plan, write_record
from reaper_assist.app.run_action import SETTINGS_EXT, settings_of
from reaper_assist.errors import ReaperAssistError
from reaper_assist.host import realize
from reaper_assist.host.base import FXState, ProjectState, TrackState
from reaper_assist.host.realize_compare import preview_writes
from reaper_assist.rules import mastering as rule
from reaper_assist.rules.comparison import SetFxEnabled
from reaper_assist.rules.plan import Plan, TrackDecision
from reaper_assist.rules.steps import ParamValue, Step, TaggedPlugin

ACTION = "master"
GAIN_TAG, GAIN_RENAME = "master-gain", "RA Master Gain"
LIMIT_TAG, LIMIT_RENAME = "master-limit", "RA Master Limit"
LIMITER_WORDS = ("limit", "maximi", "clipper", "loudmax")  # the user's own limiter on the master


def _steps(master: TrackState, gain: FXState | None, lim: FXState | None, gain_db: float,
           s: rule.MasterSettings, with_limiter: bool, reason: str) -> list[Step]:
    """Our gain stage at ``gain_db`` and (unless the user's limiter does the job) our ReaLimit
    with threshold = ceiling (no drive of its own: the gain stage does the gain), true peak on."""
    ev = {"target_lufs": s.target_lufs, "ceiling_dbtp": s.ceiling_dbtp}
    out: list[Step] = [gain_step(master, gain, gain_db, tag=GAIN_TAG, rename=GAIN_RENAME, reason=reason,
                                 evidence=ev)]
    # ours, left bypassed by a --preview (or compare): on again, in the trial renders and the result
    out += [SetFxEnabled(track_guid=master.guid, track_name=master.name, fx_guid=fx.guid, enabled=True,
                         label=fx_label(fx), reason=f"{reason} (it was bypassed)")
            for fx in (gain, lim if with_limiter else None) if fx is not None and not fx.enabled]
    if with_limiter:
        c = s.limiter_ceiling_db
        out.append(TaggedPlugin(
            track_guid=master.guid, track_name=master.name, reason=reason, evidence=ev, plugin="realimit",
            rename=LIMIT_RENAME, tag=LIMIT_TAG, position=-1, existing_guid=lim.guid if lim is not None else None,
            params=(ParamValue("threshold_db", c, f"Threshold ({c:+.2f} dB)"),
                    ParamValue("ceiling_db", c, f"Ceiling ({c:+.2f} dB)"),
                    ParamValue("release_ms", s.release_ms, f"Release ({s.release_ms:g} ms)"),
                    ParamValue("true_peak", 1.0, "true peak on"))))
    return out


def _stats_reread(host, trial: list[dict[str, Any]]) -> tuple[rule.MasterStats, ProjectState, TrackState,
                                                                 FXState | None, FXState | None]:
    """A trial render, and the master as it is after it, in one request: the undo that put our
    trial writes back restores the FX from its saved state, whose numbers may be rounded (the next
    writes expect those)."""
    text, state = host.master_stats_then_read(trial, master=True)
    master = state.tracks[0]
    return rule.parse_render_stats(text), state, master, our_fx(master, GAIN_TAG), our_fx(master, LIMIT_TAG)


def _report(st: rule.MasterStats, s: rule.MasterSettings, table, *, gr: float | None, renders: int) -> dict[str, Any]:
    return clean({"platform": s.platform, "title": s.title, "target_lufs": s.target_lufs,
                  "ceiling_dbtp": s.ceiling_dbtp, **st.to_json(), "peak_kind": st.peak_kind,
                  "limiter_max_gain_reduction_db": gr, "renders": renders,
                  "normalisation": rule.normalisation(st.integrated_lufs, table)}, 2)


def _silent(st: rule.MasterStats) -> None:
    if st.silent:
        raise ReaperAssistError("the master is silent (the dry-run render measured -inf LUFS): nothing to master; "
                                "unmute the tracks or add audio first")


def _report_only(host, master: TrackState, s: rule.MasterSettings, table) -> dict[str, Any]:
    st = render_stats(host, None)
    _silent(st)
    rep = _report(st, s, table, gr=None, renders=1)
    d = {"guid": master.guid, "name": master.name, "status": "report", "before_db": rep["integrated_lufs"],
         "after_db": rep["integrated_lufs"], "change_db": 0.0, "reason": "report only: nothing changed",
         "evidence": {k: v for k, v in rep.items() if k != "normalisation"}}
    return {"action": ACTION, "status": "ok", "dry_run": True, "report_only": True,
            "message": f"report only, nothing changed: {_figures(rep)}", "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "settings": s.to_json(), "undo": "", "tracks": [d], "changes": [], "master": rep}


def _figures(rep: dict[str, Any]) -> str:
    gr = rep.get("limiter_max_gain_reduction_db")
    return (f"{rep['integrated_lufs']} LUFS integrated, LRA {rep['lra_lu']} LU, max short-term "
            f"{rep['max_short_term_lufs']} LUFS, {rep['peak_kind']} peak {rep[rep['peak_kind'] + '_peak_db']} dB, "
            f"PLR {rep['plr_db']} dB" + (f", limiter gain reduction up to {gr} dB" if gr is not None else ""))


def plan_master(host, state: ProjectState, s: rule.MasterSettings,
                table) -> tuple[Plan, ProjectState, dict[str, Any], str]:
    """Measure, iterate trial renders, and return (plan, the state it applies to, report, note
    about the user's limiter)."""
    master = state.tracks[0]
    gain, lim = our_fx(master, GAIN_TAG), our_fx(master, LIMIT_TAG)
    theirs = [] if lim is not None else user_fx_doing(master, LIMITER_WORDS)
    note, names = "", ""
    if theirs:
        names = ", ".join(repr(fx_label(f)) for f in theirs)
        note = f"your own limiter on the master ({names}) is kept and counted in the renders: no second limiter added"
    pre_ops = without_ours(state, master, [f for f in (gain, lim) if f is not None])
    if pre_ops:
        pre, state, master, gain, lim = _stats_reread(host, pre_ops)
    else:
        pre = render_stats(host, None)
    _silent(pre)
    g = s.target_lufs - pre.integrated_lufs
    with_limiter = not theirs

    def check(gain_db: float) -> None:
        if with_limiter:
            why = rule.refusal(pre, gain_db, s)
        elif gain_db > 0 and pre.peak_db + gain_db > s.limiter_ceiling_db:
            why = (f"reaching {s.target_lufs:g} LUFS needs {gain_db:+.1f} dB after your limiter {names}, "
                   f"which would push its peaks ({pre.peak_db:.1f} dB) over {s.ceiling_dbtp:g} dBTP. Nothing was "
                   "changed: drive your limiter harder, or remove it and run again")
        else:
            why = ""
        if why:
            raise ReaperAssistError(why)

    check(g)
    reason = f"{s.title}: {s.target_lufs:g} LUFS integrated, true peak <= {s.ceiling_dbtp:g} dBTP"
    renders = 1
    for i in range(rule.MAX_RENDERS):
        steps = _steps(master, gain, lim, g, s, with_limiter, reason)
        trial = realize.ops(realize.realize(state, steps))
        renders += 1
        if trial:
            st, state, master, gain, lim = _stats_reread(host, trial)
            steps = _steps(master, gain, lim, g, s, with_limiter, reason)
        else:
            st = render_stats(host, None)
        if abs(s.target_lufs - st.integrated_lufs) <= rule.CONVERGED_LU or i == rule.MAX_RENDERS - 1:
            break
        g = rule.next_gain(g, st, s)
        check(g)
    miss = st.integrated_lufs - s.target_lufs
    if abs(miss) > s.tolerance_lu:
        raise ReaperAssistError(f"after {renders} dry-run renders the master reads {st.integrated_lufs:.2f} LUFS, "
                                f"{miss:+.2f} LU from {s.target_lufs:g} (more than {s.tolerance_lu:g} LU): nothing "
                                "was changed")
    gr = rule.gain_reduction_db(pre, g, s) if with_limiter else None
    rep = _report(st, s, table, gr=gr, renders=renders)
    rep["before"] = clean(pre.to_json(), 2)
    ev = {k: v for k, v in rep.items() if k not in ("normalisation", "before")}
    d = TrackDecision(master.guid, master.name, "changed", pre.integrated_lufs, st.integrated_lufs, g,
                      f"{reason}; gain {g:+.2f} dB" + (f"; {note}" if note else ""), clean(ev, 2))
    undo = f"reaper-assist: Master for {s.title} ({s.target_lufs:g} LUFS, {s.ceiling_dbtp:g} dBTP)"
    return Plan(ACTION, undo, tuple(steps), (d,), s.to_json()), state, rep, note


def run(host, *, track_guids: list[str] | None = None, selected: bool = True, options: dict[str, Any] | None = None,
        dry_run: bool = False) -> dict[str, Any]:
    """Run the action on the project's master track (the selection does not matter); returns the
    ``last_run`` record (written into the project unless dry run or report only)."""
    report_only = False
    preview = bool((options or {}).get("preview"))
    options = {k: v for k, v in (options or {}).items() if k != "preview"}
    try:
        state = host.read_state(master=True, ext=[SETTINGS_EXT])  # the settings with it: one request
        raw = settings_of(state, ACTION, options)
        s = rule.parse_settings(raw)
        report_only = s.report_only
        table = rule.platforms(raw)
        if not state.tracks:
            raise ReaperAssistError("the project has no master track to read")
        if report_only:
            return _report_only(host, state.tracks[0], s, table)
        p, state, rep, note = plan_master(host, state, s, table)
        writes = realize.realize(state, p.steps)
        if preview and writes:  # the renders decided with our FX on; they are written bypassed
            writes = writes + preview_writes(writes)
        if writes and not dry_run:
            host.apply(realize.ops(writes), p.undo_name)
        if not writes:
            p = Plan(p.action, p.undo_name, p.steps,
                     tuple(TrackDecision(d.guid, d.name, "at target", d.before_db, d.after_db, 0.0, d.reason,
                                         d.evidence) for d in p.decisions), p.settings)
        record = record_for_plan(p, writes, dry_run=dry_run)
        record["master"] = rep
        record["message"] += "; " + _figures(rep) + (f"; {note}" if note else "")
        if preview and writes:
            record["preview"] = True
            record["message"] += ("; preview: the master's gain and limiter are written bypassed (run compare "
                                  "--master to keep them on, remove --master to discard them)")
    except ReaperAssistError as exc:
        record = error_record(ACTION, str(exc))
    if not dry_run and not report_only:
        write_record(host, record)
    return record


def format_master(record: dict[str, Any]) -> str:
    """The master's figures and what each platform will do, one line each (screen-reader friendly)."""
    rep = record.get("master")
    if not rep:
        return ""
    lines = [f"master for {rep['title']} ({rep['target_lufs']} LUFS, {rep['ceiling_dbtp']} dBTP): {_figures(rep)}"]
    before = rep.get("before")
    if before:
        lines.append(f"  before: {before['integrated_lufs']} LUFS, LRA {before['lra_lu']} LU, PLR {before['plr_db']} dB")
    lines.extend(f"  {n['text']}" for n in rep.get("normalisation", []))
    return "\n".join(lines)
