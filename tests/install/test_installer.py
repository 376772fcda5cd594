"""install / uninstall: byte-exact revert, idempotence, backups, permissions, all-or-nothing."""

from __future__ import annotations

import ast
import json
import os
import shutil
from pathlib import Path
import stat
import sys

import pytest
from install_helpers import snapshot

from reaper_assist.app import registry
from reaper_assist.install import InstallError, core, edits, install, uninstall


def test_install_then_uninstall_is_byte_exact(resource):
    before = snapshot(resource)
    install(resource, python=sys.executable, web_port=2399)
    after = snapshot(resource)
    assert after != before
    kb = after["reaper-kb.ini"].decode()
    assert kb.startswith(before["reaper-kb.ini"].decode() + "\n")  # the user's last line kept, newline-safe
    for info in registry.ACTIONS.values():
        path = resource / "Scripts" / "reaper-assist" / core.action_script_name(info.name)
        assert path.is_file()
        assert f'SCR 4 0 {info.command_id} "reaper-assist: {info.title}" "{path}"' in kb  # space -> quoted
    ini = after["reaper.ini"].decode()
    assert "\r\nreascript=1\r\n" in ini and "csurf_cnt=2\r\n" in ini
    assert "csurf_1=HTTP 0 2399 '' 'index.html' 0 ''\r\n" in ini
    assert b"user startup" in after["Scripts/__startup.lua"] and b"_RS_reaper_assist_start_bridge" in after["Scripts/__startup.lua"]
    assert "reaper_assist_start_bridge.py" in after["Scripts/__startup.py"].decode()

    uninstall(resource)
    assert snapshot(resource) == before


def test_second_install_changes_no_byte(resource):
    install(resource, python=sys.executable, web_port=2399)
    first = snapshot(resource)
    plan, _ = install(resource, python=sys.executable, web_port=2399)
    assert [c for c in plan.changes if not c.noop] == []
    assert snapshot(resource) == first


def test_backups_made_once_and_hold_the_originals(resource):
    before = snapshot(resource)
    install(resource, python=sys.executable)
    for name in ("reaper.ini", "reaper-kb.ini", "Scripts/__startup.lua"):
        assert (resource / (name + ".reaper-assist.bak")).read_bytes() == before[name]
    install(resource, python=sys.executable, web_port=2400)  # a changed install keeps the first backups
    for name in ("reaper.ini", "reaper-kb.ini"):
        assert (resource / (name + ".reaper-assist.bak")).read_bytes() == before[name]
    uninstall(resource)
    assert snapshot(resource) == before


def test_config_and_token_readable_by_the_user_only(resource):
    _, cfg = install(resource, python=sys.executable, web_port=2399)
    path = resource / "reaper_assist.json"
    if os.name != "nt":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text())
    assert data["python"] == sys.executable and data["web_port"] == 2399
    assert len(data["token"]) == 32
    assert "companion_port" not in data  # the companion listens in the private directory, on no port
    _, again = install(resource, python=sys.executable, web_port=2399)
    assert again.token == cfg.token  # kept: a running companion keeps accepting the scripts


def test_uninstall_after_reaper_rewrote_files_removes_only_ours(resource):
    before = snapshot(resource)
    install(resource, python=sys.executable)
    kb = resource / "reaper-kb.ini"
    kb.write_bytes(kb.read_bytes() + b"KEY 9 71 _RS_reaper_assist_gain_stage 0\n")  # the user bound a key
    uninstall(resource)
    text = kb.read_text()
    assert "SCR 4 0 RS_reaper_assist" not in text
    assert text.startswith(before["reaper-kb.ini"].decode())
    assert (resource / "reaper-kb.ini.reaper-assist.bak").read_bytes() == before["reaper-kb.ini"]  # kept
    assert snapshot(resource)["reaper.ini"] == before["reaper.ini"]
    assert not (resource / "reaper_assist.json").exists()
    assert not (resource / "Scripts" / "reaper-assist").exists()


def test_fresh_folder_created_files_are_removed(tmp_path):
    r = tmp_path / "empty"
    r.mkdir()
    install(r, python=sys.executable)
    assert (r / "reaper-kb.ini").is_file() and not (r / "reaper.ini").exists()  # reaper.ini only when present
    uninstall(r)
    assert list(r.iterdir()) == []


