"""Results per device group: the records name each node's group, and the summary gives each group's numbers.

A fleet of two kinds of phone (``flagship`` with ``count: 2``, ``budget`` with
``count: 3``) beside a single access point and edge: the group of a node made
by ``count`` is the scenario key, a single node's its own name.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import offloadsim
from offloadsim.analysis.summary import summarize
from offloadsim.records.results import read_run

FLEET = """\
name: fleet
seed: 3
duration: 30 s
warmup: 5 s
nodes:
  flagship:
    count: 2
    tier: device
    processor: {speed: 50 GFLOP/s}
    power: {idle: 0.5 W, busy: 3 W, transmit: 1.3 W, receive: 1 W}
  budget:
    count: 3
    tier: device
    processor: {speed: 5 GFLOP/s}
    power: {idle: 0.3 W, busy: 2 W, transmit: 1.3 W, receive: 1 W}
  ap: {tier: network}
  edge: {tier: edge, processor: {speed: 300 GFLOP/s}}
links:
  - {between: ["flagship-*", ap], bandwidth: 50 Mbps, latency: 2 ms}
  - {between: ["budget-*", ap], bandwidth: 10 Mbps, latency: 5 ms}
  - {between: [ap, edge], bandwidth: 1 Gbps, latency: 1 ms}
applications:
  classify: {model: resnet18, input: 150 KB, output: 4 KB, deadline: 150 ms}
workload:
  - {app: classify, sources: "flagship-*", arrivals: poisson, rate: 1 /s}
  - {app: classify, sources: "budget-*", arrivals: poisson, rate: 1 /s}
policy: {name: least-loaded}
"""


@pytest.fixture
def fleet(tmp_path):
    path = tmp_path / "fleet.yaml"
    path.write_text(FLEET, encoding="utf-8")
    return path


def test_nodes_name_their_group(fleet, tmp_path):
    offloadsim.run(fleet, out=tmp_path / "run")
    nodes = pd.read_parquet(tmp_path / "run" / "nodes.parquet")
    by_node = dict(zip(nodes["node"], nodes["group"].astype(str), strict=True))
    assert by_node == {
        "flagship-0": "flagship",
        "flagship-1": "flagship",
        "budget-0": "budget",
        "budget-1": "budget",
        "budget-2": "budget",
        "ap": "ap",  # a single node is its own group
        "edge": "edge",
    }


@pytest.mark.parametrize("chunk", [None, 7], ids=["in-memory", "spilled-every-7"])
def test_tasks_name_their_source_group(fleet, tmp_path, monkeypatch, chunk):
    if chunk is not None:
        monkeypatch.setattr("offloadsim.engine.records.CHUNK_ROWS", chunk)
    result = offloadsim.run(fleet, out=tmp_path / "run")
    for tasks in (result.tasks, pd.read_parquet(tmp_path / "run" / "tasks.parquet")):
        assert isinstance(tasks["source_group"].dtype, pd.CategoricalDtype)
        expected = tasks["source"].astype(str).str.rsplit("-", n=1).str[0]  # budget-2 -> budget
        assert set(expected) == {"flagship", "budget"}
        assert (tasks["source_group"].astype(str) == expected).all()


def _by_hand(tasks: pd.DataFrame, group: str, end_s: float) -> dict[str, float]:
    """The summary's per-group numbers, from the tasks table with pandas."""
    mine = tasks[tasks["source_group"] == group]
    done = mine[mine["status"] == "completed"]
    ended = mine[mine["status"].isin(["completed", "dropped", "failed"])]
    has = mine["deadline"].notna()
    late = (mine["status"] == "completed") & (mine["deadline_met"] == False)  # noqa: E712 (NA stays NA)
    lost = mine["status"].isin(["dropped", "failed"])
    expired = (mine["status"] == "in_flight") & (mine["arrival"] + mine["deadline"] < end_s)
    known = has & (mine["status"].isin(["completed", "dropped", "failed"]) | expired)
    misses = has & (late.fillna(False) | lost | expired)
    return {
        "arrived": len(mine),
        "completed": len(done),
        "latency_mean_s": done["latency"].mean(),
        "latency_p95_s": float(np.percentile(done["latency"], 95)),
        "deadline_tasks": int(known.sum()),
        "deadline_misses": int(misses.sum()),
        "deadline_miss_rate": misses.sum() / known.sum(),
        "device_energy_mean_j": ended["device_energy"].mean(),
        # told apart: its processors' and the rest, its radio's (sending, receiving, the tail)
        "device_compute_energy_mean_j": ended["device_compute_energy"].mean(),
        "device_radio_energy_mean_j": ended["device_energy"].mean() - ended["device_compute_energy"].mean(),
        # what share of the group's raw inputs left its devices: the fleet's pools the groups
        "raw_input_offloaded_share": ended["raw_input_offloaded"].mean(),
    }


