"""The split figure says what the tasks did, a lone x value keeps its interval, all-local labels avoid lines.

On the shipped Neurosurgeon scenario at 5.85 Mbit/s with int8 activations, AlexNet's tasks are cut
at layer 3 or run whole (20 layers): the line's mean (about 7) is no task's cut, so the figure
draws each cut as a circle and names the point with its counts.  A ``--where`` that keeps one
swept value drew no band (it needs a neighbour) under a note that said "bands".  An all-local
label was placed over a data line when its four corners all covered something.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.container import ErrorbarContainer

from offloadsim import plots
from offloadsim.experiments import read_results, sweep
from offloadsim.plots.axes import laid_out, lines_under_box

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
KEY = "links[0].bandwidth"
CODEC = "applications.alexnet.compression"


@pytest.fixture(scope="module")
def neurosurgeon(tmp_path_factory):
    """scenarios/neurosurgeon.yaml over 1.1 and 5.85 Mbit/s, AlexNet's activations raw or int8."""
    folder = tmp_path_factory.mktemp("split-honest")
    (folder / "neurosurgeon.yaml").write_text((SCENARIOS / "neurosurgeon.yaml").read_text(), encoding="utf-8")
    (folder / "q.yaml").write_text(
        "name: q\nbase: neurosurgeon.yaml\nset:\n  duration: 150 s\ngrid:\n"
        f"  {KEY}: [1.1 Mbps, 5.85 Mbps]\n  {CODEC}: [none, int8]\nreplications: 2\n",
        encoding="utf-8",
    )
    sweep(folder / "q.yaml", out=folder / "out", workers=1)
    return read_results(folder / "out")


def _cuts(results, app: str, codec: str, bandwidth: str) -> pd.Series:
    tasks = results.tasks
    done = tasks[
        (tasks["status"] == "completed")
        & (tasks["app"] == app)
        & (tasks[CODEC].astype(str) == codec)
        & (tasks[KEY].astype(str) == bandwidth)
    ]
    return done["split"].astype(int).value_counts()


def _circles(ax) -> list[tuple[float, float, float]]:
    """(x, depth, area) of each hollow circle drawn on a split panel."""
    found = []
    for collection in ax.collections:
        if isinstance(collection, PathCollection) and collection.get_label() == "_cuts":
            sizes = np.broadcast_to(collection.get_sizes(), (len(collection.get_offsets()),))
            for (x, y), s in zip(collection.get_offsets(), sizes, strict=True):
                found.append((float(x), float(y), float(s)))
    return found


def test_a_point_whose_tasks_took_two_distant_cuts_draws_each_and_names_them(neurosurgeon):
    cuts = _cuts(neurosurgeon, "alexnet", "int8", "5.85 Mbps")
    assert len(cuts) >= 2 and cuts.index.max() - cuts.index.min() > 5, cuts  # what makes the mean no cut
    fig = plots.plot_results(neurosurgeon, "split", by=CODEC, where={"app": "alexnet"})
    ax = fig.axes[0]
    drawn = _circles(ax)
    at = {depth: area for x, depth, area in drawn if x == pytest.approx(5.85)}
    assert set(at) == set(cuts.index.astype(float)), (drawn, cuts)
    most, fewest = cuts.idxmax(), cuts.idxmin()
    assert at[float(most)] > at[float(fewest)]  # area: the share of the tasks
    # Every task of raw AlexNet at 1.1 Mbit/s took one cut: its mean is a cut, no circle.
    assert len(_cuts(neurosurgeon, "alexnet", "none", "1.1 Mbps")) == 1
    assert not [d for x, d, _ in drawn if x == pytest.approx(1.1)]
    note = fig.texts[-1].get_text().replace("\n", " ")
    rest = [f"{n} at {c}" for c, n in cuts.iloc[1:].items()]
    counts = ", ".join([f"{cuts.iloc[0]} tasks at layer {cuts.index[0]}", *rest])
    assert "circles: the cuts of a point whose mean is none of them" in note, note
    assert f"int8 at 5.85 Mbit/s, {counts}" in note, note


