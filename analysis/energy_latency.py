"""Device energy per task against mean latency per policy as the uplink varies (sweep-split.yaml).

python analysis/energy_latency.py     # shares the sweep of split_vs_bandwidth.py
"""

from __future__ import annotations

import sys

EXPERIMENTS = ("sweep-split",)
KEY = "links[0].bandwidth"


def draw(data):
    from offloadsim.plots import energy_latency, new_axes

    metrics = data["sweep-split"].metrics
    # Runs whose uplink cannot carry the load (edge below 8 Mbit/s) have no steady state: left out,
    # as in split_vs_bandwidth.py.
    steady = metrics[metrics["completed"] >= 0.9 * metrics["arrived"]]
    fig, ax = new_axes("one-column-tall")
    energy_latency(steady, x=KEY, ax=ax, order=["local", "edge", "neurosurgeon"])
    return fig


if __name__ == "__main__":
    from build_gallery import main

    sys.exit(main(only=["energy_latency"]))
