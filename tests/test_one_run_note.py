"""A figure of one run's directory says it is one run, and of which seed.

A comparison's or sweep's figure says over how many replications it averages or pools; a run's
CDF, timeline and latency over time said nothing, so a figure shown alone read as the scenario's
answer rather than one sample of one seed.  Now each says ``one run, seed S`` (its replication
too where not the first); a comparison's figures say nothing of it.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from offloadsim.cli import main
from offloadsim.experiments import read_results
from offloadsim.plots import plot_results

SCENARIO = """
name: one
duration: 4 s
warmup: 0 s
nodes:
  phone: {count: 2, tier: device, processor: {profile: cortex-a76}}
  edge: {tier: edge, processor: {profile: t4}}
links:
  - {between: [phone-*, edge], bandwidth: 50 Mbps, latency: 5 ms}
applications:
  detect: {model: mobilenet_v2, input: 20 KB, output: 1 KB}
workload:
  - {app: detect, sources: phone-*, rate: 4 /s}
policy: edge
"""


def _note(results, kind, **kw) -> str:
    fig = plot_results(results, kind, **kw)
    text = " ".join(fig._supxlabel.get_text().split()) if fig._supxlabel else ""
    plt.close(fig)
    return text


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("one")
    path = tmp / "one.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    assert main(["run", str(path), "--seed", "11", "--stages", "--out", str(tmp / "run"), "--quiet"]) == 0
    argv = ["run", str(path), "--seed", "11", "--replication", "2", "--out", str(tmp / "rep2"), "--quiet"]
    assert main(argv) == 0
    argv = ["compare", str(path), "--policies", "local,edge", "--replications", "2", "--quiet"]
    assert main([*argv, "--out", str(tmp / "cmp")]) == 0
    return tmp


@pytest.mark.parametrize("kind", ["cdf", "timeline", "latency-time", "energy", "bars"])
def test_a_runs_figure_says_its_seed(folders, kind):
    note = _note(read_results(folders / "run"), kind)
    assert "one run, seed 11" in note and "one run, seed 11, replication" not in note


def test_a_later_replication_is_named(folders):
    assert "one run, seed 11, replication 2" in _note(read_results(folders / "rep2"), "cdf")


def test_a_comparisons_figure_does_not_say_it(folders):
    results = read_results(folders / "cmp")
    assert "one run" not in _note(results, "cdf")
    assert "one run" not in _note(results, "latency-time")
