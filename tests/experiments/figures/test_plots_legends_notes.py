"""Legends and notes: a legend covers no data, a series drawn under another is named, and the notes
say what the intervals are, what a line pools and which configurations lack tasks."""

from __future__ import annotations

import dataclasses
import itertools
import math
import re

import numpy as np
import pandas as pd
import pytest
from figure_checks import check_readable
from figure_helpers import _footnote, check_figure, legend_texts, swept, tiny_sweep
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure

from offloadsim import plots
from offloadsim.experiments import compare, read_results
from offloadsim.plots.axes import laid_out
from offloadsim.scenario import ScenarioWarning


@pytest.mark.parametrize(
    "options", [{"by": "app,policy.objective"}, {"by": "app", "where": {"policy.objective": "latency"}}]
)
def test_a_sweeps_legend_covers_no_line_and_no_all_local_label(two_apps, options, tmp_path):
    """matplotlib's "best" place sat on the sweep's curves and its all-local lines and their labels.

    No place inside is free there: the legend goes beside the axes, and the labels placed before it
    are placed again, clear of it.
    """
    from offloadsim.plots.checks import legend_over_data

    fig = plots.plot_results(two_apps, "sweep", **options)
    assert legend_over_data(fig) == []
    ax = fig.axes[0]
    renderer = fig._get_renderer()
    legend = ax.get_legend().get_window_extent(renderer)
    labels = [t for t in ax.texts if "all local" in t.get_text()]
    assert len(labels) == 2
    assert not [t.get_text() for t in labels if t.get_window_extent(renderer).overlaps(legend)]
    check_figure(fig, tmp_path, "sweep")


def test_a_legend_lists_only_series_that_drew_something():
    metrics = pd.DataFrame(
        {
            "x": ["1 Mbps", "2 Mbps"] * 2,
            "policy": ["a", "a", "b", "b"],
            "replication": [0, 0, 0, 0],
            "latency_mean_s": [0.1, 0.2, np.nan, np.nan],
        }
    )
    ax = plots.metric_vs_parameter(metrics, "latency_mean_s", "x")
    assert ax.get_legend() is None, "one series drawn: no legend promising a second"


def test_a_swept_series_drawn_wholly_under_another_is_named_in_the_legend():
    """A trial's sweep had multi-tier choose the cloud at every point: its energy figure drew it
    wholly under cloud's markers, with a legend naming both as if both were in view."""
    spots = {"local": [(1.6, 1.3), (3.2, 2.6)], "cloud": [(0.12, 0.05), (0.2, 0.06)]}
    spots["multi-tier"] = spots["cloud"]
    spots["edge"] = [(0.12, 0.05), (0.4, 0.2)]  # on cloud's spot at one value only: not under it
    rows = [
        {"policy": policy, "n": n, "replication": rep, "latency_mean_s": lat, "device_energy_mean_j": eng}
        for policy, points in spots.items()
        for n, (lat, eng) in zip((1, 20), points, strict=True)
        for rep in (0, 1)
    ]
    fig, ax = plots.new_axes("one-column")
    plots.energy_latency(pd.DataFrame(rows), x="n", ax=ax)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["local", "cloud", "multi-tier (same spot as cloud)", "edge"]
    check_readable(fig)


def test_a_sweep_line_drawn_exactly_over_another_is_named_in_the_legend():
    """A trial's TTFT sweep drew neurosurgeon (the edge at every prompt length) over edge's line: the
    legend named both, the axes showed one."""
    lines = {"edge": [0.02, 0.03, 0.3], "neurosurgeon": [0.02, 0.03, 0.3], "cloud": [0.05, 0.03, 0.1]}
    rows = [
        {"policy": policy, "tokens": tokens, "replication": rep, "ttft_mean_s": value}
        for policy, values in lines.items()
        for tokens, value in zip((32, 512, 2048), values, strict=True)
        for rep in (0, 1)
    ]
    fig, ax = plots.new_axes("one-column")
    plots.metric_vs_parameter(pd.DataFrame(rows), "ttft_mean_s", "tokens", ax=ax)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["edge", "neurosurgeon (same line as edge)", "cloud"]
    check_readable(fig)


def test_a_cdf_drawn_over_another_is_named_in_the_legend_once_a_series():
    """A trial's CDF drew neurosurgeon (every task sent whole to the edge) over edge: the legend named
    both, the axes showed one line; a panel per bandwidth then listed neurosurgeon twice, once
    "(same line as edge)" from the panel where it was and once plain from the one where it was not."""
    from offloadsim.plots.axes import figure_legend

    rng = np.random.default_rng(3)
    edge = rng.exponential(0.05, 400) + 0.03
    latencies = {
        ("5 Mbps", "edge"): edge,
        ("5 Mbps", "neurosurgeon"): edge * 1.001,  # within 2 % at every percentile
        ("5 Mbps", "local"): edge + 0.5,
        ("50 Mbps", "edge"): edge,
        ("50 Mbps", "neurosurgeon"): edge * 1.2,  # a line of its own
        ("50 Mbps", "local"): edge + 0.5,
    }
    tasks = pd.DataFrame(
        [
            {"bandwidth": bandwidth, "policy": policy, "status": "completed", "latency": value}
            for (bandwidth, policy), values in latencies.items()
            for value in values
        ]
    )
    fig, ax = plots.new_axes("one-column")
    plots.latency_cdf(tasks[tasks["bandwidth"] == "5 Mbps"], ax=ax)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["edge", "neurosurgeon (same line as edge)", "local"]
    check_readable(fig)
    fig, panels = plots.new_axes("two-column", ncols=2)
    for panel, bandwidth in zip(panels, ("5 Mbps", "50 Mbps"), strict=True):
        plots.latency_cdf(tasks[tasks["bandwidth"] == bandwidth], ax=panel)
    assert figure_legend(fig, panels)
    (legend,) = fig.legends
    # once, saying the panel where it is hidden (test_a_series_under_another_in_each_panel_is_named_...)
    assert [t.get_text() for t in legend.get_texts()] == [
        "edge",
        "neurosurgeon (same line as edge in (a))",
        "local",
    ]


