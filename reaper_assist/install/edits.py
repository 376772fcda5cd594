"""Byte-preserving text edits of REAPER's configuration files.

Every function takes the file's text ("" when it does not exist) and returns the new text; lines
we do not own are never rewritten, and the file's own newline style is kept, so an edit followed by
its inverse gives back the original bytes.
"""

from __future__ import annotations

import re

MARK_BEGIN = ">>> reaper-assist (added by `reaper-assist install`; `reaper-assist uninstall` removes it)"
MARK_END = "<<< reaper-assist"


def newline_of(text: str) -> str:
    return "\r\n" if text.count("\r\n") > text.count("\n") / 2 and "\r\n" in text else "\n"


def quote(field: str) -> str:
    """Quote a reaper-kb.ini field the way REAPER does: bare unless it has spaces (facts 3.1)."""
    if field and not any(c in field for c in " \t\"'`"):
        return field
    for q in ('"', "'", "`"):
        if q not in field:
            return f"{q}{field}{q}"
    raise ValueError(f"cannot quote {field!r} for reaper-kb.ini: it contains every quote character")


def scr_line(command_id: str, description: str, path: str, *, flags: int = 4, section: int = 0) -> str:
    if any(c in s for s in (command_id, description, path) for c in "\r\n"):
        raise ValueError("reaper-kb.ini fields cannot contain line breaks")
    return f"SCR {flags} {section} {command_id} {quote(description)} {quote(path)}"


def _scr_id(line: str) -> str | None:
    parts = line.split(None, 4)
    return parts[3].lstrip("_") if len(parts) >= 4 and parts[0] == "SCR" else None


def add_lines(text: str, lines: list[str], ids: set[str]) -> tuple[str, bool]:
    """Put our SCR ``lines`` in reaper-kb.ini: replace lines with our command ``ids`` in place, append
    missing ones. Returns (text, whether a newline had to be added after the user's last line)."""
    nl = newline_of(text)
    wanted = {_scr_id(ln): ln for ln in lines}
    out, seen = [], set()
    body = text.splitlines(keepends=True)
    for raw in body:
        cid = _scr_id(raw.rstrip("\r\n"))
        if cid in ids:
            if cid in wanted and cid not in seen:
                ending = raw[len(raw.rstrip("\r\n")):]
                out.append(wanted[cid] + ending)
                seen.add(cid)
            continue
        out.append(raw)
    new = "".join(out)
    added_nl = False
    missing = [ln for cid, ln in wanted.items() if cid not in seen]
    if missing:
        if new and not new.endswith(("\n", "\r")):
            new += nl
            added_nl = True
        new += "".join(ln + nl for ln in missing)
    return new, added_nl


def remove_lines(text: str, ids: set[str], *, strip_added_newline: bool = False) -> str:
    """Remove the SCR lines with our ``ids``; ``strip_added_newline`` also takes away the newline
    :func:`add_lines` put after the user's last line (when our lines are still the last ones)."""
    body = text.splitlines(keepends=True)
    kept = [raw for raw in body if _scr_id(raw.rstrip("\r\n")) not in ids]
    new = "".join(kept)
    ours_last = bool(body) and _scr_id(body[-1].rstrip("\r\n")) in ids
    if strip_added_newline and ours_last and new.endswith("\n"):
        new = new[:-2] if new.endswith("\r\n") else new[:-1]
    return new


# ------------------------------------------------------------------------------------------------
# marked blocks (Scripts/__startup.*)
# ------------------------------------------------------------------------------------------------
def _block_re(comment: str) -> re.Pattern:
    c = re.escape(comment)
    return re.compile(rf"^{c} {re.escape(MARK_BEGIN)}[^\n]*\n.*?^{c} {re.escape(MARK_END)}[^\n]*(?:\n|$)",
                      re.DOTALL | re.MULTILINE)


