"""A run metric and a warning kind registered at run time reach compare's and sweep's worker processes.

A worker starts from offloadsim's own registrations and the entry points: a kind a script
registered with ``register(...)`` (under its guard, or in a notebook) was not in it, so the runs
made there silently lacked its column and warnings, and a comparison's results differed by worker
count.  They now travel to the workers, in the parent's order; one that cannot be pickled is
refused before any worker starts, in one line naming it.
"""

from __future__ import annotations

import textwrap

import pandas as pd
import pytest
from toy_distributions import site_on_path, table_digests

from offloadsim.analysis.metric_registry import register, unregister
from offloadsim.analysis.warning_registry import WarningKind
from offloadsim.analysis.warning_registry import register as register_kind
from offloadsim.analysis.warning_registry import unregister as unregister_kind
from offloadsim.experiments import ExperimentError, compare, sweep

TOY = '''
"""A script's own kinds: a warning of how many tasks completed, and each node's busy share."""

from offloadsim.analysis.metric_display import Metric
from offloadsim.analysis.metric_registry import SummaryMetric
from offloadsim.analysis.warning_facts import WarningFacts
from offloadsim.analysis.warning_registry import WarningKind


def _detect(inputs):
    n = len(inputs.nodes["node"])
    return [(f"toy nodes here: {n} nodes", WarningFacts("toy_here", node_count=n))]


def _busy(run):
    nodes = run.nodes
    if nodes is None or not len(nodes):
        return {}
    rows = zip(nodes["node"], nodes["cores"], nodes["utilisation"], strict=True)
    return {str(node): float(busy) for node, cores, busy in rows if cores > 0}


def _first(run):
    return float(len(run.nodes["node"]))


KIND = WarningKind(name="toy_here", detect=_detect, legend="a toy kind", opening="toy nodes here")
BUSY = SummaryMetric(
    name="toy_here_busy",
    description="a toy family: each computing node's busy share",
    columns={"toy_here_busy": Metric("toy busy", "%", 100.0, "lower")},
    compute=_busy,
    family="node",
)
COUNT = SummaryMetric(
    name="toy_here_nodes",
    description="a toy: how many nodes",
    columns={"toy_here_nodes": Metric("toy nodes", "", 1.0)},
    compute=_first,
)
'''


@pytest.fixture
def toy(tmp_path, monkeypatch):
    """The toy module importable here and in workers, its kinds registered in this process only."""
    site = site_on_path(tmp_path, monkeypatch)
    (site / "toy_here.py").write_text(textwrap.dedent(TOY), encoding="utf-8")
    import toy_here

    register_kind(toy_here.KIND)
    register(toy_here.COUNT)  # registered before the family: the metrics row keeps this order
    register(toy_here.BUSY)
    try:
        yield toy_here
    finally:
        unregister_kind("toy_here")
        unregister("toy_here_busy")
        unregister("toy_here_nodes")


def test_compare_in_workers_gives_what_it_gives_in_this_process(toy, tiny_scenario, tmp_path):
    one = compare(tiny_scenario, ["local", "edge"], replications=2, workers=1, out=tmp_path / "one")
    two = compare(tiny_scenario, ["local", "edge"], replications=2, workers=2, out=tmp_path / "two")
    assert "toy_here_nodes" in one.metrics.columns
    assert [c for c in one.metrics.columns if str(c).startswith("toy_here_busy_")]
    pd.testing.assert_frame_equal(two.metrics, one.metrics)
    said = [row["warning"] for row in two.manifest["run_warnings"]]
    assert said.count("toy nodes here: 2 nodes") == 4, two.manifest["run_warnings"]
    assert two.manifest["run_warnings"] == one.manifest["run_warnings"]
    assert table_digests(tmp_path / "two") == table_digests(tmp_path / "one")


def test_sweep_in_workers_gives_what_it_gives_in_this_process(toy, tiny_scenario, tmp_path):
    spec = tmp_path / "sweep.yaml"
    spec.write_text(
        f"name: toy\nbase: {tiny_scenario}\ngrid:\n  links[0].bandwidth: [5 Mbps, 50 Mbps]\n"
        "policies: [local, edge]\nreplications: 1\n",
        encoding="utf-8",
    )
    one = sweep(spec, workers=1, out=tmp_path / "one", progress=False)
    two = sweep(spec, workers=2, out=tmp_path / "two", progress=False)
    assert "toy_here_nodes" in one.metrics.columns
    pd.testing.assert_frame_equal(two.metrics, one.metrics)
    assert two.manifest["run_warnings"] == one.manifest["run_warnings"]


def test_a_kind_that_cannot_reach_the_workers_is_refused_before_any_runs(tiny_scenario, tmp_path):
    def detect(inputs):  # a function inside a function: pickle cannot name it
        return []

    register_kind(WarningKind(name="toy_local", detect=detect, legend="a toy kind"))
    try:
        with pytest.raises(ExperimentError) as caught:
            compare(tiny_scenario, ["local", "edge"], replications=2, workers=2, out=tmp_path / "out")
    finally:
        unregister_kind("toy_local")
    said = str(caught.value)
    assert said.startswith("warning kind 'toy_local' (registered in this process, in ")
    assert "cannot be handed to the worker processes" in said and "workers=1" in said
    assert "\n" not in said
    assert not (tmp_path / "out").exists()


def test_a_worker_registers_the_carried_kinds_in_the_parents_order(toy):
    # A kind the script registered before the entry points were read comes before theirs in the
    # parent; a worker reads its entry points first: the summary's warnings, in registry order,
    # would then differ by worker count.  Here toy_here stands for the worker's entry point.
    import pickle

    from offloadsim.analysis import warning_list
    from offloadsim.experiments.carried_kinds import CarriedKinds, register_carried_kinds

    earlier = WarningKind(name="toy_earlier", detect=toy.KIND.detect, legend="a toy kind registered first")
    shipped = len(warning_list.SHIPPED)
    carried = CarriedKinds(
        (("warning kind", (("toy_earlier", pickle.dumps(earlier)),), ("toy_earlier", "toy_here")),)
    )
    try:
        register_carried_kinds(carried)
        names = [kind.name for kind in warning_list.registered_kinds()]
        assert names[shipped:] == ["toy_earlier", "toy_here"]
        assert names[:shipped] == [kind.name for kind in warning_list.SHIPPED]
    finally:
        unregister_kind("toy_earlier")