def test_where_sweep_lines_coincide_over_part_of_the_sweep_the_figure_says_so():
    """split_vs_bandwidth drew neurosurgeon over local at 1-2 Mbit/s and over edge from 100 Mbit/s
    up: the axes showed one line where the legend named two, and nothing said so."""
    from offloadsim.plots.sweep_lines import coinciding_lines

    bandwidths = ["1 Mbps", "2 Mbps", "10 Mbps", "100 Mbps", "200 Mbps", "500 Mbps"]
    lines = {
        "local": [20, 20, 20, 20, 20, 20],
        "edge": [np.nan, np.nan, 0, 0, 0, 0],  # no point at 1 and 2 Mbit/s
        "neurosurgeon": [20, 20, 3, 0.1, 0, 0],  # 0.1 of 20 layers: on edge's line, to the eye
        "cloud": [5, 20, 5, 20, 5, 20],  # crosses local at each of its points, never along a segment
    }
    rows = [
        {"policy": policy, "bw": bw, "replication": rep, "split": value}
        for policy, values in lines.items()
        for bw, value in zip(bandwidths, values, strict=True)
        for rep in (0, 1)
    ]
    _, (left, right) = plots.new_axes("two-column", ncols=2)
    plots.metric_vs_parameter(pd.DataFrame(rows), "split", "bw", ax=left)
    assert coinciding_lines([left]) == (
        "lines drawn over each other: neurosurgeon over local at 1–2 Mbit/s; "
        "neurosurgeon over edge at 100–500 Mbit/s"
    )
    # Another panel where they coincide elsewhere: each panel's ranges named by its panel.
    apart = [r | {"split": r["split"] + 5} if r["policy"] == "local" else r for r in rows]
    plots.metric_vs_parameter(pd.DataFrame(apart), "split", "bw", ax=right)
    plots.label_panels([left, right])
    assert coinciding_lines([left, right]) == (
        "lines drawn over each other: (a) neurosurgeon over local at 1–2 Mbit/s; "
        "neurosurgeon over edge at 100–500 Mbit/s; (b) neurosurgeon over edge at 100–500 Mbit/s"
    )
    # A line drawn wholly on another is said by the legend, not again under the figure.
    _, ax = plots.new_axes("one-column")
    same = [r for r in rows if r["policy"] in ("edge", "local")]
    same += [r | {"policy": "edge-too"} for r in same if r["policy"] == "edge"]
    plots.metric_vs_parameter(pd.DataFrame(same), "split", "bw", ax=ax)
    assert "edge-too (same line as edge)" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert coinciding_lines([ax]) == ""


@pytest.mark.parametrize("kind", ["bars", "energy", "utilisation"])
def test_a_cli_figure_says_what_its_intervals_are_and_over_how_many_replications(compare_results, kind):
    """A new user's figures showed error bars that only the gallery captions explained."""
    note = _footnote(plots.plot_results(compare_results, kind))
    assert "95 % CI" in note and "over 2 replications" in note and "error bars" in note


def _latencies(compare_results, local, edge):
    """compare_results (local, the baseline, and edge over 2 replications) with these mean latencies."""
    metrics = compare_results.metrics.copy()
    for policy, values in (("local", local), ("edge", edge)):
        rows = (metrics["policy"] == policy).to_numpy()
        metrics.loc[rows, "latency_mean_s"] = metrics.loc[rows, "replication"].map(dict(enumerate(values)))
    return dataclasses.replace(compare_results, metrics=metrics)


def test_bars_whose_error_bars_overlap_say_where_the_paired_difference_excludes_0(compare_results):
    """A researcher's bars of their heuristic and a baseline overlapped where compare's table starred
    the Δ: each bar is its own policy's CI, the Δ's is paired on common random numbers.  The note says
    it, as the table writes the Δ, and says nothing where the bars are apart or the Δ holds 0."""
    from offloadsim.plots.figure_data import FigureView
    from offloadsim.plots.paired_note import paired_note

    def note(local, edge):
        view = FigureView(_latencies(compare_results, local, edge), "bars", "latency_mean_s", None)
        return paired_note(view, view.metrics, ["policy"], None, None)

    assert compare_results.manifest["baseline"] == "local"
    # Own CIs of ± 6.4 s; the paired Δ +100.5 ± 6.4 ms (t 12.71 with 1 df, s 0.707 ms, n 2).
    overlapping = _latencies(compare_results, [1.0, 2.0], [1.1, 2.101])
    said = _footnote(plots.plot_results(overlapping, "bars", metric="latency_mean_s"))
    assert (
        "error bars overlapping local's do not mean no difference: the replications are paired (common "
        "random numbers), and the paired difference to local excludes 0 for edge (+100.5 ± 6.4 ms)"
    ) in " ".join(said.split())
    assert "for edge (+100.0 ms in every replication)" in note([1.0, 2.0], [1.1, 2.1])
    assert note([1.0, 2.0], [1.2, 2.0]) == ""  # the Δ, +100 ± 1,271 ms, holds 0
    assert note([1.0, 1.01], [3.0, 3.01]) == ""  # the bars are apart: the figure shows it
    assert note([1.0, 2.0], [1.0, 2.0]) == ""  # no difference at all


