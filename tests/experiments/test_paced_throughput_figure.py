"""A figure of a throughput says first that a closed loop's users paced it, not at the end of its notes.

One user of Llama 3.2 1B on an ``a100`` against the same on a Jetson: ``plot --kind bars`` of the
output token throughput drew 593 tokens/s for the cloud beside the Jetson's 79, as capacities, and
the line saying that the cloud's was its one user's pace came last of eight notes, cut from under
the figure into its notes file behind the GPU prefill notes.  What a throughput's values are comes
first, as the decode-ceiling note does: the runs' warnings come right after it.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
from experiment_data import compared_folder

from offloadsim.plots import plot_results, style
from offloadsim.plots.style import save_figure

SCENARIO = """
name: paced
seed: 1
duration: 20 s
warmup: 0 s
nodes:
  phone: {tier: device, processor: {profile: cortex-a76, cores: 1}}
  edge: {tier: edge, processor: {profile: jetson-orin, cores: 1}}
  cloud: {tier: cloud, processor: {profile: a100, cores: 1}}
links:
  - {between: [phone, edge], bandwidth: 50 Mbps, latency: 5 ms}
  - {between: [edge, cloud], bandwidth: 1 Gbps, latency: 20 ms}
applications:
  chat: {model: llama-3.2-1b, prompt_tokens: 512, output_tokens: 128}
workload:
  - {app: chat, sources: phone, arrivals: closed, users: 1}
policy: cloud
"""

PACED = "a closed loop whose users were all waiting: its throughput is their pace"


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    return compared_folder(tmp_path_factory.mktemp("paced"), SCENARIO, "cloud,edge")


def _shown(fig, tmp_path, monkeypatch) -> str:
    """The notes as the saved figure shows them (cut to its room), one line of words."""
    seen = []
    real = style._savefig

    def keeping(figure, file, fmt, metadata):
        seen.append(figure._supxlabel.get_text())
        real(figure, file, fmt, metadata)

    monkeypatch.setattr(style, "_savefig", keeping)
    try:
        save_figure(fig, tmp_path / "fig", formats=("png",))
    finally:
        plt.close(fig)
    (text,) = seen
    return " ".join(text.split())


@pytest.mark.parametrize("metric", ["output_tokens_per_s", "throughput_per_s"])
def test_a_throughput_figure_says_first_that_the_users_set_the_pace(compared, tmp_path, monkeypatch, metric):
    fig = plot_results(compared, "bars", metric=metric)
    whole = " ".join(fig._supxlabel.get_text().split())
    assert "prefill" in whole  # the GPU notes it used to come after are there
    assert whole.index(PACED) < whole.index("prefill")
    shown = _shown(fig, tmp_path, monkeypatch)
    assert "more lines of notes in" in shown  # the figure's notes were cut, and the pace kept
    assert f"{PACED}: cloud (2 of 2 runs)" in shown


def test_a_latency_figure_keeps_its_notes_order(compared):
    """Only a throughput's figure moves the runs' warnings up: a latency's keeps them after the rest."""
    fig = plot_results(compared, "bars", metric="latency_mean_s")
    whole = " ".join(fig._supxlabel.get_text().split())
    plt.close(fig)
    assert whole.index("prefill") < whole.index(PACED)
