"""Results per source group: a run's warnings on the groups they concern, and each group's batteries.

A fleet (HG32's: old, mid and new phones and cameras) run ``local`` overloaded the old phones
only, yet a bars figure faceted by source group said "too short to settle ... local, new (3 of 3
runs); local, cam ...": every panel was blamed for the old phones' warnings.  And a group's
batteries were nowhere: ``groups.csv`` had latency, misses, energy and counts, and
``plot --metric battery_left_median`` was refused as an unknown metric.  Here two groups of
phones, ``slow`` (overloaded under ``local``: resnet50 at 3 frames/s on a Cortex-A76) and
``fast`` (a 1 TFLOP/s phone, 2 % busy).
"""

from __future__ import annotations

import json
import math

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from experiment_data import SLOW_FAST as FLEET

from offloadsim.analysis.warning_facts import WarningFacts
from offloadsim.analysis.warning_groups import warned_groups
from offloadsim.analysis.warning_kinds.busy_growing import BUSY_GROWING
from offloadsim.analysis.warning_kinds.settling import SETTLING
from offloadsim.cli import main
from offloadsim.experiments import read_results
from offloadsim.plots import plot_results

POLICIES = "local,edge,least-loaded,neurosurgeon"  # names too wide for ticks in narrow panels: a legend
WARNED = "runs warned, latencies depend on how long they ran (policy, source group):"


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    folder = tmp_path_factory.mktemp("groups")
    (folder / "two.yaml").write_text(FLEET, encoding="utf-8")
    out = folder / "cmp"
    args = ["compare", str(folder / "two.yaml"), "--policies", POLICIES, "--replications", "2"]
    assert main([*args, "--out", str(out), "--quiet"]) == 0
    return out


def _note(fig) -> str:
    text = fig._supxlabel.get_text() if fig._supxlabel else ""
    plt.close(fig)
    return text


def test_a_faceted_figure_names_only_the_group_whose_nodes_warned(compared):
    manifest = json.loads((compared / "manifest.json").read_text(encoding="utf-8"))
    kinds = {row["facts"]["kind"] for row in manifest["run_warnings"] if row["policy"] == "local"}
    assert {"backlog", BUSY_GROWING} <= kinds  # the scenario still overloads the slow phones
    note = _note(plot_results(read_results(compared), "bars", metric="latency_mean_s", facet="source_group"))
    assert WARNED in note
    # a line per kind, each ending with its runs (the notes after them name the fast phones' speed)
    warned = [line for line in note.split(WARNED)[1].splitlines() if line.endswith("runs)")]
    assert warned and all("local, slow (2 of 2 runs)" in line for line in warned)
    # the fast phones, 2 % busy, were named under every kind before
    assert not any("fast" in line for line in warned)


def test_the_note_without_groups_still_names_the_run(compared):
    note = _note(plot_results(read_results(compared), "bars", metric="latency_mean_s"))
    assert "a node busy all run while its queue grew: local (2 of 2 runs)" in note


def test_warned_groups_reads_the_nodes_a_warning_only_counts():
    tasks = pd.DataFrame(
        {
            "source": ["a-0", "a-1", "b-0", "c-0"],
            "placement": ["a-0", "a-1", "b-0>edge", "c-0"],
            "source_group": ["a", "a", "b", "c"],
        }
    )
    nodes = pd.DataFrame(
        {"node": ["a-0", "a-1", "b-0", "c-0", "edge"], "utilisation": [1, 0.7, 0.1, 0.6, 0.3]}
    )
    named = WarningFacts(BUSY_GROWING, nodes=(("a-0", 1.0),), node_count=1)
    assert warned_groups(named, tasks, nodes, 20.0, 20.0) == {"a"}
    # "a-0 ... and 1 more node": the others busy all run (none but a-0 here) or, settling, half of it.
    assert warned_groups(
        WarningFacts(BUSY_GROWING, nodes=(("a-0", 1.0),), node_count=2), tasks, nodes, 20, 20
    ) == {"a"}
    settling = WarningFacts(SETTLING, nodes=(("a-1", 0.7),), node_count=3)
    assert warned_groups(settling, tasks, nodes, 20.0, 20.0) == {"a", "c"}
    # A server named: the groups whose tasks had a stage on it.
    on_edge = WarningFacts(SETTLING, nodes=(("edge", 0.3),), node_count=1)
    assert warned_groups(on_edge, tasks, nodes, 20.0, 20.0) == {"b"}
    assert warned_groups(None, tasks, nodes, 20.0, math.nan) is None


