"""A node offered more than its capacity says its run's throughput is no capacity, and how to measure one.

``throughput_per_s`` counts the measured arrivals that completed.  A sweep of the arrival rate over one
core running resnet50 (1.86 a second at most) read 1.80, 1.55, 1.42, 1.15 and 0.94 a second offered
0.5 to 6: past capacity the queue the warm-up left is served first, so the higher the rate, the fewer
measured arrivals complete, which a capacity study reads as a server slowing down under load.
"""

from __future__ import annotations

import pytest
from test_overload import queue, run


def _overloaded(result) -> list[str]:
    return [w for w in result.summary.warnings if w.startswith("overloaded: ")]


@pytest.mark.parametrize("rate", [1.5, 3.0])
def test_a_node_offered_more_than_its_capacity_says_throughput_is_no_capacity(rate: float):
    result = run(queue(rate=rate, duration=200) + "warmup: 20 s\n")
    (said,) = _overloaded(result)
    # One core, 1 s a task on average: offered the rate itself, as the scenario's numbers give it.
    (facts,) = [found for found in result.summary.warning_facts if found.kind == "overloaded"]
    ((name, load),) = facts.nodes
    assert name == "phone" and load == pytest.approx(rate, rel=0.15) and facts.offered_nodes == ("phone",)
    assert said.startswith(f"overloaded: phone offered {load:.0%} of its capacity (")
    assert "throughput here counts the measured arrivals that completed" in said
    assert said.endswith("for capacity, run a closed loop (`arrivals: closed, users: N`)")
    # The throughput it speaks of leaves arrivals unfinished: it is not what the core could serve.
    assert result.summary.in_flight > 0.2 * result.summary.arrived


def test_a_node_under_its_capacity_is_not_said_overloaded():
    assert _overloaded(run(queue(rate=0.8, duration=200))) == []
