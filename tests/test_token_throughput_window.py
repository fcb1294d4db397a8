"""An LLM run's output token throughput counts the tokens generated in the measured window.

An 8B model split over three Jetson Orins under a closed loop kept the first Jetson busy all the
time, so the pipeline generated about 39 tokens/s; the throughput read 21.3 tokens/s with 20 users
(34.1 with 8, at 120 s as at 900 s), because it counted only the requests that arrived and finished
inside the measured window: those in flight at the end, and those that arrived in the warm-up, were
left out.  Every token needs one step (its prefill or one decode step) on the first Jetson, so the
tokens generated in the window are that node's stages completed in it, give or take the few tokens
in the pipeline at either end; the throughput must read that, whatever the number of users.
"""

from __future__ import annotations

import pandas as pd
import pytest

import offloadsim

SCENARIO = """
name: pipeline
seed: 1
duration: 120 s
warmup: 20 s
nodes:
  phone: {tier: device, processor: {profile: cortex-a76, cores: 1}}
  ap: {tier: network}
  edge: {count: 3, tier: edge, processor: {profile: jetson-orin, cores: 1}}
links:
  - {between: [phone, ap], bandwidth: 50 Mbps, latency: 5 ms}
  - {between: [ap, edge-*], bandwidth: 1 Gbps, latency: 1 ms}
applications:
  chat: {model: llama-3.1-8b, prompt_tokens: 128, output_tokens: 128}
workload:
  - {app: chat, sources: phone, arrivals: closed, users: USERS}
policy: {name: fixed, nodes: [edge-0, edge-1, edge-2], cuts: [12, 23]}
"""


def _run(tmp_path, users: int):
    path = tmp_path / f"pipeline-{users}.yaml"
    path.write_text(SCENARIO.replace("USERS", str(users)), encoding="utf-8")
    return offloadsim.run(path)


@pytest.mark.parametrize("users", [8, 20])
def test_the_output_token_throughput_reads_the_saturated_pipeline(tmp_path, users):
    result = _run(tmp_path, users)
    summary = result.summary
    nodes = pd.DataFrame(result.nodes).set_index("node")
    assert nodes.loc["edge-0", "utilisation"] > 0.999  # saturated: the first Jetson sets the pace
    measured = summary.duration_s
    # One step on edge-0 per token; a few tokens in the pipeline at either end of the window.
    steps = int(nodes.loc["edge-0", "stages_completed"])
    assert abs(summary.output_tokens_per_s * measured - steps) <= 4, (summary.output_tokens_per_s, steps)
    # The tokens the last Jetson generated, all of them, whatever became of their requests.
    assert nodes["tokens_generated"].sum() == nodes.loc["edge-2", "tokens_generated"]
    assert summary.output_tokens_per_s == pytest.approx(nodes["tokens_generated"].sum() / measured)
    # More than the completed requests' tokens: some are in flight at the end.
    completed = result.tasks[result.tasks["status"] == "completed"]["output_tokens"].sum()
    assert summary.output_tokens_per_s * measured > completed


def test_the_output_token_throughput_does_not_fall_with_more_users(tmp_path):
    few, many = (_run(tmp_path, users).summary.output_tokens_per_s for users in (8, 20))
    assert many == pytest.approx(few, rel=0.01)
