"""The reference material (reference_material.py), built once per session: (folder, mix project,
reference file, reference audio, the mix's render)."""

from __future__ import annotations

import pytest
from reference_material import build, read, render_file


@pytest.fixture(scope="session")
def material(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reference")
    mix, ref = build(folder)
    return folder, mix, ref, read(ref), render_file(mix)
