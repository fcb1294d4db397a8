"""Energy figures: markers, line-end labels that stay apart and readable, and notes on power."""

from __future__ import annotations

import dataclasses
import re

import matplotlib
import numpy as np
import pandas as pd
import pytest
from figure_checks import check_readable, labelled_ends
from figure_helpers import _footnote, check_figure, legend_texts

from offloadsim import plots
from offloadsim.experiments import ExperimentError, compare, read_results, sweep
from offloadsim.plots.axes import laid_out


def test_an_energy_series_per_value_of_the_default_x_draws_a_marker_per_value(sweep_results, tmp_path):
    """``--kind energy --by 'links[0].bandwidth'`` made that key the x axis too: pandas' "not unique", exit 2.

    A series per bandwidth is what was asked for, so the bandwidth is not also taken as the key that
    joins a series' markers: a marker per bandwidth, none joined.  Named as --x too, it is refused.
    """
    fig = plots.plot_results(sweep_results, "energy", by="links[0].bandwidth", where={"policy": "edge"})
    check_figure(fig, tmp_path, "energy")
    assert legend_texts(fig)[:2] == ["5 Mbit/s", "50 Mbit/s"]
    joined = [line for ax in fig.axes for line in ax.lines if len(line.get_xdata()) > 1]
    assert not [line for line in joined if line.get_linestyle() not in ("None", "", " ")]
    with pytest.raises(ExperimentError, match=r"--by links\[0\]\.bandwidth: it is the x axis"):
        plots.plot_results(
            sweep_results, "energy", x="links[0].bandwidth", by="links[0].bandwidth", where={"policy": "edge"}
        )


def test_an_energy_sweep_over_a_key_of_no_quantity_suggests_the_x_that_draws_its_line(tmp_path):
    """A sweep of policy.cuts (a list) was refused suggesting only --by, a marker per value, unjoined."""
    from experiment_data import TINY

    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    (tmp_path / "sweep.yaml").write_text(
        "base: tiny.yaml\nset: {duration: 5 s, policy: {name: fixed, node: edge}}\n"
        "grid:\n  policy.node: [edge, $source]\n",
        encoding="utf-8",
    )
    sweep(tmp_path / "sweep.yaml", out=tmp_path / "sweep", workers=1)
    results = read_results(tmp_path / "sweep")
    with pytest.raises(
        ExperimentError, match=r"draw a line through its values with --x policy\.node, or"
    ) as caught:
        plots.plot_results(results, "energy")
    key = re.search(r"with --x (\S+),", str(caught.value)).group(1)
    fig = plots.plot_results(results, "energy", x=key)  # the command suggested draws
    check_figure(fig, tmp_path, "energy")
    joined = [line for ax in fig.axes for line in ax.lines if line.get_linestyle() not in ("None", "", " ")]
    assert [len(line.get_xdata()) for line in joined] == [2], "one line through the two values"


def test_energy_labels_stay_inside_the_axes_and_apart(tmp_path):
    rows = []
    for policy, (lat, eng) in {"local": (0.5, 1.1), "edge": (1.0, 1.2), "split": (0.2, 0.3)}.items():
        for i, bw in enumerate(["10 Mbps", "20 Mbps", "50 Mbps", "100 Mbps", "500 Mbps"]):
            for rep in (0, 1):
                shrink = 1.0 if policy == "local" else 1 / (i + 1)
                rows.append(
                    {"policy": policy, "bw": bw, "replication": rep}
                    | {"latency_mean_s": lat * shrink, "device_energy_mean_j": eng * shrink}
                )
    fig, ax = plots.new_axes("one-column-tall")
    plots.energy_latency(pd.DataFrame(rows), x="bw", ax=ax)
    assert ax.texts, "the ends of each line are labelled"
    assert all("Mbit/s" in t.get_text() for t in ax.texts), "labels in display units"
    check_readable(fig)


