"""The write kinds a plan may ask REAPER for, each one small class (runs inside REAPER).

A write arrives as a JSON object ``{"op": <kind>, ...fields}`` (built by
:mod:`reaper_assist.host.realize`). :func:`parse` turns each into an instance of its kind's class,
which checks its own fields; an unknown kind or a bad field is refused before anything is
written. Every kind knows how to

* ``resolve`` the objects it names (track, item, FX by GUID; an FX added earlier in the same plan
  as ``"fx": "@<n>"``, the n-th write's result),
* read the ``current`` value (checked against ``expect``, the value the plan was computed from),
* ``capture`` what it is about to change, ``apply`` itself, and ``revert`` (put back the capture).

FX parameters are addressed by REAPER's parameter name (or ReaEQ band number), never by an assumed
index: a user's default preset may give a fresh ReaEQ another band count, which moves every index
after the first band (issue 10 point 3). Standard library only (this package runs in REAPER).
"""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar

from reaper_assist.bridge.remote import ENV_TAG_KEY, NULL_SUFFIX, TAG_KEY, _fx_guids
from reaper_assist.bridge.remote import _tags as tags_of

MAX_BANDS = 64  # ReaEQ bands probed through BANDTYPE<k>
EQ_PARAM_PREFIXES = {"freq": ("Freq",), "gain": ("Gain",), "bw": ("BW", "Q")}  # facts 2.1 (Q- in old builds)
EQ_PARAM_OFFSET = {"freq": 0, "gain": 1, "bw": 2}  # three params per band, in band order (facts 2.1)


class ApplyError(Exception):
    """A write cannot be done (the project changed, REAPER refused, a field is wrong)."""


def fx_guid(api, track: str, index: int) -> str:
    """The GUID of FX ``index`` on the track (from the track chunk's FXID lines, as the read does)."""
    guids = _fx_guids(api, track)
    return guids[index] if 0 <= index < len(guids) else ""


def _track_by_guid(api, guid: str) -> str | None:
    """The one track holding ``guid`` (the master too: GetMasterTrack, it is not among the
    CountTracks tracks); two tracks holding it is refused (either could be meant)."""
    g = guid.upper()
    master = api.GetMasterTrack(0)
    if api.GetSetMediaTrackInfo_String(master, "GUID", "", False)[3].upper() == g:
        return master
    found = [(i, tr) for i, tr in ((i, api.GetTrack(0, i)) for i in range(api.CountTracks(0)))
             if api.GetSetMediaTrackInfo_String(tr, "GUID", "", False)[3].upper() == g]
    if len(found) > 1:
        names = " and ".join(f"track {i + 1} {api.GetTrackName(tr, '', 2048)[2]!r}" for i, tr in found)
        raise ApplyError(f"{names} share the track GUID {guid}, so a change for one could land on the other: "
                         "nothing changed (give one of them a new GUID, e.g. re-create it with Duplicate tracks)")
    return found[0][1] if found else None


def _item_by_guid(api, track: str, guid: str) -> str | None:
    g = guid.upper()
    for k in range(api.CountTrackMediaItems(track)):
        it = api.GetTrackMediaItem(track, k)
        if api.GetSetMediaItemInfo_String(it, "GUID", "", False)[3].upper() == g:
            return it
    return None


def fx_by_guid(api, track: str, guid: str) -> int:
    """The index of the one FX holding ``guid`` on ``track``; two holding it is refused."""
    g = str(guid).upper()
    found = [k for k, fg in enumerate(_fx_guids(api, track)) if fg and fg.upper() == g]
    if len(found) > 1:
        names = " and ".join(f"FX {k + 1} {api.TrackFX_GetFXName(track, k, '', 2048)[3]!r}" for k in found)
        raise ApplyError(f"track {api.GetTrackName(track, '', 2048)[2]!r}: {names} share the FX GUID {guid}: "
                         "nothing changed")
    return found[0] if found else -1


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and x == x and abs(x) != float("inf")


_NUMBER = "number"
_TEXT = "text"
_INT = "int"
_FX = "fx"  # an FX GUID or "@<n>"
_POINTS = "points"


def _is_points(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(p, list) and len(p) == 3 and _is_number(p[0]) and _is_number(p[1]) and isinstance(p[2], int)
        for p in value)


