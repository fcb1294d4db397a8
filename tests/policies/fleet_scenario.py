"""The fleet ``by-group``'s tests run: two groups of phones (a ``count:`` entry each) and an edge server.

Its tasks never meet (one every 5 s per phone, the edge with a core for each): an old phone's task
offloaded to the edge takes 120.08 ms, a new phone's run where it is 250 ms (``test_by_group.py``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["FLEET"]

FLEET: dict[str, Any] = {
    "name": "fleet",
    "seed": 3,
    "duration": "30 s",
    "nodes": {
        "old-phone": {"count": 2, "tier": "device", "processor": {"speed": "1 GFLOP/s"}},
        "new-phone": {"count": 2, "tier": "device", "processor": {"speed": "4 GFLOP/s"}},
        "ap": {"tier": "network"},
        "edge": {"tier": "edge", "processor": {"speed": "10 GFLOP/s", "cores": 8}},
    },
    "links": [
        {"between": ["old-phone-*", "ap"], "bandwidth": "100 Mbps", "latency": "5 ms"},
        {"between": ["new-phone-*", "ap"], "bandwidth": "100 Mbps", "latency": "5 ms"},
        {"between": ["ap", "edge"], "bandwidth": "1 Gbps", "latency": "1 ms"},
    ],
    "applications": {"job": {"work": "1 GFLOP", "input": "100 KB", "output": "1 KB"}},
    "workload": [
        {"app": "job", "sources": ["old-phone-*", "new-phone-*"], "arrivals": "periodic", "period": "5 s"}
    ],
    "policy": {"name": "by-group", "groups": {"old-phone": "edge", "new-phone": {"name": "local"}}},
}