def test_a_paired_note_on_throughput_marks_a_delta_of_tasks_in_flight_as_the_table_does(compare_results):
    """The note named edge's throughput Δ where compare's table marks it "(in flight)": made only of
    the tasks still in flight at the end, not a faster service.  The note now says so, from the same
    summary; where edge completed more for another reason it stays as it was."""
    from offloadsim.plots.figure_data import FigureView
    from offloadsim.plots.paired_note import paired_note

    metrics = compare_results.metrics.copy()
    edge = (metrics["policy"] == "edge").to_numpy()
    # Own CIs of ± 4.4 tasks/s overlap; the paired Δ, +0.1005 ± 0.0064 tasks/s, excludes 0.
    metrics.loc[edge, "throughput_per_s"] += metrics.loc[edge, "replication"].map({0: 0.1, 1: 0.101})

    def note(completed_diff, in_flight_diff):
        summary = compare_results.summary.copy()
        for metric, column, values in (
            ("completed", "diff", {"edge": completed_diff}),
            ("in_flight", "diff", {"edge": in_flight_diff}),
            ("in_flight", "mean", {"local": 3.0, "edge": 1.0}),
        ):
            for policy, value in values.items():
                summary.loc[(summary["policy"] == policy) & (summary["metric"] == metric), column] = value
        results = dataclasses.replace(compare_results, metrics=metrics, summary=summary)
        view = FigureView(results, "bars", "throughput_per_s", None)
        return " ".join(paired_note(view, view.metrics, ["policy"], None, None).split())

    assert compare_results.summary.query("metric == 'arrived' and policy == 'edge'")["diff"].item() == 0
    said = note(2.0, -2.0)  # edge completed 2 more a run, and left 2 fewer in flight: the same tasks
    assert "excludes 0 for edge (+0.1005 ± 0.0064 tasks/s) (in flight)" in said, said
    assert said.endswith(
        "; (in flight): not judged, a throughput Δ between policies offered the same tasks, made only of "
        "those still in flight when the run ended (local 3.0 a run, edge 1.0), not of a faster service"
    ), said
    plain = note(2.0, 0.0)  # edge completed more, and not by leaving fewer in flight
    # The bars are not the summary's runs (their throughputs were raised here): the figure's own Δ.
    assert "for edge (+0.1005 ± 0.0064 tasks/s) (the figure's runs" in plain, plain
    assert "in flight" not in plain, plain


def test_the_paired_note_names_a_delta_only_where_compares_table_stars_it(compare_results):
    """The note recomputed each Δ at 5 % of its own: under ``compare --adjust holm`` it named edge's
    latency Δ (+103 ± 38 ms, p 0.019 over 2 pairs), which Holm's adjustment over the table's Δs
    leaves unstarred.  Where the bars are the summary's runs the note takes the table's Δs and stars;
    where they are others (``--where``) it says its Δs are its own, each at 5 %."""
    from offloadsim.analysis.statistics import paired_difference_ci
    from offloadsim.experiments.compare import TABLE_METRICS, format_comparison
    from offloadsim.plots.figure_data import FigureView
    from offloadsim.plots.paired_note import paired_note

    results = _latencies(compare_results, [1.0, 2.0], [1.1, 2.106])
    summary = results.summary.copy()  # the summary of those runs: their means and paired Δ
    diff, half = paired_difference_ci(np.array([1.1, 2.106]), np.array([1.0, 2.0]))
    for policy, values in (("local", [1.5, math.nan, math.nan]), ("edge", [1.603, diff, half])):
        rows = (summary["policy"] == policy) & (summary["metric"] == "latency_mean_s")
        summary.loc[rows, ["mean", "diff", "diff_ci"]] = values
    for adjust, named in (("none", True), ("holm", False)):
        shown = dataclasses.replace(results, summary=summary, manifest={**results.manifest, "adjust": adjust})
        view = FigureView(shown, "bars", "latency_mean_s", None)
        said = " ".join(paired_note(view, view.metrics, ["policy"], None, None).split())
        table = format_comparison(summary, ["local", "edge"], "local", TABLE_METRICS, "t", 2, adjust=adjust)
        lines = table.splitlines()
        delta = lines[next(i for i, line in enumerate(lines) if line.startswith("mean latency")) + 1]
        assert (" *" in delta) is named, (adjust, delta)  # the table's star
        assert ("excludes 0 for edge (+103 ± 38 ms) (compare's Δ: summary.csv's" in said) is named, said
        if adjust == "holm":
            assert said == ""
            where = FigureView(shown, "bars", "latency_mean_s", {"policy": ["local", "edge"]})
            own = " ".join(paired_note(where, where.metrics, ["policy"], None, None).split())
            assert own.endswith(
                "excludes 0 for edge (+103 ± 38 ms) (the figure's runs, each Δ at 5 % of its own, none "
                "adjusted for the others; compare's table adjusts its Δs (Holm's) over all its runs)"
            ), own


def _many_phones(compare_results, phones: int = 12):
    """compare_results with ``phones`` phones, each as busy as one of its three (scaled): drawn by tier."""
    nodes = compare_results.nodes
    rows = []
    for i in range(phones):
        phone = nodes[nodes["node"] == f"phone-{i % 3}"].assign(node=f"phone-{i}")
        rows.append(phone.assign(utilisation=phone["utilisation"] * (1 + i / 20)))
    rows.append(nodes[nodes["tier"] != "device"])
    return dataclasses.replace(compare_results, nodes=pd.concat(rows, ignore_index=True))


def test_a_tier_bar_says_it_is_the_mean_of_its_nodes_and_shows_each_node(compare_results):
    """The device bar was the mean of 20 phones and nothing on the figure said so, or showed their spread."""
    results = _many_phones(compare_results)
    fig = plots.plot_results(results, "utilisation")  # more than 10 nodes: one bar per tier
    (ax,) = fig.axes
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["device\nmean of 12 nodes", "edge"]
    assert ax.get_xlabel() == "tier (dots: one per node, its mean over replications)"
    nodes = results.nodes[results.nodes["policy"] == "local"]
    expected = nodes[nodes["tier"] == "device"].groupby("node", sort=False)["utilisation"].mean() * 100
    dots = [np.asarray(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection)]
    assert len(dots) == 1, "one dot per phone under local; none where the phones all idle (edge)"
    assert np.sort(dots[0][:, 1]) == pytest.approx(np.sort(expected.to_numpy()))
    (bar,) = [p for p in ax.patches if abs(p.get_height() - expected.mean()) < 1e-6]
    left, right = bar.get_x(), bar.get_x() + bar.get_width()
    centre = (left + right) / 2
    assert all(left < x < right and abs(x - centre) > 0.05 * bar.get_width() for x in dots[0][:, 0]), (
        "the dots sit on their bar, clear of its error bar"
    )
    assert "error bars: 95 % CI" in _footnote(fig)
    check_readable(fig)


