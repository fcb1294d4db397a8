"""Axes and ticks: log or linear, tick labels that never collide, panels that share a quantity's range,
and tick labels tilted or figures widened where they do not fit."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd
import pytest
from figure_checks import check_readable
from figure_helpers import _footnote, check_figure
from matplotlib.axes import Axes
from matplotlib.container import BarContainer

from offloadsim import plots
from offloadsim.experiments import ExperimentError, read_results, sweep
from offloadsim.plots.axes import laid_out, log_axis, value_ticks


def test_log_axes_from_the_command_line(sweep_results, cli_main, tmp_path, capsys):
    fig = plots.plot_results(sweep_results, "sweep", logy=True, logx=False)
    assert fig.axes[0].get_yscale() == "log" and fig.axes[0].get_xscale() == "linear"
    out = tmp_path / "fig"
    assert cli_main(["plot", str(sweep_results.path), "--kind", "sweep", "--logy", "--out", str(out)]) == 0
    assert cli_main(["plot", str(sweep_results.path), "--kind", "cdf", "--logy"]) == 2
    assert "--logy does not apply to --kind cdf" in capsys.readouterr().err


def test_bars_are_never_drawn_on_a_log_axis(compare_results, tmp_path):
    fig = plots.plot_results(compare_results, "bars", logy=True)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    assert not [c for c in ax.containers if isinstance(c, BarContainer)], "dots and CIs, not bars"
    assert len(ax.lines) >= 2  # one marker per policy
    linear = plots.plot_results(compare_results, "bars").axes[0]
    assert [c for c in linear.containers if isinstance(c, BarContainer)] and linear.get_ylim()[0] == 0
    check_figure(fig, tmp_path, "bars")


def test_a_narrow_log_axis_over_several_decades_keeps_decade_ticks():
    """A trial's energy figure, its legend beside a one-column axes, got ticks 0, 200000, 400000 on a
    log axis from 61 to 414,766 ms: one label, and no decade a reader could read the scale from."""
    fig, ax = plots.new_axes((1.4, 2.0))
    ax.plot([61, 414_766], [1, 2])
    log_axis(ax, "x")
    ax.set_xlim(61, 414_766)
    fig.canvas.draw()
    ticks = [t for t in ax.get_xticks() if 61 <= t <= 414_766]
    assert ticks and all(np.isclose(np.log10(t), round(np.log10(t))) for t in ticks), ticks
    assert len(ticks) >= 3
    assert len([t for t in ax.get_xticklabels() if t.get_text()]) >= 2


def test_log_and_linear_axes_write_large_tick_labels_one_way():
    """A log axis read 10000 where a linear one of the same figure (and its notes) wrote 10,000."""
    fig, (log, linear, swept) = plots.new_axes("two-column", ncols=3)
    for ax in (log, linear):
        ax.plot([1, 30_000], [1, 30_000])
    log_axis(log, "x")
    swept.set_xscale("log")
    value_ticks(swept, "x", [1_000, 20_000, 300_000])
    with plots.house_style():
        fig.draw_without_rendering()
    texts = {name: [t.get_text() for t in ax.get_xticklabels() if t.get_text()] for name, ax in
             (("log", log), ("linear", linear), ("swept", swept))}  # fmt: skip
    assert "20,000" in texts["linear"], texts
    # One way for every number of four digits or more: a trial's sweep figure read 1000 and 10,000
    # on its axes and 10000 Mbit/s in its notes.  A narrow panel leaves off a label that would
    # collide (1,000 is wider than 1000), never writes one another way.
    assert not [t for ts in texts.values() for t in ts if re.search(r"\d{4}", t)], texts
    assert texts["swept"][0] == "1,000" and texts["swept"][-1] == "300,000", texts
    assert "1,000" in texts["log"], "a decade of four digits keeps its room on a narrow panel"


def test_a_log_axis_writes_a_million_as_it_writes_a_hundred_thousand():
    """A sweep's latency axis read ``1e+06`` above ``100,000``: two ways of writing numbers on one axis."""
    fig, ax = plots.new_axes("one-column")
    ax.plot([1.0, 2.0], [900.0, 2_000_000.0])
    log_axis(ax, "y")
    with plots.house_style():
        fig.draw_without_rendering()
    texts = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert "1,000,000" in texts and "100,000" in texts, texts
    assert not [t for t in texts if "e" in t], texts


