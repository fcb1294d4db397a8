"""model-select in a running engine: the pair a scan of every (model, node) picks, without pricing every node.

A scan asks a route for the source and every computing node, there and back,
at every decision: with a thousand devices that can compute (benchmark (m),
the moving city) that is a million pairs, more than the view's route cache
holds, so each decision searched routes afresh and a 10 s run never finished.
The policy now finds each model's best node by least-loaded's bounds.
"""

from __future__ import annotations

import collections

import pytest

import offloadsim
from offloadsim.policies.balancing import expected_completion_s
from offloadsim.policies.registry import register_policy, unregister_policy
from offloadsim.policies.routing import ModelSelectPolicy

# The moving city in small: 150 devices that can compute walk among 4 access points, a small model
# that runs anywhere and a large one hosted by the edge and the cloud.
MOVING = """
name: moving-models
seed: 3
duration: 3 s
nodes:
  device: {count: 150, tier: device, processor: {speed: 3 GFLOP/s, cores: 1}}
  ap: {count: 4, tier: network}
  edge: {count: 2, tier: edge, processor: {speed: 100 GFLOP/s, cores: 4}}
  cloud: {tier: cloud, processor: {speed: 1 TFLOP/s, cores: 32}}
links:
  - {between: [device-*, ap-*], bandwidth: 20 Mbps, latency: 2 ms}
  - {between: [ap-0, edge-0], bandwidth: 200 Mbps, latency: 0.5 ms}
  - {between: [ap-1, edge-0], bandwidth: 200 Mbps, latency: 0.5 ms}
  - {between: [ap-2, edge-1], bandwidth: 200 Mbps, latency: 0.5 ms}
  - {between: [ap-3, edge-1], bandwidth: 200 Mbps, latency: 0.5 ms}
  - {between: [edge-*, cloud], bandwidth: 1 Gbps, latency: 20 ms}
applications:
  small: {model: mobilenet_v2, alternatives: [large], hosts: [device]}
  large: {model: resnet50, hosts: [edge-0, edge-1, cloud]}
workload:
  - {app: small, sources: device-*, arrivals: poisson, rate: 2 /s}
policy: model-select
dynamics:
  - kind: mobility
    devices: device-*
    access_points:
      - {node: ap-0, position: [100 m, 100 m], radius: 150 m}
      - {node: ap-1, position: [300 m, 100 m], radius: 150 m}
      - {node: ap-2, position: [100 m, 300 m], radius: 150 m}
      - {node: ap-3, position: [300 m, 300 m], radius: 150 m}
    random_waypoint: {area: [400 m, 400 m], speed: [1 m/s, 10 m/s], pause: 1 s}
    in_flight: continue
    update: 0.5 s
"""


def _scenario(tmp_path):
    path = tmp_path / "moving.yaml"
    path.write_text(MOVING)
    return path


def _scan(task, view, nodes):
    """The (model, node) a scan of every pair picks: least price, own model, first node on ties."""
    best = None
    for app in (task.app, *view.alternatives(task.app)):
        hosts = view.hosts(app)
        for node in nodes if hosts is None else [n for n in nodes if n in hosts]:
            cost = expected_completion_s(task, view, node, app)
            if best is None or cost < best[0]:
                best = (cost, app, node)
    return None if best is None else best[1:]


class _Counting:
    """A view counting the transfers and routes a decision asks for."""

    def __init__(self, view):
        self._view = view
        self.routes = 0

    def transfer_time_s(self, a, b, size_bytes):
        self.routes += 1
        return self._view.transfer_time_s(a, b, size_bytes)

    def route_latency_s(self, a, b):
        self.routes += 1
        return self._view.route_latency_s(a, b)

    def __getattr__(self, name):
        return getattr(self._view, name)


@pytest.mark.parametrize("params", [{}, {"tiers": ["device", "cloud"]}], ids=["all-tiers", "tiers"])
def test_every_decision_is_the_pair_a_scan_of_every_model_and_node_picks(params, tmp_path):
    """Pruning skips no winner: each decision checked against a scan of every pair, then and there."""
    checked = []

    class Scanned(ModelSelectPolicy):
        def decide(self, task, view):
            plan = super().decide(task, view)
            nodes = self._candidates(task, view, "model-select")
            expected = _scan(task, view, nodes)
            if expected is None:
                assert plan.nodes == (), task.id
            else:
                app, node = expected
                wanted = ((node,), None if app == task.app else app)
                assert (plan.nodes, plan.app) == wanted, (task.id, expected)
                checked.append(app)
            return plan

    unregister_policy("model-select-scanned")
    register_policy("model-select-scanned")(Scanned)
    try:
        offloadsim.run(
            _scenario(tmp_path),
            policy="model-select-scanned",
            policy_params=params,
            overrides=["duration=2s"],
        )
    finally:
        unregister_policy("model-select-scanned")
    assert len(checked) > 300 and {"small", "large"} <= set(checked), collections.Counter(checked)


def test_a_decision_asks_few_routes_among_many_devices_that_can_compute(tmp_path):
    """With 150 devices that can compute, a decision asks a handful of routes, not two per node (306)."""
    decisions = []

    class Counted(ModelSelectPolicy):
        def decide(self, task, view):
            counting = _Counting(view)
            plan = super().decide(task, counting)
            decisions.append(counting.routes)
            return plan

    unregister_policy("model-select-counted")
    register_policy("model-select-counted")(Counted)
    try:
        offloadsim.run(_scenario(tmp_path), policy="model-select-counted")
    finally:
        unregister_policy("model-select-counted")
    assert len(decisions) > 600
    nodes = 150 + 2 + 1
    mean = sum(decisions) / len(decisions)
    assert mean < 0.05 * 2 * nodes, mean  # a scan asks 2 per node (the old policy: 304 here; now 7)