def test_a_tier_of_one_node_or_of_nodes_that_agree_gets_no_dots(compare_results):
    ax = plots.node_utilisation(compare_results.nodes.assign(utilisation=0.5), level="tier")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["device\nmean of 3 nodes", "edge"]
    assert ax.get_xlabel() == "tier" and not [c for c in ax.collections if isinstance(c, PathCollection)]


def test_a_utilisation_bar_too_low_to_see_says_its_value(compare_results):
    """The gallery's cloud policy kept the cloud's cores under 1 % and the other tiers idle: its colour was
    in the legend and nowhere on the axes, as if it had no data. A bar under 1 % of the axis says its
    value (%); one that can be seen does not."""
    nodes = compare_results.nodes
    busy = np.where(nodes["policy"] == "local", np.where(nodes["tier"] == "device", 0.6, 0.0), 0.003)
    fig, ax = plots.new_axes("one-column")
    plots.node_utilisation(nodes.assign(utilisation=busy), level="tier", ax=ax)
    said = sorted((round(t.xy[0], 2), t.get_text()) for t in ax.texts)
    # local's bar on the device (60 %) is seen; its edge bar (0) and edge's two bars (0.3 %) are not
    assert said == [(0.2, "0.3"), (0.8, "0"), (1.2, "0.3")], said
    check_readable(fig)


def test_a_sweep_figure_names_its_bands(sweep_results):
    replications = sweep_results.metrics.groupby(["policy", "links[0].bandwidth"])["replication"].nunique()
    note = _footnote(plots.plot_results(sweep_results, "sweep"))
    assert note.startswith("bands: 95 % CI") and f"over {replications.max()} replications" in note


@pytest.fixture(scope="module")
def some_runs_without_tasks(tmp_path_factory):
    """Eight replications of one second at 0.3 tasks/s a phone: in some no task arrives."""
    from experiment_data import TINY

    folder = tmp_path_factory.mktemp("plots-some-without-tasks")
    (folder / "tiny.yaml").write_text(TINY, encoding="utf-8")
    overrides = ["duration=1 s", "workload[0].rate=0.3 /s"]
    compare(folder / "tiny.yaml", ["edge"], 8, workers=1, out=folder / "cmp", overrides=overrides)
    return read_results(folder / "cmp")


@pytest.mark.parametrize("kind", ["bars", "energy"])
def test_an_interval_note_counts_the_runs_that_have_a_value(kind, some_runs_without_tasks):
    """Runs in which no task arrived have no latency: the bars' CIs were over 5 of 8 runs, and the
    figure said "over 8 replications"."""
    results = some_runs_without_tasks
    with_value = int(results.metrics["latency_mean_s"].notna().sum())
    assert 2 <= with_value < 8  # what the note is about: some runs have no latency
    note = _footnote(plots.plot_results(results, kind))
    assert f"95 % CI of the mean (Student t) over {with_value} replications" in note
    throughput = _footnote(plots.plot_results(results, "bars", metric="throughput_per_s"))
    assert "over 8 replications" in throughput  # every run has a throughput, 0 included


def test_a_figure_without_intervals_carries_no_interval_note(compare_results):
    assert "95 % CI" not in _footnote(plots.plot_results(compare_results, "cdf"))


def test_a_figure_of_replications_says_how_long_each_run_was_measured(compare_results):
    """A reviewer's figures said over how many replications they averaged, not over what window:
    the comparison's table said "40 s measured after a 5 s warm-up", its bars and CDF nothing."""
    manifest = compare_results.manifest
    window = f"each {manifest['duration_s']:g} s measured after a {manifest['warmup_s']:g} s warm-up"
    assert manifest["warmup_s"] > 0
    note = " ".join(_footnote(plots.plot_results(compare_results, "bars")).split())
    assert f"over 2 replications, {window}" in note  # a CDF's "pools ... of 2 replications" says it too


def test_a_cdf_says_on_itself_that_each_line_pools_the_replications(compare_results, sweep_results):
    """A new user's CDF drew every replication's tasks in one line, and only the gallery caption said so."""
    note = _footnote(plots.plot_results(compare_results, "cdf"))
    assert note.split("\n")[0].startswith("each line pools the completed tasks of 2 replications, each ")
    faceted = plots.plot_results(sweep_results, "cdf", facet="links[0].bandwidth")
    replications = sweep_results.tasks.groupby(["policy", "links[0].bandwidth"], observed=True)[
        "replication"
    ].nunique()
    assert f"pools the completed tasks of {replications.max()} replications" in _footnote(faceted)
    one = compare_results.tasks[compare_results.tasks["replication"] == 0]
    single = plots.plot_results(dataclasses.replace(compare_results, tasks=one), "cdf")
    assert "pools" not in _footnote(single), "one run pools nothing"
    per_run = plots.plot_results(compare_results, "cdf", by="policy,replication")
    assert "pools" not in _footnote(per_run), "a line per replication pools nothing"


def test_a_single_run_cdf_carries_no_pooling_note(tiny, tmp_path):
    from offloadsim.api import run

    run(tiny, policy="edge", out=tmp_path / "run")
    # (a run's figures say its own notes, the plain speeds here: nothing of pooling)
    assert "pool" not in _footnote(plots.plot_results(read_results(tmp_path / "run"), "cdf"))


def _slow_and_fast(compare_results) -> pd.DataFrame:
    """Two policies' tasks whose CDFs are far apart: the slow one runs up the right-hand side."""
    tasks = compare_results.tasks[compare_results.tasks["status"] == "completed"].copy()
    fast = (tasks["policy"] == "edge").to_numpy()
    draws = np.random.default_rng(1).random(len(tasks))
    tasks["latency"] = np.where(fast, 0.08 + 0.05 * draws, 2.0 + 1.5 * draws)  # 80-130 ms, 2-3.5 s
    return tasks


