"""Mean latency against the phones' uplink bandwidth for three policies (scenarios/sweep-bandwidth.yaml).

python analysis/bandwidth_sweep.py    # 90 jobs, about a minute on two cores
"""

from __future__ import annotations

import sys

EXPERIMENTS = ("sweep-bandwidth",)
KEY = "links[0].bandwidth"


def draw(data):
    from _common import interval_note, note_under

    from offloadsim.plots import metric_vs_parameter, new_axes

    results = data["sweep-bandwidth"]
    fig, ax = new_axes("one-column")
    metric_vs_parameter(
        results.metrics,
        "latency_mean_s",
        KEY,
        ax=ax,
        log_x=True,
        log_y=True,
        label=results.manifest["labels"][KEY],
        order=["local", "edge", "least-loaded"],
    )
    # Its bands, said on the figure as offloadsim plot's sweep says them (the caption is not the figure).
    note_under(fig, interval_note(results.metrics, [KEY, "policy"], "bands", ["latency_mean_s"]))
    return fig


if __name__ == "__main__":
    from build_gallery import main

    sys.exit(main(only=["bandwidth_sweep"]))
