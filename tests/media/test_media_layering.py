"""The media layer reads files with soundfile and never needs reapy (style.md rules 1 and 10), nor
the host: it renders the items exactly as reaper_assist.items describes them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_media_imports_and_renders_without_reapy_or_the_host(tmp_path):
    code = (
        "import sys; sys.modules['reapy'] = None\n"
        "import numpy as np, soundfile as sf\n"
        "from reaper_assist.items import ItemState, TakeState\n"
        "from reaper_assist.media import render_items\n"
        f"p = {str(tmp_path / 'a.wav')!r}\n"
        "sf.write(p, np.full(100, 0.5), 1000)\n"
        "take = TakeState(0, '', '', 1.0, 0.0, 0.0, 1.0, 0, 'WAVE', p)\n"
        "item = ItemState(0, '', 0.0, 0.1, False, 1.0, 0.0, -1.0, 0, 0.0, 0.0, -1.0, 0, 0.0, False, take)\n"
        "out = render_items([item], track_name='T', sample_rate=1000)\n"
        "assert out.audio.shape == (2, 100) and np.all(out.audio == 0.5)\n"
        "loaded = [m for m in sys.modules if sys.modules[m]]\n"
        "assert not [m for m in loaded if m == 'reapy' or m.startswith(('reaper_assist.host', 'reaper_assist.bridge'))]\n"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)
