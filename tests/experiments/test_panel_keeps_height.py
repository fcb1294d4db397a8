"""A single panel keeps its height under its notes: the figure grows for them, as a faceted one does.

``plot --kind bars`` on a comparison with five lines of notes left its one panel 1.3 in of the 2.0 it
had without them (down to an inch on longer notes, its legend pushed beside it); a faceted figure
already grew instead (tests/experiments/test_all_local_label_facets.py).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from offloadsim.experiments import read_results
from offloadsim.plots import axes as axes_module
from offloadsim.plots import plot_results
from offloadsim.plots.axes import shortest_panel_in


def _drawn(results, kind: str) -> tuple[float, float, int]:
    """The panel's height and the figure's, in inches, and how many lines of notes are under it."""
    fig = plot_results(results, kind)
    try:
        assert len(fig.axes) == 1
        label = fig.get_supxlabel()
        return shortest_panel_in(fig), float(fig.get_figheight()), len(label.splitlines()) if label else 0
    finally:
        plt.close(fig)


@pytest.mark.parametrize("kind", ["bars", "cdf"])
def test_one_panel_is_as_tall_with_its_notes_as_without(kind, compare_dir, monkeypatch):
    results = read_results(compare_dir)
    noted, noted_fig, lines = _drawn(results, kind)
    monkeypatch.setattr(axes_module, "note_under", lambda fig, note, fontsize=6: None)
    bare, bare_fig, none = _drawn(results, kind)
    assert lines >= 3 and none == 0  # the notes are there, and only there
    assert bare > 1.5  # a panel of a one-column figure with no notes: not the inch the notes left
    assert noted == pytest.approx(bare, abs=0.03), f"{noted:.2f} in with notes, {bare:.2f} in without"
    assert noted_fig > bare_fig + 0.1 * lines * 0.8  # the figure grew by about its notes' lines
