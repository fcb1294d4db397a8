"""Benchmark (c): build a 10,000-node world and route every device to its nearest edge.

Times, in one process and after the imports: loading and validating the
scenario (``count`` and glob expansion included), ``build_world`` (the
networkx graph, processors, applications), one multi-source Dijkstra for
every node's nearest edge server, and the cached route of every device to
that server.  ``--tracemalloc`` repeats the build under tracemalloc, untimed,
to report the Python heap the built world needs.

    python benchmarks/topology_build.py [--devices 9979] [--json] [--tracemalloc]
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(HERE.parent))
SCENARIO = HERE / "scenarios" / "city.yaml"
# city.yaml has 10 access points, 10 edges and a cloud besides its devices.
NON_DEVICE_NODES = 21


def build(scenario_file: Path = SCENARIO, devices: int = 10_000 - NON_DEVICE_NODES) -> dict[str, Any]:
    """Load, build and route; return the node/route counts and each phase's wall seconds."""
    from offloadsim.scenario import load_scenario
    from offloadsim.world import build_world

    t0 = time.perf_counter()
    scenario = load_scenario(scenario_file, (f"nodes.device.count={devices}",))
    t1 = time.perf_counter()
    world = build_world(scenario)
    t2 = time.perf_counter()
    topology = world.topology
    edges = tuple(name for name, node in world.nodes.items() if node.tier == "edge")
    nearest = topology.nearest("edge", edges)
    t3 = time.perf_counter()
    routes = 0
    hops = 0
    for name, node in world.nodes.items():
        if node.tier == "device":
            route = topology.route(name, nearest[name][0])
            routes += 1
            hops += len(route.channels)
    t4 = time.perf_counter()
    return {
        "nodes": len(world.nodes),
        "links": len(topology.links),
        "routes": routes,
        "mean_hops": hops / routes if routes else 0.0,
        "load_s": t1 - t0,
        "world_s": t2 - t1,
        "nearest_s": t3 - t2,
        "routes_s": t4 - t3,
        "total_s": t4 - t0,
    }


def traced_peak_mib(scenario_file: Path = SCENARIO, devices: int = 10_000 - NON_DEVICE_NODES) -> float:
    """Peak Python heap (MiB, tracemalloc) of one more, untimed, :func:`build`."""
    import tracemalloc

    tracemalloc.start()
    try:
        build(scenario_file, devices)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--devices", type=int, default=10_000 - NON_DEVICE_NODES, help="device count (default: 10,000 nodes)"
    )
    parser.add_argument("--scenario", type=Path, default=SCENARIO, help="scenario file (default city.yaml)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--tracemalloc", action="store_true", help="also report the traced heap peak")
    args = parser.parse_args(argv)
    import_start = time.perf_counter()
    for module in ("offloadsim.scenario", "offloadsim.world"):  # imports are timed apart from the build
        importlib.import_module(module)

    imports_s = time.perf_counter() - import_start
    result = build(args.scenario, args.devices)
    result["imports_s"] = imports_s
    if args.tracemalloc:
        result["traced_peak_mib"] = traced_peak_mib(args.scenario, args.devices)
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"{result['nodes']:,} nodes, {result['links']:,} links, {result['routes']:,} routes: "
            f"load {result['load_s']:.2f} s, world {result['world_s']:.2f} s, "
            f"nearest {result['nearest_s']:.2f} s, routes {result['routes_s']:.2f} s, "
            f"total {result['total_s']:.2f} s (imports {imports_s:.2f} s)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
