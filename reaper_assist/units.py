"""dB <-> amplitude conversions; the one place that owns them (style.md rule 4)."""

from __future__ import annotations

import math
from typing import overload

import numpy as np

MINUS_INF_DB = float("-inf")


def db_to_amp(db: float) -> float:
    """Linear amplitude for a level in dB; ``-inf`` maps to 0."""
    if db == MINUS_INF_DB:
        return 0.0
    return 10.0 ** (db / 20.0)


def amp_to_db(amp: float) -> float:
    """Level in dB of a linear amplitude (sign ignored); 0 maps to ``-inf``."""
    a = abs(amp)
    if a == 0.0:
        return MINUS_INF_DB
    return 20.0 * math.log10(a)


def power_to_db(power: float) -> float:
    """Level in dB of a mean-square power; 0 maps to ``-inf``."""
    if power <= 0.0:
        return MINUS_INF_DB
    return 10.0 * math.log10(power)


@overload
def db_to_power(db: float) -> float: ...
@overload
def db_to_power(db: np.ndarray) -> np.ndarray: ...
def db_to_power(db: float | np.ndarray) -> float | np.ndarray:
    """Mean-square power of a level in dB, element-wise on arrays; ``-inf`` maps to 0."""
    return 10.0 ** (db / 10.0)


def db_to_amp_array(db) -> np.ndarray:
    """Element-wise :func:`db_to_amp` on scalars or arrays (``-inf`` maps to 0)."""
    return np.power(10.0, np.asarray(db, dtype=np.float64) / 20.0)


def power_to_db_array(power: np.ndarray) -> np.ndarray:
    """Element-wise :func:`power_to_db` (0 and negative map to ``-inf``), without warnings."""
    p = np.asarray(power, dtype=np.float64)
    out = np.full(p.shape, -np.inf)
    pos = p > 0.0
    out[pos] = 10.0 * np.log10(p[pos])
    return out


def amp_to_db_array(amp: np.ndarray) -> np.ndarray:
    """Element-wise :func:`amp_to_db` without divide-by-zero warnings."""
    a = np.abs(np.asarray(amp, dtype=np.float64))
    out = np.full(a.shape, -np.inf)
    nz = a > 0
    out[nz] = 20.0 * np.log10(a[nz])
    return out