def test_an_energy_label_is_never_beside_another_series_marker(tmp_path):
    """sweep-bandwidth's figure put local's "2–100 Mbit/s" by least-loaded's 2 Mbit/s marker, and
    least-loaded's "2 Mbit/s" over local's: read naively, the two labels were swapped."""
    rows = []
    bandwidths = ["2 Mbps", "5 Mbps", "10 Mbps", "20 Mbps", "50 Mbps", "100 Mbps"]
    curves = {
        "local": [(0.86, 1.33)] * 6,
        "edge": [(1.55, 0.48), (0.38, 0.19), (0.2, 0.1), (0.13, 0.05), (0.085, 0.02), (0.073, 0.01)],
        "least-loaded": [(0.61, 1.1), (0.35, 0.24), (0.19, 0.1), (0.115, 0.05), (0.075, 0.02), (0.062, 0.01)],
    }
    for policy, points in curves.items():
        for bw, (lat, eng) in zip(bandwidths, points, strict=True):
            for rep in (0, 1):
                rows.append(
                    {"policy": policy, "bw": bw, "replication": rep}
                    | {"latency_mean_s": lat * (1 + 0.01 * rep), "device_energy_mean_j": eng}
                )
    fig, ax = plots.new_axes("one-column")
    plots.energy_latency(pd.DataFrame(rows), x="bw", ax=ax)
    from offloadsim.plots.axes import laid_out

    renderer = laid_out(ax)
    assert ax.texts
    for text in ax.texts:
        box = text.get_window_extent(renderer)
        own = ax.transData.transform(text.xy)
        for line in ax.get_lines():
            if line.get_color() == text.get_color() or line.get_marker() in ("", "None", None):
                continue
            for point in ax.transData.transform(line.get_xydata()):
                if np.hypot(*(point - own)) < 1:
                    continue  # drawn in the same place as the label's own point
                inside = box.x0 - 2 <= point[0] <= box.x1 + 2 and box.y0 - 2 <= point[1] <= box.y1 + 2
                assert not inside, f"{text.get_text()!r} sits on a marker of another series at {point}"
    check_readable(fig)


def test_energy_markers_on_the_same_spot_stay_visible_and_are_named():
    """compare-load drew cloud exactly under least-loaded: listed in the legend, missing from the axes."""
    spots = {"local": (1.6, 1.3), "cloud": (0.12, 0.05), "least-loaded": (0.12, 0.05)}
    rows = [
        {"policy": policy, "replication": rep, "latency_mean_s": lat, "device_energy_mean_j": eng}
        for policy, (lat, eng) in spots.items()
        for rep in (0, 1)
    ]
    fig, ax = plots.new_axes("one-column")
    plots.energy_latency(pd.DataFrame(rows), ax=ax)
    lines = [line for line in ax.get_lines() if line.get_marker() not in ("None", None, "", "|", "_")]
    assert len({line.get_marker() for line in lines}) == len(lines) == 3, "one shape per series"
    assert all(line.get_markerfacecolor() == "none" for line in lines), "hollow: one beneath shows"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["local", "cloud", "least-loaded (same spot as cloud)"]
    # What the tasks added to the device's idle draw, not its whole energy: the axis has room to say so.
    assert ax.get_ylabel() == "device energy per task above idle (mJ)"
    check_readable(fig)


def test_an_energy_figure_of_one_replication_draws_no_bars_in_its_legend():
    """One run has no CI ("no confidence interval drawn"), yet each legend entry drew a cross of bars."""
    rows = [
        {"app": app, "replication": 0, "latency_mean_s": lat, "device_energy_mean_j": eng}
        for app, lat, eng in (("detect", 0.002, 0.0197), ("classify", 0.315, 0.0925))
    ]
    _fig, ax = plots.new_axes("one-column")
    plots.energy_latency(pd.DataFrame(rows), by="app", ax=ax)
    assert len(ax.containers) == 2 and not any(c.has_xerr or c.has_yerr for c in ax.containers)
    assert not _legend_bars(ax)
    _fig, ax = plots.new_axes("one-column")  # two replications: a CI, so bars, and the legend shows them
    plots.energy_latency(pd.DataFrame([*rows, *({**r, "replication": 1} for r in rows)]), by="app", ax=ax)
    assert all(c.has_xerr and c.has_yerr for c in ax.containers)
    assert _legend_bars(ax)


