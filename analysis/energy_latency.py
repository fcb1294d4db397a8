"""Device energy above idle per task against mean latency per policy as the uplink varies (sweep-split.yaml).

python analysis/energy_latency.py     # shares the sweep of split_vs_bandwidth.py
"""

from __future__ import annotations

import sys

EXPERIMENTS = ("sweep-split",)
KEY = "links[0].bandwidth"


def draw(data):
    from _common import steady_runs

    from offloadsim.plots import energy_latency, new_axes, say_unlabelled_ends

    # Points whose uplink cannot carry the load have no steady state: left out, and named under the
    # axes, as in split_vs_bandwidth.py.
    steady = steady_runs(data["sweep-split"].metrics, [KEY, "policy"])
    fig, ax = new_axes("one-column-tall")
    energy_latency(steady.metrics, x=KEY, ax=ax, order=["local", "edge", "neurosurgeon"])
    # Each marker is the mean of its runs, with a 95 % CI both ways: say so, as offloadsim plot does.
    intervals = f"markers: mean per run; {steady.interval_note('error bars')}"
    # The notes, and the line ends left without a label of their own and why, as offloadsim plot
    # says them (a line's end without a label no longer says which bandwidth it is).
    say_unlabelled_ends(fig, "\n".join(part for part in (intervals, steady.note("policy", KEY)) if part))
    return fig


if __name__ == "__main__":
    from build_gallery import main

    sys.exit(main(only=["energy_latency"]))
