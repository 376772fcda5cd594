"""REAPER action "Show reaper-assist report": read the open project in one bridge request
(``report_view``: track and master state chunks, ExtState, sample rate; nothing saved), assemble it
into a copy in the project's ``reaper-assist/`` folder (the user's project file is not touched, and
REAPER's open project stays on it), build the report from that copy and open it in the browser.
Headless (``reaper-assist run report``) it only writes the files."""

from __future__ import annotations

import os
import tempfile
import time
import webbrowser
from pathlib import Path
from typing import Any

from reaper_assist.errors import ReaperAssistError


def run(host, *, track_guids: list[str] | None = None, selected: bool = True, options: dict[str, Any] | None = None,
        dry_run: bool = False) -> dict[str, Any]:
    from reaper_assist.reporting import snapshot as snap
    from reaper_assist.reporting.build import build

    view = host.report_view()
    project_file = str(view.get("project") or "")
    folder = Path(project_file).parent / "reaper-assist" if project_file else Path(tempfile.mkdtemp())
    try:
        os.makedirs(folder, exist_ok=True)
        snapshot = folder / f"report-snapshot-{time.strftime('%Y%m%d-%H%M%S')}.rpp"
        snap.write(view, snapshot)
        html_path, txt_path = build(str(snapshot), str(folder / "report.html"))
    except OSError as exc:
        raise ReaperAssistError(f"cannot write the report in {folder}: {exc.strerror or exc}") from exc
    if (options or {}).get("open", True) and not os.environ.get("REAPER_ASSIST_NO_BROWSER"):
        webbrowser.open(html_path.as_uri())
    msg = f"report written to {html_path} (text version {txt_path.name})"
    host.console(f"reaper-assist report: {msg}\n")
    return {"action": "report", "status": "ok", "message": msg, "tracks": [], "changes": [],
            "report": str(html_path), "text": str(txt_path)}
