"""A timeline through a node's crash with recovery (HB35's trial): the crash is drawn, the tasks it
made retry are marked, and the legend says what each mark is; before, they read as any local task."""

from __future__ import annotations

import pytest
from matplotlib.lines import Line2D

from offloadsim.experiments import compare, read_results
from offloadsim.plots import plot_results

CRASH = """
name: crash
seed: 3
duration: 60 s
warmup: 5 s
nodes:
  phone: {count: 4, tier: device, processor: {speed: 20 GFLOP/s}}
  ap: {tier: network}
  edge: {tier: edge, processor: {speed: 100 GFLOP/s, cores: 1}}
links:
  - {between: [phone-*, ap], bandwidth: 50 Mbps, latency: 3 ms}
  - {between: [ap, edge], bandwidth: 1 Gbps, latency: 1 ms}
applications:
  job: {work: 2 GFLOP, input: 1 MB, output: 1 KB}
workload:
  - {app: job, sources: phone-*, rate: 4 /s}
policy: edge
dynamics:
  - kind: node-schedule
    node: edge
    steps:
      - {at: 50 s, up: false}
      - {at: 55 s, up: true}
recovery: {retries: 1, backoff: 50 ms, fallback: another}
"""


@pytest.fixture(scope="module")
def crashed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("crash")
    (folder / "crash.yaml").write_text(CRASH, encoding="utf-8")
    compare(folder / "crash.yaml", ["edge"], 1, workers=1, out=folder / "cmp")
    return read_results(folder / "cmp")


def test_the_crash_and_the_retried_tasks_are_marked_and_named(crashed):
    where = {"policy": "edge", "replication": "0"}
    fig = plot_results(crashed, "timeline", where=where, from_s=49.5, to_s=51.0)
    ax = fig.axes[0]
    tasks = crashed.tasks
    window = tasks[(tasks["arrival"] >= 49.5) & (tasks["arrival"] < 51.0) & (tasks["status"] == "completed")]
    first = window.sort_values("arrival").head(30)
    t0 = float(first["arrival"].min())
    retried = int((first["retries"] > 0).sum())
    assert retried > 0  # the scenario's crash caught some uploads in flight
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert sum("retried ×" in label for label in labels) == retried
    crosses = [line for line in ax.get_lines() if line.get_marker() == "x"]
    assert sum(len(line.get_xdata()) for line in crosses) == retried
    crash_lines = [
        line
        for line in ax.get_lines()
        if isinstance(line, Line2D) and line.get_linestyle() == "-" and len(set(line.get_xdata())) == 1
    ]
    assert any(abs(float(line.get_xdata()[0]) - (50.0 - t0) * 1e3) < 1e-6 for line in crash_lines)
    legend = fig.legends[0] if fig.legends else ax.get_legend()
    texts = [t.get_text() for t in legend.get_texts()]
    assert "edge crashed at 50 s (down to 55 s)" in texts
    assert any(text.startswith("retried: an attempt aborted") for text in texts)


def test_a_timeline_without_a_crash_has_no_crash_marks(crashed):
    fig = plot_results(
        crashed, "timeline", where={"policy": "edge", "replication": "0"}, from_s=20.0, to_s=21.0
    )
    legend = fig.legends[0] if fig.legends else fig.axes[0].get_legend()
    texts = [t.get_text() for t in legend.get_texts()]
    assert not any("crashed" in text or "retried" in text for text in texts)


@pytest.mark.parametrize(
    ("t0", "until", "said"),
    [
        (30.0, 34.2708, "edge down from 23.56 s to 34.27 s"),
        (20.0, 34.2708, "edge crashed at 23.56 s (down to 34.27 s)"),
        (20.0, float("inf"), "edge crashed at 23.56 s (down to the end)"),
    ],
)
def test_the_legend_writes_a_nodes_times_down_as_the_note_writes_times(t0, until, said):
    """The edge-outage timeline's legend said "edge down from 23.5587 s to 34.2708 s" above a note
    of tasks arriving "from 30.03 s to 31.01 s": four significant digits, as the note writes them."""
    import matplotlib.pyplot as plt

    from offloadsim.analysis.values import time_text
    from offloadsim.plots.crash_marks import mark_down

    fig, ax = plt.subplots()
    try:
        entries = mark_down(ax, [("edge", 23.5587, until)], t0, 1.0, 40.0)
    finally:
        plt.close(fig)
    assert [text for _, text in entries] == [said]
    assert time_text(30.0251) == "30.03"  # the note's "they arrived from 30.03 s"


def test_a_legend_of_the_stages_the_crash_and_the_retries_fits_above_the_axes(tmp_path):
    """The edge-outage timeline from 23 s put its four stages, the edge's crash and the retries in
    one row wider than the figure: constrained layout gave the row the width and squeezed the axes
    to a sliver at the right. The legend takes as many rows as it needs to be no wider than the axes."""
    import offloadsim
    from offloadsim.plots.axes import laid_out
    from offloadsim.plots.style import house_style

    (tmp_path / "crash.yaml").write_text(CRASH, encoding="utf-8")
    offloadsim.run(tmp_path / "crash.yaml", stages=True, out=tmp_path / "run")  # one run: the axes' legend
    fig = plot_results(read_results(tmp_path / "run"), "timeline", from_s=49.5, to_s=51.0)
    ax = fig.axes[0]
    # The axes' own legend, or the figure's above them (where the figure puts a legend of long keys).
    (legend,) = [ax.get_legend()] if ax.get_legend() is not None else fig.legends
    texts = [t.get_text() for t in legend.get_texts()]
    assert any("crashed" in t for t in texts) and any(t.startswith("retried") for t in texts)
    with house_style():  # the fonts it is saved in
        renderer = laid_out(ax)
        drawn, axes = legend.get_window_extent(renderer).width, ax.get_window_extent(renderer).width
        figure = fig.bbox.width
    assert drawn <= figure, (drawn, figure)
    assert axes >= 0.6 * figure, ("the axes squeezed by the legend", axes, figure)
