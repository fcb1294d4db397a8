"""Overloaded runs are marked in the tables themselves, not only in the warnings under them.

The tiny scenario's phone computes a job in 0.1 s: offered 15 jobs/s it is offered 150 % of its
capacity (the ``overloaded`` warning, from the scenario's own arrival rate, whatever the seed), and
its queue grows all run; the edge, ten times faster, is 15 % busy.  A run's, a comparison's and a
sweep's mean latency of ``local`` read as steady as ``edge``'s, the warning said elsewhere.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

import offloadsim
from offloadsim.analysis.metric_display import Metric
from offloadsim.analysis.metric_registry import SummaryMetric, TaskMean, register, unregister
from offloadsim.analysis.overload_marks import OVERLOAD_MARK, Overloaded, overload_kinds, runs_footnote
from offloadsim.analysis.summary import EVERY_GROUP_MARKED
from offloadsim.cli import main
from offloadsim.cli.experiments import _sweep_table
from offloadsim.experiments import compare
from offloadsim.scenario import load_scenario, load_scenario_text

OVER = ["workload[0].rate=15 /s", "duration=5 s"]


def _marked(line: str) -> bool:
    return line.rstrip().endswith(OVERLOAD_MARK)


def test_a_runs_table_marks_its_latencies_where_it_was_overloaded(tiny_scenario_text):
    text = tiny_scenario_text.replace("rate: 5 /s", "rate: 15 /s").replace("duration: 2 s", "duration: 5 s")
    tables = {}
    for policy in ("local", "edge"):
        result = offloadsim.run(load_scenario_text(text.replace("policy: edge", f"policy: {policy}")))
        tables[policy] = result.summary.format_table()
    lines = tables["local"].splitlines()
    marked = [line.split("  ")[0] for line in lines if _marked(line)]
    assert marked == [
        "mean latency",
        "median latency",
        "p95 latency",
        "p99 latency",
        "mean queueing wait",
        "p99.9 latency",
        "throughput",
    ]
    (footnote,) = [line for line in lines if line.startswith(f"{OVERLOAD_MARK} overloaded (")]
    assert "overloaded" in footnote.split(":")[0].split("(")[1]  # names the offered-overload warning
    assert lines.index(footnote) < min(i for i, line in enumerate(lines) if line.startswith("warning: "))
    assert OVERLOAD_MARK not in tables["edge"]  # a steady run is not marked


def test_a_metric_registered_with_the_flag_is_marked_with_no_edit_of_offloadsim(tiny_scenario_text):
    """Which metrics an overload marks is said where each is registered: a test's toy is marked too."""
    flagged, plain = (
        SummaryMetric(
            name=name,
            description="a toy: the mean queueing wait again",
            columns={name: Metric(label, "ms", 1e3, "lower", overload_marked=marked)},
            task_mean=TaskMean("wait"),
            table_note="",
        )
        for name, label, marked in (
            ("toy_over_s", "toy marked wait", True),
            ("toy_plain_s", "toy wait", False),
        )
    )
    text = tiny_scenario_text.replace("rate: 5 /s", "rate: 15 /s").replace("duration: 2 s", "duration: 5 s")
    register(flagged)
    register(plain)
    try:
        tables = {
            policy: offloadsim.run(load_scenario_text(text.replace("policy: edge", f"policy: {policy}")))
            .summary.format_table()
            .splitlines()
            for policy in ("local", "edge")
        }
    finally:
        unregister(flagged.name)
        unregister(plain.name)
    (marked,) = [line for line in tables["local"] if line.startswith("toy marked wait")]
    (wait,) = [line for line in tables["local"] if line.startswith("mean queueing wait")]
    assert marked.split()[3:] == wait.split()[3:] and _marked(marked)  # "… ms †", as the wait's own
    (unflagged,) = [line for line in tables["local"] if line.startswith("toy wait")]
    assert not _marked(unflagged)  # registered without the flag: no mark
    (steady,) = [line for line in tables["edge"] if line.startswith("toy marked wait")]
    assert not _marked(steady)  # a steady run is not marked