def test_a_cdf_legend_covers_no_curve(compare_results, tmp_path):
    """The CDF's legend sat in the lower right whatever ran there: a slow policy's curve runs up it."""
    from offloadsim.plots.checks import legend_over_data

    tasks = _slow_and_fast(compare_results)
    fig, ax = plots.new_axes("one-column")
    plots.latency_cdf(tasks, ax=ax, order=["local", "edge"])
    assert legend_over_data(fig) == []
    ax.get_legend().set_loc("lower right")  # where it used to go, always
    assert legend_over_data(fig) == ["the axes: its legend covers the data of 'local'"]
    # From the command line, with the note under the axes: still over none of the curves.
    results = dataclasses.replace(compare_results, tasks=tasks)
    cli = plots.plot_results(results, "cdf")
    assert cli.axes[0].get_legend() is not None and legend_over_data(cli) == []
    check_figure(cli, tmp_path, "cdf")


def _unit_axes() -> tuple[Figure, Axes]:
    """A one-column figure whose axes run from 0 to 1 both ways, whatever is drawn on it."""
    fig, ax = plots.new_axes("one-column")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    return fig, ax


def test_the_legend_check_measures_lines_not_the_legend_frame():
    """A line through the legend's box is caught, one beside it or broken by NaN around it is not."""
    from offloadsim.plots.checks import legend_over_data

    fig, ax = _unit_axes()
    ax.plot([0, 1], [0.5, 0.5], label="across")
    ax.plot([0, 0.05, np.nan, 0.95, 1], [0.1, 0.1, np.nan, 0.1, 0.1], label="broken")
    ax.legend(loc="center")
    assert legend_over_data(fig) == ["the axes: its legend covers the data of 'across'"]
    ax.get_legend().set_loc("upper center")
    assert legend_over_data(fig) == []


def test_the_legend_check_holds_a_scatters_markers_to_it_too():
    """A legend over a scatter's points (a latency per task, a measured model) hid them unchecked."""
    from offloadsim.plots.checks import legend_over_data

    fig, ax = _unit_axes()
    ax.scatter([0.1, 0.5, 0.9], [0.5, 0.5, 0.1], label="tasks")
    ax.scatter([0.9], [0.9], label="other")
    ax.legend(loc="center")
    assert legend_over_data(fig) == ["the axes: its legend covers the data of 'tasks'"]
    ax.get_legend().set_loc("upper left")
    assert legend_over_data(fig) == []


def test_the_legend_check_holds_bars_to_it():
    """Bars were not data to the check: a legend sat on a bar (policy bars, utilisation) unflagged."""
    from offloadsim.plots.checks import legend_over_data

    fig, ax = plots.new_axes("one-column")
    ax.bar([0, 1, 2], [0.9, 0.3, 0.3], width=0.6, label="busy")
    ax.bar([3], [0.3], width=0.6, label="idle")
    ax.set_xlim(-0.5, 3.5)
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left")  # on the tall first bar
    assert legend_over_data(fig) == ["the axes: its legend covers the data of 'busy'"]
    ax.get_legend().set_loc("upper right")  # over nothing: the bars there are short
    assert legend_over_data(fig) == []


def test_the_legend_check_holds_error_bars_whiskers_and_caps_to_it():
    """An error bar's whisker or cap under a legend was not data: only the marker at its mean counted."""
    from offloadsim.plots.checks import legend_over_data

    fig, ax = _unit_axes()
    # A mean low down whose interval runs up through the upper left, where the legend goes, and
    # off the axes: neither its marker nor its caps are under the legend, only its whisker.
    ax.errorbar([0.1], [0.1], yerr=[[0.05], [1.4]], fmt="o", capsize=3, label="wide")
    ax.errorbar([0.9], [0.1], yerr=[0.05], fmt="s", capsize=3, label="narrow")
    ax.legend(loc="upper left")
    assert legend_over_data(fig) == ["the axes: its legend covers the data of 'wide'"]
    ax.get_legend().set_loc("upper right")
    assert legend_over_data(fig) == []
    # A cap alone: the legend's left edge 10 pt right of the whisker, the cap reaching 20 pt right of it.
    fig, ax = _unit_axes()
    ax.errorbar([0.5], [0.2], yerr=[0.1], fmt="none", capsize=40, label="capped")
    fig.draw_without_rendering()
    cap = ax.transData.transform((0.5, 0.3))
    left = ax.transAxes.inverted().transform((cap[0] + 10 * fig.dpi / 72, cap[1]))
    ax.legend(loc="center left", bbox_to_anchor=tuple(left), borderaxespad=0)
    fig.draw_without_rendering()
    box = ax.get_legend().get_window_extent()
    assert cap[0] < box.x0 < cap[0] + 20 * fig.dpi / 72 and box.y0 < cap[1] < box.y1  # the cap's end only
    assert legend_over_data(fig) == ["the axes: its legend covers the data of 'capped'"]


def test_the_legend_check_and_placement_hold_a_lines_band_to_it():
    """A line's shaded CI band was not data: a legend sat on the band, clear of the line, unflagged,
    and the placement took that spot as free."""
    from offloadsim.plots.axes import clear_legend
    from offloadsim.plots.checks import legend_over_data

    fig, ax = _unit_axes()
    # Low down everywhere; its interval wide on the left (up to 0.95), narrow on the right.
    ax.plot([0, 0.5, 1], [0.1, 0.1, 0.2], color="C0", label="wide")
    ax.fill_between([0, 0.5, 1], [0.05, 0.05, 0.15], [0.95, 0.95, 0.25], color="C0", alpha=0.2, linewidth=0)
    ax.plot([0, 1], [0.02, 0.02], color="C1", label="flat")
    ax.legend(loc="upper left")  # wholly inside the band: no edge of it under the legend
    assert legend_over_data(fig) == ["the axes: its legend covers the data of 'wide'"]
    ax.get_legend().set_loc("center right")  # across the band's upper edge
    assert legend_over_data(fig) == ["the axes: its legend covers the data of 'wide'"]
    ax.get_legend().set_loc("upper right")
    assert legend_over_data(fig) == []
    ax.get_legend().set_loc("upper left")
    clear_legend(ax)
    assert legend_over_data(fig) == []
    fig.draw_without_rendering()
    box, inside = ax.get_legend().get_window_extent(), ax.get_window_extent()
    assert inside.x0 <= box.x0 and box.x1 <= inside.x1, "a place inside the axes, not the one beside it"