_CHECKS = {
    _NUMBER: _is_number,
    _TEXT: lambda v: isinstance(v, str),
    _INT: lambda v: isinstance(v, int) and not isinstance(v, bool),
    _FX: lambda v: isinstance(v, str) and bool(v),
    _POINTS: _is_points,
}
INFO_KEY = re.compile(r"[BCDIP]_[A-Z0-9_]+")  # Get/SetMedia*Info_Value keys (facts 1.4)


def _check_field(kind: str, name: str, value: Any, want: str) -> None:
    if not _CHECKS[want](value):
        raise ApplyError(f"write {kind!r}: field {name!r} must be a {want}, got {value!r}")


class Write:
    """One write kind. Subclasses set ``kind``, their ``required``/``optional`` fields and the
    four operations; ``target`` says which handles :meth:`resolve` must find."""

    kind: ClassVar[str] = ""
    required: ClassVar[dict[str, str]] = {}
    optional: ClassVar[dict[str, str]] = {}
    target: ClassVar[str] = "track"  # "project", "track", "item", "fx"

    def __init__(self, op: dict[str, Any]):
        allowed = {"op", "expect", "track", "track_name", *self.required, *self.optional}
        allowed |= {"item"} if self.target == "item" else {"fx"} if self.target == "fx" else set()
        extra = set(op) - allowed
        if extra:
            raise ApplyError(f"write {self.kind!r}: unknown field(s) {', '.join(sorted(extra))}")
        need = dict(self.required)
        if self.target != "project":
            need["track"] = _TEXT
        if self.target == "item":
            need["item"] = _TEXT
        if self.target == "fx":
            need["fx"] = _FX
        for name, want in need.items():
            if name not in op:
                raise ApplyError(f"write {self.kind!r}: field {name!r} is missing")
            _check_field(self.kind, name, op[name], want)
        for name, want in self.optional.items():
            if op.get(name) is not None:
                _check_field(self.kind, name, op[name], want)
        if op.get("expect") is not None and not _is_number(op["expect"]):
            raise ApplyError(f"write {self.kind!r}: field 'expect' must be a number, got {op['expect']!r}")
        self.op = op

    # -- naming -------------------------------------------------------------------------------
    @property
    def where(self) -> str:
        return repr(self.op.get("track_name") or self.op.get("track") or "the project")

    @property
    def fx_ref(self) -> int | None:
        """n for ``"fx": "@n"`` (an FX added by the n-th write of this plan), else None."""
        fx = self.op.get("fx")
        if isinstance(fx, str) and fx.startswith("@"):
            try:
                return int(fx[1:])
            except ValueError:
                raise ApplyError(f"write {self.kind!r}: bad FX reference {fx!r}") from None
        return None

    # -- resolve ------------------------------------------------------------------------------
    def resolve(self, api) -> dict[str, Any]:
        """Handles of everything the write names that exists before the plan runs."""
        h: dict[str, Any] = {}
        if self.target == "project":
            return h
        tr = _track_by_guid(api, self.op["track"])
        if tr is None:
            raise ApplyError(f"track {self.where} no longer exists")
        h["track"] = tr
        if self.target == "item":
            it = _item_by_guid(api, tr, self.op["item"])
            if it is None:
                raise ApplyError(f"an item of track {self.where} no longer exists")
            h["item"] = it
        if self.target == "fx" and self.fx_ref is None:
            k = fx_by_guid(api, tr, self.op["fx"])
            if k < 0:
                raise ApplyError(f"an FX on track {self.where} no longer exists")
            h["fx"] = k
        return h

    def bind(self, api, h: dict[str, Any], results: list[Any]) -> dict[str, Any]:
        """The handles at apply time: an ``@n`` FX reference becomes the FX the n-th write added."""
        n = self.fx_ref
        if n is None:
            return h
        if not 0 <= n < len(results):
            raise ApplyError(f"write {self.kind!r} refers to write {n}, which has not run")
        k = fx_by_guid(api, h["track"], str(results[n]))
        if k < 0:
            raise ApplyError(f"the FX added on track {self.where} is gone")
        return {**h, "fx": k}

    # -- the four operations (subclasses) -----------------------------------------------------
    def current(self, api, h: dict[str, Any]) -> Any:
        return None

    def capture(self, api, h: dict[str, Any]) -> Any:
        return self.current(api, h)

    def apply(self, api, h: dict[str, Any]) -> Any:
        raise NotImplementedError

    def revert(self, api, h: dict[str, Any], old: Any, result: Any) -> None:
        if old is not None:
            self.with_value(old).apply(api, h)

    def with_value(self, value: Any) -> Write:
        return type(self)({**self.op, "value": value})

    def check_expect(self, api, h: dict[str, Any]) -> None:
        if self.op.get("expect") is None:
            return
        cur = self.current(api, h)
        exp = float(self.op["expect"])
        if cur is None or abs(float(cur) - exp) > 1e-9 * max(1.0, abs(exp)):
            raise ApplyError(f"{self.op.get('track_name', 'a track')!r} changed since it was analysed "
                             f"({self.describe()}: expected {self.op['expect']}, now {cur})")

    def describe(self) -> str:
        """The write in a message: its kind and what it writes."""
        what = self.op.get("parm", self.op.get("name", self.op.get("param", self.op.get("key", ""))))
        return f"{self.kind} {what}".strip()