def test_compare_marks_the_overloaded_policys_column_and_says_how_many_runs(tiny_scenario, tmp_path):
    result = compare(tiny_scenario, ["edge", "local"], 2, workers=1, overrides=OVER)
    table = result.format_table(notes=False).splitlines()
    (header,) = [line for line in table if line.startswith("metric ")]
    assert header.split()[1:] == ["edge", "local", OVERLOAD_MARK]
    (footnote,) = [line for line in table if line.startswith(OVERLOAD_MARK)]
    assert ": 2 of 2 runs of local: no steady state" in footnote and "edge" not in footnote
    # A boolean column in metrics and summary (summary.csv), as the table marks them.
    by_run = result.metrics.groupby("policy")["overloaded"].agg(["all", "any"])
    assert by_run.loc["local"].tolist() == [True, True] and by_run.loc["edge"].tolist() == [False, False]
    written = pd.read_csv(result.write(tmp_path / "cmp") / "summary.csv")
    assert written.groupby("policy")["overloaded"].unique().map(list).to_dict() == {
        "edge": [False],
        "local": [True],
    }
    # Where only some of a policy's runs were overloaded, the line says how many.
    first = result.metrics.index[(result.metrics["policy"] == "local")][0]
    result.metrics.loc[first, "warnings"] = ""
    (footnote,) = [
        line for line in result.format_table(notes=False).splitlines() if line.startswith(OVERLOAD_MARK)
    ]
    assert ": 1 of 2 runs of local: no steady state" in footnote


def test_sweep_marks_the_overloaded_points_row(tiny_scenario, tmp_path, capsys):
    sweep_file = tmp_path / "sweep.yaml"
    sweep_file.write_text(
        "base: tiny.yaml\nset: {duration: 5 s, policy: local}\n"
        "grid:\n  workload[0].rate: [1 /s, 15 /s]\nreplications: 1\n"
    )
    assert main(["sweep", str(sweep_file), "--out", str(tmp_path / "sw"), "--workers", "1"]) == 0
    printed = capsys.readouterr().out.splitlines()
    rows = {rate: line for line in printed for rate in ("1 /s", "15 /s") if line.startswith(f"{rate} ")}
    assert rows["15 /s"].startswith(f"15 /s {OVERLOAD_MARK}") and OVERLOAD_MARK not in rows["1 /s"]
    (footnote,) = [line for line in printed if line.startswith(OVERLOAD_MARK)]
    assert ": 1 of 1 runs at 15 /s: no steady state" in footnote
    summary = pd.read_csv(tmp_path / "sw" / "summary.csv")
    assert summary.groupby("workload[0].rate")["overloaded"].all().to_dict() == {"1 /s": False, "15 /s": True}


def test_the_line_under_a_sweep_of_many_marked_points_names_a_few():
    """A sweep of many overloaded points names four with their runs and counts the rest."""
    marked = {f"{rate} /s": Overloaded(2 + (rate == 9), 5, ("backlog",)) for rate in range(10, 3, -1)}
    line = runs_footnote(marked, "at ")
    assert line is not None and line.startswith(
        f"{OVERLOAD_MARK} overloaded (backlog warning; see the notes): "
    )
    assert (
        "2 of 5 runs at 10 /s, 3 of 5 runs at 9 /s, 2 of 5 runs at 8 /s, 2 of 5 runs at 7 /s, and 3 more"
        in line
    )
    assert runs_footnote({}, "at ") is None