def _legend_bars(ax) -> list:
    """The error bars the legend's entries draw (line collections among its artists)."""
    from matplotlib.collections import LineCollection

    return list(ax.get_legend().findobj(LineCollection))


def test_an_energy_figure_of_sources_without_power_says_so(tmp_path):
    """Without power: on the sources every marker sat at 0 mJ, unsaid, where the run's table asks."""
    from experiment_data import TINY

    import offloadsim

    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    bare = ["nodes.phone.power=null"]
    offloadsim.run(tmp_path / "tiny.yaml", policy="edge", overrides=bare, out=tmp_path / "bare")
    note = _footnote(plots.plot_results(read_results(tmp_path / "bare"), "energy"))
    assert "no task source has power:" in note
    offloadsim.run(tmp_path / "tiny.yaml", policy="edge", out=tmp_path / "powered")
    assert "power:" not in _footnote(plots.plot_results(read_results(tmp_path / "powered"), "energy"))


#: power: on the phones, but drawing no more than idle in any state: every task's device energy is 0.
_IDLE_POWER = "nodes.phone.power={idle: 0.5 W, busy: 0.5 W, transmit: 0.5 W, receive: 0.5 W}"


@pytest.mark.parametrize("made", ["run", "compare", "sweep"])
def test_an_energy_figure_of_powered_sources_that_drew_nothing_does_not_ask_about_power(made, tmp_path):
    """Every run's energy 0 had the note ask "do the sources have power:?" of phones that had it: the
    metrics held no count of powered sources (summary.json did). Each run's count now reaches the
    metrics the note reads; results written before it (no such column, or -1) say it is not known."""
    from experiment_data import SWEEP, TINY

    import offloadsim

    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    out = tmp_path / made
    if made == "run":
        offloadsim.run(tmp_path / "tiny.yaml", policy="edge", overrides=[_IDLE_POWER], out=out)
    elif made == "compare":
        compare(tmp_path / "tiny.yaml", ["local", "edge"], 2, workers=1, overrides=[_IDLE_POWER], out=out)
    else:
        idle = SWEEP.replace(
            "replications: 2", f"replications: 2\nset:\n  {_IDLE_POWER.replace('=', ': ', 1)}"
        )
        (tmp_path / "sweep.yaml").write_text(idle, encoding="utf-8")
        sweep(tmp_path / "sweep.yaml", out=out, workers=1)
    results = read_results(out)
    assert (results.metrics["powered_sources"] == 3).all()  # TINY's three phones
    assert (results.metrics["device_energy_mean_j"] == 0).all()
    note = " ".join(_footnote(plots.plot_results(results, "energy")).split())
    said = "no run charged a joule above idle to a device: the sources' power: draws no more than idle"
    assert said in note, note
    assert "do the sources have power" not in note
    for older in (
        results.metrics.drop(columns="powered_sources"),
        results.metrics.assign(powered_sources=-1),
    ):
        note = " ".join(
            _footnote(plots.plot_results(dataclasses.replace(results, metrics=older), "energy")).split()
        )
        assert "whether the task sources have power: is not known" in note, note
        assert "do the sources have power" not in note


def test_a_sweep_job_file_with_a_count_of_powered_sources_edited_by_hand_is_not_reused():
    from offloadsim.analysis import catalogue
    from offloadsim.experiments.sweep_merge import _meta_problem

    meta = {"policy": "edge", "seed": 1, "metrics": dict.fromkeys(catalogue.METRICS, 0.0)}
    assert _meta_problem({**meta, "powered_sources": 3}) is None
    assert _meta_problem({**meta, "powered_sources": -1}) is None  # not known
    assert _meta_problem({**meta, "powered_sources": "three"}) == (
        'powered_sources: expected a count (-1: not known), got "three"'
    )


