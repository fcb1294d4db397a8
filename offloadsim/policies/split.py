"""Split policies: cut each task's model between the device and servers (Neurosurgeon, multi-tier, DADS).

Each policy prices its candidate plans with the per-layer service times the
view predicts (``view.compute_time_s(task, node, i, i + 1)``) and the
bandwidth a new flow would get now (``view.available_bandwidth_bps``), then
asks one of the pure algorithms in :mod:`offloadsim.policies.splitting`.
An LLM request is priced plan by plan with
:func:`~offloadsim.policies.costs.llm_request_cost` (prefill, then every
decode step with its per-token round trip when split), from the stage
times ``view.llm_stage`` gives.

Everything expensive is cached per run: the per-layer times of a model's
application per node (they do not change during a run), route latencies,
and the decision itself per application, source, server(s), and 5 %
log-scale buckets of the bandwidths in force (and of the servers' expected
waits when ``load_aware``); for an LLM request, per its prompt and output
tokens too.  A link whose rate changes (a trace, a Gilbert–Elliott link)
moves the bandwidths read at decision time, so the decisions follow it
while the caches stand; a change that can move a route (``routes_version``)
starts them afresh.  Synthetic applications (no layer graph: their work is drawn per task)
are priced afresh for every task.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from offloadsim.models.graph import INPUT, OUTPUT
from offloadsim.policies.base import Plan, PlanError, SystemView, TaskView, may_host
from offloadsim.policies.candidates import processor_choices, usable
from offloadsim.policies.costs import LLMStage, llm_request_cost
from offloadsim.policies.device_energy import DeviceEnergy, heard_after_s
from offloadsim.policies.params import ComputingNode, Requirement
from offloadsim.policies.registry import register_policy
from offloadsim.policies.splitting import (
    CutCodec,
    Objective,
    best_single_cut,
    best_station_cuts,
    dads_min_cut,
)
from offloadsim.suggest import quoted

if TYPE_CHECKING:  # networkx is imported where a DAG is built: every run loads this module, few split
    import networkx as nx

__all__ = ["NeurosurgeonPolicy", "MultiTierPolicy", "DadsPolicy", "bucket"]

_STEP = math.log(1.05)
_MAX_DECISIONS = 65_536  # per run; beyond it the decision cache starts again (bounded memory)


def bucket(value: float) -> int | str:
    """The 5 % log-scale bucket of a positive quantity (bandwidth, wait, bytes): a cache key.

    Zero, infinity and NaN get buckets of their own.

    >>> bucket(20e6) == bucket(20.4e6), bucket(20e6) == bucket(22e6)
    (True, False)
    >>> bucket(0.0), bucket(float("inf"))
    ('zero', 'inf')
    """
    if value != value:
        return "nan"
    if value <= 0.0:
        return "zero"
    if math.isinf(value):
        return "inf"
    return round(math.log(value) / _STEP)


@dataclass(eq=False)
class _SplitPolicy:
    """What every split policy shares: the objective, load-awareness and per-run caches."""

    objective: Objective = "latency"
    load_aware: bool = False
    _run: dict[str, Any] = field(default_factory=dict, init=False, repr=False)
    _version: int = field(default=0, init=False, repr=False)  # the routes ``_run`` was built on
    # Whether any computing node has several processors, found at a run's first decision: where none
    # has, a decision asks nothing about processors (no call, no look-up more than before)
    _several: bool | None = field(default=None, init=False, repr=False)

    name = "split"

    def __post_init__(self) -> None:
        if self.objective not in ("latency", "energy"):
            raise ValueError(f'objective must be "latency" or "energy", got {quoted(self.objective)}')
        if not isinstance(self.load_aware, bool):
            raise ValueError(f"load_aware must be true or false, got {quoted(self.load_aware)}")

    # Whether the energy objective prices only sources that compute (a source that cannot compute
    # offloads everything without pricing); multi-tier prices every source's radio.
    _power_of_computing_sources_only = True

    def requirements(self) -> tuple[Requirement, ...]:
        """The energy objective needs the sources' power draw: checked against the scenario before a run."""
        if self.objective != "energy":
            return ()
        return (
            Requirement.sources_powered(
                "prices the device's joules (objective: energy)",
                "objective",
                computing_only=self._power_of_computing_sources_only,
            ),
        )

    # -- per-run state ------------------------------------------------------------------
    def reset(self, view: SystemView) -> None:
        """A new run: forget every cached time, route latency and decision of the last one."""
        self._run = {}
        self._version = view.routes_version
        self._several = None

    def _state(self, view: SystemView) -> dict[Any, Any]:
        # Decisions are cached under buckets of the bandwidths and waits read now, so a rate change
        # needs no flush: only a route that moved (a latency, a link or node down/up) does.
        if view.routes_version != self._version:
            self._run, self._version = {}, view.routes_version
        state = self._run
        if not state:
            state.update(
                times={},
                latency={},
                decisions={},
                plans={},
                local={},
                checked={},
                graphs={},
                codecs={},
                processors={},
            )
        return state

    @staticmethod
    def _can_compute(state: dict[Any, Any], view: SystemView, node: str) -> bool:
        computing = state["local"].get(node)
        if computing is None:
            computing = state["local"][node] = node in view.nodes()
        return bool(computing) and view.is_up(node)

    @staticmethod
    def _layer_times(
        state: dict[Any, Any],
        task: TaskView,
        view: SystemView,
        node: str,
        cache: bool,
        processor: str | None = None,
    ) -> list[float]:
        """Predicted seconds of each layer of ``task`` on ``node`` (cached per app and node for models).

        On its first processor, or the one named by ``processor``.  Infinite on a node that does
        not host the task's application.
        """
        hosts = view.hosts(task.app)
        # A node a $source brought into hosts runs its own requests alone: its answer is per source.
        own = task.source if node in getattr(hosts, "own", ()) else ""
        key = (
            (task.app, node, task.layers, own)
            if processor is None
            else (task.app, node, task.layers, own, processor)
        )
        times = state["times"].get(key) if cache else None
        if times is None:
            if not may_host(hosts, node, task.source):
                times = [math.inf] * task.layers
            elif processor is None:
                times = [view.compute_time_s(task, node, i, i + 1) for i in range(task.layers)]
            else:
                times = [
                    view.compute_time_s(task, node, i, i + 1, processor=processor) for i in range(task.layers)
                ]
            if cache:
                state["times"][key] = times
        return times

    @staticmethod
    def _codec(
        state: dict[Any, Any],
        view: SystemView,
        app: str,
        nodes: tuple[str, ...],
        processors: tuple[str | None, ...] | None = None,
    ) -> CutCodec | None:
        """The app's activation codec priced on these stations, cached per run.

        At each station's first processor's speed, or the one ``processors`` names (None: its
        first; all None is the firsts, asked as ever).
        """
        if processors is not None and not any(processors):
            processors = None
        key = (app, nodes) if processors is None else (app, nodes, processors)
        if key not in state["codecs"]:
            state["codecs"][key] = (
                view.cut_codec(app, nodes) if processors is None else view.cut_codec(app, nodes, processors)
            )
        codec: CutCodec | None = state["codecs"][key]
        return codec

    @staticmethod
    def _latency(state: dict[Any, Any], view: SystemView, a: str, b: str) -> float:
        key = (a, b)
        latency = state["latency"].get(key)
        if latency is None:
            latency = state["latency"][key] = view.route_latency_s(a, b)
        return float(latency)

    def _power(self, view: SystemView, source: str) -> DeviceEnergy | None:
        """What the source draws above idle by state, radio tail included (energy objective only)."""
        if self.objective != "energy":
            return None
        power = view.power(source)
        if power is None:
            raise PlanError(
                f'policy {quoted(self.name)}: objective "energy" needs the power draw of source '
                f"{quoted(source)}; give its node a power: entry or use objective: latency"
            )
        return DeviceEnergy.of(power, max(1, view.cores(source)))

    def _device_power(
        self, view: SystemView, source: str, processor: str | None, several: bool
    ) -> DeviceEnergy | None:
        """:meth:`_power` with the source's layers on ``processor`` (None: its first).

        Where the source's processors are priced (``several``), each at what a busy core of it
        draws as the run charges it (``view.core_busy_w``: a processor with its own ``busy`` has
        its own rate, the others share the node's over all their cores); a source with one
        processor is priced as ever, at its busy draw over its cores, the same rate.
        """
        power = self._power(view, source)
        if power is None or not several:
            return power
        return replace(power, busy_w=view.core_busy_w(source, processor))

    def _wait(self, view: SystemView, node: str, processor: str | None = None) -> float:
        """The server's expected wait (its first processor's, or ``processor``'s) when load-aware, else 0.

        Under the energy objective a wait delays the output, so it shortens
        the radio tail after the upload.
        """
        if not self.load_aware:
            return 0.0
        return view.expected_wait_s(node) if processor is None else view.expected_wait_s(node, processor)

    def _any_several(self, view: SystemView) -> bool:
        """Whether any computing node of this run has several processors (asked once a run).

        Called at a run's first decision alone: the others read ``self._several`` without a
        call, so a run of nodes with one processor each pays nothing more a task.
        """
        several = self._several
        if several is None:
            named = getattr(view, "processors", None)  # a view without it (a test's): one a node
            several = self._several = named is not None and any(len(named(node)) > 1 for node in view.nodes())
        return several

    @staticmethod
    def _choices(view: SystemView, nodes: tuple[str | None, ...]) -> list[tuple[str | None, ...]]:
        """Each of ``nodes``' processors to price (:func:`processor_choices`; a None node: its first only).

        Empty where every node has one processor: a caller keeps it per run (in ``state``), so a
        decision among nodes with one processor each asks nothing more.
        """
        choices = [(None,) if node is None else processor_choices(view, node) for node in nodes]
        return choices if any(len(each) > 1 for each in choices) else []

    def _llm_cuts(
        self,
        state: dict[Any, Any],
        task: TaskView,
        view: SystemView,
        stations: tuple[str, ...],
        local: bool,
        choices: list[tuple[str | None, ...]] | None = None,
    ) -> tuple[tuple[int, ...], float, tuple[str | None, ...] | None]:
        """The cheapest cuts of an LLM request over ``stations`` (its source first), cost and processors.

        Every non-decreasing cut tuple is priced with
        :func:`~offloadsim.policies.costs.llm_request_cost` as the engine
        runs it: prefill, then each decode step over the segments, a split
        decode sending each token back to the first segment.  A station that
        does not host the application cannot run a segment.  Without
        ``local`` the source runs nothing (the first cut is 0).  Ties go to
        the plan with more layers near the source; under the energy
        objective, joules within a relative 1e-9 are a tie broken by the
        lower latency (they differ by rounding alone).  Load-aware, each stage
        on a server waits its expected wait.  The answer is cached per run by
        application, prompt and output tokens, stations and 5 % buckets of the
        bandwidths between them (and of the waits, when load-aware).

        ``choices`` (:meth:`_choices`: each station's processors, its first as None; empty or
        None: the firsts alone) are priced in turn, each with its own stage times and waits; a
        choice wins only by a lower cost, as cuts do, so a tie keeps the first processors and a
        station with no layer keeps its first.  The processors returned are None for the firsts.
        """
        source = task.source
        prompt, output = task.llm  # type: ignore[attr-defined]
        every = choices or [(None,)] * len(stations)
        # Each server's wait by (node, processor): its first's (None), then its later processors'
        waits: dict[tuple[str, str | None], float] = {
            (node, p): self._wait(view, node, p)
            for node, each in zip(stations[1:], every[1:], strict=True)
            for p in each
        }
        key = (
            "llm",
            task.app,
            prompt,
            output,
            stations,
            local,
            tuple(
                bucket(view.available_bandwidth_bps(a, b)) if view.reachable(a, b) else "unreachable"
                for a, b in itertools.permutations(stations, 2)
            ),
            tuple(bucket(w) for w in waits.values()) if self.load_aware else None,
            tuple(every) if choices else None,
        )
        hit = state["decisions"].get(key)
        if hit is not None:
            return hit
        hosts = view.hosts(task.app)
        first_power = self._power(view, source)
        stages: dict[tuple[str, str | None, int, int], LLMStage | None] = {}
        hops: dict[tuple[str, str], tuple[float, float]] = {}

        def stage(node: str, processor: str | None, start: int, stop: int) -> LLMStage | None:
            key = (node, processor, start, stop)
            if key not in stages:
                if processor is None:
                    found = view.llm_stage(task, node, start, stop)
                else:
                    found = view.llm_stage(task, node, start, stop, processor=processor)
                wait = waits.get((node, processor))  # None: the source, which waits for no one
                if found is not None and wait is not None:
                    found = LLMStage(node, found.prefill_s, found.decode_s, found.hidden_bytes, wait)
                stages[key] = found
            return stages[key]

        def hop(a: str, b: str) -> tuple[float, float]:
            if (a, b) not in hops:
                hops[a, b] = (
                    (self._latency(state, view, a, b), view.available_bandwidth_bps(a, b))
                    if view.reachable(a, b)
                    else (math.inf, 0.0)
                )
            return hops[a, b]

        layers = task.layers
        best: tuple[tuple[int, ...], float, tuple[str | None, ...] | None] = (
            tuple([layers] * (len(stations) - 1)),
            math.inf,
            None,
        )
        best_other = math.inf
        for chosen in itertools.product(*every):
            power = self._device_power(view, source, chosen[0], True) if len(every[0]) > 1 else first_power
            candidates = itertools.combinations_with_replacement(range(layers, -1, -1), len(stations) - 1)
            for descending in candidates:
                cuts = descending[::-1]
                if not local and cuts[0] != 0:
                    continue
                bounds = (0, *cuts, layers)
                spans = [
                    (node, chosen[j], bounds[j], bounds[j + 1])
                    for j, node in enumerate(stations)
                    if bounds[j + 1] > bounds[j]
                ]
                if hosts is not None and any(not may_host(hosts, node, source) for node, _, _, _ in spans):
                    continue  # before pricing any stage: most candidates of a hosted model stop here
                segments = [stage(*span) for span in spans]
                if any(s is None for s in segments):
                    continue
                priced = llm_request_cost(segments, source, prompt, output, hop, power)  # type: ignore[arg-type]
                cost, other = (
                    (priced.energy_j, priced.latency_s) if power is not None else (priced.latency_s, 0.0)
                )
                if _better(cost, other, best[1], best_other):
                    named = None if not any(chosen) else chosen
                    best, best_other = (cuts, cost, named), other
        decisions = state["decisions"]
        if len(decisions) >= _MAX_DECISIONS:
            decisions.clear()
        decisions[key] = best
        return best

    @staticmethod
    def _plan(
        state: dict[Any, Any],
        nodes: tuple[str, ...],
        cuts: tuple[int, ...],
        order: Any = None,
        processors: tuple[str | None, ...] | None = None,
    ) -> Plan:
        """One Plan object per distinct answer, so repeated decisions hand back the same object."""
        key = (nodes, cuts, order) if processors is None else (nodes, cuts, order, processors)
        plan = state["plans"].get(key)
        if plan is None:
            plan = state["plans"][key] = Plan(nodes, cuts, order=order, processors=processors)
        return plan

    @staticmethod
    def _remember(state: dict[Any, Any], key: Any, plan: Plan) -> Plan:
        decisions = state["decisions"]
        if len(decisions) >= _MAX_DECISIONS:
            decisions.clear()
        decisions[key] = plan
        return plan

    def _local_or_drop(self, state: dict[Any, Any], view: SystemView, source: str) -> Plan:
        return self._plan(state, (source,), ()) if self._can_compute(state, view, source) else Plan.reject()

    def _named(self, state: dict[Any, Any], view: SystemView, node: str, what: str) -> None:
        """Check once per run that a node named in the parameters can compute."""
        if node not in state["checked"]:
            if node not in view.nodes():
                raise PlanError(
                    f"policy {quoted(self.name)}: {what} {quoted(node)} is not a node that can compute; "
                    f"computing nodes: {', '.join(view.nodes())}"
                )
            state["checked"][node] = True


