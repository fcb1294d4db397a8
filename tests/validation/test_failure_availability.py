"""Availability of nodes failing at random against its closed form MTBF / (MTBF + MTTR).

A node up for exponential times of mean MTBF and down for exponential times of
mean MTTR is an alternating renewal process: the long-run fraction of time it
is up is MTBF / (MTBF + MTTR), whatever the distributions' shapes.  Each
replication measures the mean availability of eight such nodes (independent
streams) after a warm-up of several cycles, which wipes out the start (every
node starts up); a 99 % Student-t interval over independent replications must
hold the closed form and be tight enough to mean something (house style of
test_queueing_theory.py).
"""

from __future__ import annotations

import numpy as np
import pytest

from offloadsim.analysis.statistics import mean_ci
from offloadsim.engine import simulate
from offloadsim.scenario import load_scenario_text

CONFIDENCE = 0.99


def scenario(mtbf: str, mttr: str, duration: float) -> str:
    return f"""
name: availability
duration: {duration} s
warmup: 200 s
nodes:
  phone: {{tier: device, processor: {{speed: 1 GFLOP/s}}}}
  edge: {{count: 8, tier: edge, processor: {{speed: 1 GFLOP/s}}}}
links:
  - {{between: [phone, edge-*], bandwidth: 1 Gbps, latency: 1 ms}}
applications:
  job: {{work: 0.01 GFLOP}}
workload:
  - {{app: job, sources: phone, rate: 0.01 /s}}
policy: local
dynamics:
  - {{kind: failures, nodes: edge-*, mtbf: {mtbf}, mttr: {mttr}}}
"""


@pytest.mark.parametrize(
    ("mtbf", "mttr", "expected", "duration", "replications", "width"),
    [
        pytest.param("20 s", "5 s", 0.8, 4_000, 12, 0.01, id="exponential-0.8"),
        pytest.param(
            "{lognormal: {mean: 30 s, sigma: 1}}",
            "{uniform: [1 s, 19 s]}",
            0.75,
            20_000,
            20,
            0.005,
            id="lognormal-uniform-0.75-long",
            marks=pytest.mark.slow,
        ),
    ],
)
def test_node_availability_is_mtbf_over_mtbf_plus_mttr(mtbf, mttr, expected, duration, replications, width):
    text = load_scenario_text(scenario(mtbf, mttr, duration), source="<validation>")
    means = []
    for r in range(replications):
        raw = simulate(text, seed=5, replication=r)
        nodes = dict(zip(raw.nodes["node"], raw.nodes["availability"], strict=True))
        assert nodes["phone"] == 1.0
        means.append(float(np.mean([nodes[f"edge-{i}"] for i in range(8)])))
    mean, half = mean_ci(means, CONFIDENCE)
    assert half / expected < width, f"CI too wide to test anything: {mean:.4f} ± {half:.4f}"
    assert abs(mean - expected) <= half, f"theory {expected:.4f} outside CI {mean:.4f} ± {half:.4f}"
