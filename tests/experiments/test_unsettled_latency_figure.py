"""A latency figure of a run that never settled says so before the notes on where its numbers come from.

An arrival-rate sweep of Llama 3.2 1B on a ``t4`` edge: ``plot --kind sweep --metric ttft_mean_s``
drew the overloaded point's 2.3 s time to first token, and the lines saying that its runs were
overloaded came after the bf16 stand-in and GPU prefill notes, cut from under the figure into its
notes file; only the line of the point before it (too short to settle) was left to be read, as if
it were the only one warned.  A throughput's figure already said its warnings first; a figure of
any metric whose drawn runs never settled does too (a closed loop's pace alone keeps its place:
tests/experiments/test_paced_throughput_figure.py).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
from experiment_data import compared_folder

from offloadsim.plots import plot_results

SCENARIO = """
name: unsettled
seed: 1
duration: 20 s
warmup: 0 s
nodes:
  phone: {tier: device, processor: {profile: cortex-a76, cores: 1}}
  edge: {tier: edge, processor: {profile: t4, cores: 1}}
links:
  - {between: [phone, edge], bandwidth: 50 Mbps, latency: 5 ms}
applications:
  chat: {model: llama-3.2-1b, prompt_tokens: 128, output_tokens: 32}
workload:
  - {app: chat, sources: phone, arrivals: poisson, rate: 6 /s}
policy: edge
"""


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    return compared_folder(tmp_path_factory.mktemp("unsettled"), SCENARIO, "edge,local")


def test_an_overloaded_runs_latency_figure_says_its_warnings_first(compared):
    fig = plot_results(compared, "bars", metric="ttft_mean_s")
    whole = " ".join(fig._supxlabel.get_text().split())
    plt.close(fig)
    assert "overloaded" in whole and "prefill" in whole and "stands in" in whole
    warned = whole.index("runs warned, latencies depend on how long they ran")
    assert warned < whole.index("prefill") and warned < whole.index("stands in")
