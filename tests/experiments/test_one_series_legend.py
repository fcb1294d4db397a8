"""A series --where fixed to one value is named by the title alone (HC35's trial: title and legend
repeated each other, the legend's marker beside a data point read as one more)."""

from __future__ import annotations

from offloadsim.plots import plot_results


def test_a_series_fixed_by_where_has_no_legend_beside_the_title_that_names_it(sweep_results):
    fig = plot_results(sweep_results, "sweep", metric="latency_mean_s", where={"policy": "edge"})
    ax = fig.axes[0]
    assert ax.get_title(loc="left") == "policy = edge"
    assert ax.get_legend() is None and not fig.legends


def test_two_series_keep_their_legend(sweep_results):
    fig = plot_results(sweep_results, "sweep", metric="latency_mean_s")
    ax = fig.axes[0]
    legend = ax.get_legend() or (fig.legends[0] if fig.legends else None)
    assert legend is not None and sorted(t.get_text() for t in legend.get_texts()) == ["edge", "local"]