@pytest.fixture(scope="module")
def edge_never_finishes(tmp_path_factory):
    """The tiny scenario over a 10 kbit/s radio: every upload shares it with the next, none ends."""
    from experiment_data import TINY

    folder = tmp_path_factory.mktemp("plots-starved")
    (folder / "tiny.yaml").write_text(
        TINY.replace("bandwidth: 20 Mbps", "bandwidth: 10 kbps"), encoding="utf-8"
    )
    compare(folder / "tiny.yaml", ["local", "edge"], 2, workers=1, out=folder / "cmp")
    return read_results(folder / "cmp")


@pytest.mark.parametrize("kind", ["bars", "cdf", "energy"])
def test_a_configuration_with_no_completed_task_is_named_not_left_out(edge_never_finishes, kind):
    """A new user's bar chart showed an empty slot for an overloaded policy: it read as 0 ms, not as
    'no task finished', and its sweep points and CDF line vanished without a word."""
    results = edge_never_finishes
    edge = results.tasks[results.tasks["policy"].astype(str) == "edge"]
    assert len(edge) and not (edge["status"].astype(str) == "completed").any()  # what the note says
    note = _footnote(plots.plot_results(results, kind))
    assert "not drawn, no task completed (policy): edge" in note
    # local is not among them (its line is the one of the note; the phones' plain speed after it is
    # said "(under local only)": edge's runs computed nothing on the phones)
    (line,) = [line for line in note.splitlines() if line.startswith("not drawn")]
    assert "local" not in line


@pytest.mark.parametrize("kind", ["bars", "energy"])
def test_a_figure_with_nothing_drawn_does_not_say_it_is_of_one_replication(edge_never_finishes, kind):
    """Of two replications in which no task completed, the figure said "one replication: no confidence
    interval drawn" beside "not drawn, no task completed": it counted the runs drawn, none, as one."""
    note = _footnote(plots.plot_results(edge_never_finishes, kind, where={"policy": "edge"}))
    assert "not drawn, no task completed (policy): edge" in note, note
    assert "replication" not in note, note


def test_a_figure_that_draws_every_configuration_says_nothing_is_missing(compare_results):
    for kind in ("bars", "cdf", "energy"):
        assert "not drawn" not in _footnote(plots.plot_results(compare_results, kind))


@pytest.fixture(scope="module")
def edge_drops(tmp_path_factory):
    """The tiny scenario at 10 jobs/s a phone, on an edge with no room to queue: a busy edge drops."""
    from experiment_data import TINY

    folder = tmp_path_factory.mktemp("plots-drops")
    (folder / "tiny.yaml").write_text(TINY, encoding="utf-8")
    overrides = ["workload[0].rate=10 /s", "nodes.edge.processor.queue_limit=0"]
    compare(folder / "tiny.yaml", ["edge"], 2, workers=1, out=folder / "cmp", overrides=overrides)
    return read_results(folder / "cmp")


@pytest.mark.parametrize("kind", ["bars", "cdf", "energy"])
def test_a_latency_figure_names_a_policy_that_dropped_many_tasks(edge_drops, kind, tmp_path):
    """A policy whose queue turned away the tasks that would have waited longest drew the lowest latency
    of its figure (bars, CDF, sweep), with nothing on the figure to say a fifth of its tasks were missing."""
    tasks = edge_drops.tasks
    dropped = (tasks["status"].astype(str) == "dropped").mean()
    assert 0.05 <= dropped < 1  # what the note is about
    fig = plots.plot_results(edge_drops, kind)
    note = _footnote(fig)
    assert (
        "of completed tasks only; 5 % or more not completed (dropped, failed, in flight) in (policy):" in note
    )
    assert f"edge {dropped * 100:.0f} %" in note
    check_readable(fig)
    assert "not completed" not in _footnote(plots.plot_results(edge_drops, "bars", metric="drop_rate"))


def test_a_figure_whose_tasks_all_completed_names_none_as_not_completed(compare_results):
    for kind in ("bars", "cdf", "energy"):
        assert "not completed" not in _footnote(plots.plot_results(compare_results, kind))


def test_a_legend_with_no_free_place_inside_goes_beside_the_axes():
    from offloadsim.plots.axes import clear_legend
    from offloadsim.plots.checks import legend_over_data

    fig, ax = plots.new_axes("one-column")
    for k, y in enumerate(np.linspace(0.02, 0.98, 25)):  # data across the whole of the axes
        ax.plot(
            [0.0, 1.0], [y, y], color=("C0", "C1", "0.6")[min(k, 2)], label=f"level {k}" if k < 2 else None
        )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="lower right")
    assert legend_over_data(fig)
    clear_legend(ax)
    assert legend_over_data(fig) == []
    box = ax.get_legend().get_window_extent(fig._get_renderer())
    assert box.x0 > ax.get_window_extent().x1  # to the right of the axes
    check_readable(fig)


def test_a_legend_in_a_row_that_goes_beside_the_axes_stacks_its_entries():
    """The utilisation bars' legend, a row above the bars, went beside them still a row: wider than
    the axes it squeezed, so that their node names ran into each other."""
    from offloadsim.plots.axes import clear_legend, laid_out, lines_under_legend

    nodes = [f"phone-{i}" for i in range(5)] + ["edge"]
    policies = ["local", "edge", "neurosurgeon"]
    frame = pd.DataFrame(
        [
            {
                "node": node,
                "tier": "edge" if node == "edge" else "device",
                "cores": 1,
                "policy": policy,
                "replication": r,
                # The local phones busy, everything else nearly idle: no room inside for a legend.
                "utilisation": 0.26 + 0.02 * ((i + r) % 3) if policy == "local" and node != "edge" else 0.005,
            }
            for i, node in enumerate(nodes)
            for policy in policies
            for r in range(5)
        ]
    )
    fig, ax = plots.new_axes("one-column")
    plots.node_utilisation(frame, ax=ax, legend_title="policy")
    ax.set_title("uplink = 5 Mbit/s")  # as plot --where titles it
    # two lines of notes: the axes shorter, the place above the bars is taken (the node names, once
    # tilted for being more than five, took that height; upright, they fit and leave it)
    plots.note_under(
        fig, "error bars: 95 % CI of the mean (Student t) over 5 replications\nof completed tasks only"
    )
    assert lines_under_legend(ax, ax.get_legend(), laid_out(ax))  # the place above the bars is taken
    clear_legend(ax)
    legend = ax.get_legend()
    renderer = laid_out(ax)
    assert legend.get_window_extent(renderer).x0 > ax.get_window_extent(renderer).x1  # beside the axes
    assert [text.get_text() for text in legend.get_texts()] == policies
    assert legend.get_title().get_text() == "policy"
    boxes = [text.get_window_extent(renderer) for text in legend.get_texts()]
    assert len({round(box.x0) for box in boxes}) == 1  # one column
    assert all(upper.y0 > lower.y0 for upper, lower in itertools.pairwise(boxes))  # one under another
    check_readable(fig)