# ------------------------------------------------------------------------------------------------
# info values of a track, an item, an item's active take
# ------------------------------------------------------------------------------------------------
class _InfoValue(Write):
    """A numeric info value (``D_VOL``, ``D_PAN``...) of a track, an item or its active take."""

    required = {"parm": _TEXT, "value": _NUMBER}

    def __init__(self, op):
        super().__init__(op)
        if not INFO_KEY.fullmatch(op["parm"]):
            raise ApplyError(f"write {self.kind!r}: {op['parm']!r} is not an info value key (like D_VOL)")


class TrackInfo(_InfoValue):
    kind = "track_info"

    def current(self, api, h):
        return api.GetMediaTrackInfo_Value(h["track"], self.op["parm"])

    def apply(self, api, h):
        return api.SetMediaTrackInfo_Value(h["track"], self.op["parm"], float(self.op["value"]))


class ItemInfo(_InfoValue):
    kind = "item_info"
    target = "item"

    def current(self, api, h):
        return api.GetMediaItemInfo_Value(h["item"], self.op["parm"])

    def apply(self, api, h):
        return api.SetMediaItemInfo_Value(h["item"], self.op["parm"], float(self.op["value"]))


class TakeInfo(_InfoValue):
    kind = "take_info"
    target = "item"

    def _take(self, api, h):
        take = api.GetActiveTake(h["item"])
        if str(take).endswith(NULL_SUFFIX):
            raise ApplyError(f"an item of track {self.where} has no active take any more")
        return take

    def current(self, api, h):
        return api.GetMediaItemTakeInfo_Value(self._take(api, h), self.op["parm"])

    def apply(self, api, h):
        return api.SetMediaItemTakeInfo_Value(self._take(api, h), self.op["parm"], float(self.op["value"]))


# ------------------------------------------------------------------------------------------------
# ExtState and our tags
# ------------------------------------------------------------------------------------------------
class TrackExt(Write):
    kind = "track_ext"
    required = {"key": _TEXT, "value": _TEXT}

    def current(self, api, h):
        return api.GetSetMediaTrackInfo_String(h["track"], "P_EXT:" + self.op["key"], "", False)[3]

    def apply(self, api, h):
        return api.GetSetMediaTrackInfo_String(h["track"], "P_EXT:" + self.op["key"], self.op["value"], True)[0]

    def check_expect(self, api, h):
        return None


class ProjExt(Write):
    kind = "proj_ext"
    target = "project"
    required = {"section": _TEXT, "key": _TEXT, "value": _TEXT}

    def current(self, api, h):
        r = api.GetProjExtState(0, self.op["section"], self.op["key"], "", 1 << 20)
        return (r[4] if r[0] else None) or ""

    def apply(self, api, h):
        return api.SetProjExtState(0, self.op["section"], self.op["key"], self.op["value"])

    def check_expect(self, api, h):
        return None


