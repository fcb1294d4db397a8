"""Which LLM runs share their requests: the shipped assistant's two models, and its token draws.

The shipped ``chat-8b`` drew fixed 128/64 tokens while ``chat-1b`` drew uniform 32-128 / 16-64, so a
run sending ``chat-8b`` itself answered other questions than one sending ``chat-1b``; and whether
two applications' runs share arrivals was said nowhere (docs/scenario-format.md now says it).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from offloadsim.engine import simulate
from offloadsim.scenario import PolicySpec, load_scenario

ASSISTANT = Path(__file__).resolve().parents[2] / "scenarios" / "llm-assistant.yaml"
SHORT = ["duration=150 s", "warmup=0 s"]


def test_the_shipped_models_draw_the_same_tokens():
    apps = load_scenario(ASSISTANT).applications
    small, large = apps["chat-1b"], apps["chat-8b"]
    assert (large.prompt_tokens, large.output_tokens) == (small.prompt_tokens, small.output_tokens)
    assert small.prompt_tokens is not None and small.output_tokens is not None


def _requests(tasks) -> list[tuple[str, float, float, float]]:
    order = np.lexsort((tasks["arrival"], tasks["source"]))
    return [
        (
            str(tasks["source"][i]),
            float(tasks["arrival"][i]),
            tasks["prompt_tokens"][i],
            tasks["output_tokens"][i],
        )
        for i in order
    ]


def test_policies_share_requests_and_an_alternative_keeps_their_tokens():
    scenario = load_scenario(ASSISTANT, SHORT)
    local = simulate(scenario).tasks
    cloud = simulate(scenario, policy=PolicySpec("model-select", {"tiers": ["cloud"]})).tasks
    assert set(cloud["app"]) == {"chat-8b"}
    assert len(local) > 5 and _requests(local) == _requests(cloud)


def test_two_applications_draw_from_their_own_streams():
    one = simulate(load_scenario(ASSISTANT, SHORT)).tasks
    other = simulate(load_scenario(ASSISTANT, [*SHORT, "workload[0].app=chat-8b"])).tasks
    assert set(other["app"]) == {"chat-8b"}
    assert sorted(one["arrival"]) != sorted(other["arrival"])
