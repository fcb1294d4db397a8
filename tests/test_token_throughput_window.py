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
from pipeline_scenario import SCENARIO

import offloadsim


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
