"""Figures of one comparison read together: each series keeps its colour, each panel its own range.

A new user's trials (HL33's brief): a figure drawn ``--where`` one policy was absent coloured the
rest anew (``cloud`` orange beside the green ``cloud`` of the full figure); a CDF faceted by
source group squeezed the fast phones' curves into a fifth of a shared x axis, with no mark of
the deadline; a tiny deadline-miss bar of a faceted figure lost its value once the panels took
one y range.  Two groups of phones here, ``slow`` about 5x ``fast`` in latency, a 50 ms deadline.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
from matplotlib.colors import to_hex

from offloadsim.cli import main
from offloadsim.experiments import read_results
from offloadsim.plots import plot_results

TWO = """
name: two
duration: 20 s
warmup: 0 s
nodes:
  fast:
    count: 2
    tier: device
    processor: {speed: 1 TFLOP/s}
    power: {idle: 0.5 W, busy: 3 W, transmit: 1.3 W, receive: 1 W}
  slow:
    count: 2
    tier: device
    processor: {speed: 200 GFLOP/s}
    power: {idle: 0.5 W, busy: 3 W, transmit: 1.3 W, receive: 1 W}
  edge: {tier: edge, processor: {speed: 5 TFLOP/s}}
links:
  - {between: [fast-*, edge], bandwidth: 100 Mbps, latency: 2 ms}
  - {between: [slow-*, edge], bandwidth: 20 Mbps, latency: 10 ms}
applications:
  classify: {model: resnet50, input: 150 KB, deadline: 50 ms}
workload:
  - {app: classify, sources: fast-*, rate: 2 /s}
  - {app: classify, sources: slow-*, rate: 2 /s}
policy: local
"""


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    folder = tmp_path_factory.mktemp("colours")
    (folder / "two.yaml").write_text(TWO, encoding="utf-8")
    out = folder / "cmp"
    args = ["compare", str(folder / "two.yaml"), "--policies", "local,edge,neurosurgeon", "-n", "2"]
    assert main([*args, "--out", str(out), "--quiet"]) == 0
    return read_results(out)


def _line_colours(fig) -> dict[str, str]:
    """Each labelled line's colour by its series (a label's "(same line as ...)" left off), every panel's."""
    return {
        str(line.get_label()).split(" (")[0]: to_hex(line.get_color())
        for ax in fig.axes
        for line in ax.get_lines()
        if not str(line.get_label()).startswith("_")
    }


def test_a_series_keeps_its_colour_when_where_leaves_another_out(compared):
    full = plot_results(compared, "cdf")
    every = _line_colours(full)
    plt.close(full)
    part = plot_results(compared, "cdf", where={"policy": ("edge", "neurosurgeon")})
    some = _line_colours(part)
    plt.close(part)
    assert set(some) == {"edge", "neurosurgeon"}  # local left out: it was blue, and edge took blue
    assert some == {name: every[name] for name in some}
    assert len(set(every.values())) == 3


def test_latency_time_keeps_the_colours_of_the_other_figures(compared):
    full = plot_results(compared, "cdf")
    every = _line_colours(full)
    plt.close(full)
    part = plot_results(compared, "latency-time", where={"policy": ("edge", "neurosurgeon")})
    drawn = {  # its lines are steps
        str(step.get_label()): to_hex(step.get_edgecolor())
        for step in part.axes[0].patches
        if str(step.get_label()) in every
    }
    plt.close(part)
    assert set(drawn) == {"edge", "neurosurgeon"}
    assert drawn == {name: every[name] for name in drawn}


@pytest.fixture(scope="module")
def near_misses(tmp_path_factory):
    """Local on phones a little (fast) and more (slow) short of a 60 ms deadline; edge well past it."""
    folder = tmp_path_factory.mktemp("near-misses")
    near = (
        TWO.replace("1 TFLOP/s", "290 GFLOP/s")
        .replace("deadline: 50 ms", "deadline: 60 ms")
        .replace("100 Mbps, latency: 2 ms", "20 Mbps, latency: 10 ms")
        .replace("count: 2", "count: 4")
    )
    (folder / "near.yaml").write_text(near, encoding="utf-8")
    out = folder / "cmp"
    args = ["compare", str(folder / "near.yaml"), "--policies", "local,edge", "-n", "2"]
    assert main([*args, "--out", str(out), "--quiet"]) == 0
    return read_results(out)


def test_a_bar_under_one_percent_of_the_shared_axis_has_its_value_written(near_misses):
    fig = plot_results(near_misses, "bars", metric="deadline_miss_rate", facet="policy", by="source_group")
    top = fig.axes[0].get_ylim()[1]
    tiny = []
    for ax in fig.axes:
        assert ax.get_ylim()[1] == top  # the panels share one range
        written = [text.xy[0] for text in ax.texts]
        for bar in ax.patches:
            if bar.get_height() < 0.01 * top:
                tiny.append(bar.get_height())
                centre = bar.get_x() + bar.get_width() / 2
                assert any(abs(x - centre) < 1e-9 for x in written), (bar.get_height(), ax.get_title())
    plt.close(fig)
    assert any(height > 0 for height in tiny)  # the local fast phones' few misses: no longer unwritten


