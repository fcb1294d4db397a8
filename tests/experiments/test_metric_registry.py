"""The metric registry: a metric registered in one place reaches every surface, and none is left out.

A metric declared in a test and registered there (no edit anywhere else) is in ``summary.json``,
the run's table, ``metrics_row``, the metric catalogue and compare's metrics; and every registered
metric (the shipped ones) is in each of those, each column of it too.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from experiment_data import BATTERIES

import offloadsim
from offloadsim.analysis import catalogue
from offloadsim.analysis.metric_display import Metric
from offloadsim.analysis.metric_list import metric_plugins, registered_metrics
from offloadsim.analysis.metric_registry import (
    _HOLDERS,
    SummaryMetric,
    TaskMean,
    held_by,
    register,
    reserve,
    task_chunks,
    unregister,
)
from offloadsim.analysis.summary import Summary, metrics_row, summarize
from offloadsim.experiments import compare

ROOT = Path(__file__).resolve().parents[2]

# Three phones with power and a battery, an edge: every shipped registered metric has a value
# (three sources: latency fairness; power: the compute part of device energy; batteries).
_PHONES = BATTERIES.replace("120 s", "40 s") + "policy: local\nseed: 5\n"

_TOY_WAIT = SummaryMetric(
    name="toy_wait_mean_s",
    description="a toy: the mean queueing wait again, as a task column's mean",
    columns={"toy_wait_mean_s": Metric("toy wait", "ms", 1e3, "lower")},
    task_mean=TaskMean("wait"),
    table_note="  (a toy)",
    sweep=("toy_wait_mean_s",),
)
_TOY_NODES = SummaryMetric(
    name="toy_node_count",
    description="a toy: the nodes the nodes table lists",
    columns={"toy_node_count": Metric("toy nodes", "nodes", digits=0)},
    compute=lambda run: float(len(run.nodes["node"])),
    compare=False,
)


@pytest.fixture
def toys():
    """The two toy metrics registered for one test, and taken back out after it."""
    register(_TOY_WAIT)
    register(_TOY_NODES)
    try:
        yield
    finally:
        unregister(_TOY_WAIT.name)
        unregister(_TOY_NODES.name)


@pytest.fixture
def phones(tmp_path):
    path = tmp_path / "phones.yaml"
    path.write_text(_PHONES, encoding="utf-8")
    return path


def test_a_metric_registered_in_a_test_reaches_summary_json_the_row_the_catalogue_and_compare(
    toys, phones, tmp_path
):
    run = offloadsim.run(phones, out=tmp_path / "run")  # the engine's records: the chunked path
    summary = run.summary
    document = json.loads((tmp_path / "run" / "summary.json").read_text(encoding="utf-8"))
    # The task column's mean is the very float the summary's own wait is (chunks or whole columns).
    assert document["toy_wait_mean_s"] == summary.wait_mean_s == summary.metric("toy_wait_mean_s")
    whole = summarize(pd.read_parquet(tmp_path / "run" / "tasks.parquet"), run.nodes, run.links, 40.0)
    assert whole.metric("toy_wait_mean_s") == whole.wait_mean_s == summary.wait_mean_s
    assert document["toy_node_count"] == 4.0
    assert list(document)[-2:] == ["toy_wait_mean_s", "toy_node_count"]  # a new metric: at the end
    assert Summary.from_dict(document) == summary
    older = {k: v for k, v in document.items() if not k.startswith("toy_")}  # written before them
    assert math.isnan(Summary.from_dict(older).metric("toy_node_count"))

    row = metrics_row(summary)
    assert row["toy_wait_mean_s"] == summary.wait_mean_s and row["toy_node_count"] == 4.0
    assert list(row)[-2:] == ["toy_wait_mean_s", "toy_node_count"]

    assert (
        catalogue.is_metric("toy_node_count") and catalogue.metric_info("toy_wait_mean_s").label == "toy wait"
    )
    assert catalogue.describe("toy_node_count") == "a toy: the nodes the nodes table lists"
    names = ["utilisation_edge", "toy_wait_mean_s", "latency_fairness", "latency_mean_s"]
    assert catalogue.metric_columns(names) == [
        "latency_mean_s",
        "latency_fairness",
        "toy_wait_mean_s",
        "utilisation_edge",
    ]
    assert catalogue.sweep_columns({"toy_wait_mean_s", "toy_node_count"}, by_latency=False) == [
        "toy_wait_mean_s"
    ]
    (line,) = [x for x in summary.format_table().splitlines() if x.startswith("toy wait")]
    (wait,) = [x for x in summary.format_table().splitlines() if x.startswith("mean queueing wait")]
    assert line.split()[2:4] == wait.split()[3:5] and line.endswith("ms  (a toy)")  # as the wait's own

    result = compare(phones, ["local", "edge"], 2, workers=1)
    assert {"toy_wait_mean_s", "toy_node_count"} <= set(result.metrics.columns)
    assert (result.metrics["toy_wait_mean_s"] == result.metrics["wait_mean_s"]).all()
    assert {"toy_wait_mean_s", "toy_node_count"} <= set(result.summary["metric"])
    table = result.format_table()
    assert "toy wait (ms)" in table and "toy nodes" not in table  # compare=False: shown when asked
    assert "toy nodes (nodes)" in result.format_table(["latency_mean_s", "toy_node_count"])


def test_every_registered_metric_is_in_summary_json_the_row_the_catalogue_and_compare(phones, tmp_path):
    """Fails for a registered metric (or one of its columns) that some surface leaves out.

    The run gives every registered metric a value but the summary's own fields' (the LLM metrics,
    other devices' energy); a metric this run cannot give one needs a run here that does
    (:func:`test_the_llm_metrics_reach_every_surface_too`, ...).
    """
    own_runs = (*_DEADLINE_METRICS, *_CI_METRICS)
    metrics = [m for m in registered_metrics() if not m.summary_fields and m.name not in own_runs]
    assert {m.name for m in metrics} >= {
        "latency_fairness",
        "battery_left_median",
        "device_compute_energy_mean_j",
    }
    _reach_every_surface(phones, ["local", "edge"], metrics, tmp_path)


#: Metrics of tasks with a deadline, which the phones' jobs have none of: each has its run below.
_DEADLINE_METRICS = ("on_time_per_s",)


def test_the_on_time_throughput_reaches_every_surface_too(tmp_path):
    """The on-time throughput (:mod:`offloadsim.analysis.on_time`), on the phones with a deadline."""
    path = tmp_path / "deadline.yaml"
    path.write_text(_PHONES.replace("output: 1 KB}", "output: 1 KB, deadline: 300 ms}"), encoding="utf-8")
    metrics = [metric for metric in registered_metrics() if metric.name in _DEADLINE_METRICS]
    assert len(metrics) == len(_DEADLINE_METRICS)
    _reach_every_surface(path, ["local", "edge"], metrics, tmp_path)


#: The p99.9 latency's CI bounds, which a run gives only with 3,688 completed tasks or more.
_CI_METRICS = ("latency_p999_low_s", "latency_p999_high_s")


def test_the_p999_latency_ci_reaches_every_surface_too(tmp_path):
    """The p99.9 latency's CI (:mod:`offloadsim.analysis.tail_latency`), on phones sending enough tasks."""
    path = tmp_path / "busy.yaml"
    busy = (
        _PHONES.replace("40 s", "100 s")
        .replace(", battery: 60 J", "")
        .replace("rate: 2 /s", "rate: 20 /s")
        .replace("input: 200 KB", "input: 20 KB")
    )
    path.write_text(busy, encoding="utf-8")
    metrics = [metric for metric in registered_metrics() if metric.name in _CI_METRICS]
    assert len(metrics) == len(_CI_METRICS)
    _reach_every_surface(path, ["local", "edge"], metrics, tmp_path, shown_on="p99.9 latency")


def test_the_llm_metrics_reach_every_surface_too(tmp_path):
    """The LLM metrics, registered (:mod:`offloadsim.analysis.llm_requests`), on a shortened LLM assistant."""
    path = tmp_path / "llm.yaml"
    text = (ROOT / "scenarios" / "llm-assistant.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace("duration: 600 s", "duration: 120 s"), encoding="utf-8")
    (llm,) = [metric for metric in registered_metrics() if metric.name == "ttft_mean_s"]
    assert llm.summary_fields and llm.row_place == "headline"
    _reach_every_surface(path, ["local", "edge"], [llm], tmp_path)


_POWERED_EDGE = """
name: powered-edge
duration: 20 s
nodes:
  phone: {count: 2, tier: device, processor: {speed: 10 GFLOP/s}, power: {idle: 0.5 W, busy: 3 W}}
  edge: {tier: edge, processor: {speed: 1 TFLOP/s}, power: {idle: 50 W, busy: 120 W}}
links: [{between: [phone-*, edge], bandwidth: 20 Mbps, latency: 5 ms}]
applications: {cnn: {model: alexnet}}
workload: [{app: cnn, sources: phone-*, arrivals: periodic, period: 1 s}]
policy: edge
"""


def test_other_devices_energy_reaches_every_surface_too(tmp_path):
    """Other devices' energy per task (:mod:`offloadsim.analysis.other_energy`): a powered edge's."""
    path = tmp_path / "powered.yaml"
    path.write_text(_POWERED_EDGE, encoding="utf-8")
    (other,) = [metric for metric in registered_metrics() if metric.name == "other_device_energy_mean_j"]
    assert other.summary_fields and other.row_place == "headline"
    _reach_every_surface(path, ["edge", "local"], [other], tmp_path)


def _reach_every_surface(path, policies, metrics, tmp_path, shown_on: str | None = None) -> None:
    """Each of ``metrics`` in a run of ``path``'s summary.json, table and row, the catalogue, compare.

    ``shown_on``: the label of the run table's row that shows them, where it is another metric's
    (the p99.9 latency's row shows its CI).
    """
    run = offloadsim.run(path, out=tmp_path / "run")
    document = json.loads((tmp_path / "run" / "summary.json").read_text(encoding="utf-8"))
    keys = list(document)
    row = metrics_row(run.summary)
    printed = run.summary.format_table()
    result = compare(path, policies, 1, workers=1)
    in_compare = set(result.summary["metric"])
    for metric in metrics:
        # Its own key of summary.json; a metric of the summary's own fields (the LLM ones): those.
        for key in metric.columns if metric.summary_fields else (metric.name,):
            value = _value_of(run.summary, metric, key)
            assert not math.isnan(value) and _value_of(Summary.from_dict(document), metric, key) == value
            # A property over the fields (other devices' energy per task) is no key of its own.
            if not metric.summary_fields or not isinstance(getattr(Summary, key, None), property):
                assert document.get(key) == value, key
        if metric.json_after is not None:  # where it was before the registry
            assert keys.index(metric.name) == keys.index(metric.json_after) + 1, metric.name
        shown = metric.table_row(run.summary) if metric.table_row else None
        label = shown_on or (shown[0] if shown else metric.columns[metric.name].label)
        assert any(line.startswith(label) for line in printed.splitlines()), (metric.name, label)
        assert set(metric.sweep) <= set(metric.columns)
        headings = [info.heading for info in metric.columns.values()]
        asked = result.format_table(["latency_mean_s", *metric.columns])
        for name, info in metric.columns.items():
            assert name in row and not math.isnan(row[name]), name
            assert catalogue.is_metric(name) and catalogue.metric_info(name) == info, name
            assert catalogue.describe(name), name
            assert name in catalogue.metric_columns([name]), name
            assert name in in_compare and name in result.metrics.columns, name
            assert info.heading in asked, name
        if metric.compare:
            assert all(heading in result.format_table() for heading in headings), metric.name


def _value_of(summary: Summary, metric: SummaryMetric, key: str) -> float:
    """``key``'s value in ``summary``: a summary field of ``metric``'s, or the metric's own value."""
    return getattr(summary, key) if metric.summary_fields else summary.metric(key)


@pytest.mark.parametrize(
    ("name", "column", "said"),
    [
        # Before, accepted: the toy's value replaced the run's mean latency in metrics.parquet and compare.
        ("mine", "latency_mean_s", "its column 'latency_mean_s' is a headline metric (mean latency)"),
        (
            "mine",
            "ttft_p95_s",
            "its column 'ttft_p95_s' is registered already (by metric 'ttft_mean_s' of offloadsim.",
        ),
        (
            "mine",
            "handovers_mean",
            "its column 'handovers_mean' is a record-column metric (the mean of record column 'handovers')",
        ),
        (
            "mine",
            "utilisation_edge",
            "its column 'utilisation_edge' is a column of registered family 'utilisation' (tier)",
        ),
        ("mine", "battery_left_min", "its column 'battery_left_min' is registered already (by metric "),
        ("warnings", "mine", "its name 'warnings' is a key of summary.json (Summary.warnings)"),
        ("arrived", "mine", "its name 'arrived' is a headline metric (tasks arrived)"),
    ],
)
def test_a_metric_taking_a_headline_or_catalogue_name_is_refused_naming_it_and_the_column(name, column, said):
    toy = SummaryMetric(
        name=name, description="a toy", columns={column: Metric("toy", "")}, compute=lambda run: 99.0
    )
    with pytest.raises(ValueError) as refused:
        register(toy)
    message = str(refused.value)
    assert message.startswith(f"metric {name!r} ({__name__}): ") and said in message, message
    assert name not in {metric.name for metric in registered_metrics()}
    row = metrics_row(Summary.from_dict(_SOME_SUMMARY))
    assert row["latency_mean_s"] == 0.25 and row.get(column) != 99.0


def test_the_shipped_metrics_take_no_name_held_elsewhere_and_importing_them_reads_no_entry_points():
    """Registered before the catalogue declares its names, they are checked here, not on import.

    On import a check read the record columns' entry points: in a pool's forkserver (which imports
    the summary) with the sys.path of its start, so that later workers never read them again.
    """
    for metric in registered_metrics():
        for name in (metric.name, *metric.columns):
            assert held_by(name) is None, (metric.name, name, held_by(name))
    code = "import offloadsim.api; from offloadsim.records import schema; print(schema.PLUGINS.loaded)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False", done.stderr


def test_reserve_leaves_a_shipped_task_mean_metric_to_the_tests_as_it_does_any_shipped_one():
    """A shipped metric that is a task column's mean has no code of its own to be known shipped by.

    ``reserve`` took it for a plug-in's and asked the new holder about its names on the spot: what
    a pool's forkserver importing the catalogue must not (a holder may read entry points).
    """
    shipped = SummaryMetric(
        name="toy_shipped_wait_mean_s",
        description="a toy: a shipped metric that is a task column's mean, no code of its own",
        columns={"toy_shipped_wait_mean_s": Metric("toy wait", "ms", 1e3, "lower")},
        task_mean=TaskMean("wait"),
        table_note="",
    )
    asked: list[str] = []

    def holder(name: str) -> str | None:
        asked.append(name)
        return None

    register(shipped, shipped=True)
    try:
        reserve(holder)
    finally:
        _HOLDERS.remove(holder)
        unregister(shipped.name)
    assert "toy_shipped_wait_mean_s" not in asked, asked
    assert shipped.name not in {plugin["name"] for plugin in metric_plugins()}


_SOME_SUMMARY = {
    "duration_s": 10.0,
    "arrived": 4,
    "completed": 4,
    "dropped": 0,
    "failed": 0,
    "in_flight": 0,
    "latency_mean_s": 0.25,
    "latency_p50_s": 0.25,
    "latency_p95_s": 0.25,
    "latency_p99_s": 0.25,
    "wait_mean_s": 0.0,
    "deadline_tasks": 0,
    "deadline_misses": 0,
    "deadline_miss_rate": None,
    "throughput_per_s": 0.4,
    "bytes_sent": 0.0,
    "device_energy_mean_j": None,
}


def _offloaded_share(run):
    """Of the tasks with a final node, the share not ended on their source (a toy, by task_columns)."""
    off = ended = 0
    for chunk in run.task_columns(("source", "final_node")):
        if chunk.absent:  # a table built by hand without them
            return math.nan
        source, final = chunk.texts("source"), chunk.texts("final_node")
        has = final != ""
        ended += int(has.sum())
        off += int((has & (final != source)).sum())
    return off / ended if ended else math.nan


def test_task_columns_reads_the_engines_chunks_and_a_whole_table_alike_and_says_absent_columns(
    phones, tmp_path
):
    """Before, a compute read the two forms with ~20 lines of its own, and a missing column raised."""
    toy = SummaryMetric(
        name="toy_offloaded",
        description="a toy: the share of tasks ended off their source",
        columns={"toy_offloaded": Metric("toy offloaded", "%", 100.0)},
        compute=_offloaded_share,
    )
    register(toy)
    try:
        run = offloadsim.run(phones, out=tmp_path / "run", overrides=["policy=edge"])  # chunks
        tasks = pd.read_parquet(tmp_path / "run" / "tasks.parquet")
        whole = summarize(tasks, run.nodes, run.links, 40.0)
        assert run.summary.metric("toy_offloaded") == whole.metric("toy_offloaded") == 1.0  # all on the edge
        mixed = tasks.assign(final_node=tasks["source"].astype(str).where(tasks.index % 2 == 0, "edge"))
        odd = (tasks.index % 2 == 1) & (tasks["final_node"] != "")
        expected = odd.sum() / (tasks["final_node"] != "").sum()
        assert summarize(mixed, run.nodes, run.links, 40.0).metric("toy_offloaded") == pytest.approx(expected)
        lacking = summarize(tasks.drop(columns=["final_node"]), run.nodes, run.links, 40.0)
        assert math.isnan(lacking.metric("toy_offloaded"))
    finally:
        unregister(toy.name)
    (chunk,) = task_chunks(pd.DataFrame({"source": ["b", "a", None]}), ("source", "latency"))
    assert chunk.absent == {"latency"} and chunk.rows == 3
    assert chunk.codes("source")[0].tolist() == [1, 0, -1] and math.isnan(chunk.floats("latency")[0])
    with pytest.raises(KeyError, match="not a column asked"):
        chunk.floats("status")
