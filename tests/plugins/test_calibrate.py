"""calibrate() against fake readers: silent when REAPER agrees, precise when it does not."""

from __future__ import annotations

import math

from reaper_assist.plugins import SPECS
from reaper_assist.plugins import uncertain as U
from reaper_assist.plugins.calibrate import calibrate, parse_display_number
from reaper_assist.plugins.cockos import fmt_db_signed1


class OwnPrediction:
    """A 'REAPER' that displays exactly what we predict."""

    def __init__(self):
        self.states = {k: s.default_state() for k, s in SPECS.items()}
        self.calls = 0

    def format_param_normalized(self, fx_key, param_index, norm):
        self.calls += 1
        spec = SPECS[fx_key].params(self.states[fx_key])[param_index]
        return spec.format(spec.from_normalized(norm))


class HalfIsUnityEq(OwnPrediction):
    """A 'REAPER' whose ReaEQ band gain has 0.5 = 0 dB (the competing hypothesis of facts Q1)."""

    def format_param_normalized(self, fx_key, param_index, norm):
        spec = SPECS[fx_key].params(self.states[fx_key])[param_index]
        if spec.mapping == "reaeq_gain":
            return fmt_db_signed1(20 * math.log10(2 * norm) if norm else -math.inf)
        return super().format_param_normalized(fx_key, param_index, norm)


def test_no_mismatch_when_reaper_agrees():
    reader = OwnPrediction()
    assert calibrate(reader) == []
    assert reader.calls > 0


def test_every_mapped_param_is_swept():
    reader = OwnPrediction()
    calibrate(reader, sweep=(0.5,))
    mapped = sum(
        1 for k, s in SPECS.items() for p in s.params(reader.states[k]) if p.mapped
    )
    assert reader.calls == mapped


def test_wrong_gain_curve_is_reported_with_the_supported_hypothesis():
    found = calibrate(HalfIsUnityEq(), specs=[SPECS["reaeq"]])
    assert found and {m.mapping for m in found} == {"reaeq_gain"}
    assert {m.param_index % 3 for m in found} == {1}
    value_mismatches = [m for m in found if m.kind == "value"]
    assert value_mismatches
    assert all("half_is_unity" in m.supports for m in value_mismatches)
    assert all("linear_over_4" not in m.supports for m in value_mismatches)
    assert "reaeq_gain" in str(found[0])


def test_format_only_difference_is_classified():
    class Spaced(OwnPrediction):
        def format_param_normalized(self, fx_key, param_index, norm):
            return super().format_param_normalized(fx_key, param_index, norm) + " dB"

    found = calibrate(Spaced(), specs=[SPECS["reacomp"]], sweep=(0.25,))
    assert found and all(m.kind == "format" for m in found)


def test_parse_display_number():
    assert parse_display_number("+6.0") == (6.0, 1)
    assert parse_display_number("-inf") == (-math.inf, 0)
    assert parse_display_number("4.0:1") == (4.0, 1)
    assert parse_display_number("1.2k") == (1200.0, 0)
    assert parse_display_number("off") is None
    assert U.UNCERTAIN["reaeq_gain"].alternatives
