"""Latency by arrival time through an edge outage, edge against least-loaded (edge-outage.yaml, one minute).

python analysis/latency_time.py       # a few seconds

The figure ``offloadsim plot DIR --kind latency-time`` draws: each policy's median latency per
second of arrival time, the 10-90 % of its tasks' latencies as a band, the time the edge was down
(from the run's own nodes records) shaded, and the tasks that did not complete counted below.
"""

from __future__ import annotations

import sys

EXPERIMENTS = ("edge-outage-run",)


def draw(data):
    from offloadsim.plots.latency_time import latency_time_figure

    # One replication of each policy, named in the title as `--where replication=0` names it.
    return latency_time_figure(data["edge-outage-run"], where={"replication": "0"}, size="two-column")


if __name__ == "__main__":
    from build_gallery import main

    sys.exit(main(only=["latency_time"]))