@pytest.mark.parametrize("chunk", [None, 7], ids=["in-memory", "spilled-every-7"])
def test_summary_per_group_numbers_are_the_tasks_tables(fleet, tmp_path, monkeypatch, chunk):
    if chunk is not None:
        monkeypatch.setattr("offloadsim.engine.records.CHUNK_ROWS", chunk)
    result = offloadsim.run(fleet, out=tmp_path / "run")
    tasks = pd.read_parquet(tmp_path / "run" / "tasks.parquet")
    stored = json.loads((tmp_path / "run" / "summary.json").read_text(encoding="utf-8"))["source_groups"]
    text = (tmp_path / "run" / "summary.txt").read_text(encoding="utf-8")
    for group in ("flagship", "budget"):
        hand = _by_hand(tasks, group, result.manifest["end_s"])
        got = {metric: stored[f"{group}.{metric}"] for metric in hand}
        assert got == pytest.approx(hand, rel=1e-12)
        # The printed line says the same numbers, in the table's units.
        line = next(line for line in text.splitlines() if line.startswith(f"  {group} ("))
        assert f"({hand['arrived']} tasks, {hand['completed']} completed)" in line
        assert f"{hand['latency_mean_s'] * 1e3:.1f}  ms; p95 {hand['latency_p95_s'] * 1e3:.1f} ms;" in line
        assert f"{hand['deadline_miss_rate'] * 100:.1f} % missed;" in line
        assert f"{hand['device_energy_mean_j'] * 1e3:.2f} mJ" in line
    assert stored["budget.deadline_misses"] > 0, "the budget phones miss some deadlines: a real check"
    assert stored["budget.latency_mean_s"] > stored["flagship.latency_mean_s"]
    # Read back, the summary keeps them.
    assert read_run(tmp_path / "run").summary.source_groups == stored
    # A table in memory (a DataFrame, whole columns at a time) gives the same numbers as the chunks.
    again = summarize(
        tasks, result.nodes, result.links, result.summary.duration_s, end_s=result.manifest["end_s"]
    )
    assert list(again.source_groups) == list(stored)  # flagship first, as the scenario lists it
    assert again.source_groups == pytest.approx(stored, rel=1e-12)


def test_each_groups_share_of_raw_inputs_offloaded_is_its_own_tasks(fleet, tmp_path):
    """A privacy reader asks what share of each class's inputs left its devices: the fleet's share
    pooled the groups, and neither summary.json nor groups.csv had a group's own."""
    result = offloadsim.run(fleet, policy="random", seed=5)
    tasks = result.tasks
    shares = result.summary.source_groups
    for group in ("flagship", "budget"):
        ended = tasks[
            (tasks["source_group"] == group) & tasks["status"].isin(["completed", "dropped", "failed"])
        ]
        share = shares[f"{group}.raw_input_offloaded_share"]
        assert share == pytest.approx(ended["raw_input_offloaded"].mean(), rel=1e-12)
        assert 0 < share < 1  # random places some of each group's tasks on the device, some off it
    assert shares["flagship.raw_input_offloaded_share"] != shares["budget.raw_input_offloaded_share"]


def test_one_group_gives_no_per_group_lines(tmp_path):
    one = FLEET.replace('sources: "budget-*"', 'sources: "flagship-*"')
    path = tmp_path / "one.yaml"
    path.write_text(one, encoding="utf-8")
    result = offloadsim.run(path, out=tmp_path / "run")
    assert result.summary.source_groups == {}
    assert "by source group" not in result.format_table()


