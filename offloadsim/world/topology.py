"""The network graph: nodes, links with a bandwidth each way, cached lowest-latency routes.

Each link is two *directed channels* (``a→b`` and ``b→a``), numbered
``2*i`` and ``2*i + 1`` for the i-th link; a route is the tuple of channels
it crosses, which is all the flow-level network needs.

Memory stays linear in the size of the network, however many pairs of nodes
exchange traffic.  Trees hanging off the network (a device on its access
point, an access point on its edge) are peeled off once: a route into or out
of one is forced up to where it attaches, so only the *core* left behind
needs shortest-path searches, and a search table holds the core's nodes,
not every device.  Search tables and routes are cached within fixed budgets
(:data:`ROUTE_CACHE`, :data:`SEARCH_BUDGET`); past them the oldest go.

The topology may change during a run (:meth:`Topology.set_capacity`,
:meth:`Topology.set_latency`, :meth:`Topology.set_loss`, :meth:`Topology.set_link_up`,
:meth:`Topology.set_node_up`).  Every change bumps :attr:`Topology.version`;
one that can move a route or its latency also bumps
:attr:`Topology.routes_version`, and the caches built on routes (this
module's, the engine's compiled plans, the policy view's) start afresh, so a
stale route is never served.  Listeners registered with
:meth:`Topology.watch` hear each change (the run's link model re-rates its
flows).  A world's topology is shared by its runs and never changed: a run
whose world changes works on its own :meth:`Topology.fork`.

A link or node is down while anyone holds it down: each change to its
up/down state is made by a *holder* (the dynamics entry whose change is
being applied, :meth:`Topology.applying`; ``None`` outside every entry),
and one holder's coming up ends its own hold, not another's, so overlapping
outages add up as a union.  With one holder (a world built as written, a
test calling :meth:`Topology.set_link_up`) the last change sets the state,
as it always did.  A node the run takes down for good (a device whose battery
ran flat, :meth:`Topology.take_down_for_good`) is held by a holder no entry
is, so no entry's coming up brings it back.

A dynamics kind whose own state follows nodes (``mobility`` moves devices off
an access point that goes down, and back when it comes up) registers a
*reaction* with :meth:`Topology.on_node_change`: it is called on every node's
going down or coming up, whoever's change moved the node, and what it changes
is held by the entry that registered it.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import reduce
from operator import add
from types import TracebackType
from typing import TYPE_CHECKING

from offloadsim.field_values import FieldValues
from offloadsim.scenario.model import LinkSpec, NodeSpec
from offloadsim.scenario.units import format_quantity
from offloadsim.suggest import quoted

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["Change", "Route", "Topology", "NoRouteError", "ROUTE_CACHE", "SEARCH_BUDGET", "channel_ends"]

# Added per hop so that, among equal-latency paths, the one with fewer hops wins.
_HOP_PENALTY_S = 1e-12
#: Routes kept at once (a few hundred bytes each); the cache starts afresh when full.
ROUTE_CACHE = 1 << 17
#: Entries (one per core node) kept over all cached shortest-path search tables.
SEARCH_BUDGET = 1 << 21
#: The holder of a node taken down for good (:meth:`Topology.take_down_for_good`): no dynamics
#: entry's number (those count from 0), so no entry's change lets the node up.
_FOR_GOOD = -1


def _channels(links: Iterable[int]) -> tuple[int, ...]:
    """The directed channels of ``links``, both ways: ``2i`` and ``2i + 1`` for link ``i``."""
    return tuple(channel for link in links for channel in (2 * link, 2 * link + 1))


class NoRouteError(LookupError):
    """Two nodes are not connected."""


# eq=False, repr=False: FieldValues's __eq__, __hash__ and __repr__ (issue 12 e: see offloadsim.field_values).
@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Change(FieldValues):
    """What changed in a topology, as its listeners hear it.

    ``what`` is ``capacity`` (``channel``, ``value`` in bit/s), ``loss``
    (``channel``, ``value`` a probability), ``latency``
    (``link``, ``value`` in s), ``link-up`` (``link``, ``value`` 1.0 up / 0.0
    down), ``node-up`` (``node``, ``value`` 1.0 / 0.0) or ``handover``
    (device ``node`` now attached by ``link``, -1 for none; ``in_flight`` says
    what becomes of its flows in flight: ``continue``, ``restart`` or ``fail``);
    ``channels`` are the directed channels whose state moved (a node's links'
    both ways; for a handover, the links taken down, then the one brought up).
    ``leaf`` (a node going down): it hung off the network by one link, so no
    route but its own crossed it, and the answers about other routes stand.
    """

    what: str
    value: float
    link: int = -1
    channel: int = -1
    node: str = ""
    channels: tuple[int, ...] = ()
    in_flight: str = ""
    leaf: bool = False


# eq=False, repr=False: FieldValues's __eq__, __hash__ and __repr__ (issue 12 e: see offloadsim.field_values).
@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Route(FieldValues):
    """A path from ``source`` to ``target``: node sequence, channels crossed, total latency.

    ``bottleneck_bps`` is the least capacity along it when the route was
    found; a link model's capacity in force may differ during a run.
    """

    source: str
    target: str
    nodes: tuple[str, ...]
    channels: tuple[int, ...]
    latency_s: float
    bottleneck_bps: float


def channel_ends(links: Sequence[LinkSpec], channel: int) -> tuple[str, str]:
    """``(from, to)`` of directed channel ``channel`` over ``links`` (``2*i``: link ``i`` as written).

    A topology's (:meth:`Topology.channel_ends`) or, before one is built, a scenario's links.
    """
    link = links[channel // 2]
    return (link.a, link.b) if channel % 2 == 0 else (link.b, link.a)


class Topology:
    """Nodes and links as a networkx graph, with routes computed once and cached.

    >>> from offloadsim.scenario.model import NodeSpec, LinkSpec
    >>> topo = Topology(
    ...     [NodeSpec("phone", "phone", "device"), NodeSpec("edge", "edge", "edge")],
    ...     [LinkSpec("phone", "edge", 20e6, 10e6, 0.003)],
    ... )
    >>> route = topo.route("phone", "edge")
    >>> route.channels, route.latency_s, route.bottleneck_bps
    ((0,), 0.003, 20000000.0)
    """

    def __init__(
        self, nodes: list[NodeSpec] | tuple[NodeSpec, ...], links: list[LinkSpec] | tuple[LinkSpec, ...]
    ):
        self.nodes: dict[str, NodeSpec] = {node.name: node for node in nodes}
        self.links: tuple[LinkSpec, ...] = tuple(links)
        self._graph: nx.Graph | None = None  # built on first use (see graph)
        capacities: list[float] = []
        for link in self.links:
            capacities.extend((link.bandwidth_bps, link.reverse_bandwidth_bps))
        self.channel_capacity_bps: tuple[float, ...] = tuple(capacities)
        #: Bumped by every change; ``routes_version`` only by those that can move a route or its latency.
        self.version = 0
        self.routes_version = 0
        self._capacity_bps = list(capacities)  # in force
        self._loss = [link.loss for link in self.links for _ in (0, 1)]  # per channel, in force
        self._link_up = [True] * len(self.links)
        self._node_down: set[str] = set()
        self._listeners: list[Callable[[Change], None]] = []
        self._routes: dict[tuple[str, str], Route] = {}
        self._components: dict[str, int] | None = None
        self._trees: _HangingTrees | None = None
        self._searches: dict[str, dict[str, list[str]]] = {}  # core node -> predecessors, oldest first
        self._search_entries = 0
        self._latency_down: dict[int, float] = {}  # latency in force of links out of the graph
        self._attached: dict[str, str | None] = {}  # a moving device -> its access point (None: none)
        # A link (its index) or node (its name) held down -> who holds it (see applying); none else.
        self._holds: dict[int | str, set[int | None]] = {}
        self._holder: int | None = None  # whose change is being applied (None: no dynamics entry's)
        # Called on a node's going down or up, each as the holder that registered it (on_node_change).
        self._reactions: list[tuple[int | None, Callable[[str, bool], None]]] = []
        self._isolated = 0  # numbers the components of devices out of every access point's reach
        self._links_at: dict[str, tuple[int, ...]] | None = None  # node -> its links (see links_at)

    @property
    def graph(self) -> nx.Graph:
        """The nodes and the links that carry traffic now, as a networkx graph.

        Built from the scenario's nodes and links on first use: a run that
        never searches a route (one node, tasks run where they arise) does
        not import networkx, a fifth of a short run's start-up.  Every
        change goes through this graph, so it is built before the first one
        and holds the same edges, in the same order, as one built at once.
        """
        graph = self._graph
        if graph is None:
            import networkx as nx

            graph = nx.Graph()
            graph.add_nodes_from((node.name, {"tier": node.tier}) for node in self.nodes.values())
            for i, link in enumerate(self.links):
                latency = link.latency_s
                graph.add_edge(link.a, link.b, index=i, latency=latency, weight=latency + _HOP_PENALTY_S)
            self._graph = graph
        return graph

    # -- a world that changes ------------------------------------------------
    def fork(self) -> Topology:
        """A topology of the same nodes and links in their scenario state, with its own caches.

        A run whose world changes mutates its fork, never the world's topology.
        """
        return Topology(list(self.nodes.values()), self.links)

    def watch(self, listener: Callable[[Change], None]) -> None:
        """Call ``listener(change)`` after every change of this topology."""
        self._listeners.append(listener)

    @property
    def holder(self) -> int:
        """The dynamics entry whose change is being applied (see :meth:`applying`); -1 for none."""
        holder = self._holder
        return holder if holder is not None and holder >= 0 else -1

    def capacity_bps(self, channel: int) -> float:
        """A directed channel's capacity as last set (its scenario value until changed)."""
        return self._capacity_bps[channel]

    def latency_s(self, link: int) -> float:
        """A link's propagation latency in force."""
        spec = self.links[link]
        if self.graph.has_edge(spec.a, spec.b):
            return float(self._edge_attrs(link)["latency"])
        return self._latency_down.get(link, spec.latency_s)

    def link_up(self, link: int) -> bool:
        """False while link ``link`` is down."""
        return self._link_up[link]

    def node_up(self, node: str) -> bool:
        """False while ``node`` is down (its links carry nothing)."""
        return node not in self._node_down

    def set_capacity(self, channel: int, capacity_bps: float) -> None:
        """Change a directed channel's capacity (routes stay; their ``bottleneck_bps`` is refreshed).

        A capacity that is negative, NaN or infinite is refused with a ``ValueError`` (a plug-in's
        change that sets one ends its run naming the entry): a negative one hung the run, a NaN
        one left the flows on the channel in flight for ever.
        """
        if not 0.0 <= capacity_bps < math.inf:
            expected = "expected a number of bit/s, at least 0 and finite"
            raise ValueError(f"capacity {capacity_bps!r} bit/s; {expected}")
        if capacity_bps == self._capacity_bps[channel]:
            return
        self._capacity_bps[channel] = capacity_bps
        self._routes.clear()
        self._changed(Change("capacity", capacity_bps, channel // 2, channel, channels=(channel,)), False)

    def loss(self, channel: int) -> float:
        """A directed channel's packet loss probability in force (recorded; not applied to throughput)."""
        return self._loss[channel]

    def set_loss(self, channel: int, probability: float) -> None:
        """Change a directed channel's packet loss probability (routes and rates stay).

        One outside [0, 1] (NaN included) is a ``ValueError``, as a capacity below 0 is.
        """
        if not 0.0 <= probability <= 1.0:
            raise ValueError(f"loss probability {probability!r}; expected a number from 0 to 1")
        if probability == self._loss[channel]:
            return
        self._loss[channel] = probability
        self._changed(Change("loss", probability, channel // 2, channel, channels=(channel,)), False)

    def set_latency(self, link: int, latency_s: float) -> None:
        """Change a link's propagation latency (both ways); routes are searched again.

        A latency that is negative, NaN or infinite is a ``ValueError``: a negative one broke the
        route search (an internal error), a NaN one ran with routes of no meaning.
        """
        if not 0.0 <= latency_s < math.inf:
            raise ValueError(f"latency {latency_s!r} s; expected a number of seconds, at least 0 and finite")
        if latency_s == self.latency_s(link):
            return
        spec = self.links[link]
        if self.graph.has_edge(spec.a, spec.b):
            graphs = [self.graph]
            if self._trees is not None and self._trees.core.has_edge(spec.a, spec.b):
                graphs.append(self._trees.core)  # the core searched for routes is a copy
            for graph in graphs:
                attrs = graph.edges[spec.a, spec.b]
                attrs["latency"] = latency_s
                attrs["weight"] = latency_s + _HOP_PENALTY_S
        else:
            self._latency_down[link] = latency_s
        self._forget(structure=False)
        self._changed(Change("latency", latency_s, link), True)

    def applying(self, holder: int) -> _Applying:
        """``with topology.applying(i): change.apply(topology)``: the changes made are dynamics entry ``i``'s.

        While in effect, :meth:`set_link_up`, :meth:`set_node_up` and
        :meth:`hand_over` take a link or node down, or let it up, as entry
        ``i``'s hold: it is down while any entry holds it down, so one entry's
        coming up ends its own outage, never another's.  Any change object's
        ``apply(topology)`` gets this, a plug-in's included; the engine names no
        kind of change.  The context may be kept and entered again, once at a
        time (the engine keeps one per entry: it costs no allocation per change).
        """
        return _Applying(self, holder)

    def on_node_change(self, reaction: Callable[[str, bool], None]) -> None:
        """Call ``reaction(node, up)`` whenever a node goes down or comes up; its changes are the caller's.

        For a dynamics kind whose own state follows nodes: ``mobility`` registers
        one at its first change, so a device attached to an access point that
        goes down moves to another in reach, whatever entry took the node down.
        The changes ``reaction`` makes are held by the holder in effect now (the
        entry registering it, see :meth:`applying`), not by the one that moved
        the node.  It runs with the node already in its new state, *before* the
        listeners hear of a node going down and *after* they hear of one coming
        up: a device handed over off the node, or onto it, moves while the run
        still carries, or already carries, that node's links, so its flows in
        flight fare as at any handover rather than being cut by the outage.
        """
        self._reactions.append((self._holder, reaction))

    def _react(self, node: str, up: bool) -> None:
        """Tell the reactions that ``node`` went down or came up, each as the holder that registered it."""
        outer = self._holder
        try:
            for holder, reaction in self._reactions:
                self._holder = holder
                reaction(node, up)
        finally:
            self._holder = outer

    def holders(self, key: int | str) -> tuple[int, ...]:
        """The dynamics entries that hold link ``key`` (its index) or node ``key`` (its name) down, in order.

        Empty where it is up or no entry holds it (a change made outside :meth:`applying`, a node
        down for good): what ``run --dry-run`` names as taking it down at 0 s.
        """
        return tuple(sorted(h for h in self._holds.get(key, ()) if h is not None and h >= 0))

    def _let_up(self, key: int | str, up: bool) -> bool:
        """The holder in effect holds link or node ``key`` down (``up`` False) or lets it go.

        Whether it is up now: no holder holds it down.
        """
        holds = self._holds
        held = holds.get(key)
        if not up:
            if held is None:
                holds[key] = {self._holder}
            else:
                held.add(self._holder)
            return False
        if held is not None:
            held.discard(self._holder)
            if held:
                return False
            del holds[key]
        return True

    def set_link_up(self, link: int, up: bool) -> None:
        """Take link ``link`` down (no route crosses it) or let it up.

        As the holder in effect: it comes up only when no holder holds it down (see :meth:`applying`).
        """
        up = self._let_up(link, up)
        if self._link_up[link] == up:
            return
        self._link_up[link] = up
        self._restore_or_remove(link)
        self._forget(structure=True)
        self._changed(Change("link-up", float(up), link, channels=_channels((link,))), True)

    def set_node_up(self, node: str, up: bool) -> None:
        """Take ``node`` down (its links carry nothing, no route reaches it) or let it up.

        As the holder in effect: it comes up only when no holder holds it down (see :meth:`applying`).
        The reactions registered with :meth:`on_node_change` hear of it.
        """
        up = self._let_up(node, up)
        if (node not in self._node_down) == up:
            return
        # A leaf going down (a device on its access point, whose battery ran flat, say) leaves
        # every other route as it was: only its own place in the peeled trees moves, as at a handover.
        was_leaf = not up and self.graph.degree(node) == 1
        old_parent = next(iter(self.graph.adj[node])) if was_leaf else None
        if up:
            self._node_down.discard(node)
        else:
            self._node_down.add(node)
        incident = self.links_at(node)
        for link in incident:
            self._restore_or_remove(link)
        in_place = was_leaf and self._moved_leaf(node, was_leaf, old_parent, None)
        if in_place:
            self._forget_routes_of(node)
        else:
            self._forget(structure=True)
        channels = self.channels_at(node)
        if not up:
            self._react(node, up)  # before the listeners cut its links (see on_node_change)
        self._changed(Change("node-up", float(up), node=node, channels=channels, leaf=in_place), True)
        if up:
            self._react(node, up)  # after they carry its links again

    def take_down_for_good(self, node: str) -> None:
        """Take ``node`` down as a holder none lets go: it stays down to the run's end.

        A device whose battery ran flat: a ``node-schedule`` window or a failure that
        took it down too, and lets it up later, ends only its own hold (see :meth:`applying`).
        """
        with self.applying(_FOR_GOOD):
            self.set_node_up(node, False)

    def links_at(self, node: str) -> tuple[int, ...]:
        """The indices of the links with ``node`` at one end, in link order, whatever their state.

        Found for every node at once on the first question: a scan of the links per question
        would cost a large world's runs a scan per node going down (or battery running flat).
        """
        found = self._links_at
        if found is None:
            built: dict[str, list[int]] = {}
            for index, spec in enumerate(self.links):
                for end in dict.fromkeys((spec.a, spec.b)):
                    built.setdefault(end, []).append(index)
            found = self._links_at = {name: tuple(links) for name, links in built.items()}
        return found.get(node, ())

    def channels_at(self, node: str) -> tuple[int, ...]:
        """The directed channels of :meth:`links_at` (``2i`` and ``2i + 1`` for link ``i``)."""
        return _channels(self.links_at(node))

    def hand_over(self, device: str, down: tuple[int, ...], up: int, in_flight: str) -> None:
        """Device ``device`` drops links ``down`` and attaches by link ``up`` (-1: to nothing).

        The holder in effect (see :meth:`applying`) holds links ``down`` down
        and lets ``up`` go: while another holds ``up`` down (a ``link-schedule``
        window), the device is attached, by its position, but the link stays
        down, and the device cut off, until that holder lets it up.

        One change, however many links move.  When the device hangs off the
        network by one link before and after (a phone on its access point),
        only its own place in the peeled trees moves: the core and its search
        tables stand, so a thousand phones handing over cost no graph search.
        """
        was_leaf = self.graph.degree(device) == 1 if device in self.graph else False
        old_parent = next(iter(self.graph.adj[device]), None) if was_leaf else None
        for link in down:
            self._let_up(link, False)
            self._link_up[link] = False
            self._restore_or_remove(link)
        held = up >= 0 and not self._let_up(up, True)
        if up >= 0 and not held:
            self._link_up[up] = True
            self._restore_or_remove(up)
        spec = self.links[up] if up >= 0 else None
        access = (spec.b if spec.a == device else spec.a) if spec is not None else None
        self._attached[device] = access
        if self._moved_leaf(device, was_leaf, old_parent, None if held else access):
            self._forget_routes_of(device)
        else:
            self._forget(structure=True)
        channels = _channels((*down, *([up] if up >= 0 else [])))
        self._changed(Change("handover", 1.0, up, node=device, channels=channels, in_flight=in_flight), True)

    def _moved_leaf(self, device: str, was_leaf: bool, old_parent: str | None, access: str | None) -> bool:
        """Move a leaf device in the cached trees and components; False when a full recount is needed."""
        trees, components = self._trees, self._components
        if trees is None and components is None:
            return True  # nothing cached yet
        degree = self.graph.degree(device)
        if not was_leaf or trees is None or trees.parent.get(device) != old_parent or degree > 1:
            return False
        if access is None:  # out of reach: alone in a component of its own
            del trees.parent[device]
            trees.depth[device], trees.top[device] = 0, device
            if components is not None:
                self._isolated += 1
                components[device] = -self._isolated
            return True
        trees.parent[device] = access
        trees.depth[device] = trees.depth[access] + 1
        trees.top[device] = trees.top[access]
        if components is not None:
            components[device] = components[access]
        return True

    def _forget_routes_of(self, leaf: str) -> None:
        """Drop the cached routes from or to ``leaf``, which moved in place: no other route crosses it."""
        for key in [key for key in self._routes if leaf in key]:
            del self._routes[key]

    def attachment(self, device: str) -> str | None:
        """The access point a moving device is attached to now (None: out of reach, or it never moved)."""
        return self._attached.get(device)

    def carries(self, link: int) -> bool:
        """True when link ``link`` and both its ends are up."""
        spec = self.links[link]
        return self._link_up[link] and spec.a not in self._node_down and spec.b not in self._node_down

    def _edge_attrs(self, link: int) -> dict[str, float]:
        spec = self.links[link]
        attrs: dict[str, float] = self.graph.edges[spec.a, spec.b]
        return attrs

    def _restore_or_remove(self, link: int) -> None:
        """Make the graph hold link ``link`` exactly when it carries traffic."""
        spec = self.links[link]
        present = self.graph.has_edge(spec.a, spec.b)
        if self.carries(link) and not present:
            latency = self._latency_down.pop(link, spec.latency_s)
            self.graph.add_edge(spec.a, spec.b, index=link, latency=latency, weight=latency + _HOP_PENALTY_S)
        elif not self.carries(link) and present:
            self._latency_down[link] = self._edge_attrs(link)["latency"]
            self.graph.remove_edge(spec.a, spec.b)

    def _forget(self, structure: bool) -> None:
        """Drop what routes were found from (all search tables; the components and trees too)."""
        self._routes.clear()
        self._searches.clear()
        self._search_entries = 0
        if structure:
            self._components = None
            self._trees = None

    def _changed(self, change: Change, routes: bool) -> None:
        self.version += 1
        if routes:
            self.routes_version += 1
        for listener in self._listeners:
            listener(change)

    def channel(self, a: str, b: str) -> int:
        """The directed channel carrying traffic from ``a`` to the adjacent ``b``."""
        index = self.graph.edges[a, b]["index"]
        return 2 * index if self.links[index].a == a else 2 * index + 1

    def channel_ends(self, channel: int) -> tuple[str, str]:
        """``(from, to)`` of a directed channel."""
        return channel_ends(self.links, channel)

    def reachable(self, a: str, b: str) -> bool:
        """True if a path joins ``a`` and ``b`` now (cheap: components, computed once per change)."""
        if self._components is None:
            import networkx as nx

            self._components = {}
            for number, component in enumerate(nx.connected_components(self.graph)):
                for node in component:
                    self._components[node] = number
        return self._components[a] == self._components[b]

    def route(self, a: str, b: str) -> Route:
        """The lowest-latency route from ``a`` to ``b`` (fewest hops on ties), cached."""
        key = (a, b)
        cached = self._routes.get(key)
        if cached is not None:
            return cached
        if a == b:
            route = Route(a, b, (a,), (), 0.0, float("inf"))
        else:
            if not self.reachable(a, b):
                raise NoRouteError(f"no route from {quoted(a)} to {quoted(b)}")
            path = self._path(a, b)
            channels = tuple(self.channel(u, v) for u, v in itertools.pairwise(path))
            # Left to right, not sum(): from Python 3.12 sum() compensates float rounding,
            # and a route's latency must not depend on the Python version.
            latency = reduce(
                add, [self.graph.edges[u, v]["latency"] for u, v in itertools.pairwise(path)], 0.0
            )
            bottleneck = min(self._capacity_bps[c] for c in channels)
            route = Route(a, b, tuple(path), channels, latency, bottleneck)
        if len(self._routes) >= ROUTE_CACHE:
            self._routes.clear()  # bounded: a policy may ask for every pair of a large network
        self._routes[key] = route
        return route

    def _path(self, a: str, b: str) -> list[str]:
        """Nodes of a lowest-latency path from ``a`` to ``b`` (connected, distinct)."""
        trees = self._trees
        if trees is None:
            trees = self._trees = _HangingTrees(self.graph)
        up, down, top_a, top_b = trees.climb(a, b)
        if top_a == top_b:
            return up + down[-2::-1]  # both in one tree, meeting at its lowest common ancestor
        return up[:-1] + self._core_path(top_a, top_b) + down[-2::-1]

    def _core_path(self, a: str, b: str) -> list[str]:
        """A lowest-latency path between two core nodes, from a cached search of either end.

        Searches start from the server end when there is one: servers are few
        and devices many, so one search per server serves every device.
        """
        if a in self._searches:
            return _walk(self._searches[a], b)[::-1]
        if b in self._searches or self.nodes[a].tier == "device":
            return _walk(self._search(b), a)
        return _walk(self._search(a), b)[::-1]

    def _search(self, source: str) -> dict[str, list[str]]:
        table = self._searches.get(source)
        if table is None:
            import networkx as nx

            assert self._trees is not None
            table, _ = nx.dijkstra_predecessor_and_distance(self._trees.core, source, weight="weight")
            while self._searches and self._search_entries + len(table) > SEARCH_BUDGET:
                oldest = next(iter(self._searches))
                self._search_entries -= len(self._searches.pop(oldest))
            self._searches[source] = table
            self._search_entries += len(table)
        return table

    def nearest(self, tier: str, candidates: tuple[str, ...]) -> dict[str, tuple[str, float]]:
        """For every node, the closest of ``candidates`` (by route latency) and that latency.

        One multi-source Dijkstra, so asking for the nearest edge server of
        10,000 devices costs one graph search, not 10,000.
        """
        if not candidates:
            return {}
        import networkx as nx

        distances, paths = nx.multi_source_dijkstra(self.graph, list(candidates), weight="weight")
        return {node: (path[0], distances[node]) for node, path in paths.items()}

    def summary(self, labels: Mapping[int, str] | None = None, limit: int = 40) -> str:
        """A few lines for people: nodes per tier, how many compute, and every link entry.

        Nodes and links are counted as the run's summary counts them: it
        reports computing nodes, and each link as two directions.  Links are
        listed per scenario entry (``links[i]``), which ``labels`` may name
        (``{0: "phone-* <-> ap"}``; default: the entry's first pair), so a
        fan-out of a thousand phones is one line and no entry is hidden.
        """
        tiers = Counter(node.tier for node in self.nodes.values())
        groups = Counter(node.group for node in self.nodes.values())
        per_tier = ", ".join(f"{count} {tier}" for tier, count in tiers.items())
        computing = sum(node.processor is not None for node in self.nodes.values())
        components = len(self.nodes)  # without links, each node is a component (and networkx not needed)
        if self.links:
            import networkx as nx

            components = nx.number_connected_components(self.graph)
        lines = [
            f"{len(self.nodes)} nodes ({per_tier}), {computing} of them computing; "
            f"{components} connected component{'' if components == 1 else 's'}",
            "groups: " + ", ".join(f"{g} x{c}" if c > 1 else g for g, c in groups.items()),
            (f"{len(self.links)} links, each" if len(self.links) != 1 else "1 link,")
            + f" used both ways (the run reports {2 * len(self.links)} link directions):",
        ]
        entries: dict[int, list[LinkSpec]] = {}
        for link in self.links:
            entries.setdefault(link.index, []).append(link)
        for shown, (index, members) in enumerate(entries.items()):
            if shown == limit:
                lines.append(f"  ... and {len(entries) - shown} more link entries")
                break
            first = members[0]
            label = (labels or {}).get(index) or f"{first.a} <-> {first.b}"
            back = (
                f" / {format_quantity(first.reverse_bandwidth_bps, 'bandwidth')} back"
                if first.reverse_bandwidth_bps != first.bandwidth_bps
                else ""
            )
            count = f"{len(members)} links" if len(members) > 1 else "1 link"
            lines.append(
                f"  links[{index}] {label}: {count}, {format_quantity(first.bandwidth_bps, 'bandwidth')}"
                f"{back}, {first.latency_s * 1e3:g} ms"
            )
        return "\n".join(lines)


class _Applying:
    """The context of :meth:`Topology.applying`: its holder in effect, the one before restored after.

    Reusable, not re-entrant: it keeps the holder it replaced until it exits.
    """

    __slots__ = ("holder", "outer", "topology")

    def __init__(self, topology: Topology, holder: int):
        self.topology = topology
        self.holder = holder
        self.outer: int | None = None

    def __enter__(self) -> None:
        self.outer = self.topology._holder
        self.topology._holder = self.holder

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.topology._holder = self.outer


def _walk(predecessors: dict[str, list[str]], node: str) -> list[str]:
    """The path ``node`` → search source, following each node's first shortest-path predecessor."""
    path = [node]
    while predecessors[node]:
        node = predecessors[node][0]
        path.append(node)
    return path


class _HangingTrees:
    """The graph peeled of its hanging trees: each peeled node's parent, depth and attachment point.

    Repeatedly removing nodes with one remaining neighbour leaves the *core*
    (the 2-core, plus one root per component that is a tree).  A peeled node
    reaches anything outside its tree only through its parent, so a shortest
    path climbs the tree to the core node it hangs from (its *top*).
    """

    __slots__ = ("core", "depth", "parent", "top")

    def __init__(self, graph: nx.Graph):
        degree = dict(graph.degree())
        self.parent: dict[str, str] = {}
        leaves = [node for node, d in degree.items() if d == 1]
        order: list[str] = []
        while leaves:
            node = leaves.pop()
            if degree[node] != 1:
                continue  # its last neighbour was peeled first: it is its tree's root
            parent = next(n for n in graph.adj[node] if n not in self.parent and degree[n] > 0)
            self.parent[node] = parent
            order.append(node)
            degree[node] = 0
            degree[parent] -= 1
            if degree[parent] == 1:
                leaves.append(parent)
        self.depth: dict[str, int] = dict.fromkeys((n for n in graph if n not in self.parent), 0)
        self.top: dict[str, str] = {n: n for n in self.depth}
        for node in reversed(order):  # parents before their children
            parent = self.parent[node]
            self.depth[node] = self.depth[parent] + 1
            self.top[node] = self.top[parent]
        self.core: nx.Graph = graph.subgraph(self.top.keys() - self.parent.keys()).copy()

    def climb(self, a: str, b: str) -> tuple[list[str], list[str], str, str]:
        """Paths up from ``a`` and ``b``: to their common ancestor in one tree, else to their tops."""
        parent, depth = self.parent, self.depth
        top_a, top_b = self.top[a], self.top[b]
        up, down = [a], [b]
        if top_a != top_b:
            while a in parent:
                a = parent[a]
                up.append(a)
            while b in parent:
                b = parent[b]
                down.append(b)
            return up, down, top_a, top_b
        while depth[a] > depth[b]:
            a = parent[a]
            up.append(a)
        while depth[b] > depth[a]:
            b = parent[b]
            down.append(b)
        while a != b:
            a, b = parent[a], parent[b]
            up.append(a)
            down.append(b)
        return up, down, top_a, top_b