def test_the_line_under_a_sweep_of_two_keys_tells_its_points_apart():
    """A point of two swept keys is labelled "2 /s, 4": the points are parted by semicolons.

    A capacity planner's sweep of rate x edge count read ``3 of 3 runs at 2 /s, 4, 3 of 3 runs at
    2 /s, 5``, one comma for both (a new user's trial, 2026-12-07); a compare entry with a list in
    its parameters is parted likewise.
    """
    over = Overloaded(3, 3, ("backlog",))
    line = runs_footnote({"2 /s, 4": over, "2 /s, 5": over}, "at ")
    assert line is not None and ": 3 of 3 runs at 2 /s, 4; 3 of 3 runs at 2 /s, 5: no steady" in line
    many = runs_footnote({f"2 /s, {n}": over for n in range(4, 10)}, "at ")
    assert many is not None and "runs at 2 /s, 7; and 2 more marked: no steady" in many
    entries = {"least-loaded(tiers=[edge, cloud])": over, "local": Overloaded(1, 3, ("backlog",))}
    line = runs_footnote(entries, "of ")
    assert line is not None and "runs of least-loaded(tiers=[edge, cloud]); 1 of 3 runs of local" in line
    # One key a point: commas as before.
    single = runs_footnote({"1 /s": over, "2 /s": over}, "at ")
    assert single is not None and "3 of 3 runs at 1 /s, 3 of 3 runs at 2 /s: no steady" in single


#: The tiny scenario with two source groups, each phone offered 150 % of its capacity under local.
GROUPED = """\
name: tiny-groups
duration: 5 s
nodes:
  phone: {tier: device, processor: {speed: 10 GFLOP/s}}
  cam: {tier: device, processor: {speed: 10 GFLOP/s}}
  edge: {tier: edge, processor: {speed: 100 GFLOP/s}}
links:
  - {between: [phone, edge], bandwidth: 20 Mbps, latency: 3 ms}
  - {between: [cam, edge], bandwidth: 20 Mbps, latency: 3 ms}
applications:
  job: {work: 1 GFLOP, input: 10 KB}
workload:
  - {app: job, sources: phone, rate: 15 /s}
  - {app: job, sources: cam, rate: 15 /s}
policy: local
"""


def test_the_group_rows_and_tables_are_marked_as_the_runs_numbers_are(tmp_path):
    """A run's by-group lines and a comparison's per-group tables carry the overload mark too."""
    table = offloadsim.run(load_scenario_text(GROUPED)).summary.format_table().splitlines()
    heading = next(i for i, line in enumerate(table) if line.startswith("by source group"))
    groups = [line for line in table[heading + 1 :] if line.startswith("  ")][:2]
    assert sorted(line.split()[0] for line in groups) == ["cam", "phone"] and all(map(_marked, groups))
    path = tmp_path / "grouped.yaml"
    path.write_text(GROUPED)
    text = compare(path, ["edge", "local"], 2, workers=1).format_table(notes=False)
    per_group = text.split("\n\nper source group")[1]
    assert per_group.splitlines()[0].endswith(f"({OVERLOAD_MARK}: overloaded, as above)")
    headers = [line.split()[1:] for line in per_group.splitlines() if line.startswith("metric ")]
    assert headers == [["edge", "local", OVERLOAD_MARK]] * 2  # local's column, in each group's table
    assert sum(line.startswith(OVERLOAD_MARK) for line in text.splitlines()) == 1  # said once, above


