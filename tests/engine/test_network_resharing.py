"""Re-sharing a component of flows: the same rates, bit for bit, and the same group order as the plain method.

:meth:`FlowNetwork._reallocate` searches the flows connected to a change
with marks on the flows and channels, and builds progressive filling's heap
from the channels in the order the search reached them.  These tests hold it
to the straightforward method (sets of the flows seen, dicts of channels in
the order of the flows): the same flows in the same order (the order of the
shared event's group, which the records follow) and the same rates, bit for
bit, whatever order the heap is built in.
"""

from __future__ import annotations

import heapq
import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from network_environments import environment, make  # noqa: F401  (the fixture runs each test on both)


def plain_component(flows_on: list[list[Any]], channels: list[int]) -> list[Any]:
    """The flows connected to ``channels``, searched as the network did before its marks (sets of ids)."""
    seen_channels = set(channels)
    stack = sorted(seen_channels)
    seen: set[int] = set()
    found: list[Any] = []
    while stack:
        for flow in flows_on[stack.pop()]:
            if id(flow) in seen:
                continue
            seen.add(id(flow))
            found.append(flow)
            for c in flow.channels:
                if c not in seen_channels:
                    seen_channels.add(c)
                    stack.append(c)
    return found


def plain_filling(
    flows: list[Any], flows_on: list[list[Any]], capacity: list[float], rng: random.Random
) -> list[float]:
    """Max-min fair rates by progressive filling, its heap built from the channels in a shuffled order."""
    rate = {id(flow): -1.0 for flow in flows}
    order = list(dict.fromkeys(c for flow in flows for c in flow.channels))
    rng.shuffle(order)
    left = {c: capacity[c] for c in order}
    count = {c: len(flows_on[c]) for c in order}
    heap = [(left[c] / count[c], c) for c in order]
    heapq.heapify(heap)
    unfixed = len(flows)
    while unfixed and heap:
        share, c = heapq.heappop(heap)
        n = count[c]
        if n == 0:
            continue
        current = left[c] / n
        if current > share * (1.0 + 1e-12):
            heapq.heappush(heap, (current, c))
            continue
        share = max(current, 0.0)
        for flow in flows_on[c]:
            if rate[id(flow)] >= 0.0:
                continue
            rate[id(flow)] = share
            unfixed -= 1
            for d in flow.channels:
                left[d] -= share
                count[d] -= 1
    return [rate[id(flow)] for flow in flows]


def bits(values: list[float]) -> list[str]:
    return [value.hex() for value in values]


routes = st.lists(st.sets(st.integers(0, 7), min_size=1, max_size=3), min_size=1, max_size=40)
capacities = st.lists(st.integers(1, 50).map(lambda k: k * 7.3e5), min_size=8, max_size=8)


@settings(max_examples=60, deadline=None)
@given(capacities=capacities, routes=routes, seed=st.integers(0, 2**32 - 1))
def test_a_reshare_matches_the_plain_search_and_filling_bit_for_bit(capacities, routes, seed):
    _env, net = make(capacities)
    for route in routes:  # all at one instant: a burst, each start that does not fit re-shares
        before = net.reallocations
        flow = net.start(tuple(sorted(route)), 1e6, 0.0, lambda p: None, None)
        if net.reallocations > before:
            assert [id(f) for f in flow.group] == [id(f) for f in plain_component(net.flows_on, list(route))]
    rng = random.Random(seed)
    for channel in range(len(capacities)):
        if not net.flows_on[channel]:
            continue
        net.set_capacity(channel, capacities[channel])  # the same capacity: re-shares its component
        group = net.flows_on[channel][0].group
        assert [id(f) for f in group] == [id(f) for f in plain_component(net.flows_on, [channel])]
        expected = plain_filling(group, net.flows_on, net.capacity_Bps, rng)
        assert bits([f.rate for f in group]) == bits(expected)
        assert bits(plain_filling(group, net.flows_on, net.capacity_Bps, rng)) == bits(expected)
        for c in {c for f in group for c in f.channels}:
            total = 0.0
            for f in net.flows_on[c]:
                total += f.rate
            assert net.load_Bps[c].hex() == total.hex()


def test_a_reshare_after_flows_leave_searches_from_the_channels_they_left():
    """Two flows end together on channel 0, the others' too: one search from it (named twice), in order."""
    env, net = make([80.0, 80.0, 8.0])
    done = []
    for route, size in [((0, 1), 10.0), ((0,), 10.0), ((1, 2), 1e6), ((0, 2), 1e6)]:
        net.start(route, size, 0.0, lambda p: done.append((p, env.now)), route)
    env.run(until=5.0)
    assert [p for p, _ in done] == [(0, 1), (0,)]
    survivors = net.flows_on[2]
    assert survivors[0].group is survivors[1].group
    assert [id(f) for f in survivors[0].group] == [id(f) for f in plain_component(net.flows_on, [0, 0])]
    assert [f.rate for f in survivors] == [0.5, 0.5]