class TagFx(Write):
    """Record an FX as ours (or, with an empty value, not ours any more) in the track's tags."""

    kind = "tag_fx"
    target = "fx"
    optional = {"value": _TEXT}

    def capture(self, api, h):
        return api.GetSetMediaTrackInfo_String(h["track"], TAG_KEY, "", False)[3]

    def apply(self, api, h):
        tags = tags_of(api.GetSetMediaTrackInfo_String(h["track"], TAG_KEY, "", False)[3])
        guid = fx_guid(api, h["track"], h["fx"]).upper()
        if self.op.get("value") in (None, ""):
            tags.pop(guid, None)
        else:
            tags[guid] = str(self.op["value"])
        text = json.dumps(tags, sort_keys=True) if tags else ""
        return api.GetSetMediaTrackInfo_String(h["track"], TAG_KEY, text, True)[0]

    def revert(self, api, h, old, result):
        api.GetSetMediaTrackInfo_String(h["track"], TAG_KEY, old or "", True)


# ------------------------------------------------------------------------------------------------
# FX: add, delete, parameters by name, named config, ReaEQ bands
# ------------------------------------------------------------------------------------------------
class AddFx(Write):
    kind = "add_fx"
    required = {"name": _TEXT}
    optional = {"rename": _TEXT, "position": _INT}

    def apply(self, api, h):
        pos = int(self.op.get("position", -1) if self.op.get("position") is not None else -1)
        k = api.TrackFX_AddByName(h["track"], self.op["name"], False, -1000 - pos if pos >= 0 else -1)
        if k < 0:
            raise ApplyError(f"REAPER could not add {self.op['name']!r} on track {self.where}")
        if self.op.get("rename"):
            api.TrackFX_SetNamedConfigParm(h["track"], k, "renamed_name", self.op["rename"])
        return fx_guid(api, h["track"], k)

    def revert(self, api, h, old, result):
        k = fx_by_guid(api, h["track"], str(result))
        if k >= 0:
            api.TrackFX_Delete(h["track"], k)


def param_index(api, track: str, fx: int, name: str, where: str) -> int:
    """The index of the FX's parameter called ``name`` (TrackFX_GetParamName), as REAPER has it now."""
    for p in range(int(api.TrackFX_GetNumParams(track, fx))):
        r = api.TrackFX_GetParamName(track, fx, p, "", 256)
        if r[0] and r[4] == name:
            return p
    raise ApplyError(f"the FX on track {where} has no parameter named {name!r}")


class FxParam(Write):
    """A native parameter value, by REAPER's parameter ``name`` (or an explicit ``param`` index)."""

    kind = "fx_param"
    target = "fx"
    required = {"value": _NUMBER}
    optional = {"param": _INT, "name": _TEXT}

    def __init__(self, op):
        super().__init__(op)
        if (op.get("param") is None) == (op.get("name") is None):
            raise ApplyError(f"write {self.kind!r}: give exactly one of 'param' (index) and 'name'")

    def index(self, api, h) -> int:
        if self.op.get("name") is not None:
            return param_index(api, h["track"], h["fx"], self.op["name"], self.where)
        return int(self.op["param"])

    def current(self, api, h):
        return api.TrackFX_GetParam(h["track"], h["fx"], self.index(api, h), 0, 0)[0]

    def apply(self, api, h):
        return api.TrackFX_SetParam(h["track"], h["fx"], self.index(api, h), float(self.op["value"]))


class FxParamNormalized(FxParam):
    kind = "fx_param_normalized"

    def current(self, api, h):
        return api.TrackFX_GetParamNormalized(h["track"], h["fx"], self.index(api, h))

    def apply(self, api, h):
        return api.TrackFX_SetParamNormalized(h["track"], h["fx"], self.index(api, h), float(self.op["value"]))


class FxConfig(Write):
    """A named config value (``BANDTYPE<k>``, ``BANDENABLED<k>``...); REAPER refusing it stops
    the plan (a ReaEQ with fewer bands than the plan has no ``BANDTYPE<k>`` for the missing ones)."""

    kind = "fx_config"
    target = "fx"
    required = {"key": _TEXT, "value": _TEXT}

    def current(self, api, h):
        r = api.TrackFX_GetNamedConfigParm(h["track"], h["fx"], self.op["key"], "", 4096)
        return r[4] if r[0] else None

    def apply(self, api, h):
        if not api.TrackFX_SetNamedConfigParm(h["track"], h["fx"], self.op["key"], str(self.op["value"])):
            raise ApplyError(f"REAPER refused {self.op['key']}={self.op['value']} on the FX on track {self.where}"
                             + _band_hint(api, h, self.op["key"]))
        return True

    def check_expect(self, api, h):
        return None