def test_a_legend_wider_than_its_axes_goes_above_them_not_beside(sweep_results):
    """A CDF of a line per policy and bandwidth put its long legend beside the axes, which it
    squeezed to a quarter of the figure's width."""
    fig = plots.plot_results(sweep_results, "cdf", by="policy,links[0].bandwidth")
    (ax,) = fig.axes
    renderer = laid_out(ax)
    assert ax.get_legend() is None
    (legend,) = fig.legends
    assert "local, 50 Mbit/s (same line as local, 5 Mbit/s)" in [t.get_text() for t in legend.get_texts()]
    assert legend.get_window_extent(renderer).y0 >= ax.get_window_extent(renderer).y1  # above the axes
    assert ax.get_window_extent(renderer).width > 0.7 * fig.bbox.width
    check_readable(fig)


@pytest.mark.parametrize("kind", ["sweep", "energy"])
def test_a_note_wider_than_the_figure_wraps_inside_it(sweep_drops, kind, tmp_path):
    """The note "of completed tasks only; 5 % or more not completed ... (phone uplink, policy):" ran past
    both edges of the saved figure, its ends cut off. Each line of the note wraps at spaces to the figure's
    width, and the layout makes room for the lines it adds."""
    fig = plots.plot_results(sweep_drops, kind)
    note = _footnote(fig)
    assert "5 % or more not completed" in note
    said = " ".join(note.split())  # the note's words, whatever lines they were wrapped on
    assert "in flight) in (" in said and "policy): " in said and "edge " in said  # nothing lost
    check_readable(fig)  # the note stays inside the figure and off the axes


def test_a_footnote_past_the_figures_edge_is_a_problem():
    from offloadsim.plots.checks import figure_problems

    fig = Figure(figsize=(3, 2), layout="constrained")
    fig.add_subplot().plot([1, 2], [1, 2])
    fig.supxlabel("a note under the axes " * 6, fontsize=6)
    assert any("runs past the figure's edge" in problem for problem in figure_problems(fig))
    fig.supxlabel("a short note", fontsize=6)
    assert not [problem for problem in figure_problems(fig) if "edge" in problem]


_LONG_NOTES = (
    "of completed tasks only; 5 % or more not completed (dropped, failed, in flight) in "
    "(phone uplink, policy): 5 Mbit/s, edge 12 %; 10 Mbit/s, edge 7 %",
    "markers: mean per run; error bars: 95 % CI of the mean (Student t) over 5 replications",
    "not drawn: a run completed under 95 % of its tasks (its queue still growing): edge at 1, 2, 5 Mbit/s",
)


@pytest.mark.parametrize("inches", [2.0, 2.5, 3.0, 3.5, 4.0, 5.0])
def test_a_wrapped_note_is_cut_between_items_not_inside_one(inches):
    """A note's long line was cut at whichever space filled the line: "(phone" / "uplink, policy)",
    "(Student" / "t)", "5" / "Mbit/s". Cut between the items of a parenthesised list, never inside
    one, and never between a number and its unit."""
    import re

    for note in _LONG_NOTES:
        fig = Figure(figsize=(inches, 1.5), layout="constrained")
        fig.add_subplot().plot([1, 2], [1, 2])
        plots.note_under(fig, note)
        lines = fig.get_supxlabel().split("\n")
        assert " ".join(lines) == note  # nothing lost or added
        for i, line in enumerate(lines[:-1]):
            before = " ".join(lines[: i + 1])
            inside = before.count("(") > before.count(")")
            assert not inside or line.endswith(","), (inches, lines)
            assert not (re.search(r"\d$", line) and re.match(r"[A-Za-z%]", lines[i + 1])), (inches, lines)
        check_readable(fig)


def test_a_legend_row_too_wide_for_its_axes_takes_fewer_columns(compare_results):
    """Two policies labelled with their parameters made a legend row wider than the axes, and
    constrained layout squeezed the axes (and their node names, which ran together) to a sliver."""
    from offloadsim.plots.axes import laid_out
    from offloadsim.plots.checks import figure_problems

    long = {"local": "neurosurgeon(objective=energy)", "edge": "least-loaded(tiers=[edge, cloud])"}
    nodes = compare_results.nodes.assign(policy=compare_results.nodes["policy"].astype(str).map(long))
    ax = plots.node_utilisation(nodes, level="node")
    renderer = laid_out(ax)
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == list(long.values())
    assert legend.get_window_extent(renderer).width <= ax.get_window_extent(renderer).width
    assert ax.get_window_extent(renderer).width > 0.6 * ax.get_figure().bbox.width
    assert not [p for p in figure_problems(ax.get_figure()) if "tick labels overlap" in p]


