"""The latency-time figure's bandwidth panel tells a dip from an outage (trial HK45).

A trace falling from 20 to 1 Mb/s was drawn on a linear axis from 0: its 1 Mb/s lay on the axis,
under a node's outage hatching, and read as a dead link.  Bandwidths spanning more than a decade
are now drawn on a log axis, a link down as a gap, and each line's lowest value is written on it.
"""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.patches import StepPatch
from tiny_scenarios import phone_edge

from offloadsim.cli import main
from offloadsim.experiments import read_results
from offloadsim.plots.axes import laid_out
from offloadsim.plots.bandwidth_scale import LOWEST_GID
from offloadsim.plots.latency_time import latency_time_figure

# The trace sets phone→edge; the link is down both ways at 4.5 to 5 s (the scenario's 20 Mb/s beside).
SCENARIO = phone_edge(
    "name: dip\nduration: 6 s\nwarmup: 0 s\n",
    rate="4 /s",
    upload="10 KB",
    after="dynamics:\n"
    "  - {kind: link-trace, link: [phone, edge], file: bw.csv}\n"
    "  - {kind: link-schedule, link: [phone, edge], steps: [{at: 4.5 s, up: false}, {at: 5 s, up: true}]}\n",
)


def _panel(tmp_path, low: str, trace: str = "0,8 Mbps\n2,{low}\n3.5,8 Mbps\n"):
    (tmp_path / "bw.csv").write_text("time,bandwidth\n" + trace.format(low=low))
    (tmp_path / "s.yaml").write_text(SCENARIO)
    out = tmp_path / "run"
    assert main(["run", str(tmp_path / "s.yaml"), "--out", str(out), "-q"]) == 0
    fig = latency_time_figure(read_results(out), bin_s=1.0)
    steps = {p.get_label(): p for p in fig.axes[0].patches if isinstance(p, StepPatch)}
    drawn = steps["phone→edge"]  # the trace's direction (the other only went down)
    labels = [t for t in fig.axes[0].texts if t.get_gid() == LOWEST_GID]
    note = " ".join(" ".join(text.get_text() for text in fig.texts).split())
    return fig.axes[0], drawn.get_data(), labels, note


def test_a_dip_of_more_than_a_decade_is_drawn_on_a_log_axis_above_its_gap_while_down(tmp_path):
    ax, data, labels, note = _panel(tmp_path, "0.5 Mbps")
    assert ax.get_yscale() == "log"
    # 8, 0.5, 8 Mb/s, then nothing while the link is down (no 0 on a log axis: a gap), then 8.
    assert list(data.edges) == [0.0, 2.0, 3.5, 4.5, 5.0, 6.0]
    values = np.asarray(data.values)
    assert list(values[[0, 1, 2, 4]]) == [8.0, 0.5, 8.0, 8.0] and np.isnan(values[3])
    # The dip's 0.5 Mb/s is well above the panel's bottom, and written over its step.
    assert ax.get_ylim()[0] < 0.5 / 2
    assert [(t.get_text(), t.xy) for t in labels] == [("0.5 Mb/s", (2.75, 0.5))]
    assert "log scale, a gap while down" in note


def test_a_shallower_dip_keeps_the_linear_axis_from_0_and_is_labelled_too(tmp_path):
    ax, data, labels, note = _panel(tmp_path, "4 Mbps")
    assert ax.get_yscale() == "linear" and ax.get_ylim()[0] == 0
    assert list(data.values) == [8.0, 4.0, 8.0, 0.0, 8.0]  # 0 while down, as the note says
    assert [(t.get_text(), t.xy) for t in labels] == [("4 Mb/s", (2.75, 4.0))]
    assert "0 while down" in note


@pytest.mark.parametrize("low", ["0.5 Mbps", "4 Mbps"])
def test_the_figure_draws_and_saves_either_way(tmp_path, low):
    ax, _, _, _ = _panel(tmp_path, low)
    ax.figure.savefig(tmp_path / "fig.png")


@pytest.mark.parametrize(
    ("trace", "align"),
    [("0,8 Mbps\n5.9,{low}\n", "right"), ("0,{low}\n0.1,8 Mbps\n", "left"), (None, "center")],
    ids=["last-step", "first-step", "mid-run"],
)
def test_the_lowest_label_stays_inside_the_panel_aligned_to_the_side_with_room(tmp_path, trace, align):
    """Centred over a last step a tenth of the run wide, "2.57 Mb/s" ran past the panel's right edge."""
    ax, _, labels, _ = _panel(tmp_path, "4 Mbps", *([trace] if trace else []))
    renderer = laid_out(ax)
    (label,) = labels
    box, frame = label.get_window_extent(renderer), ax.get_window_extent(renderer)
    assert frame.x0 <= box.x0 and box.x1 <= frame.x1, (box, frame)
    assert label.get_horizontalalignment() == align
    start, end = ax.get_xlim()
    assert start <= label.xy[0] <= end and label.xy[1] == 4.0
    ax.figure.savefig(tmp_path / "fig.png", dpi=300)  # at another size, placed again as it is drawn
    renderer = laid_out(ax)
    box, frame = label.get_window_extent(renderer), ax.get_window_extent(renderer)
    assert frame.x0 <= box.x0 and box.x1 <= frame.x1, (box, frame)