@dataclass(eq=False)
class _DeviceServerSplit(_SplitPolicy):
    """A split between the task's source and one server (Neurosurgeon and DADS)."""

    server: ComputingNode | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.server is not None and (not isinstance(self.server, str) or not self.server):
            raise ValueError(f"server must be a node name, got {quoted(self.server)}")

    def requirements(self) -> tuple[Requirement, ...]:
        """Without a named server, some source must reach an edge or cloud node that computes."""
        needs = super().requirements()
        if self.server is None:
            reason = "splits every task with the nearest edge node, else the nearest cloud node"
            needs += (Requirement.computing_tier(("edge", "cloud"), reason),)
        return needs

    def _server(self, state: dict[Any, Any], view: SystemView, source: str) -> str | None:
        """The named server, else the nearest edge, else the nearest cloud, if usable now.

        None for the server's own tasks: split between it and itself, they would run as two stages
        queueing on its processor one after the other (a plan the engine refuses); they run there whole.
        """
        if self.server is not None:
            self._named(state, view, self.server, "server")
            return self.server if self.server != source and usable(view, source, self.server) else None
        for tier in ("edge", "cloud"):
            node = view.nearest(source, tier)
            if node is not None and node != source and usable(view, source, node):
                return node
        return None

    def _pair(
        self, state: dict[Any, Any], view: SystemView, source: str, server: str
    ) -> list[tuple[str | None, ...]]:
        """The source's and the server's processors to price (empty where each has one), kept per run."""
        known = state["processors"]
        pair: list[tuple[str | None, ...]] | None = known.get((source, server))
        if pair is None:
            pair = known[(source, server)] = self._choices(view, (source, server))
        return pair

    def _pair_key(
        self, view: SystemView, server: str, servers: tuple[str | None, ...], key: tuple[Any, ...]
    ) -> tuple[Any, ...]:
        """The decision's cache key with the buckets of the waits of the server's later processors."""
        if not self.load_aware:
            return key
        return (*key, tuple(bucket(self._wait(view, server, p)) for p in servers[1:]))

    def _offloaded(self, state: dict[Any, Any], task: TaskView, view: SystemView, server: str) -> Plan:
        """The whole task on ``server``, for a source that cannot compute: on its quickest processor.

        The source has no processor to choose (it runs no layer); the server's are priced by the
        time the task takes there, its wait when load-aware and its compute time (an LLM request's
        prefill and decode steps), the transfers being the same on each: under the energy
        objective too, since the source's joules are its radio's, whose tail the sooner reply
        can only cut short.  A tie keeps the first; a server with one processor is asked nothing.
        """
        several = self._several if self._several is not None else self._any_several(view)
        choices: list[tuple[str | None, ...]] = []
        if several:  # kept per run, as a pair's are
            known = state["processors"]
            choices = known.get((None, server))
            if choices is None:
                choices = known[(None, server)] = self._choices(view, (server,))
        if not choices:
            return self._plan(state, (server,), ())
        best_s, best_p = math.inf, None
        for j, processor in enumerate(choices[0]):
            if processor is None:
                seconds = self._wait(view, server) + view.compute_time_s(task, server)
            else:
                seconds = self._wait(view, server, processor) + view.compute_time_s(
                    task, server, processor=processor
                )
            if j == 0 or seconds < best_s:
                best_s, best_p = seconds, processor
        return self._plan(state, (server,), (), processors=None if best_p is None else (best_p,))

    def _endpoints(
        self, state: dict[Any, Any], task: TaskView, view: SystemView
    ) -> Plan | tuple[str, tuple[Any, ...], dict[str, Any]]:
        """A final plan when there is nothing to choose, else the server, the cache key and the inputs."""
        source = task.source
        server = self._server(state, view, source)
        if server is None:
            return self._local_or_drop(state, view, source)
        if not self._can_compute(state, view, source):
            return self._offloaded(state, task, view, server)  # k = 0: everything offloaded
        up = view.available_bandwidth_bps(source, server)
        down = view.available_bandwidth_bps(server, source)
        wait = self._wait(view, server)
        sizes = task.cut_bytes
        key = (
            task.app,
            task.layers,
            source,
            server,
            bucket(up),
            bucket(down),
            bucket(wait) if self.load_aware else None,
            bucket(sizes[0]),
            bucket(sizes[task.layers]),
        )
        inputs = {
            "up": up,
            "down": down,
            "wait": wait,
            "latency": self._latency(state, view, source, server),
            "power": self._power(view, source),
            "codec": self._codec(state, view, task.app, (source, server)),
        }
        return server, key, inputs