def test_notes_and_a_legend_above_leave_the_panel_its_height(tmp_path_factory):
    """Five long policy entries and a sweep whose slowest uplink completes nothing: the notes under a
    one-column figure and its legend above took nearly all of its 2.45 inches, and the axes were drawn
    half an inch tall (a few points, "constrained_layout not applied", with longer entries)."""
    import warnings

    from experiment_data import TINY

    from offloadsim.plots.checks import legend_over_data

    sweep_text = (
        "base: tiny.yaml\n"
        "grid:\n  links[0].bandwidth: [10 kbps, 5 Mbps, 50 Mbps]\n"
        "policies: [edge, 'fixed(node=edge)', 'least-loaded(tiers=[edge])',"
        " 'least-loaded(tiers=[edge, device])', 'fixed(nodes=[$source, edge], cuts=[1])']\n"
        "replications: 2\n"
        "labels:\n  links[0].bandwidth: the uplink of every phone to its access point\n"
    )
    results = swept(tmp_path_factory, "plots-notes", "tiny.yaml", TINY, sweep_text)
    for metric in ("latency_mean_s", "deadline_miss_rate"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # matplotlib's "constrained_layout not applied" included
            fig = plots.plot_results(results, "sweep", metric=metric)
            renderer = laid_out(fig.axes[0])
        height = fig.axes[0].get_window_extent(renderer).height / fig.dpi
        assert height >= 0.98, f"{metric}: the axes are {height:.2f} in tall"
        assert fig.get_figheight() > 2.45, "the figure grew, not the notes shrank"
        assert not legend_over_data(fig)
        check_readable(fig)


def test_bars_too_low_to_see_write_their_values():
    # `plot --kind bars --metric deadline_miss_rate` of edge-outage: least-loaded's 0.05 % and cloud's
    # 0 % drew nothing, their slots empty as if they had no data.
    metrics = pd.DataFrame(
        {
            "policy": ["edge", "least-loaded", "cloud"] * 2,
            "replication": [0, 0, 0, 1, 1, 1],
            "deadline_miss_rate": [0.30, 0.0004, 0.0, 0.32, 0.0006, 0.0],
        }
    )
    ax = plots.metric_bars(metrics, "deadline_miss_rate")
    written = sorted(t.get_text() for t in ax.texts)
    assert written == ["0", "0.05"], written


def test_sweep_figure_says_a_change_after_the_runs_end(tmp_path_factory):
    # A sweep of when the edge comes back, one time (24 s) after the run's end (22 s, warm-up
    # included): the sweep warned [late-dynamics], but the figure drew 24 s as any other x value,
    # as if the edge came back.  The warning is kept in the manifest and said under the figure.
    from experiment_data import TINY

    outage = "{kind: node-schedule, node: edge, steps: [{at: 5 s, up: false}, {at: 10 s, up: true}]}"
    text = f"base: tiny.yaml\nset:\n  dynamics: [{outage}]\ngrid:\n  dynamics[0].steps[1].at: [10 s, 24 s]\n"
    text += "policies: [edge]\nreplications: 1\nlabels:\n  dynamics[0].steps[1].at: edge back at\n"
    with pytest.warns(ScenarioWarning, match="late-dynamics"):
        results = swept(tmp_path_factory, "plots-late", "tiny.yaml", TINY, text)
    (warning,) = results.manifest["point_warnings"]
    assert (warning["point"], warning["check"]) == (1, "late-dynamics"), warning
    fig = plots.plot_results(results, "sweep")
    said = "\n".join(t.get_text() for t in fig.texts)
    assert re.search(r"edge back at 24 s: dynamics\[0\]\.steps\[1\]\.at: 24 s is at or after", said), said
    assert "10 s" not in said.split("edge back at")[1], said


def test_a_series_under_another_in_each_panel_is_named_in_the_legend_per_panel():
    """dads sat on one series in panel (a) and on another in panel (b), hidden in both; the panels'
    legends disagreed ("same spot as x", "same spot as y"), and the figure's legend named it plainly."""
    from offloadsim.plots.axes import figure_legend

    fig, axes = plots.new_axes("two-column", ncols=3)
    under = ["dads (same spot as x)", "dads (same spot as y)", "dads"]
    for ax, dads in zip(axes, under, strict=True):
        for label in ("x", "y", dads):
            ax.plot([1, 2], [1, 2], label=label)
        ax.legend()
    assert figure_legend(fig, list(axes))
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert texts == ["x", "y", "dads (same spot as x in (a); same spot as y in (b))"], texts
    assert plots.axes.series_name(texts[-1]) == "dads"


def test_the_measured_window_writes_its_numbers_as_the_tables_do():
    """The figure read "each 2000 s measured" above a table whose numbers read "2,000"."""
    import doctest

    from offloadsim.analysis import table_notes

    window = table_notes.window_text({"warmup_s": 1500.0, "duration_s": [2000.0, 12000.0]})
    assert window == "2,000–12,000 s measured after a 1,500 s warm-up"
    assert (
        table_notes.window_text({"warmup_s": 0.5, "duration_s": 40.0})
        == "40 s measured after a 0.5 s warm-up"
    )
    assert doctest.testmod(table_notes).failed == 0


def test_a_sweeps_overloaded_points_are_hollow_with_faint_segments_and_a_legend_entry(tmp_path):
    """A sweep past saturation drew its overloaded points on the curve like the others: the notes said
    overloaded, the line read on as a steady-state mean.  Its overloaded point is hollow, the segment
    into it faint and without a band, and the legend says what hollow means; a settled point is filled.
    """
    from offloadsim.analysis.overload_marks import overloaded_runs
    from offloadsim.plots.sweep_lines import OVERLOADED_LABEL

    # One 40 GFLOP/s edge, 3 phones of 1 GFLOP a task: 2 /s offers it 0.15, 20 /s 1.5.
    results = tiny_sweep(
        tmp_path,
        "set: {duration: 6 s, policy: edge, skip_checks: [offered-load]}\n"
        "grid:\n  workload[0].rate: [2 /s, 20 /s]\nreplications: 1\n",
    )
    assert set(overloaded_runs(results.metrics, "point")) == {"1"}, "the 20 /s point overloaded, not the 2 /s"
    fig = plots.plot_results(results, "sweep", metric="latency_mean_s")
    ax = fig.axes[0]
    faces = {
        float(x): line.get_markerfacecolor()
        for line in ax.get_lines()
        if line.get_marker() not in (None, "None", "") and not line.get_label().startswith("legend")
        for x, y in zip(line.get_xdata(), line.get_ydata(), strict=True)
        if np.isfinite(y)
    }
    assert faces[20.0] == "white" and faces[2.0] != "white", faces
    assert OVERLOADED_LABEL in legend_texts(fig)
    check_readable(fig)
