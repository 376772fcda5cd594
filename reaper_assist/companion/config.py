"""The install configuration, ``<resource>/reaper_assist.json``, shared by the installer, the
companion and (read with the standard library only) REAPER's action scripts.

The file holds the per-install token, so it is written readable by the user only (0600).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from reaper_assist.errors import ReaperAssistError

CONFIG_NAME = "reaper_assist.json"
LOG_NAME = "reaper_assist.log"
DEFAULT_WEB_PORT = 2307  # reapy's hard-coded web-interface port (reapy_behaviour 4)
DEFAULT_IDLE_MINUTES = 30.0


class ConfigError(ReaperAssistError):
    """The install configuration is missing or unreadable."""


@dataclass
class InstallConfig:
    resource_path: str
    python: str  # the interpreter that runs the companion (inside REAPER sys.executable is REAPER)
    web_port: int = DEFAULT_WEB_PORT
    token: str = ""
    idle_minutes: float = DEFAULT_IDLE_MINUTES
    version: int = 1
    # the bridge's limits (reaper_assist/bridge/start.py, server.Limits); empty: the defaults.
    # Kept across re-installs; only the user writes them.
    bridge: dict[str, Any] = field(default_factory=dict)
    # the companion's background pre-analysis (companion/server.default_preanalyzer): {"off": true}
    # turns it off, {"cpu_share": 0.5} bounds its share of one core. Only the user writes it.
    preanalysis: dict[str, Any] = field(default_factory=dict)
    installed: dict[str, Any] = field(default_factory=dict)  # what install changed (the manifest)
    # site-packages folders of ``python`` for REAPER's embedded Python (install/embedded.py)
    site_paths: list[str] = field(default_factory=list)

    @property
    def log_path(self) -> Path:
        return Path(self.resource_path) / LOG_NAME

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> InstallConfig:
        known = {k: d[k] for k in cls.__dataclass_fields__ if k in d}
        return cls(**known)


def config_path(resource_path: str | os.PathLike) -> Path:
    return Path(resource_path) / CONFIG_NAME


def load_config(resource_path: str | os.PathLike) -> InstallConfig:
    p = config_path(resource_path)
    try:
        return InstallConfig.from_dict(json.loads(p.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise ConfigError(f"reaper-assist is not installed in {resource_path} ({p} is missing); "
                          "run `reaper-assist install`") from None
    except (OSError, ValueError, TypeError) as exc:
        raise ConfigError(f"cannot read {p}: {exc}") from exc
