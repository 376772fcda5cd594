"""The Python REAPER embeds: which library it loads, and whether that Python can run the bridge.

REAPER loads the shared library named in reaper.ini (``pythonlibpath64`` / ``pythonlibdll64``, facts
3.2) into its own process. So:

* A Python built without a shared libpython (``Py_ENABLE_SHARED`` 0, common with pyenv's defaults)
  cannot be loaded at all.
* The loaded library is the *base* interpreter: a virtual environment's site-packages is not on its
  ``sys.path``. Install records the folders the chosen Python imports from (``site_paths`` in
  reaper_assist.json); the start-bridge script adds them (``site.addsitedir``, so ``.pth`` files
  and editable installs work) before anything imports reaper_assist or reapy.
* Install checks all of it by running that base interpreter the way REAPER's embedded Python
  starts (``-E``: no PYTHONPATH; the recorded folders added as the bridge script adds them;
  ``__main__.obj`` and a ``reaper_python`` module, so reapy imports as inside REAPER and connects
  nowhere) and importing what the bridge imports.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from functools import lru_cache

from reaper_assist.errors import ReaperAssistError

PROBE_TIMEOUT_S = 30.0

# Run by the chosen interpreter (standard library only); prints one JSON object.
_PROBE = r"""
import json, os, site, sys, sysconfig
cv = sysconfig.get_config_var
ver = "%d.%d" % sys.version_info[:2]
shared = os.name == "nt" or bool(cv("Py_ENABLE_SHARED")) or bool(cv("PYTHONFRAMEWORK"))
lib = ""
if shared:
    names = [n for n in (cv("LDLIBRARY"), cv("INSTSONAME")) if n and not n.endswith(".a")]
    names += (["python%d%d.dll" % sys.version_info[:2]] if os.name == "nt"
              else ["libpython%s.so" % ver, "libpython%s.dylib" % ver])
    dirs = [d for d in (cv("LIBDIR"), cv("PYTHONFRAMEWORKPREFIX"), os.path.dirname(sys.executable),
                        sys.base_prefix, os.path.join(sys.base_prefix, "lib")) if d]
    found = [os.path.join(d, n) for d in dirs for n in names if os.path.isfile(os.path.join(d, n))]
    lib = os.path.realpath(found[0]) if found else ""
paths = []
try:
    paths += site.getsitepackages()
except AttributeError:
    pass
if site.ENABLE_USER_SITE:
    paths.append(site.getusersitepackages())
paths += [sysconfig.get_paths()[k] for k in ("purelib", "platlib")]
seen = []
for p in paths:
    if p and os.path.isdir(p) and p not in seen:
        seen.append(p)
base = getattr(sys, "_base_executable", "") or sys.executable
if sys.prefix != sys.base_prefix and os.path.realpath(base) == os.path.realpath(sys.executable):
    cand = os.path.join(sys.base_prefix, "python.exe" if os.name == "nt" else "bin/python" + ver)
    base = cand if os.path.isfile(cand) else base
print(json.dumps({"version": ver, "executable": sys.executable, "base_executable": base,
                  "venv": sys.prefix != sys.base_prefix, "shared": shared, "libpython": lib, "site_paths": seen}))
"""

# Run by the base interpreter as REAPER would start it; argv[1] = JSON list of the recorded folders.
_IMPORT_CHECK = r"""
import json, os, site, sys, tempfile, types
sys.path[:] = [p for p in sys.path if p not in ("", os.getcwd())]  # -c puts the current folder first
for p in json.loads(sys.argv[1]):
    if p not in sys.path and os.path.isdir(p):
        site.addsitedir(p)
import __main__
__main__.obj = None
rp = types.ModuleType("reaper_python")
rp._ft = {}
rp.RPR_GetResourcePath = tempfile.gettempdir
sys.modules["reaper_python"] = rp
import reapy, reapy.reascript_api
import reaper_assist, reaper_assist.bridge.start
print(json.dumps({"reaper_assist": os.path.dirname(reaper_assist.__file__),
                  "reapy": os.path.dirname(reapy.__file__), "sys_path": sys.path}))
"""


class PythonCheckError(ReaperAssistError):
    """The chosen Python cannot serve as REAPER's Python; the message says what to do."""


@dataclass(frozen=True)
class EmbeddedPython:
    python: str  # the interpreter install was given (runs the companion)
    version: str
    base_executable: str  # the interpreter whose library REAPER loads
    libpython: str  # that library (reaper.ini pythonlibpath64 / pythonlibdll64)
    site_paths: tuple[str, ...]  # added to sys.path by the start-bridge script
    reaper_assist: str  # where REAPER's Python imports reaper_assist from (checked)
    reapy: str


def _run(cmd: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=PROBE_TIMEOUT_S,
                          stdin=subprocess.DEVNULL)


def probe(python: str) -> dict:
    """What ``python`` says about itself (its library, base interpreter, site folders)."""
    try:
        out = _run([python, "-c", _PROBE])
    except (OSError, subprocess.SubprocessError) as exc:
        raise PythonCheckError(f"cannot run {python} ({exc}); pass --python with the Python reaper-assist is "
                               "installed in") from exc
    try:
        return json.loads(out.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        tail = (out.stderr or out.stdout).strip().splitlines()[-1:] or ["no output"]
        raise PythonCheckError(f"{python} is not a Python that can run reaper-assist ({tail[0]}); pass --python "
                               "with the Python reaper-assist is installed in") from None


def _no_library(python: str, info: dict) -> str:
    ver = info.get("version", "3")
    return (f"{python} (Python {ver}) has no shared library (libpython{ver}): it was built without "
            "--enable-shared, so REAPER cannot load it. Either rebuild it with the shared library (pyenv: "
            f"PYTHON_CONFIGURE_OPTS=--enable-shared pyenv install --force {ver}) or install reaper-assist into a "
            "Python that has one (on Debian/Ubuntu /usr/bin/python3 with the libpython3 package) and run "
            "`reaper-assist install --python THAT_PYTHON`; nothing was changed")


@lru_cache(maxsize=16)
def check(python: str) -> EmbeddedPython:
    """The Python REAPER will embed for ``python``, with its imports verified; else PythonCheckError."""
    info = probe(python)
    lib = info.get("libpython") or ""
    if not info.get("shared") or not lib:
        raise PythonCheckError(_no_library(python, info))
    if not os.path.isfile(lib):
        raise PythonCheckError(f"the shared library of {python} ({lib}) does not exist; reinstall that Python or "
                               "pass --python with another one; nothing was changed")
    base = info.get("base_executable") or python
    paths = [str(p) for p in info.get("site_paths") or []]
    try:
        out = _run([base, "-E", "-c", _IMPORT_CHECK, json.dumps(paths)])
    except (OSError, subprocess.SubprocessError) as exc:
        raise PythonCheckError(f"cannot run {base}, the interpreter behind {python} that REAPER loads ({exc}); "
                               "pass --python with a Python that is not a broken virtual environment") from exc
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise PythonCheckError(
            f"REAPER's Python ({lib}, with the site folders of {python}) cannot import what the bridge needs: "
            f"{last}. Install reaper-assist and python-reapy into {python} (`{python} -m pip install "
            "reaper-assist`), or pass --python with the Python they are installed in; nothing was changed")
    found = json.loads(out.stdout.strip().splitlines()[-1])
    return EmbeddedPython(python, str(info.get("version")), base, lib, tuple(paths), found["reaper_assist"],
                          found["reapy"])
