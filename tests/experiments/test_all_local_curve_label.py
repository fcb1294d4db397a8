"""An all-local curve's label stays inside its axes where the curve ends at the axes' bottom.

``plot --kind sweep`` of an LLM precision sweep whose last precision is its fastest labelled the
"chat-1b all local, no queue" curve below its last point, over the x axis and its tick labels.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt

from offloadsim.cli import main
from offloadsim.experiments import read_results
from offloadsim.plots import plot_results
from offloadsim.plots.checks import figure_problems

LLM = Path(__file__).resolve().parents[2] / "scenarios" / "llm-assistant.yaml"


def test_the_label_of_a_curve_ending_lowest_is_above_it(tmp_path, capsys):
    (tmp_path / "s.yaml").write_text(
        f"name: precisions\nbase: {LLM}\nset: {{duration: 60 s, warmup: 10 s}}\nreplications: 1\n"
        "grid:\n  applications.chat-1b.params.precision: [bf16, int4, int8]\n"
    )
    out = tmp_path / "out"
    assert main(["sweep", str(tmp_path / "s.yaml"), "--out", str(out), "--workers", "1", "-q"]) == 0
    capsys.readouterr()
    results = read_results(out)
    latency = results.metrics.groupby("point")["latency_mean_s"].mean()
    assert latency.idxmin() == latency.index.max()  # the last precision the fastest: the case checked
    fig = plot_results(results, "sweep", metric="latency_mean_s")
    try:
        labels = [t for t in fig.axes[0].texts if "all local, no queue" in t.get_text()]
        assert labels  # the curve is labelled
        assert figure_problems(fig) == []
    finally:
        plt.close(fig)
