"""A bare float in YAML whose text is a non-zero (or finite) number but whose value is not.

PyYAML read ``1.0e-400`` as 0 and ``1e400`` as inf without a word; the text is gone by the time a
key is checked, where a number with a unit (``1e-400 s``) is refused.  The loader refuses such a
float where it reads it, naming its key path.
"""

from __future__ import annotations

import math

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from offloadsim.scenario.yamlio import ScenarioLoader, UnreadableNumber, parse_yaml


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("a: 1.0e-400\n", "a", "1.0e-400 is too small a number: it rounds to 0"),
        ("a: {b: [1, 2, -9e-999]}\n", "a.b[2]", "-9e-999 is too small a number: it rounds to 0"),
        ('"my app": [{x: 1}, {x: 10e999}]\n', '["my app"][1].x', "10e999 is too large a number"),
        ("[0.5, .5e-400]\n", "[1]", ".5e-400 is too small a number: it rounds to 0"),
        ("x: &l [*l, 1e400]\n", "x[1]", "1e400 is too large"),
        ("x: &n 1e400\ny: *n\n", "x", "1e400 is too large a number: it rounds to infinity"),
    ],
)
def test_a_float_rounded_away_is_refused_at_its_key_path(text: str, where: str, message: str) -> None:
    data, problems = parse_yaml(text, "s.yaml")
    assert data is None and len(problems) == 1
    [problem] = problems
    assert problem.key_path == where and problem.message.startswith(message), problem


@pytest.mark.parametrize(
    "text", ["0.0e-400", "-0.0", "0e5", ".inf", "-.Inf", ".nan", "5e-324", "1.7e308", "1e-300", "00.0e-999"]
)
def test_a_float_that_means_its_value_is_read(text: str) -> None:
    data, problems = parse_yaml(f"a: {text}\n", "s.yaml")
    expected = float(text.replace("_", "").lower().replace(".inf", "inf").replace(".nan", "nan"))
    assert problems == [] and (data["a"] == expected or (math.isnan(expected) and math.isnan(data["a"])))


@given(st.floats(allow_nan=False))
def test_every_float_written_as_python_writes_it_reads_back(value: float) -> None:
    text = repr(value).replace("inf", ".inf")
    data, problems = parse_yaml(f"a: {text}\n", "s.yaml")
    assert problems == [] and data == {"a": value} and math.copysign(1, data["a"]) == math.copysign(1, value)


def test_the_pure_python_loader_refuses_it_too() -> None:
    """``--set`` values are read by it; the refusal is a YAML error there, as any other."""
    with pytest.raises(UnreadableNumber, match="1e-400 is too small a number"):
        yaml.load("1e-400", Loader=ScenarioLoader)
    assert issubclass(UnreadableNumber, yaml.YAMLError)


def test_the_strict_reader_s_examples():
    """Key paths and the YAML the strict reader reads back as written (offloadsim.strict_yaml's doctests)."""
    import doctest

    import offloadsim.strict_yaml

    result = doctest.testmod(offloadsim.strict_yaml)
    assert result.attempted > 0 and result.failed == 0
