"""The parameter model of one FX instance: stock plugins through :mod:`reaper_assist.plugins`,
everything else as opaque state that is written back verbatim.

REAPER appends three wrapper parameters to every FX (Bypass, Wet, Delta; facts 2.0); they are
handled here so that a parameter index means the same thing as in REAPER.
"""

from __future__ import annotations

import base64

from reaper_assist.emulator import uncertain
from reaper_assist.emulator.rpp import Chunk, Line
from reaper_assist.plugins import WRAPPER_PARAMS, spec_for_chunk, vstchunk


class FXModel:
    def __init__(self, spec, state, body: list[str]):
        self.spec = spec
        self.state = state
        self.body = body
        # the wrapper params' values (Bypass mirrors the chunk's BYPASS line, see reascript)
        self.bypass_param, self.wet, self.delta = (w.default_native for w in WRAPPER_PARAMS)
        self.dirty = False

    @classmethod
    def for_chunk(cls, chunk: Chunk) -> FXModel:
        body = [c.text for c in chunk.children if isinstance(c, Line)]
        attrs = chunk.attrs
        spec = spec_for_chunk(chunk.tag, attrs)
        state = None
        if spec is not None:
            try:
                state = spec.decode(attrs, body)
            except Exception:  # unknown layout: keep it opaque rather than corrupt it
                spec, state = None, None
        return cls(spec, state, body)

    @classmethod
    def fresh(cls, spec) -> tuple[list[str], FXModel]:
        state = spec.default_state()
        body = spec.encode(state)
        return body, cls(spec, state, body)

    # identity --------------------------------------------------------------------------------
    @property
    def display_name(self) -> str | None:
        return self.spec.fx_name if self.spec is not None else None

    @property
    def key(self) -> str | None:
        return self.spec.key if self.spec is not None else None

    # params ----------------------------------------------------------------------------------
    def _own(self) -> list:
        return self.spec.params(self.state) if self.spec is not None else []

    @property
    def num_own_params(self) -> int:
        """The plugin's own params; the wrapper params Bypass, Wet, Delta follow them."""
        return len(self._own())

    @property
    def num_params(self) -> int:
        return self.num_own_params + len(WRAPPER_PARAMS)

    def _wrapper_index(self, index: int) -> int | None:
        n = self.num_own_params
        return index - n if n <= index < n + len(WRAPPER_PARAMS) else None

    def is_bypass_param(self, index: int) -> bool:
        return self._wrapper_index(index) == 0

    def valid(self, index: int) -> bool:
        return 0 <= index < self.num_params

    def param_name(self, index: int) -> str:
        w = self._wrapper_index(index)
        if w is not None:
            return WRAPPER_PARAMS[w].name
        own = self._own()
        return own[index].name if 0 <= index < len(own) else ""

    def param_ident(self, index: int) -> str:
        w = self._wrapper_index(index)
        if w is not None:
            return f"{index}{WRAPPER_PARAMS[w].ident}"
        own = self._own()
        return own[index].ident if 0 <= index < len(own) else str(index)

    def param_range(self, index: int) -> tuple[float, float]:
        w = self._wrapper_index(index)
        if w is not None:
            return (WRAPPER_PARAMS[w].native_min, WRAPPER_PARAMS[w].native_max)
        own = self._own()
        if 0 <= index < len(own):
            return (own[index].native_min, own[index].native_max)
        return (0.0, 1.0)

    def get_param(self, index: int) -> float:
        w = self._wrapper_index(index)
        if w is not None:
            return (self.bypass_param, self.wet, self.delta)[w]
        return float(self.spec.get_param(self.state, index)) if self.spec is not None else 0.0

    def set_param(self, index: int, native: float) -> bool:
        w = self._wrapper_index(index)
        lo, hi = self.param_range(index)
        native = min(max(float(native), lo), hi)  # REAPER clamps out-of-range values
        if w is not None:
            if w == 0:
                self.bypass_param = 1.0 if native >= 0.5 else 0.0
            elif w == 1:
                self.wet = native
            else:
                self.delta = 1.0 if native >= 0.5 else 0.0
            return True
        if self.spec is None or not (0 <= index < len(self._own())):
            return False
        self.spec.set_param(self.state, index, native)
        self.dirty = True
        return True

    def get_normalized(self, index: int) -> float:
        w = self._wrapper_index(index)
        if w is not None:
            return self.get_param(index)
        own = self._own()
        return float(own[index].to_normalized(self.get_param(index))) if 0 <= index < len(own) else 0.0

    def set_normalized(self, index: int, norm: float) -> bool:
        w = self._wrapper_index(index)
        norm = min(max(float(norm), 0.0), 1.0)
        if w is not None:
            return self.set_param(index, norm)
        own = self._own()
        if not (0 <= index < len(own)):
            return False
        return self.set_param(index, own[index].from_normalized(norm))

    def format_value(self, index: int, native: float) -> str:
        w = self._wrapper_index(index)
        if w is not None:
            if w == 1:
                return f"{native * 100:.1f}%"
            return "On" if native >= 0.5 else "Off"
        own = self._own()
        return own[index].format(native) if 0 <= index < len(own) else ""

    def normalized_to_native(self, index: int, norm: float) -> float:
        if self._wrapper_index(index) is not None:
            return norm
        own = self._own()
        return own[index].from_normalized(norm) if 0 <= index < len(own) else norm

    # named config ----------------------------------------------------------------------------------
    def get_named_config(self, key: str) -> str | None:
        if self.spec is None:
            return None
        if key == "vst_chunk" and self.spec.chunk_tag == "VST" and uncertain.VST_CHUNK_IS_PLUGIN_STATE:
            return base64.b64encode(vstchunk.decode_blob(self.spec.encode(self.state)).state).decode("ascii")
        return self.spec.get_named_config(self.state, key)

    def set_named_config(self, key: str, value: str) -> bool:
        if self.spec is None:
            return False
        if key == "vst_chunk" and self.spec.chunk_tag == "VST" and uncertain.VST_CHUNK_IS_PLUGIN_STATE:
            return self._set_vst_chunk(value)
        ok = bool(self.spec.set_named_config(self.state, key, value))
        self.dirty = self.dirty or ok
        return ok

    def _set_vst_chunk(self, text: str) -> bool:
        """``vst_chunk`` (facts 1.3, read/write): the plugin's own state, base64
        (:data:`uncertain.VST_CHUNK_IS_PLUGIN_STATE`); a state the plugin cannot read is refused."""
        try:
            data = base64.b64decode(str(text), validate=True)
            blob = vstchunk.decode_blob(self.spec.encode(self.state)).with_state(data)
            body = vstchunk.encode_blob(blob)
            state = self.spec.decode(self.spec.chunk_header(), body)
        except Exception:  # noqa: BLE001 - REAPER answers false, the FX keeps its state
            return False
        self.state, self.dirty = state, True
        return True

    # persistence -------------------------------------------------------------------------------
    def flush(self, chunk: Chunk) -> None:
        """Write the state back into the plugin chunk; the codec returns the original lines
        unchanged while nothing changed, so untouched plugins stay byte-identical."""
        if self.spec is None:
            return
        body = self.spec.encode(self.state)
        if body != self.body:
            kids = [c for c in chunk.children if not isinstance(c, Line)]
            chunk.children = [Line(t) for t in body] + kids
            self.body = body
        self.dirty = False
