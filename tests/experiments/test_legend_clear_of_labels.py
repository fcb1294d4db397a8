"""No legend runs over an axis label or tick labels: the reviewer's check says so, and the figures keep it."""

from __future__ import annotations

import pytest
from experiment_data import TWO_APPS
from figure_checks import check_readable

from offloadsim import plots
from offloadsim.experiments import compare, read_results
from offloadsim.plots.axes import laid_out
from offloadsim.plots.checks import figure_problems


def test_figure_problems_names_a_legend_over_an_axis_label_and_its_tick_labels():
    """A legend over the y label was not a problem the check knew of: only one over a panel's title was."""
    fig, ax = plots.new_axes("one-column")
    ax.plot([1, 2], [1, 2], label="one")
    ax.plot([1, 2], [2, 1], label="two")
    ax.set_ylabel("latency (ms)")
    ax.legend(loc="center right", bbox_to_anchor=(0.0, 0.5))  # left of the axes: where the y label is
    problems = figure_problems(fig)
    assert "the axes' legend runs over the y label 'latency (ms)'" in problems, problems
    assert any(p.startswith("the axes' legend runs over the y tick label") for p in problems), problems
    ax.get_legend().remove()
    ax.legend(loc="upper left")  # inside the axes, clear of both
    assert figure_problems(fig) == []


def test_a_figure_legend_over_another_panels_label_is_named():
    """A figure's legend is held to every panel's labels, each named by its panel."""
    fig, axes = plots.new_axes("two-column", ncols=2)
    for i, ax in enumerate(axes):
        ax.plot([1, 2], [1, 2], label="one")
        ax.set_xlabel("bandwidth (Mbit/s)")
        ax.set_title(f"({'ab'[i]})", loc="left")
    renderer = laid_out(axes[0])
    label = axes[0].xaxis.label.get_window_extent(renderer)
    at = fig.transFigure.inverted().transform(((label.x0 + label.x1) / 2, (label.y0 + label.y1) / 2))
    fig.legend(loc="center", bbox_to_anchor=tuple(at), bbox_transform=fig.transFigure)  # on (a)'s x label
    problems = [p for p in figure_problems(fig) if "runs over" in p]
    assert "the figure's legend runs over panel 1's x label 'bandwidth (Mbit/s)'" in problems, problems
    assert not [p for p in problems if "panel 2" in p], "(b)'s labels are clear of it"


@pytest.fixture(scope="module")
def objectives(tmp_path_factory):
    """neurosurgeon with its objective set and not, beside local, on one application: two --by keys."""
    folder = tmp_path_factory.mktemp("legend-labels")
    one_app = TWO_APPS.replace("  - {app: small, sources: phone, arrivals: poisson, rate: 1 /s}\n", "")
    (folder / "one.yaml").write_text(one_app, encoding="utf-8")
    policies = ["neurosurgeon(objective=energy)", "neurosurgeon(objective=latency)", "local"]
    compare(folder / "one.yaml", policies, 1, workers=1, out=folder / "cmp")
    return read_results(folder / "cmp")


@pytest.mark.parametrize("kind", ["cdf", "bars"])
def test_a_legend_above_the_figure_leaves_the_y_label_below_it(objectives, kind):
    """The CDF's legend of three long two-key names went above the figure and took height from the axes:
    its y label, taller than them now, ran up into the legend's last entry."""
    fig = plots.plot_results(objectives, kind, by=["policy.objective", "policy"])
    (ax,) = [a for a in fig.axes if a.get_visible()]
    check_readable(fig)
    renderer = laid_out(ax)
    label = ax.yaxis.label.get_window_extent(renderer)
    # Above the figure (the CDF's), or inside the axes where a panel kept tall under its notes has room
    # (the bars', since a single panel stopped shrinking for its notes): never where the y label is.
    for legend in fig.legends:
        assert label.y1 < legend.get_window_extent(renderer).y0, "the y label reaches up into the legend"
    inside = ax.get_legend()
    if inside is not None:
        box, frame = inside.get_window_extent(renderer), ax.get_window_extent(renderer)
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
        assert label.x1 < box.x0, "the y label runs into the legend"
    assert fig.legends or inside is not None
