"""Lossless reader and writer of REAPER's ``.RPP`` chunk format (facts.md section 4.1).

The format is line-oriented: ``<TAG attrs...`` opens a chunk, a line holding only ``>`` closes it,
every other line is a list of space-separated tokens (or raw text: base64 blobs, ``|`` note
lines, MIDI events). Lines end at LF, CR LF or a lone CR, and nowhere else (not at the other
characters ``str.splitlines`` treats as line breaks: a name may hold U+2028 or a form feed).

Quoting, as REAPER writes and reads it (WDL ``projectcontext.cpp`` ``getConfigStringQuoteChar`` /
``makeEscapedConfigString``, and ``lineparse.h`` ``LineParser``, which REAPER builds on):

* a token is written bare unless it is empty, holds a space, tab, CR or LF, or starts with one of
  ``"`` ``'`` `````  ``#`` ``;`` (a bare ``#`` or ``;`` at the start of a token begins a comment);
* otherwise it is wrapped in ``"``; if it contains ``"``, in ``'``; if it contains both, in a
  backtick; there is no escape character, the reader takes everything up to the matching quote;
* a token holding all three quote characters is wrapped in backticks with every backtick inside
  replaced by ``'``, and CR/LF replaced by spaces (REAPER's "ick" branch).
* A line cannot hold a line break, so no writer can keep one in a token: REAPER stores multi-line
  text as a ``<NOTES``-style block of ``|`` lines and, in the branch above, turns CR/LF into
  spaces. This writer turns every CR and LF in a token into a space (the name stays on its line
  and reads back as the same text with spaces), so a track name can never break the file or inject
  a line such as ``>``. [What REAPER does with a newline in ``P_NAME`` before it saves is not
  documented; a newline cannot survive its own format either way.]

Text is UTF-8 as REAPER writes it; :func:`decode` keeps bytes that are not valid UTF-8 as lone
surrogates (``surrogateescape``) and :func:`encode` writes them back unchanged.

Lines are kept as their original text until someone edits them, so anything this module does not
understand survives a load/save verbatim, and ``dumps(parse(dumps(x))) == dumps(x)`` (a fixed
point). Indentation is regenerated (2 spaces per level), as REAPER writes it.
"""

from __future__ import annotations

import gc
import math
import os
import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Union

from reaper_assist.errors import ProjectFormatError

__all__ = ["Chunk", "Line", "decode", "dumps", "encode", "fmt_number", "parse", "quote", "tokenize"]

# The largest magnitude a numeric field may hold: above 2**53 a float no longer holds every integer,
# and nothing REAPER writes (times in seconds, rates, gains, counts, flags, colours) comes near it.
MAX_NUMBER = float(2**53)
# Non-finite values as C runtimes print them ("inf", "nan" parse with float(); MSVC writes these)
_MSVC_NONFINITE = re.compile(r"^[-+]?\d*\.?\d*#(INF|IND|QNAN|SNAN)", re.IGNORECASE)


def tokenize(text: str) -> list[str]:
    """Split one RPP line into tokens, removing REAPER's quoting."""
    tokens: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t":
            i += 1
            continue
        if c in "#;":  # a comment to the end of the line (LineParser)
            break
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
    """Quote a token the way REAPER does (see the module docstring); CR/LF become spaces."""
    token = str(token)
    if "\r" in token or "\n" in token:
        token = token.replace("\r", " ").replace("\n", " ")
    if not token:
        return '""'
    if not any(ch in token for ch in " \t") and token[0] not in "\"'`#;":
        return token
    for q in "\"'`":
        if q not in token:
            return f"{q}{token}{q}"
    # REAPER's last resort: a backtick inside is replaced, as REAPER cannot express it.
    return "`" + token.replace("`", "'") + "`"


def fmt_number(value: object) -> str:
    """Shortest text that reads back as the same float (``1`` rather than ``1.0``)."""
    v = float(value)  # type: ignore[arg-type]  # a number token: int, float or numpy scalar
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