def _energy_by_policy(sweep_results):
    """sweep-bandwidth's shape: local's energy in a narrow band near 1 J, the edge's over two decades."""

    metrics = sweep_results.metrics.copy()
    fast = (metrics["links[0].bandwidth"] == "50 Mbps").to_numpy()
    local = (metrics["policy"] == "local").to_numpy()
    rep = metrics["replication"].to_numpy(dtype=float)
    metrics["latency_mean_s"] = np.where(local, 0.79 + 0.05 * rep, np.where(fast, 0.072, 1.25) + 0.01 * rep)
    metrics["device_energy_mean_j"] = np.where(
        local, 1.02 + 0.15 * rep, np.where(fast, 0.0097, 0.41) + 0.001 * rep
    )
    return dataclasses.replace(sweep_results, metrics=metrics)


@pytest.mark.parametrize("size", [None, "one-column"])
def test_energy_with_a_panel_per_policy_is_readable(sweep_results, size, tmp_path):
    """--kind energy --facet policy drew one legend of three identical keys, overlapping log tick labels,
    a panel with a single labelled tick, and end labels pushed out of their panels."""
    fig = plots.plot_results(_energy_by_policy(sweep_results), "energy", facet="policy", size=size)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title(loc="left") for ax in axes] == ["(a) policy = local", "(b) policy = edge"]
    assert not fig.legends and all(ax.get_legend() is None for ax in axes), (
        "the titles name each panel's one series"
    )
    colours = [
        {line.get_color() for line in ax.get_lines() if line.get_marker() not in ("|", "_")} for ax in axes
    ]
    assert colours[0] != colours[1], "a policy keeps its own colour in its panel"
    for ax in axes:
        assert ax.get_yscale() == "log"
    check_figure(fig, tmp_path, "energy")  # no overlapping or lone log ticks, no cut marker, labels inside


def test_a_series_keeps_its_legend_colour_in_a_panel_that_lacks_the_others(sweep_results):
    """A panel holding only some series restarted the colours: edge drawn in local's blue there."""

    results = _energy_by_policy(sweep_results)
    metrics = results.metrics
    gone = ((metrics["policy"] == "local") & (metrics["links[0].bandwidth"] == "50 Mbps")).to_numpy()
    fig = plots.plot_results(
        dataclasses.replace(results, metrics=metrics[~gone]), "energy", facet="links[0].bandwidth"
    )
    (legend,) = fig.legends
    keys = {
        t.get_text(): h.get_color() for h, t in zip(legend.legend_handles, legend.get_texts(), strict=True)
    }
    assert list(keys) == ["local", "edge"]
    for ax in fig.axes:
        for container in ax.containers:
            name = container.get_label()
            assert matplotlib.colors.same_color(
                container.lines[0].get_color(), np.atleast_2d(keys[name])[0]
            ), name
    check_readable(fig)


@pytest.mark.parametrize("apart", [1.05, 1.6])
def test_an_energy_line_end_left_without_a_label_is_named_under_the_axes(sweep_results, apart):
    """Two policies' lines ran side by side and one end label of each had no room: both were left
    off without a word, so a reader could not tell which end of the line was 5 Mbit/s and which 50."""
    fig, ax = _side_by_side(sweep_results, apart)
    labelled = labelled_ends(ax)
    note = _footnote(fig)
    ends = {(name, value) for name in ("local", "edge") for value in ("5 Mbit/s", "50 Mbit/s")}
    unlabelled = ends - labelled
    for name, value in ends:
        said = f"{name}'s {value}" in note
        assert said == ((name, value) in unlabelled), (name, value, note)
    # Side by side (1.05) one end of each line once had no room and was named here; since a side is
    # widened by the label's own width (bfcaef82) and a single panel keeps its height (f4dd2331),
    # every end finds room at both spacings, and none may be left off unsaid.
    assert not unlabelled, (unlabelled, note)
    _end_labels_inside_and_apart(ax)
    check_readable(fig)


