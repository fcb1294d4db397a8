"""A faceted sweep's all-local label covers no line, and its panels keep their height under long notes.

``plot --kind sweep --facet ...`` with a long notes block left the panels an inch tall, and the
"classify all local, no queue" label lay over a policy's line at every place tried beside its line.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.collections import PolyCollection
from matplotlib.legend import Legend

from offloadsim.cli import main
from offloadsim.experiments import read_results
from offloadsim.plots import plot_results
from offloadsim.plots.axes import laid_out, lines_under_box, shortest_panel_in

SPLIT = Path(__file__).resolve().parents[2] / "scenarios" / "compare-split.yaml"


def test_the_all_local_label_covers_no_line_in_any_panel(tmp_path, capsys):
    (tmp_path / "s.yaml").write_text(
        f"name: facets\nbase: {SPLIT}\nset: {{duration: 20 s, warmup: 2 s}}\nreplications: 2\n"
        "policies: [local, edge, neurosurgeon]\n"
        "grid:\n  links[0].bandwidth: [2 Mbps, 10 Mbps, 50 Mbps, 200 Mbps]\n"
        "  workload[0].rate: [0.5 /s, 1.5 /s]\n"
    )
    out = tmp_path / "out"
    assert main(["sweep", str(tmp_path / "s.yaml"), "--out", str(out), "--workers", "1", "-q"]) == 0
    capsys.readouterr()
    fig = plot_results(read_results(out), "sweep", facet="workload[0].rate")
    try:
        assert len(fig.get_supxlabel().splitlines()) >= 8  # a long notes block under the panels
        assert shortest_panel_in(fig) >= 1.4  # as tall as the panels were before the notes
        renderer = laid_out(fig.axes[0])
        found = 0
        for ax in fig.axes:
            labels = [t for t in ax.texts if "all local, no queue" in " ".join(t.get_text().split())]
            keys = [a for a in ax.artists if isinstance(a, Legend)]
            boxes = [(t.get_bbox_patch() or t).get_window_extent(renderer) for t in labels]
            boxes += [key.get_window_extent(renderer) for key in keys]
            found += len(boxes)
            bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
            for band in bands:  # a line's path, not the shade of a band
                band.set_visible(False)
            try:
                for box in boxes:
                    assert [n for n in lines_under_box(ax, box) if not n.startswith("_")] == [], box
            finally:
                for band in bands:
                    band.set_visible(True)
        assert found == len(fig.axes)  # every panel's all-local line is labelled
    finally:
        plt.close(fig)
