"""WAV integer PCM bytes to float32 in one compiled pass (numba ``njit``, ``nogil``, ``cache=True``;
compiled at ``reaper-assist install``, as :mod:`reaper_assist.analysis._kernels`). See :mod:`.wav_pcm`."""

from __future__ import annotations

import numpy as np
from numba import njit

#: The compiled functions (``reaper-assist install`` compiles them and reports numba's cache for each).
COMPILED = ("int_to_float",)


@njit("void(uint8[::1], int64, float32[::1])", cache=True, nogil=True)
def int_to_float(raw, width, out):  # pragma: no cover - compiled
    """Little-endian ``width``-byte signed samples in ``raw`` into ``out`` (as many as it holds):
    each sample in the top bits of an int32, times 2^-31 (libsndfile's normalised float read)."""
    scale = np.float32(1.0 / 2147483648.0)
    n = out.shape[0]
    if width == 3:
        for i in range(n):
            j = 3 * i
            v = (np.uint32(raw[j]) << np.uint32(8)) | (np.uint32(raw[j + 1]) << np.uint32(16)) | (
                np.uint32(raw[j + 2]) << np.uint32(24))
            out[i] = np.float32(np.int32(v)) * scale
    elif width == 2:
        for i in range(n):
            j = 2 * i
            v = (np.uint32(raw[j]) << np.uint32(16)) | (np.uint32(raw[j + 1]) << np.uint32(24))
            out[i] = np.float32(np.int32(v)) * scale
    else:
        for i in range(n):
            j = 4 * i
            v = (np.uint32(raw[j]) | (np.uint32(raw[j + 1]) << np.uint32(8)) | (np.uint32(raw[j + 2]) << np.uint32(16))
                 | (np.uint32(raw[j + 3]) << np.uint32(24)))
            out[i] = np.float32(np.int32(v)) * scale