def test_a_mean_off_every_cut_its_tasks_took_is_named_one_on_a_cut_is_not():
    from offloadsim.plots.split_cuts import mixed_cuts

    def tasks(bandwidth: str, cuts: dict[int, int]) -> pd.DataFrame:
        depths = [c for c, n in cuts.items() for _ in range(n)]
        return pd.DataFrame({KEY: bandwidth, "split": depths, "replication": np.arange(len(depths)) % 2})

    done = pd.concat(
        [
            tasks("5.85 Mbps", {0: 46, 38: 1}),  # VGG-16: a mean of 0.8, which no task ran
            tasks("15 Mbps", {3: 2350, 20: 1}),  # a mean of 3.007: the cut 2,350 tasks took
            tasks("1.1 Mbps", {38: 40}),
        ]
    )
    assert mixed_cuts(done, KEY, None) == {("", "5.85 Mbps"): [(0, 46), (38, 1)]}


def test_a_split_figure_whose_tasks_each_point_took_one_cut_says_nothing_of_circles(neurosurgeon):
    fig = plots.plot_results(neurosurgeon, "split", by=CODEC, where={"app": "alexnet", KEY: "1.1 Mbps"})
    assert not _circles(fig.axes[0])
    assert "circles" not in fig.texts[-1].get_text()


def _interval_note(fig) -> str:
    return next(line for line in fig.texts[-1].get_text().splitlines() if "95 % CI" in line)


@pytest.mark.parametrize("kind", ["split", "sweep"])
def test_a_lone_x_value_draws_its_interval_as_an_error_bar_and_says_so(neurosurgeon, kind):
    where = {CODEC: "int8", KEY: "5.85 Mbps"}
    fig = plots.plot_results(neurosurgeon, kind, by="app", where=where)
    ax = fig.axes[0]
    bars = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    assert len(bars) == 2, "one error bar per application at the lone bandwidth"
    said = _interval_note(fig)
    assert said.startswith(("mean split per run; error bars", "error bars")), said
    # The same point among its neighbours keeps its band, and the note its word.
    fig = plots.plot_results(neurosurgeon, kind, by="app", where={CODEC: "int8"})
    assert not [c for c in fig.axes[0].containers if isinstance(c, ErrorbarContainer)]
    assert "bands: 95 % CI" in _interval_note(fig)


def test_a_lone_error_bar_is_data_its_line_owns_for_labels_and_legends(neurosurgeon):
    fig = plots.plot_results(neurosurgeon, "sweep", by="app", where={CODEC: "int8", KEY: "5.85 Mbps"})
    ax = fig.axes[0]
    bar = next(c for c in ax.containers if isinstance(c, ErrorbarContainer))
    whisker = bar.lines[2][0].get_window_extent(laid_out(ax))
    assert set(lines_under_box(ax, whisker)) & {"alexnet", "vgg16"}


def test_an_all_local_label_with_no_clear_corner_goes_over_a_band_not_a_line():
    """Every corner of the line covers something; the label goes where it hides only shade."""
    from matplotlib.figure import Figure

    from offloadsim.plots.sweep_lines import all_local_latency_lines

    fig = Figure(figsize=(4.5, 3.2))
    ax = fig.add_subplot()
    x = np.array([0.5, 1.1, 3.0, 5.85])
    # The slow uplink's wide band on the left, three lines crossing the all-local 372 ms on the right.
    ax.fill_between(x[:3], [100, 100, 100], [80_000, 60_000, 1000], color="tab:green", alpha=0.2, linewidth=0)
    for name, tail, colour in (
        ("none", [420, 400], "tab:blue"),
        ("fp16", [380, 210], "tab:orange"),
        ("int8", [250, 130], "tab:green"),
    ):
        ax.plot(x, [50_000, 13_000, *tail], label=name, color=colour)
    ax.set_yscale("log")
    ax.set_ylim(90, 100_000)
    tasks = pd.DataFrame(
        {
            "app": ["alexnet"],
            "status": ["completed"],
            "placement": ["phone"],
            "source": ["phone"],
            "compute_time": [0.372],
            "reason": [""],
        }
    )
    all_local_latency_lines(ax, tasks)
    label = next(t for t in ax.texts if "372 ms" in t.get_text())
    box = label.get_bbox_patch().get_window_extent(laid_out(ax))
    covered = [name for name in lines_under_box(ax, box) if not name.startswith("_")]
    lines = {"none", "fp16", "int8"}
    for band in ax.collections:  # the lines it covers, not the shade
        band.set_visible(False)
    assert not set(lines_under_box(ax, box)) & lines, covered


