"""Random links against their closed forms: a Gilbert–Elliott link's time-average capacity.

Independent replications (distinct streams from one root seed), warm-up
removed; a 99% Student-t interval of the replication means must hold the
stationary mean and be tight enough to mean something (relative half-width
bound), as in ``test_queueing_theory.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from offloadsim.analysis.statistics import mean_ci
from offloadsim.engine import simulate
from offloadsim.scenario import load_scenario_text
from offloadsim.world import build_world
from offloadsim.world.dynamics.gilbert_elliott import stationary_mean

CONFIDENCE = 0.99


def scenario(duration: float, good: str, bad: str) -> str:
    return f"""
name: gilbert-elliott
duration: {duration} s
warmup: {duration / 20} s
nodes:
  phone: {{tier: device, processor: {{speed: 10 GFLOP/s}}}}
  edge: {{tier: edge, processor: {{speed: 100 GFLOP/s}}}}
links:
  - {{between: [phone, edge], bandwidth: 20 Mbps, latency: 5 ms}}
applications:
  job: {{work: 1 GFLOP, input: 100 KB, output: 1 KB}}
workload:
  - {{app: job, sources: phone, rate: 0.2 /s}}
policy: edge
dynamics:
  - {{kind: gilbert-elliott, link: [phone, edge], good: {good}, bad: {bad}}}
"""


GOOD = "{bandwidth: 20 Mbps, loss: 0.001, mean: 1 s}"
BAD = "{bandwidth: 2 Mbps, loss: 0.1, mean: 0.5 s}"
EXPECTED_LOSS = (1 * 0.001 + 0.5 * 0.1) / 1.5  # the loss probability in force, averaged the same way
#: (duration s, replications, bound on the relative half-width, slow): the checks, also printed by
#: queueing_table.py for docs/validation.md
RUNS = ((1_000, 30, 0.02, False), (20_000, 40, 0.004, True))
#: the root seed of these checks (queueing_table.py --link-seed runs them under another)
LINK_SEED = 5


def gilbert_elliott_samples(
    duration: float, replications: int, seed: int = LINK_SEED
) -> tuple[float, list[float], list[float]]:
    """The stationary mean capacity, and per replication the phone→edge mean capacity and loss rate."""
    world = build_world(load_scenario_text(scenario(duration, GOOD, BAD), source="<validation>"))
    capacity, loss = [], []
    for r in range(replications):
        links = simulate(world, seed=seed, replication=r).links
        forward = [
            i
            for i, (a, b) in enumerate(zip(links["a"], links["b"], strict=True))
            if (a, b) == ("phone", "edge")
        ]
        capacity.append(float(links["mean_capacity"][forward[0]]))
        loss.append(float(links["loss_rate"][forward[0]]))
    return stationary_mean(world.dynamics[0].spec), capacity, loss


@pytest.mark.parametrize(
    ("duration", "replications", "width"),
    [
        pytest.param(
            *run[:3],
            id=f"{run[0]}s" + ("-long" if run[3] else ""),
            marks=[pytest.mark.slow] if run[3] else [],
        )
        for run in RUNS
    ],
)
def test_gilbert_elliott_time_average_capacity_is_its_stationary_mean(duration, replications, width):
    # Good 20 Mb/s for 1 s on average, bad 2 Mb/s for 0.5 s: stationary mean 14 Mb/s.  The time
    # average over T has a standard deviation of about sqrt(2 p (1-p) (20-2)^2 / (3 T)) Mb/s
    # (correlation time 1/3 s), ~0.16 Mb/s at T = 950 s: 30 replications give a half-width near 0.6 %.
    expected, capacity, loss = gilbert_elliott_samples(duration, replications)
    assert expected == pytest.approx(14e6)
    mean, half = mean_ci(capacity, CONFIDENCE)
    assert half / expected < width, f"CI too wide to test anything: {mean:.4g} ± {half:.4g}"
    assert abs(mean - expected) <= half, f"stationary mean {expected:.4g} outside CI {mean:.4g} ± {half:.4g}"
    mean, half = mean_ci(loss, CONFIDENCE)
    assert half / EXPECTED_LOSS < 3 * width and abs(mean - EXPECTED_LOSS) <= half
    assert np.std(capacity) > 0  # the replications differ: each draws its own chain
