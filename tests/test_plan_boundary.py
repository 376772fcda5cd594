"""Issue 12 point 1 acceptance: no REAPER API parameter name, write kind or native value is made
outside the realize step (host/realize.py) and the inside-REAPER package (bridge/).

Scans the code (not comments or docstrings) of the layers that decide and orchestrate: rules/ and
app/ (app/track_audio.py is the read side's item representation, issue 12 point 4)."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest

from reaper_assist.bridge.writes import KINDS

ROOT = Path(__file__).resolve().parents[1] / "reaper_assist"
SCANNED = sorted([*ROOT.glob("rules/*.py"), *(p for p in ROOT.glob("app/*.py") if p.name != "track_audio.py")])
API_NAME = re.compile(r"\b([DIBPC]_[A-Z][A-Z0-9_]+|P_EXT:|BANDTYPE|BANDENABLED|TrackFX_\w+|"
                      r"(Get|Set)Media\w+Info\w*)")
KIND_LITERAL = re.compile(r"^[rbf]*['\"](" + "|".join(map(re.escape, [*KINDS, "renamed_name", "fx_name"]))
                          + r")['\"]$")  # write kinds and named config keys as literals
# plugin-map functions that produce native values (or parameter indices) from real units
NATIVE_MAKERS = {"from_units", "to_normalized", "check_native", "param_by_key", "freq_native", "bw_native",
                 "reaeq_gain_native", "slider_for_gain_db", "eq_value_to_native", "eq_param_index"}


def _code_tokens(path: Path):
    """(kind, text, line) of the file's tokens, docstrings and comments left out."""
    toks = list(tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline))
    prev = tokenize.NEWLINE
    for t in toks:
        if t.type in (tokenize.COMMENT, tokenize.NL):
            continue
        is_doc = t.type == tokenize.STRING and prev in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)
        if not is_doc:
            yield t.type, t.string, t.start[0]
        prev = t.type


def test_the_scan_covers_the_deciding_layers():
    names = {p.relative_to(ROOT).as_posix() for p in SCANNED}
    assert {"rules/gain_staging.py", "rules/steps.py", "app/gain_stage.py", "app/auto_eq.py"} <= names


@pytest.mark.parametrize("path", SCANNED, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_reaper_api_names_or_native_values_outside_realize(path):
    found = []
    for kind, text, line in _code_tokens(path):
        if kind == tokenize.STRING and (API_NAME.search(text) or KIND_LITERAL.match(text)):
            found.append(f"{line}: {text}")
        if kind == tokenize.NAME and text in NATIVE_MAKERS:
            found.append(f"{line}: {text}()")
    assert not found, f"{path.name} makes REAPER writes itself (belongs in host/realize.py): {found}"


def test_the_scan_would_see_a_native_write(tmp_path):
    """The checker itself: the old gain-staging rule's write is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text('"""doc D_VOL"""\nop = {"op": "take_info", "parm": "D_VOL"}\nx = p.from_units(3)\n')
    hits = [(k, t) for k, t, _ in _code_tokens(bad)
            if (k == tokenize.STRING and (API_NAME.search(t) or KIND_LITERAL.match(t))) or t in NATIVE_MAKERS]
    assert [t for _, t in hits] == ['"take_info"', '"D_VOL"', "from_units"]


def test_the_inside_reaper_package_imports_nothing_else_of_ours():
    """bridge/ (writes, txn, remote...) runs in REAPER with the standard library + reapy only."""
    import subprocess
    import sys

    code = ("import sys, reaper_assist.bridge.writes, reaper_assist.bridge.txn, reaper_assist.bridge.remote;"
            "print(sorted(m for m in sys.modules if m.startswith('reaper_assist.') "
            "and not m.startswith('reaper_assist.bridge')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         cwd=str(ROOT.parent))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
