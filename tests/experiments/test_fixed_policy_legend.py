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


def _fixed_and_local(tmp_path, tiny_scenario_text):
    """``compare --policies fixed,local`` of the tiny scenario whose own policy is fixed on ``edge``."""
    scenario = tmp_path / "fixed.yaml"
    scenario.write_text(tiny_scenario_text.replace("policy: edge", "policy: {name: fixed, node: edge}"))
    out = tmp_path / "cmp"
    argv = ["compare", str(scenario), "--policies", "fixed,local", "-n", "1", "-q"]
    assert main([*argv, "--workers", "1", "--out", str(out)]) == 0
    return read_results(out)


def test_a_comparisons_fixed_policy_names_its_node_in_the_legend(tmp_path, tiny_scenario_text):
    fig = plot_results(_fixed_and_local(tmp_path, tiny_scenario_text), "cdf")
    assert _legend(fig) == ["fixed (edge)", "local"]  # an entry naming its node is left as written
    assert figure_problems(fig) == []
    plt.close(fig)


def test_a_long_node_name_is_in_the_legend_before_it_is_placed(tmp_path, tiny_scenario_text):
    """Renamed after the layout, a legend placed clear of the data for ``fixed`` grew over the local
    line as ``fixed (edge-accelerator-us-west-1-rack-12)``: it is placed for the text it shows."""
    from offloadsim.plots.axes import laid_out
    from offloadsim.plots.checks import legend_over_data
    from offloadsim.plots.style import house_style

    node = "edge-accelerator-us-west-1-rack-12"
    scenario = tmp_path / "fixed.yaml"
    text = tiny_scenario_text.replace("  edge: {", f"  {node}: {{").replace(
        "[phone, edge]", f"[phone, {node}]"
    )
    scenario.write_text(text.replace("policy: edge", f"policy: {{name: fixed, node: {node}}}"))
    out = tmp_path / "cmp"
    argv = ["compare", str(scenario), "--policies", "fixed,local", "-n", "1", "-q"]
    assert main([*argv, "--workers", "1", "--out", str(out)]) == 0
    fig = plot_results(read_results(out), "cdf")
    assert _legend(fig) == [f"fixed ({node})", "local"]
    (ax,) = fig.axes
    (legend,) = [legend for legend in [*fig.legends, ax.get_legend()] if legend]
    with house_style():  # measured as saved
        renderer = laid_out(ax)
        box, frame = legend.get_window_extent(renderer), ax.get_window_extent(renderer)
    inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
    assert inside or not box.overlaps(frame), (box, frame)  # within the axes or clear of them
    assert legend_over_data(fig) == []
    assert figure_problems(fig) == []
    plt.close(fig)


def test_the_bars_ticks_name_the_node_as_the_legends_do(tmp_path, tiny_scenario_text):
    """A bar per policy is named by its tick, which read ``fixed`` beside the CDF's ``fixed (edge)``."""
    fig = plot_results(_fixed_and_local(tmp_path, tiny_scenario_text), "bars")
    (ax,) = fig.axes
    assert [text.get_text() for text in ax.get_xticklabels()] == ["fixed (edge)", "local"]
    assert figure_problems(fig) == []
    plt.close(fig)


def test_the_latency_time_legend_names_the_node(tmp_path, tiny_scenario_text):
    """Its legend was made of its lines' labels, not through the policy legends' naming."""
    fig = plot_results(_fixed_and_local(tmp_path, tiny_scenario_text), "latency-time")
    assert _legend(fig) == ["fixed (edge)", "local"]
    assert figure_problems(fig) == []
    plt.close(fig)


def _two_fixed_and_local(tmp_path, tiny_scenario_text):
    """``compare --policies fixed,fixed(node=edge),local`` of the tiny scenario fixed on the phone.

    The file's ``fixed`` runs every task on the phone, as ``local`` does: local's line lies on it.
    """
    scenario = tmp_path / "fixed.yaml"
    scenario.write_text(tiny_scenario_text.replace("policy: edge", "policy: {name: fixed, node: phone}"))
    out = tmp_path / "cmp"
    argv = ["compare", str(scenario), "--policies", "fixed,fixed(node=edge),local", "-n", "1", "-q"]
    assert main([*argv, "--workers", "1", "--out", str(out)]) == 0
    return read_results(out)


def _each_fixed_named(texts: list[str]) -> None:
    """Every ``fixed`` in ``texts`` says its node: ``fixed (phone)`` or the entry's ``fixed(node=edge)``."""
    import re

    said = "\n".join(texts)
    assert "fixed (phone)" in said and "fixed(node=edge)" in said
    assert not re.findall(r"\bfixed\b(?! \(phone\)|\(node=edge\))", said), said


def test_two_fixed_policies_are_told_apart_in_legend_and_notes(tmp_path, tiny_scenario_text):
    """``local (same line as fixed)`` and the notes' ``fixed 11 %`` did not say which fixed policy."""
    fig = plot_results(_two_fixed_and_local(tmp_path, tiny_scenario_text), "cdf")
    legend = _legend(fig)
    assert legend == ["fixed (phone)", "fixed(node=edge)", "local (same line as fixed (phone))"]
    notes = [text.get_text() for text in fig.texts]
    assert any("(under fixed (phone) and local only)" in note for note in notes), notes  # recorded
    _each_fixed_named([*legend, *notes])
    assert figure_problems(fig) == []
    plt.close(fig)


def test_the_latency_time_line_under_another_names_the_fixed_node(tmp_path, tiny_scenario_text):
    """Its legend and its notes (tasks not completed, times to recover) are made apart from the others'."""
    fig = plot_results(_two_fixed_and_local(tmp_path, tiny_scenario_text), "latency-time")
    legend = _legend(fig)
    assert legend == ["fixed (phone)", "fixed(node=edge)", "local (same line as fixed (phone))"]
    _each_fixed_named([*legend, *(text.get_text() for text in fig.texts)])
    assert figure_problems(fig) == []
    plt.close(fig)