@dataclass(eq=False, slots=True)
class Line:
    """One non-chunk line. ``text`` is authoritative; ``tokens`` is parsed on demand, once per
    text (the parse is kept until ``text`` is replaced)."""

    text: str
    _parsed: tuple[str, tuple[str, ...]] | None = field(default=None, init=False, repr=False)

    @classmethod
    def from_tokens(cls, tokens: Sequence[object]) -> Line:
        return cls(" ".join(quote(t) if isinstance(t, str) else fmt_number(t) for t in tokens))

    def token_tuple(self) -> tuple[str, ...]:
        """The tokens, read-only (shared between calls while the text stays the same)."""
        p = self._parsed
        if p is None or p[0] is not self.text:
            p = self._parsed = (self.text, tuple(tokenize(self.text)))
        return p[1]

    @property
    def tokens(self) -> list[str]:
        return list(self.token_tuple())

    @property
    def key(self) -> str:
        head, _, _ = self.text.partition(" ")
        return head

    def has_key(self, key: str) -> bool:
        """``self.key == key``, without splitting the text."""
        t = self.text
        return (t == key or t.startswith(key + " ")) and " " not in key

    def set_tokens(self, tokens: Sequence[object]) -> None:
        self.text = Line.from_tokens(tokens).text


Node = Union[Line, "Chunk"]


