"""Write kinds for FX: add, parameters by REAPER's name, named config, ReaEQ bands (runs inside
REAPER; :mod:`.writes`). Parameters are found by name, never by an assumed index (issue 10 point 3)."""

from __future__ import annotations

from reaper_assist.bridge.writes import _INT, _NUMBER, _TEXT, ApplyError, Write, fx_by_guid, fx_guid, register


MAX_BANDS = 64  # ReaEQ bands probed through BANDTYPE<k>
EQ_PARAM_PREFIXES = {"freq": ("Freq",), "gain": ("Gain",), "bw": ("BW", "Q")}  # facts 2.1 (Q- in old builds)
EQ_PARAM_OFFSET = {"freq": 0, "gain": 1, "bw": 2}  # three params per band, in band order (facts 2.1)


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


class EqStateRewrite(Write):
    """Our ReaEQ gets the state ``state`` (base64, ``vst_chunk``, facts 1.3) holding ``bands``
    bands: a re-run whose plan needs another band count than the instance has (host/realize.py
    ``_rewrite``). The same FX keeps its place, GUID and bypass (they are not in the plugin's
    state). It stops the plan when the state is no longer ``old_state`` (an edit since it was
    read), when REAPER refuses it, or when the FX then reports another band count or too few
    parameters for it; the state read before is put back on revert."""

    kind = "eq_state_rewrite"
    target = "fx"
    required = {"state": _TEXT, "bands": _INT, "old_state": _TEXT}

    def current(self, api, h):
        r = api.TrackFX_GetNamedConfigParm(h["track"], h["fx"], "vst_chunk", "", 1 << 20)
        return r[4] if r[0] else None

    def check_expect(self, api, h):
        if self.current(api, h) != self.op["old_state"]:
            raise ApplyError(f"{self.op.get('track_name', 'a track')!r} changed since it was analysed "
                             f"(the state of its ReaEQ): nothing was changed")

    def apply(self, api, h):
        tr, fx, want = h["track"], h["fx"], int(self.op["bands"])
        if not api.TrackFX_SetNamedConfigParm(tr, fx, "vst_chunk", self.op["state"]):
            raise ApplyError(f"REAPER refused the {want}-band state for the ReaEQ on track {self.where}; "
                             "nothing was changed")
        n, params = eq_band_count(api, tr, fx), int(api.TrackFX_GetNumParams(tr, fx))
        if n != want or params < 3 * n + 1:  # not recorded as done: put the state read back here
            api.TrackFX_SetNamedConfigParm(tr, fx, "vst_chunk", self.op["old_state"])
            raise ApplyError(f"the ReaEQ on track {self.where} reports {n} bands and {params} parameters after "
                             f"its state was given {want} bands; nothing was changed")
        return True

    def revert(self, api, h, old, result):
        if old:
            api.TrackFX_SetNamedConfigParm(h["track"], h["fx"], "vst_chunk", old)

    def describe(self) -> str:
        return f"{self.kind} ({self.op['bands']} bands)"


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


register(AddFx, FxParam, FxParamNormalized, FxConfig, EqBandParam, EqFactoryIfFewerBands, EqStateRewrite,
         EqBandsOffFrom)