@register_policy("neurosurgeon")
@dataclass(eq=False)
class NeurosurgeonPolicy(_DeviceServerSplit):
    """Split each task's layer chain once, between its device and a server, where it costs least.

    Neurosurgeon (Kang et al., ASPLOS 2017): for every cut ``k`` (``k``
    layers on the device, the rest on the server) it prices device compute,
    the upload of the tensor at the cut, the server's compute and the return
    of the output, and keeps the cheapest (see
    :func:`offloadsim.policies.splitting.best_single_cut`).  Per-layer times
    come from ``view.compute_time_s``, bandwidth from
    ``view.available_bandwidth_bps`` at decision time.  A source that cannot
    compute offloads everything (``k = 0``); with no usable server the task
    runs locally (or is dropped when the source cannot compute).  Where the
    source or the server has several processors, every pair of theirs is
    priced and the cheapest cut of the cheapest pair planned, ties going to
    each node's first; under the energy objective each of the source's at its own watts per busy
    core (``view.core_busy_w``).

    Parameters
    ----------
    objective : 'latency' | 'energy'
        Minimise end-to-end seconds, or the joules the device adds above
        idle, radio tail included (needs ``power:`` on the source node).
    load_aware : bool
        Add the server's expected queueing delay to the cost of offloading,
        so work moves to the device when the server is busy (under the
        energy objective it shortens the radio tail after the upload).
    server : str
        The node to offload to; by default the nearest edge node, or the
        nearest cloud node when no edge node is usable.

    Examples
    --------
    >>> NeurosurgeonPolicy(objective="energy", server="edge-0")
    NeurosurgeonPolicy(objective='energy', load_aware=False, server='edge-0')

    """

    name = "neurosurgeon"
    #: It prices each pair of the source's and the server's processors and cuts on the cheapest:
    #: the scenario check of idle processors and the notes on hardware read it.
    chooses_processors = True

    def decide(self, task: TaskView, view: SystemView) -> Plan:
        """``Plan((source, server), (k,))`` with the cheapest cut ``k``."""
        state = self._state(view)
        found = self._endpoints(state, task, view)
        if isinstance(found, Plan):
            return found
        server, key, inputs = found
        source = task.source
        several = self._several if self._several is not None else self._any_several(view)
        pair = self._pair(state, view, source, server) if several else []
        if getattr(task, "llm", None) is not None:
            (k,), _, chosen = self._llm_cuts(state, task, view, (source, server), True, pair)
            return self._plan(state, (source, server), (k,), processors=chosen)
        several = bool(pair)
        devices, servers = pair if several else ((None,), (None,))
        if several:
            key = self._pair_key(view, server, servers, key)
        cache = view.layer_graph(task.app) is not None
        if cache:
            hit = state["decisions"].get(key)
            if hit is not None:
                return hit
        # Every pair of the source's and the server's processors (one each: one pair, the firsts,
        # priced as ever); a pair wins only by a strictly lower cost, so a tie keeps the firsts, and
        # a segment with no layer keeps its node's first, which a later pair cannot beat
        best: tuple[float, int, str | None, str | None] | None = None
        for device_processor in devices:
            # the device's joules at its own processor's rate where it has several
            power = (
                self._device_power(view, source, device_processor, True)
                if len(devices) > 1
                else inputs["power"]
            )
            for server_processor in servers:
                k, cost = best_single_cut(
                    self._layer_times(state, task, view, source, cache, device_processor),
                    self._layer_times(state, task, view, server, cache, server_processor),
                    task.cut_bytes,
                    inputs["up"],
                    inputs["latency"],
                    self.objective,
                    power,
                    inputs["wait"]
                    if server_processor is None
                    else self._wait(view, server, server_processor),
                    inputs["down"],
                    inputs["codec"]
                    if inputs["codec"] is None or (device_processor is None and server_processor is None)
                    else self._codec(
                        state, view, task.app, (source, server), (device_processor, server_processor)
                    ),
                )
                if best is None or cost < best[0]:
                    best = (cost, k, device_processor, server_processor)
        assert best is not None
        _, k, device_processor, server_processor = best
        named = (
            None
            if device_processor is None and server_processor is None
            else (device_processor, server_processor)
        )
        plan = self._plan(state, (source, server), (k,), processors=named)
        return self._remember(state, key, plan) if cache else plan


