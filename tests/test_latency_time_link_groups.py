"""latency-time names link directions that changed alike as one group: its legend stays short."""

from __future__ import annotations

from matplotlib.patches import StepPatch

from offloadsim.cli import main
from offloadsim.experiments import read_results
from offloadsim.plots.latency_time import latency_time_figure

SIX_UPLINKS = """
name: six-uplinks
seed: 3
duration: 12 s
warmup: 0 s
nodes:
  phone: {count: 6, tier: device, processor: {speed: 10 GFLOP/s}}
  edge: {tier: edge, processor: {speed: 100 GFLOP/s, cores: 4}}
links:
  - {between: [phone-*, edge], bandwidth: 20 Mbps, latency: 5 ms}
applications:
  job: {work: 0.5 GFLOP, input: 100 KB, output: 1 KB}
workload:
  - {app: job, sources: phone-*, arrivals: poisson, rate: 2 /s}
policy: edge
dynamics:
  - kind: link-schedule
    link: 0
    steps: [{at: 3 s, bandwidth: 2 Mbps}, {at: 6 s, up: false}, {at: 8 s, up: true, bandwidth: 20 Mbps}]
"""


def test_directions_that_changed_alike_are_one_line_and_one_legend_entry(tmp_path):
    """A schedule on every link of a links[] entry: the links panel drew three identical lines,
    ``phone-0→edge``, ``edge→phone-0``, ``phone-1→edge``, and left "9 more directions" out; the
    hatching's entry read ``phone-0→edge, edge→phone-0, phone-1→edge and 9 more down``."""
    (tmp_path / "s.yaml").write_text(SIX_UPLINKS, encoding="utf-8")
    assert main(["run", str(tmp_path / "s.yaml"), "--out", str(tmp_path / "run"), "-q"]) == 0
    fig = latency_time_figure(read_results(tmp_path / "run"), bin_s=1.0)
    links, latency = fig.axes[0], fig.axes[1]
    group = "phone-0…phone-5↔edge (6 links, both ways)"
    drawn = [p for p in links.patches if isinstance(p, StepPatch)]
    assert [p.get_label() for p in drawn] == [group]
    # 2 Mb/s of 20 at 3-6 s is a dip: the level under which one is follows the scenario's
    assert [t.get_text() for t in links.get_legend().get_texts()] == [
        group,
        "the scenario's bandwidth",
        "50% of it: a dip under",
    ]
    entries = [t.get_text() for t in latency.get_legend().get_texts()]
    assert f"{group} down" in entries and "bandwidth dip under 50%" in entries
    note = " ".join(" ".join(text.get_text() for text in fig.texts).split())
    assert "more directions changed, not drawn" not in note
    assert "directions that changed alike in every run are one line" in note
