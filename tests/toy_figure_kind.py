"""A toy kind of ``offloadsim plot`` figure, in a module of its own (tests/test_figure_kind_registry.py).

What a new kind needs: a drawing function taking the results and the request, returning the figure
and the tables to write beside it.  Nothing in offloadsim names it: the test registers it
(``FigureKind(..., "toy_figure_kind:draw", ...)``), and an installed plug-in's entry point does.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from offloadsim.plots.kind_registry import FigureRequest
from offloadsim.plots.style import new_axes
from offloadsim.records.stored import Results


def draw(results: Results, request: FigureRequest) -> tuple[Figure, dict[str, pd.DataFrame]]:
    """A bar per series (``by``, default the policy, or one bar for a run): its completed tasks."""
    tasks = results.tasks
    done = tasks[tasks["status"].astype(str) == "completed"]
    by = request.by or "policy"
    counts = (
        done.groupby(by, observed=True).size().rename("completed").reset_index()
        if by in done.columns
        else pd.DataFrame({by: ["all"], "completed": [len(done)]})
    )
    fig, ax = new_axes(request.size or "one-column")
    ax.bar(counts[by].astype(str), counts["completed"])
    ax.set_ylabel("completed tasks")
    return fig, {"csv": counts}


def broken(results: Results, request: FigureRequest) -> tuple[Figure, dict[str, pd.DataFrame]]:
    """A kind's bug: what offloadsim says of it is the kind's, not offloadsim's."""
    raise ZeroDivisionError("the toy divided by zero")


def no_figure(results: Results, request: FigureRequest) -> object:
    """A kind that returns no figure."""
    return "a figure"


def fixed_size(results: Results, request: FigureRequest) -> tuple[Figure, dict[str, pd.DataFrame]]:
    """A kind drawing at a size of its own, whatever ``request.size`` says."""
    fig, ax = new_axes((3.0, 3.0))
    ax.plot([0, 1], [0, 1])
    return fig, {}