def test_groups_csv_counts_the_runs_whose_warnings_concern_each_group(compared):
    summary = pd.read_csv(compared / "summary.csv").groupby("policy")["warned"].first()
    groups = pd.read_csv(compared / "groups.csv")
    warned = groups.groupby(["group", "policy"])["warned"].agg(["min", "max"])
    assert (warned["min"] == warned["max"]).all()  # a group and policy's count, on each metric's row
    assert summary["local"] == 2  # both local runs warned of the overloaded slow phones ...
    assert warned.loc[("slow", "local"), "max"] == 2
    assert warned.loc[("fast", "local"), "max"] == 0  # ... and of no fast phone, as the note
    for (_, policy), row in warned.iterrows():  # a group's count is at most its policy's
        assert row["max"] <= summary[policy]


def test_groups_csv_has_each_groups_batteries(compared):
    groups = pd.read_csv(compared / "groups.csv")
    least = groups[groups["metric"] == "battery_left_min"].set_index(["group", "policy"])["mean"]
    # The slow phones' small batteries, busy all run under local, kept the least charge.
    assert least[("slow", "local")] < least[("slow", "edge")]
    assert least[("slow", "local")] < least[("fast", "local")]
    assert set(groups["metric"]) >= {"batteries_flat", "battery_left_median"}


@pytest.mark.parametrize("metric", ["battery_left_median", "battery_left_min", "batteries_flat"])
def test_plot_draws_a_groups_batteries(compared, tmp_path, metric):
    out = tmp_path / "fig"
    args = ["plot", str(compared), "--kind", "bars", "--metric", metric, "--facet", "source_group"]
    assert main([*args, "--out", str(out)]) == 0
    assert (tmp_path / "fig.png").stat().st_size > 0


def test_a_groups_battery_is_its_own_devices(compared):
    from offloadsim.analysis.breakdown import metrics_per

    results = read_results(compared)
    per = metrics_per(results.tasks, results.metrics, "source_group", results.nodes)
    nodes = results.nodes
    for _, row in per.iterrows():
        mine = nodes[
            (nodes["policy"] == row["policy"])
            & (nodes["replication"] == row["replication"])
            & (nodes["group"].astype(str) == row["source_group"])
        ]
        assert row["battery_left_min"] == pytest.approx(mine["battery_left"].min())


def test_every_metric_of_metrics_parquet_draws_per_group_or_says_why(compared):
    from offloadsim.analysis.catalogue import metric_columns
    from offloadsim.experiments import ExperimentError

    results = read_results(compared)
    for metric in metric_columns(results.metrics):
        if metric.startswith("utilisation_"):  # a node's load: the refusal says so and where to look
            with pytest.raises(ExperimentError, match="not split by source group"):
                plot_results(results, "bars", metric=metric, facet="source_group")
        else:
            plt.close(plot_results(results, "bars", metric=metric, facet="source_group"))


def test_log_bars_in_panels_end_near_their_data(compared):
    """The legend above several panels needs no room in them: the axis ends within a tick of the data."""
    results = read_results(compared)
    fig = plot_results(results, "bars", metric="latency_mean_s", facet="source_group", size="one-column")
    axes = [ax for ax in fig.axes if ax.get_visible() and ax.get_yscale() == "log"]
    assert len(axes) == 2
    # the policies named by their ticks, upright where they do not fit side by side (a legend in
    # their place sat over the value labels of nine policies' bars)
    assert all(t.get_text() for t in axes[0].get_xticklabels())
    from offloadsim.plots.checks import figure_problems

    assert figure_problems(fig) == []
    highest = max(
        float(y) for ax in axes for line in ax.get_lines() for y in line.get_ydata() if float(y) > 0
    )
    # The highest dot's error bar, 30 % of marker room, then out to the next 1, 2 or 5 x 10^k tick.
    assert axes[0].get_ylim()[1] <= highest * 1.3 * 2.5
    plt.close(fig)