def test_many_swept_values_get_ticks_whose_labels_never_collide(tmp_path):
    values = ["1 Mbps", "2 Mbps", "5 Mbps", "8 Mbps", "10 Mbps", "15 Mbps", "20 Mbps", "50 Mbps", "80 Mbps",
              "100 Mbps", "200 Mbps", "500 Mbps"]  # fmt: skip
    metrics = pd.DataFrame(
        {"bw": np.repeat(values, 2), "replication": [0, 1] * 12, "latency_mean_s": np.linspace(1, 0.01, 24)}
    )
    fig, ax = plots.new_axes("one-column")
    plots.metric_vs_parameter(metrics, "latency_mean_s", "bw", by=None, ax=ax)
    assert ax.get_xscale() == "log"
    assert len(ax.get_xticks()) == 12, "a tick mark at every swept value"
    shown = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert {"1", "10", "100", "500"} <= set(shown) and len(shown) < 12
    check_readable(fig)


def test_an_interval_cut_at_zero_on_a_log_axis_is_said(compare_results):
    """A CI reaching 0 cannot end on a log axis: its arm runs off it, and the figure says so."""

    metrics = compare_results.metrics.copy()
    edge = (metrics["policy"] == "edge").to_numpy()
    metrics.loc[edge, "latency_p95_s"] = np.where(metrics.loc[edge, "replication"] == 0, 1e-3, 1.0)
    spread = dataclasses.replace(compare_results, metrics=metrics)
    assert "runs on to 0" in _footnote(plots.plot_results(spread, "bars", logy=True))
    linear = plots.plot_results(spread, "bars", logy=False)
    assert "runs on to 0" not in _footnote(linear)  # bars from 0 show it
    assert "runs on to 0" not in _footnote(plots.plot_results(compare_results, "bars", logy=True))


def _y_scale(figure):
    return figure.axes[0].get_yscale()


@pytest.mark.parametrize("kind", ["bars", "sweep"])
def test_values_far_apart_get_a_log_axis_unless_asked_otherwise(compare_results, sweep_results, kind):
    """Bars of 1 ms and 150 ms on a linear axis showed one bar: the default axis follows the data."""
    results = compare_results if kind == "bars" else sweep_results
    metrics = results.metrics.copy()
    first = (metrics["policy"] == metrics["policy"].iloc[0]).to_numpy()
    metrics.loc[first, "latency_p95_s"] = metrics.loc[~first, "latency_p95_s"].min() / 150
    wide = dataclasses.replace(results, metrics=metrics)
    assert _y_scale(plots.plot_results(wide, kind, metric="latency_p95_s")) == "log"
    assert _y_scale(plots.plot_results(wide, kind, metric="latency_p95_s", logy=False)) == "linear"
    narrow = metrics.assign(latency_p95_s=np.linspace(1.0, 9.0, len(metrics)))
    narrow_results = dataclasses.replace(results, metrics=narrow)
    assert _y_scale(plots.plot_results(narrow_results, kind, metric="latency_p95_s")) == "linear"


@pytest.mark.parametrize(
    ("values", "scale"),
    [
        (["1 Mbps", "10 Mbps", "100 Mbps", "1000 Mbps"], "log"),  # three decades
        (["5 Mbps", "20 Mbps", "50 Mbps"], "log"),  # exactly 10x
        (["5 Mbps", "20 Mbps", "45 Mbps"], "linear"),  # 9x
        (["10 ms", "20 ms", "40 ms"], "linear"),
        (["0 ms", "10 ms", "1000 ms"], "linear"),  # through 0: no log axis can show it
    ],
)
def test_a_swept_axis_is_log_from_ten_times_its_smallest_value(values, scale):
    """A sweep of 1 to 1000 Mbit/s on a linear axis squeezed 1-100 into its first tenth."""
    metrics = pd.DataFrame(
        {
            "bw": np.repeat(values, 2),
            "replication": [0, 1] * len(values),
            "latency_mean_s": np.linspace(0.1, 0.2, 2 * len(values)),
        }
    )
    _fig, ax = plots.new_axes("one-column")
    plots.metric_vs_parameter(metrics, "latency_mean_s", "bw", by=None, ax=ax)
    assert ax.get_xscale() == scale
    split = metrics.assign(split=3, policy="p").rename(columns={"latency_mean_s": "latency"})
    _fig, ax = plots.new_axes("one-column")
    plots.split_vs_parameter(split, "bw", ax=ax, layers=5)
    assert ax.get_xscale() == scale


