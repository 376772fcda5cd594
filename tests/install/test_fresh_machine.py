"""Issue 10 point 8: the README's test command works as written on a fresh Debian machine. Its first
step (install/test-deps.sh) installs the Debian packages the tests use (.ci/apt-packages-*.txt) with
apt-get as root or through sudo, and otherwise fails saying what to install; .ci/run runs that very
command from the README. apt-get, dpkg-query, id and sudo are stand-ins here that record their calls."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def readme_test_command() -> str:
    text = (REPO / "README.md").read_text()
    block = re.search(r"^Run the tests.*?^```\n(.*?)\n^```", text, re.S | re.M)
    assert block, "README.md has no code block after 'Run the tests'"
    return block.group(1).strip()


def needed_packages() -> list[str]:
    pkgs = []
    for f in sorted((REPO / ".ci").glob("apt-packages*.txt")):
        for line in f.read_text().splitlines():
            pkgs += line.split("#", 1)[0].split()
    return pkgs


def _fake_bin(tmp: Path, *, installed: bool, uid: int, sudo_ok: bool | None) -> Path:
    bin_dir = tmp / "bin"
    bin_dir.mkdir()
    log = tmp / "calls.log"
    scripts = {
        "dpkg-query": f'echo "dpkg-query $*" >> "{log}"; '
                      + ('printf "install ok installed"' if installed else "exit 1"),
        "apt-get": f'echo "apt-get $* DEBIAN_FRONTEND=$DEBIAN_FRONTEND" >> "{log}"',
        "id": f"echo {uid}",
    }
    if sudo_ok is not None:
        scripts["sudo"] = (f'echo "sudo $*" >> "{log}"; [ "$2" = true ] && exit {0 if sudo_ok else 1}; '
                           'shift; exec "$@"')
    for name, body in scripts.items():
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n")
        (bin_dir / name).chmod(0o755)
    return bin_dir


def _run_deps(tmp: Path, **fake) -> tuple[subprocess.CompletedProcess, str]:
    bin_dir = _fake_bin(tmp, **fake)
    # the fakes first; sh, sed, grep, tr, cat from the system (never the system's sudo)
    path = os.pathsep.join([str(bin_dir), "/usr/bin", "/bin"])
    env = {"PATH": path, "HOME": str(tmp)}
    if fake.get("sudo_ok") is None:  # no sudo at all: hide the system's
        env["PATH"] = os.pathsep.join([str(bin_dir), str(_system_tools(tmp))])
    out = subprocess.run(["sh", str(REPO / "install" / "test-deps.sh")], capture_output=True, text=True,
                         env=env, timeout=60)
    log = tmp / "calls.log"
    return out, log.read_text() if log.exists() else ""


def _system_tools(tmp: Path) -> Path:
    """A folder with the few system tools the script uses, and no sudo."""
    d = tmp / "tools"
    d.mkdir()
    for tool in ("sh", "cat", "sed", "tr", "grep", "dirname", "env"):
        for where in ("/usr/bin", "/bin"):
            if os.path.exists(os.path.join(where, tool)):
                os.symlink(os.path.join(where, tool), d / tool)
                break
    return d


def test_readme_test_command_installs_the_debian_packages_first():
    assert readme_test_command().startswith("sh install/test-deps.sh && ")


def test_ci_runs_the_readme_test_command_verbatim():
    out = subprocess.run([str(REPO / ".ci" / "run"), "--print-command"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == readme_test_command()


def test_missing_packages_are_installed_with_apt_get_as_root(tmp_path):
    out, calls = _run_deps(tmp_path, installed=False, uid=0, sudo_ok=None)
    assert out.returncode == 0, out.stderr
    install = [ln for ln in calls.splitlines() if ln.startswith("apt-get install")]
    assert len(install) == 1 and "apt-get update -qq" in calls
    assert install[0].split()[5:-1] == needed_packages()  # apt-get install -y -qq --no-install-recommends PKGS
    assert install[0].endswith("DEBIAN_FRONTEND=noninteractive")


def test_missing_packages_are_installed_through_sudo(tmp_path):
    out, calls = _run_deps(tmp_path, installed=False, uid=1000, sudo_ok=True)
    assert out.returncode == 0, out.stderr
    assert "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install" in calls
    assert any(ln.startswith("apt-get install") for ln in calls.splitlines())


def test_without_root_or_sudo_it_fails_saying_what_to_install(tmp_path):
    for sudo_ok in (False, None):
        d = tmp_path / f"sudo-{sudo_ok}"
        d.mkdir()
        out, calls = _run_deps(d, installed=False, uid=1000, sudo_ok=sudo_ok)
        assert out.returncode == 1
        assert "install them with: sudo apt-get install " + " ".join(needed_packages()) in out.stderr
        assert "apt-get install" not in calls


def test_nothing_is_installed_when_everything_is_there(tmp_path):
    out, calls = _run_deps(tmp_path, installed=True, uid=0, sudo_ok=None)
    assert out.returncode == 0 and "apt-get" not in calls
    assert calls.count("dpkg-query") == len(needed_packages())