def test_compare_gives_each_groups_paired_table(fleet, tmp_path):
    from offloadsim.experiments.compare import compare

    result = compare(fleet, ["local", "edge"], 3, workers=1, out=tmp_path / "cmp")
    tasks = result.tasks
    groups = pd.read_csv(tmp_path / "cmp" / "groups.csv")
    assert groups.equals(result.groups.reset_index(drop=True).astype(groups.dtypes.to_dict()))
    assert set(groups["group"]) == {"flagship", "budget"}
    for (policy, group), part in tasks.groupby(["policy", "source_group"], observed=True):
        done = part[part["status"] == "completed"]
        per_run = done.groupby("replication")["latency"].mean()  # each run's mean latency of the group
        row = groups[(groups.group == group) & (groups.policy == policy)]
        mean = row.loc[row.metric == "latency_mean_s", "mean"].item()
        assert mean == pytest.approx(per_run.mean(), rel=1e-12)
        if policy == "edge":  # paired by replication against local's runs of the same group
            base = tasks[(tasks.policy == "local") & (tasks.source_group == group)]
            base_runs = base[base.status == "completed"].groupby("replication")["latency"].mean()
            diff = row.loc[row.metric == "latency_mean_s", "diff"].item()
            assert diff == pytest.approx((per_run - base_runs).mean(), rel=1e-9)
    raw = groups[groups.metric == "raw_input_offloaded_share"].set_index(["group", "policy"])["mean"]
    assert raw.to_dict() == {
        (g, p): float(p == "edge") for g in ("flagship", "budget") for p in ("local", "edge")
    }
    text = (tmp_path / "cmp" / "summary.txt").read_text(encoding="utf-8")
    assert "source group budget" in text and "source group flagship" in text
    # The headline table says it pools both groups' tasks, and where each group's own are: its one
    # mean latency read as the fleet's, the budget phones' slower tasks in it unsaid.
    headline = text[: text.index("per source group (")].splitlines()
    assert headline[2] == (
        "pooled over all 2 source groups (flagship, budget): "
        "each group alone in the tables per source group below"
    )
    budget = text[text.index("source group budget") :]
    local_ms = groups.query("group == 'budget' and policy == 'local' and metric == 'latency_mean_s'")["mean"]
    assert f"{local_ms.item() * 1e3:,.0f}" in budget.splitlines()[3]  # the mean latency row, local column


def test_groups_csv_tells_each_groups_device_energy_apart_into_compute_and_radio(fleet, tmp_path):
    """The figures drew a group's compute and radio energy (``--metric device_radio_energy_mean_j
    --facet source_group``), but groups.csv had the total alone: the split from there was by hand."""
    from offloadsim.experiments.compare import compare

    compare(fleet, ["local", "edge"], 2, workers=1, out=tmp_path / "cmp")
    groups = pd.read_csv(tmp_path / "cmp" / "groups.csv")
    means = groups.pivot_table(index=["group", "policy"], columns="metric", values="mean")
    total = means["device_energy_mean_j"]
    compute, radio = means["device_compute_energy_mean_j"], means["device_radio_energy_mean_j"]
    assert (compute + radio).to_numpy() == pytest.approx(total.to_numpy(), rel=1e-12)
    assert (radio.xs("local", level="policy") == 0).all()  # local sends nothing: all compute
    assert (radio.xs("edge", level="policy") > 0).all() and (total > 0).all()  # a real split


def test_compare_of_one_group_writes_no_group_rows(tmp_path):
    from offloadsim.experiments.compare import compare

    path = tmp_path / "one.yaml"
    path.write_text(FLEET.replace('sources: "budget-*"', 'sources: "flagship-*"'), encoding="utf-8")
    result = compare(path, ["local", "edge"], 2, workers=1, out=tmp_path / "cmp")
    assert pd.read_csv(tmp_path / "cmp" / "groups.csv").empty
    assert "source group" not in result.format_table() and "pooled" not in result.format_table()


