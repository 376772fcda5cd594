"""Lossless reader and writer of REAPER's ``.RPP`` chunk format (facts.md section 4.1).

The format is line-oriented: ``<TAG attrs...`` opens a chunk, a line holding only ``>`` closes it,
every other line is a list of space-separated tokens (or raw text: base64 blobs, ``|`` note
lines, MIDI events). Tokens with spaces are quoted with ``"``, or ``'`` if they contain ``"``,
or a backtick if they contain both.

Lines are kept as their original text until someone edits them, so anything this module does not
understand survives a load/save verbatim, and ``dumps(parse(dumps(x))) == dumps(x)`` (a fixed
point). Indentation is regenerated (2 spaces per level), as REAPER writes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Union

from reaper_assist.errors import ProjectFormatError

__all__ = ["Chunk", "Line", "dumps", "fmt_number", "parse", "quote", "tokenize"]


def tokenize(text: str) -> list[str]:
    """Split one RPP line into tokens, removing REAPER's quoting."""
    tokens: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t":
            i += 1
            continue
        if c in "\"'`":
            end = text.find(c, i + 1)
            if end < 0:  # unterminated quote: REAPER takes the rest of the line
                tokens.append(text[i + 1 :])
                break
            tokens.append(text[i + 1 : end])
            i = end + 1
            continue
        j = i
        while j < n and text[j] not in " \t":
            j += 1
        tokens.append(text[i:j])
        i = j
    return tokens


def quote(token: str) -> str:
    """Quote a token the way REAPER does: only when it is empty or holds spaces/quotes."""
    token = str(token)
    if token and not any(ch in token for ch in " \t\"'`"):
        return token
    if '"' not in token:
        return f'"{token}"'
    if "'" not in token:
        return f"'{token}'"
    # REAPER's last resort; a backtick inside is replaced, as REAPER cannot express it.
    return "`" + token.replace("`", "'") + "`"


def fmt_number(value: float) -> str:
    """Shortest text that reads back as the same float (``1`` rather than ``1.0``)."""
    v = float(value)
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


@dataclass(eq=False)
class Line:
    """One non-chunk line. ``text`` is authoritative; ``tokens`` is parsed on demand."""

    text: str
    lineno: int = 0  # 1-based position in the file it came from (0 = created in memory)

    @classmethod
    def from_tokens(cls, tokens: list[object]) -> Line:
        return cls(" ".join(quote(t) if isinstance(t, str) else fmt_number(t) for t in tokens))

    @property
    def tokens(self) -> list[str]:
        return tokenize(self.text)

    @property
    def key(self) -> str:
        head, _, _ = self.text.partition(" ")
        return head

    def set_tokens(self, tokens: list[object]) -> None:
        self.text = Line.from_tokens(tokens).text


Node = Union[Line, "Chunk"]


