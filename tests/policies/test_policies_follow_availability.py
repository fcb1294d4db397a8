"""Policies that keep what they know while nothing goes down or up follow every change.

``edge`` and ``fixed`` check that their nodes are up and reachable only when
the view's ``up_version`` moved, and ``least-loaded`` keeps each source's
answers to "is this node usable" on that version; these runs break a node both ways a scenario can
(a scheduled outage, and a flat battery, which takes the node down in the run's topology for good)
and check where each task then ran.
"""

from __future__ import annotations

import math

import pytest

from offloadsim.engine import simulate
from offloadsim.engine.tasks import REJECTED
from offloadsim.scenario import load_scenario_text

TWO_EDGES = """
name: edge-down
duration: 10 s
nodes:
  phone: {count: 2, tier: device, processor: {speed: 10 GFLOP/s}}
  ap: {tier: network}
  edge: {count: 2, tier: edge, processor: {speed: 100 GFLOP/s}}
links:
  - {between: [phone-*, ap], bandwidth: 50 Mbps, latency: 2 ms}
  - {between: [ap, edge-0], bandwidth: 1 Gbps, latency: 1 ms}
  - {between: [ap, edge-1], bandwidth: 1 Gbps, latency: 3 ms}
applications:
  job: {work: 0.1 GFLOP, input: 10 KB, output: 1 KB}
workload:
  - {app: job, sources: phone-*, arrivals: periodic, period: 0.25 s}
policy: edge
dynamics:
  - kind: WHAT
    steps:
      - {at: 3 s, up: false}
      - {at: 6 s, up: true}
"""

FLAT_EDGE = """
name: edge-flat
duration: 10 s
nodes:
  phone: {count: 2, tier: device, processor: {speed: 10 GFLOP/s}}
  ap: {tier: network}
  edge: {tier: edge, processor: {speed: 100 GFLOP/s}, power: {idle: 1 W, busy: 1 W, battery: 4 J}}
links:
  - {between: [phone-*, ap], bandwidth: 50 Mbps, latency: 2 ms}
  - {between: [ap, edge], bandwidth: 1 Gbps, latency: 1 ms}
applications:
  job: {work: 0.1 GFLOP, input: 10 KB, output: 1 KB}
workload:
  - {app: job, sources: phone-*, arrivals: periodic, period: 0.25 s}
policy: edge
"""


def _placements(text: str) -> tuple[list[tuple[float, str, str]], dict[str, float]]:
    """(arrival, placement, status) of every task, in arrival order; each node's drained_at."""
    raw = simulate(load_scenario_text(text, source="<test>"))
    tasks = raw.tasks
    rows = sorted(zip(tasks["arrival"], tasks["placement"], tasks["status"], strict=True))
    return rows, dict(zip(raw.nodes["node"], raw.nodes["drained_at"], strict=True))


@pytest.mark.parametrize("policy", ["edge", "{name: least-loaded, tiers: [edge]}"])
@pytest.mark.parametrize("what", ["node-schedule\n    node: edge-0", "link-schedule\n    link: [ap, edge-0]"])
def test_edge_moves_off_a_node_the_topology_cuts_off_and_back_when_it_returns(what, policy):
    # Under a light load least-loaded too prefers edge-0, the nearer of two equal servers.
    rows, _ = _placements(TWO_EDGES.replace("WHAT", what).replace("policy: edge", f"policy: {policy}"))
    # A task takes a few milliseconds: those arriving in [3 s, 6 s) find edge-0 down (or cut off) when
    # they are decided.
    for arrival, placement, status in rows:
        expected = "edge-1" if 3.0 <= arrival < 6.0 else "edge-0"
        assert (placement, status) == (expected, "completed"), arrival
    assert {p for a, p, _ in rows if a >= 6.0} == {"edge-0"}


@pytest.mark.parametrize("policy", ["edge", "least-loaded"])
def test_edge_falls_back_to_the_source_once_its_node_s_battery_is_flat(policy):
    # The flat battery takes the edge down: the bump of up_version tells the policy, which would
    # otherwise keep sending tasks there (to be refused, the edge unreachable).
    # least-loaded prices the edge (about 9 ms) below the phone itself (10 ms) while it is up.
    rows, drained = _placements(FLAT_EDGE.replace("policy: edge", f"policy: {policy}"))
    flat = drained["edge"]
    assert 1.0 < flat < 9.0 and not math.isnan(flat)
    after = [(placement, status) for arrival, placement, status in rows if arrival > flat]
    before = [(placement, status) for arrival, placement, status in rows if arrival < flat - 0.1]
    assert after and all(place.startswith("phone-") and status == "completed" for place, status in after)
    assert before and {placement for placement, _ in before} == {"edge"}


@pytest.mark.parametrize("what", ["node-schedule\n    node: edge-0", "link-schedule\n    link: [ap, edge-0]"])
def test_fixed_drops_while_its_node_is_cut_off_and_runs_there_again_after(what):
    text = TWO_EDGES.replace("WHAT", what).replace("policy: edge", "policy: {name: fixed, node: edge-0}")
    raw = simulate(load_scenario_text(text, source="<test>"))
    tasks = raw.tasks
    rows = sorted(zip(tasks["arrival"], tasks["placement"], tasks["status"], tasks["reason"], strict=True))
    for arrival, placement, status, reason in rows:
        # The policy's own drop (not the engine's check of a plan over a node that is down).
        expected = ("", "dropped", REJECTED) if 3.0 <= arrival < 6.0 else ("edge-0", "completed", "")
        assert (placement, status, reason) == expected, arrival
