"""A figure's legend names the node a fixed policy places on where its label does not: ``fixed (edge)``.

``compare --policies fixed,local`` of a file whose policy is ``{name: fixed, node: edge}`` drew a
legend entry ``fixed``: which node it fixed was said nowhere on the page.
"""

from __future__ import annotations

import matplotlib.pyplot as plt

from offloadsim.cli import main
from offloadsim.plots import plot_results
from offloadsim.plots.checks import figure_problems
from offloadsim.records.stored import read_results


def _legend(fig) -> list[str]:
    (legend,) = [legend for legend in [*fig.legends, *(ax.get_legend() for ax in fig.axes)] if legend]
    return [text.get_text() for text in legend.get_texts()]


def test_a_comparisons_fixed_policy_names_its_node_in_the_legend(tmp_path, tiny_scenario_text):
    scenario = tmp_path / "fixed.yaml"
    scenario.write_text(tiny_scenario_text.replace("policy: edge", "policy: {name: fixed, node: edge}"))
    out = tmp_path / "cmp"
    argv = ["compare", str(scenario), "--policies", "fixed,local", "-n", "1", "-q"]
    assert main([*argv, "--workers", "1", "--out", str(out)]) == 0
    fig = plot_results(read_results(out), "cdf")
    assert _legend(fig) == ["fixed (edge)", "local"]  # an entry naming its node is left as written
    assert figure_problems(fig) == []
    plt.close(fig)
