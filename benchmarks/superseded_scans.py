"""Flows scanned by superseded group events in a burst, against the flows the re-shares handled.

In ``offloadsim/engine/network.py`` the flows of one re-shared component share one event (a
*group*); when a later re-share takes every member into a newer group, the old event still fires
at its time and scans its members to find none left (``_on_group_event``).  This counts, by
wrapping the pure tree's network methods (counts, not times: the machine's load does not move
them), the group events that fired, those that found no member left and the flows they scanned,
and the re-shares and the flows they handled.

Two bursts.  The network alone (default): ``--flows`` N flows of 50 KB start at t = 0, flow ``i``
over device channel ``i % 100`` (20 Mbps) and one uplink (200 Mbps), and the run goes on until the
last is delivered.  ``--city``: ``benchmarks/burst.py``'s scenario (``--users``, ``--devices``,
``--duration``), whose run ends while the burst is still sending.

``--plain`` runs the network alone without the counting wrappers and prints a digest of every
delivery (payload, time in hex) instead: the program to time or to count instructions of, and to
compare two trees with.

    python benchmarks/superseded_scans.py [--flows 250,500,1000,2000] [--plain]
    python benchmarks/superseded_scans.py --city [--users 10] [--devices 1000] [--duration 0.05]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

FIELDS = ("group_events", "superseded", "scanned_superseded", "reshares", "reshared_flows")


@contextmanager
def counting() -> Iterator[dict[str, int]]:
    """Count group events and re-shares of the ``FlowNetwork``s run inside (the pure tree's class).

    The class's methods are wrapped while the block runs and restored after it.
    """
    from offloadsim.engine.network import FlowNetwork

    counts = dict.fromkeys(FIELDS, 0)
    on_group_event, component = FlowNetwork._on_group_event, FlowNetwork._component

    def counted_event(self: FlowNetwork, group: list[Any]) -> None:
        if len(group) > 1:  # a group of one is its flow's own completion, checked in O(1)
            counts["group_events"] += 1
            if all(flow.group is not group for flow in group):
                counts["superseded"] += 1
                counts["scanned_superseded"] += len(group)
        on_group_event(self, group)

    def counted_component(self: FlowNetwork, channels: Any) -> Any:
        found = component(self, channels)
        counts["reshares"] += 1
        counts["reshared_flows"] += len(found[0])
        return found

    FlowNetwork._on_group_event = counted_event  # type: ignore[method-assign]
    FlowNetwork._component = counted_component  # type: ignore[method-assign]
    try:
        yield counts
    finally:
        FlowNetwork._on_group_event = on_group_event  # type: ignore[method-assign]
        FlowNetwork._component = component  # type: ignore[method-assign]


def network_burst(flows: int) -> str:
    """Start ``flows`` flows at once on a network alone and run to the end: a digest of the deliveries."""
    from offloadsim.engine.environment import RunEnvironment
    from offloadsim.engine.network import FlowNetwork

    env = RunEnvironment()
    network = FlowNetwork(env, [20e6] * 100 + [200e6])
    delivered: list[tuple[int, str]] = []
    for i in range(flows):
        network.start((i % 100, 100), 50_000.0, 0.002, lambda i: delivered.append((i, env.now.hex())), i)
    env.run()
    assert len(delivered) == flows
    return hashlib.sha256(repr(delivered).encode()).hexdigest()[:16]


def city_burst(users: int, devices: int, duration_s: float) -> None:
    """``benchmarks/burst.py``'s scenario, once, records written to a temporary directory."""
    from burst import CITY, overrides

    from offloadsim.api import run as run_scenario

    with tempfile.TemporaryDirectory(prefix="offloadsim-scans-") as tmp:
        run_scenario(CITY, overrides=overrides(users, devices, duration_s), out=Path(tmp) / "run")


def report(label: str, counts: dict[str, int]) -> str:
    """One line: the counts and the flows superseded events scanned per flow re-shared."""
    share = counts["scanned_superseded"] / max(1, counts["reshared_flows"])
    figures = ", ".join(f"{name} {counts[name]:,}" for name in FIELDS)
    return f"{label}: {figures}; scanned per re-shared flow {share:.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--flows", default="250,500,1000,2000", help="network alone: burst sizes (default 250,500,1000,2000)"
    )
    parser.add_argument(
        "--plain", action="store_true", help="network alone, no counters: print a digest of the deliveries"
    )
    parser.add_argument("--city", action="store_true", help="benchmarks/burst.py's scenario instead")
    parser.add_argument(
        "--users", type=int, default=10, help="--city: closed-loop users per device (default 10)"
    )
    parser.add_argument(
        "--devices", type=int, default=1000, help="--city: devices, 10 access points (default 1000)"
    )
    parser.add_argument(
        "--duration", type=float, default=0.05, help="--city: simulated seconds (default 0.05)"
    )
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.flows.split(",")]
    if args.plain:
        for size in sizes:
            print(f"{size:,} flows: deliveries {network_burst(size)}", flush=True)
        return 0
    with counting() as counts:
        if args.city:
            city_burst(args.users, args.devices, args.duration)
            per_ap = args.users * args.devices // 10
            print(report(f"city, {per_ap:,} flows per uplink, {args.duration} s", counts))
            return 0
        for size in sizes:
            for name in FIELDS:
                counts[name] = 0
            network_burst(size)
            print(report(f"{size:,} flows", counts), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
