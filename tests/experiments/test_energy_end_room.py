"""An energy figure's line end at the edge of its panel gets room for its label.

``offloadsim plot results/sweep-neurosurgeon --kind energy --by policy.objective --facet app``
(two short panels sharing one range) named vgg16's latency 1.1 Mbit/s under the figure as having
no room: it is its line's extreme marker, within a few points of the panel's top, so a label
beside it ran past the edge and one on the other side crossed the other series' line.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
from figure_checks import check_readable

from offloadsim import plots
from offloadsim.experiments import read_results, sweep
from offloadsim.plots.axes import laid_out
from offloadsim.plots.energy_chart import unlabelled_ends

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def test_a_line_end_at_a_panels_edge_gets_room_for_its_label(tmp_path):
    sweep(SCENARIOS / "sweep-neurosurgeon.yaml", out=tmp_path / "sweep", workers=1)
    results = read_results(tmp_path / "sweep")
    fig = plots.plot_results(results, "energy", by="policy.objective", facet="app")
    axes = [ax for ax in fig.axes if ax.get_visible() and ax.containers]
    said = unlabelled_ends(axes)
    assert "no room" not in said, said
    colours = {c.get_label(): c.lines[0].get_color() for c in axes[0].containers}
    for ax in axes:  # each line's slowest link, named at its end
        for name, colour in colours.items():
            texts = {t.get_text() for t in ax.texts if matplotlib.colors.same_color(t.get_color(), colour)}
            assert "1.1 Mbit/s" in texts, (ax.get_title(), name, texts)
    renderer = laid_out(axes[0])
    with plots.house_style():
        for ax in axes:
            frame = ax.get_window_extent(renderer)
            for text in ax.texts:
                box = text.get_window_extent(renderer)
                assert frame.x0 <= box.x0 and box.x1 <= frame.x1, text.get_text()
                assert frame.y0 <= box.y0 and box.y1 <= frame.y1, text.get_text()
    # The room is the same on every panel: they still share one range, so that they compare.
    assert len({ax.get_ylim() for ax in axes}) == 1 and len({ax.get_xlim() for ax in axes}) == 1
    check_readable(fig)