def eq_band_count(api, track: str, fx: int) -> int:
    """How many bands a ReaEQ has: ``BANDTYPE<k>`` reads false past the last band (facts 2.1)."""
    for k in range(MAX_BANDS):
        if not api.TrackFX_GetNamedConfigParm(track, fx, f"BANDTYPE{k}", "", 64)[0]:
            return k
    return MAX_BANDS


def _band_hint(api, h, key: str) -> str:
    if not key.upper().startswith(("BANDTYPE", "BANDENABLED")):
        return ""
    n = eq_band_count(api, h["track"], h["fx"])
    band = int("".join(c for c in key if c.isdigit()) or 0) + 1
    return (f": this ReaEQ has {n} band{'s' if n != 1 else ''} (a default preset of yours?), "
            f"the plan needs band {band}; nothing was changed")


class EqBandParam(Write):
    """Freq, gain or bandwidth of ReaEQ band ``band`` (0-based), found from what the FX has now:
    its band count (``BANDTYPE<k>``), its parameter count and the parameter's name."""

    kind = "eq_band_param"
    target = "fx"
    required = {"band": _INT, "param": _TEXT, "value": _NUMBER}

    def __init__(self, op):
        super().__init__(op)
        if op["param"] not in EQ_PARAM_OFFSET:
            raise ApplyError(f"write {self.kind!r}: param {op['param']!r} is not one of freq, gain, bw")

    def index(self, api, h) -> int:
        tr, fx, band = h["track"], h["fx"], int(self.op["band"])
        n = eq_band_count(api, tr, fx)
        if not 0 <= band < n:
            raise ApplyError(f"the ReaEQ on track {self.where} has {n} band{'s' if n != 1 else ''} "
                             f"(a default preset of yours?); the plan needs band {band + 1}; nothing was changed")
        if int(api.TrackFX_GetNumParams(tr, fx)) < 3 * n + 1:
            raise ApplyError(f"the FX on track {self.where} does not look like ReaEQ "
                             f"({api.TrackFX_GetNumParams(tr, fx)} parameters for {n} bands)")
        p = 3 * band + EQ_PARAM_OFFSET[self.op["param"]]
        r = api.TrackFX_GetParamName(tr, fx, p, "", 256)
        if not (r[0] and str(r[4]).startswith(EQ_PARAM_PREFIXES[self.op["param"]])):
            raise ApplyError(f"the ReaEQ on track {self.where}: parameter {p} is {r[4]!r}, "
                             f"not band {band + 1}'s {self.op['param']}")
        return p

    def current(self, api, h):
        return api.TrackFX_GetParam(h["track"], h["fx"], self.index(api, h), 0, 0)[0]

    def apply(self, api, h):
        return api.TrackFX_SetParam(h["track"], h["fx"], self.index(api, h), float(self.op["value"]))

    def describe(self) -> str:
        return f"{self.kind} band {int(self.op['band']) + 1} {self.op['param']}"


class EqFactoryIfFewerBands(Write):
    """A ReaEQ that came with fewer than ``bands`` bands (a user's default preset) gets the factory
    state ``factory`` (base64, through the ``vst_chunk`` named config, facts 1.3); one with enough
    bands is left as it is. REAPER refusing it, or still too few bands, stops the plan."""

    kind = "eq_factory_if_fewer_bands"
    target = "fx"
    required = {"bands": _INT, "factory": _TEXT}

    def capture(self, api, h):
        r = api.TrackFX_GetNamedConfigParm(h["track"], h["fx"], "vst_chunk", "", 1 << 20)
        return r[4] if r[0] else None

    def apply(self, api, h):
        n, want = eq_band_count(api, h["track"], h["fx"]), int(self.op["bands"])
        if n >= want:
            return False
        ok = api.TrackFX_SetNamedConfigParm(h["track"], h["fx"], "vst_chunk", self.op["factory"])
        if not ok or eq_band_count(api, h["track"], h["fx"]) < want:
            raise ApplyError(f"the ReaEQ on track {self.where} has {n} band{'s' if n != 1 else ''} (a default "
                             f"preset of yours?) and REAPER did not take the factory layout; the plan needs "
                             f"{want}; nothing was changed")
        return True

    def revert(self, api, h, old, result):
        if result and old:
            api.TrackFX_SetNamedConfigParm(h["track"], h["fx"], "vst_chunk", old)


