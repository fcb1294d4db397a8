"""The read-only view of the running system that every policy decision receives."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from offloadsim.errors import LookupMessage
from offloadsim.models.precision import BYTES
from offloadsim.policies.base import TaskView
from offloadsim.suggest import quoted
from offloadsim.world.topology import ROUTE_CACHE

if TYPE_CHECKING:
    from offloadsim.engine.context import RunContext
    from offloadsim.engine.work import Price
    from offloadsim.models.graph import LayerGraph
    from offloadsim.policies.costs import LLMStage
    from offloadsim.policies.splitting import CutCodec
    from offloadsim.scenario.model import PowerSpec

__all__ = ["EngineView", "NoProcessorError"]


class NoProcessorError(LookupMessage):
    """A policy asked the view for the processor of a node that has none (or of no node at all).

    A ``KeyError``, as the view raised before, but one that says which node and why: the policy's
    error report showed only ``'sensor-0'``, a source that cannot compute.
    """


class EngineView:
    """Implements :class:`~offloadsim.policies.base.SystemView` over a live run.

    Reads only; answers kept between decisions (routes, nearest servers,
    a node's links) are dropped whenever the run's topology changes a route
    (:meth:`forget_routes`), so none is stale; :attr:`topology_version` (any
    change), :attr:`routes_version` (a change that can move a route) and
    :attr:`up_version` (a change of what is up or reachable) let a policy key
    its own caches the same way.
    """

    def __init__(self, ctx: RunContext, rng: np.random.Generator):
        self._sim = ctx
        self._rng = rng
        self._nodes: dict[str | None, tuple[str, ...]] = {}
        self._nearest: dict[str, dict[str, tuple[str, float]]] = {}
        self._routes: dict[tuple[str, str], tuple[float, tuple[int, ...]]] = {}
        self._links: dict[tuple[str, bool], tuple[tuple[float, int], ...]] = {}
        # A plug-in's rates and waits come checked, through its adapter (engine/plugin_adapters.py).
        network = ctx.network
        self._share: Callable[[Sequence[int]], float] = network.share_Bps
        self._capacity: Callable[[int], float] = network.capacity_Bps_now
        #: Bumped by every change of the run's topology (a rate, a latency, a link or node down/up).
        self.topology_version = 0
        #: Bumped by the changes that can move a route or its latency (not by a rate).
        self.routes_version = 0
        #: Bumped with ``routes_version`` and whenever a node's processors stop or start again (the
        #: kernel's node_down and node back up, a flat battery): while it stands, ``is_up`` and
        #: ``reachable`` answer as they did, so a policy may keep a decision checked against them.
        self.up_version = 0

        self._prices: dict[tuple[str, str], Price] = {}
        self._named_prices: dict[tuple[str, str, str], Price] = {}  # (app, node, processor named)

    def forget_routes(self) -> None:
        """The topology changed a route or its latency: drop every answer built on the old ones."""
        self._nearest.clear()
        self._routes.clear()
        self._links.clear()

    def moved(self, device: str) -> None:
        """A leaf ``device`` handed over, or went down: drop the answers about it and its access points'.

        Its nearest node of each tier is then its new access point's (every
        route of a device on one link climbs it), or none (out of reach, or
        down); a table where the device is itself a candidate is found afresh.
        """
        topology = self._sim.topology
        access = topology.attachment(device)
        for tier, table in list(self._nearest.items()):
            if device in self.nodes(tier):
                del self._nearest[tier]
                continue
            hit = table.get(access) if access is not None else None
            # Not reachable: attached by its position over a link another dynamics entry holds down.
            if hit is None or not topology.reachable(device, hit[0]):
                table.pop(device, None)
            else:
                table[device] = (hit[0], topology.route(device, hit[0]).latency_s)
        for key in [key for key in self._routes if device in key]:
            del self._routes[key]
        self._links.clear()

    def attachment(self, device: str) -> str | None:
        """The access point a moving device is attached to now (None: out of reach, or it does not move)."""
        return self._sim.topology.attachment(device)

    @property
    def now(self) -> float:
        """Current simulated time, seconds."""
        return self._sim.env.now

    @property
    def rng(self) -> np.random.Generator:
        """The policy's own random stream."""
        return self._rng

    def nodes(self, tier: str | None = None) -> tuple[str, ...]:
        """Computing nodes (those with a processor), in scenario order, optionally of one tier."""
        cached = self._nodes.get(tier)
        if cached is None:
            world = self._sim.world
            cached = tuple(
                name for name in world.processors if tier is None or world.nodes[name].tier == tier
            )
            self._nodes[tier] = cached
        return cached

    def tier(self, node: str) -> str:
        """The node's tier: device, edge, cloud or network."""
        return self._sim.world.nodes[node].tier

    def group(self, node: str) -> str:
        """The scenario key a node came from: ``phone`` for ``phone-3`` of a ``count:``, else its own name."""
        return self._sim.world.nodes[node].group

    def is_up(self, node: str) -> bool:
        """False while a node is down (its processor stopped, or the topology took it down)."""
        proc = self._sim.processors.get(node)
        return (proc.up if proc is not None else True) and self._sim.topology.node_up(node)

    def processors(self, node: str) -> tuple[str, ...]:
        """The names of ``node``'s processors, its first (default) first; () if it cannot compute."""
        return tuple(model.spec.name for model in self._sim.world.processors_of(node))

    def cores(self, node: str, processor: str | None = None) -> int:
        """Parallel servers of the node's processor (its first, or the one named; 0 if it cannot compute)."""
        sim = self._sim
        proc = sim.processors.get(node) if processor is None else sim.resources.get((node, processor))
        return proc.cores if proc is not None else 0

    def busy_cores(self, node: str, processor: str | None = None) -> int:
        """Cores serving a stage now, on the node's first processor or the one named."""
        sim = self._sim
        proc = sim.processors.get(node) if processor is None else sim.resources.get((node, processor))
        return proc.busy if proc is not None else 0

    def queue_length(self, node: str, processor: str | None = None) -> int:
        """Stages waiting for a core, at the node's first processor or the one named."""
        sim = self._sim
        proc = sim.processors.get(node) if processor is None else sim.resources.get((node, processor))
        return proc.queued() if proc is not None else 0

    def expected_wait_s(self, node: str, processor: str | None = None) -> float:
        """Expected wait of a stage submitted now: the processor's queue, plus LLM decode steps still to come.

        The node's first processor's, or the one named.  The processor's own estimate counts the
        stages queued and in service; an LLM request in progress there has one of those at a
        time, and its later decode steps are queued only as each step before ends.  Their time
        (:meth:`LLMLoad.owed_s <offloadsim.engine.llm_load.LLMLoad.owed_s>`), spread over the
        cores, is added: the work the node owes before it is free again.
        """
        sim = self._sim
        proc = sim.processors.get(node) if processor is None else sim.resources.get((node, processor))
        if proc is None:
            raise self._no_processor(node, "expected_wait_s", processor)
        wait = proc.expected_wait_s()
        owed = sim.llm_load.owed_s(proc, sim.ledger)
        return wait + owed / proc.cores if owed else wait

    def _no_processor(self, node: object, asked: str, processor: str | None = None) -> NoProcessorError:
        """What asking ``asked`` of ``node``, with no processor (or none so named), raises: which, and why."""
        from offloadsim.suggest import did_you_mean_name

        world = self._sim.world
        if isinstance(node, str) and processor is not None and node in self._sim.processors:
            named = self.processors(node)
            return NoProcessorError(
                f"view.{asked}(): {quoted(node)} has no processor {quoted(processor)}"
                f"{did_you_mean_name(str(processor), named)}; "
                f"view.processors({quoted(node)}) lists its own: "
                f"{', '.join(named)}"
            )
        if isinstance(node, str) and node in world.nodes:
            why = f"{quoted(node)} has no processor"
        else:
            hint = did_you_mean_name(str(node), self.nodes())
            why = f"{quoted(node)} is no node of this system{hint}"
        return NoProcessorError(
            f"view.{asked}(): {why}; ask it of a computing node (view.nodes() lists them; view.cores(node) "
            "is 0 for a node that cannot compute)"
        )

    def compute_time_s(
        self,
        task: TaskView,
        node: str,
        start: int = 0,
        stop: int | None = None,
        app: str | None = None,
        processor: str | None = None,
    ) -> float:
        """Service time of layers ``[start, stop)`` of ``task`` on ``node``'s processor.

        Its first processor, or the one named by ``processor``.  With ``app`` (one of the task's
        alternatives), the time the request would take served by that application's model instead.
        """
        if app is not None and app != task.app:
            flops, cuts = self._sim.kinds[app].served_as(task, self._sim.world.apps[app])
            task = _AsApp(app, flops, cuts, getattr(task, "llm", None))  # satisfies TaskView
        end = task.layers if stop is None else stop
        if processor is not None:
            return self._named_price(task, node, processor)(task, start, end)
        price = self._prices.get((task.app, node))
        if price is None:
            proc = self._sim.processors.get(node)
            if proc is None:
                raise self._no_processor(node, "compute_time_s")
            price = self._prices[(task.app, node)] = self._sim.pricer(task.app, proc)
        return price(task, start, end)

    def _named_price(self, task: TaskView, node: str, processor: str) -> Price:
        """How ``node``'s processor named ``processor`` prices ``task``'s application (kept per run)."""
        price = self._named_prices.get((task.app, node, processor))
        if price is None:
            proc = self._sim.resources.get((node, processor))
            if proc is None:
                raise self._no_processor(node, "compute_time_s", processor)
            price = self._named_prices[(task.app, node, processor)] = self._sim.pricer(task.app, proc)
        return price

    def llm_stage(
        self, task: TaskView, node: str, start: int, stop: int, processor: str | None = None
    ) -> LLMStage | None:
        """LLM request ``task``'s prefill and decode steps on blocks ``[start, stop)`` of ``node``.

        As the engine runs them (None for a task that is not an LLM request), on the node's first
        processor or the one named by ``processor`` (its speed and memory bandwidth).
        """
        tokens = getattr(task, "llm", None)
        if tokens is None:
            return None
        sim = self._sim
        cost = sim.world.apps[task.app].llm
        assert cost is not None
        if processor is None:
            speed = sim.world.app_speed(task.app, node)
            memory = sim.world.processors[node].memory_Bps
        else:
            if (node, processor) not in sim.resources:
                raise self._no_processor(node, "llm_stage", processor)
            speed = sim.world.app_speed(task.app, node, processor)
            memory = sim.world.processor(node, processor).memory_Bps
        prompt, output = tokens
        # Imported here, as the codecs and busy power below: only policies that price plans ask, and
        # the cost module's classes are a share of start-up that other runs need not pay.
        from offloadsim.policies.costs import LLMStage

        return LLMStage(
            node,
            cost.prefill_s(speed, memory, start, stop, prompt),
            cost.decode_steps_s(speed, memory, start, stop, prompt, output).tolist(),
            cost.hidden_bytes,
        )

    def alternatives(self, app: str) -> tuple[str, ...]:
        """Applications that may serve ``app``'s requests instead (``Plan.app``)."""
        return self._sim.world.apps[app].spec.alternatives

    def hosts(self, app: str) -> tuple[str, ...] | None:
        """Nodes allowed to run ``app``'s layers (None: any computing node)."""
        return self._sim.world.apps[app].spec.hosts

    def reachable(self, a: str, b: str) -> bool:
        """True if a route joins ``a`` and ``b``."""
        return self._sim.topology.reachable(a, b)

    def route_latency_s(self, a: str, b: str) -> float:
        """Propagation latency along the route."""
        return self._sim.topology.route(a, b).latency_s

    def route_bandwidth_bps(self, a: str, b: str) -> float:
        """Bottleneck capacity in force along the route, ignoring other traffic."""
        capacity = self._capacity
        channels = self._sim.topology.route(a, b).channels
        return min((capacity(c) for c in channels), default=float("inf")) * 8.0

    def available_bandwidth_bps(self, a: str, b: str) -> float:
        """Share a new flow would get at its bottleneck: capacity / (flows + 1)."""
        return self._share(self._sim.topology.route(a, b).channels) * 8.0

    def transfer_time_s(self, a: str, b: str, size_bytes: float) -> float:
        """Latency + size / available bandwidth; 0 from a node to itself."""
        if a == b:
            return 0.0
        # Load-aware policies ask this for every candidate of every task: one dict lookup.
        hop = self._routes.get((a, b))
        if hop is None:
            if len(self._routes) >= ROUTE_CACHE:
                self._routes.clear()  # bounded, like the topology's own route cache
            route = self._sim.topology.route(a, b)
            hop = self._routes[(a, b)] = (route.latency_s, route.channels)
        latency, channels = hop
        if size_bytes <= 0.0:
            return latency
        share = self._share(channels)
        return latency + size_bytes / share if share > 0.0 else float("inf")

    def transfer_floor_s(self, node: str, size_bytes: float, inbound: bool = False) -> float:
        """Least time any transfer out of ``node`` (into it, if ``inbound``) takes: see SystemView."""
        links = self._links.get((node, inbound))
        if links is None:
            topology = self._sim.topology
            links = self._links[(node, inbound)] = tuple(
                (
                    topology.graph.edges[node, other]["latency"],
                    topology.channel(other, node) if inbound else topology.channel(node, other),
                )
                for other in topology.graph.adj[node]
            )
        if not links:
            return 0.0
        capacity = self._capacity
        latency = min(hop[0] for hop in links)
        if size_bytes <= 0.0:
            return latency
        widest = max(capacity(hop[1]) for hop in links)
        return latency + size_bytes / widest if widest > 0.0 else float("inf")

    def nearest(self, source: str, tier: str) -> str | None:
        """The computing node of ``tier`` closest to ``source`` by route latency (None if none reachable)."""
        table = self._nearest.get(tier)
        if table is None:
            table = self._sim.topology.nearest(tier, self.nodes(tier))
            self._nearest[tier] = table
        hit = table.get(source)
        return hit[0] if hit is not None else None

    def power(self, node: str) -> PowerSpec | None:
        """The node's power draw by state (None when the scenario gives none)."""
        return self._sim.world.nodes[node].power

    def core_busy_w(self, node: str, processor: str | None = None) -> float:
        """Watts above idle that a busy core of ``node``'s processor draws, as the run charges it.

        Its first processor's, or the one named (0 for a node without ``power:``): the node's
        busy draw shared by the cores of its processors without their own, or a processor's own
        over its cores (:func:`~offloadsim.policies.device_energy.processor_busy_w`, the meter's rule).
        """
        world = self._sim.world
        power = world.nodes[node].power
        models = world.processors_of(node)
        if not models:
            raise self._no_processor(node, "core_busy_w")
        names = [model.spec.name for model in models]
        name = names[0] if processor is None else processor
        if name not in names:
            raise self._no_processor(node, "core_busy_w", processor)
        if power is None:
            return 0.0
        from offloadsim.policies.device_energy import processor_busy_w

        rates = processor_busy_w(power, [(model.cores, model.spec.busy_w) for model in models])
        return rates[names.index(name)]

    def layer_graph(self, app: str) -> LayerGraph | None:
        """The layer graph of ``app``'s model (None for synthetic work)."""
        return self._sim.world.apps[app].graph

    def cut_codec(
        self, app: str, nodes: Sequence[str], processors: Sequence[str | None] | None = None
    ) -> CutCodec | None:
        """``app``'s activation codec priced on ``nodes`` as the engine runs it (None: no compression).

        Each node's encoding and decoding at its first processor's speed, or at the speed of the
        processor ``processors`` names for it (one per node, None: its first), as the engine
        prices them on the processors a plan names.
        """
        template = self._sim.world.apps[app]
        if not self._sim.kinds[app].fixed_cost:  # as the engine: codecs apply where stage times are fixed
            return None
        from offloadsim.policies.costs import CODECS

        codec = CODECS.get(template.spec.compression)
        if codec is None:
            return None
        sim = self._sim
        named = processors if processors is not None else (None,) * len(nodes)
        flops = []
        for node, name in zip(nodes, named, strict=True):
            proc = sim.processors.get(node) if name is None else sim.resources.get((node, name))
            if proc is None:
                raise self._no_processor(node, "cut_codec", name)
            flops.append(proc.speed_flops)
        # Imported here: only split policies ask, and the split planners (with the layer graphs'
        # module) are a share of start-up that other runs need not pay.
        from offloadsim.policies.splitting import CutCodec

        return CutCodec.of(codec, flops, BYTES[template.precision])


class _AsApp:
    """A request seen as served by another application, for estimates."""

    __slots__ = (
        "app",
        "arrival",
        "cut_bytes",
        "deadline",
        "flops",
        "id",
        "layers",
        "llm",
        "service",
        "source",
    )

    def __init__(
        self, app: str, flops: Sequence[float], cut_bytes: Sequence[float], llm: tuple[int, int] | None
    ):
        self.id = -1
        self.source = ""
        self.arrival = float("nan")
        self.deadline = float("nan")
        self.app = app
        self.flops: Sequence[float] = flops
        self.cut_bytes: Sequence[float] = cut_bytes
        self.layers = len(flops)
        self.llm = llm
        self.service = None