@pytest.mark.parametrize("apart", [1.0, 1.01, 1.015, 1.02])
def test_an_energy_line_within_2_percent_of_another_has_each_end_labelled_or_named(sweep_results, apart):
    """Edge 2 % off local at both bandwidths: the legend said "edge (same spot as local)" and edge's
    ends had no label and no word under the axes; its 5 Mbit/s square, beside local's, read as a
    value of neither line. Each end is labelled in its line's colour, or named under the axes."""
    fig, ax = _side_by_side(sweep_results, apart)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["local", "edge (same spot as local)"], legend  # the case this test is about
    labelled = labelled_ends(ax)
    note = " ".join(_footnote(fig).split())
    for name in ("local", "edge"):
        for value in ("5 Mbit/s", "50 Mbit/s"):
            named = f"{name}'s {value}" in note or f"local's and {name}'s {value}" in note
            assert (name, value) in labelled or named, (name, value, labelled, note)
    assert ("local", "5 Mbit/s") in labelled and ("local", "50 Mbit/s") in labelled
    _end_labels_inside_and_apart(ax)
    check_readable(fig)


def _side_by_side(sweep_results, apart: float):
    """The energy figure of ``sweep_results`` with edge's line ``apart`` times local's, and its axes."""
    metrics = sweep_results.metrics.copy()
    fast = (metrics["links[0].bandwidth"] == "50 Mbps").to_numpy()
    scale = np.where(metrics["policy"] == "local", 1.0, apart) + 0.001 * metrics["replication"].to_numpy()
    metrics["latency_mean_s"] = np.where(fast, 0.40, 0.80) * scale
    metrics["device_energy_mean_j"] = np.where(fast, 0.50, 1.00) * scale
    fig = plots.plot_results(dataclasses.replace(sweep_results, metrics=metrics), "energy")
    (ax,) = (ax for ax in fig.axes if ax.get_visible())
    return fig, ax


def test_two_energy_lines_ending_on_one_spot_at_different_values_are_said(sweep_results):
    """Local's 50 Mbit/s end on edge's 5 Mbit/s end, exactly: two labels of two values beside one
    marker, with no word that the marker is both lines' ends. The note under the axes says so."""
    metrics = sweep_results.metrics.copy()
    fast = (metrics["links[0].bandwidth"] == "50 Mbps").to_numpy()
    local = (metrics["policy"] == "local").to_numpy()
    scale = 1 + 0.001 * metrics["replication"].to_numpy()
    latency = np.where(local, np.where(fast, 0.4, 0.8), np.where(fast, 1.2, 0.4))
    energy = np.where(local, np.where(fast, 0.5, 1.0), np.where(fast, 0.7, 0.5))
    metrics["latency_mean_s"], metrics["device_energy_mean_j"] = latency * scale, energy * scale
    fig = plots.plot_results(dataclasses.replace(sweep_results, metrics=metrics), "energy")
    note = " ".join(_footnote(fig).split())
    assert "lines ending on one spot: local's 50 Mbit/s and edge's 5 Mbit/s" in note, note
    check_readable(fig)


def test_energy_end_labels_are_placed_at_the_final_layout(sweep_results):
    """The labels of a one-panel figure were placed before the notes under the axes took room:
    at the final layout local's "5–50 Mbit/s" ran into edge's "5 Mbit/s"."""
    results = _energy_by_policy(sweep_results)
    fig = plots.plot_results(results, "energy")
    (ax,) = (ax for ax in fig.axes if ax.get_visible())
    # Edge's two; none on local's, which no bandwidth moves (its "5–50 Mbit/s" named no value of its own).
    assert len(ax.texts) == 2, [t.get_text() for t in ax.texts]
    _end_labels_inside_and_apart(ax)