@dataclass(eq=False, slots=True)
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

    def set_attrs(self, attrs: Sequence[object]) -> None:
        self.head = Line.from_tokens([self.tag, *attrs]).text

    # -- navigation ---------------------------------------------------------------------------
    def chunks(self, tag: str | None = None) -> Iterator[Chunk]:
        if tag is None:
            yield from (c for c in self.children if isinstance(c, Chunk))
            return
        if " " in tag:
            return
        spaced = tag + " "
        for c in self.children:
            if isinstance(c, Chunk) and (c.head == tag or c.head.startswith(spaced)):
                yield c

    def chunk(self, tag: str) -> Chunk | None:
        return next(self.chunks(tag), None)

    def lines(self, key: str | None = None) -> Iterator[Line]:
        if key is None:
            yield from (c for c in self.children if isinstance(c, Line))
            return
        if " " in key:
            return
        spaced = key + " "
        for c in self.children:
            if isinstance(c, Line) and (c.text == key or c.text.startswith(spaced)):
                yield c

    def line(self, key: str) -> Line | None:
        if " " in key:
            return None
        spaced = key + " "
        for c in self.children:
            if isinstance(c, Line) and (c.text == key or c.text.startswith(spaced)):
                return c
        return None

    def get(self, key: str, index: int = 0, default: str | None = None) -> str | None:
        """Token ``index`` (after the key) of the first line ``key``."""
        ln = self.line(key)
        if ln is None:
            return default
        toks = ln.token_tuple()
        return toks[index + 1] if len(toks) > index + 1 else default

    def get_float(self, key: str, index: int = 0, default: float = 0.0) -> float:
        v = self.get(key, index)
        if v is None:
            return default
        try:
            return float(v)
        except ValueError:
            return default

    def set(self, key: str, index: int, value: object, *, fill: Sequence[object] | None = None,
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


def decode(data: bytes) -> str:
    """RPP bytes as text: UTF-8, with invalid bytes kept as lone surrogates for :func:`encode`."""
    return data.decode("utf-8", errors="surrogateescape")


def encode(text: str) -> bytes:
    """RPP text as bytes: UTF-8; bytes :func:`decode` could not read are written back unchanged."""
    return text.encode("utf-8", errors="surrogateescape")


BLOCK_CHARS = 1 << 22  # text is parsed a block of lines at a time (a few MB), never all lines at once


def _text_blocks(text: str) -> Iterator[str]:
    """``text`` in blocks that end just after a line break (the last one may not)."""
    start, n = 0, len(text)
    while start < n:
        end = text.find("\n", min(start + BLOCK_CHARS, n) - 1) + 1 or n
        yield text[start:end]
        start = end


def read_blocks(path: str | os.PathLike) -> Iterator[str]:
    """A file's text (:func:`decode`) in blocks ending at a line break, read a block at a time."""
    rest = b""
    with open(path, "rb") as f:
        while data := f.read(BLOCK_CHARS):
            data = rest + data
            cut = data.rfind(b"\n") + 1 or data.rfind(b"\r") + 1
            if not cut:
                rest = data
                continue
            yield decode(data[:cut])
            rest = data[cut:]
    if rest:
        yield decode(rest)


def _check_numbers(s: str, lineno: int, path: str | None) -> None:
    """Every number on a numeric line must be finite and within :data:`MAX_NUMBER`."""
    for tok in tokenize(s)[1:]:
        try:
            v = float(tok)
        except ValueError:
            if _MSVC_NONFINITE.match(tok):
                v = math.nan
            else:
                continue  # not a number: the reader uses the field's default, as REAPER does
        if not math.isfinite(v) or abs(v) > MAX_NUMBER:
            key = s.partition(" ")[0]
            raise ProjectFormatError(f"{key}: {tok!r} is not a usable number (must be finite, |x| <= 2^53)",
                                     line=lineno, path=path)


# Anything on a numeric line that could be a non-finite or huge number (a letter of inf/nan/e, an
# MSVC "1.#INF", 16 digits in a row): only lines holding one are checked token by token.
_SUSPECT = re.compile(r"[eEnNiI#]|\d{16}")


_INDENT = re.compile(r"\n[ \t]+")  # the indentation of every line but the block's first


def parse(text: str, *, path: str | None = None, numeric_keys: Collection[str] = ()) -> Chunk:
    """Parse RPP text into its root chunk (see :func:`parse_blocks`)."""
    return parse_blocks(_text_blocks(text), path=path, numeric_keys=numeric_keys)


def parse_blocks(blocks: Iterable[str], *, path: str | None = None, numeric_keys: Collection[str] = ()) -> Chunk:
    """Parse RPP text, given as blocks that each end at a line break, into its root chunk.

    ``numeric_keys`` names the lines whose fields the caller reads as numbers: each number on
    them is checked (``inf``, ``nan``, ``1e308`` are refused with the line named).

    Raises
    ------
    ProjectFormatError
        On a file that is empty, does not start with a chunk, closes more chunks than it opens,
        has content after the root chunk, or is truncated (an unclosed chunk), or holds a
        non-finite or absurd number on a numeric line: the message names the line.
    """
    keys = frozenset(numeric_keys)
    stack: list[Chunk] = []
    root: Chunk | None = None
    kids: list[Node] | None = None  # the children of the innermost open chunk
    base = 0  # lines before this block
    gc_was_on = gc.isenabled()
    gc.disable()  # a tree of a million lines holds no cycles: collecting while building it is wasted time
    try:
        for bi, block in enumerate(blocks):
            if bi == 0:
                block = block.removeprefix("\ufeff")
            if "\r" in block:
                block = block.replace("\r\n", "\n").replace("\r", "\n")
            block = _INDENT.sub("\n", block).lstrip(" \t")
            if "\x00" in block:
                raise ProjectFormatError("binary data (NUL byte) in a text project",
                                         line=base + block.count("\n", 0, block.index("\x00")) + 1, path=path)
            lines = block.split("\n")
            if block.endswith("\n"):
                lines.pop()
            for i, s in enumerate(lines):
                if not s:
                    continue
                c = s[0]
                if c != "<" and c != ">" and kids is not None:
                    kids.append(Line(s))
                    if keys:
                        sp = s.find(" ")
                        if sp > 0 and s[:sp] in keys and _SUSPECT.search(s, sp):
                            _check_numbers(s, base + i + 1, path)
                    continue
                lineno = base + i + 1
                if c == "<":
                    if len(s) < 2 or s[1] in " \t":
                        raise ProjectFormatError(f"chunk opened without a tag: {s[:40]!r}", line=lineno, path=path)
                    ch = Chunk(s[1:], lineno=lineno)
                    if kids is not None:
                        kids.append(ch)
                    elif root is None:
                        root = ch
                    else:
                        raise ProjectFormatError("content after the end of the project", line=lineno, path=path)
                    stack.append(ch)
                    kids = ch.children
                elif c == ">" and s.rstrip(" \t") == ">":
                    if not stack:
                        raise ProjectFormatError("'>' closes a chunk that was never opened", line=lineno, path=path)
                    stack.pop()
                    kids = stack[-1].children if stack else None
                elif kids is not None:
                    kids.append(Line(s))
                else:
                    what = "content after the end of the project" if root else "the file does not start with a '<' chunk"
                    raise ProjectFormatError(f"{what}: {s[:40]!r}", line=lineno, path=path)
            base += len(lines)
    finally:
        if gc_was_on:
            gc.enable()
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
