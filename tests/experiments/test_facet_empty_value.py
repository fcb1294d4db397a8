"""A panel of runs whose facet value is empty is titled by it, not by a key and a bare ``=``.

``plot --facet warnings`` of a comparison in which ``edge``'s runs warned of nothing titled their
panel "(b) warnings =": ``warnings`` is ``""`` for a run with none (``metrics.parquet``).
"""

from __future__ import annotations

import matplotlib.pyplot as plt

from offloadsim.cli import main
from offloadsim.experiments import read_results
from offloadsim.plots import plot_results

# 3 frames/s of resnet50 on a phone that serves about 1.9: local's queue grows, edge's does not.
BASE = """
name: warned
duration: 20 s
warmup: 0 s
nodes:
  phone: {count: 1, tier: device, processor: {profile: cortex-a76}}
  edge: {tier: edge, processor: {speed: 1 TFLOP/s}}
links:
  - {between: [phone-*, edge], bandwidth: 50 Mbps, latency: 5 ms}
applications:
  classify: {model: resnet50}
workload:
  - {app: classify, sources: phone-*, rate: 3 /s}
policy: local
"""


def test_a_panel_of_runs_with_no_warnings_is_titled_none(tmp_path):
    (tmp_path / "base.yaml").write_text(BASE, encoding="utf-8")
    out = tmp_path / "compare"
    argv = ["compare", str(tmp_path / "base.yaml"), "--policies", "local,edge", "-n", "2", "--quiet"]
    assert main([*argv, "--out", str(out)]) == 0
    results = read_results(out)
    assert "" in set(results.metrics["warnings"])  # edge's runs
    fig = plot_results(results, "bars", facet="warnings")
    titles = [title for ax in fig.axes if (title := ax.get_title(loc="left") or ax.get_title())]
    plt.close(fig)
    assert any(title.endswith("warnings = none") for title in titles), titles
    assert not any(title.rstrip().endswith("=") for title in titles), titles