def test_a_percentage_keeps_its_linear_axis_however_far_apart(compare_results):
    metrics = compare_results.metrics.assign(deadline_miss_rate=0.001)
    metrics.loc[metrics["policy"] == "local", "deadline_miss_rate"] = 0.9
    results = dataclasses.replace(compare_results, metrics=metrics)
    assert _y_scale(plots.plot_results(results, "bars", metric="deadline_miss_rate")) == "linear"


def test_a_log_axis_over_less_than_a_factor_of_two_gets_several_labelled_ticks():
    fig, ax = plots.new_axes("one-column")
    ax.plot([1.0, 2.0], [980.0, 1220.0])
    log_axis(ax, "y")
    check_readable(fig)
    labels = [
        t.get_text() for t in ax.get_yticklabels() if t.get_text() and 980 <= t.get_position()[1] <= 1220
    ]
    assert len(labels) >= 2


def test_a_log_axis_reaches_a_labelled_tick_beyond_its_data_at_each_end():
    """The energy figure's latency axis began at 16 ms, its first label 20: its leftmost marker
    (18.7 ms) sat left of every label. Another began at 51.1 ms, its tick at 50 just outside, its
    leftmost markers half a decade left of the first label (100)."""

    def labelled(ax: Axes) -> list[float]:
        return [t.get_position()[0] for t in ax.get_xticklabels() if t.get_text()]

    for data, end in (([18.7, 40.0, 400.0, 1400.0], 10.0), ([60.0, 80.0, 400.0, 1500.0], 50.0)):
        fig, ax = plots.new_axes("one-column")
        ax.errorbar(data, [10.0, 20.0, 200.0, 1000.0])
        log_axis(ax, "x")
        check_readable(fig)
        assert ax.get_xlim()[0] == end and min(labelled(ax)) == end, (ax.get_xlim(), labelled(ax))
        assert max(labelled(ax)) >= max(data) and ax.get_xlim()[1] == 2000.0
    # where the margin already holds a 1, 2 or 5 beyond the data, the view stays
    fig, ax = plots.new_axes("one-column")
    ax.plot([21.0, 900.0], [1.0, 2.0])
    log_axis(ax, "x")
    check_readable(fig)
    assert 15.0 < ax.get_xlim()[0] < 20.0 and 1000.0 < ax.get_xlim()[1] < 1100.0, ax.get_xlim()
    assert min(labelled(ax)) == 20.0 and max(labelled(ax)) == 1000.0, labelled(ax)
    # and limits a chart set stay as set
    fig, ax = plots.new_axes("one-column")
    ax.plot([55.0, 1900.0], [1.0, 2.0])
    ax.set_xlim(51.4, 2010.0)
    log_axis(ax, "x")
    fig.canvas.draw()
    assert ax.get_xlim() == (51.4, 2010.0)


def test_a_log_y_axis_of_bars_has_a_label_below_its_lowest_point(compare_results):
    """The gallery's p95 bars put the cloud's dot (157 ms) below the axis' lowest label (200) (the test
    draws medians, whose lowest dot the old view also left below every label): the chart sets its
    log view itself, 1.3 times beyond the data, and it ended between ticks."""
    fig = plots.plot_results(compare_results, "bars", metric="latency_p50_s", logy=True)
    check_readable(fig)
    ax = fig.axes[0]
    low, high = ax.get_ylim()
    labelled = [
        t.get_position()[1]
        for t in ax.get_yticklabels()
        if t.get_text() and low <= t.get_position()[1] <= high
    ]
    points = [y for line in ax.lines for y in np.asarray(line.get_ydata(), dtype=float) if np.isfinite(y)]
    assert labelled and min(labelled) <= min(points), (ax.get_ylim(), labelled, min(points))


