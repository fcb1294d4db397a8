"""No option is abbreviated: argparse took ``run --ou DIR`` for ``--out``, a typo that chose an option.

The refusal is one line, exit 2, naming the option meant; nothing is run or written.
"""

import argparse
from pathlib import Path

import pytest

from offloadsim.cli import main
from offloadsim.cli.main import _VERBS, build_parser


def _parsers(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """Every parser of the command line, the top one first, with the verbs that reach it."""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, (*path, name))


def test_every_parser_refuses_abbreviations():
    parsers = dict(_parsers(build_parser()))
    assert {path[0] for path in parsers if path} == set(_VERBS)
    nested = {("calibrate", "report"), ("testbed", "run"), ("profiles", "show"), ("models", "show")}
    assert nested <= set(parsers)
    assert [path for path, parser in parsers.items() if parser.allow_abbrev] == []


def _refused(capsys, *argv: object) -> str:
    assert main([str(a) for a in argv]) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("offloadsim: error: "), captured.err
    assert "Traceback" not in captured.err
    return lines[0]


@pytest.mark.parametrize(
    ("argv", "typed", "meant"),
    [
        (["--vers"], "--vers", "--version"),
        (["--deb", "run", "{s}"], "--deb", "--debug"),
        (["run", "{s}", "--ou", "{out}"], "--ou", "--out"),
        (["run", "{s}", "--ou={out}"], "--ou={out}", "--out"),
        (["validate", "{s}", "--sho"], "--sho", "--show"),
        (
            ["compare", "{s}", "--policies", "local", "--rep", "2", "--out", "{out}"],
            "--rep",
            "--replications",
        ),
        (["sweep", "{s}", "--work", "2", "--out", "{out}"], "--work", "--workers"),
        (["plot", "{out}", "--ki", "latency-time"], "--ki", "--kind"),
        (["calibrate", "--desc", "x"], "--desc", "--description"),
        (["calibrate", "report", "--rep", "3"], "--rep", "--repeats"),
        (["testbed", "run", "--lat", "5ms", "--out", "{out}"], "--lat", "--latency"),
        (["testbed", "flows", "--rou", "3", "--out", "{out}"], "--rou", "--rounds"),
        (["testbed", "campaign", "--repe", "3"], "--repe", "--repetitions"),
        (["profiles", "--scen", "{s}"], "--scen", "--scenario"),
        (["profiles", "show", "x", "--scen", "{s}"], "--scen", "--scenario"),
        (["models", "show", "resnet18", "--cs"], "--cs", "--csv"),
    ],
)
def test_an_abbreviated_option_is_refused_naming_it(argv, typed, meant, tiny_scenario, tmp_path, capsys):
    out = tmp_path / "out"
    fill = {"s": tiny_scenario, "out": out}
    line = _refused(capsys, *(word.format(**fill) for word in argv))
    assert f"unrecognized arguments: {typed.format(**fill)}" in line, line
    assert f"(options are written in full: did you mean {meant}?)" in line, line
    assert not out.exists()


def test_a_prefix_of_several_options_names_them_all(tiny_scenario, capsys):
    line = _refused(capsys, "compare", tiny_scenario, "--polic", "local")
    assert "did you mean --policies or --policy-timeout?" in line, line


def test_a_misspelt_option_suggests_the_close_one(tiny_scenario, capsys):
    line = _refused(capsys, "run", tiny_scenario, "--oput", "x")
    said = "unrecognized arguments: --oput x (did you mean --out?) (see 'offloadsim run --help')"
    assert line.endswith(said), line


def test_a_word_near_no_option_suggests_none(tiny_scenario, capsys):
    # the dashes alone made any short word near: --ke suggested --help
    line = _refused(capsys, "sweep", tiny_scenario, "--ke", "x")
    assert "did you mean" not in line, line


def test_the_whole_option_still_works(tiny_scenario, tmp_path, capsys):
    out = tmp_path / "whole"
    assert main(["run", str(tiny_scenario), "--out", str(out), "--quiet"]) == 0
    assert Path(capsys.readouterr().out.strip()) == out