def test_metric_figures_split_runs_by_source_group(fleet, tmp_path):
    from offloadsim.experiments.compare import compare
    from offloadsim.plots.figure_data import FigureView
    from offloadsim.plots.results import plot_results
    from offloadsim.records.stored import ExperimentError, read_results

    compare(fleet, ["local", "edge"], 2, workers=1, out=tmp_path / "cmp")
    results = read_results(tmp_path / "cmp")
    view = FigureView(results, "bars", "latency_p95_s", {"source_group": "budget"})
    tasks = results.tasks
    done = tasks[(tasks.status == "completed") & (tasks.source_group == "budget")]
    by_hand = done.groupby(["policy", "replication"], observed=True)["latency"].quantile(0.95)
    drawn = view.metrics.set_index(["policy", "replication"])["latency_p95_s"]
    assert set(view.metrics["source_group"]) == {"budget"}
    assert drawn.sort_index().to_numpy() == pytest.approx(by_hand.sort_index().to_numpy(), rel=1e-12)
    # Without the group named, the runs' own metrics, pooled over the fleet as the run's summary.
    assert "source_group" not in FigureView(results, "bars", "latency_p95_s", None).metrics.columns
    plot_results(results, "bars", facet="source_group")  # a panel per group draws
    with pytest.raises(ExperimentError, match=r"also vary source_group \(flagship, budget\)"):
        plot_results(results, "bars", where={"source_group": ("flagship", "budget")})


def test_the_printed_summary_lines_a_bounded_number_of_groups(tmp_path):
    """Ten phones named one by one are ten groups: the summary lines the first eight, in the scenario's
    order, and says where the others are; summary.json keeps every one."""
    phones = "\n".join(f"  phone{i}: {{tier: device, processor: {{speed: 20 GFLOP/s}}}}" for i in range(10))
    text = (
        FLEET.split("nodes:\n")[0]
        + "nodes:\n"
        + phones
        + "\n  edge: {tier: edge, processor: {speed: 300 GFLOP/s}}\n"
    )
    text += 'links:\n  - {between: ["phone*", edge], bandwidth: 50 Mbps, latency: 2 ms}\n'
    text += "applications:\n  classify: {model: resnet18, input: 150 KB, output: 4 KB}\n"
    text += 'workload:\n  - {app: classify, sources: "phone*", arrivals: poisson, rate: 2 /s}\n'
    text += "policy: {name: edge}\n"
    path = tmp_path / "ten.yaml"
    path.write_text(text, encoding="utf-8")
    result = offloadsim.run(path, out=tmp_path / "run")
    table = result.summary.format_table()
    lined = [g for g in (f"phone{i}" for i in range(10)) if f"\n  {g} (" in table]
    assert lined == [f"phone{i}" for i in range(8)], table
    assert "the first 8 of 10 groups, all in summary.json's source_groups" in table
    stored = json.loads((tmp_path / "run" / "summary.json").read_text(encoding="utf-8"))["source_groups"]
    assert {key.split(".")[0] for key in stored} == {f"phone{i}" for i in range(10)}


SWEEP = """\
base: fleet.yaml
replications: 2
grid:
  links[1].bandwidth: [5 Mbps, 20 Mbps]
  policy.name: [local, edge]
"""


