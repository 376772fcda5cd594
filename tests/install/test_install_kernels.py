"""``reaper-assist install`` compiles the loudness meter's kernels in the companion's Python, so a
first press only loads them (issue 20); a Python that cannot compile them never fails the install."""

from __future__ import annotations

import json
import subprocess
import sys

from reaper_assist import cli
from reaper_assist.analysis import _kernels
from reaper_assist.media import _pcm_kernels
from reaper_assist.install.kernels import _PROBE, compile_kernels


def _stats_in_a_new_process() -> dict:
    """numba's own cache statistics of each kernel, as a companion starting now would load them."""
    done = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=900, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_install_leaves_every_signature_compiled_in_numbas_cache(resource, capsys, tmp_path, monkeypatch):
    # a cache of its own, empty: the session's processes have filled the default one already, so
    # only here does a missing compile step show (the companion would then compile on its press)
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "numba-cache"))
    modules = {m.__name__: m for m in (_kernels, _pcm_kernels)}
    every = sum(len(getattr(mod, f).signatures) for mod in modules.values() for f in mod.COMPILED)
    assert cli.main(["install", "--resource-path", str(resource), "--python", sys.executable]) == 0
    out = capsys.readouterr().out
    assert f"the loudness meter's kernels are ready (compiled {every} signature(s), 0 loaded" in out, out
    assert str(tmp_path / "numba-cache") in out
    got = _stats_in_a_new_process()
    assert got["loaded"] and got["why"] == ""
    assert sorted(got["kernels"]) == sorted(f"{m}.{f}" for m, mod in modules.items() for f in mod.COMPILED)
    for key, k in got["kernels"].items():
        mod, name = key.rsplit(".", 1)
        # every signature a press uses was found in the cache: nothing left to compile
        assert k["misses"] == 0 and k["hits"] == k["signatures"] == len(getattr(modules[mod], name).signatures), (key, k)


def test_a_python_without_numba_is_a_note_not_a_failure(tmp_path):
    fake = tmp_path / "python3"
    fake.write_text("#!/bin/sh\necho 'ModuleNotFoundError: No module named numba' >&2\nexit 1\n")
    fake.chmod(0o755)
    rep = compile_kernels(str(fake))
    assert not rep.loaded
    assert "exited with status 1: ModuleNotFoundError: No module named numba" in rep.why
    assert "measures with numpy instead" in rep.note()


def test_a_compile_past_its_time_is_given_up(tmp_path):
    slow = tmp_path / "python3"
    slow.write_text("#!/bin/sh\nsleep 30\n")
    slow.chmod(0o755)
    rep = compile_kernels(str(slow), timeout_s=0.5)
    assert not rep.loaded and rep.why == "compiling took longer than 0.5 s"
