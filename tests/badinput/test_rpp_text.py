"""Issue 11 point 5: RPP text as REAPER writes it, and numbers that cannot be used.

* UTF-8 text reads and writes as UTF-8; bytes that are not valid UTF-8 (an old project saved in a
  code page) survive a load/save byte for byte, and the rest of the file stays UTF-8 (no latin-1
  reading of the whole file because of one byte).
* Track names with quotes of every kind, a leading ``#``, a line separator other than LF, or a
  newline round-trip through our writer and reader; a newline cannot break the file (facts 4.1 and
  WDL ``makeEscapedConfigString``: REAPER's format has no escape, so CR/LF become spaces).
* ``inf``, ``nan``, ``1e308`` in a numeric field are a ProjectFormatError naming the line.
"""

from __future__ import annotations

import pytest

from reaper_assist.emulator import rpp
from reaper_assist.emulator.project import Project
from reaper_assist.errors import ProjectFormatError
from reaper_assist.host.inprocess import InProcessHost

HEAD = '<REAPER_PROJECT 0.1 "7.15/linux-x86_64" 1700000000\n  SAMPLERATE 48000 0 0\n'


def _track(name_line: str, extra: str = "") -> str:
    return (f"  <TRACK {{11111111-2222-3333-4444-555555555555}}\n    {name_line}\n"
            f"    TRACKID {{11111111-2222-3333-4444-555555555555}}\n{extra}  >\n")


def test_invalid_utf8_bytes_survive_a_round_trip_and_the_rest_stays_utf8(tmp_path):
    src = tmp_path / "old.rpp"
    data = (HEAD + _track('NAME "Caf\xe9 \u00e9t\u00e9 \u266b"') + "  <NOTES 0 2\n    |na\xefve\n  >\n>\n")
    raw = data.encode("utf-8").replace("Caf\u00e9".encode(), b"Caf\xe9")  # one cp1252 byte in a UTF-8 file
    src.write_bytes(raw)
    p = Project.load(src)
    name = p.tracks[0].name
    assert name.startswith("Caf\udce9 ") and name.endswith("\u00e9t\u00e9 \u266b")  # the rest read as UTF-8
    out = tmp_path / "new.rpp"
    p.save(out)
    assert out.read_bytes() == raw  # byte for byte
    p.tracks[0].name = name + " 2"  # an edit elsewhere on the same line keeps the byte too
    p.save(out)
    assert b'NAME "Caf\xe9 \xc3\xa9t\xc3\xa9 \xe2\x99\xab 2"' in out.read_bytes()


def test_a_name_with_a_surrogate_byte_prints_on_the_cli(tmp_path, capsys):
    from reaper_assist import cli
    from tests.badinput.badinput_cases import Case, hits

    c = Case(tmp_path)
    c.track("Snare", hits(seconds=0.5))
    path = c.save()
    path.write_bytes(path.read_bytes().replace(b"NAME Snare", b"NAME Sn\xe4re"))
    rc = cli.main(["run", "gain-stage", "--project", str(path), "--selected", "--dry-run"])
    out = capsys.readouterr()
    assert rc == 0, out.err
    assert "Sn\\udce4re" in out.out and "Traceback" not in out.err


@pytest.mark.parametrize("name", [
    'Lead "Vox"', "Bob's guitar", 'Bob\'s "big" guitar', 'all `three` "quote" \'kinds\'',
    "#1 kick", "#kick", ";comment", "`tick", "", "tab\there", "line\u2028separator", "form\x0cfeed",
    "next\x85line"])
def test_track_names_round_trip_through_writer_and_reader(name):
    p = Project.new()
    p.add_track(0, name=name)
    p.add_track(1, name="After")
    q = Project.loads(p.dumps())
    expected = name.replace("`", "'") if all(ch in name for ch in "\"'`") else name
    assert [t.name for t in q.tracks] == [expected, "After"]
    assert q.dumps() == p.dumps()  # a fixed point


@pytest.mark.parametrize("name", ["Lead\nVox", "a\r\nb", "x\n>\n<TRACK evil", 'both "q" \'s\'\nand\n`b`'])
def test_a_newline_in_a_name_cannot_break_the_file(name):
    p = Project.new()
    p.add_track(0, name=name)
    p.add_track(1, name="After")
    text = p.dumps()
    q = Project.loads(text)
    assert len(q.tracks) == 2 and q.tracks[1].name == "After"
    got = q.tracks[0].name
    assert "\n" not in got and "\r" not in got
    flat = name.replace("\r", " ").replace("\n", " ")
    assert got == (flat.replace("`", "'") if all(ch in name for ch in "\"'`") else flat)
    assert Project.loads(q.dumps()).dumps() == q.dumps()


def test_quoting_matches_reaper():
    """WDL makeEscapedConfigString: bare unless empty, whitespace, or a leading quote/#/;."""
    assert rpp.quote("Kick") == "Kick"
    assert rpp.quote('a"b') == 'a"b'  # a quote inside a bare token is literal
    assert rpp.quote("") == '""'
    assert rpp.quote("#1") == '"#1"' and rpp.quote(";x") == '";x"'
    assert rpp.quote("Lead Vox") == '"Lead Vox"'
    assert rpp.quote('say "hi"') == "'say \"hi\"'"
    assert rpp.quote("""it's "x\"""") == '`it\'s "x"`'
    assert rpp.tokenize('NAME "#1" # a comment') == ["NAME", "#1"]
    assert rpp.tokenize("NAME a\"b c") == ["NAME", 'a"b', "c"]


@pytest.mark.parametrize("line, bad", [
    ("POSITION inf", "inf"), ("POSITION -inf", "-inf"), ("LENGTH nan", "nan"), ("LENGTH 1e308", "1e308"),
    ("VOLPAN 1 0 1e309 -1", "1e309"), ("PLAYRATE -nan 1 0 -1 0 0.0025", "-nan"), ("SOFFS 1.#INF", "1.#INF"),
    ("FADEIN 1 -1.#IND 0 1 0 0 0", "-1.#IND")])
def test_unusable_numbers_are_a_format_error_naming_the_line(tmp_path, line, bad):
    text = (HEAD + _track("NAME Kick", "    <ITEM\n      POSITION 0\n      LENGTH 1\n"
                          f"      {line}\n      NAME x\n    >\n") + ">\n")
    path = tmp_path / "bad.rpp"
    path.write_text(text)
    lineno = text.splitlines().index(f"      {line}") + 1
    with pytest.raises(ProjectFormatError) as e:
        InProcessHost.open(str(path))
    assert e.value.line == lineno and e.value.path == str(path)
    assert f"line {lineno}:" in str(e.value) and repr(bad) in str(e.value)


def test_nan_in_an_envelope_point_is_refused_and_a_track_named_nan_is_not():
    env = "    <VOLENV2\n      EGUID {A}\n      ACT 1 -1\n      PT 0 1 0\n      PT 1 nan 0\n    >\n"
    with pytest.raises(ProjectFormatError, match=r"line 10: PT: 'nan'"):
        Project.loads(HEAD + _track("NAME Kick", env) + ">\n")
    p = Project.loads(HEAD + _track("NAME nan") + ">\n")  # a name is not a number
    assert p.tracks[0].name == "nan"