def test_series_whose_tasks_cut_alike_at_a_point_are_named_together():
    from matplotlib.figure import Figure

    from offloadsim.plots.split_cuts import draw_cuts, mixed_cuts_note

    depths = [0] * 46 + [38]
    done = pd.concat(
        [
            pd.DataFrame({CODEC: codec, KEY: "5.85 Mbps", "split": depths, "replication": 0})
            for codec in ("none", "int8")
        ]
    )
    ax = Figure().add_subplot()
    colours = {"none": "tab:blue", "int8": "tab:green"}
    draw_cuts(ax, done, KEY, CODEC, {"5.85 Mbps": 5.85}, {"5.85 Mbps": "5.85 Mbit/s"}, colours)
    # a circle set each, solid at layer 0, and dashed at 38 (1 of 47 tasks: drawn at the least size)
    assert len([c for c in ax.collections if c.get_label() == "_cuts"]) == 4
    note = mixed_cuts_note([ax])
    assert note.endswith(": none, int8 at 5.85 Mbit/s, 46 tasks at layer 0, 1 at 38"), note


def _switching_tasks() -> pd.DataFrame:
    """local runs AlexNet whole (20 layers) at every bandwidth; neurosurgeon switches between cuts.

    At 8 Mbit/s 15 % of its tasks run whole, on the spot of local's marker; at 20 Mbit/s 75 % offload
    everything (depth 0), at the foot of the axis.
    """
    rows = []
    plan = {
        "local": {bw: [(20, 40)] for bw in (1, 5, 8, 20, 50)},
        "neurosurgeon": {1: [(20, 40)], 5: [(3, 31), (20, 9)], 8: [(3, 34), (20, 6)], 20: [(0, 30), (3, 10)]}
        | {50: [(0, 40)]},
    }
    for policy, points in plan.items():
        for bw, cuts in points.items():
            for rep in range(3):
                for depth, n in cuts:
                    rows += [
                        {
                            "policy": policy,
                            KEY: bw * 1e6,
                            "replication": rep,
                            "status": "completed",
                            "split": depth,
                        }
                    ] * n
    return pd.DataFrame(rows)


def test_a_circle_rings_the_marker_it_sits_on_and_clears_the_axis_edge():
    """A circle of neurosurgeon's tasks run whole (depth 20) at 8 Mbit/s lay on local's marker there, its
    ring on the marker's outline; one of depth 0 was cut by the x axis: figure_problems named neither."""
    from offloadsim.plots.checks import figure_problems
    from offloadsim.plots.split_cuts import least_share, mixed_cuts_note
    from offloadsim.plots.style import house_style

    fig, ax = plots.new_axes((3.4, 2.0))  # a panel as short as the gallery's, under its notes
    plots.split_vs_parameter(
        _switching_tasks(), KEY, ax=ax, log_x=True, order=["local", "neurosurgeon"], label="uplink"
    )
    ax.set_ylabel("layers on the device")  # the axis label within so short a panel
    circles = [c for c in ax.collections if c.get_label() == "_cuts"]
    # at 5, 8 and 20 Mbit/s, and apart the 22 % of 5 Mbit/s and the 15 % of 8: at the least size, dashed
    assert len(circles) == 5
    assert figure_problems(fig) == []
    # The 15 % circle is drawn larger than its share, and the note says so, not that its area is the share.
    with house_style():  # the figure's marker size
        least = least_share()
    assert 0.15 < least < 0.3
    note = mixed_cuts_note([ax])
    shown = f"{least * 100:.0f} %"
    assert f"(area: share of its tasks; dashed: a share under {shown}, drawn at {shown})" in note


