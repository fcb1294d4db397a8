"""least-loaded's herding in a real run, and ``in_transit`` spreading it (docs/policies.md).

The quickstart with 8 edges at 4 frames/s per phone: each frame's upload takes
tens of milliseconds, so several phones decide while another's frame is still
on its way to an edge whose queue shows none of them.
"""

from __future__ import annotations

from pathlib import Path

import offloadsim

QUICKSTART = Path(__file__).resolve().parents[2] / "scenarios" / "quickstart.yaml"  # whatever the cwd

EIGHT_EDGES = (
    "nodes.edge.count=8",
    "links[1].between=[ap, edge-*]",
    "links[2].between=[edge-*, cloud]",
    "workload[0].rate=4 /s",
    "duration=6 s",
    "warmup=2 s",
)


def _edges_and_waits(policy: str) -> tuple[int, float, float]:
    tasks = offloadsim.run(QUICKSTART, policy=policy, overrides=EIGHT_EDGES).tasks
    edges = tasks.placement.astype(str).str.split(">").str[-1]
    return edges.nunique(), float((tasks.wait > 0).mean()), float(tasks.wait.mean())


def test_in_transit_spreads_what_least_loaded_herds_onto_the_first_edges():
    herded, herded_waiting, herded_wait = _edges_and_waits("least-loaded(tiers=[edge])")
    spread, spread_waiting, spread_wait = _edges_and_waits("least-loaded(tiers=[edge],in_transit=true)")
    assert herded <= 3 < spread  # ties go to the first edges; counted in transit, the others are tried
    assert herded_waiting > 0.2 and spread_waiting < 0.05  # tasks that queued behind ones on their way
    assert spread_wait < herded_wait / 10
