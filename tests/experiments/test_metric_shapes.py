"""The registry's shapes of metric besides one value: a per-node family, and one placed with the LLM metrics.

A plug-in metric registered in a test (no edit anywhere else) of each shape reaches summary.json,
the run's metrics row and table, the catalogue, compare's and sweep's tables: a family
(``family="node"``: a value per computing node, a column ``toy_busy_<node>`` each, summary.json's
key a mapping as ``node_utilisation`` is) and a metric of the completed LLM requests placed where
the LLM metrics are (``row_place="headline"``: right after the headline metrics in a run's metrics
row; ``json_after``: its summary.json key after device energy per task).  Before, the registry had
neither: a family's mapping was refused as no number, and ``"headline"`` as no place.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from experiment_data import table_headings

import offloadsim
from offloadsim.analysis import catalogue
from offloadsim.analysis.metric_display import Metric
from offloadsim.analysis.metric_faults import MetricFailed
from offloadsim.analysis.metric_registry import SummaryMetric, register, unregister
from offloadsim.analysis.summary import Summary, metrics_row
from offloadsim.cli import main
from offloadsim.experiments import compare

ROOT = Path(__file__).resolve().parents[2]


def _busy(run):
    """Each computing node's busy share of the measured time (the nodes table's utilisation)."""
    nodes = zip(run.nodes["node"], run.nodes["cores"], run.nodes["utilisation"], strict=True)
    return {str(node): float(busy) for node, cores, busy in nodes if cores > 0}


def _first_token(run):
    """The mean time to first token of the completed requests, as ttft_mean_s (a toy of an LLM metric)."""
    total, count = 0.0, 0
    for chunk in run.task_columns(("status", "ttft")):
        if chunk.absent:
            return math.nan
        ttft = chunk.floats("ttft")
        keep = (chunk.texts("status") == "completed") & np.isfinite(ttft)
        total, count = total + float(ttft[keep].sum()), count + int(keep.sum())
    return total / count if count else math.nan


_BUSY = SummaryMetric(
    name="toy_busy",
    description="a toy: each computing node's busy share",
    columns={"toy_busy": Metric("toy busy", "%", 100.0, "lower")},
    compute=_busy,
    family="node",
    sweep=("toy_busy",),
    table_note="",
)
_FIRST = SummaryMetric(
    name="toy_first_token_s",
    description="a toy: the mean time to first token again",
    columns={"toy_first_token_s": Metric("toy first token", "ms", 1e3, "lower")},
    compute=_first_token,
    row_place="headline",
    catalogue_place="headline",
    table_place="latency",
    json_after="device_energy_mean_j",
    sweep=("toy_first_token_s",),
    table_note="  (a toy)",
    of_completed=True,
)


@pytest.fixture
def toys():
    register(_BUSY)
    register(_FIRST)
    try:
        yield
    finally:
        unregister(_BUSY.name)
        unregister(_FIRST.name)


@pytest.fixture
def llm(tmp_path):
    """The LLM assistant, shortened: an edge and a cloud beside the phones, LLM requests served."""
    text = (ROOT / "scenarios" / "llm-assistant.yaml").read_text(encoding="utf-8")
    path = tmp_path / "llm.yaml"
    path.write_text(text.replace("duration: 600 s", "duration: 60 s"), encoding="utf-8")
    return path


def test_a_family_and_a_metric_placed_with_the_llm_ones_reach_summary_json_the_row_and_the_table(
    toys, llm, tmp_path
):
    run = offloadsim.run(llm, out=tmp_path / "run")
    summary = run.summary
    document = json.loads((tmp_path / "run" / "summary.json").read_text(encoding="utf-8"))
    busy = _busy(run)  # the nodes table's, each computing node's
    assert len(busy) > 2 and document["toy_busy"] == busy == summary.family("toy_busy")
    keys = list(document)
    assert keys[keys.index("device_energy_mean_j") + 1] == "toy_first_token_s"
    assert document["toy_first_token_s"] == pytest.approx(summary.ttft_mean_s, rel=1e-12)
    assert Summary.from_dict(document) == summary
    older = {k: v for k, v in document.items() if not k.startswith("toy_")}  # written before them
    assert Summary.from_dict(older).family("toy_busy") == {}

    with pytest.raises(ValueError, match=r"^summary.json: toy_busy: expected a mapping of each node"):
        Summary.from_dict({**document, "toy_busy": [0.5]})  # edited by hand: said as a bad input

    row = metrics_row(summary)
    assert {f"toy_busy_{node}": value for node, value in busy.items()}.items() <= row.items()
    names = list(row)  # right after the headline metrics and the LLM ones, before the rest
    assert names.index("toy_first_token_s") == names.index("output_tokens_per_s") + 1
    assert names.index("in_flight") < names.index("ttft_mean_s")

    assert catalogue.metric_info("toy_busy_edge").label == "edge toy busy"
    assert catalogue.is_metric("toy_busy_cloud") and catalogue.describe("toy_busy_cloud").startswith("a toy")
    order = catalogue.metric_columns(
        ["utilisation_edge", "toy_busy_edge", "toy_first_token_s", "ttft_mean_s"]
    )
    assert order == ["ttft_mean_s", "toy_first_token_s", "toy_busy_edge", "utilisation_edge"]
    lines = summary.format_table().splitlines()
    (edge,) = [line for line in lines if line.startswith("edge toy busy")]
    assert edge.split()[3:] == [f"{busy['edge'] * 100:.1f}", "%"]
    first = [i for i, line in enumerate(lines) if line.startswith("toy first token")]
    tpot = [i for i, line in enumerate(lines) if line.startswith("output token throughput")]
    misses = [i for i, line in enumerate(lines) if line.startswith("deadline misses")]
    # Under the LLM rows, among the rows placed with the latencies (p99.9's, registered first, before it).
    assert first and tpot and misses and tpot[0] < first[0] < misses[0], lines[tpot[0] : misses[0] + 1]


def test_a_family_and_a_metric_placed_with_the_llm_ones_reach_compare_and_sweep(toys, llm, tmp_path, capsys):
    result = compare(llm, ["local", "edge"], 1, workers=1)
    for name in ("toy_busy_edge", "toy_busy_cloud", "toy_first_token_s"):
        assert name in set(result.summary["metric"]) and name in result.metrics.columns, name
    table = result.format_table()
    assert "edge toy busy (%)" in table and "toy first token (ms)" in table

    spec = tmp_path / "sweep.yaml"
    spec.write_text(f"base: {llm}\ngrid:\n  duration: [30 s, 60 s]\npolicies: [edge]\nreplications: 1\n")
    assert main(["sweep", str(spec), "--workers", "1", "--out", str(tmp_path / "sweep")]) == 0
    blocks = capsys.readouterr().out.split("\n\n")  # a wide table is printed in blocks
    tables = [
        table_headings(block if i == 0 else f"(continued)\n{block}")
        for i, block in enumerate(block for block in blocks if "--------  " in block)
    ]  # a block after the first has no title line
    # the columns in order across the blocks (each repeats duration and policy); a block ends where
    # the width runs out, so the LLM metrics' bound marks (≥ 453 (ceiling)) may push a column on
    order = [heading for headings in tables for heading in headings[2:]]
    assert order.index("toy first token (ms)") == order.index("output token throughput (tokens/s)") + 1
    assert order.index("toy first token (ms)") < order.index("edge toy busy (%)")  # before the misses


def test_a_family_whose_compute_gives_no_mapping_is_the_plugins_fault_named(llm):
    broken = SummaryMetric(
        name="toy_broken",
        description="a toy: a family that gives one number",
        columns={"toy_broken": Metric("toy broken", "")},
        compute=lambda run: 0.5,
        family="node",
    )
    register(broken)
    try:
        said = r"returned 0\.5 from compute\(\); expected a mapping of each node"
        with pytest.raises(MetricFailed, match=said):
            offloadsim.run(llm)
    finally:
        unregister(broken.name)


def test_every_registered_family_is_read_by_summary_family(tmp_path):
    # The utilisations are a family of the summary's own fields, with no summary.json key of their
    # own: Summary.family("utilisation") gave {} where the metrics row had each tier's columns.
    from offloadsim.analysis.metric_list import registered_metrics

    summary = offloadsim.run(ROOT / "scenarios" / "quickstart.yaml").summary
    row = metrics_row(summary)
    families = [metric for metric in registered_metrics() if metric.family is not None]
    assert "utilisation" in [metric.name for metric in families]
    for metric in families:
        values = summary.family(metric.name)
        assert values, metric.name
        assert values == {metric.member(c): v for c, v in row.items() if metric.member(c) is not None}
    utilisation = summary.family("utilisation")
    assert utilisation["edge"] == summary.tier_utilisation["edge"]
    with pytest.raises(KeyError, match=r"no registered family of that name; the families: .*utilisation"):
        summary.family("latency_mean_s")
