"""A run metric an installed distribution declares as an entry point reaches run, compare and the catalogue.

A toy distribution (a ``*.dist-info`` with ``entry_points.txt``, as pip writes it, in a folder on
``sys.path`` and ``PYTHONPATH``) declares a ``SummaryMetric`` under ``offloadsim.metrics``; no code
calls ``register``.  Before the group existed the metric reached nothing.
"""

from __future__ import annotations

import json
import sys
import textwrap

import pytest
from toy_distributions import CODE, install_distribution, site_on_path

from offloadsim import plugins
from offloadsim.analysis import catalogue, metric_list
from offloadsim.analysis.metric_registry import registered, unregister

TOY_METRICS = '''
"""A toy distribution's run metrics."""

from offloadsim.analysis.metric_display import Metric
from offloadsim.analysis.metric_registry import SummaryMetric


def _nodes(run):
    return float(len(run.nodes["node"]))


NODES = SummaryMetric(
    name="toy_node_count",
    description="a toy plug-in: the nodes the nodes table lists",
    columns={"toy_node_count": Metric("toy nodes", "nodes", digits=0)},
    compute=_nodes,
    table_note="",
)
MEAN = SummaryMetric(
    name="toy_mean",
    description="a toy plug-in that would overwrite the mean latency",
    columns={"latency_mean_s": Metric("toy", "")},
    compute=_nodes,
)
'''


def _forget() -> None:
    for name in ("toy_node_count", "toy_mean"):
        if any(metric.name == name for metric in registered()):
            unregister(name)
    metric_list.PLUGINS.forget()
    sys.modules.pop("toy_metrics", None)


@pytest.fixture
def install(tmp_path, monkeypatch):
    """Install a distribution of run metrics into a folder on sys.path (worker processes see it too)."""
    site = site_on_path(tmp_path, monkeypatch)

    def install(entry_points: str) -> None:
        install_distribution(site, "toy_metrics", TOY_METRICS, textwrap.dedent(entry_points))

    _forget()
    yield install
    _forget()


def test_an_entry_point_metric_reaches_run_compare_workers_and_the_catalogue(
    install, tiny_scenario, tmp_path
):
    from offloadsim.cli import main

    install("[offloadsim.metrics]\ntoy_node_count = toy_metrics:NODES\n")
    assert "offloadsim.metrics" in plugins.GROUPS
    assert main(["run", str(tiny_scenario), "--out", str(tmp_path / "run")]) == 0
    document = json.loads((tmp_path / "run" / "summary.json").read_text(encoding="utf-8"))
    assert document["toy_node_count"] == 2.0  # a phone and an edge
    table = (tmp_path / "run" / "summary.txt").read_text(encoding="utf-8")
    assert any(line.split()[:3] == ["toy", "nodes", "2"] for line in table.splitlines()), table
    assert catalogue.describe("toy_node_count") == "a toy plug-in: the nodes the nodes table lists"
    assert catalogue.metric_info("toy_node_count").heading == "toy nodes (nodes)"

    from offloadsim.experiments import compare

    # Two fresh worker processes: they see no registration made here, only the entry point.
    result = compare(tiny_scenario, ["local", "edge"], replications=2, workers=2)
    assert list(result.metrics["toy_node_count"]) == [2.0] * 4
    assert "toy nodes (nodes)" in result.format_table()
    toy = {"distribution": "toy-metrics", "version": "0.1", "code": CODE}
    # In each job's key (a comparison's too) and in its manifest.
    assert result.manifest["plugins"] == [{"group": "offloadsim.metrics", "name": "toy_node_count", **toy}]
    assert result.manifest["metrics"][-1] == {"name": "toy_node_count", "source": "plug-in", **toy}


