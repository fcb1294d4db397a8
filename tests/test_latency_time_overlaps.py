"""``latency-time`` where changes overlap: the time to recover says so, each outage is counted from
the records, and the figure tells its outages and the scenario's bandwidth apart.

A trial's world (three edge servers down 60 s in turn under a rush-hour uplink trace) gave every
policy the same 120 s, 10 s and 0 s, ``cloud`` included, which never used an edge: the trace's end,
not a recovery.  Here a world small enough to work out by hand: a phone whose tasks take 125 ms on
itself (0.5 GFLOP at 4 GFLOP/s) against a 100 ms deadline, ~67 ms at the edge and ~85 ms at the
cloud; the edge down 10-15 s, the phone's uplink cut to 2 Mb/s from 17 s to 22 s.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Rectangle, StepPatch
from matplotlib.transforms import Bbox

from offloadsim.cli import main
from offloadsim.experiments import read_results
from offloadsim.plots.latency_time import latency_time_figure

SCENARIO = """\
name: overlap
duration: 40 s
warmup: 0 s
nodes:
  phone: {tier: device, processor: {speed: 4 GFLOP/s}}
  ap: {tier: network}
  edge: {tier: edge, processor: {speed: 100 GFLOP/s}}
  cloud: {tier: cloud, processor: {speed: 100 GFLOP/s}}
links:
  - {between: [phone, ap], bandwidth: 8 Mbps, latency: 5 ms}
  - {between: [ap, edge], bandwidth: 1 Gbps, latency: 1 ms}
  - {between: [ap, cloud], bandwidth: 1 Gbps, latency: 10 ms}
applications:
  job: {stages: [{work: 0.5 GFLOP}], input: 50 KB, output: 0 B, deadline: 100 ms}
workload:
  - {app: job, sources: phone, arrivals: periodic, period: 250 ms}
policy: edge
dynamics:
  - {kind: node-schedule, node: edge, steps: [{at: 10 s, up: false}, {at: 15 s, up: true}]}
  - {kind: link-schedule, link: 0, steps: [{at: 17 s, bandwidth: 2 Mbps}, {at: 22 s, bandwidth: 8 Mbps}]}
