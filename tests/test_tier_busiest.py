"""A tier's busiest node beside its mean: one edge of three loaded read a third of its load."""

from __future__ import annotations

import pandas as pd

import offloadsim
from offloadsim.analysis.summary import metrics_row
from offloadsim.experiments import read_results

#: Three edges alike; a fixed plan sends every task to edge-0, leaving the others idle.
THREE_EDGES = """
name: three-edges
seed: 3
duration: 20 s
warmup: 2 s
nodes:
  phone: {count: 3, tier: device, processor: {profile: cortex-a76, cores: 1}}
  ap: {tier: network}
  edge: {count: 3, tier: edge, processor: {speed: 300 GFLOP/s, cores: 1}}
  cloud: {tier: cloud, processor: {profile: a100, cores: 8}}
links:
  - {between: [phone-*, ap], bandwidth: 20 Mbps, latency: 3 ms}
  - {between: [ap, edge-*], bandwidth: 1 Gbps, latency: 0.5 ms}
  - {between: [ap, cloud], bandwidth: 200 Mbps, latency: 20 ms}
applications:
  classify: {model: resnet50, input: 150 KB, output: 4 KB}
workload:
  - {app: classify, sources: phone-*, arrivals: poisson, rate: 3 /s}
policy: {name: fixed, node: edge-0}
"""


def _computing(nodes: pd.DataFrame, tier: str) -> pd.Series:
    return nodes.loc[(nodes["tier"] == tier) & (nodes["cores"] > 0), "utilisation"]


def test_the_busiest_node_of_a_tier_is_the_nodes_tables_most(tmp_path):
    """``fixed(node=edge-0)`` read edge 7 % (the mean of three) with edge-0 22 % busy: both now."""
    (tmp_path / "s.yaml").write_text(THREE_EDGES, encoding="utf-8")
    result = offloadsim.run(tmp_path / "s.yaml", out=tmp_path / "run")
    nodes = pd.read_parquet(tmp_path / "run" / "nodes.parquet")
    edges = _computing(nodes, "edge")
    summary = result.summary
    assert summary.tier_utilisation_max["edge"] == edges.max() > 2.5 * edges.mean()
    assert summary.tier_utilisation_max["device"] == _computing(nodes, "device").max()
    assert "cloud" not in summary.tier_utilisation_max  # one node: its mean is its node's
    row = metrics_row(summary)
    assert row["utilisation_edge_max"] == edges.max()
    assert row["utilisation_edge"] == edges.mean()
    assert "utilisation_cloud_max" not in row
    (line,) = [x for x in summary.format_table().splitlines() if x.startswith("  edge ")]
    assert f"(busiest edge-0 {edges.max() * 100:.1f} %)" in line
    # summary.json keeps it, and reads it back.
    back = read_results(tmp_path / "run")
    assert back.metrics["utilisation_edge_max"].iloc[0] == edges.max()


def test_compare_has_each_runs_busiest_node(tmp_path):
    """compare's metrics, summary.csv and table: the busiest edge of each run, as nodes.parquet has it."""
    from offloadsim.experiments import compare

    (tmp_path / "s.yaml").write_text(THREE_EDGES, encoding="utf-8")
    result = compare(tmp_path / "s.yaml", ["fixed(node=edge-0)", "local"], replications=2, workers=1)
    edges = result.nodes[result.nodes["tier"] == "edge"]
    most = edges.groupby(["policy", "replication"])["utilisation"].max()
    got = result.metrics.set_index(["policy", "replication"])["utilisation_edge_max"]
    assert got.to_dict() == most.to_dict()
    assert "edge max utilisation (%)" in result.format_table()
    result.write(tmp_path / "out")
    csv = pd.read_csv(tmp_path / "out" / "summary.csv")
    assert (csv["metric"] == "utilisation_edge_max").sum() == 2