def test_an_entry_point_metric_that_clashes_or_is_misnamed_is_a_warning_and_skipped(install, tiny_scenario):
    import offloadsim

    install("[offloadsim.metrics]\ntoy_mean = toy_metrics:MEAN\nnodes = toy_metrics:NODES\n")
    with pytest.warns(plugins.PluginWarning) as caught:
        names = [metric.name for metric in metric_list.registered_metrics()]
    messages = sorted(str(w.message) for w in caught)
    assert messages == [
        "offloadsim: run metric plug-in 'nodes' (toy_metrics:NODES) from distribution toy-metrics 0.1 is "
        "ignored: the run metric it names is called 'toy_node_count', not 'nodes'",
        "offloadsim: run metric plug-in 'toy_mean' (toy_metrics:MEAN) from distribution toy-metrics 0.1 is "
        "ignored: metric 'toy_mean' (toy_metrics): its column 'latency_mean_s' is a headline metric "
        "(mean latency); a metric's name and columns must be new, or it would overwrite that value",
    ]
    assert "toy_mean" not in names and "toy_node_count" not in names
    summary = offloadsim.run(tiny_scenario).summary
    assert summary.to_dict()["latency_mean_s"] == summary.latency_mean_s


def test_a_run_manifest_names_its_metrics_and_the_plugin_one_with_its_distribution(install, tiny_scenario):
    import offloadsim

    shipped = [{"name": m.name, "source": "offloadsim"} for m in metric_list.SHIPPED if not m.summary_fields]
    before = offloadsim.run(tiny_scenario).manifest
    assert before["metrics"] == shipped and "plugins" not in before  # offloadsim's own: no plug-ins
    install("[offloadsim.metrics]\ntoy_node_count = toy_metrics:NODES\n")
    metric_list.PLUGINS.forget()  # installed after the group was read (a new process reads it anew)
    manifest = offloadsim.run(tiny_scenario).manifest
    toy = {"distribution": "toy-metrics", "version": "0.1", "code": CODE}
    assert manifest["metrics"] == [*shipped, {"name": "toy_node_count", "source": "plug-in", **toy}]
    assert manifest["plugins"] == [{"group": "offloadsim.metrics", "name": "toy_node_count", **toy}]


SWEEP = """
base: tiny.yaml
grid:
  links[0].bandwidth: [5 Mbps, 50 Mbps]
"""


def test_a_sweep_runs_again_the_jobs_written_before_a_plugin_metric_was_installed(install, tiny_scenario):
    import pandas as pd

    from offloadsim.experiments import sweep

    spec = tiny_scenario.parent / "sweep.yaml"
    spec.write_text(SWEEP)
    out = tiny_scenario.parent / "out"
    first = sweep(spec, out=out, workers=1)
    assert (first.ran, first.reused) == (2, 0)
    assert "plugins" not in first.manifest
    install("[offloadsim.metrics]\ntoy_node_count = toy_metrics:NODES\n")
    metric_list.PLUGINS.forget()  # installed after the group was read (a new process reads it anew)
    # Reusing the jobs written without it would leave its column out of every row.
    again = sweep(spec, out=out, workers=1)
    assert (again.ran, again.reused) == (2, 0)
    assert list(pd.read_parquet(out / "metrics.parquet")["toy_node_count"]) == [2.0, 2.0]
    toy = {"distribution": "toy-metrics", "version": "0.1", "code": CODE}
    assert again.manifest["plugins"] == [{"group": "offloadsim.metrics", "name": "toy_node_count", **toy}]
    assert again.manifest["metrics"][-1]["name"] == "toy_node_count"
    kept = sweep(spec, out=out, workers=1)  # with it still installed: every job reused
    assert (kept.ran, kept.reused) == (0, 2)


def test_a_comparison_of_shipped_metrics_keeps_its_job_keys(tiny_scenario):
    from offloadsim.experiments.compare import compare_jobs
    from offloadsim.experiments.jobs import job_key
    from offloadsim.scenario.input_hashes import input_files
    from offloadsim.scenario.loader import load_scenario

    scenario = load_scenario(tiny_scenario)
    document = {**scenario.document, "seed": scenario.seed}
    keys = [job.key for job in compare_jobs(scenario, ["local", "edge"], 1)]
    assert keys == [job_key(document, 0, name, input_files(scenario)) for name in ("local", "edge")]
