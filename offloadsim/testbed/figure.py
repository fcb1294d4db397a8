"""The validation figure: simulated against measured, per configuration, in the house style."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from offloadsim.plots.style import MARKERS, PALETTE, house_style, new_axes

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["accuracy_axes", "validation_figure"]

_PATTERN_TITLES = {"closed": "one request at a time", "poisson": "Poisson, 50 % load"}


def accuracy_axes(
    ax: Axes,
    measured: np.ndarray,
    predicted: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    groups: list[tuple[str, np.ndarray, dict[str, Any]]],
    *,
    tolerance: float,
    label: str,
) -> Axes:
    """Predicted (y) against measured (x), log-log, with y = x, a ±``tolerance`` band and x error bars.

    ``groups`` are (legend label, boolean row mask, marker style) triples.
    """
    values = np.concatenate([measured, predicted, low, high])
    values = values[np.isfinite(values) & (values > 0)]
    lo, hi = (values.min() / 1.5, values.max() * 1.5) if values.size else (1.0, 10.0)
    line = np.geomspace(lo, hi, 50)
    ax.fill_between(
        line, line * (1 - tolerance), line * (1 + tolerance), color="0.9", lw=0, label=f"±{tolerance:.0%}"
    )
    ax.plot(line, line, color="0.4", lw=0.8)
    for name, mask, style in groups:
        if not mask.any():
            continue
        err = np.vstack([measured[mask] - low[mask], high[mask] - measured[mask]])
        ax.errorbar(
            measured[mask],
            predicted[mask],
            xerr=np.clip(err, 0, None),
            ls="none",
            elinewidth=0.6,
            ms=3.5,
            label=name,
            **style,
        )
    from matplotlib.ticker import FuncFormatter, NullFormatter

    ax.set_xscale("log")
    ax.set_yscale("log")
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        axis.set_minor_formatter(NullFormatter())
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_box_aspect(1)
    ax.set_xlabel(f"measured {label} (ms)")
    ax.set_ylabel(f"simulated {label} (ms)")
    return ax


def validation_figure(
    table: pd.DataFrame,
    flows: pd.DataFrame | None = None,
    *,
    tolerance: float = 0.10,
    link_model: str = "max-min",
) -> Figure:
    """One panel per request pattern (and one for flows, if given): simulated against measured medians.

    ``table`` is :func:`~offloadsim.testbed.campaign.validation_table`'s,
    ``flows`` :func:`~offloadsim.testbed.campaign.flows_table`'s (drawn with
    a ±15 % band, the flow target). Colour is the split, marker the model;
    horizontal bars span the measured medians of the repetitions. The y
    axes name ``link_model`` when it is not the default max-min.
    """
    patterns = [p for p in ("closed", "poisson") if p in set(table["pattern"])] if len(table) else []
    panels = len(patterns) + (1 if flows is not None and len(flows) else 0)
    fig, axes = new_axes("two-column", ncols=max(panels, 1))
    axes = np.atleast_1d(axes)
    with house_style():
        splits = list(dict.fromkeys(table["split"])) if len(table) else []
        models = list(dict.fromkeys(table["model"])) if len(table) else []
        for ax, pattern in zip(axes, patterns, strict=False):
            rows = table[table["pattern"] == pattern]
            groups = []
            for i, split in enumerate(splits):
                for j, model in enumerate(models):
                    mask = ((rows["split"] == split) & (rows["model"] == model)).to_numpy()
                    style = {"color": PALETTE[i % len(PALETTE)], "marker": MARKERS[j % len(MARKERS)]}
                    groups.append((f"{model}, {split}", mask, style))
            accuracy_axes(
                ax,
                rows["measured_ms"].to_numpy(float),
                rows["predicted_ms"].to_numpy(float),
                rows["measured_min_ms"].to_numpy(float),
                rows["measured_max_ms"].to_numpy(float),
                groups,
                tolerance=tolerance,
                label="median latency",
            )
            ax.set_title(_PATTERN_TITLES.get(pattern, pattern))
        if flows is not None and len(flows):
            ax = axes[len(patterns)]
            devices = sorted(set(flows["devices"]))
            groups = [
                (
                    f"{n} flows",
                    (flows["devices"] == n).to_numpy(),
                    {"color": PALETTE[i], "marker": MARKERS[i]},
                )
                for i, n in enumerate(devices)
            ]
            accuracy_axes(
                ax,
                flows["measured_fct_ms"].to_numpy(float),
                flows["predicted_fct_ms"].to_numpy(float),
                flows["measured_min_ms"].to_numpy(float),
                flows["measured_max_ms"].to_numpy(float),
                groups,
                tolerance=0.15,
                label="median FCT",
            )
            ax.set_title("concurrent flows")
        for ax in axes:
            if link_model != "max-min" and ax.get_ylabel():
                ax.set_ylabel(ax.get_ylabel().removesuffix(" (ms)") + f", {link_model} links (ms)")
            if ax.get_legend_handles_labels()[0]:
                ax.legend(loc="upper left", fontsize=5.5, frameon=False)
    return fig
