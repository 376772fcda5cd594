"""The media layer reads files with soundfile and never needs reapy (style.md rules 1 and 10)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_media_imports_and_renders_without_reapy(tmp_path):
    code = (
        "import sys; sys.modules['reapy'] = None\n"
        "import numpy as np, soundfile as sf\n"
        "from reaper_assist.media import ItemSpec, render_items\n"
        f"p = {str(tmp_path / 'a.wav')!r}\n"
        "sf.write(p, np.full(100, 0.5), 1000)\n"
        "out = render_items([ItemSpec('T', 0, 0.0, 0.1, source_file=p)], sample_rate=1000)\n"
        "assert out.audio.shape == (2, 100) and 'reapy' not in [m for m in sys.modules if sys.modules[m]]\n"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)
