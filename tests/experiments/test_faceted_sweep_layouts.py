"""A faceted sweep figure is laid out a bounded number of times, not once per place tried for a label.

``plot --kind sweep --facet policy`` of a 2 x 2 sweep took ~100 s where the unfaceted took ~21 s:
its constrained layout moved the panels by a rounding error (1e-13 px) at each draw, so it never
counted as settled, and each place tried for the "all local" label laid the whole figure out again
(80 layouts, 74 of them for the label).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from offloadsim.cli import main
from offloadsim.experiments import read_results
from offloadsim.plots import plot_results
from offloadsim.plots.axes import _places, _same_places

QUICKSTART = Path(__file__).resolve().parents[2] / "scenarios" / "quickstart.yaml"


def test_a_faceted_sweep_with_an_all_local_label_is_laid_out_a_few_times(tmp_path, capsys, monkeypatch):
    (tmp_path / "s.yaml").write_text(
        f"base: {QUICKSTART}\nset: {{duration: 10 s}}\nreplications: 2\npolicies: [local, edge]\n"
        "grid:\n  links[0].bandwidth: [5 Mbps, 50 Mbps]\n"
    )
    out = tmp_path / "out"
    assert main(["sweep", str(tmp_path / "s.yaml"), "--out", str(out), "--workers", "1", "-q"]) == 0
    capsys.readouterr()
    draws: list[Figure] = []
    draw = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda fig, renderer: draws.append(fig) or draw(fig, renderer))
    fig = plot_results(read_results(out), "sweep", facet="policy")
    try:
        labels = [t for ax in fig.axes for t in ax.texts if "all local" in t.get_text()]
        assert labels, "the label whose places were each laid out is there"
        assert len(draws) <= 16, f"laid out {len(draws)} times (80 before)"
    finally:
        plt.close(fig)


def test_panels_moved_by_a_rounding_error_are_where_they_were():
    fig = Figure(figsize=(3, 2), layout="constrained")
    ax = fig.add_subplot()
    fig.draw_without_rendering()
    before = _places(fig)
    x0, y0, width, height = ax.get_position().bounds
    ax.set_position((x0, y0, width, height + 1e-13))
    assert _same_places(_places(fig), before)
    ax.set_position((x0, y0, width, height + 1e-3))  # a pixel's worth on a 300 px figure: moved
    assert not _same_places(_places(fig), before)
