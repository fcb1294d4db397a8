"""Brute-force oracles of the split optimisers: every answer tried, priced by the package's cost model.

Test references only (they left the package): each tries every cut, cut
tuple or predecessor-closed device set of
:mod:`offloadsim.policies.splitting`'s optimisers and prices it with
:func:`~offloadsim.policies.splitting.plan_cost` or
:func:`~offloadsim.policies.splitting.partition_cost`, so the tests can
check that the fast algorithms find the same optimum.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Hashable, Sequence
from typing import Any

import networkx as nx

from offloadsim.policies.splitting import (
    CutCodec,
    DevicePower,
    EdgeWeight,
    NodeWeight,
    Objective,
    PairValues,
    _pins,
    _three_tier,
    partition_cost,
    plan_cost,
)

__all__ = [
    "closed_partition_brute_force",
    "single_cut_brute_force",
    "station_cuts_brute_force",
    "two_cuts_brute_force",
]

_INF = float("inf")


def single_cut_brute_force(
    device_times: Sequence[float],
    server_times: Sequence[float],
    cut_bytes: Sequence[float],
    bandwidth_bps: float,
    latency_s: float = 0.0,
    objective: Objective = "latency",
    power: DevicePower | None = None,
    server_wait_s: float = 0.0,
    return_bandwidth_bps: float | None = None,
    codec: CutCodec | None = None,
) -> tuple[int, float]:
    """Reference for :func:`best_single_cut`: every ``k`` priced by :func:`plan_cost`.

    >>> single_cut_brute_force([1.0, 1.0], [0.1, 0.1], [2e6, 1e6, 1e3], 8e6)
    (2, 2.0)
    """
    down = bandwidth_bps if return_bandwidth_bps is None else return_bandwidth_bps
    bw = [[_INF, bandwidth_bps], [down, _INF]]
    best: tuple[int, float] = (len(cut_bytes) - 1, _INF)
    for k in range(len(cut_bytes)):
        cost = plan_cost(
            [device_times, server_times],
            cut_bytes,
            [k],
            bw,
            latency_s,
            objective,
            power,
            [0.0, server_wait_s],
            codec,
        )
        if cost <= best[1]:
            best = (k, cost)
    return best


def station_cuts_brute_force(
    station_times: Sequence[Sequence[float]],
    cut_bytes: Sequence[float],
    bandwidth_bps: PairValues,
    latency_s: PairValues = 0.0,
    objective: Objective = "latency",
    power: DevicePower | None = None,
    wait_s: Sequence[float] | None = None,
    codec: CutCodec | None = None,
) -> tuple[tuple[int, ...], float]:
    """Reference for :func:`best_station_cuts`: every non-decreasing cut tuple, priced.

    ``O(L^(S-1))`` plans; for tests on small chains.

    >>> station_cuts_brute_force([[1.0, 1.0], [0.1, 0.1]], [2e6, 1e6, 1e3], 8e6)
    ((2,), 2.0)
    """
    layers = len(cut_bytes) - 1
    best: tuple[tuple[int, ...], float] = (tuple([layers] * (len(station_times) - 1)), _INF)
    for cuts in itertools.combinations_with_replacement(range(layers + 1), len(station_times) - 1):
        cost = plan_cost(
            station_times, cut_bytes, cuts, bandwidth_bps, latency_s, objective, power, wait_s, codec
        )
        if cost < best[1]:
            best = (cuts, cost)
    return best


def two_cuts_brute_force(
    device_times: Sequence[float],
    edge_times: Sequence[float],
    cloud_times: Sequence[float],
    cut_bytes: Sequence[float],
    uplink_bps: float,
    backhaul_bps: float,
    uplink_latency_s: float = 0.0,
    backhaul_latency_s: float = 0.0,
    objective: Objective = "latency",
    power: DevicePower | None = None,
    edge_wait_s: float = 0.0,
    cloud_wait_s: float = 0.0,
    codec: CutCodec | None = None,
) -> tuple[tuple[int, int], float]:
    """Reference for :func:`best_two_cuts`: all ``(k1, k2)`` pairs priced by :func:`plan_cost`.

    >>> two_cuts_brute_force([1.0], [0.5], [0.1], [1e3, 1e3], 8e6, 8e6)[0]
    (0, 0)
    """
    bw, lat = _three_tier(uplink_bps, backhaul_bps, uplink_latency_s, backhaul_latency_s)
    cuts, cost = station_cuts_brute_force(
        [device_times, edge_times, cloud_times],
        cut_bytes,
        bw,
        lat,
        objective,
        power,
        [0.0, edge_wait_s, cloud_wait_s],
        codec,
    )
    return (cuts[0], cuts[1]), cost


def closed_partition_brute_force(
    G: nx.DiGraph,
    device_time: NodeWeight = "device_time",
    server_time: NodeWeight = "server_time",
    edge_bytes: EdgeWeight = "bytes",
    bandwidth_bps: float = _INF,
    *,
    device_nodes: Collection[Hashable] | None = None,
    server_nodes: Collection[Hashable] | None = None,
    offload_overhead_s: float = 0.0,
) -> tuple[frozenset[Any], float]:
    """Reference for :func:`dads_min_cut`: every predecessor-closed device set, priced.

    ``2^n`` subsets of the free nodes; refuses graphs with more than 16.

    >>> G = nx.DiGraph([("a", "b")])
    >>> closed_partition_brute_force(G, {"a": 1, "b": 1}, {"a": 0, "b": 0}, bandwidth_bps=_INF)
    (frozenset(), 0.0)
    """
    pinned_device, pinned_server = _pins(G, device_nodes, server_nodes)
    free = [v for v in G if v not in pinned_device and v not in pinned_server]
    if len(free) > 16:
        raise ValueError(f"brute force over {len(free)} free nodes is too slow (at most 16)")
    best: tuple[frozenset[Any], float] = (frozenset(v for v in G if v not in pinned_server), _INF)
    for mask in range(2 ** len(free) - 1, -1, -1):  # the all-local set first: ties keep it
        dev = frozenset(pinned_device | {v for i, v in enumerate(free) if mask >> i & 1})
        if any(u not in dev for v in dev for u in G.predecessors(v)):
            continue
        cost = partition_cost(
            G,
            dev,
            device_time,
            server_time,
            edge_bytes,
            bandwidth_bps,
            server_nodes=pinned_server,
            offload_overhead_s=offload_overhead_s,
        )
        if cost < best[1]:
            best = (dev, cost)
    return best
