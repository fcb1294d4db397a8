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


# Two applications on the saturated pipeline, no warm-up (so every request generating in the window
# has a record): each application's rate counts its own tokens, those in flight at the end too.
_TWO_APPS = (
    SCENARIO.replace("warmup: 20 s", "warmup: 0 s")
    .replace(
        "  chat: {model: llama-3.1-8b, prompt_tokens: 128, output_tokens: 128}",
        "  chat: {model: llama-3.1-8b, prompt_tokens: 128, output_tokens: 128}\n"
        "  brief: {model: llama-3.1-8b, prompt_tokens: 32, output_tokens: 48}",
    )
    .replace(
        "  - {app: chat, sources: phone, arrivals: closed, users: USERS}",
        "  - {app: chat, sources: phone, arrivals: closed, users: 6}\n"
        "  - {app: brief, sources: phone, arrivals: closed, users: 4}",
    )
)


def test_each_application_counts_the_tokens_it_generated_in_the_window(tmp_path):
    from offloadsim.analysis.breakdown import metrics_per
    from offloadsim.analysis.summary import metrics_row

    path = tmp_path / "two-apps.yaml"
    path.write_text(_TWO_APPS, encoding="utf-8")
    result = offloadsim.run(path)
    tasks, nodes = result.tasks, pd.DataFrame(result.nodes)
    # Every token the nodes generated belongs to one recorded request (no warm-up: all have records).
    assert tasks["window_tokens"].sum() == nodes["tokens_generated"].sum()
    flying = tasks[tasks["status"] == "in_flight"]
    assert flying["window_tokens"].sum() > 0  # the requests in flight at the end generated some
    done = tasks[tasks["status"] == "completed"]
    assert (done["window_tokens"] == done["output_tokens"]).all()  # all of a finished one's, no warm-up
    metrics = pd.DataFrame(
        [{**metrics_row(result.summary), "policy": tasks["policy"].iloc[0], "replication": 0}]
    )
    per = metrics_per(tasks, metrics).set_index("app")
    measured = result.summary.duration_s
    for app in ("chat", "brief"):
        mine = tasks[tasks["app"] == app]
        assert per.loc[app, "output_tokens_per_s"] == pytest.approx(mine["window_tokens"].sum() / measured)
        finished = mine[mine["status"] == "completed"]["output_tokens"].sum()
        assert per.loc[app, "output_tokens_per_s"] * measured > finished  # more than its completed ones'
    # The applications' rates add up to the run's, which counts the nodes' tokens.
    assert per["output_tokens_per_s"].sum() == pytest.approx(result.summary.output_tokens_per_s)


def test_a_figure_of_the_output_token_throughput_does_not_say_it_is_of_completed_requests(tmp_path):
    """It counts the tokens of the requests in flight at the end too: a note under its figure that
    it was 'of completed tasks only' (said under each application's bars, 10 % of chat's requests
    in flight) told the reader to discount a rate that had counted them."""
    from offloadsim import plots
    from offloadsim.analysis.catalogue import of_completed_tasks
    from offloadsim.experiments import compare, read_results

    assert not of_completed_tasks("output_tokens_per_s")
    assert all(
        of_completed_tasks(name) for name in ("ttft_mean_s", "tpot_mean_s", "decode_tokens_per_s_mean")
    )
    path = tmp_path / "two-apps.yaml"
    path.write_text(_TWO_APPS, encoding="utf-8")
    compare(path, ["fixed"], 1, workers=1, out=tmp_path / "cmp")
    results = read_results(tmp_path / "cmp")
    tasks = results.tasks
    assert (tasks["status"] == "in_flight").mean() >= 0.05  # what a completed-only note would name
    note = " ".join(
        plots.plot_results(results, "bars", metric="output_tokens_per_s", by="app")
        ._supxlabel.get_text()
        .split()
    )
    assert "completed" not in note, note
    # The time to first token is of the completed requests: its figure still says so.
    ttft = plots.plot_results(results, "bars", metric="ttft_mean_s", by="app")._supxlabel.get_text()
    assert "of completed tasks only" in " ".join(ttft.split())
