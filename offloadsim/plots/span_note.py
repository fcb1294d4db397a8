"""The note under a linear y axis whose drawn means span decades: the small ones read as 0.

A sweep's deadline misses of 22 % and 0.05 % drew the small ones flat on the axis's 0 line; a share
keeps its 0-100 % axis (a reader compares shares on it, and a run that missed none is 0, which no
log axis shows), so rather than change the scale the figure says that ``--logy`` draws them apart.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from offloadsim.analysis.catalogue import metric_info
from offloadsim.analysis.values import number_text

__all__ = ["SPAN_DECADES", "linear_span_note"]

#: The orders of magnitude a linear axis's positive means may span before the note says so.
SPAN_DECADES = 2.0


def linear_span_note(metric: str, frame: pd.DataFrame, keys: Sequence[str], axes: Sequence[Axes]) -> str:
    """``"on a linear axis the means span 2.6 decades (0.05 % to 22 %), the smallest drawn near 0: ..."``.

    Said where every panel's y axis is linear and the means of ``metric`` per combination of
    ``keys`` (the figure's points) are all positive and span more than :data:`SPAN_DECADES`;
    empty otherwise (a zero mean: no log axis could show it).
    """
    if metric not in frame.columns or not axes or any(ax.get_yscale() != "linear" for ax in axes):
        return ""
    keys = [k for k in dict.fromkeys(keys) if k in frame.columns]
    values = pd.to_numeric(frame[metric], errors="coerce")
    means = values.groupby([frame[k].astype(str) for k in keys]).mean() if keys else values.agg(["mean"])
    means = means.to_numpy(dtype=float)
    means = means[np.isfinite(means)]
    if means.size < 2 or (means <= 0).any():
        return ""
    low, high = float(means.min()), float(means.max())
    decades = np.log10(high / low)
    if decades <= SPAN_DECADES:
        return ""
    info = metric_info(metric)
    low_text, high_text = (
        f"{number_text(float(f'{v * info.scale:.2g}'))} {info.unit}".strip() for v in (low, high)
    )
    return (
        f"on a linear axis the means span {decades:.1f} decades ({low_text} to {high_text}), "
        "the smallest drawn near 0: --logy draws them apart"
    )
