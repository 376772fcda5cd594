"""Issue 11 point 5: a headless ``reaper-assist run ... --save OUT.RPP`` never damages a file.

Every way the save can fail (a read-only place, a full disk, a missing folder, a folder in place
of the file) ends with one message on stderr naming the file and the cause, exit code 2, the input
project byte-identical, and no temporary file anywhere. ``--save`` naming the input is refused
without ``--in-place``. Tracks sharing a GUID are never changed (either could be meant).

The full disk is a real 64 KiB tmpfs where the test may mount one (root with CAP_SYS_ADMIN), and
always also the ENOSPC an injected fault in the one writer function (``write_atomic``) raises.
"""

from __future__ import annotations

import errno
import os
import re
import subprocess
import uuid
from pathlib import Path

import pytest

from reaper_assist import cli
from reaper_assist.emulator import project as project_mod
from reaper_assist.emulator.project import Project
from tests.badinput.badinput_cases import SUBJECT, Case, hits

ACTION = ["run", "gain-stage", "--tracks", SUBJECT]


@pytest.fixture
def song(tmp_path) -> Path:
    c = Case(tmp_path)
    c.track(SUBJECT, hits(seconds=1.0))
    return c.save()


def _run(capsys, *argv: str) -> tuple[int, str]:
    rc = cli.main(list(argv))
    return rc, capsys.readouterr().err


def _leftovers(*folders: Path) -> list[str]:
    return [p.name for d in folders if d.is_dir() for p in d.iterdir() if p.name.endswith(".tmp")]


def _refused(rc: int, err: str, target: Path, cause: str) -> None:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert rc == 2, err
    assert len(lines) == 1 and lines[0].startswith("reaper-assist: "), err  # one clear message
    assert str(target) in lines[0] and re.search(cause, lines[0], re.IGNORECASE), err
    assert "Traceback" not in err


def _mount_tmpfs(where: Path, options: str) -> bool:
    where.mkdir()
    if os.geteuid() != 0:
        return False
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True, check=False)
    return r.returncode == 0


def _umount(where: Path) -> None:
    subprocess.run(["umount", str(where)], capture_output=True, check=False)


def test_save_into_missing_folder_is_refused_before_the_run(song, capsys):
    out = song.parent / "no-such-folder" / "out.rpp"
    before = song.read_bytes()
    rc, err = _run(capsys, *ACTION, "--project", str(song), "--save", str(out))
    _refused(rc, err, out, r"does not exist")
    assert song.read_bytes() == before and not out.parent.exists()
    assert _leftovers(song.parent) == []


def test_save_onto_a_folder_is_refused(song, capsys):
    out = song.parent / "a-folder.rpp"
    out.mkdir()
    rc, err = _run(capsys, *ACTION, "--project", str(song), "--save", str(out))
    _refused(rc, err, out, r"is a folder")
    assert list(out.iterdir()) == [] and _leftovers(song.parent) == []


def test_save_into_a_read_only_folder_leaves_nothing(song, tmp_path, capsys):
    """A read-only file system (a read-only tmpfs as root; a 0555 folder otherwise)."""
    ro = tmp_path / "ro"
    mounted = _mount_tmpfs(ro, "ro,size=64k")
    if not mounted:
        if os.geteuid() == 0:
            pytest.skip("root without mount: a mode-0555 folder does not stop root (EROFS is injected below)")
        ro.chmod(0o555)
    try:
        out = ro / "out.rpp"
        rc, err = _run(capsys, *ACTION, "--project", str(song), "--save", str(out))
        _refused(rc, err, out, r"read-only")
        assert list(ro.iterdir()) == []
    finally:
        _umount(ro) if mounted else ro.chmod(0o755)


@pytest.mark.parametrize("code, cause", [(errno.ENOSPC, "No space left on device"),
                                          (errno.EROFS, "Read-only file system"),
                                          (errno.EIO, "Input/output error")])
def test_a_failing_write_leaves_the_old_file_and_no_tmp(song, capsys, monkeypatch, code, cause):
    """The fault hook of the one writer function: the error comes mid-write, after the temporary
    file exists; the target keeps its old content and the temporary file is gone."""
    out = song.parent / "out.rpp"
    out.write_bytes(b"<REAPER_PROJECT 0.1 \"old\" 0\n>\n")
    old = out.read_bytes()

    def fault(path):
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr(project_mod, "_write_fault", fault)
    before = song.read_bytes()
    rc, err = _run(capsys, *ACTION, "--project", str(song), "--save", str(out))
    _refused(rc, err, out, re.escape(cause))
    assert out.read_bytes() == old and song.read_bytes() == before
    assert _leftovers(song.parent) == []