def test_a_sweeps_log_y_axis_has_a_label_below_its_lowest_point_and_keeps_its_1_2_5_labels():
    """The gallery's split figure put neurosurgeon's 19 ms below the latency axis' lowest label (20):
    the chart sets its log view itself (the lowest point / 1.3). Reaching 10 there had left only 10,
    100 and 1000 labelled where 20, 50...2000 had been: a y label's height (its type's) was measured
    against five sixths of the axis."""
    bandwidths = ["1 Mbps", "5 Mbps", "20 Mbps", "100 Mbps", "500 Mbps"]
    latency = {"edge": [1.4, 0.9, 0.32, 0.06, 0.0186], "local": [0.48] * 5}
    rows = [
        {"policy": policy, "bw": bw, "replication": r, "latency_mean_s": value * (1 + 0.001 * r)}
        for policy, values in latency.items()
        for bw, value in zip(bandwidths, values, strict=True)
        for r in range(3)
    ]
    fig, ax = plots.new_axes((3.6, 1.7))  # room for 1, 2, 5 per decade, as measured; not with a sixth off
    plots.metric_vs_parameter(pd.DataFrame(rows), "latency_mean_s", "bw", ax=ax, log_y=True)
    check_readable(fig)
    low, high = ax.get_ylim()
    labelled = [
        t.get_position()[1]
        for t in ax.get_yticklabels()
        if t.get_text() and low <= t.get_position()[1] <= high
    ]
    lowest = min(float(np.nanmin(line.get_ydata())) for line in ax.get_lines())
    assert min(labelled) <= lowest, (ax.get_ylim(), labelled, lowest)
    assert labelled == [10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0], labelled


def test_log_tick_labels_that_would_collide_keep_the_decades(tmp_path):
    fig, ax = plots.new_axes((1.2, 1.5))
    ax.plot([60.0, 1300.0], [1.0, 2.0])
    log_axis(ax, "x")
    check_readable(fig)
    shown = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert "100" in shown and "1,000" in shown and len(shown) < 5


@pytest.mark.parametrize(
    ("kind", "facet", "shared"),
    [
        ("cdf", "links[0].bandwidth", "x"),
        ("bars", "links[0].bandwidth", "y"),
        ("utilisation", "links[0].bandwidth", "y"),
        ("sweep", "policy", "xy"),
        ("energy", "policy", "xy"),
    ],
)
def test_faceted_panels_share_each_quantity_axis_range(sweep_results, kind, facet, shared):
    fig = plots.plot_results(sweep_results, kind, facet=facet)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) > 1
    for direction in shared:
        ranges = {ax.get_xlim() if direction == "x" else ax.get_ylim() for ax in axes}
        assert len(ranges) == 1, f"{kind} panels differ on {direction}: {sorted(ranges)}"
    assert len({(ax.get_xscale(), ax.get_yscale()) for ax in axes}) == 1, "one scale on every panel"


def test_one_panel_wide_enough_for_a_log_axis_gives_every_panel_one(sweep_results):
    # At 5 Mbps local latencies span three decades and the edge's less than one: alone, the edge's
    # panel would be drawn on a linear axis beside the local's log one.
    where = {"links[0].bandwidth": "5 Mbps"}
    alone = plots.plot_results(sweep_results, "cdf", where={**where, "policy": "edge"})
    assert alone.axes[0].get_xscale() == "linear"
    fig = plots.plot_results(sweep_results, "cdf", facet="policy", where=where)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_xscale() for ax in axes] == ["log", "log"]
    # The edge's decade is under half of the three both panels span: each keeps its own x range, said.
    assert len({ax.get_xlim() for ax in axes}) == 2
    assert "x axes differ" in _footnote(fig)
    assert all(ax.lines for ax in axes), "the panels were drawn again on the log axis"


def test_a_metric_with_zeros_keeps_its_linear_axis_and_a_log_one_is_refused(compare_results):
    """A wait of 0 beside waits 100x apart chose a log axis and failed: 'yerr' must not contain ..."""
    metrics = compare_results.metrics.copy()
    local = (metrics["policy"] == "local").to_numpy()
    metrics["wait_mean_s"] = np.where(local, 0.0, np.linspace(0.001, 0.5, len(metrics)))
    results = dataclasses.replace(compare_results, metrics=metrics)
    assert _y_scale(plots.plot_results(results, "bars", metric="wait_mean_s")) == "linear"
    with pytest.raises(ExperimentError, match=r"a log axis cannot show a mean of 0 or less \(local\)"):
        plots.plot_results(results, "bars", metric="wait_mean_s", logy=True)