class EqBandsOffFrom(Write):
    """Switch off every ReaEQ band from ``first`` (0-based) on: a default preset with more bands
    than the plan's layout leaves its extra bands sounding otherwise."""

    kind = "eq_bands_off_from"
    target = "fx"
    required = {"first": _INT}

    def capture(self, api, h):
        old = {}
        for k in range(int(self.op["first"]), eq_band_count(api, h["track"], h["fx"])):
            r = api.TrackFX_GetNamedConfigParm(h["track"], h["fx"], f"BANDENABLED{k}", "", 64)
            old[k] = r[4] if r[0] else "0"
        return old

    def apply(self, api, h):
        n = eq_band_count(api, h["track"], h["fx"])
        for k in range(int(self.op["first"]), n):
            api.TrackFX_SetNamedConfigParm(h["track"], h["fx"], f"BANDENABLED{k}", "0")
        return max(0, n - int(self.op["first"]))

    def revert(self, api, h, old, result):
        for k, v in (old or {}).items():
            api.TrackFX_SetNamedConfigParm(h["track"], h["fx"], f"BANDENABLED{k}", str(v))


# ------------------------------------------------------------------------------------------------
# automation
# ------------------------------------------------------------------------------------------------
class EnvelopePoints(Write):
    """Points ``[[time_s, amplitude (linear), shape], ...]`` on the track's envelope named
    ``envelope`` (shown, e.g. "Trim Volume"), replacing the points between the first and the last
    time; values go through the envelope's scaling mode (ScaleToEnvelopeMode)."""

    kind = "envelope_points"
    required = {"envelope": _TEXT, "points": _POINTS}

    def _env(self, api, h):
        env = api.GetTrackEnvelopeByName(h["track"], self.op["envelope"])
        if env is None or str(env).endswith(NULL_SUFFIX):
            raise ApplyError(f"track {self.where} has no {self.op['envelope']!r} envelope "
                             "(show it once in REAPER, then run the action again)")
        return env

    def _range(self) -> tuple[float, float]:
        times = [float(p[0]) for p in self.op["points"]]
        return min(times), max(times) + 1e-9

    def resolve(self, api):
        h = super().resolve(api)
        self._env(api, h)
        if not self.op["points"]:
            raise ApplyError(f"write {self.kind!r}: no points")
        return h

    def capture(self, api, h):
        env = self._env(api, h)
        t0, t1 = self._range()
        old = []
        for i in range(int(api.CountEnvelopePoints(env))):
            r = api.GetEnvelopePoint(env, i, 0, 0, 0, 0, 0)
            if r[0] and t0 <= r[3] < t1:  # (ok, env, idx, time, value, shape, tension, selected)
                old.append([r[3], r[4], int(r[5]), r[6], bool(r[7])])
        return old

    def apply(self, api, h):
        env = self._env(api, h)
        t0, t1 = self._range()
        api.DeleteEnvelopePointRange(env, t0, t1)
        mode = api.GetEnvelopeScalingMode(env)
        for t, amp, shape in self.op["points"]:
            api.InsertEnvelopePoint(env, float(t), api.ScaleToEnvelopeMode(mode, float(amp)), int(shape), 0.0,
                                    False, True)
        api.Envelope_SortPoints(env)
        return len(self.op["points"])

    def revert(self, api, h, old, result):
        env = self._env(api, h)
        t0, t1 = self._range()
        api.DeleteEnvelopePointRange(env, t0, t1)
        for t, v, shape, tension, sel in old or []:
            api.InsertEnvelopePoint(env, t, v, shape, tension, sel, True)
        api.Envelope_SortPoints(env)


# the actions that show a track envelope lane on the selected tracks, creating it (facts 1.5)
SHOW_LANE_COMMANDS = {"Volume": 40406, "Volume (Pre-FX)": 40408, "Trim Volume": 42020}


