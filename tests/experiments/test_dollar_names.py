"""A name with two `$` is drawn as written wherever a figure shows it: legends, titles, ticks."""

from __future__ import annotations

import io

import pandas as pd
from matplotlib.text import Text

from offloadsim import plots
from offloadsim.plots.axes import laid_out


def test_names_with_two_dollars_are_drawn_as_written_in_legends_titles_and_ticks():
    """``cost$1=a$2`` was drawn as TeX (``cost1 = a2``, in italics) in a facet title, and a name whose
    text between its `$` is no TeX (``f$\\frac$x``) ended ``plot`` in a ParseException (exit 1)."""
    names = ["cost$1=a$2", "f$\\frac$x"]
    metrics = pd.DataFrame(
        [
            {"policy": p, "replication": r, "latency_p95_s": 0.1 * (i + 1) + 0.01 * r}
            for i, p in enumerate(names)
            for r in range(3)
        ]
    )
    fig, ax = plots.new_axes("one-column")
    plots.metric_bars(metrics, "latency_p95_s", ax=ax, order=names)
    ax.set_title("application = cost$1=a$2")
    ax.plot([0, 1], [0.1, 0.2], label="f$\\frac$x (same line as cost$1=a$2)")
    ax.legend()
    laid_out(ax)  # raised ValueError (ParseException) while laying out
    fig.savefig(io.BytesIO(), format="png")
    shown = [t for t in fig.findobj(Text) if "$" in t.get_text()] + [
        t for t in ax.get_xticklabels() if "$" in t.get_text()
    ]
    assert {t.get_text() for t in ax.get_xticklabels()} >= set(names)
    assert ax.get_title() == "application = cost$1=a$2"
    assert shown and all(not t.get_parse_math() for t in shown)
    # A log axis' own labels (10^n in matplotlib's TeX) are still TeX.
    _, log_ax = plots.new_axes("one-column")
    log_ax.set_yscale("log")
    log_ax.set_ylim(1e-3, 1e3)
    laid_out(log_ax)
    assert all(t.get_parse_math() for t in log_ax.get_yticklabels() if "$" in t.get_text())
