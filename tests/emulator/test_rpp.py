"""RPP reader/writer: every real fixture loads, save->load->save is a fixed point, unknown chunks
survive verbatim, corrupt files give one error naming the line."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reaper_assist.emulator import rpp
from reaper_assist.emulator.project import Project
from reaper_assist.errors import ProjectFormatError
from tests.conftest import RPP_FIXTURES


@pytest.mark.parametrize("path", RPP_FIXTURES, ids=lambda p: p.name)
def test_fixture_save_load_save_is_a_fixed_point(path):
    first = Project.load(path).dumps()
    second = Project.loads(first).dumps()
    assert second == first


@pytest.mark.parametrize("path", RPP_FIXTURES, ids=lambda p: p.name)
def test_fixture_content_survives_except_indentation(path):
    """Every non-blank line of the original is in the saved text, in order (only indentation changes)."""
    original = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    saved = [ln.strip() for ln in Project.load(path).dumps().splitlines()]
    assert saved == original


def test_unknown_chunk_survives_verbatim():
    text = ('<REAPER_PROJECT 0.1 "7.0" 0\n  <MYEXTENSION_DATA 1 "two words"\n    |raw text  with  spaces\n'
            '    K v\n  >\n  <TRACK {A}\n    NAME x\n    <WEIRD\n      ZZ 1\n    >\n  >\n>\n')
    assert Project.loads(text).dumps() == text


@pytest.mark.parametrize("text,line,what", [
    ('<REAPER_PROJECT 0.1 "7.0" 0\n  <TRACK\n    NAME a\n', 2, "never closed"),
    ('<REAPER_PROJECT 0.1 "7.0" 0\n>\n>\n', 3, "never opened"),
    ("", 1, "empty"),
    ("NAME a\n", 1, "does not start"),
    ('<REAPER_PROJECT 0.1 "7.0" 0\n>\n<TRACK\n>\n', 3, "after the end"),
    ('<REAPER_PROJECT 0.1\n  NAME \x00\n>\n', 2, "NUL"),
])
def test_corrupt_project_names_the_line(text, line, what):
    with pytest.raises(ProjectFormatError, match=what) as info:
        Project.loads(text, path="song.rpp")
    assert info.value.line == line
    assert f"line {line}" in str(info.value) and "song.rpp" in str(info.value)


def test_truncated_fixture_names_the_unclosed_chunk(tmp_path):
    src = (RPP_FIXTURES[0]).read_text(encoding="utf-8")
    cut = tmp_path / "cut.rpp"
    cut.write_text(src[: len(src) // 2], encoding="utf-8")
    with pytest.raises(ProjectFormatError, match="truncated"):
        Project.load(cut)


def test_missing_file_is_a_project_format_error(tmp_path):
    with pytest.raises(ProjectFormatError, match="cannot read"):
        Project.load(tmp_path / "nope.rpp")


tokens = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)


@given(st.lists(tokens.filter(lambda t: not ("'" in t and '"' in t and "`" in t)), min_size=1, max_size=6))
def test_quote_tokenize_round_trip(toks):
    line = " ".join(rpp.quote(t) for t in toks)
    assert rpp.tokenize(line) == toks


def test_quoting_follows_reaper_rules():
    assert rpp.quote("Vox") == "Vox"
    assert rpp.quote("Lead Vox") == '"Lead Vox"'
    assert rpp.quote('say "hi"') == "'say \"hi\"'"
    assert rpp.quote("""it's "x\"""") == "`it's \"x\"`"
    assert rpp.quote("") == '""'


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_number_format_reads_back_exactly(x):
    assert float(rpp.fmt_number(x)) == x