@pytest.mark.parametrize(
    ("values", "unit", "ticks"),
    [
        (["45 s", "55 s", "70 s"], "(s)", [45.0, 55.0, 70.0]),  # read 45000, 55000, 70000 ms
        (["5 ms", "20 ms", "1 s"], "(ms)", [5.0, 20.0, 1000.0]),
    ],
)
def test_a_swept_time_is_shown_in_seconds_where_it_runs_to_tens_of_seconds(values, unit, ticks):
    """An outage ended at 45, 55 or 70 s had its axis labelled "edge back up at (ms)", 45000 to 70000."""
    metrics = pd.DataFrame(
        {"at": np.repeat(values, 2), "replication": [0, 1] * 3, "latency_mean_s": np.linspace(0.1, 0.2, 6)}
    )
    ax = plots.metric_vs_parameter(metrics, "latency_mean_s", "at", by=None, label="edge back up at")
    assert ax.get_xlabel() == f"edge back up at {unit}"
    assert sorted(ax.get_xticks()) == pytest.approx(ticks)


@pytest.fixture(scope="module")
def swept_processor(tmp_path_factory):
    """The tiny scenario with the phone's processor swept as a mapping: long values for a tick."""
    from experiment_data import TINY

    folder = tmp_path_factory.mktemp("plots-processor")
    (folder / "tiny.yaml").write_text(TINY.replace("duration: 20 s", "duration: 4 s"), encoding="utf-8")
    (folder / "sweep.yaml").write_text(
        "base: tiny.yaml\n"
        "grid:\n"
        "  nodes.phone.processor: [{speed: 10 GFLOP/s}, {speed: 4 TFLOP/s, memory_bandwidth: 50 GB/s}]\n"
        "policies: [local, edge, least-loaded]\n"
        "replications: 2\n",
        encoding="utf-8",
    )
    sweep(folder / "sweep.yaml", out=folder / "sweep", workers=1)
    return read_results(folder / "sweep")


@pytest.mark.parametrize("logy", [False, True])
def test_bars_by_a_long_key_and_policy_have_legible_ticks(swept_processor, logy):
    """A bar per combination named "{memory_bandwidth: 50 GB/s, speed: 4 TFLOP/s}, edge" on its tick
    ran into its neighbours (and squeezed the axes to nothing): a cluster per processor, a bar per policy."""
    fig = plots.plot_results(swept_processor, "bars", by="nodes.phone.processor,policy", logy=logy)
    check_readable(fig)
    ax = fig.axes[0]
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert len(ticks) == 2 and all("local" not in t for t in ticks)
    assert "{memory_bandwidth: 50 GB/s,\nspeed: 4 TFLOP/s}" in ticks
    legend = ax.get_legend()
    assert legend is not None and [t.get_text() for t in legend.get_texts()] == [
        "local",
        "edge",
        "least-loaded",
    ]
    assert ax.get_xlabel() == "phone processor"


def test_the_reviewer_refuses_tick_labels_that_overlap():
    fig, ax = plots.new_axes("one-column")
    ax.bar(range(4), [1, 2, 3, 4])
    ax.set_xticks(range(4), ["{memory_bandwidth: 50 GB/s, speed: 4 TFLOP/s}, edge"] * 4)
    from offloadsim.plots.checks import figure_problems

    assert any("x tick labels overlap" in problem for problem in figure_problems(fig))