"""


@pytest.fixture(scope="module")
def overlap(tmp_path_factory) -> Path:
    where = tmp_path_factory.mktemp("overlap")
    (where / "scenario.yaml").write_text(SCENARIO)
    out = where / "res"
    argv = ["compare", str(where / "scenario.yaml"), "--policies", "edge,cloud", "--replications", "2"]
    assert main([*argv, "--out", str(out), "-q"]) == 0
    return out


def test_a_link_change_after_the_outage_is_not_its_and_cloud_is_not_said_to_recover(overlap, tmp_path):
    """Before: both policies "recovered" 7 s after the edge came back, at the uplink's return; then
    the uplink's change was named as overlapping the recovery.  The edge's tasks in the outage ran
    125 ms on the phone, 250 ms apart: all had ended by 15.1 s, before the uplink moved at 17 s, so
    the recovery is the outage's alone.  The uplink's dip (8 to 2 Mb/s, under half) has rows of its
    own, after it: each 50 KB upload took some 0.2 s of the 0.25 s between tasks, so no queue built
    and the last task it held up ended within 0.2 s of its end; the edge's outage, in the 60 s
    before it, is named as overlapping it."""
    out = tmp_path / "lt"
    assert main(["plot", str(overlap), "--kind", "latency-time", "--bin", "1s", "--out", str(out)]) == 0
    both = pd.read_csv(tmp_path / "lt.recovery.csv").set_index("policy")
    table = both[both["change"] == "outage"]
    dip = both[both["change"] == "bandwidth dip"]
    assert dip["down"].tolist() == ["phone→ap, ap→phone"] * 2
    assert (dip["outage_from_s"].tolist(), dip["outage_to_s"].tolist()) == ([17.0, 17.0], [22.0, 22.0])
    assert dip["status"].tolist() == ["recovered (overlapped)"] * 2
    assert dip["overlapped"].tolist() == ["edge down 10–15 s"] * 2
    assert ((dip["time_to_recover_s"] >= 0.0) & (dip["time_to_recover_s"] < 0.2)).all()
    assert table["down"].tolist() == ["edge", "edge"]
    assert table.loc["edge", "status"] == "recovered" and pd.isna(table.loc["edge", "overlapped"])
    assert 0.0 <= table.loc["edge", "time_to_recover_s"] < 0.2
    assert table.loc["cloud", "status"] == "not on the node"  # its tasks all ran on the cloud
    fig = latency_time_figure(read_results(overlap), bin_s=1.0)
    note = " ".join(" ".join(text.get_text() for text in fig.texts).split())
    assert "cloud ran nothing on edge (not a recovery from it)" in note
    assert "after 17–22 s: edge 0.066 s*, cloud 0.084 s* (bandwidth dip under 50%: phone↔ap" in note
    assert "no time to recover after" not in note  # the dip is analysed, nothing else changed


def test_the_tasks_arriving_in_the_outage_and_their_deadline_misses_are_the_records(overlap, tmp_path):
    """Every task of ``edge`` arriving in the outage ran on the phone (125 ms): each missed 100 ms;
    ``cloud``'s took ~85 ms: none did.  The counts are the records', over both runs."""
    out = tmp_path / "lt"
    assert main(["plot", str(overlap), "--kind", "latency-time", "--bin", "1s", "--out", str(out)]) == 0
    table = pd.read_csv(tmp_path / "lt.recovery.csv").query("change == 'outage'").set_index("policy")
    tasks = read_results(overlap).tasks
    for policy in ("edge", "cloud"):
        mine = tasks[(tasks["policy"] == policy) & (tasks["arrival"] >= 10.0) & (tasks["arrival"] < 15.0)]
        row = table.loc[policy]
        assert row.arrived == len(mine) == 40  # every 250 ms for 5 s, in each of 2 runs
        assert row.completed == (mine["status"] == "completed").sum()
        assert row.deadline_missed == (mine["deadline_met"] == False).sum()  # noqa: E712
    assert (table.loc["edge", "deadline_missed"], table.loc["cloud", "deadline_missed"]) == (40, 0)


def test_the_links_legend_is_beside_its_panel_and_the_scenarios_bandwidth_is_its_own_style(overlap):
    """Above the panel, right of its title, the legend ran over a long title; dotted meant both a
    direction (the third's style) and the scenario's bandwidth."""
    fig = latency_time_figure(read_results(overlap), bin_s=1.0)
    links = fig.axes[0]
    fig.canvas.draw()  # the layout the file is saved with
    renderer = fig._get_renderer()
    legend = links.get_legend()
    assert legend.get_window_extent(renderer).x0 >= links.get_window_extent(renderer).x1
    labels = [t.get_text() for t in legend.get_texts()]
    # both directions alike: one line; the uplink's dip drawn, so the level a dip is under too
    assert labels == ["phone↔ap", "the scenario's bandwidth", "50% of it: a dip under"]
    (scenario,) = [line for line in links.lines if line.get_label() == "the scenario's bandwidth"]
    (half,) = [line for line in links.lines if line.get_label() == "50% of it: a dip under"]
    assert (scenario.get_ydata()[0], half.get_ydata()[0]) == (8.0, 4.0)
    for step in [p for p in links.patches if isinstance(p, StepPatch)]:
        for level in (scenario, half):
            assert (step.get_linestyle(), step.get_linewidth()) != (
                level.get_linestyle(),
                level.get_linewidth(),
            )


def _spans(ax, hatch: str) -> list[tuple[float, float]]:
    """``(from, to)`` on the x axis of each shaded span in ``ax`` hatched ``hatch``, in order."""
    found = []
    for patch in ax.patches:
        if isinstance(patch, Rectangle) and patch.get_hatch() == hatch:
            x0 = float(patch.get_x())
            found.append((x0, x0 + float(patch.get_width())))
    return sorted(found)


def test_each_analysed_dip_is_shaded_where_the_note_gives_its_time(overlap, tmp_path):
    """The note said "after 17–22 s" of the uplink's dip and nothing in the figure marked it: the top
    panel drew the bandwidth as steps only.  Each dip with rows in .recovery.csv is shaded, dotted,
    over every panel, once (its two directions and two runs alike), in the legend; the edge's
    outage keeps its own hatching, over its own span."""
    out = tmp_path / "lt"
    assert main(["plot", str(overlap), "--kind", "latency-time", "--bin", "1s", "--out", str(out)]) == 0
    table = pd.read_csv(tmp_path / "lt.recovery.csv")
    dips = table[table["change"] == "bandwidth dip"]
    expected = sorted(set(zip(dips["outage_from_s"], dips["outage_to_s"], strict=True)))
    assert expected == [(17.0, 22.0)]
    fig = latency_time_figure(read_results(overlap), bin_s=1.0)
    for ax in fig.axes:
        assert _spans(ax, "...") == expected
        assert set(_spans(ax, "////")) == {(10.0, 15.0)}  # the edge down (each run's), not as a dip
    legend = [t.get_text() for t in fig.axes[1].get_legend().get_texts()]
    assert "bandwidth dip under 50% (in any of 2 runs)" in legend
    note = " ".join(" ".join(text.get_text() for text in fig.texts).split())
    assert "dotted blue: each bandwidth dip analysed below" in note


def test_no_dip_no_dip_shading(overlap):
    """With the uplink's dip taken out of the records, nothing is shaded dotted nor said of dips."""
    results = read_results(overlap)
    changes = results.link_changes
    calm = changes.assign(capacity=changes["scenario_capacity"])  # the bandwidth never moves under half
    fig = latency_time_figure(dataclasses.replace(results, link_changes=calm), bin_s=1.0)
    assert all(_spans(ax, "...") == [] for ax in fig.axes)
    assert not any(line.get_label() == "50% of it: a dip under" for ax in fig.axes for line in ax.lines)
    note = " ".join(" ".join(text.get_text() for text in fig.texts).split())
    assert "dotted blue" not in note


def test_each_outage_is_named_at_its_span_where_several_nodes_went_down(overlap):
    """One hatching for every node said that the edge and the cloud went down, not which when."""
    results = read_results(overlap)
    nodes = results.nodes.copy()
    cloud = nodes["node"] == "cloud"
    nodes.loc[cloud, "down"] = json.dumps([[25.0, 30.0]])
    fig = latency_time_figure(dataclasses.replace(results, nodes=nodes), bin_s=1.0)
    latency = fig.axes[1]
    named = sorted((t.get_position()[0], t.get_text()) for t in latency.texts)
    assert named == [(12.5, "edge"), (27.5, "cloud")]
    legend = [t.get_text() for t in latency.get_legend().get_texts()]
    assert "a node down (named on its span; in any of 2 runs)" in legend
    note = " ".join(" ".join(text.get_text() for text in fig.texts).split())
    assert "hatched: a node down, from the run's nodes records (down), named at the top of its span" in note
    # One node only: the legend names it, the span needs no name.
    alone = latency_time_figure(results, bin_s=1.0)
    assert not alone.axes[1].texts
    assert np.any(["edge down" in t.get_text() for t in alone.axes[1].get_legend().get_texts()])


def test_outages_of_two_nodes_at_once_are_not_named_on_each_other(overlap):
    results = read_results(overlap)
    nodes = results.nodes.copy()
    nodes.loc[nodes["node"] == "cloud", "down"] = json.dumps([[12.0, 14.0]])
    fig = latency_time_figure(dataclasses.replace(results, nodes=nodes), bin_s=1.0)
    assert not fig.axes[1].texts
    legend = [t.get_text() for t in fig.axes[1].get_legend().get_texts()]
    assert "edge, cloud down (in any of 2 runs)" in legend


def test_the_legend_covers_no_shaded_stretch_nor_line(overlap):
    """From 12 s to 22 s the dip fills the right half of the panels, and the legend sat in its lower
    right over the dip's shading (its frame hid the dots there): a stretch shaded across a panel is
    data, as a line is, and the legend goes where it covers none, by their extents at the layout."""
    from offloadsim.plots.axes import SPAN_GID, laid_out, lines_under_legend

    fig = latency_time_figure(read_results(overlap), bin_s=1.0, from_s=12.0, to_s=22.0)
    legends = [(ax, ax.get_legend()) for ax in fig.axes if ax.get_legend() is not None]
    assert legends
    for ax, legend in legends:
        renderer = laid_out(ax)
        box, frame = legend.get_window_extent(renderer), ax.get_window_extent(renderer)
        spans = [patch for patch in ax.patches if patch.get_gid() == SPAN_GID]
        assert _spans(ax, "...") == [(17.0, 22.0)]  # the dip, marked as a shaded stretch
        assert any(patch.get_hatch() == "..." for patch in spans)
        for patch in spans:
            shaded = Bbox.intersection(patch.get_window_extent(renderer), frame)  # as drawn, in the axes
            covered = shaded is not None and Bbox.intersection(shaded, box)
            assert not covered or covered.width <= 0 or covered.height <= 0, (patch.get_label(), box, shaded)
        assert lines_under_legend(ax, legend, renderer) == []
