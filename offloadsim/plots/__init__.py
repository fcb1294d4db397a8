"""Paper-style figures from records, in one house style; headless, and never touching pyplot state.

Figures are :class:`matplotlib.figure.Figure` objects drawn without pyplot
or a GUI backend: saving picks the Agg (PNG) or PDF canvas by file type.

Every chart function takes DataFrames and an optional ``ax`` and returns the
Axes it drew on, so it can go into a figure of your own::

    >>> from offloadsim.plots import new_axes, latency_cdf, save_figure
    >>> fig, ax = new_axes("one-column")
    >>> latency_cdf(result.tasks, ax=ax)  # doctest: +SKIP
    >>> save_figure(fig, "figures/cdf")  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from offloadsim.plots.kinds import KINDS

if TYPE_CHECKING:
    from offloadsim.plots.axes import label_panels
    from offloadsim.plots.charts import calibration_accuracy, latency_cdf, metric_bars, node_utilisation
    from offloadsim.plots.energy_chart import energy_latency, say_unlabelled_ends
    from offloadsim.plots.figure_notes import method_text
    from offloadsim.plots.results import default_figure_name, plot_results
    from offloadsim.plots.runs import (
        capacity_over_time,
        latency_over_time,
        stage_timeline,
        utilisation_over_time,
    )
    from offloadsim.plots.series import interval_text, pooled_text
    from offloadsim.plots.style import (
        FIGSIZES,
        OKABE_ITO,
        PALETTE,
        figure_files,
        house_style,
        new_axes,
        note_under,
        save_figure,
        style_map,
    )
    from offloadsim.plots.sweep_lines import metric_vs_parameter, split_vs_parameter

__all__ = [
    "latency_cdf",
    "metric_bars",
    "metric_vs_parameter",
    "split_vs_parameter",
    "energy_latency",
    "say_unlabelled_ends",
    "node_utilisation",
    "utilisation_over_time",
    "stage_timeline",
    "latency_over_time",
    "capacity_over_time",
    "calibration_accuracy",
    "interval_text",
    "pooled_text",
    "method_text",
    "label_panels",
    "plot_results",
    "default_figure_name",
    "KINDS",
    "new_axes",
    "note_under",
    "save_figure",
    "figure_files",
    "house_style",
    "style_map",
    "FIGSIZES",
    "OKABE_ITO",
    "PALETTE",
]

# matplotlib is imported on first use, so that the command line starts without it.
_HOMES = {
    **dict.fromkeys(
        ("calibration_accuracy", "latency_cdf", "metric_bars", "node_utilisation"), "offloadsim.plots.charts"
    ),
    **dict.fromkeys(("energy_latency", "say_unlabelled_ends"), "offloadsim.plots.energy_chart"),
    **dict.fromkeys(("interval_text", "pooled_text"), "offloadsim.plots.series"),
    **dict.fromkeys(("metric_vs_parameter", "split_vs_parameter"), "offloadsim.plots.sweep_lines"),
    **dict.fromkeys(
        ("capacity_over_time", "latency_over_time", "stage_timeline", "utilisation_over_time"),
        "offloadsim.plots.runs",
    ),
    "label_panels": "offloadsim.plots.axes",
    "method_text": "offloadsim.plots.figure_notes",
    **dict.fromkeys(("default_figure_name", "plot_results"), "offloadsim.plots.results"),
    **dict.fromkeys(
        (
            "FIGSIZES",
            "OKABE_ITO",
            "PALETTE",
            "figure_files",
            "house_style",
            "new_axes",
            "note_under",
            "save_figure",
            "style_map",
        ),
        "offloadsim.plots.style",
    ),
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'offloadsim.plots' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
