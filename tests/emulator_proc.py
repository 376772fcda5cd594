"""The emulator as a child process for the fixtures of tests/, tests/bridge and tests/install: the
product's launcher (reaper_assist.emulator.launcher) run from the repository."""

from __future__ import annotations

from pathlib import Path

from reaper_assist.emulator import launcher
from reaper_assist.ports import free_port  # noqa: F401 - for the tests

REPO = Path(__file__).resolve().parent.parent
READY_TIMEOUT_S = launcher.READY_TIMEOUT_S


class EmulatorProcess(launcher.EmulatorProcess):
    """:class:`reaper_assist.emulator.launcher.EmulatorProcess` started in the repository."""

    def __init__(self, args: list[str], *, env: dict[str, str] | None = None, prefix: list[str] | None = None):
        super().__init__(args, env=env, prefix=prefix, cwd=str(REPO))
