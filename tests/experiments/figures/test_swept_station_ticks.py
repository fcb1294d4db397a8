"""A sweep over a plan's stations draws each list of stations as a tick that reads on its own.

Five values of ``policy.nodes`` (one to six Jetsons of a pipeline) on a sweep figure's x axis were
five long one-line ticks, ``[jet-0, jet-1, jet-2][jet-0, jet-1, jet-2, jet-3]`` running into one
another: a category axis was tilted only past five values, and a list was never broken.
"""

from __future__ import annotations

import matplotlib.pyplot as plt

from offloadsim.cli import main
from offloadsim.plots import plot_results
from offloadsim.plots.checks import figure_problems
from offloadsim.records.stored import read_results

SCENARIO = """\
name: stations
duration: 2 s
nodes:
  phone: {tier: device, processor: {speed: 10 GFLOP/s}}
  jet: {count: 6, tier: edge, processor: {speed: 100 GFLOP/s}}
links:
  - {between: [phone, jet-*], bandwidth: 20 Mbps, latency: 3 ms}
applications:
  job:
    input: 10 KB
    stages: [{work: 0.2 GFLOP}, {work: 0.2 GFLOP}, {work: 0.2 GFLOP}, {work: 0.2 GFLOP}, {work: 0.2 GFLOP},
             {work: 0.2 GFLOP}]
workload:
  - {app: job, sources: phone, rate: 5 /s}
policy: {name: fixed, nodes: [jet-0], cuts: []}
"""

SWEEP = """\
base: stations.yaml
zip:
  policy.nodes:
    - [jet-0]
    - [jet-0, jet-1]
    - [jet-0, jet-1, jet-2]
    - [jet-0, jet-1, jet-2, jet-3]
    - [jet-0, jet-1, jet-2, jet-3, jet-4, jet-5]
  policy.cuts: [[], [3], [2, 4], [1, 2, 3], [1, 2, 3, 4, 5]]
"""


def test_five_station_lists_on_the_x_axis_do_not_run_together(tmp_path):
    (tmp_path / "stations.yaml").write_text(SCENARIO, encoding="utf-8")
    (tmp_path / "sweep.yaml").write_text(SWEEP, encoding="utf-8")
    out = tmp_path / "res"
    assert main(["sweep", str(tmp_path / "sweep.yaml"), "--workers", "1", "-q", "--out", str(out)]) == 0
    fig = plot_results(read_results(out), "sweep", x="policy.nodes")
    (ax,) = [ax for ax in fig.axes if ax.get_visible()]
    ticks = [label.get_text() for label in ax.get_xticklabels()]
    # Each list whole, broken after its commas where it is long: every station still named, in order.
    assert [tick.replace("\n", " ") for tick in ticks] == [
        "[jet-0]",
        "[jet-0, jet-1]",
        "[jet-0, jet-1, jet-2]",
        "[jet-0, jet-1, jet-2, jet-3]",
        "[jet-0, jet-1, jet-2, jet-3, jet-4, jet-5]",
    ]
    assert figure_problems(fig) == []  # it said: x tick labels overlap
    assert "\n" in ticks[-1]
    plt.close(fig)