def test_failed_write_leaves_nothing_half_written(resource, monkeypatch):
    before = snapshot(resource)
    real = core._write
    calls = {"n": 0}

    def flaky(path, data, mode):
        calls["n"] += 1
        if calls["n"] == 5:
            raise PermissionError(13, "Permission denied", str(path))
        real(path, data, mode)

    monkeypatch.setattr(core, "_write", flaky)
    with pytest.raises(InstallError, match="nothing was changed"):
        install(resource, python=sys.executable)
    assert snapshot(resource) == before


@pytest.mark.skipif(os.name == "nt", reason="POSIX folder permissions")
def test_unwritable_resource_folder_names_the_path(resource):
    """A resource folder the installer cannot write. Root ignores folder permissions, so as root
    the folder is made read-only with a read-only bind mount in a private mount namespace
    (util-linux ``unshare -m``), and the installer runs inside it."""
    import subprocess

    before = snapshot(resource)
    code = f"import sys\nfrom reaper_assist.install import install\ninstall({str(resource)!r}, python=sys.executable)\n"
    repo = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": repo}
    if os.geteuid() == 0:
        script = (f"mount --bind '{resource}' '{resource}' && mount -o remount,ro,bind '{resource}' && "
                  f"exec '{sys.executable}' -c \"$0\"")
        cmd = ["unshare", "-m", "sh", "-c", script, code]
    else:
        os.chmod(resource, 0o555)
        cmd = [sys.executable, "-c", code]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
    finally:
        os.chmod(resource, 0o755)
    assert proc.returncode != 0, proc.stdout
    assert f"cannot write to {resource}" in proc.stderr and "nothing was changed" in proc.stderr, proc.stderr
    assert snapshot(resource) == before


def test_permission_check_names_the_path(resource, monkeypatch):
    real = os.access
    monkeypatch.setattr(core.os, "access", lambda p, m: False if str(p) == str(resource) else real(p, m))
    with pytest.raises(InstallError, match=f"cannot write to {resource}: permission denied; nothing was changed"):
        install(resource, python=sys.executable)


def test_not_a_folder(tmp_path):
    with pytest.raises(InstallError, match="is not a folder"):
        install(tmp_path / "nope", python=sys.executable)


def test_every_action_gets_a_script_from_the_one_template(resource):
    install(resource, python=sys.executable)
    scripts = resource / "Scripts" / "reaper-assist"
    for info in registry.ACTIONS.values():
        text = (scripts / core.action_script_name(info.name)).read_text(encoding="utf-8")
        assert text.startswith(f"# reaper-assist: {info.title}\n"), info.name
        assert f'ACTION = "{info.name}"' in text and "from reaper_python import *" in text
        assert "__ACTION__" not in text and "__TITLE__" not in text
    assert not (scripts / core.ACTION_TEMPLATE).exists()  # the template itself is not an action


def test_the_launcher_asks_for_a_reference_for_exactly_the_reference_actions():
    launcher = (core.actions_source_dir() / core.LAUNCHER).read_text(encoding="utf-8")
    line = next(ln for ln in launcher.splitlines() if ln.startswith("REFERENCE_ACTIONS = "))
    assert set(ast.literal_eval(line.split("=", 1)[1].strip())) == registry.REFERENCE_ACTIONS


def test_a_broken_template_is_refused_before_anything_is_written(resource, tmp_path, monkeypatch):
    src = tmp_path / "actions"
    shutil.copytree(core.actions_source_dir(), src)
    (src / core.ACTION_TEMPLATE).write_text("print('not the template')\n", encoding="utf-8")
    monkeypatch.setattr(core, "actions_source_dir", lambda: src)
    before = {p: p.read_bytes() for p in resource.rglob("*") if p.is_file()}
    with pytest.raises(InstallError, match="is not reaper-assist's action template"):
        install(resource, python=sys.executable)
    assert {p: p.read_bytes() for p in resource.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("field,expected", [("a.py", "a.py"), ("my dir/a.py", '"my dir/a.py"'),
                                            ('say "hi" now', "'say \"hi\" now'")])
def test_kb_quoting(field, expected):
    assert edits.quote(field) == expected
    with pytest.raises(ValueError):
        edits.scr_line("RS_x", "t", "a\nb.py")
