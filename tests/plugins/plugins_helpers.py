"""Fixtures for the plugin tests: FX blocks extracted from the real projects in tests/data/rpp."""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest



@pytest.fixture(autouse=True)
def _no_reapy(monkeypatch):
    """The plugins layer must never need reapy (style.md rule 1). Set per test, never at
    collection time: a session-wide block would break the tests that do use the reapy client."""
    monkeypatch.setitem(sys.modules, "reapy", None)


RPP_DIR = Path(__file__).resolve().parents[1] / "data" / "rpp"

# Float tolerances, named for what they are.
FLOAT32_REL = 1e-6  # a value that went through float32 storage
FACTS_ROUNDING_ABS = 5e-7  # facts quote normalized values to 6 decimals
DISPLAY_DB_ABS = 0.05  # one displayed decimal of a dB value
HZ_REL = 1e-9  # double-precision Hz round trip


@dataclass(frozen=True)
class FxBlock:
    """One ``<VST``/``<JS`` block of an RPP file."""

    path: str
    line: int  # 1-based line of the opening tag
    tag: str
    header_tokens: list
    body_lines: list  # stripped lines between the opening line and its ">"

    @property
    def name(self) -> str:
        return self.header_tokens[0].strip('"') if self.header_tokens else ""


def _tokens(rest: str) -> list[str]:
    lexer = shlex.shlex(rest, posix=False)
    lexer.whitespace_split = True
    lexer.commenters = ""
    return list(lexer)


def read_fx_blocks(path: Path) -> list[FxBlock]:
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    out = []
    for i, raw in enumerate(lines):
        s = raw.strip()
        for tag in ("VST", "JS"):
            if s.startswith(f"<{tag} "):
                body = []
                j = i + 1
                while lines[j].strip() != ">":
                    body.append(lines[j].strip())
                    j += 1
                out.append(FxBlock(path.name, i + 1, tag, _tokens(s[len(tag) + 2 :]), body))
    return out


def all_fx_blocks() -> list[FxBlock]:
    blocks: list[FxBlock] = []
    for p in sorted(RPP_DIR.iterdir()):
        if p.suffix.lower() == ".rpp":
            blocks.extend(read_fx_blocks(p))
    return blocks


@pytest.fixture(scope="session")
def fx_blocks() -> list[FxBlock]:
    return all_fx_blocks()


def block_at(name: str, line: int) -> FxBlock:
    for b in read_fx_blocks(RPP_DIR / name):
        if b.line == line:
            return b
    raise LookupError(f"no FX block at {name}:{line}")
