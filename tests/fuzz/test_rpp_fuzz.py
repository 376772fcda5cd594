"""Fuzz the .RPP reader: whatever the bytes, ``Project.loads`` returns a project or raises our
ProjectFormatError, never anything else (issue 6). Mutations of the real fixtures in tests/data/rpp
plus hypothesis-generated chunk text; seeded, bounded."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reaper_assist.emulator.project import Project
from reaper_assist.errors import ProjectFormatError

RPP_DIR = Path(__file__).resolve().parents[1] / "data" / "rpp"
FIXTURES = sorted(p for p in RPP_DIR.iterdir() if p.suffix.lower() == ".rpp")
TOKENS = ["<", ">", "<TRACK", "<ITEM", "<SOURCE WAVE", "<FXCHAIN", "<VST", "<EXTSTATE", '"', "'", "`", "{",
          "}", "NAME", "VOLPAN", "GUID", "FILE", "\n", "\r\n", "\t", " ", "\0", "\x1b", "1e309", "-nan", "|",
          "<REAPER_PROJECT 0.1", "SECTION", "MODE", "TAKE", "SEL 1", "POSITION", "LENGTH", "PLAYRATE"]


def check(text: str) -> None:
    try:
        Project.loads(text)
    except ProjectFormatError:
        pass


def mutate(text: str, rng: random.Random) -> str:
    lines = text.splitlines(keepends=True)
    for _ in range(rng.randint(1, 4)):
        if not lines:
            lines = [rng.choice(TOKENS)]
        k = rng.randrange(len(lines))
        m = rng.randrange(7)
        if m == 0:
            del lines[k]
        elif m == 1:
            lines.insert(k, rng.choice(lines))
        elif m == 2:
            s = lines[k]
            i = rng.randrange(len(s) + 1)
            lines[k] = s[:i] + rng.choice(TOKENS) + s[i:]
        elif m == 3:
            lines = lines[: rng.randrange(len(lines) + 1)]  # truncated
        elif m == 4:
            s = lines[k]
            i = rng.randrange(len(s) + 1)
            lines[k] = s[:i] + s[i + rng.randint(1, 8):]
        elif m == 5:
            j = rng.randrange(len(lines))
            lines[k], lines[j] = lines[j], lines[k]
        else:
            lines[k] = "".join(chr(rng.randrange(32, 0x2FF)) for _ in range(rng.randint(0, 40))) + "\n"
    return "".join(lines)


@pytest.mark.parametrize("fixture", FIXTURES, ids=[p.name for p in FIXTURES])
def test_mutated_fixtures_raise_only_project_format_error(fixture):
    text = fixture.read_bytes().decode("utf-8", errors="surrogateescape")
    rng = random.Random(fixture.name)
    for _ in range(150):
        check(mutate(text, rng))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=12)), max_size=40))
def test_generated_chunk_text_raises_only_project_format_error(parts):
    check("".join(parts))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_decoded_raise_only_project_format_error(data):
    check("<REAPER_PROJECT 0.1\n" + data.decode("utf-8", errors="surrogateescape"))