def _panels(fig) -> list[str]:
    titles = [ax.get_title(loc="left") for ax in fig.axes if ax.get_visible() and ax.get_title(loc="left")]
    plt.close(fig)
    return [title.split("= ")[-1] for title in titles]


def test_group_panels_come_in_the_scenarios_order(compared):
    # The scenario declares slow, then fast; the task records list the fast phones first.
    results = read_results(compared)
    assert str(results.tasks["source_group"].iloc[0]) == "fast"  # the records list them first
    fig = plot_results(results, "bars", metric="latency_mean_s", facet="source_group")
    assert _panels(fig) == ["slow", "fast"]
    fig = plot_results(results, "bars", metric="latency_mean_s", facet="source_group", facet_order="fast")
    assert _panels(fig) == ["fast", "slow"]


def test_facet_order_from_the_command_line(compared, tmp_path, capsys):
    args = ["plot", str(compared), "--kind", "bars", "--metric", "latency_mean_s", "--facet", "source_group"]
    assert main([*args, "--facet-order", "fast,slow", "--out", str(tmp_path / "f")]) == 0
    assert main([*args, "--facet-order", "fats", "--out", str(tmp_path / "g")]) == 2
    err = capsys.readouterr().err
    assert "--facet-order fats: 'fats' not a value of source_group (its values: " in err
    assert main(["plot", str(compared), "--kind", "bars", "--facet-order", "fast"]) == 2
    assert "--facet-order orders the panels of --facet: give both" in capsys.readouterr().err
    assert not (tmp_path / "g.png").exists()


def test_a_sweeps_groups_csv_counts_the_runs_whose_warnings_concern_each_group(tmp_path):
    (tmp_path / "two.yaml").write_text(FLEET, encoding="utf-8")
    grid = "base: two.yaml\nreplications: 2\ngrid:\n  policy.name: [local, edge]\n"
    (tmp_path / "sw.yaml").write_text(grid, encoding="utf-8")
    assert main(["sweep", str(tmp_path / "sw.yaml"), "--out", str(tmp_path / "sw"), "--quiet"]) == 0
    summary = pd.read_csv(tmp_path / "sw" / "summary.csv")
    groups = pd.read_csv(tmp_path / "sw" / "groups.csv")
    # ``overloaded`` is the whole run's (summary.csv's); a group's own is its ``warned``
    assert list(groups.columns) == ["group", *summary.columns.drop("overloaded")]
    local = summary.loc[summary["policy.name"] == "local", "warned"]
    assert set(local) == {2}  # both local runs warned of the overloaded slow phones ...
    warned = groups[groups["policy.name"] == "local"].groupby("group")["warned"].agg(["min", "max"])
    assert warned.to_dict("index") == {
        "fast": {"min": 0, "max": 0},
        "slow": {"min": 2, "max": 2},
    }  # ... not fast


def _busy_per_node(run):
    """A toy family: each computing node's busy share (none in a table without nodes)."""
    nodes = run.nodes
    if nodes is None or not len(nodes):
        return {}
    rows = zip(nodes["node"], nodes["cores"], nodes["utilisation"], strict=True)
    return {str(node): float(busy) for node, cores, busy in rows if cores > 0}


def test_a_registered_familys_column_is_a_nodes_value_not_split_by_group(tmp_path):
    # A family's column is an entry's (a node's), as a utilisation's is: figure_data and the
    # per-group breakdown told those by the "utilisation_" prefix, so a plug-in family's column was
    # split by source group, a column its rows then lacked.
    from offloadsim.analysis.breakdown import metrics_per
    from offloadsim.analysis.metric_display import Metric
    from offloadsim.analysis.metric_registry import SummaryMetric, register, unregister
    from offloadsim.experiments import ExperimentError

    toy = SummaryMetric(
        name="toy_node_busy",
        description="a toy family: each computing node's busy share",
        columns={"toy_node_busy": Metric("toy busy", "%", 100.0, "lower")},
        compute=_busy_per_node,
        family="node",
    )
    (tmp_path / "two.yaml").write_text(FLEET, encoding="utf-8")
    register(toy)
    try:
        args = [
            "compare",
            str(tmp_path / "two.yaml"),
            "--policies",
            "local,edge",
            "-n",
            "1",
            "--workers",
            "1",
        ]
        assert main([*args, "--out", str(tmp_path / "cmp"), "--quiet"]) == 0
        results = read_results(tmp_path / "cmp")
        column = next(c for c in results.metrics.columns if str(c).startswith("toy_node_busy_"))
        with pytest.raises(
            ExperimentError, match=r"a value per node \(the toy_node_busy family\), not split"
        ):
            plot_results(results, "bars", metric=column, facet="source_group")
        per = metrics_per(results.tasks, results.metrics, "source_group", results.nodes)
        assert not [c for c in per.columns if str(c).startswith(("toy_node_busy_", "utilisation_"))]
    finally:
        unregister(toy.name)