@dataclass(eq=False)
class Chunk:
    """``<TAG attrs...`` ... ``>``; ``head`` is the opening line's text without ``<``."""

    head: str
    children: list[Node] = field(default_factory=list)
    lineno: int = 0

    @classmethod
    def new(cls, tag: str, attrs: list[object] | None = None) -> Chunk:
        return cls(Line.from_tokens([tag, *(attrs or [])]).text)

    @property
    def tag(self) -> str:
        return self.head.partition(" ")[0]

    @property
    def attrs(self) -> list[str]:
        return tokenize(self.head)[1:]

    def set_attrs(self, attrs: list[object]) -> None:
        self.head = Line.from_tokens([self.tag, *attrs]).text

    # -- navigation ---------------------------------------------------------------------------
    def chunks(self, tag: str | None = None) -> Iterator[Chunk]:
        for c in self.children:
            if isinstance(c, Chunk) and (tag is None or c.tag == tag):
                yield c

    def chunk(self, tag: str) -> Chunk | None:
        return next(self.chunks(tag), None)

    def lines(self, key: str | None = None) -> Iterator[Line]:
        for c in self.children:
            if isinstance(c, Line) and (key is None or c.key == key):
                yield c

    def line(self, key: str) -> Line | None:
        return next(self.lines(key), None)

    def get(self, key: str, index: int = 0, default: str | None = None) -> str | None:
        """Token ``index`` (after the key) of the first line ``key``."""
        ln = self.line(key)
        if ln is None:
            return default
        toks = ln.tokens
        return toks[index + 1] if len(toks) > index + 1 else default

    def get_float(self, key: str, index: int = 0, default: float = 0.0) -> float:
        v = self.get(key, index)
        if v is None:
            return default
        try:
            return float(v)
        except ValueError:
            return default

    def set(self, key: str, index: int, value: object, *, fill: list[object] | None = None,
            after: tuple[str, ...] = ()) -> None:
        """Set token ``index`` of line ``key``, creating the line (from ``fill``) if missing.

        A new line goes after the last line whose key is in ``after``, else at the end of the
        leading run of plain lines (before any sub-chunk), which is where REAPER keeps them.
        """
        ln = self.line(key)
        if ln is None:
            toks: list[object] = [key, *(fill or [])]
            ln = Line.from_tokens(toks)
            self.insert_line(ln, after=after)
        toks2: list[object] = list(ln.tokens)
        while len(toks2) <= index + 1:
            toks2.append("0")
        toks2[index + 1] = value if isinstance(value, str) else fmt_number(value)  # type: ignore[arg-type]
        ln.set_tokens(toks2)

    def insert_line(self, ln: Line, *, after: tuple[str, ...] = ()) -> None:
        pos = None
        for i, c in enumerate(self.children):
            if isinstance(c, Line) and c.key in after:
                pos = i + 1
        if pos is None:
            pos = 0
            for i, c in enumerate(self.children):
                if isinstance(c, Chunk):
                    break
                pos = i + 1
        self.children.insert(pos, ln)

    def remove_lines(self, key: str) -> None:
        self.children = [c for c in self.children if not (isinstance(c, Line) and c.key == key)]


def parse(text: str, *, path: str | None = None) -> Chunk:
    """Parse RPP text into its root chunk.

    Raises
    ------
    ProjectFormatError
        On a file that is empty, does not start with a chunk, closes more chunks than it opens,
        has content after the root chunk, or is truncated (an unclosed chunk): the message names
        the line.
    """
    text = text.removeprefix("\ufeff")
    stack: list[Chunk] = []
    root: Chunk | None = None
    for lineno, raw in enumerate(text.splitlines(), start=1):
        s = raw.strip()
        if not s:
            continue
        if "\x00" in s:
            raise ProjectFormatError("binary data (NUL byte) in a text project", line=lineno, path=path)
        if s.startswith("<"):
            if len(s) < 2 or s[1] in " \t":
                raise ProjectFormatError(f"chunk opened without a tag: {s[:40]!r}", line=lineno, path=path)
            ch = Chunk(s[1:], lineno=lineno)
            if stack:
                stack[-1].children.append(ch)
            elif root is None:
                root = ch
            else:
                raise ProjectFormatError("content after the end of the project", line=lineno, path=path)
            stack.append(ch)
        elif s == ">":
            if not stack:
                raise ProjectFormatError("'>' closes a chunk that was never opened", line=lineno, path=path)
            stack.pop()
        else:
            if not stack:
                what = "content after the end of the project" if root else "the file does not start with a '<' chunk"
                raise ProjectFormatError(f"{what}: {s[:40]!r}", line=lineno, path=path)
            stack[-1].children.append(Line(s, lineno=lineno))
    if root is None:
        raise ProjectFormatError("empty file: no chunk found", line=1, path=path)
    if stack:
        top = stack[-1]
        raise ProjectFormatError(
            f"truncated: chunk <{top.tag} opened at line {top.lineno} is never closed",
            line=top.lineno, path=path)
    return root


def dumps(root: Chunk) -> str:
    """Serialise a chunk tree as REAPER writes it (2-space indentation, trailing newline)."""
    out: list[str] = []

    def emit(ch: Chunk, depth: int) -> None:
        pad = "  " * depth
        out.append(f"{pad}<{ch.head}")
        inner = pad + "  "
        for c in ch.children:
            if isinstance(c, Chunk):
                emit(c, depth + 1)
            else:
                out.append(inner + c.text)
        out.append(f"{pad}>")

    emit(root, 0)
    return "\n".join(out) + "\n"
