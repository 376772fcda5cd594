"""The stems of the mix tests, rendered once per session (fluidsynth, hydrogen samples, espeak-ng)."""

from __future__ import annotations

import pytest

from tests.mix.mix_material import stems


@pytest.fixture(scope="session")
def material(tmp_path_factory):
    return stems(tmp_path_factory.mktemp("mix-stems"))