@register_policy("multi-tier")
@dataclass(eq=False)
class MultiTierPolicy(_SplitPolicy):
    """Cut each task's layer chain twice: device, then the nearest edge, then the nearest cloud.

    An exact dynamic programme over the chain (see
    :func:`offloadsim.policies.splitting.best_station_cuts`) picks
    ``k1 <= k2``: layers ``[0, k1)`` on the device, ``[k1, k2)`` on the edge
    and ``[k2, L)`` in the cloud; empty segments are skipped, so it may also
    run everything in one place or skip the edge.  Each hop is priced with
    its own route latency and available bandwidth.  A tier with no usable
    node drops out of the plan.

    Parameters
    ----------
    objective : 'latency' | 'energy'
        Minimise end-to-end seconds, or the joules the device adds above
        idle, radio tail included (needs ``power:`` on the source node).
    load_aware : bool
        Add each server's expected queueing delay when it runs a segment.
    edge : str
        The edge node to use; by default the nearest one.
    cloud : str
        The cloud node to use; by default the nearest one.

    """

    edge: ComputingNode | None = None
    cloud: ComputingNode | None = None

    name = "multi-tier"
    #: It prices each choice of one processor a station (the device's at their own watts): the
    #: scenario check of idle processors and the notes on hardware read it.
    chooses_processors = True
    _power_of_computing_sources_only = False

    def requirements(self) -> tuple[Requirement, ...]:
        """Without a named edge or cloud node, some source must reach an edge or cloud node that computes."""
        needs = super().requirements()
        if self.edge is None and self.cloud is None:
            reason = "splits every task over the nearest edge node and the nearest cloud node"
            needs += (Requirement.computing_tier(("edge", "cloud"), reason, each=True),)
        return needs

    def __post_init__(self) -> None:
        super().__post_init__()
        for what, node in (("edge", self.edge), ("cloud", self.cloud)):
            if node is not None and (not isinstance(node, str) or not node):
                raise ValueError(f"{what} must be a node name, got {quoted(node)}")

    def decide(self, task: TaskView, view: SystemView) -> Plan:
        """``Plan((source, edge, cloud), (k1, k2))`` with the cheapest cuts (unusable tiers left out)."""
        state = self._state(view)
        source = task.source
        stations = [source]
        for tier, named in (("edge", self.edge), ("cloud", self.cloud)):
            if named is not None:
                self._named(state, view, named, tier)
            node = named if named is not None else view.nearest(source, tier)
            if node is not None and node not in stations and usable(view, source, node):
                stations.append(node)
        if len(stations) == 1:
            return self._local_or_drop(state, view, source)
        local = self._can_compute(state, view, source)
        # Each station's processors to price (its first as None; the device's where it computes),
        # kept per run and stations: [] where each has one
        choices: list[tuple[str | None, ...]] = []
        if self._several if self._several is not None else self._any_several(view):
            known = state["processors"]
            stations_key = (tuple(stations), local)
            if stations_key in known:
                choices = known[stations_key]
            else:
                choices = known[stations_key] = self._choices(
                    view, (source if local else None, *stations[1:])
                )
        if getattr(task, "llm", None) is not None:
            cuts, cost, chosen = self._llm_cuts(state, task, view, tuple(stations), local, choices)
            return self._multi_tier_plan(state, view, stations, cuts, cost, local, chosen)
        n = len(stations)
        bandwidth = np.zeros((n, n))
        latency = np.zeros((n, n))
        for a in range(n):
            for b in range(n):
                # data only moves up the tiers, and the output comes back to the device
                if (a < b or (b == 0 and a > 0)) and view.reachable(stations[a], stations[b]):
                    bandwidth[a, b] = view.available_bandwidth_bps(stations[a], stations[b])
                    latency[a, b] = self._latency(state, view, stations[a], stations[b])
        waits = [0.0] + [self._wait(view, node) for node in stations[1:]]
        sizes = task.cut_bytes
        key: tuple[Any, ...] = (
            task.app,
            task.layers,
            tuple(stations),
            local,
            tuple(bucket(float(b)) for b in bandwidth.flat),
            tuple(bucket(w) for w in waits) if self.load_aware else None,
            bucket(sizes[0]),
            bucket(sizes[task.layers]),
        )
        several = bool(choices)
        if several and self.load_aware:  # the waits of the servers' later processors decide too
            later = [
                (node, p) for node, each in zip(stations[1:], choices[1:], strict=True) for p in each[1:]
            ]
            key = (*key, tuple(bucket(self._wait(view, node, p)) for node, p in later))
        cache = view.layer_graph(task.app) is not None
        if cache:
            hit = state["decisions"].get(key)
            if hit is not None:
                return hit
        codec = self._station_codec(state, view, task.app, stations, local)
        power = self._power(view, source)
        plan, cost = self._fastest_stations(
            state,
            task,
            view,
            stations,
            local,
            cache,
            choices if several else [(None,)] * n,  # one choice, the firsts, priced as ever
            (bandwidth, latency, power, codec, waits),
        )
        return self._remember(state, key, plan) if cache and not math.isinf(cost) else plan

    def _fastest_stations(
        self,
        state: dict[Any, Any],
        task: TaskView,
        view: SystemView,
        stations: list[str],
        local: bool,
        cache: bool,
        choices: list[tuple[str | None, ...]],
        network: tuple[Any, Any, DeviceEnergy | None, CutCodec | None, list[float]],
    ) -> tuple[Plan, float]:
        """The cheapest cuts over every choice of one processor a station, and their cost.

        Choices are tried in order, each station's first processor first, and one wins only by a
        strictly lower cost: a tie keeps the first processors, and a station with no layer keeps
        its first, which no later choice can beat.  ``network``'s waits are the stations' first
        processors' (the device's 0), read once; a later processor's wait is read when priced.
        """
        bandwidth, latency, first_power, codec, first_waits = network
        best: tuple[float, tuple[int, ...], tuple[str | None, ...]] | None = None
        several = len(choices[0]) > 1  # the device's processors are priced, each at its own rate
        for chosen in itertools.product(*choices):
            power = self._device_power(view, stations[0], chosen[0], True) if several else first_power
            times = [
                self._layer_times(state, task, view, stations[0], cache, chosen[0])
                if local
                else [math.inf] * task.layers,
                *(
                    self._layer_times(state, task, view, node, cache, p)
                    for node, p in zip(stations[1:], chosen[1:], strict=True)
                ),
            ]
            waits = [0.0] + [
                first_waits[i] if p is None else self._wait(view, node, p)
                for i, (node, p) in enumerate(zip(stations[1:], chosen[1:], strict=True), start=1)
            ]
            # the codec at the chosen processors' speeds (the firsts': the one priced once)
            coded = (
                codec
                if codec is None or not any(chosen)
                else self._station_codec(state, view, task.app, stations, local, chosen)
            )
            cuts, cost = best_station_cuts(
                times, task.cut_bytes, bandwidth, latency, self.objective, power, waits, coded
            )
            if best is None or cost < best[0]:
                best = (cost, cuts, chosen)
        assert best is not None
        cost, cuts, chosen = best
        return self._multi_tier_plan(state, view, stations, cuts, cost, local, chosen), cost

    def _station_codec(
        self,
        state: dict[Any, Any],
        view: SystemView,
        app: str,
        stations: list[str],
        local: bool,
        chosen: tuple[str | None, ...] | None = None,
    ) -> CutCodec | None:
        """The codec priced on the stations; a source that cannot compute is priced on the servers alone.

        On the processors ``chosen`` (one a station, None its first; None: every first).

        Such a source runs no layer, so it encodes and decodes no cut (its input and the result
        are never compressed): its price is 0, and the view is asked only about nodes with a
        processor (a camera without one was a KeyError, an internal error of the run).
        """
        if local:
            return self._codec(state, view, app, tuple(stations), chosen)
        served = self._codec(state, view, app, tuple(stations[1:]), None if chosen is None else chosen[1:])
        if served is None:
            return None
        return replace(
            served,
            encode_s_per_byte=(0.0, *served.encode_s_per_byte),
            decode_s_per_byte=(0.0, *served.decode_s_per_byte),
        )

    def _multi_tier_plan(
        self,
        state: dict[Any, Any],
        view: SystemView,
        stations: list[str],
        cuts: tuple[int, ...],
        cost: float,
        local: bool,
        chosen: tuple[str | None, ...] | None = None,
    ) -> Plan:
        """The plan for the chosen cuts (unusable tiers already left out of ``stations``).

        On the processors ``chosen`` (one a station, None its first; None: every first).
        """
        if math.isinf(cost):
            return self._local_or_drop(state, view, stations[0])
        if chosen is not None and not any(chosen):
            chosen = None
        if local:
            return self._plan(state, tuple(stations), cuts, processors=chosen)
        # k1 = 0: name only nodes that compute
        return self._plan(
            state, tuple(stations[1:]), cuts[1:], processors=None if chosen is None else chosen[1:]
        )


