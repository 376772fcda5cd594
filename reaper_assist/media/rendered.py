"""Files reaper-assist writes (a denoised take): never beside or over the user's media.

They go into the project folder's ``reaper-assist/`` subfolder under a name made of the source's
name and a digest of the content (so the same result has the same name, and a different one never
replaces it), written atomically: a temporary file in the same folder, then a hard link to the final
name, which fails rather than replace an existing file (contracts: never modify an existing file).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import numpy as np

SUBFOLDER = "reaper-assist"


def target_path(project_file: str, source_file: str, what: str, audio: np.ndarray) -> Path:
    """``<project folder>/reaper-assist/<source stem>-RA-<what>-<digest>.wav``."""
    digest = hashlib.sha1(np.ascontiguousarray(audio, dtype=np.float32).tobytes()).hexdigest()[:12]
    return Path(project_file).resolve().parent / SUBFOLDER / f"{Path(source_file).stem}-RA-{what}-{digest}.wav"


def write_new(path: Path, audio: np.ndarray, sample_rate: int) -> bool:
    """Write ``audio`` ``(channels, samples)`` to ``path`` as 32-bit float WAV, atomically; a file
    already there (the same content, by its name) is left as it is. Returns whether it wrote."""
    import soundfile as sf

    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".ra-", suffix=".wav", dir=path.parent)
    os.close(fd)
    try:
        sf.write(tmp, np.asarray(audio, dtype=np.float32).T, sample_rate, subtype="FLOAT", format="WAV")
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
    finally:
        os.unlink(tmp)
    return True