def test_sweep_gives_each_groups_table(fleet, tmp_path, capsys):
    from offloadsim.cli.main import main
    from offloadsim.experiments.storage import read_job_file, write_job_file

    (tmp_path / "sweep.yaml").write_text(SWEEP, encoding="utf-8")
    assert main(["sweep", str(tmp_path / "sweep.yaml"), "--out", str(tmp_path / "sw"), "--workers", "1"]) == 0
    printed = capsys.readouterr().out
    out = tmp_path / "sw"
    tasks = pd.read_parquet(out / "tasks.parquet")
    end_s = pd.read_parquet(out / "metrics.parquet").set_index(["point", "replication"])["end_s"]
    groups = pd.read_csv(out / "groups.csv")
    swept = ["links[1].bandwidth", "policy.name"]
    assert list(groups.columns) == ["group", *swept, "point", "policy", "metric", "n", "mean", "ci", "warned"]
    assert list(dict.fromkeys(groups["group"])) == ["flagship", "budget"]  # the scenario's order
    checked = 0
    for (point, group), rows in groups.groupby(["point", "group"], sort=False):
        runs = [
            _by_hand(part, group, end_s[(point, r)])
            for r, part in tasks[tasks["point"] == point].groupby("replication", observed=True)
        ]
        for metric in ("latency_mean_s", "latency_p95_s", "deadline_miss_rate", "device_energy_mean_j"):
            row = rows[rows["metric"] == metric]
            values = np.array([run[metric] for run in runs])
            assert row["mean"].item() == pytest.approx(values.mean(), rel=1e-9), (point, group, metric)
            assert row["n"].item() == 2
            checked += 1
        # The point's swept value and policy, as summary.csv has them.
        summary = pd.read_csv(out / "summary.csv")
        first = summary[summary["point"] == point].iloc[0]
        for key in (*swept, "policy"):
            assert (rows[key] == first[key]).all()
    assert checked == 4 * 2 * 4
    budget = groups.query("group == 'budget' and metric == 'latency_mean_s'")["mean"]
    flagship = groups.query("group == 'flagship' and metric == 'latency_mean_s'")["mean"]
    assert (budget.to_numpy() > flagship.to_numpy()).all(), "the budget phones are slower: a real split"
    # The headline table says it pools the groups, and points at the table per group.
    assert printed.splitlines()[1] == (
        "pooled over all 2 source groups (flagship, budget): "
        "each group alone in the table per source group below"
    )
    # Printed: a row per point and group under the headline table, the group named first.
    table = printed[printed.index("sweep per source group (flagship, budget)") :].splitlines()
    rule = next(i for i, line in enumerate(table) if line and set(line) <= {"-", " "})
    width = len(table[rule].split()[0])  # the first column's dashes
    assert " ".join(line[:width].strip() for line in table[1:rule]).split() == ["source", "group"]
    assert [line.split()[0] for line in table[rule + 1 : rule + 9]] == ["flagship", "budget"] * 4
    # A job file saved before job files kept the numbers: worked out from its records as merged.
    for file in sorted((out / "points").glob("*.parquet")):
        records, meta = read_job_file(file)
        del meta["source_groups"]
        write_job_file(file, records, meta)
    assert main(["sweep", str(tmp_path / "sweep.yaml"), "--out", str(out), "--workers", "1", "-q"]) == 0
    again = pd.read_csv(out / "groups.csv")
    pd.testing.assert_frame_equal(again, groups, rtol=1e-12)
    # One edited out of shape is no job file to merge: its job runs again, as any unreadable one's.
    file = sorted((out / "points").glob("*.parquet"))[0]
    records, meta = read_job_file(file)
    write_job_file(file, records, {**meta, "source_groups": ["budget", 0.1]})
    capsys.readouterr()
    assert main(["sweep", str(tmp_path / "sweep.yaml"), "--out", str(out), "--workers", "1", "-q"]) == 0
    assert "not reusable (source_groups: expected a mapping" in capsys.readouterr().err
    pd.testing.assert_frame_equal(pd.read_csv(out / "groups.csv"), groups, rtol=1e-12)


def test_sweep_of_one_group_writes_no_group_rows(tmp_path, capsys):
    from offloadsim.cli.main import main

    (tmp_path / "fleet.yaml").write_text(
        FLEET.replace('sources: "budget-*"', 'sources: "flagship-*"'), encoding="utf-8"
    )
    (tmp_path / "sweep.yaml").write_text(SWEEP.replace("[local, edge]", "[edge]"), encoding="utf-8")
    assert main(["sweep", str(tmp_path / "sweep.yaml"), "--out", str(tmp_path / "sw"), "--workers", "1"]) == 0
    assert pd.read_csv(tmp_path / "sw" / "groups.csv").empty
    assert "source group" not in capsys.readouterr().out


def test_figures_name_the_source_group_in_words(fleet, tmp_path):
    """A panel title, a legend and an axis say "source group", not the column's name source_group."""
    from offloadsim.experiments.compare import compare
    from offloadsim.plots.results import plot_results
    from offloadsim.records.stored import read_results

    compare(fleet, ["local", "edge"], 2, workers=1, out=tmp_path / "cmp")
    results = read_results(tmp_path / "cmp")

    def texts(fig):
        found = [fig._suptitle.get_text() if fig._suptitle else ""]
        for ax in fig.axes:
            found += [ax.get_title(loc="left"), ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
            legend = ax.get_legend()
            if legend is not None:
                found += [legend.get_title().get_text(), *(t.get_text() for t in legend.get_texts())]
        found += [t.get_text() for t in fig.texts]
        return [t for t in found if t]

    faceted = texts(plot_results(results, "bars", facet="source_group"))
    assert [t for t in faceted if t.startswith("(")][:2] == [
        "(a) source group = flagship",
        "(b) source group = budget",
    ]
    for drawn in (
        faceted,
        texts(plot_results(results, "bars", by="policy,source_group")),
        texts(plot_results(results, "bars", by="source_group", where={"policy": "edge"})),
    ):
        assert any("source group" in t for t in drawn), drawn
        assert not any("source_group" in t for t in drawn), drawn