@register_policy("dads")
@dataclass(eq=False)
class DadsPolicy(_DeviceServerSplit):
    """Split each task's layer DAG between its device and a server with a minimum cut (DADS).

    DADS (Hu et al., INFOCOM 2019), light-load case: the device runs a set
    of layers closed under predecessors and the server the rest,
    minimising device compute + server compute + every tensor crossing to
    the server (each sent once, in one transfer) + the output's return (see
    :func:`offloadsim.policies.splitting.dads_min_cut`).  On models with
    skip connections the device set need not be a prefix of the model's
    layer order; the plan then carries ``order`` (device layers first, each
    side in model order) so the engine runs and sends exactly that
    partition.  Chains and synthetic applications fall back to
    :class:`NeurosurgeonPolicy` (for a chain the two coincide).

    Parameters
    ----------
    objective : 'latency' | 'energy'
        Minimise end-to-end seconds, or the joules the device adds above
        idle, radio tail included (needs ``power:`` on the source node).
    load_aware : bool
        Add the server's expected queueing delay to the cost of offloading.
    server : str
        The node to offload to; by default the nearest edge node, or the
        nearest cloud node when no edge node is usable.

    """

    name = "dads"
    #: It prices each pair of the source's and the server's processors (its fallback, neurosurgeon,
    #: too): the scenario check of idle processors and the notes on hardware read it.
    chooses_processors = True
    _fallback: NeurosurgeonPolicy = field(init=False, repr=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        self._fallback = NeurosurgeonPolicy(
            objective=self.objective, load_aware=self.load_aware, server=self.server
        )
        self._fallback.name = self.name  # its messages are about the policy the user chose

    def reset(self, view: SystemView) -> None:
        """A new run, for the min-cuts and for the Neurosurgeon fallback."""
        super().reset(view)
        self._fallback.reset(view)

    def decide(self, task: TaskView, view: SystemView) -> Plan:
        """The min-cut partition as ``Plan((source, server), (|device set|,), order=...)``."""
        state = self._state(view)
        graph = view.layer_graph(task.app)
        dag = self._dag(state, task.app, graph) if graph is not None and len(graph) == task.layers else None
        if dag is None:
            return self._fallback.decide(task, view)
        found = self._endpoints(state, task, view)
        if isinstance(found, Plan):
            return found
        server, key, inputs = found
        source = task.source
        several = self._several if self._several is not None else self._any_several(view)
        pair = self._pair(state, view, source, server) if several else []
        if pair:
            key = self._pair_key(view, server, pair[1], key)
        hit = state["decisions"].get(key)
        if hit is not None:
            return hit
        sizes = task.cut_bytes
        input_bytes = float(sizes[0])
        layers = graph.layers  # type: ignore[union-attr]

        def tensor_bytes(u: Any, v: Any, d: Any) -> float:
            return input_bytes if u == INPUT else float(layers[u].output_bytes)

        back_bytes = float(sizes[task.layers])
        back_s = 8.0 * back_bytes / inputs["down"] if inputs["down"] > 0 else math.inf
        # Every pair of the source's and the server's processors (one each: the pair of firsts); a
        # pair wins only by a strictly lower cost, so a tie keeps the first processors
        best: tuple[float, frozenset[Any], tuple[str | None, str | None]] | None = None
        for device_processor in pair[0] if pair else (None,):
            power = (
                self._device_power(view, source, device_processor, True)
                if pair and len(pair[0]) > 1
                else inputs["power"]
            )
            for server_processor in pair[1] if pair else (None,):
                device = self._layer_times(state, task, view, source, True, device_processor)
                remote = self._layer_times(state, task, view, server, True, server_processor)
                priced = inputs if power is inputs["power"] else {**inputs, "power": power}
                if server_processor is not None:
                    priced = {**priced, "wait": self._wait(view, server, server_processor)}
                if inputs["codec"] is not None and (device_processor, server_processor) != (None, None):
                    codec = self._codec(
                        state, view, task.app, (source, server), (device_processor, server_processor)
                    )
                    priced = {**priced, "codec": codec}
                chosen, cost = self._partition(
                    dag, device, remote, tensor_bytes, (back_bytes, back_s), priced
                )
                if best is None or cost < best[0]:
                    best = (cost, chosen, (device_processor, server_processor))
        assert best is not None
        _, chosen, processors = best
        named = None if processors == (None, None) else processors
        on_device = sorted(v for v in chosen if isinstance(v, int))
        k = len(on_device)
        if on_device == list(range(k)):
            plan = self._plan(state, (source, server), (k,), processors=named)
        else:
            taken = set(on_device)
            order = (*on_device, *(i for i in range(task.layers) if i not in taken))
            plan = self._plan(state, (source, server), (k,), order, named)
        return self._remember(state, key, plan)

    def _partition(
        self,
        dag: nx.DiGraph,
        device: list[float],
        remote: list[float],
        tensor_bytes: Any,
        back: tuple[float, float],
        inputs: dict[str, Any],
    ) -> tuple[frozenset[Any], float]:
        """The cheapest device set, priced as the engine runs it (codec, radio tail), and its cost.

        A codec shrinks every tensor crossing a cut after at least one layer
        ran on the device; the raw input alone (everything offloaded) goes
        as it is.  So the min-cut runs with compressed prices once per layer
        that reads the input, that layer pinned to the device, and
        everything-offloaded is priced on its own.  Under the energy
        objective a radio tail is priced as in
        :func:`~offloadsim.policies.splitting.best_station_cuts`: two
        min-cuts, with and without the seconds between the upload and the
        output's return, each with its constant share of the tail.  ``back``
        is the output's bytes and the seconds it takes to come home.
        """
        back_bytes, back_s = back
        power: DeviceEnergy | None = inputs["power"]
        codec: CutCodec | None = inputs["codec"]
        up, latency, wait = inputs["up"], inputs["latency"], inputs["wait"]
        n = len(device)
        if power is None:
            weightings: list[tuple[float, float]] = [(1.0, 0.0)]
        else:  # joules, plus the tail's lines (or none)
            weightings = list(power.request_tail_lines()) or [(0.0, 0.0)]
        firsts = [v for v in dag.successors(INPUT) if isinstance(v, int)] if codec is not None else []
        best: tuple[float, frozenset[Any]] = (math.inf, frozenset(v for v in dag if v != OUTPUT))
        for gap_w, constant in weightings:
            for compressed in (False, True) if codec is not None else (False,):
                used = codec if compressed else None
                if power is None:  # seconds
                    device_cost = dict(enumerate(device))
                    server_cost = dict(enumerate(remote))
                    per_byte = _byte_price(up, used)
                    overhead = 2.0 * latency + wait + back_s
                else:  # joules above idle, plus gap_w x the seconds from upload to return
                    device_cost = {i: _times_w(t, power.busy_w) for i, t in enumerate(device)}
                    server_cost = {i: _times_w(t, gap_w) for i, t in enumerate(remote)}
                    per_byte = _byte_price(
                        up, used, power.transmit_w, power.busy_w, gap_w, power.transmit_j_per_bit
                    )
                    # the gap: the upload's latency, the wait, until the device hears the output
                    gap_s = latency + heard_after_s(latency) + wait
                    overhead = _times_w(back_s, power.receive_w) + gap_w * gap_s + constant
                    overhead += power.bits_j(0.0, back_bytes)
                bandwidth = 8.0 / per_byte if per_byte > 0.0 else math.inf
                pins: list[list[Any]] = [[INPUT, v] for v in firsts] if compressed else [[INPUT]]
                for pinned in pins:
                    chosen, cost = dads_min_cut(
                        dag,
                        device_cost,
                        server_cost,
                        tensor_bytes,
                        bandwidth,
                        device_nodes=pinned,
                        offload_overhead_s=overhead,
                    )
                    offloaded = any(v not in chosen for v in range(n))
                    some_on_device = any(isinstance(v, int) for v in chosen)
                    # priced as the engine runs it: a codec applies iff a layer ran on the device first
                    exact = codec is None or not offloaded or compressed == some_on_device
                    if exact and cost < best[0]:
                        best = (cost, chosen)
        return best[1], best[0]

    @staticmethod
    def _dag(state: dict[Any, Any], app: str, graph: Any) -> nx.DiGraph | None:
        """The app's layers as a DiGraph (input, positions, output), or None for a chain."""
        graphs = state["graphs"]
        if app not in graphs:
            if graph.is_chain():
                graphs[app] = None
            else:
                import networkx as nx

                n = len(graph)
                dag = nx.DiGraph()
                dag.add_nodes_from([INPUT, *range(n), OUTPUT])
                dag.add_edges_from((INPUT if p < 0 else p, OUTPUT if c >= n else c) for p, c in graph.edges)
                graphs[app] = dag
        return graphs[app]


def _better(cost: float, other: float, best: float, best_other: float) -> bool:
    """Whether ``(cost, other)`` beats the best so far: ``cost`` lower, or within 1e-9 and ``other`` lower."""
    if math.isinf(best) or cost < best - 1e-9 * abs(best):
        return cost < best
    return cost <= best + 1e-9 * abs(best) and other < best_other


def _times_w(seconds: float, watts: float) -> float:
    """``watts × seconds``, keeping "cannot" (inf) infinite even when nothing is drawn."""
    return math.inf if math.isinf(seconds) else watts * seconds


def _byte_price(
    up_bps: float,
    codec: CutCodec | None,
    send_w: float = 1.0,
    encode_w: float = 1.0,
    decode_w: float = 1.0,
    bit_j: float = 0.0,
) -> float:
    """The price of one byte of a tensor crossing from the device to the server.

    ``send_w`` × sending + ``encode_w`` × encoding + ``decode_w`` × decoding
    (the last two only under a codec) + ``bit_j`` × its bits on the wire:
    seconds with every weight 1 (and no ``bit_j``), the device's joules with
    its transmit and busy watts, the tail's weight on the server's decoding
    and its joules per bit sent.
    """
    send = 8.0 / up_bps if up_bps > 0.0 else math.inf
    if codec is None:
        return _times_w(send, send_w) + 8.0 * bit_j
    encode, decode = codec.encode_s_per_byte[0], codec.decode_s_per_byte[1]
    wire = codec.size_factor
    return _times_w(send * wire, send_w) + encode_w * encode + decode_w * decode + 8.0 * bit_j * wire
