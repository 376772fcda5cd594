"""The base64 body of an RPP ``<VST ...>`` block: header, plugin state, program trailer.

Layout, as REAPER writes it (facts 4.4; checked on every Cockos blob in tests/data/rpp):

* three segments, each base64-encoded and padded **separately**, each wrapped at 128 characters
  (96 bytes per full line):

  1. header: the plugin's 4cc reversed (``"qeer"`` for ReaEQ), a magic (``EE 5E ED FE`` for
     chunk-based plugins such as ReaEQ/ReaLimit, ``EF 5E ED FE`` for parameter-list plugins
     such as ReaComp/ReaGate), ``int32`` input pin count and one ``u64`` channel mask per pin,
     ``int32`` output pin count and masks, ``int32`` state size, then two ``int32`` REAPER
     flags that are kept verbatim;
  2. the plugin state (``state size`` bytes);
  3. the program trailer: ``00``, the program name, ``00``, ``int32`` (``16`` or ``0``).

Unknown bytes (pin maps, flags, trailer) are kept verbatim; only the size field follows the
state length.
"""

from __future__ import annotations

import base64
import binascii
import struct
from dataclasses import dataclass

from reaper_assist.errors import ProjectFormatError

LINE_CHARS = 128  # REAPER wraps base64 at 128 characters

__all__ = ["VstBlob", "LINE_CHARS", "wrap_b64", "decode_blob", "encode_blob", "header_size_offset"]


def wrap_b64(data: bytes) -> list[str]:
    """Base64 of one segment, padded, wrapped at :data:`LINE_CHARS`."""
    text = base64.b64encode(data).decode("ascii")
    if not text:
        return []
    return [text[i : i + LINE_CHARS] for i in range(0, len(text), LINE_CHARS)]


def header_size_offset(header: bytes) -> int | None:
    """Byte offset of the state-size field in a header, or None if the header is incomplete."""
    pos = 8
    for _ in range(2):  # input pins, then output pins
        if len(header) < pos + 4:
            return None
        (npins,) = struct.unpack_from("<i", header, pos)
        if npins < 0 or npins > 1024:
            raise ProjectFormatError(f"VST state header: implausible pin count {npins}")
        pos += 4 + 8 * npins
    if len(header) < pos + 12:
        return None
    return pos


@dataclass
class VstBlob:
    """The three decoded segments of a ``<VST`` body."""

    header: bytes
    state: bytes
    trailer: bytes

    @property
    def fourcc(self) -> str:
        return self.header[:4][::-1].decode("latin-1")

    @property
    def magic(self) -> bytes:
        return self.header[4:8]

    @property
    def program_name(self) -> str:
        body = self.trailer[1:] if self.trailer[:1] == b"\x00" else self.trailer
        return body.split(b"\x00", 1)[0].decode("utf-8", "replace")

    def with_state(self, state: bytes) -> "VstBlob":
        """A copy with new state bytes and the header's size field updated."""
        off = header_size_offset(self.header)
        assert off is not None
        header = self.header[:off] + struct.pack("<i", len(state)) + self.header[off + 4 :]
        return VstBlob(header, state, self.trailer)


def _b64(line: str) -> bytes:
    try:
        return base64.b64decode(line, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ProjectFormatError(f"VST state: invalid base64 line {line[:40]!r}") from exc


def decode_blob(body_lines: list[str]) -> VstBlob:
    """Split and decode the body lines of a ``<VST`` block.

    A segment ends at a short line, at a padded line, or when its decoded length reaches the
    length the header announces (a segment of exactly 96*k bytes has neither).
    """
    lines = [ln.strip() for ln in body_lines if ln.strip()]
    segments: list[bytes] = []
    current = b""
    expected: int | None = None
    i = 0
    while i < len(lines) and len(segments) < 2:
        line = lines[i]
        i += 1
        current += _b64(line)
        done = len(line) < LINE_CHARS or line.endswith("=")
        if not segments:
            off = header_size_offset(current)
            if off is not None and len(current) == off + 12:
                done = True
        elif expected is not None and len(current) >= expected:
            done = True
        if done:
            segments.append(current)
            if len(segments) == 1:
                off = header_size_offset(current)
                if off is None:
                    raise ProjectFormatError("VST state: header segment too short")
                (expected,) = struct.unpack_from("<i", current, off)
            current = b""
    if len(segments) < 2:
        raise ProjectFormatError("VST state: missing header or state segment")
    header, state = segments
    if expected is not None and len(state) != expected:
        raise ProjectFormatError(
            f"VST state: header announces {expected} bytes, state segment has {len(state)}"
        )
    trailer = b"".join(_b64(line) for line in lines[i:])
    return VstBlob(header, state, trailer)


def encode_blob(blob: VstBlob) -> list[str]:
    """Lines of a ``<VST`` body, segmented and wrapped as REAPER writes them."""
    return wrap_b64(blob.header) + wrap_b64(blob.state) + wrap_b64(blob.trailer)