def test_bars_whose_labels_are_too_wide_for_their_ticks_are_tilted_under_them():
    """A comparison of parameterised policies labelled each bar under it, and the labels ran together.

    A legend in the ticks' place (as before) left the axis with no tick, and over nine policies sat
    over the value labels (the instructor trial): the labels are tilted under their bars instead.
    """
    from offloadsim.plots.checks import figure_problems

    def bars(labels):
        metrics = pd.DataFrame(
            [
                {"policy": p, "replication": r, "device_energy_mean_j": 0.1 + 0.01 * i + 0.001 * r}
                for i, p in enumerate(labels)
                for r in range(3)
            ]
        )
        return plots.metric_bars(metrics, "device_energy_mean_j")

    long = ["local", "edge", "neurosurgeon(objective=energy)", "neurosurgeon"]
    ax = bars(long)
    assert figure_problems(ax.get_figure()) == []
    assert ax.get_legend() is None
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "local",
        "edge",
        "neurosurgeon\n(objective=energy)",
        "neurosurgeon",
    ]
    assert {t.get_rotation() for t in ax.get_xticklabels()} == {90.0}
    assert ax.get_xlabel() == "policy"
    # Names that fit once broken before their parameters stay under their bars (a compare of
    # edge, least-loaded, round-robin and neurosurgeon(load_aware=true) had a legend instead).
    compared = ["edge", "least-loaded", "round-robin", "neurosurgeon(load_aware=true)"]
    ax = bars(compared)
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == [*compared[:3], "neurosurgeon\n(load_aware=true)"]
    assert ax.get_legend() is None
    assert ax.get_xlabel() == "policy"
    assert figure_problems(ax.get_figure()) == []
    # Labels that fit stay under their bars, with no legend (the gallery's policy bars).
    short = ["local", "edge", "cloud", "least-loaded"]
    ax = bars(short)
    assert [t.get_text() for t in ax.get_xticklabels()] == short
    assert ax.get_legend() is None
    # ... also in a panel of two, linear and log, as the gallery draws them: an estimate from the
    # axes' place before layout had put these four names in a legend, the log panel's axis
    # stretched to 20,000 ms to make room for it.
    metrics = pd.DataFrame(
        [
            {"policy": p, "replication": r, "latency_p95_s": 0.1 * (i + 1) + 0.001 * r}
            for i, p in enumerate(short)
            for r in range(3)
        ]
    )
    fig, (left, right) = plots.new_axes("two-column", ncols=2)
    plots.metric_bars(metrics, "latency_p95_s", ax=left, log_y=True, order=short)
    plots.metric_bars(metrics, "latency_p95_s", ax=right, order=short)
    for panel in (left, right):
        assert [t.get_text() for t in panel.get_xticklabels()] == short
        assert panel.get_legend() is None
    assert not [p for p in figure_problems(fig) if "tick labels overlap" in p]


def test_laying_a_figure_out_takes_only_matplotlib_s_collapse_warning():
    """keep_panels_tall recorded every warning its drawing gave and dropped all but the layout's
    collapse (laid_out passed them on): a glyph missing from the font went unsaid. Both now take the
    collapse alone, under an "error" filter too, and keep_panels_tall still grows a collapsed figure."""
    import warnings

    from matplotlib.artist import Artist

    from offloadsim.plots.axes import keep_panels_tall

    class Warns(Artist):
        def draw(self, renderer):
            warnings.warn("drawn with a warning", UserWarning, stacklevel=1)

    for lay_out in (keep_panels_tall, lambda fig: laid_out(fig.axes[0])):
        fig, _ = plots.new_axes("one-column")
        fig.add_artist(Warns())
        with pytest.warns(UserWarning, match="drawn with a warning"):
            lay_out(fig)
    fig, _ = plots.new_axes((3.0, 1.2))
    fig.supxlabel("\n".join(["a long note under the figure"] * 12))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the collapse is taken, never raised
        assert keep_panels_tall(fig)
        laid_out(fig.axes[0])
    assert fig.axes[0].get_window_extent(laid_out(fig.axes[0])).height / fig.dpi >= 0.99


def test_a_panel_squeezed_in_width_widens_its_figure():
    """keep_panels_tall grew a collapsed figure's height only: a panel squeezed by something beside it
    (a legend wider than the figure) stayed collapsed. The figure widens until its layout holds."""
    from offloadsim.plots.axes import _draw_headless, keep_panels_tall

    fig, ax = plots.new_axes("one-column")
    ax.plot([1, 2], [1, 2], label="a series whose name is far wider than the whole figure is, " * 2)
    ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5))
    assert _draw_headless(fig), "the layout collapses at first"
    assert keep_panels_tall(fig)
    assert not _draw_headless(fig), "a layout that holds the legend beside the panel"
    assert ax.get_window_extent(laid_out(ax)).width / fig.dpi >= 0.5