def test_only_the_groups_whose_tasks_ran_on_the_overloaded_node_are_marked(tmp_path, capsys):
    """The warnings name the phone: under local the cameras' tasks never ran there, and read unmarked."""
    text = GROUPED.replace("sources: cam, rate: 15 /s", "sources: cam, rate: 1 /s")  # cam 10 % busy
    result = offloadsim.run(load_scenario_text(text))
    table = result.format_table().splitlines()  # as `run` prints it
    heading = next(i for i, line in enumerate(table) if line.startswith("by source group"))
    groups = {line.split()[0]: _marked(line) for line in table[heading + 1 : heading + 3]}
    assert groups == {"phone": True, "cam": False}
    assert _marked(next(line for line in table if line.startswith("mean latency")))  # the run's own: marked
    assert not any(EVERY_GROUP_MARKED in line for line in table)
    # The summary alone: its warnings' facts say which groups they concern (placed as the run's
    # result was built), so it marks the phone's line alone too, and summary.json carries them.
    assert [facts.groups for facts in result.summary.warning_facts] == [("phone",), ("phone",)]
    assert _group_marks(result.summary.format_table()) == {"phone": True, "cam": False}
    # A summary whose facts do not say (one written before they did) marks both, and says why.
    older = replace(
        result.summary, warning_facts=tuple(replace(f, groups=None) for f in result.summary.warning_facts)
    )
    alone = older.format_table()
    assert _group_marks(alone) == {"phone": True, "cam": True}
    (footnote,) = [line for line in alone.splitlines() if line.startswith(f"{OVERLOAD_MARK} overloaded (")]
    assert footnote.endswith(f"; {EVERY_GROUP_MARKED}")
    path = tmp_path / "grouped.yaml"
    path.write_text(text)
    per_group = compare(path, ["edge", "local"], 2, workers=1).format_table(notes=False)
    tables = per_group.split("\n\nper source group")[1].split("source group ")[1:]
    headers = {part.split()[0]: part.splitlines()[1].split()[1:] for part in tables}
    assert headers == {"phone": ["edge", "local", OVERLOAD_MARK], "cam": ["edge", "local"]}
    (tmp_path / "sweep.yaml").write_text(
        "base: grouped.yaml\ngrid:\n  workload[0].rate: [15 /s]\nreplications: 1\n"
    )
    assert main(["sweep", str(tmp_path / "sweep.yaml"), "--workers", "1", "--out", str(tmp_path / "s")]) == 0
    printed = capsys.readouterr().out.split(" per source group (")[1].splitlines()[1:]
    rows = [line.split("  ")[0] for line in printed if line.startswith(("phone ", "cam "))]
    assert rows == [f"phone {OVERLOAD_MARK}", "cam"]  # each (point, group) row: the phone's alone


def _group_marks(table: str) -> dict[str, bool]:
    """A run's table's by-group lines: each group with whether its line is marked."""
    lines = table.splitlines()
    heading = next(i for i, line in enumerate(lines) if line.startswith("by source group"))
    return {line.split()[0]: _marked(line) for line in lines[heading + 1 : heading + 3]}


def test_a_group_only_another_kind_of_warning_concerns_is_not_marked(tmp_path):
    """The cameras, 70 % busy, are too short to settle (no overload); the phones are overloaded.

    compare's per-group table marked local's column in the cameras' table too, as some warning of
    its runs concerned them: a settling warning says nothing of a steady state lost.  Each warning's
    facts carry the groups it concerns, and only an overload warning's mark a group.
    """
    text = GROUPED.replace("sources: cam, rate: 15 /s", "sources: cam, rate: 7 /s")
    path = tmp_path / "grouped.yaml"
    path.write_text(text)
    result = compare(path, ["edge", "local"], 2, workers=1)
    kinds = {(row["facts"]["kind"], tuple(row["facts"]["groups"])) for row in result.manifest["run_warnings"]}
    assert ("settling", ("cam",)) in kinds and ("busy_growing", ("phone",)) in kinds
    per_group = result.format_table(notes=False).split("\n\nper source group")[1]
    tables = per_group.split("source group ")[1:]
    headers = {part.split()[0]: part.splitlines()[1].split()[1:] for part in tables}
    assert headers == {"phone": ["edge", "local", OVERLOAD_MARK], "cam": ["edge", "local"]}
    # groups.csv's warned still counts the cameras' settling warning: what the notes say of them.
    warned = result.groups[(result.groups["group"] == "cam") & (result.groups["policy"] == "local")]["warned"]
    assert (warned == 2).all()


def test_a_runs_llm_rows_are_marked_where_it_was_overloaded():
    """Time to first token, per output token and the token rates depend on the run's length too."""
    scenario = load_scenario(
        Path(__file__).resolve().parents[2] / "scenarios" / "llm-assistant.yaml",
        ["duration=20 s", "warmup=2 s", "workload[0].rate=0.6 /s", "policy=edge"],
    )
    lines = offloadsim.run(scenario).summary.format_table().splitlines()
    marked = {line.split("  ")[0] for line in lines if _marked(line)}
    llm = {"mean time to first token", "mean time per output token", "output token throughput"}
    assert llm | {"mean latency", "throughput"} <= marked
    assert not marked & {"latency fairness", "data sent", "device energy per task"}


