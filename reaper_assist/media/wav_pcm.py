"""WAV PCM read as bytes and converted to float32 in one pass: libsndfile's float read, faster.

Most media in a REAPER project are WAV files of 16-, 24- or 32-bit integer or 32-bit float PCM.
libsndfile decodes them to float through a general conversion loop; on this machine that costs
about 30 ns a sample for 24-bit, seven to nine times a plain ``readinto`` of the bytes plus one
compiled pass that builds each sample (issue 20 point 2: "PCM read without conversions it does
not need"). The values are the same bits as libsndfile's (``tests/media/test_wav_pcm.py``): an
n-bit integer sample is placed in the top bits of an int32 and multiplied by 2^-31 (libsndfile's
normalisation), 32-bit integers are rounded to float32 to nearest, floats are copied.

Only little-endian RIFF WAVE (``WAVE_FORMAT_PCM``, ``WAVE_FORMAT_IEEE_FLOAT`` or
``WAVE_FORMAT_EXTENSIBLE`` with either subformat) is read this way, and only when the layout
found here agrees with libsndfile's own reading of the file (rate, channels, frames): anything
else (RF64, AIFF, FLAC, 8-bit, a header the two read differently) goes through libsndfile.
The file is opened read-only; nothing is ever written to it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

_PCM, _FLOAT, _EXTENSIBLE = 1, 3, 0xFFFE
#: The GUID tail of KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT (after the 2-byte format tag).
_GUID_TAIL = b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
#: Chunks looked at before giving up on finding the data (a header is a few chunks).
_MAX_CHUNKS = 64


@dataclass(frozen=True)
class PcmLayout:
    data_offset: int  # bytes from the file's start to its first sample
    frames: int
    channels: int
    sample_rate: int
    width: int  # bytes per sample: 2, 3, 4
    is_float: bool

    @property
    def frame_bytes(self) -> int:
        return self.width * self.channels


def _format(fmt: bytes) -> tuple[int, int, int, int, int] | None:
    """(tag, channels, rate, block align, bits) of a fmt chunk, the extensible subformat resolved."""
    if len(fmt) < 16:
        return None
    tag = int.from_bytes(fmt[0:2], "little")
    channels = int.from_bytes(fmt[2:4], "little")
    rate = int.from_bytes(fmt[4:8], "little")
    align = int.from_bytes(fmt[12:14], "little")
    bits = int.from_bytes(fmt[14:16], "little")
    if tag == _EXTENSIBLE:
        if len(fmt) < 40 or fmt[26:40] != _GUID_TAIL:
            return None
        tag = int.from_bytes(fmt[24:26], "little")
    return tag, channels, rate, align, bits


def _layout(f) -> PcmLayout | None:
    """Where the samples of an open plain WAV PCM file lie, or None (not such a file); its
    position is left anywhere."""
    size = os.fstat(f.fileno()).st_size
    f.seek(0)
    head = f.read(12)
    if len(head) < 12 or head[0:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    fmt = None
    pos = 12
    for _ in range(_MAX_CHUNKS):
        if pos + 8 > size:
            return None
        f.seek(pos)
        ck = f.read(8)
        cid, length = ck[0:4], int.from_bytes(ck[4:8], "little")
        body = pos + 8
        if cid == b"fmt ":
            fmt = _format(f.read(min(length, 40)))
            if fmt is None:
                return None
        elif cid == b"data":
            if fmt is None:
                return None
            tag, channels, rate, align, bits = fmt
            width = bits // 8
            if (channels < 1 or rate < 1 or bits % 8 or align != width * channels
                    or not ((tag == _PCM and width in (2, 3, 4)) or (tag == _FLOAT and width == 4))):
                return None
            frames = min(length, size - body) // align
            return PcmLayout(body, frames, channels, rate, width, tag == _FLOAT)
        pos = body + length + (length & 1)  # chunks are padded to an even length
    return None


def _convert_numpy(raw: np.ndarray, width: int, is_float: bool, out: np.ndarray) -> None:
    """The kernel's conversion with numpy (numba missing or turned off): the same values."""
    flat = out.reshape(-1)
    if is_float:
        flat[:] = raw.view("<f4")
        return
    if width == 3:
        v = (raw[2::3].astype(np.int32) << 24) | (raw[1::3].astype(np.int32) << 16) | (raw[0::3].astype(np.int32) << 8)
    else:
        v = raw.view("<i2" if width == 2 else "<i4")
    # int -> float64 is exact, the power-of-two scale too: one rounding to float32, as libsndfile's
    np.multiply(v, 2.0 ** (-15 if width == 2 else -31), out=flat, casting="unsafe")


def converter():
    """The compiled conversion (:mod:`._pcm_kernels`), or None (numba missing, failing, or the
    analysis kernels turned off with ``REAPER_ASSIST_NO_KERNELS=1``): numpy then."""
    from reaper_assist.analysis.loudness import kernels_turned_off

    if kernels_turned_off():
        return None
    try:
        from reaper_assist.media import _pcm_kernels
    except Exception:  # noqa: BLE001 - numba missing or unable to compile here: numpy instead
        return None
    return _pcm_kernels


class PcmReader:
    """One WAV PCM file, held open, read from frame to frame into float32 ``(frames, channels)``
    buffers; the same calls as the part of ``soundfile.SoundFile`` the stream reader uses."""

    def __init__(self, fh, layout: PcmLayout):
        """``fh``: the file, opened unbuffered for reading, whose header gave ``layout``; the
        reader owns it from here."""
        self.layout = layout
        self.frames = layout.frames
        self._fh = fh
        self._raw = np.empty(0, dtype=np.uint8)
        self._at = 0
        self._kern = converter()

    def seek(self, frame: int) -> None:
        self._at = max(0, min(int(frame), self.frames))

    def read_into(self, out: np.ndarray) -> int:
        """Frames read into ``out`` (C-contiguous float32, ``(n, channels)``) from the position on."""
        lay = self.layout
        n = min(out.shape[0], self.frames - self._at)
        if n <= 0:
            return 0
        need = n * lay.frame_bytes
        if self._raw.size < need:
            self._raw = np.empty(need, dtype=np.uint8)
        raw = self._raw[:need]
        self._fh.seek(lay.data_offset + self._at * lay.frame_bytes)
        got = 0
        view = raw.data  # the array's own buffer: readinto fills it in place
        while got < need:
            k = self._fh.readinto(view[got:])
            if not k:
                break
            got += k
        n = got // lay.frame_bytes
        dest = out[:n]
        raw = raw[: n * lay.frame_bytes]
        if self._kern is not None and not lay.is_float:
            self._kern.int_to_float(raw, lay.width, dest.reshape(-1))
        else:
            _convert_numpy(raw, lay.width, lay.is_float, dest)
        self._at += n
        return n

    def close(self) -> None:
        self._fh.close()


def open_pcm(path: str, rate: int, channels: int, frames: int) -> PcmReader | None:
    """A :class:`PcmReader` when the file is plain WAV PCM laid out as libsndfile read it
    (``rate``, ``channels``, ``frames``), else None."""
    try:
        fh = open(path, "rb", buffering=0)  # noqa: SIM115 - held open from block to block by the reader
    except OSError:
        return None
    try:  # the header read from the file the samples are then read from (one open, not two)
        lay = _layout(fh)
    except OSError:
        lay = None
    if lay is None or (lay.sample_rate, lay.channels, lay.frames) != (rate, channels, frames):
        fh.close()
        return None
    return PcmReader(fh, lay)
