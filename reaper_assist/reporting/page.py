"""The report as one self-contained HTML page (figures as data URIs, no script or style from
anywhere else) and as plain text a screen reader reads well (sentences, units spelled out)."""

from __future__ import annotations

import html
import re
from typing import Any

from reaper_assist.reporting import figures
from reaper_assist.reporting.collect import TrackView

UNITS = [(r"-inf\b", "minus infinity"), (r"infinity dBFS\b", "infinity decibels full scale"),
         (r"infinity dB\b", "infinity decibels"), (r"(?<=\d) ?dBFS\b", " decibels full scale"), (r"(?<=\d) ?dBTP\b", " decibels true peak"),
         (r"(?<=\d) ?dB\b", " decibels"), (r"(?<=\d) ?LUFS\b", " loudness units full scale"),
         (r"(?<=\d) ?LU\b", " loudness units"), (r"(?<=\d) ?Hz\b", " hertz"), (r"(?<=\d) ?ms\b", " milliseconds"),
         (r"(?<=\d) ?oct\b", " octaves"), (r"(?<=\d) ?s\b", " seconds"), (r"\+(?=\d)", "plus "),
         (r"(?<![\w.])-(?=\d)", "minus "), (r" -> ", " to ")]


def spoken(text: str) -> str:
    """Units and signs as words: "-6.0 dB" -> "minus 6.0 decibels"."""
    for pat, rep in UNITS:
        text = re.sub(pat, rep, text)
    return text


def _value(v: Any) -> str:
    if v is None:
        return "nothing"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def change_line(c: dict[str, Any]) -> str:
    """A change as the record has it: its label (which carries the real unit), and old -> new where
    an existing value changed (a new plugin's native values mean nothing to a reader)."""
    if c.get("old") is None:
        return str(c["what"])
    return f"{c['what']}: {_value(c.get('old'))} -> {_value(c.get('new'))}"


def _measured(t: dict[str, Any]) -> str:
    ev = t.get("evidence") or {}
    parts = [f"{k.replace('_', ' ')} {_value(v)}" for k, v in ev.items() if isinstance(v, (int, float, str))
             and not isinstance(v, bool)][:12]
    if t.get("before_db") is not None:
        parts.insert(0, f"level before {t['before_db']} dB, after {t.get('after_db')} dB")
    return "; ".join(parts)


def text_report(project_name: str, records: dict[str, dict[str, Any]], views: list[TrackView]) -> str:
    """The plain-text version: one paragraph per track and action."""
    out = [f"reaper-assist report for {project_name}.", ""]
    for a, r in sorted(records.items()):
        out.append(spoken(f"Action {a}: {r.get('status')}, {r.get('message')}."))
    for v in views:
        out += ["", f"Track {v.name}."]
        if v.ours:
            out.append("reaper-assist's plugins on it: " + ", ".join(o["name"] for o in v.ours) + ".")
        for rec in v.records:
            t = rec["track"]
            out.append(spoken(f"Action {rec['action']}: {t.get('status', 'changed')}. Why: {t.get('reason', '')}."))
            m = _measured(t)
            if m:
                out.append(spoken(f"Measured: {m}."))
            for c in rec["changes"]:
                why = "" if c.get("reason") == t.get("reason") else f" Because: {c.get('reason', '')}."
                out.append(spoken(f"Written: {change_line(c)}.{why}"))
    return "\n".join(out) + "\n"


CSS = ("body{font-family:sans-serif;max-width:60em;margin:1em auto;color:#222}h2{border-bottom:1px solid #ccc}"
       "img{max-width:100%;display:block;margin:.5em 0}li{margin:.2em 0}.why{color:#555}")


def _figures(v: TrackView) -> list[tuple[str, str]]:
    out = []
    if v.on is not None and v.off is not None:
        out.append((figures.spectrum(v.off, v.on, v.sample_rate, v.eq_only),
                    f"Spectrum of {v.name} before and after, with the EQ curve"))
    if v.on is not None and v.no_dyn is not None:
        out.append((figures.gain_reduction(v.on, v.no_dyn, v.sample_rate, v.start_s),
                    f"Gain reduction of reaper-assist's dynamics plugins on {v.name} over time"))
    if v.lanes and v.off is not None:
        out.append((figures.envelope(v.off, v.sample_rate, v.start_s, v.lanes),
                    f"reaper-assist's envelopes on {v.name} over its waveform"))
    return out


def html_report(project_name: str, records: dict[str, dict[str, Any]], views: list[TrackView], text: str) -> str:
    e = html.escape
    body = [f"<h1>reaper-assist report: {e(project_name)}</h1>", "<ul>"]
    body += [f"<li><b>{e(a)}</b>: {e(str(r.get('status')))}, {e(str(r.get('message')))}</li>"
             for a, r in sorted(records.items())]
    body.append("</ul>")
    for v in views:
        body.append(f"<section><h2>{e(v.name)}</h2>")
        if v.ours:
            body.append("<p>reaper-assist's plugins: " + e(", ".join(o["name"] for o in v.ours)) + "</p>")
        for uri, alt in _figures(v):
            body.append(f'<img src="{uri}" alt="{e(alt)}">')
        for rec in v.records:
            t = rec["track"]
            body.append(f"<h3>{e(rec['action'])}: {e(str(t.get('status', 'changed')))}</h3>"
                        f"<p class=why>Why: {e(str(t.get('reason', '')))}</p>")
            m = _measured(t)
            if m:
                body.append(f"<p>Measured: {e(m)}</p>")
            if rec["changes"]:
                body.append("<ul>" + "".join(
                    f"<li>{e(change_line(c))}" + ("" if c.get("reason") == t.get("reason") else
                                                  f" <span class=why>({e(str(c.get('reason', '')))})</span>")
                    + "</li>" for c in rec["changes"]) + "</ul>")
        body.append("</section>")
    body.append(f'<details><summary>Plain text version</summary><pre id="text-version">{e(text)}</pre></details>')
    return ("<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>reaper-assist report</title>"
            f"<style>{CSS}</style></head><body>" + "\n".join(body) + "</body></html>\n")
