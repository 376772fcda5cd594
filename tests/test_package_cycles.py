"""Issue 12 acceptance: no package-level import circles inside reaper_assist.

Every ``import``/``from ... import`` of a ``reaper_assist.<package>`` module, at module level or inside
a function, is an edge from the importing package to that package; the graph must have no cycle
(today's layering: docs/architecture.md). Modules directly under reaper_assist/ (units, errors,
items, reaper_paths...) are leaves and not packages.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "reaper_assist"


def package_edges() -> dict[str, set[str]]:
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file()}
    edges: dict[str, set[str]] = {p: set() for p in packages}
    for src in packages:
        for f in (ROOT / src).rglob("*.py"):
            for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                elif isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                else:
                    continue
                for name in names:
                    parts = name.split(".")
                    if parts[0] == "reaper_assist" and len(parts) > 1 and parts[1] in packages and parts[1] != src:
                        edges[src].add(parts[1])
    return edges


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt, path + [nxt])
                if found:
                    return found
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state:
            found = visit(start, [start])
            if found:
                return found
    return None


def test_the_checker_finds_a_planted_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_package_level_import_circle():
    cycle = find_cycle(package_edges())
    assert cycle is None, "package import circle: " + " -> ".join(cycle or [])
