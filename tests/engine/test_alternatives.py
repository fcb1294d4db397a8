"""Serving a request with another model: application alternatives and the model-select policy."""

from __future__ import annotations

import numpy as np
import pytest

from offloadsim.engine import EngineError, simulate
from offloadsim.policies.base import Plan
from offloadsim.policies.registry import register_policy, unregister_policy
from offloadsim.scenario import PolicySpec, ScenarioError, load_scenario_text

ASSISTANT = """
name: assistant
duration: 300 s
nodes:
  phone: {count: 3, tier: device, processor: {profile: cortex-a76}}
  cloud: {tier: cloud, processor: {profile: a100, cores: 4}}
links:
  - {between: [phone-*, cloud], bandwidth: 50 Mbps, latency: 20 ms}
applications:
  small: {model: llama-3.2-1b, prompt_tokens: 64, output_tokens: 16, alternatives: [large], hosts: [phone]}
  large: {model: llama-3.1-8b, hosts: [cloud]}
workload:
  - {app: small, sources: phone-*, arrivals: poisson, rate: 0.02 /s}
policy: model-select
"""


def test_model_select_serves_with_the_faster_alternative_and_records_it():
    raw = simulate(load_scenario_text(ASSISTANT, source="<t>"))
    tasks = raw.tasks
    assert len(tasks) > 0
    # The 8B model on an A100 answers in well under a second; the 1B on a phone core takes seconds.
    assert set(tasks["app"]) == {"large"}
    assert set(tasks["placement"]) == {"cloud"}
    assert np.all(tasks["prompt_tokens"] == 64) and np.all(tasks["output_tokens"] == 16)
    local = simulate(load_scenario_text(ASSISTANT, source="<t>"), policy=PolicySpec("local")).tasks
    np.testing.assert_array_equal(np.sort(local["arrival"]), np.sort(tasks["arrival"]))  # same requests
    assert set(local["app"]) == {"small"}
    done = tasks["status"] == "completed"
    local_done = local["status"] == "completed"
    assert np.nanmean(tasks["ttft"][done]) < np.nanmean(local["ttft"][local_done])


def test_a_policy_may_not_serve_with_an_undeclared_model():
    @register_policy("serve-with-other")
    class ServeWithOther:
        """Serve with an app that is not an alternative."""

        def decide(self, task, view):
            return Plan((task.source,), app="large" if task.app == "other" else "other")

    text = ASSISTANT.replace("policy: model-select", "policy: serve-with-other").replace(
        "  large: {model: llama-3.1-8b, hosts: [cloud]}",
        "  large: {model: llama-3.1-8b, hosts: [cloud]}\n  other: {model: gpt2}",
    )
    try:
        with pytest.raises(EngineError, match='not among "small"\'s alternatives'):
            simulate(load_scenario_text(text, source="<t>"))
    finally:
        unregister_policy("serve-with-other")


@pytest.mark.parametrize(
    ("replace", "message"),
    [
        ("alternatives: [large]", 'applications.small.alternatives[0]: unknown application "larg"'),
        ("alternatives: [small]", "applications.small.alternatives[0]: an application cannot be its own"),
        ("large: {model: llama-3.1-8b, hosts: [cloud]}", "must both be LLMs, or neither"),
        ("large: {model: llama-3.1-8b, hosts: [cloud]}", "alternatives must be models"),
    ],
)
def test_bad_alternatives_are_named(replace, message):
    substitutes = {
        "alternatives: [large]": "alternatives: [larg]",
        "alternatives: [small]": "alternatives: [small]",
    }
    text = ASSISTANT
    if message.startswith("applications.small.alternatives[0]: unknown"):
        text = text.replace(replace, substitutes[replace])
    elif "own" in message:
        text = text.replace("alternatives: [large]", "alternatives: [small]")
    elif "LLMs" in message:
        text = text.replace(replace, "large: {model: resnet50}")
    else:
        text = text.replace(replace, "large: {work: 1 GFLOP}")
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(text, source="a.yaml")
    assert message in str(info.value)
    assert "a.yaml: applications.small.alternatives[0]" in str(info.value)


def test_hosts_keep_a_model_off_the_nodes_that_do_not_serve_it():
    # A policy that places a model outside its hosts cannot serve those tasks: they are
    # dropped with the reason, and the run goes on.
    @register_policy("cloud-whatever-hosts")
    class CloudWhateverHosts:
        """Every task on the cloud, hosted there or not."""

        def decide(self, task, view):
            return Plan(("cloud",))

    text = ASSISTANT.replace("policy: model-select", "policy: cloud-whatever-hosts")
    try:
        raw = simulate(load_scenario_text(text, source="<t>"))
    finally:
        unregister_policy("cloud-whatever-hosts")
    assert len(raw.tasks["status"]) > 0
    assert set(raw.tasks["status"]) == {"dropped"}
    reason = 'policy "cloud-whatever-hosts" placed "small" on "cloud", which is not among its hosts'
    assert set(raw.tasks["reason"]) == {reason}


def test_cloud_with_no_cloud_node_hosting_the_app_falls_back_to_the_source():
    # The cloud policy looks for a cloud node among the app's hosts; with none, its fallback
    # (local) runs each request on its own phone, which hosts it.
    text = ASSISTANT.replace("policy: model-select", "policy: cloud")
    tasks = simulate(load_scenario_text(text, source="<t>")).tasks
    assert len(tasks["status"]) > 0
    assert set(tasks["placement"]) == set(tasks["source"]) and set(tasks["app"]) == {"small"}
    dropping = ASSISTANT.replace("policy: model-select", "policy: {name: cloud, fallback: drop}")
    assert set(simulate(load_scenario_text(dropping, source="<t>")).tasks["status"]) == {"dropped"}


def test_unknown_host_pattern_is_named():
    text = ASSISTANT.replace("hosts: [cloud]", "hosts: [clod]")
    with pytest.raises(ScenarioError, match=r'applications\.large\.hosts\[0\]: "clod" matches no node'):
        load_scenario_text(text, source="a.yaml")


def test_an_alternative_listed_twice_is_refused_at_its_second_place():
    """alternatives: [large, large] was taken without a word, as if it offered two models."""
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(
            ASSISTANT.replace("alternatives: [large]", "alternatives: [large, large]"), source="a.yaml"
        )
    assert str(info.value) == (
        'a.yaml: applications.small.alternatives[1]: "large" is given twice: '
        "each application is an alternative once"
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ('""', 'applications[""]: expected an application name, got ""'),
        ('"  "', 'applications["  "]: expected an application name, got "  "'),
        (
            '"a\\tb"',
            'applications["a\\tb"]: expected a name of printable characters, got "a\\tb" (contains U+0009)',
        ),
    ],
)
def test_an_application_name_that_is_blank_or_unprintable_is_refused(name, message):
    """An application named "" ran: its requests' records had app "", a note listed "(small, )"."""
    text = ASSISTANT.replace(
        "  large: {model: llama-3.1-8b, hosts: [cloud]}",
        f"  large: {{model: llama-3.1-8b, hosts: [cloud]}}\n  {name}: {{model: gpt2}}",
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(text, source="a.yaml")
    assert str(info.value) == f"a.yaml: {message}"
