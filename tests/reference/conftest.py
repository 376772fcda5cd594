"""The reference material (reference_material.py), built once per session: (folder, mix project,
reference file, reference audio, the mix's render); and the same reference made wider."""

from __future__ import annotations

import pytest
from reference_material import build, read, render_file, widened


@pytest.fixture(scope="session")
def material(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reference")
    mix, ref = build(folder)
    return folder, mix, ref, read(ref), render_file(mix)


@pytest.fixture(scope="session")
def wide(material):
    """(path, audio) of the reference with its side 4 dB up (its mid, so its tone, unchanged)."""
    folder, _, _, ref_audio, _ = material
    return widened(folder / "reference-wide.wav", ref_audio, 4.0)