def test_a_sweeps_line_counts_the_marked_points_past_its_rows_apart():
    """A sweep prints ``limit`` rows: the line names the marked ones shown, and counts those past them."""
    rates = ["1 /s", "2 /s", "3 /s", "4 /s"]
    summary = pd.DataFrame(
        [(rate, point, "latency_mean_s", 2, 0.1, 0.01) for point, rate in enumerate(rates)],
        columns=["workload[0].rate", "point", "metric", "n", "mean", "ci"],
    )
    warned = {0: "backlog", 3: "backlog,settling"}  # a run of the first point and both of the last
    metrics = pd.DataFrame(
        [
            (point, warned.get(point, "") if rep == 0 or point == 3 else "")
            for point in range(4)
            for rep in (0, 1)
        ],
        columns=["point", "warnings"],
    )
    manifest = {"name": "s", "swept": ["workload[0].rate"], "replications": 2}
    result = SimpleNamespace(summary=summary, manifest=manifest, metrics=metrics)
    lines = _sweep_table(result, limit=2).splitlines()
    assert [line.split("  ")[0] for line in lines if line.startswith(("1 /s", "2 /s"))] == [
        f"1 /s {OVERLOAD_MARK}",
        "2 /s",
    ]
    (footnote,) = [line for line in lines if line.startswith(OVERLOAD_MARK)]
    assert (
        ": 1 of 2 runs at 1 /s; 1 more overloaded point beyond the table (summary.csv's overloaded):"
        in footnote
    )
    assert "4 /s" not in footnote  # a row not printed is not named as a marked one
    metrics.loc[metrics["point"] == 0, "warnings"] = ""  # only a point past the rows shown: still said
    lines = _sweep_table(result, limit=2).splitlines()
    (footnote,) = [line for line in lines if line.startswith(OVERLOAD_MARK)]
    assert ": none of the rows shown; 1 overloaded point beyond the table" in footnote


def test_a_sweeps_line_names_a_bare_numbers_key():
    """HO46: a fleet-size sweep's line said ``1 of 1 runs at 100``: a hundred of what, the reader asked."""
    count = "nodes.phone.count"
    summary = pd.DataFrame(
        [(n, point, "latency_mean_s", 1, 0.1, 0.0) for point, n in enumerate([10, 100])],
        columns=[count, "point", "metric", "n", "mean", "ci"],
    )
    metrics = pd.DataFrame([(0, ""), (1, "backlog")], columns=["point", "warnings"])
    manifest = {"name": "s", "swept": [count], "replications": 1, "labels": {count: "phone count"}}
    lines = _sweep_table(SimpleNamespace(summary=summary, manifest=manifest, metrics=metrics)).splitlines()
    (footnote,) = [line for line in lines if line.startswith(OVERLOAD_MARK)]
    assert ": 1 of 1 runs at phone (count) 100: no steady state" in footnote


def test_a_bounded_queues_drops_alone_do_not_mark_the_run(tiny_scenario_text):
    """A full queue's drops are no sign of a run without a steady state: a bounded queue settles.

    M/M/1/K (here M/D/1/1: ``queue_limit: 0`` serves a job only on a free core) has a stationary
    distribution at any load: the drops are what holds it, so its latencies do not depend on how
    long it ran.  The phone, offered 80 % of its capacity, turns away the jobs that find it busy
    (the ``queue_full`` warning says so); its latencies are each job's own service time and are
    not marked ``†``, nor is the run counted overloaded.
    """
    text = (
        tiny_scenario_text.replace("speed: 10 GFLOP/s}", "speed: 10 GFLOP/s, queue_limit: 0}")
        .replace("rate: 5 /s", "rate: 8 /s")
        .replace("duration: 2 s", "duration: 20 s")
        .replace("policy: edge", "policy: local")
    )
    summary = offloadsim.run(load_scenario_text(text)).summary
    kinds = [facts.kind for facts in summary.warning_facts]
    assert "queue_full" in kinds and summary.dropped > 0
    assert overload_kinds(kinds) == []
    assert summary.latency_p99_s == pytest.approx(0.1) == summary.latency_mean_s  # no job waited
    assert OVERLOAD_MARK not in summary.format_table()
