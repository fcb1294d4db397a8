"""A figure of a metric only some applications have draws those, and says which it left out.

A developer's trial (HH44's brief): three apps on one edge, a CNN, a speech model and an LLM
assistant.  ``plot --kind cdf --metric ttft`` was refused as pooling the three applications, and
its example, ``--where app=speech``, was then refused for having no time to first token: only the
LLM's requests have one, so nothing of the others would have been pooled.  Likewise a bar of
deadline misses beside an application with no deadline.  Here a synthetic job with a deadline
beside a GPT-2 chat without one, on one phone and an edge, one short run.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

import offloadsim
from offloadsim.experiments import read_results
from offloadsim.plots import plot_results
from offloadsim.plots.results import plot_with_tables

MIXED = """
name: mixed
duration: 10 s
warmup: 0 s
nodes:
  phone: {tier: device, processor: {speed: 50 GFLOP/s}}
  edge: {tier: edge, processor: {speed: 5 TFLOP/s, memory_bandwidth: 200 GB/s}}
links:
  - {between: [phone, edge], bandwidth: 50 Mbps, latency: 5 ms}
applications:
  job: {work: 1 GFLOP, deadline: 10 ms}   # 10.2 ms on the edge: every one missed
  chat: {model: gpt2, prompt_tokens: 16, output_tokens: 4}
workload:
  - {app: job, sources: phone, arrivals: periodic, period: 1 s}
  - {app: chat, sources: phone, arrivals: periodic, period: 2 s}
policy: edge
"""


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    scenario = tmp_path_factory.mktemp("valueless") / "mixed.yaml"
    scenario.write_text(MIXED, encoding="utf-8")
    offloadsim.run(scenario, out=scenario.with_name("run"))
    return read_results(scenario.with_name("run"))


def _notes(fig) -> str:
    """The figure's texts and its axes' titles: its notes and what it says it draws."""
    titles = [ax.get_title(loc) for ax in fig.axes for loc in ("left", "center")]
    return "\n".join([*(text.get_text() for text in fig.texts), *titles])


def test_a_ttft_cdf_draws_the_llm_alone_and_names_the_application_left_out(mixed):
    fig = plot_results(mixed, "cdf", metric="ttft")
    (line,) = [
        li for li in fig.axes[0].get_lines() if li.get_gid() != "deadline-line" and len(li.get_xdata())
    ]
    tasks = mixed.tasks[(mixed.tasks["app"].astype(str) == "chat") & (mixed.tasks["status"] == "completed")]
    ttft_ms = tasks["ttft"].to_numpy(dtype=float) * 1e3
    assert len(ttft_ms) and (min(line.get_xdata()), max(line.get_xdata())) == pytest.approx(
        (ttft_ms.min(), ttft_ms.max())
    )
    notes = _notes(fig)
    assert "application = chat" in notes  # the title names what is drawn, as --where app=chat would
    assert "not drawn, no value in any run (application): job (only an LLM request has one)" in notes
    plt.close(fig)


def test_deadline_misses_beside_an_application_without_a_deadline_draw_the_one_with_it(mixed):
    fig, tables = plot_with_tables(mixed, "bars", metric="deadline_miss_rate")
    assert tables["csv"]["deadline_miss_rate_mean"].tolist() == [pytest.approx(1.0)]  # the job's alone
    notes = _notes(fig)
    assert "application = job" in notes
    assert "not drawn, no value in any run (application): chat (no deadline)" in notes
    plt.close(fig)
    # Shown apart (--facet app), each application keeps its panel, the empty one said undrawn as before.
    fig = plot_results(mixed, "bars", metric="deadline_miss_rate", facet="app")
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 2
    assert "no value in any run" not in _notes(fig)
    plt.close(fig)
