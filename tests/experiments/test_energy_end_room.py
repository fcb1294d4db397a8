"""An energy figure's line end at the edge of its panel gets room for its label.

``offloadsim plot results/sweep-neurosurgeon --kind energy --by policy.objective --facet app``
(two short panels sharing one range) named vgg16's latency 1.1 Mbit/s under the figure as having
no room: it is its line's extreme marker, within a few points of the panel's top, so a label
beside it ran past the edge and one on the other side crossed the other series' line.

``offloadsim plot --kind energy`` of ``scenarios/sweep-bandwidth.yaml``: least-loaded's 100 Mbit/s
end sat 24 points in from the left edge, its label 40 points wide, the other sides taken by edge's
line and its own 100 Mbit/s label. The axes gained room only for an end within 16 points of an
edge, so the note said "no room for the labels of these line ends: least-loaded's 100 Mbit/s" (in
``energy.notes.txt``, past what the figure showed) and the end was not named.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
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


KEY = "links[0].bandwidth"

#: The sweep's means (latency s, device energy J) per policy and uplink, as its energy.csv has them.
MEANS = {
    "local": {f"{bw} Mbps": (0.8637, 1.3441) for bw in (2, 5, 10, 20, 50, 100)},
    "edge": {
        "2 Mbps": (1.5542, 0.488),
        "5 Mbps": (0.3827, 0.1952),
        "10 Mbps": (0.2006, 0.0976),
        "20 Mbps": (0.1264, 0.0488),
        "50 Mbps": (0.0858, 0.01952),
        "100 Mbps": (0.0730, 0.00976),
    },
    "least-loaded": {
        "2 Mbps": (0.6110, 1.1339),
        "5 Mbps": (0.3507, 0.2405),
        "10 Mbps": (0.1882, 0.0976),
        "20 Mbps": (0.1140, 0.0488),
        "50 Mbps": (0.0734, 0.01952),
        "100 Mbps": (0.0608, 0.00990),
    },
}


def test_an_end_whose_label_is_wider_than_its_way_to_the_edge_is_labelled():
    metrics = pd.DataFrame(
        [
            {"policy": policy, KEY: bw, "replication": r}
            | {"latency_mean_s": lat * s, "device_energy_mean_j": j * s}
            for policy, points in MEANS.items()
            for bw, (lat, j) in points.items()
            for r, s in enumerate((0.998, 1.002))
        ]
    )
    fig, ax = plots.new_axes("one-column")
    plots.energy_latency(metrics, x=KEY, ax=ax, order=["local", "edge", "least-loaded"])
    plots.say_unlabelled_ends(fig, "four lines of notes\nunder the axes\nas plot's\nleave it")
    note = fig._supxlabel.get_text() if fig._supxlabel else ""
    fig.canvas.draw()
    frame = ax.get_window_extent()
    shown = [t for t in ax.texts if t.get_visible()]
    ends = [t for t in shown if t.get_text() == "100 Mbit/s"]
    boxes = [t.get_window_extent() for t in ends]
    inside = [frame.contains(*box.min) and frame.contains(*box.max) for box in boxes]
    plt.close(fig)
    assert "no room" not in note, note
    assert len(ends) == 2 and all(inside), [t.get_text() for t in shown]  # edge's and least-loaded's
