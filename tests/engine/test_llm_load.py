"""A policy's queue estimate counts the decode steps LLM requests in progress still owe a node.

A FIFO processor's queue holds one stage per LLM request in progress (the step under way);
its later decode steps are queued one by one as each ends.  ``view.expected_wait_s`` read
that queue alone, so a server decoding dozens of requests looked nearly free, and
``model-select`` kept sending requests to a saturated edge (a mean latency of 5.4 s against
0.43 s for the cloud alone, in the LLM-serving trial).
"""

from __future__ import annotations

import numpy as np
import pytest

from offloadsim.engine import simulate
from offloadsim.policies.base import Plan
from offloadsim.policies.registry import register_policy, unregister_policy
from offloadsim.scenario import PolicySpec, load_scenario_text

ONE_SERVER = """
name: one-server
seed: 4
duration: 20 s
nodes:
  phone: {tier: device}
  edge: {tier: edge, processor: {profile: jetson-orin, cores: 1}}
links:
  - {between: [phone, edge], bandwidth: 50 Mbps, latency: 5 ms}
applications:
  chat: {model: llama-3.2-1b, prompt_tokens: 64, output_tokens: 200}
workload:
  - {app: chat, sources: phone, arrivals: periodic, period: 1 s}
policy: probe-wait
"""


@pytest.fixture
def probe():
    """A policy that runs the first request on the edge, then notes the edge's expected wait and drops."""
    seen: list[tuple[float, float]] = []

    @register_policy("probe-wait")
    class ProbeWait:
        """The first request on the edge; each later one's decision notes the wait, then drops it."""

        def decide(self, task, view):
            seen.append((view.now, view.expected_wait_s("edge")))
            return Plan(("edge",)) if len(seen) == 1 else Plan.reject()

    yield seen
    unregister_policy("probe-wait")


def test_the_wait_counts_the_decode_steps_a_request_in_progress_still_owes(probe):
    raw = simulate(load_scenario_text(ONE_SERVER, source="<t>"))
    tasks = raw.tasks
    done = np.flatnonzero(tasks["status"] == "completed")
    assert len(done) == 1
    first_end = float(tasks["arrival"][done[0]] + tasks["latency"][done[0]])
    # The first request decodes its 200 tokens for ~2.4 s; the requests arriving meanwhile see the
    # edge free again when its last decode step ends, the token then 5 ms (and a few µs) from home.
    during = [(now, wait) for now, wait in probe[1:] if now < first_end]
    assert len(during) == 2
    for now, wait in during:
        assert wait == pytest.approx(first_end - now - 0.005, abs=1e-4)
    assert [wait for now, wait in probe[1:] if now > first_end] == [0.0] * (len(probe) - 3)


ASSISTANT_LOADED = """
name: loaded-edge
seed: 5
duration: 120 s
warmup: 20 s
nodes:
  phone: {count: 40, tier: device, processor: {profile: cortex-a76, cores: 1}}
  ap: {tier: network}
  edge: {tier: edge, processor: {profile: jetson-orin, cores: 1}}
  cloud: {tier: cloud, processor: {profile: a100, cores: 4}}
links:
  - {between: [phone-*, ap], bandwidth: 50 Mbps, latency: 5 ms}
  - {between: [ap, edge], bandwidth: 1 Gbps, latency: 1 ms}
  - {between: [edge, cloud], bandwidth: 1 Gbps, latency: 20 ms}
applications:
  chat-1b:
    model: llama-3.2-1b
    params: {precision: int4}
    prompt_tokens: {uniform: [32, 128]}
    output_tokens: {uniform: [16, 64]}
    hosts: [phone-*, edge]
    alternatives: [chat-8b]
  chat-8b: {model: llama-3.1-8b, hosts: [cloud]}
workload:
  - {app: chat-1b, sources: phone-*, arrivals: poisson, rate: 0.2 /s}
policy: model-select
"""


def test_model_select_leaves_a_saturated_edge_for_the_cloud():
    """The trial's compare in small: model-select no slower than the cloud alone, in each replication."""
    scenario = load_scenario_text(ASSISTANT_LOADED, source="<t>")
    cloud_only = PolicySpec("model-select", {"tiers": ["cloud"]})
    for replication in range(2):
        chosen = simulate(scenario, replication=replication).tasks
        cloud = simulate(scenario, policy=cloud_only, replication=replication).tasks
        assert not {"dropped", "failed"} & {*chosen["status"], *cloud["status"]}
        done, cloud_done = chosen["status"] == "completed", cloud["status"] == "completed"
        assert np.mean(chosen["latency"][done]) <= np.mean(cloud["latency"][cloud_done])
