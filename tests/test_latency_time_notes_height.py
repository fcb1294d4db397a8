"""The stacked latency-time figure keeps each panel's height under its notes: the figure grows by them.

Its panels (the links' bandwidth, the latency, the tasks not completed, sharing one time axis) gave
the notes their room: each line of notes took height from every panel, while a single panel's
figure already grew for its notes (tests/experiments/test_panel_keeps_height.py).  Growing until the
shortest panel was tall again grew the figure by more than the notes where the panels are stacked in
proportion (the short panels get a share of each inch added), so the figure is held to the panels'
joint height instead: it grows by the notes' height, no more.
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
        assert now == pytest.approx(was, abs=0.01), f"panel {i}: {now:.3f} in with {lines} notes, {was:.3f} without"
    # The figure grows by the notes' height and the pads around them (twice 3 pt), no more.
    assert notes > 0.08 * lines
    assert notes < noted_fig - bare_fig < notes + 0.1


def test_a_figure_with_no_notes_keeps_its_size(run, monkeypatch):
    results, count = run
    _, height, _ = drawn(results, 0, monkeypatch)
    width, base = latency_time.FIGSIZES["two-column"]
    assert height == pytest.approx(base + 0.4 + 0.8 * (count - 1))  # as _axes makes it: nothing grew
