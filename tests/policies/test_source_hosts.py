"""``hosts: [$source, ...]``: each requesting device serves its own requests, and no one else's.

``hosts: [phone-*]`` says the model lives on every phone, and so let a phone serve another
phone's request: ``model-select(tiers=[device])`` ran 67 % of the LLM-serving trial's requests on
other phones (phone-0 97 % busy, the first in the view's order, winning the ties).  "Only the
requesting device" could not be said.
"""

from __future__ import annotations

import numpy as np
import pytest

from offloadsim.engine import simulate
from offloadsim.policies.base import Plan
from offloadsim.policies.registry import register_policy, unregister_policy
from offloadsim.scenario import PolicySpec, load_scenario_text
from offloadsim.scenario.written import resolved_scenario

PHONES = """
name: own-phones
seed: 5
duration: 200 s
nodes:
  phone: {count: 4, tier: device, processor: {profile: cortex-a76, cores: 1}}
  ap: {tier: network}
  edge: {tier: edge, processor: {profile: jetson-orin, cores: 1}}
links:
  - {between: [phone-*, ap], bandwidth: 50 Mbps, latency: 5 ms}
  - {between: [ap, edge], bandwidth: 1 Gbps, latency: 1 ms}
applications:
  chat:
    model: llama-3.2-1b
    params: {precision: int4}
    prompt_tokens: 64
    output_tokens: 16
    hosts: [$source, edge]
workload:
  - {app: chat, sources: phone-*, arrivals: poisson, rate: 0.05 /s}
policy: {name: model-select, tiers: [device]}
"""


def test_model_select_on_devices_serves_each_request_on_its_own_phone():
    tasks = simulate(load_scenario_text(PHONES, source="<t>")).tasks
    served = tasks["status"] == "completed"
    assert served.sum() > 10
    np.testing.assert_array_equal(tasks["placement"][served], tasks["source"][served])
    assert not np.nansum(tasks["other_device_energy"])


def test_the_source_hosts_alone_and_the_other_hosts_serve_everyone():
    tasks = simulate(load_scenario_text(PHONES, source="<t>"), policy=PolicySpec("model-select")).tasks
    assert set(tasks["placement"][tasks["status"] == "completed"]) <= {"edge", *tasks["source"]}
    assert "edge" in set(tasks["placement"])  # the edge, 10x faster, serves every phone


def test_a_plan_on_another_phone_is_dropped_saying_why():
    @register_policy("next-phone")
    class NextPhone:
        """Each request on the next phone."""

        def decide(self, task, view):
            return Plan.run_on(f"phone-{(int(task.source[-1]) + 1) % 4}")

    try:
        tasks = simulate(load_scenario_text(PHONES, source="<t>"), policy=PolicySpec("next-phone")).tasks
    finally:
        unregister_policy("next-phone")
    assert set(tasks["status"]) == {"dropped"}
    reason = tasks["reason"][0]
    assert "hosts it for its own requests only ($source)" in reason, reason


def test_the_resolved_scenario_writes_source_back():
    written, _ = resolved_scenario(load_scenario_text(PHONES, source="<t>"))
    assert written["applications"]["chat"]["hosts"] == ["edge", "$source"]


@pytest.mark.parametrize(
    ("hosts", "message"),
    [
        ("[$source, edg]", 'applications.chat.hosts[1]: "edg" matches no node'),
        ("[$source]", "matches no node with a processor"),
    ],
)
def test_source_hosts_problems_are_named(hosts, message):
    from offloadsim.scenario import ScenarioError

    text = PHONES.replace("hosts: [$source, edge]", f"hosts: {hosts}")
    if message.startswith("matches no node with"):
        text = text.replace(
            "phone: {count: 4, tier: device, processor: {profile: cortex-a76, cores: 1}}",
            "phone: {count: 4, tier: device}",
        )
    with pytest.raises(ScenarioError, match=message.replace("(", r"\(").replace("[", r"\[")):
        load_scenario_text(text, source="<t>")