def test_a_tiny_share_is_drawn_dashed_apart_from_the_shares_drawn_to_size():
    """A 0.4 % share was drawn as large as the 29 % beside it, under "(area: ..., at least 25 %)"."""
    from offloadsim.plots.split_cuts import least_share
    from offloadsim.plots.style import house_style

    rows = []
    plan = {
        "local": {bw: [(20, 250)] for bw in (1, 5, 20)},
        "neurosurgeon": {5: [(3, 177), (20, 72), (0, 1)]},
    }
    plan["neurosurgeon"] |= {1: [(20, 250)], 20: [(0, 250)]}
    for policy, points in plan.items():
        for bw, cuts in points.items():
            for depth, n in cuts:
                rows += [
                    {"policy": policy, KEY: bw * 1e6, "replication": 0, "status": "completed", "split": depth}
                ] * n
    _fig, ax = plots.new_axes((3.4, 2.4))
    plots.split_vs_parameter(pd.DataFrame(rows), KEY, ax=ax, log_x=True, order=["local", "neurosurgeon"])
    solid, dashed = [c for c in ax.collections if c.get_label() == "_cuts"]
    with house_style():
        least = least_share()
    shares = {177 / 250: False, 72 / 250: False, 1 / 250: True}
    assert sorted(solid.get_sizes() / 160) == pytest.approx(sorted(s for s, d in shares.items() if not d))
    assert dashed.get_sizes() / 160 == pytest.approx([least])  # 0.4 %: drawn at the least size
    assert solid.get_linestyle()[0][1] is None and dashed.get_linestyle()[0][1] is not None


def test_the_checks_name_a_ring_lost_on_a_marker_and_a_circle_cut_by_the_edge():
    from matplotlib.figure import Figure

    from offloadsim.plots.checks import figure_problems

    fig = Figure(figsize=(3, 2))
    ax = fig.add_subplot()
    ax.plot([1, 2, 3], [1, 2, 3], marker="o", label="filled")
    ax.scatter([2], [2], s=16, facecolors="none", edgecolors="k", label="ring")  # 4 pt across: on the marker
    ax.scatter([3], [1], s=400, facecolors="none", edgecolors="k", label="wide")  # 20 pt across
    ax.set_xlim(0, 4)
    ax.set_ylim(0.9, 4)
    problems = figure_problems(fig)
    assert "the axes: the hollow marker of 'ring' at (2, 2) is lost on the marker of 'filled': " in "".join(
        problems
    )
    assert "the axes: the marker of 'wide' at (3, 1) is cut by the axes' edge" in problems
    ax.collections[0].set_sizes([100])  # 10 pt across: round the marker, white between
    ax.set_ylim(0, 4)
    assert figure_problems(fig) == []


def test_a_point_of_thousands_of_tasks_writes_its_counts_with_separators():
    """The circle note said "1839 tasks" under a figure whose ticks write 1,839."""
    from matplotlib.figure import Figure

    from offloadsim.plots.split_cuts import draw_cuts, mixed_cuts_note

    depths = [0] * 1839 + [38] * 1200
    done = pd.DataFrame({CODEC: "none", KEY: "5.85 Mbps", "split": depths, "replication": 0})
    ax = Figure().add_subplot()
    draw_cuts(ax, done, KEY, CODEC, {"5.85 Mbps": 5.85}, {"5.85 Mbps": "5.85 Mbit/s"}, {"none": "tab:blue"})
    note = mixed_cuts_note([ax])
    assert note.endswith(": none at 5.85 Mbit/s, 1,839 tasks at layer 0, 1,200 at 38"), note
