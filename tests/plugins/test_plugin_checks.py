"""The value tests every plug-in adapter shares, engine and world alike (offloadsim/plugin_checks.py).

The engine's adapters had two twins, "finite number >= 0" and "number >= 0, inf included"; a kind of
timed change, read in the world below the engine, could not import them and checked its values in
its readers. One predicate now serves both, with the line they refuse a value in.
"""

from __future__ import annotations

import doctest
import math
from fractions import Fraction

import numpy as np
import pytest

from offloadsim import plugin_checks
from offloadsim.plugin_checks import as_float, number_at_least, refusal, whole


def test_its_examples_hold():
    assert doctest.testmod(plugin_checks).attempted > 0
    assert doctest.testmod(plugin_checks).failed == 0


@pytest.mark.parametrize("value", [0, 0.0, 2.5, np.float32(1.5), np.int64(3), Fraction(1, 3)])
def test_any_real_number_type_at_least_the_floor_stands(value):
    assert number_at_least(value) and number_at_least(value, inf=True)


@pytest.mark.parametrize("value", [-1, -1e-300, math.nan, np.float64("nan"), True, False, "1", None, 1j])
def test_no_number_nan_a_bool_or_one_below_the_floor_is_refused_inf_or_not(value):
    assert not number_at_least(value) and not number_at_least(value, inf=True)


def test_inf_stands_only_where_it_means_something_and_the_floor_is_the_callers():
    assert not number_at_least(math.inf) and number_at_least(math.inf, inf=True)
    assert not number_at_least(-math.inf, -math.inf)  # finite only, whatever the floor
    assert number_at_least(5.0, 5.0) and not number_at_least(4.999, 5.0)  # a time not going back


def test_a_whole_number_and_a_checked_number_as_the_type_the_reader_is_typed_for():
    assert [whole(v) for v in (np.int64(2), 2.0, 2.5, True, -2)] == [True, True, False, False, False]
    assert type(as_float(np.float64(0.25))) is float and as_float(Fraction(1, 4)) == 0.25


def test_the_line_names_the_plug_in_what_it_gave_and_what_was_expected():
    assert refusal('link model "m" (p.M)', "its busy_s was -1.0", "seconds >= 0") == (
        'link model "m" (p.M): its busy_s was -1.0; expected seconds >= 0'
    )