def test_a_really_full_disk_leaves_nothing(song, tmp_path, capsys):
    full = tmp_path / "full"
    if not _mount_tmpfs(full, "size=64k"):
        pytest.skip("cannot mount a tmpfs here; the injected ENOSPC above covers the same path")
    try:
        with open(full / "filler", "wb", buffering=0) as f:  # fill the disk to the last byte
            try:
                while True:
                    f.write(b"\0" * 1024)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
        out = full / "out.rpp"
        rc, err = _run(capsys, *ACTION, "--project", str(song), "--save", str(out))
        _refused(rc, err, out, r"No space left on device")
        assert [p.name for p in full.iterdir()] == ["filler"]
    finally:
        _umount(full)


def test_save_onto_the_input_needs_in_place(song, capsys):
    before = song.read_bytes()
    for same in (str(song), str(song.parent / "." / song.name)):
        rc, err = _run(capsys, *ACTION, "--project", str(song), "--save", same)
        _refused(rc, err, Path(same), r"--in-place")
        assert song.read_bytes() == before
    link = song.parent / "link.rpp"
    os.link(song, link)  # the same file under another name
    rc, err = _run(capsys, *ACTION, "--project", str(song), "--save", str(link))
    _refused(rc, err, link, r"--in-place")
    assert song.read_bytes() == before


def test_in_place_overwrites_and_keeps_a_backup(song, capsys):
    before = song.read_bytes()
    rc, err = _run(capsys, *ACTION, "--project", str(song), "--in-place")
    assert rc == 0, err
    assert Path(str(song) + ".bak").read_bytes() == before
    after = Project.load(song)
    assert after.tracks[0].fx or after.tracks[0].items[0].takes[0].volume != 1.0  # the change is in
    assert _leftovers(song.parent) == []


def test_tracks_sharing_a_guid_are_never_changed(tmp_path, capsys):
    c = Case(tmp_path)
    a, _ = c.track(SUBJECT, hits(seconds=1.0))
    b, _ = c.track("Snare copy", hits(seconds=1.0, seed=9), selected=False)
    guid = a.guid
    b.chunk.set("TRACKID", 0, guid)
    b.chunk.set_attrs([guid])
    song = c.save()
    before = song.read_bytes()
    out = tmp_path / "out.rpp"
    rc, err = _run(capsys, *ACTION, "--project", str(song), "--save", str(out))
    assert rc == 2, err
    msg = err.strip().splitlines()[-1]
    assert f"'{SUBJECT}'" in msg and "'Snare copy'" in msg and "GUID" in msg, err
    assert "warning" in err and guid in err  # named when the project is read
    assert not out.exists() and song.read_bytes() == before


def test_bridge_refuses_a_change_addressed_to_a_shared_guid(tmp_path):
    """Inside REAPER (any caller of the bridge's write path): an op for a GUID two tracks hold is
    refused with both named, and neither track changes."""
    from reaper_assist.errors import StaleReferenceError
    from reaper_assist.host.inprocess import InProcessHost

    c = Case(tmp_path)
    a, _ = c.track("Kick", hits(seconds=0.5))
    b, _ = c.track("Kick 2", hits(seconds=0.5))
    b.chunk.set("TRACKID", 0, a.guid)
    host = InProcessHost.open(str(c.save()))
    before = host.reaper.project.dumps()
    with pytest.raises(StaleReferenceError, match=r"track 1 'Kick' and track 2 'Kick 2' share"):
        host.apply([{"op": "track_info", "track": a.guid, "track_name": "Kick", "parm": "D_VOL",
                     "value": 0.5, "expect": 1.0}], "test")
    assert host.reaper.project.dumps() == before


def test_project_names_duplicate_fx_guids(tmp_path):
    c = Case(tmp_path)
    c.track("Bass", hits(seconds=0.5))
    text = c.project.dumps()
    fxid = "{" + str(uuid.uuid4()).upper() + "}"
    chain = ("    <FXCHAIN\n      SHOW 0\n      LASTSEL 0\n      DOCKED 0\n"
             + "".join(f'      BYPASS 0 0 0\n      <JS "Utility/volume" "{n}"\n        0 0 - - - - - - - - - - - - - - - -\n'
                       f"      >\n      FXID {fxid}\n      WAK 0 0\n" for n in ("A", "B"))
             + "    >\n")
    text = text.replace("    <ITEM", chain + "    <ITEM", 1)
    p = Project.loads(text)
    found = p.duplicate_guids()
    assert len(found) == 1 and "'Bass'" in found[0] and "FX 1" in found[0] and "FX 2" in found[0], found