def _end_labels_inside_and_apart(ax):
    """At the figure's final layout (the notes under the axes took room), every end label is inside
    its axes and on no other label or the legend. Measured in the house style's type, as the figure
    is saved (outside it, "serif" is another, wider type)."""
    from offloadsim.plots.axes import laid_out

    renderer = laid_out(ax)
    with plots.house_style():
        frame = ax.get_window_extent(renderer)
        legend = ax.get_legend()
        boxes = [text.get_window_extent(renderer) for text in ax.texts]
        others = [legend.get_window_extent(renderer)] if legend is not None else []
    for i, box in enumerate(boxes):
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
        assert not any(box.overlaps(other) for other in (*boxes[i + 1 :], *others)), ax.texts[i].get_text()


def test_the_reviewer_checks_catch_what_the_energy_facets_did():
    from matplotlib.lines import Line2D
    from matplotlib.ticker import LogLocator

    from offloadsim.plots.checks import figure_problems

    fig, axes = plots.new_axes("two-column", ncols=2)
    plots.label_panels(axes)
    axes[0].plot([1.0, 2.0], [1000.0, 1100.0], marker="o")
    axes[0].set_yscale("log")
    axes[0].yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))  # the energy chart's ticks before
    axes[0].set_ylim(990, 1200)  # a log view holding one 1-2-5 value
    axes[1].plot([0.0, 1.0], [0.0, 1.0], marker="o", markersize=6)
    axes[1].set_xlim(0.0, 2.0)  # the marker at x = 0 sits on the edge: half of it is cut
    key = Line2D([], [], color="C0", marker="o")
    fig.legend([key, Line2D([], [], color="C0", marker="o")], ["local", "edge"], loc="outside upper center")
    fig.suptitle("bandwidth = 5 Mbps")
    problems = "\n".join(figure_problems(fig))
    assert "panel 1: its log y axis has 1 labelled tick(s)" in problems
    assert "panel 2: the marker of" in problems and "cut by the axes' edge" in problems
    assert "entries 'local' and 'edge' look the same" in problems
    assert "the figure's title 'bandwidth = 5 Mbps' overlaps the figure's legend" in problems


def test_an_energy_line_end_on_another_ends_spot_shares_its_label_and_the_note_says_so(sweep_results):
    """Two policies that both offload everything at the fastest link end on one spot: the second end's
    label had no room beside the first's and was left off, as if there were no room for it."""
    metrics = sweep_results.metrics.copy()
    fast = (metrics["links[0].bandwidth"] == "50 Mbps").to_numpy()
    local = (metrics["policy"] == "local").to_numpy()
    rep = 0.001 * metrics["replication"].to_numpy()
    metrics["latency_mean_s"] = np.where(fast, 0.10, np.where(local, 0.80, 1.60)) + rep
    metrics["device_energy_mean_j"] = np.where(fast, 0.05, np.where(local, 1.00, 0.40)) + rep
    fig = plots.plot_results(dataclasses.replace(sweep_results, metrics=metrics), "energy")
    (ax,) = (ax for ax in fig.axes if ax.get_visible())
    texts = [text.get_text() for text in ax.texts]
    assert texts.count("50 Mbit/s") == 1 and texts.count("5 Mbit/s") == 2, texts
    note = " ".join(_footnote(fig).split())
    assert "one label for ends on the same spot: local's and edge's 50 Mbit/s" in note, note
    assert "no room" not in note
    _end_labels_inside_and_apart(ax)
    check_readable(fig)


def _texts_of(ax, colour):
    """The texts drawn on ``ax`` in ``colour`` (an energy series' end labels)."""
    return sorted(t.get_text() for t in ax.texts if matplotlib.colors.same_color(t.get_color(), colour))