def test_a_cdf_faceted_by_groups_5x_apart_gives_each_panel_its_own_x_range(compared):
    fig = plot_results(compared, "cdf", facet="source_group")
    fast, slow = fig.axes[:2]
    (fast_lo, fast_hi), (slow_lo, slow_hi) = sorted(fast.get_xlim()), sorted(slow.get_xlim())
    note = fig._supxlabel.get_text()
    plt.close(fig)
    assert fast_hi - fast_lo < 0.5 * (slow_hi - slow_lo)  # the fast phones' curves fill their panel
    assert "x axes differ" in note  # and the reader is told the panels' scales differ


def test_a_cdf_marks_the_applications_deadline_in_each_panel(compared):
    fig = plot_results(compared, "cdf", facet="source_group")
    for ax in fig.axes[:2]:
        lines = [line for line in ax.collections if line.get_gid() == "deadline-line"]
        assert [float(line.get_segments()[0][0][0]) for line in lines] == [50.0]  # ms, as the axis
        low, high = sorted(ax.get_xlim())
        assert low < 50.0 < high
        labels = [t for t in ax.texts if t.get_visible() and "deadline 50 ms" in t.get_text()]
        assert len(labels) == 1
        box, frame = labels[0].get_window_extent(), ax.get_window_extent()
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1  # inside its panel, not over the tick labels
    plt.close(fig)


def test_a_cdf_draws_another_task_column_with_metric(compared):
    from offloadsim.plots.results import default_figure_name

    fig = plot_results(compared, "cdf", metric="wait")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "wait (ms)"
    tasks = compared.tasks[compared.tasks["status"].astype(str) == "completed"]
    for policy in ("local", "edge"):
        line = next(li for li in ax.get_lines() if str(li.get_label()).split(" (")[0] == policy)
        waits = tasks.loc[tasks["policy"].astype(str) == policy, "wait"].to_numpy(dtype=float) * 1e3
        assert max(line.get_xdata()) == pytest.approx(waits.max())
        assert min(line.get_xdata()) == pytest.approx(waits.min())
    assert not [line for line in ax.collections if line.get_gid() == "deadline-line"]  # latency's only
    plt.close(fig)
    assert default_figure_name("cdf", "ttft") == "cdf-ttft"


@pytest.mark.parametrize(
    ("metric", "said"),
    [
        ("ttft", "no completed task here has a ttft (only an LLM request has one)"),
        ("latency_p95_s", "no such task column"),
        ("placement", "not a numeric task column"),
    ],
)
def test_a_cdf_of_a_column_it_cannot_draw_is_refused_in_one_line(compared, metric, said):
    from offloadsim.records.stored import ExperimentError

    with pytest.raises(ExperimentError, match="metric") as refused:
        plot_results(compared, "cdf", metric=metric)
    assert said in str(refused.value)


NPU = """
name: npu
duration: 20 s
warmup: 0 s
nodes:
  phone:
    count: 2
    tier: device
    processor: {speed: 500 GFLOP/s}
    power: {idle: 0.5 W, busy: 3 W, transmit: 1.3 W, receive: 1 W}
  edge: {tier: edge, processor: {speed: 5 TFLOP/s}}
  cloud: {tier: cloud, processor: {speed: 20 TFLOP/s}}
links:
  - {between: [phone-*, edge], bandwidth: 20 Mbps, latency: 5 ms}
  - {between: [edge, cloud], bandwidth: 200 Mbps, latency: 20 ms}
applications:
  classify: {model: resnet50, input: 150 KB}
workload:
  - {app: classify, sources: phone-*, rate: 2 /s}
policy: local
"""

NPU_SWEEP = """
name: npu-sweep
base: npu.yaml
grid:
  nodes.phone.processor.speed: [500 GFLOP/s, 1 TFLOP/s, 2 TFLOP/s, 4 TFLOP/s]
policies: [local, edge, cloud, neurosurgeon]
replications: 2
labels:
  nodes.phone.processor.speed: NPU rate
"""


def test_an_energy_sweep_labels_only_the_lines_the_swept_key_moves_and_their_ends(tmp_path):
    """The phone's rate moves local's line (neurosurgeon's lies on it); edge and cloud sit on one
    spot each at every rate.  Their "500–4,000 GFLOP/s" labels said a rate that is not theirs, and
    local's 4,000 GFLOP/s end went unlabelled ("no room"), its room taken by a legend since moved."""
    (tmp_path / "npu.yaml").write_text(NPU, encoding="utf-8")
    (tmp_path / "sweep.yaml").write_text(NPU_SWEEP, encoding="utf-8")
    assert main(["sweep", str(tmp_path / "sweep.yaml"), "--out", str(tmp_path / "sw"), "--quiet"]) == 0
    fig = plot_results(read_results(tmp_path / "sw"), "energy")
    ax = fig.axes[0]
    colours = {  # each series' markers and line: an error bar container, labelled
        str(bars.get_label()).split(" (")[0]: to_hex(bars.lines[0].get_color()) for bars in ax.containers
    }
    labels = {text.get_text(): to_hex(text.get_color()) for text in ax.texts if text.get_visible()}
    note = fig._supxlabel.get_text() if fig._supxlabel else ""
    plt.close(fig)
    assert labels == {"500 GFLOP/s": colours["local"], "4,000 GFLOP/s": colours["local"]}
    assert "no room for the labels" not in note
