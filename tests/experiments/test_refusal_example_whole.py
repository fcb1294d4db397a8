"""A plot refusal's suggested command is whole, and runs as written.

``plot RESULTS --kind bars`` on a sweep of three dimensions suggested ``e.g. --by
policy,applications.classify.model --facet applications.clas... (120 characters)``: the example's
flags were joined into one value, which a message cuts at 80 characters as it cuts a user's.
"""

from __future__ import annotations

import shlex

import pytest
from test_where_zipped_partner import BASE  # a phone of a given speed, offloading to an edge

from offloadsim.cli import main

SWEEP = """
name: t
base: base.yaml
grid:
  applications.classify.params.precision: [fp32, int8]
  nodes.phone.processor.speed: [300 GFLOP/s, 4 TFLOP/s]
policies: [local, edge]
"""


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("three")
    (folder / "base.yaml").write_text(BASE, encoding="utf-8")
    (folder / "sweep.yaml").write_text(SWEEP, encoding="utf-8")
    assert main(["sweep", str(folder / "sweep.yaml"), "--out", str(folder / "out"), "--quiet"]) == 0
    return folder / "out"


def test_the_suggested_command_is_whole_and_draws_the_figure(results, tmp_path, capsys):
    assert main(["plot", str(results), "--kind", "bars", "--out", str(tmp_path / "refused")]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "characters)" not in line, line
    example = line.split("e.g. ", 1)[1].split(", or pick one value of each", 1)[0]
    assert example == (
        "--by policy,applications.classify.params.precision --facet nodes.phone.processor.speed"
    ), line
    figure = tmp_path / "suggested"
    assert main(["plot", str(results), "--kind", "bars", *shlex.split(example), "--out", str(figure)]) == 0
    assert figure.with_suffix(".png").is_file()


def test_the_values_to_pick_are_whole_too(results, tmp_path, capsys):
    assert main(["plot", str(results), "--kind", "timeline", "--out", str(tmp_path / "refused")]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    picks = line.split("pick one value of each (", 1)[1].split("), or a panel", 1)[0]
    figure = tmp_path / "picked"
    argv = ["plot", str(results), "--kind", "timeline", *shlex.split(picks), "--where", "policy=local"]
    assert main([*argv, "--out", str(figure)]) == 0, line