POOLED = "over every source group together (slow, fast): --facet source_group draws each"


@pytest.mark.parametrize(
    ("kind", "options"),
    [
        ("cdf", {}),
        ("bars", {"metric": "latency_mean_s"}),
        ("energy", {}),
        ("bars", {"metric": "battery_left_min"}),
    ],
)
def test_a_figure_of_the_whole_fleet_says_it_pools_its_groups(compared, kind, options):
    """A CDF through slow and fast phones at once, or the fleet's mean, read as neither group's: said."""
    note = " ".join(_note(plot_results(read_results(compared), kind, **options)).split())
    assert "over every source group together (slow, fast): facet=source_group draws each" in note


@pytest.mark.parametrize(
    "options",
    [
        {"facet": "source_group"},
        {"by": "source_group", "where": {"policy": "local"}},
        {"where": {"source_group": "slow"}},
    ],
)
def test_a_figure_that_shows_or_keeps_groups_says_nothing_of_pooling(compared, options):
    note = _note(plot_results(read_results(compared), "bars", metric="latency_mean_s", **options))
    assert "every source group together" not in note


def test_a_nodes_utilisation_pools_no_group(compared):
    for fig in (
        plot_results(read_results(compared), "utilisation"),
        plot_results(read_results(compared), "bars", metric="utilisation_edge"),
    ):
        assert "every source group together" not in _note(fig)


def test_the_command_line_names_its_flag_and_latency_time_its_where(compared):
    from offloadsim.errors import as_flags

    with as_flags():
        cdf = _note(plot_results(read_results(compared), "cdf"))
        over_time = _note(plot_results(read_results(compared), "latency-time"))
    assert POOLED in " ".join(cdf.split())
    assert "(slow, fast): --where source_group=slow draws one" in " ".join(over_time.split())


@pytest.mark.parametrize(
    ("args", "said"),
    [
        # a metric figure listed its metrics' columns, not the tasks' source_group it splits them by
        (["--facet", "group"], '--facet group: no such column (did you mean "source_group"?)'),
        (["--by", "source_grp"], '--by source_grp: no such column (did you mean "source_group"?)'),
        # the nodes' group column: "(a node's load is not split by group)", of a figure of tasks' metrics
        (
            ["--where", "group=slow"],
            "which have no group column; a task's group is its source_group: --where source_group=slow",
        ),
    ],
)
def test_a_metric_figure_points_a_group_column_at_source_group(compared, capsys, args, said):
    assert main(["plot", str(compared), "--kind", "bars", "--metric", "latency_mean_s", *args]) == 2
    err = capsys.readouterr().err
    assert said in err and "not split by" not in err and err.count("\n") == 1


def test_a_group_without_a_battery_is_said_to_have_none(tmp_path):
    """A mains-powered group's empty battery panel read 'no value', as if something had failed."""
    mains = FLEET.replace(", battery: 1 Wh", "")
    assert mains != FLEET
    (tmp_path / "two.yaml").write_text(mains, encoding="utf-8")
    out = tmp_path / "cmp"
    args = ["compare", str(tmp_path / "two.yaml"), "--policies", "edge", "--replications", "2"]
    assert main([*args, "--out", str(out), "--quiet"]) == 0
    fig = plot_results(read_results(out), "bars", metric="battery_left_min", facet="source_group")
    note = " ".join(_note(fig).split())
    assert "not drawn, no battery (policy, source group): edge, fast" in note
    assert "edge, slow" not in note  # the slow phones' batteries are drawn
