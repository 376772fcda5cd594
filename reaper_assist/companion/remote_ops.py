"""Functions the companion runs *inside* REAPER through the bridge (one reapy request each).

Like :mod:`reaper_assist.host.remote`, each binds ``reapy.reascript_api`` only when called, inside
REAPER, and returns plain JSON data.
"""

from __future__ import annotations


def _api():
    import reapy.reascript_api as api  # inside REAPER: the real binding

    return api


def current_project() -> str:
    """The file of the project open in REAPER now ("" when it was never saved)."""
    return str(_api().EnumProjects(-1, "", 4096)[2] or "")


def record_result(section: str, key: str, record_json: str, console_text: str) -> bool:
    """Store a ``last_run`` record in the current project's ExtState and tell the user."""
    api = _api()
    api.SetProjExtState(0, section, key, record_json)
    if console_text:
        api.ShowConsoleMsg(console_text)
    return True
