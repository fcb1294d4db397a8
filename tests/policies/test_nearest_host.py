"""``edge`` and ``cloud`` run each task on the nearest node of their tier that hosts its application.

They took the tier's nearest node (``view.nearest``) whatever the application's ``hosts``: a model
hosted only on the farther edge server had every request sent to the nearer one and dropped there
("which is not among its hosts"), though a host of the tier was up and reachable.  The check
before a run caught only "no node of the tier hosts it".
"""

from __future__ import annotations

import pandas as pd
import pytest

from offloadsim.engine import simulate
from offloadsim.scenario import PolicySpec, load_scenario_text

TWO_OF_EACH = """
name: two-hosts
seed: 3
duration: 20 s
nodes:
  phone: {count: 2, tier: device, processor: {profile: cortex-a76, cores: 1}}
  ap: {tier: network}
  edge-near: {tier: edge, processor: {profile: jetson-orin, cores: 2}}
  edge-far: {tier: edge, processor: {profile: jetson-orin, cores: 2}}
  cloud-near: {tier: cloud, processor: {profile: a100, cores: 2}}
  cloud-far: {tier: cloud, processor: {profile: a100, cores: 2}}
links:
  - {between: [phone-*, ap], bandwidth: 50 Mbps, latency: 2 ms}
  - {between: [ap, edge-near], bandwidth: 1 Gbps, latency: 1 ms}
  - {between: [ap, edge-far], bandwidth: 1 Gbps, latency: 4 ms}
  - {between: [ap, cloud-near], bandwidth: 1 Gbps, latency: 10 ms}
  - {between: [ap, cloud-far], bandwidth: 1 Gbps, latency: 30 ms}
applications:
  anywhere: {model: mobilenet_v2, input: 20 KB}
  far-only: {model: mobilenet_v2, input: 20 KB, hosts: [$source, edge-far, cloud-far]}
workload:
  - {app: anywhere, sources: phone-*, arrivals: poisson, rate: 2 /s}
  - {app: far-only, sources: phone-*, arrivals: poisson, rate: 2 /s}
policy: edge
"""


def _tasks(text: str, policy: str | None = None) -> pd.DataFrame:
    tasks = simulate(load_scenario_text(text, source="<t>"), policy=policy and PolicySpec(policy)).tasks
    columns = ("app", "source", "status", "placement", "reason")
    return pd.DataFrame({column: tasks[column] for column in columns})


@pytest.mark.parametrize("tier", ["edge", "cloud"])
def test_each_app_runs_on_the_nearest_node_of_the_tier_that_hosts_it(tier):
    tasks = _tasks(TWO_OF_EACH, tier)
    for app, node in (("anywhere", f"{tier}-near"), ("far-only", f"{tier}-far")):
        mine = tasks[tasks["app"] == app]
        assert len(mine) > 20
        assert set(mine["status"]) <= {"completed", "in_flight"}, set(mine["reason"])
        assert set(mine["placement"]) == {node}


def test_with_no_usable_host_of_the_tier_the_fallback_applies():
    """The far edge server down: far-only's requests run on their phones (its $source), the fallback."""
    text = TWO_OF_EACH.replace(
        "policy: edge",
        "policy: edge\ndynamics:\n  - {kind: node-schedule, node: edge-far, steps: [{at: 0 s, up: false}]}",
    )
    tasks = _tasks(text)
    far = tasks[tasks["app"] == "far-only"]
    assert set(far["placement"]) == set(far["source"])  # local: each on its own phone
    assert set(tasks[tasks["app"] == "anywhere"]["placement"]) == {"edge-near"}
