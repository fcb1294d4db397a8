"""Each shipped kind of series figure draws from its own module, and what varies by kind is registered.

Before, eight kinds shared one drawing (``results.series_figure``) that branched on the kind's
name at each step, and ``figure_data`` kept which kinds draw one run or a run's metrics as
constants: a kind registered under another name with the same drawing drew an empty figure.
Now each kind's ``FigureKind`` names its module's ``figure``, which hands the shared path
(:mod:`offloadsim.plots.series_figure`) its own drawing; the registration says what it is drawn
from and whether it draws one run.
"""

from __future__ import annotations

import dataclasses
import re

import pytest
import test_figure_kind_registry as registry_tests

from offloadsim.plots import kinds
from offloadsim.plots.kind_registry import register_kind, unregister_kind
from offloadsim.plots.results import plot_results
from offloadsim.records.stored import read_results

REPO = registry_tests.REPO

SERIES_KINDS = [
    k.name for k in kinds.SHIPPED if k.name not in ("latency-time", "battery-time")
]  # drawn on their own


def test_each_shipped_series_kind_draws_from_its_own_module():
    drawn = {kind.name: kind.draw for kind in kinds.SHIPPED}
    modules = {name: str(draw).partition(":")[0] for name, draw in drawn.items()}
    for name in SERIES_KINDS:
        assert modules[name] == f"offloadsim.plots.figure_kinds.{name.replace('-', '_')}", name
        assert callable(kinds.figure_kind(name).drawer())
    assert len(set(modules.values())) == len(modules)  # no two kinds share a drawing


def test_the_shared_path_never_names_a_kind():
    names = "|".join(re.escape(k.name) for k in kinds.SHIPPED)
    # `kind == "cdf"`, `self.kind in ("bars", ...`: a results directory's kind (run, sweep) is no figure's
    branch = re.compile(rf"""(?<!results\.)\bkind\s*(==|!=|\bin\b)\s*\(?\s*["']({names})["']""")
    for module in ("series_figure.py", "results.py", "figure_data.py"):
        text = (REPO / "offloadsim" / "plots" / module).read_text()
        assert not branch.findall(text), module


def _drawn(fig) -> list:
    """What each panel draws: its labels, its lines' points and its bars (the notes under it aside)."""
    return [
        (
            ax.get_title(loc="left"),
            ax.get_xlabel(),
            ax.get_ylabel(),
            [line.get_xydata().tolist() for line in ax.get_lines()],
            [tuple(patch.get_bbox().bounds) for patch in ax.patches],
        )
        for ax in fig.axes
    ]


@pytest.mark.parametrize("shipped", ["utilisation-time", "bars", "utilisation"])
def test_a_kind_registered_under_another_name_draws_what_its_drawing_draws(compare_dir, shipped):
    """One run per panel (utilisation-time), a run's metrics (bars), each node's load (utilisation).

    The copy's registration (records, one_run, default_metric) is all that tells the shared path
    so: the same panels, where the old shared drawing drew nothing for an unknown name.  (Its notes
    are not compared: figure_notes still keys some by the kind's name.)
    """
    copy = dataclasses.replace(kinds.figure_kind(shipped), name=f"copy-of-{shipped}")
    register_kind(copy)
    try:
        results = read_results(compare_dir)
        mine, theirs = plot_results(results, copy.name), plot_results(results, shipped)
        drawn = _drawn(mine)
        assert any(lines or bars for *_, lines, bars in drawn)
        assert repr(drawn) == repr(_drawn(theirs))  # repr: a NaN point equals its like
    finally:
        unregister_kind(copy.name)