def test_an_energy_lines_end_label_names_its_last_drawn_marker_not_a_value_never_drawn(sweep_results):
    """At 1 Mbit/s none of the edge's tasks completed: no marker, yet its line's end was labelled
    (or said to have no room for) "edge's 1 Mbit/s", while its first marker, at 2 Mbit/s, had none."""
    metrics = sweep_results.metrics.copy()
    slow = (metrics["links[0].bandwidth"] == "5 Mbps").to_numpy()
    local = (metrics["policy"] == "local").to_numpy()
    rep = 0.001 * metrics["replication"].to_numpy()
    metrics["latency_mean_s"] = np.where(local, 0.8, np.where(slow, np.nan, 0.1)) + rep
    metrics["device_energy_mean_j"] = np.where(local, 1.0, np.where(slow, np.nan, 0.05)) + rep
    fig = plots.plot_results(dataclasses.replace(sweep_results, metrics=metrics), "energy")
    (ax,) = (ax for ax in fig.axes if ax.get_visible())
    colours = {c.get_label(): c.lines[0].get_color() for c in ax.containers}
    assert _texts_of(ax, colours["edge"]) == ["50 Mbit/s"]
    assert _texts_of(ax, colours["local"]) == []  # on one spot at every bandwidth: no value is its own
    note = _footnote(fig)
    # Named once, as not drawn (in the axis's unit), and in no end label's words.
    assert "not drawn, no value (phone–ap bandwidth, policy): 5 Mbit/s, edge" in " ".join(note.split())
    assert "5 Mbit/s" not in " ".join(note.split()).replace("5–50", "").replace("policy): 5 Mbit/s, edge", "")
    check_readable(fig)


def test_an_energy_figure_says_what_moves_along_its_lines_with_their_key(two_apps, radio_sweep):
    """An energy line joins the points of its x key (its ends named "1 Mbit/s", "100 Mbit/s"), but the
    radio latency zipped with the bandwidth moved along it too, said nowhere: the sweep and split
    figures said it under their x axis, the energy figure (whose axes are latency and energy) not."""
    fig = plots.plot_results(two_apps, "energy", where={"app": "small", "policy.objective": "latency"})
    note = " ".join(_footnote(fig).split())
    along = "along each line, phone–server bandwidth 1 Mbit/s to 100 Mbit/s"
    assert f"{along} with radio latency 50 ms, 20 ms, 5 ms" in note, note
    fig = plots.plot_results(radio_sweep, "energy", x="dynamics[0].radio.transmit_power")
    note = " ".join(_footnote(fig).split())
    assert (
        "along each line, mobility radio transmit power 1 dBm to 20 dBm with mobility radio noise (dBm) "
        "-100, -95, -90; "
        "mobility radio reference loss 35 dB, 40 dB, 45 dB; mobility radio exponent 3.0, 3.5, 4.0; "
        "ap–edge latency 1 ms, 2 ms, 5 ms" in note
    ), note
    check_readable(fig)  # wrapped inside the figure


@pytest.mark.parametrize(
    "options", [{"x": "policy"}, {"by": "links[0].bandwidth"}, {"x": "links[0].bandwidth", "by": "policy"}]
)  # two keys hidden; the policy hidden; the speed hidden
def test_an_energy_refusal_with_two_keys_hidden_suggests_a_figure_that_draws(speed_sweep, options):
    """With two swept keys hidden, the example was ``e.g. --by 'policy,KEY'`` (with ``--x policy``,
    a series of the x axis, itself refused) and the second key stayed hidden, refused in turn; the
    policy was named ``policy.name``.  It now shows one with --by and the other with --facet."""
    import shlex

    with pytest.raises(ExperimentError) as caught:
        plots.plot_results(speed_sweep, "energy", **options)
    message = str(caught.value)
    assert "policy.name (" not in message
    example = shlex.split(re.search(r"e\.g\. (.*?), or pick", message).group(1))
    given = dict(zip(example[::2], example[1::2], strict=True))
    assert set(given) <= {"--by", "--facet", "--where"}, message
    assert ("--facet" in given) == (options == {"x": "policy"}), message
    where = dict([given["--where"].split("=", 1)]) if "--where" in given else None
    by = given["--by"].split(",") if "," in given["--by"] else given["--by"]
    plots.plot_results(
        speed_sweep, "energy", x=options.get("x"), by=by, facet=given.get("--facet"), where=where
    )


