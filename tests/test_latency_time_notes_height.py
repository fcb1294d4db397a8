"""The stacked latency-time figure keeps each panel's height under its notes: the figure grows by them.

Its panels (the links' bandwidth, the latency, the tasks not completed, sharing one time axis) gave
the notes their room: each line of notes took height from every panel, while a single panel's
figure already grew for its notes (tests/experiments/test_panel_keeps_height.py).  Grown as that one
is, until its shortest panel is as tall as before, the stacked figure misses on two counts: its short
panels (1:3:1) get a fifth of each step, so the steps never end, and they are under the inch a panel
is grown to (0.95 in), so one line of notes grew it 1.4 in.  It is held to its panels' joint height
and to their own heights instead: it grows by the notes' height, no more.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from offloadsim.cli import main
from offloadsim.experiments import read_results
from offloadsim.plots import latency_time
from offloadsim.plots.axes import laid_out
from offloadsim.plots.style import house_style

# One phone, one edge, tasks of 0 B each way; the edge (or, for three panels, the link to it) down
# from 2 s to 3.5 s; the task arriving at 5.99 s does not complete, so a lower panel is drawn.
SCENARIO = """\
name: stacked-notes
duration: 6 s
warmup: 0 s
nodes:
  phone: {tier: device, processor: {speed: 10 GFLOP/s}}
  edge: {tier: edge, processor: {speed: 100 GFLOP/s}}
links:
  - {between: [phone, edge], bandwidth: 8 Mbps, latency: 5 ms}
applications:
  job: {stages: [{work: 1 GFLOP}], input: 0 B, output: 0 B}
workload:
  - {app: job, sources: phone, arrivals: trace, trace: arrivals.csv}
policy: edge
dynamics:
  - {kind: DOWN, steps: [{at: 2 s, up: false}, {at: 3.5 s, up: true}]}
"""
ARRIVALS = [0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3.25, 3.75, 4.25, 4.25, 4.25, 4.75, 5.25, 5.75, 5.99]
DOWN = {"node": "node-schedule, node: edge", "link": "link-schedule, link: [phone, edge]"}


@pytest.fixture(scope="module", params=sorted(DOWN))
def run(request, tmp_path_factory):
    where = tmp_path_factory.mktemp(f"stacked-{request.param}")
    (where / "scenario.yaml").write_text(SCENARIO.replace("DOWN", DOWN[request.param]))
    (where / "arrivals.csv").write_text("time\n" + "".join(f"{t}\n" for t in ARRIVALS))
    out = where / "run"
    assert main(["run", str(where / "scenario.yaml"), "--out", str(out), "-q"]) == 0
    return read_results(out), 3 if request.param == "link" else 2


def drawn(results, lines: int, monkeypatch) -> tuple[list[float], float, float]:
    """Each panel's height and the figure's, and the notes' height, in inches, under ``lines`` lines of notes.

    The notes are made ``lines`` short lines (none: no notes at all), whatever the run says.
    """
    with monkeypatch.context() as patch:
        patch.setattr(latency_time, "_note", lambda *a, **k: "\n".join(f"note {i}" for i in range(lines)))
        patch.setattr(latency_time, "recovery_note", lambda *a, **k: "")
        patch.setattr(latency_time, "_drives_note", lambda *a, **k: "")
        patch.setattr(latency_time, "pooled_groups_note", lambda *a, **k: "")
        patch.setattr(latency_time, "one_run_note", lambda *a, **k: "")
        fig = latency_time.latency_time_figure(results, bin_s=1.0)
    try:
        renderer = laid_out(fig.axes[0])
        panels = [ax.get_window_extent(renderer).height / fig.dpi for ax in fig.axes if ax.get_visible()]
        label = fig._supxlabel  # the notes (note_under)
        assert (label.get_text().count("\n") + 1 if label is not None and label.get_text() else 0) == lines
        with house_style():  # in the type the layout measured them in
            notes = label.get_window_extent(renderer).height / fig.dpi if lines else 0.0
        return panels, float(fig.get_figheight()), notes
    finally:
        plt.close(fig)


@pytest.mark.parametrize("lines", [1, 2, 4])
def test_each_stacked_panel_is_as_tall_with_its_notes_as_without(run, lines, monkeypatch):
    results, count = run
    bare, bare_fig, _ = drawn(results, 0, monkeypatch)
    noted, noted_fig, notes = drawn(results, lines, monkeypatch)
    assert len(bare) == len(noted) == count  # stacked: the latency, the tasks not completed (and the links)
    for i, (was, now) in enumerate(zip(bare, noted, strict=True)):
        said = f"panel {i}: {now:.3f} in with {lines} notes, {was:.3f} without"
        assert now == pytest.approx(was, abs=0.01), said
    # The figure grows by the notes' height and the pads around them (twice 3 pt), no more.
    assert notes > 0.08 * lines
    assert notes < noted_fig - bare_fig < notes + 0.1


def test_a_figure_with_no_notes_keeps_its_size(run, monkeypatch):
    results, count = run
    _, height, _ = drawn(results, 0, monkeypatch)
    base = latency_time.FIGSIZES["two-column"][1]
    assert height == pytest.approx(base + 0.4 + 0.8 * (count - 1))  # as _axes makes it: nothing grew


@pytest.mark.parametrize("ratios", [[1, 3, 1], [2, 2], [3]])
def test_notes_keeping_panels_gives_back_each_stacked_panels_height(ratios):
    # The helper alone, on panels stacked in proportion: one step, each panel as tall as before.
    from offloadsim.plots.axes import notes_keeping_panels, shortest_panel_in
    from offloadsim.plots.style import new_axes

    fig, _ = new_axes((7.16, 4.8), nrows=len(ratios), sharex=True)
    fig.axes[0].get_gridspec().set_height_ratios(ratios)
    try:
        renderer = laid_out(fig.axes[0])
        before = [ax.get_window_extent(renderer).height / fig.dpi for ax in fig.axes]
        assert min(before) == pytest.approx(shortest_panel_in(fig))
        kept = notes_keeping_panels(fig, "\n".join(f"note {i}" for i in range(6)), least=0.0)
        renderer = laid_out(fig.axes[0])
        after = [ax.get_window_extent(renderer).height / fig.dpi for ax in fig.axes]
        assert after == pytest.approx(before, abs=0.01)
        assert kept == pytest.approx(min(before))
    finally:
        plt.close(fig)