def add_block(text: str, body: str, comment: str) -> tuple[str, bool]:
    """Append our marked block (or refresh it in place). Returns (text, whether a newline had to be
    added after the user's last line first)."""
    nl = newline_of(text)
    block = (f"{comment} {MARK_BEGIN}{nl}" + "".join(ln + nl for ln in body.splitlines())
             + f"{comment} {MARK_END}{nl}")
    m = _block_re(comment).search(text)
    if m:
        return text[:m.start()] + block + text[m.end():], False
    sep = nl if text and not text.endswith("\n") else ""
    return text + sep + block, bool(sep)


def remove_block(text: str, comment: str, *, strip_added_newline: bool = False) -> str:
    m = _block_re(comment).search(text)
    if not m:
        return text
    new = text[:m.start()] + text[m.end():]
    if strip_added_newline and not text[m.end():] and new.endswith("\n"):
        new = new[:-2] if new.endswith("\r\n") else new[:-1]
    return new


# ------------------------------------------------------------------------------------------------
# reaper.ini [reaper] keys (reapy's configure_reaper, facts 3.2)
# ------------------------------------------------------------------------------------------------
_SECTION = re.compile(r"^\s*\[([^\]]*)\]\s*$")


def _section_span(lines: list[str], name: str) -> tuple[int, int] | None:
    start = None
    for i, raw in enumerate(lines):
        m = _SECTION.match(raw.rstrip("\r\n"))
        if m:
            if start is not None:
                return start, i
            if m.group(1).strip().lower() == name.lower():
                start = i
    return (start, len(lines)) if start is not None else None


def get_key(text: str, key: str, section: str = "reaper") -> str | None:
    lines = text.splitlines(keepends=True)
    span = _section_span(lines, section)
    if span is None:
        return None
    for raw in lines[span[0] + 1:span[1]]:
        k, sep, v = raw.rstrip("\r\n").partition("=")
        if sep and k.strip().lower() == key.lower():
            return v
    return None


def set_key(text: str, key: str, value: str | None, section: str = "reaper") -> str:
    """Set ``key=value`` in ``[section]`` (in place if present, else after the section's last line);
    ``value=None`` deletes the key."""
    nl = newline_of(text)
    lines = text.splitlines(keepends=True)
    span = _section_span(lines, section)
    if span is None:
        if value is None:
            return text
        sep = nl if text and not text.endswith(("\n", "\r")) else ""
        return text + sep + f"[{section}]{nl}{key}={value}{nl}"
    s, e = span
    for i in range(s + 1, e):
        k, sep, _ = lines[i].rstrip("\r\n").partition("=")
        if sep and k.strip().lower() == key.lower():
            ending = lines[i][len(lines[i].rstrip("\r\n")):]
            if value is None:
                del lines[i]
            else:
                lines[i] = f"{k}={value}{ending}"
            return "".join(lines)
    if value is None:
        return text
    last = e
    while last > s + 1 and not lines[last - 1].strip():
        last -= 1
    if last > 0 and not lines[last - 1].endswith(("\n", "\r")):
        lines[last - 1] += nl
    lines.insert(last, f"{key}={value}{nl}")
    return "".join(lines)


def web_interface_line(port: int) -> str:
    return f"HTTP 0 {int(port)} '' 'index.html' 0 ''"


def surface_count(text: str) -> int:
    """reaper.ini's ``csurf_cnt`` (0 when missing or not a number)."""
    try:
        return int(get_key(text, "csurf_cnt") or "0")
    except ValueError:
        return 0


def find_web_interface(text: str, port: int) -> str | None:
    """The ``csurf_<n>`` key of an HTTP surface on ``port``, if any."""
    for i in range(surface_count(text)):
        v = get_key(text, f"csurf_{i}") or ""
        parts = v.split()
        if len(parts) >= 3 and parts[0] == "HTTP" and parts[2] == str(port):
            return f"csurf_{i}"
    return None
