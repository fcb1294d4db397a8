"""Values that start with ``-`` on the command line: a negative one reaches its option's own check.

argparse reads a word that starts with ``-`` as an option unless it is a plain negative number
(``-1``, ``-0.5``): ``--latency -1ms`` said only "argument --latency: expected one argument",
which neither told what was wrong with -1 ms nor how to give it. A minus and a digit are now a
value, whichever unit follows; a word that still reads as an option gets the ``--opt=VALUE`` way.
"""

import pytest

from offloadsim.cli import main


def _refused(capsys, *argv: str) -> str:
    assert main(list(argv)) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("offloadsim: error: "), captured.err
    assert "Traceback" not in captured.err
    return lines[0]


# One of each kind of option whose value may be written with a minus: a quantity with a unit (time,
# size, bandwidth), a percentage, a fraction in scientific notation.
NEGATIVE = [
    (["testbed", "run", "--latency"], "-1ms", "a time of at least 0"),
    (["testbed", "run", "--think"], "-5ms", "a time of at least 0"),
    (["testbed", "flows", "--stagger"], "-2ms", "a time of at least 0"),
    (["testbed", "flows", "--size"], "-5MB", "a size of at least 0"),
    (["testbed", "run", "--queue"], "-1KiB", "a size of at least 0"),
    (["testbed", "run", "--rate"], "-5Mbps", "a bandwidth of at least 0"),
    (["calibrate", "--target-ci"], "-5%", "a percentage between 0 and 100"),
    (["testbed", "run", "--pattern", "poisson", "--load"], "-1e-3", "a number between 0 and 1 (exclusive)"),
]


@pytest.mark.parametrize(("option", "value", "expected"), NEGATIVE)
def test_a_negative_value_after_its_option_is_refused_by_the_option_s_check(option, value, expected, capsys):
    line = _refused(capsys, *option, value)
    assert f'argument {option[-1]}: expected {expected}, got "{value}"' in line, line


@pytest.mark.parametrize(("option", "value", "expected"), NEGATIVE)
def test_written_with_an_equals_sign_it_is_refused_the_same_way(option, value, expected, capsys):
    # A testbed quantity's negative was refused only by the testbed's check, not naming its option.
    *before, name = option
    assert f'argument {name}: expected {expected}, got "{value}"' in _refused(
        capsys, *before, f"{name}={value}"
    )


@pytest.mark.parametrize(
    ("argv", "written"),
    [
        (["calibrate", "--description", "-fast"], "--description=-fast"),
        (["run", "s.yaml", "--set", "-seed=1"], "--set=-seed=1"),
        (["run", "s.yaml", "--policy", "-fast"], "--policy=-fast"),
        (["calibrate", "--onnx", "-a.onnx"], "--onnx=-a.onnx"),
        # a word that starts as infinity does but is no number (-inf is one: below)
        (["testbed", "run", "--latency", "-info"], "--latency=-info"),
        (["testbed", "run", "--latency", "-infms"], "--latency=-infms"),
        # as typed: a long option, a short option (an abbreviation is refused: test_cli_abbreviations.py)
        (["compare", "s.yaml", "--policies", "local", "--replications", "-x"], "--replications=-x"),
        (["compare", "s.yaml", "--policies", "local", "-n", "-x"], "-n=-x"),
    ],
)
def test_a_value_still_read_as_an_option_says_how_to_give_it(argv, written, capsys):
    line = _refused(capsys, *argv)
    assert f"starts with '-', which reads as an option: write {written} (see " in line, line


def test_an_option_after_an_option_that_needs_a_value_gets_no_such_hint(capsys):
    # the value was forgotten, not written with a minus
    line = _refused(capsys, "calibrate", "--description", "--quiet")
    assert line == (
        "offloadsim: error: argument --description: expected one argument (see 'offloadsim calibrate --help')"
    )


def test_a_negative_number_is_still_a_value_of_a_whole_number_option(capsys):
    said = (
        "argument --replications/-n: expected a whole number of at least 1 (at most 9223372036854775807), got"
    )
    assert f'{said} "-3"' in _refused(capsys, "compare", "s.yaml", "--policies", "local", "-n", "-3")


# A minus and a number with no digit (-.5 has one): infinity and not-a-number as float reads them.
NO_DIGIT = ["-inf", "-nan", "-Infinity", "-NaN", "-INF"]


@pytest.mark.parametrize("value", NO_DIGIT)
@pytest.mark.parametrize(("option", "_value", "_expected"), NEGATIVE)
def test_a_minus_and_infinity_or_nan_is_a_value_refused_by_the_option_s_check(
    option, _value, _expected, value, capsys
):
    """``--latency -inf`` was read as an option: "expected one argument", and the way to write it."""
    line = _refused(capsys, *option, value)
    assert line.startswith(f"offloadsim: error: argument {option[-1]}: expected a"), line
    verb = " ".join(word for word in option if not word.startswith("-") and word != "poisson")
    assert line.endswith(f"got \"{value}\" (see 'offloadsim {verb} --help')"), line
    assert "reads as an option" not in line


@pytest.mark.parametrize("value", ["-.5%", "-inf%", "-nan%"])
def test_with_a_unit_or_a_percent_sign_after_it_too(value, capsys):
    line = _refused(capsys, "calibrate", "--target-ci", value)
    assert f'argument --target-ci: expected a percentage between 0 and 100, got "{value}"' in line


def test_a_whole_number_option_refuses_minus_infinity_itself(capsys):
    line = _refused(capsys, "compare", "s.yaml", "--policies", "local", "-n", "-inf")
    assert "argument --replications/-n: expected a whole number of at least 1" in line and '"-inf"' in line


@pytest.mark.parametrize("value", ["-nan", "-NaN", "-nan%"])
@pytest.mark.parametrize("option", ["--seed", "-n"])
def test_minus_nan_is_a_value_where_n_is_an_option_too(option, value, capsys):
    """argparse matched ``-nan`` as ``-n an`` ``--seed -nan`` said "expected one argument"."""
    line = _refused(capsys, "compare", "s.yaml", "--policies", "local", option, value)
    assert "expected a" in line and f'got "{value}"' in line and "expected one argument" not in line, line


def _parsers(parser):
    """``parser`` and every parser below it (each verb's, each sub-verb's)."""
    import argparse

    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _parsers(sub)


def test_every_parser_reads_a_negative_value_as_a_value():
    """A word like ``-nan`` or ``-inf`` is a value in every parser, not an option it starts with."""
    from offloadsim.cli.main import build_parser

    parsers = list(_parsers(build_parser()))
    assert len(parsers) > 10
    for parser in parsers:
        for value in [*NO_DIGIT, "-1", "-1ms", "-nan%"]:
            assert parser._parse_optional(value) is None, (parser.prog, value)


def test_a_name_may_be_minus_infinity_as_it_may_be_minus_one():
    from offloadsim.cli.main import build_parser

    args = build_parser().parse_args(["calibrate", "--description", "-inf"])
    assert args.description == "-inf"


def test_no_option_of_any_verb_reads_as_a_value():
    """An option named as a value is would turn every value of that form back into an option."""
    import argparse

    from offloadsim.cli.main import _NEGATIVE_VALUE, build_parser

    def options(parser: argparse.ArgumentParser):
        for each in _parsers(parser):
            for action in each._actions:
                yield from action.option_strings

    named = set(options(build_parser()))
    assert {"-n", "-h", "--latency"} <= named
    assert [name for name in named if _NEGATIVE_VALUE.fullmatch(name)] == []
