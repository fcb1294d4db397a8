"""A series the sweep leaves on one spot, under another series' markers, is named in the legend.

The HH36 trial's Wi-Fi sweep: ``local`` sits at one spot at every bandwidth (it sends nothing),
and ``neurosurgeon`` ran locally at 2 and 5 Mbit/s, its diamonds drawn over local's one circle.
The legend listed ``local`` with nothing on the axes that read as it, and no label (no swept value
is its own). It now says where it is: ``local (same spot as neurosurgeon's 2, 5 Mbit/s)``.
"""

from __future__ import annotations

import matplotlib
import pandas as pd
from figure_checks import check_readable

from offloadsim import plots

matplotlib.use("Agg")

KEY = "links[0].bandwidth"
BANDWIDTHS = ("2 Mbps", "5 Mbps", "20 Mbps")


def _rows(spots: dict[str, list[tuple[float, float]]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"policy": policy, KEY: bw, "replication": r, "latency_mean_s": lat, "device_energy_mean_j": eng}
            for policy, points in spots.items()
            for bw, (lat, eng) in zip(BANDWIDTHS, points, strict=True)
            for r in (0, 1)
        ]
    )


def _legend(spots: dict[str, list[tuple[float, float]]]) -> list[str]:
    fig, ax = plots.new_axes("one-column")
    plots.energy_latency(_rows(spots), x=KEY, ax=ax)
    check_readable(fig)
    return [t.get_text() for t in ax.get_legend().get_texts()]


LOCAL = [(0.337, 0.587)] * 3


def test_a_one_spot_series_under_anothers_markers_is_named_with_their_swept_values():
    spots = {
        "local": LOCAL,
        "edge": [(5.6, 0.488), (0.46, 0.195), (0.076, 0.049)],
        "neurosurgeon": [(0.337, 0.587), (0.337, 0.587), (0.076, 0.049)],
    }
    legend = _legend(spots)
    assert "local (same spot as neurosurgeon's 2, 5 Mbit/s)" in legend, legend
    assert "edge" in legend and "neurosurgeon" in legend, legend


def test_a_one_spot_series_no_marker_covers_is_named_plainly():
    spots = {"local": LOCAL, "edge": [(5.6, 0.488), (0.46, 0.195), (0.076, 0.049)]}
    assert _legend(spots) == ["local", "edge"]
