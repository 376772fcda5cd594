"""Session fixtures of the assistant tests: real stems rendered once (fluidsynth, hydrogen kits).
Helpers live in assist_material.py / assist_builder.py (never import this module by name)."""

from __future__ import annotations

import pytest

from tests.assistants.assist_material import render_part


@pytest.fixture(scope="session")
def stems(tmp_path_factory):
    """``stems(part)`` -> (2, samples) float64 at 48 kHz, rendered once per session."""
    out = tmp_path_factory.mktemp("assist-stems")
    cache: dict[str, object] = {}

    def get(part: str):
        if part not in cache:
            cache[part] = render_part(part, out)
        return cache[part]

    return get
