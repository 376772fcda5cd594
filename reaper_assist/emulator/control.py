"""Functions a test or the demo calls *inside* the emulator process through reapy's callable-by-name
protocol (``client.request(func, ...)``): inspect and save the emulated project.

They are ordinary module functions so that reapy's server can resolve them by module and name.
"""

from __future__ import annotations


def _reaper():
    from reaper_assist.emulator.process import EmulatorProcess

    if EmulatorProcess.current is None or EmulatorProcess.current.reaper is None:
        raise RuntimeError("no emulator is running in this process")
    return EmulatorProcess.current.reaper


def project_text() -> str:
    """The project as it would be saved now."""
    return _reaper().project.dumps()


def save_project(path: str) -> str:
    r = _reaper()
    r.project.save(path)
    return path


def console() -> str:
    return "".join(_reaper().console)


def undo_descriptions() -> list:
    return [p.description for p in _reaper().undo.points]


def implemented_functions() -> list:
    return _reaper().implemented()


def run_action(command: str) -> bool:
    r = _reaper()
    cmd = r.NamedCommandLookup(command)
    return r.run_command(cmd) if cmd else False


def load_project(path: str) -> int:
    """Open another project in the running emulator (as File > Open would); returns its track count."""
    from reaper_assist.emulator.project import Project
    from reaper_assist.emulator.undo import UndoHistory

    r = _reaper()
    r.project = Project.load(path)
    r.undo = UndoHistory(r)
    return len(r.project.tracks)