def test_energy_end_labels_cross_no_other_series_line_and_markers_stay_hollow():
    # A trial's energy figure put edge's "50 Mbit/s" across another series' line, where it read as
    # that line's; its hollow markers, 3.5 points with a 1-point edge, read as filled.
    from matplotlib.path import Path

    from offloadsim.plots.axes import laid_out

    def rows(name, points):
        return [
            {
                "policy": name,
                "bw": f"{bw} Mbps",
                "replication": 0,
                "latency_mean_s": lat,
                "device_energy_mean_j": e,
            }
            for bw, (lat, e) in points.items()
        ]

    # b's line runs just above a's 2 Mbit/s end, through the corner a's line points to.
    metrics = pd.DataFrame(
        rows("a", {1: (0.30, 0.30), 2: (0.50, 0.50)}) + rows("b", {1: (0.10, 0.512), 2: (0.90, 0.512)})
    )
    ax = plots.energy_latency(metrics, x="bw")
    renderer = laid_out(ax)
    ends = [t for t in ax.texts if "Mbit/s" in t.get_text()]
    assert len(ends) == 4, [t.get_text() for t in ends]  # each end has its label
    for text in ends:
        box = text.get_window_extent(renderer)
        for line in ax.get_lines():
            if len(line.get_xydata()) > 1 and not matplotlib.colors.same_color(
                line.get_color(), text.get_color()
            ):
                path = Path(ax.transData.transform(line.get_xydata()))
                assert not path.intersects_bbox(box, filled=False), (text.get_text(), text.get_color())
    for line in ax.get_lines():
        if line.get_marker() not in ("None", "", None, "|", "_"):  # a series' marker, not a cap
            assert line.get_markerfacecolor() == "none"
            assert line.get_markersize() >= 4 * line.get_markeredgewidth(), "an edge that fills the marker"


def test_an_energy_figure_whose_legend_is_wider_than_its_one_panel_keeps_readable_axes(tmp_path):
    """A trial's energy figure of one panel (vgg16 of the Neurosurgeon scenario, five policies, three
    drawn "(same spot as ...)") was written with its axes a vertical line, exit 0: its legend, wider
    than the axes, stayed inside them ("best"), each layout shrank the axes by what it stuck out until
    the layout collapsed, and then no line was under it, so it stayed there."""
    from pathlib import Path

    base = Path(__file__).resolve().parents[3] / "scenarios" / "neurosurgeon.yaml"
    (tmp_path / "sweep.yaml").write_text(
        f"base: {base}\nset:\n  duration: 20 s\n"
        "  nodes.phone.power: {idle: 0.5 W, busy: 3.0 W, transmit: 1.788 W, receive: 1.788 W,"
        " transmit_per_rate: 438.39 mW/Mbps, receive_per_rate: 51.97 mW/Mbps}\n"
        "zip:\n  links[0].bandwidth: [50 Mbps, 18.88 Mbps, 5.85 Mbps, 2 Mbps, 1.1 Mbps]\n"
        "  links[0].latency: [4 ms, 5 ms, 20 ms, 30 ms, 50 ms]\n"
        "policies: ['neurosurgeon(objective=latency)', 'neurosurgeon(objective=energy)',"
        " 'dads(objective=latency)', 'dads(objective=energy)', local]\nreplications: 2\n",
        encoding="utf-8",
    )
    sweep(tmp_path / "sweep.yaml", out=tmp_path / "out", workers=1)
    fig = plots.plot_results(read_results(tmp_path / "out"), "energy", where={"app": "vgg16"})
    assert sum("same spot as" in text for text in legend_texts(fig)) >= 2, legend_texts(fig)
    (ax,) = (ax for ax in fig.axes if ax.get_visible())
    extent = ax.get_window_extent(laid_out(ax))
    assert extent.width / fig.dpi >= 1.5 and extent.height / fig.dpi >= 0.99, extent
    check_readable(fig)
