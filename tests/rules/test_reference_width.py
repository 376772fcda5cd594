"""The width fit's refusals (rules/reference_match.py): a reference with no side (mono) or with no
mid (one channel inverted: L = -R) has no width to match, and says so instead of failing."""

from __future__ import annotations

import numpy as np
import pytest

from reaper_assist.errors import ParameterError
from reaper_assist.rules import reference_match as rule

RNG = np.random.default_rng(3)
MID = RNG.standard_normal(64) + 1j * RNG.standard_normal(64)
SIDE = 10 ** (-10 / 20) * (RNG.standard_normal(64) + 1j * RNG.standard_normal(64))  # about 10 dB under


def mix_terms():
    """A mix whose decoder scales its mid (U) and leaves its side (V)."""
    zero = np.zeros_like(MID)
    return rule.width_terms(MID, zero, zero, SIDE, np.ones(MID.size))


def test_side_over_mid_is_finite_for_mono_and_for_inverted_channels():
    assert rule.side_mid_db(MID, SIDE) == pytest.approx(10 * np.log10(np.sum(abs(SIDE) ** 2) / np.sum(abs(MID) ** 2)))
    assert rule.side_mid_db(MID, 0 * SIDE) < rule.MONO_MIX_DB  # L = R
    assert rule.side_mid_db(0 * MID, SIDE) > -rule.MONO_MIX_DB  # L = -R


@pytest.mark.parametrize("mid,side,message", [(MID, 0 * SIDE, "it is mono"), (0 * MID, SIDE, "cancel in mono")])
def test_a_reference_without_mid_or_side_is_refused_by_name(mid, side, message):
    with pytest.raises(ParameterError, match=message):
        rule.fit_width(mix_terms(), rule.side_mid_db(mid, side), amount=1.0, where="the master")


def test_a_wider_reference_moves_the_ratio_by_the_difference_within_the_cap():
    terms = mix_terms()
    mix = float(terms.ratio_db(1.0))
    fit = rule.fit_width(terms, mix + 4.0, amount=1.0, where="the master")
    assert fit.asked_db == pytest.approx(4.0, abs=1e-9) and fit.reached_db == pytest.approx(mix + 4.0, abs=0.05)
    assert fit.center_db == pytest.approx(-4.0, abs=0.01)  # the mid 4 dB down: side/mid +4 dB
    capped = rule.fit_width(terms, mix + 20.0, amount=0.5, where="the master")
    assert capped.asked_db == pytest.approx(0.5 * rule.WIDTH_CAP_DB, abs=1e-9)