def env_tags(api, track: str) -> dict[str, Any]:
    """The lanes reaper-assist owns on a track: {lane name: {"owner": action, "guid": EGUID}}."""
    try:
        d = json.loads(api.GetSetMediaTrackInfo_String(track, ENV_TAG_KEY, "", False)[3] or "{}")
    except ValueError:
        return {}
    return d if isinstance(d, dict) else {}


def _untouched(api, env) -> bool:
    """No points, or the one 0 dB point REAPER puts on a lane it shows for the first time."""
    n = int(api.CountEnvelopePoints(env))
    if n == 0:
        return True
    r = api.GetEnvelopePoint(env, 0, 0, 0, 0, 0, 0)
    amp = api.ScaleFromEnvelopeMode(api.GetEnvelopeScalingMode(env), r[4])
    return n == 1 and bool(r[0]) and abs(amp - 1.0) < 1e-6


def all_points(api, env) -> list[list]:
    """Every point of an envelope as ``[time, value (as the API gives it), shape, tension, selected]``."""
    pts = []
    for i in range(int(api.CountEnvelopePoints(env))):
        r = api.GetEnvelopePoint(env, i, 0, 0, 0, 0, 0)
        if r[0]:
            pts.append([r[3], r[4], int(r[5]), r[6], bool(r[7])])
    return pts


def replace_points(api, env, points) -> None:
    """All of an envelope's points replaced by ``[[time_s, value, shape], ...]`` (values through its
    scaling mode, ScaleToEnvelopeMode), sorted, and the envelope made active."""
    api.DeleteEnvelopePointRange(env, -1.0, 1e12)
    mode = api.GetEnvelopeScalingMode(env)
    for t, value, shape in points:
        api.InsertEnvelopePoint(env, float(t), api.ScaleToEnvelopeMode(mode, float(value)), int(shape), 0.0,
                                False, True)
    api.Envelope_SortPoints(env)
    api.GetSetEnvelopeInfo_String(env, "ACTIVE", "1", True)


def restore_points(api, env, old) -> None:
    """Put back the points :func:`all_points` captured."""
    api.DeleteEnvelopePointRange(env, -1.0, 1e12)
    for t, v, shape, tension, sel in old or []:
        api.InsertEnvelopePoint(env, t, v, shape, tension, sel, True)
    api.Envelope_SortPoints(env)


class OwnedEnvelope(Write):
    """All the points ``[[time_s, amplitude, shape], ...]`` of a lane reaper-assist owns
    (``envelope``: "Trim Volume", "Volume (Pre-FX)"), for the action ``owner``. A missing lane is
    created (its show action on this track alone, the selection put back) and recorded in the
    track's ``P_EXT:reaper_assist_env`` with its GUID; a lane that holds points and is not ours
    is refused, so a user's points are never moved. ``lane_guid`` is the lane the plan saw ("" if
    none): another lane now stops the apply."""

    kind = "owned_envelope"
    required = {"envelope": _TEXT, "owner": _TEXT, "points": _POINTS, "lane_guid": _TEXT}

    def _lane(self, api, h):
        env = api.GetTrackEnvelopeByName(h["track"], self.op["envelope"])
        return None if env is None or str(env).endswith(NULL_SUFFIX) else env

    def resolve(self, api):
        h = super().resolve(api)
        if self.op["envelope"] not in SHOW_LANE_COMMANDS or not self.op["points"]:
            raise ApplyError(f"write {self.kind!r}: lane {self.op['envelope']!r} with "
                             f"{len(self.op['points'])} points is not one reaper-assist writes")
        env = self._lane(api, h)
        guid = api.GetSetEnvelopeInfo_String(env, "GUID", "", False)[3] if env is not None else ""
        if guid.upper() != self.op["lane_guid"].upper():
            raise ApplyError(f"track {self.where}: its {self.op['envelope']} lane changed since it was analysed")
        if env is not None and not _untouched(api, env):
            mine = env_tags(api, h["track"]).get(self.op["envelope"]) or {}
            if str(mine.get("guid", "")).upper() != guid.upper():
                raise ApplyError(f"track {self.where}: its {self.op['envelope']} lane holds points of yours; "
                                 "reaper-assist never moves them")
        return h

    def capture(self, api, h):
        env = self._lane(api, h)
        pts = all_points(api, env) if env is not None else []
        return {"points": pts, "tags": api.GetSetMediaTrackInfo_String(h["track"], ENV_TAG_KEY, "", False)[3]}

    def _create(self, api, h):
        tr = h["track"]
        selected = [api.GetTrack(0, i) for i in range(api.CountTracks(0))
                    if api.GetMediaTrackInfo_Value(api.GetTrack(0, i), "I_SELECTED")]
        for t in selected:
            api.SetTrackSelected(t, False)
        api.SetTrackSelected(tr, True)
        api.Main_OnCommand(SHOW_LANE_COMMANDS[self.op["envelope"]], 0)
        api.SetTrackSelected(tr, False)
        for t in selected:
            api.SetTrackSelected(t, True)
        env = self._lane(api, h)
        if env is None:
            raise ApplyError(f"track {self.where}: REAPER did not create its {self.op['envelope']} lane")
        return env

    def apply(self, api, h):
        env = self._lane(api, h) or self._create(api, h)
        replace_points(api, env, self.op["points"])
        tags = env_tags(api, h["track"])
        tags[self.op["envelope"]] = {"owner": self.op["owner"],
                                     "guid": api.GetSetEnvelopeInfo_String(env, "GUID", "", False)[3]}
        api.GetSetMediaTrackInfo_String(h["track"], ENV_TAG_KEY, json.dumps(tags, sort_keys=True), True)
        return len(self.op["points"])

    def revert(self, api, h, old, result):
        env = self._lane(api, h)
        if env is not None:
            restore_points(api, env, (old or {}).get("points", []))
        api.GetSetMediaTrackInfo_String(h["track"], ENV_TAG_KEY, (old or {}).get("tags", ""), True)

    def describe(self) -> str:
        return f"{self.kind} {self.op['envelope']}"


