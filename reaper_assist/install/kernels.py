"""Compile the companion's numba kernels at install, so that the first press does not pay for it.

The loudness meter's per-sample loops (:mod:`reaper_assist.analysis._kernels`) and the WAV PCM
converter (:mod:`reaper_assist.media._pcm_kernels`) are compiled by
numba on the first import on a machine and cached as machine code (next to the module, or in
numba's user cache when that folder is not writable, or in ``NUMBA_CACHE_DIR``). Compiling them
takes tens of seconds of CPU; loading them from the cache a fraction of one. ``reaper-assist
install`` imports them once in the Python that runs the companion (a child process: the
installer's own Python may be another one), so a shortcut's first press only loads them.

A failure here never fails the install: the meter then measures with numpy (slower, same
numbers) and the note says why.
"""

from __future__ import annotations

import json
import subprocess
import time
from dataclasses import dataclass

#: What the child process runs: load (compiling if needed) and warm the kernels, then report
#: numba's own per-signature cache statistics for each compiled function.
_PROBE = r"""
import json
from reaper_assist.analysis.loudness import kernels, kernels_problem
from reaper_assist.media.wav_pcm import converter
k, pcm = kernels(), converter()
out = {"loaded": k is not None and pcm is not None,
       "why": kernels_problem() or ("" if pcm is not None else "the WAV PCM converter did not load"), "kernels": {}}
for m in (k, pcm):
    for name in (m.COMPILED if m is not None else ()):
        st = getattr(m, name).stats
        out["kernels"][m.__name__ + "." + name] = {
            "hits": sum(st.cache_hits.values()), "misses": sum(st.cache_misses.values()),
            "signatures": len(getattr(m, name).signatures), "cache": st.cache_path}
print(json.dumps(out))
"""

#: Seconds the compile may take before the install gives up on it (a loaded 2-core machine
#: compiles them in about a minute).
TIMEOUT_S = 900.0


@dataclass(frozen=True)
class KernelReport:
    loaded: bool  # the kernels are compiled and cached for this Python
    seconds: float
    compiled: int  # signatures compiled now (numba's cache misses)
    cached: int  # signatures found in numba's cache (already compiled earlier)
    cache: str  # the folders numba keeps them in, "; " between ("" when not loaded)
    why: str  # why not loaded ("" when loaded)

    def note(self) -> str:
        if not self.loaded:
            return (f"the loudness meter's compiled kernels are not available ({self.why}); it measures with numpy "
                    "instead (same figures, several times slower)")
        how = (f"compiled {self.compiled} signature(s)" if self.compiled else "all already compiled")
        return (f"the loudness meter's kernels are ready ({how}, {self.cached} loaded from numba's cache; "
                f"{self.seconds:.1f} s) in {self.cache}")


def compile_kernels(python: str, *, timeout_s: float = TIMEOUT_S) -> KernelReport:
    """Compile (or load from numba's cache) the meter's kernels in ``python``; never raises."""
    t0 = time.perf_counter()

    def failed(why: str) -> KernelReport:
        return KernelReport(False, time.perf_counter() - t0, 0, 0, "", why)

    try:
        done = subprocess.run([python, "-c", _PROBE], capture_output=True, text=True, timeout=timeout_s,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return failed(f"compiling took longer than {timeout_s:g} s")
    except OSError as exc:
        return failed(f"could not run {python}: {exc}")
    lines = done.stdout.strip().splitlines()
    try:
        got = json.loads(lines[-1]) if done.returncode == 0 and lines else None
    except json.JSONDecodeError:
        got = None
    if not isinstance(got, dict):
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return failed(f"{python} exited with status {done.returncode}: {tail}")
    if not got.get("loaded"):
        return failed(str(got.get("why") or "numba could not load them"))
    ks = list(got.get("kernels", {}).values())
    folders = "; ".join(dict.fromkeys(k["cache"] for k in ks))  # one per kernel module, in order
    return KernelReport(True, time.perf_counter() - t0, sum(k["misses"] for k in ks), sum(k["hits"] for k in ks),
                        folders, "")