KINDS: dict[str, type[Write]] = {cls.kind: cls for cls in (
    TrackInfo, ItemInfo, TakeInfo, TrackExt, ProjExt, TagFx, AddFx, FxParam, FxParamNormalized,
    FxConfig, EqBandParam, EqFactoryIfFewerBands, EqBandsOffFrom, EnvelopePoints, OwnedEnvelope)}
# more kinds in their own modules; each adds its classes to KINDS when imported
from reaper_assist.bridge import writes_compare, writes_remove  # noqa: E402, F401


def register(*classes: type[Write]) -> None:
    """Add write kinds defined in their own modules (``writes_<topic>.py``, which call this)."""
    KINDS.update({cls.kind: cls for cls in classes})


# kinds in their own modules: imported here so that every bridge knows them
from reaper_assist.bridge import writes_reference  # noqa: E402, F401


def parse(ops: Any) -> list[Write]:
    """Each JSON write as an instance of its kind; raises :class:`ApplyError` for anything else."""
    if not isinstance(ops, list) or not all(isinstance(op, dict) for op in ops):
        raise ApplyError("a plan is a list of write objects")
    out = []
    for i, op in enumerate(ops):
        cls = KINDS.get(op.get("op"))  # type: ignore[arg-type]
        if cls is None:
            raise ApplyError(f"write {i}: unknown kind {op.get('op')!r} (known: {', '.join(sorted(KINDS))})")
        w = cls(op)
        n = w.fx_ref
        if n is not None and not (0 <= n < i and ops[n].get("op") == "add_fx"):
            raise ApplyError(f"write {i}: 'fx': '@{n}' must name an earlier add_fx write")
        out.append(w)
    return out


def prepare(api, ops: Any) -> tuple[list[Write], list[dict[str, Any]]]:
    """Parse, resolve every GUID and check every ``expect`` against the live project; raises
    :class:`ApplyError` (nothing written yet) when the project changed since analysis."""
    writes = parse(ops)
    handles = []
    for w in writes:
        h = w.resolve(api)
        if w.fx_ref is None:
            w.check_expect(api, h)
        handles.append(h)
    return writes, handles


# kinds kept in their own modules register themselves in KINDS (they build on this module's Write)
from reaper_assist.bridge import writes_fxenv  # noqa: E402,F401
from reaper_assist.bridge import writes_take  # noqa: E402,F401
