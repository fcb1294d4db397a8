"""Flow-level network: transfers share directed channels max-min fairly.

A transfer is a *flow* over the channels of its route.  Rates are the
max-min fair allocation (progressive filling), recomputed when a flow starts
or ends or a channel's capacity changes — but only for the flows connected
to that change through shared channels, and only when the change can move
anyone's rate: a flow that fits beside the others without saturating a
shared channel, or that leaves a channel nobody was bottlenecked on, costs
no recomputation at all, and the others keep their events.  Each
recomputed set of flows shares one pending event, its earliest completion,
so a link crowded with n flows costs one event per change, not n.  After
the last byte leaves, the route's propagation latency passes before the
receiver is told.

This is the flow model SimGrid validated against packet-level simulation;
a lone flow on a path takes exactly ``latency + size / bottleneck``.

The world may change during a run: :meth:`FlowNetwork.set_capacity`
re-rates the flows in flight at once, :meth:`FlowNetwork.set_up` takes a
channel down (its flows are aborted) or back up, and :meth:`FlowNetwork.cancel`
aborts one flow.  A flow's sender learns which way it ended: ``callback`` on
delivery, ``aborted`` (if given) when cancelled.  Utilisation is measured
against the capacity in force (:meth:`FlowNetwork.capacity_bit_seconds`).

:class:`LinkModel` is the protocol a run's network follows; max-min fair
sharing (this module's :class:`FlowNetwork`) is the built-in model,
registered as ``max-min`` in :mod:`offloadsim.scenario.link_models`.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Container, Iterable, Sequence
from typing import Any, Final, Protocol, cast

import simpy

from offloadsim.engine.channels import (
    ABORTED,
    DELIVERED,
    PROPAGATING,
    SENDING,
    ChannelModel,
    tell_aborted,
)
from offloadsim.engine.environment import NORMAL_PRIORITY
from offloadsim.engine.errors import EngineError
from offloadsim.engine.plugin_adapters import PluginLinkModel
from offloadsim.engine.plugin_faults import link_model_words, plugin_call, refuse_lacking, unbuilt_at
from offloadsim.plugins import dotted_name, shipped_module
from offloadsim.scenario.link_models import KEY_PATH as LINK_MODEL_KEY
from offloadsim.scenario.link_models import link_model
from offloadsim.suggest import quoted
from offloadsim.world import World

__all__ = [
    "ABORTED",
    "DELIVERED",
    "PROPAGATING",
    "SENDING",
    "Flow",
    "FlowNetwork",
    "HANDOVER_MEMBERS",
    "PLUGIN_MEMBERS",
    "LinkModel",
    "abort_reason",
    "link_down",
    "make_link_model",
    "no_route",
]

# Final: constants to mypyc (a compiled build reads them inline, not from the module's dict).
_REL: Final = 1e-9  # relative tolerance for "saturated"
_DONE_S: Final = 1e-12  # a flow due within this many seconds (or the clock's resolution) is done
_NORMAL: Final = NORMAL_PRIORITY
_heappush: Final = heapq.heappush


class Flow:
    """One transfer in progress; owned by the network.

    ``remaining`` is the byte count left as of time ``last``; ``rate`` is in
    bytes/s.  ``group`` is the list of flows sharing this flow's pending
    event: an event whose group the flow has since left no longer speaks for it.
    ``state`` is one of SENDING, PROPAGATING, DELIVERED, ABORTED.
    """

    __slots__ = (
        "aborted",
        "callback",
        "channels",
        "group",
        "last",
        "latency_s",
        "new_rate",
        "payload",
        "rate",
        "remaining",
        "seen",
        "sent",
        "size",
        "state",
    )

    def __init__(
        self,
        channels: tuple[int, ...],
        size_bytes: float,
        latency_s: float,
        callback: Callable[[Any], None],
        payload: Any,
        now: float,
        sent: Callable[[Any], None] | None = None,
        aborted: Callable[[Any], None] | None = None,
    ):
        self.channels = channels
        self.sent = sent
        self.aborted = aborted
        self.state = SENDING
        self.size = size_bytes
        self.remaining = size_bytes
        self.latency_s = latency_s
        self.callback = callback
        self.payload = payload
        self.rate = 0.0
        self.new_rate = 0.0
        self.last = now
        self.group: list[Flow] | None = None
        self.seen = 0  # the number of the latest search for connected flows that found it


def _deliver(flow: Flow) -> None:
    """``channels.deliver`` for a :class:`Flow`: typed, so that mypyc reads its fields natively."""
    if flow.state == PROPAGATING:  # not cancelled meanwhile
        flow.state = DELIVERED
        flow.callback(flow.payload)


class LinkModel(Protocol):
    """How a run's transfers share the directed channels (``2*i``, ``2*i + 1`` for link ``i``).

    Built by a factory ``(env, capacity_bps) -> LinkModel`` registered in
    :mod:`offloadsim.scenario.link_models`.  The engine calls :meth:`start` on its hot
    path; the world's timed changes call :meth:`set_capacity` and
    :meth:`set_up`; the run's records read the statistics.
    """

    busy_s: list[float]  # seconds each channel carried at least one flow

    def start(
        self,
        channels: tuple[int, ...],
        size_bytes: float,
        latency_s: float,
        callback: Callable[[Any], None],
        payload: Any,
        sent: Callable[[Any], None] | None = None,
        aborted: Callable[[Any], None] | None = None,
    ) -> Any:
        """Send ``size_bytes`` over ``channels``: ``callback(payload)`` on delivery.

        ``aborted(payload)`` instead if cancelled; returns a handle :meth:`cancel` accepts.
        """
        ...

    def cancel(self, flow: Any) -> bool:
        """Abort a flow not yet delivered (its ``aborted`` is called); False if it already ended."""
        ...

    def set_capacity(self, channel: int, capacity_bps: float) -> None:
        """Change a channel's capacity now; flows in flight are re-rated."""
        ...

    def set_up(self, channel: int, up: bool) -> None:
        """Take a channel down (its flows are aborted, new ones too) or bring it back."""
        ...

    def sending_over(self, channel: int) -> list[tuple[Any, tuple[int, ...]]]:
        """``(flow, its channels)`` of the flows whose bytes are still leaving over ``channel``.

        The flows are handles :meth:`move` accepts.
        """
        ...

    def move(self, flow: Any, channels: tuple[int, ...], latency_s: float, restart: bool) -> Any:
        """Carry a flow still sending over ``channels`` instead, with ``latency_s`` after its last byte.

        Its bytes left go on (``restart``: all its bytes again); its sender
        is told as before.  Returns the flow's new handle.
        """
        ...

    def share_Bps(self, channels: Sequence[int]) -> float:
        """Bytes/s a new flow over ``channels`` could expect now (for policies' estimates)."""
        ...

    def capacity_Bps_now(self, channel: int) -> float:
        """The channel's capacity in force, bytes/s (0 while down)."""
        ...

    def flow_count(self, channel: int) -> int:
        """Flows crossing ``channel`` now."""
        ...

    def bytes_carried_now(self) -> list[float]:
        """Bytes each channel has carried so far, flows still in flight included."""
        ...

    def capacity_bit_seconds(self, channel: int, t0: float, t1: float) -> float:
        """The channel's capacity in force integrated over ``[t0, t1]`` (bits)."""
        ...

    def close_statistics(self) -> None:
        """Bring time-integrated statistics up to now."""
        ...


def link_down(a: str, b: str) -> str:
    """The reason a task fails when its transfer from ``a`` to ``b`` loses a link on the way."""
    return f"link down on the way from {a} to {b}"


class _Ends(Protocol):
    """What :func:`abort_reason` reads of the run's topology."""

    def channel_ends(self, channel: int) -> tuple[str, str]: ...

    def node_up(self, node: str) -> bool: ...


def abort_reason(topology: _Ends, channels: Sequence[int], a: str, b: str, flat: Container[str] = ()) -> str:
    """Why a transfer from ``a`` to ``b`` over ``channels`` was aborted: a node on it, else a link.

    A node on the route that went down took its links down with it (else :func:`link_down`);
    one in ``flat`` went down because its battery ran flat, which the reason says.  The node's
    own failure is the task's reason, as for a stage it was serving: one crash of an edge is
    then one reason in the summary, not one per sender.
    """
    for channel in channels:
        for node in topology.channel_ends(channel):
            if node in flat:
                return f"battery flat at {node}"
            if not topology.node_up(node):
                return f"{node} went down"
    return link_down(a, b)


def no_route(a: str, b: str) -> str:
    """The reason a task fails when, as its transfer from ``a`` to ``b`` is due, no route joins them."""
    return f"no route from {a} to {b}"


def make_link_model(world: World, env: simpy.Environment) -> LinkModel:
    """The link model ``world``'s ``network.model`` names (``scenario/link_models.py``), for one run.

    A plug-in's model is handed over in its checking adapter
    (:class:`~offloadsim.engine.plugin_adapters.PluginLinkModel`), which every reader then goes
    through; a shipped one, as it is.  A plug-in's factory that raises, or builds an object lacking
    a member of :class:`LinkModel` (:data:`PLUGIN_MEMBERS`), is a
    :class:`~offloadsim.world.WorldError` at ``network.model``, which the run, ``run --dry-run`` and
    ``validate`` say in the same line, with the scenario's file (its exception its ``__cause__``).
    """
    topology = world.topology
    try:
        moved = _moved_at(world)
        capacities, ends = topology.channel_capacity_bps, topology.channel_ends
        return _built(world.link_model, env, capacities, ends, moved, world.scenario.link_parameters)
    except EngineError as error:  # a plug-in's PluginFailed, or what its factory built lacks a member
        raise unbuilt_at(LINK_MODEL_KEY, error) from error.__cause__


#: What the run reads of a plug-in's link model: :class:`LinkModel`'s members but ``sending_over``
#: and ``move``, asked only at a handover (``mobility``).  Written out: this module is compiled.
PLUGIN_MEMBERS: Final = (
    "busy_s",
    "start",
    "cancel",
    "set_capacity",
    "set_up",
    "share_Bps",
    "capacity_Bps_now",
    "flow_count",
    "bytes_carried_now",
    "capacity_bit_seconds",
    "close_statistics",
)


#: What a handover asks of a link model besides :data:`PLUGIN_MEMBERS`: the flows on a link, to move.
HANDOVER_MEMBERS: Final = ("sending_over", "move")


def _moved_at(world: World) -> str | None:
    """The first ``dynamics`` entry whose handovers move flows in flight (``dynamics[2]``), or None.

    A ``mobility`` entry's handovers (its kind's ``hands_over``) but under ``in_flight: fail``,
    which ends the flows on the links it takes down and moves none.
    """
    for entry in getattr(world, "dynamics", ()):
        if getattr(entry.kind, "hands_over", False) and getattr(entry.spec, "in_flight", "") != "fail":
            return f"dynamics[{entry.index}]"
    return None


def _built(
    name: str,
    env: simpy.Environment,
    capacity_bps: Sequence[float],
    ends: Callable[[int], tuple[str, str]],
    moved: str | None = None,
    parameters: Any = None,
) -> LinkModel:
    """:func:`make_link_model`'s work: EngineError (a plug-in's PluginFailed) for one not built.

    ``parameters``: the scenario's values of the keys the model declares (its factory's
    ``parameters`` dataclass), handed to its factory as a third argument; None for a model that
    declares none, whose factory is called with two, as before.

    ``ends``: a channel's two nodes, for a plug-in's messages; ``moved``: the ``dynamics`` entry
    whose handovers move flows (None: none), for which a plug-in's model must have
    :data:`HANDOVER_MEMBERS` too: one lacking them ended the run at the first handover in an
    internal error (an ``AttributeError``, exit 1).
    """
    factory = link_model(name)
    if factory is None:  # one of the engine's own (ENGINE_LINK_MODELS)
        if name == "fifo":
            from offloadsim.engine.fifo_network import FifoNetwork

            return FifoNetwork(env, capacity_bps)
        return FlowNetwork(env, capacity_bps)
    what = f"link model {quoted(name)} ({dotted_name(factory)})"
    given = (env, capacity_bps) if parameters is None else (env, capacity_bps, parameters)
    model: Any = plugin_call(factory, what, *given, when=" while it was built")
    if shipped_module(str(getattr(factory, "__module__", ""))):
        shipped: LinkModel = model
        return shipped
    refuse_lacking(what, model, "a link model", PLUGIN_MEMBERS, f"{__name__}.LinkModel")
    if moved is not None:
        needed = f" for a handover: those of {moved} move the flows in flight; in_flight: fail moves none"
        refuse_lacking(what, model, "a link model", HANDOVER_MEMBERS, f"{__name__}.LinkModel", needed)
    # Its busy_s is a read-only property, where the protocol declares an attribute nothing sets.
    words = link_model_words(name, model)
    if isinstance(model, ChannelModel):
        model.words = words  # what its set_rate names
    return cast("LinkModel", PluginLinkModel(model, words, env, [ends(c) for c in range(len(capacity_bps))]))


class FlowNetwork(ChannelModel):
    """Max-min fair sharing of directed channels among active flows (the ``max-min`` link model).

    Capacities are given in bit/s and kept in bytes/s; :meth:`set_capacity`
    changes one during a run (bandwidth traces), :meth:`set_up` takes one
    down or up (failures), :meth:`cancel` aborts a flow
    (:class:`~offloadsim.engine.channels.ChannelModel`).
    """

    def __init__(self, env: simpy.Environment, capacity_bps: Iterable[float]):
        super().__init__(env, capacity_bps)
        n = len(self.capacity_Bps)
        self.flows_on: list[list[Flow]] = self.crossing
        self.load_Bps = [0.0] * n  # sum of the rates of the flows on each channel
        self.busy_s = [0.0] * n
        self._busy_since = [0.0] * n
        self.active = 0
        self.reallocations = 0
        # Scratch for re-sharing, by channel: the latest search (numbered) to reach each channel;
        # capacity left and flows not fixed yet during progressive filling.
        self._search = 0
        self._channel_seen = [0] * n
        self._left = [0.0] * n
        self._count = [0] * n
        # The events' callbacks, bound once (a bound method is a new object at every attribute read).
        self._on_event = self._on_group_event
        self._on_lone = self._finish_one

    # -- public -----------------------------------------------------------
    def start(
        self,
        channels: tuple[int, ...],
        size_bytes: float,
        latency_s: float,
        callback: Callable[[Any], None],
        payload: Any,
        sent: Callable[[Any], None] | None = None,
        aborted: Callable[[Any], None] | None = None,
    ) -> Flow:
        """Send ``size_bytes`` over ``channels``; call ``callback(payload)`` on delivery.

        ``sent(payload)``, if given, is called when the last byte leaves
        (before the propagation latency); never for an empty transfer.
        ``aborted(payload)``, if given, is called instead of ``callback`` when
        the flow is cancelled or a channel it crosses goes down (at once if
        one is down already).  Returns the flow, for :meth:`cancel`.
        """
        now: float = self.env.now  # float, not SimPy's int | float: mypyc's arithmetic on it is then native
        flow = Flow(channels, size_bytes, latency_s, callback, payload, now, sent, aborted)
        if size_bytes <= 0.0 or not channels:
            flow.state = PROPAGATING
            self._deliver_after(flow)
            return flow
        capacity, load, flows_on = self.capacity_Bps, self.load_Bps, self.flows_on
        solo = capacity[channels[0]]
        for c in channels:
            if capacity[c] < solo:
                solo = capacity[c]
        if solo <= 0.0 and self._down and any(c in self._down for c in channels):
            flow.state = ABORTED  # over a channel that is down: told at once, as its own event
            self._call_in(0.0, tell_aborted, flow)
            return flow
        fits = True
        for c in channels:
            on = flows_on[c]
            if not on:
                self._busy_since[c] = now
            elif load[c] + solo > capacity[c] * (1.0 + _REL):
                fits = False
            # The load the flow adds if it fits, in this loop rather than a second one: if it does
            # not, _reallocate sums every channel of the flows it re-shares (these among them) anew.
            load[c] += solo
            on.append(flow)
        self.active += 1
        if fits:
            # Nobody's bottleneck is on this path, so the others keep their rates.
            flow.rate = solo
            flow.group = group = [flow]  # _schedule([flow]), inline: the common case
            if solo > 0.0:  # straight to the lone flow's end
                calendar = self._calendar
                if calendar is not None:  # Calendar.call_in, inline (environment.calendar_of)
                    at = calendar.now + size_bytes / solo
                    _heappush(calendar.calls, (at, _NORMAL, next(calendar.eids), self._on_lone, group))
                else:
                    self._call_in(size_bytes / solo, self._on_lone, group)
        else:
            self._reallocate(channels)
        return flow

    def sending_over(self, channel: int) -> list[tuple[Flow, tuple[int, ...]]]:
        """``(flow, its channels)`` of the flows still sending over ``channel``, in the order they started."""
        return [(flow, flow.channels) for flow in self.flows_on[channel]]

    def move(self, flow: Flow, channels: tuple[int, ...], latency_s: float, restart: bool) -> Flow:
        """Carry ``flow`` (still sending) over ``channels`` from now: a handover's move of a transfer.

        The bytes it sent so far stay counted on its old channels; the rest
        (all of them again, with ``restart``) leave over ``channels`` as a new
        flow with the same callbacks, and ``latency_s`` follows its last byte.
        """
        self._remove([flow])
        flow.state = ABORTED  # superseded, silently: its sender hears from the new flow
        size = flow.size if restart else flow.remaining
        if size <= 0.0 and flow.sent is not None:
            flow.sent(flow.payload)  # its last byte had just left: only the propagation is left
        return self.start(channels, size, latency_s, flow.callback, flow.payload, flow.sent, flow.aborted)

    def close_statistics(self) -> None:
        """Bring the busy time of channels still carrying flows up to now."""
        now: float = self.env.now
        for c, on in enumerate(self.flows_on):
            if on:
                self.busy_s[c] += now - self._busy_since[c]
                self._busy_since[c] = now

    # -- internals --------------------------------------------------------
    def _rerate(self, channel: int) -> None:
        if self.flows_on[channel]:
            self._reallocate((channel,))

    def _stop(self, transfer: Flow) -> None:
        self._remove([transfer])

    def _remove(self, flows: list[Flow]) -> None:
        """Take flows still sending off their channels (bytes sent so far counted) and re-share."""
        now: float = self.env.now
        capacity, load, flows_on = self.capacity_Bps, self.load_Bps, self.flows_on
        touched: list[int] = []
        for flow in flows:
            sent = flow.size - flow.remaining + flow.rate * (now - flow.last)
            flow.remaining = max(flow.size - sent, 0.0)
            flow.last = now
            flow.group = None
            self.active -= 1
            for c in flow.channels:
                on = flows_on[c]
                on.remove(flow)
                self.bytes_carried[c] += min(max(sent, 0.0), flow.size)
                if on:
                    if load[c] >= capacity[c] * (1.0 - _REL):
                        touched.append(c)
                    load[c] -= flow.rate
                else:
                    load[c] = 0.0
                    self.busy_s[c] += now - self._busy_since[c]
            flow.rate = 0.0
        if touched:
            self._reallocate(touched)

    def _schedule(self, flows: list[Flow]) -> None:
        """Give ``flows`` one shared event at the earliest of their completions."""
        group = flows
        soonest = math.inf
        for flow in flows:
            flow.group = group
            if flow.rate > 0.0:
                due = flow.remaining / flow.rate
                if due < soonest:
                    soonest = due
        if soonest < math.inf:
            calendar = self._calendar
            if calendar is not None:  # Calendar.call_in, inline (environment.calendar_of)
                _heappush(
                    calendar.calls,
                    (calendar.now + soonest, _NORMAL, next(calendar.eids), self._on_event, group),
                )
            else:
                self._call_in(soonest, self._on_event, group)
        # else: every flow is stalled at zero capacity until set_capacity()

    def _on_group_event(self, group: list[Flow]) -> None:
        """The earliest completion of a group of flows sharing one event is due."""
        if len(group) == 1:  # one flow whose event is its own completion
            self._finish_one(group)
            return
        now: float = self.env.now
        done_s = max(_DONE_S, now * 4e-15)
        finished: list[Flow] = []
        survivors: list[Flow] = []
        # A loop, not comprehensions: in 3.11 each is a function object and a call of its own.
        for flow in group:
            if flow.group is not group:
                continue  # re-shared since: a newer event stands for it
            flow.remaining -= flow.rate * (now - flow.last)
            flow.last = now
            if flow.remaining <= flow.rate * done_s:
                finished.append(flow)
            else:
                survivors.append(flow)
        capacity, load, flows_on = self.capacity_Bps, self.load_Bps, self.flows_on
        touched: list[int] = []
        for flow in finished:
            flow.group = None
            self.active -= 1
            for c in flow.channels:
                on = flows_on[c]
                on.remove(flow)
                self.bytes_carried[c] += flow.size
                if on:
                    # Others gain only if this channel was saturated (their bottleneck).
                    if load[c] >= capacity[c] * (1.0 - _REL):
                        touched.append(c)
                    load[c] -= flow.rate
                else:
                    load[c] = 0.0
                    self.busy_s[c] += now - self._busy_since[c]
        rest = survivors
        if touched:
            self._reallocate(touched)
            rest = []  # the survivors the re-share left in this group (it took the others)
            for flow in survivors:
                if flow.group is group:
                    rest.append(flow)
        # Members whose rate did not change still need an event for their completion.
        if rest:
            self._schedule(rest)
        calendar = self._calendar
        for flow in finished:
            flow.state = PROPAGATING
            if flow.sent is not None:
                flow.sent(flow.payload)
            if flow.latency_s > 0.0:  # _deliver_after, inline, as in _finish_one
                if calendar is not None:  # Calendar.call_in, inline (environment.calendar_of)
                    at = calendar.now + flow.latency_s
                    _heappush(calendar.calls, (at, _NORMAL, next(calendar.eids), _deliver, flow))
                else:
                    self._call_in(flow.latency_s, _deliver, flow)
            else:
                flow.state = DELIVERED
                flow.callback(flow.payload)

    def _finish_one(self, group: list[Flow]) -> None:
        """Retire a lone flow at its completion time; re-share only if it left a saturated channel.

        The event of a group of one flow (a flow that started beside the
        others, the common case, has it directly); a flow re-shared since
        has a newer event.
        """
        flow = group[0]
        if flow.group is not group:
            return  # re-shared since: a newer event stands for it
        now: float = self.env.now
        flow.group = None
        flow.remaining = 0.0
        self.active -= 1
        capacity, load, flows_on = self.capacity_Bps, self.load_Bps, self.flows_on
        touched: list[int] | None = None
        for c in flow.channels:
            on = flows_on[c]
            on.remove(flow)
            self.bytes_carried[c] += flow.size
            if on:
                if load[c] >= capacity[c] * (1.0 - _REL):
                    if touched is None:
                        touched = []
                    touched.append(c)
                load[c] -= flow.rate
            else:
                load[c] = 0.0
                self.busy_s[c] += now - self._busy_since[c]
        if touched:
            self._reallocate(touched)
        flow.state = PROPAGATING
        if flow.sent is not None:
            flow.sent(flow.payload)
        if flow.latency_s > 0.0:  # _deliver_after, inline: the common case
            calendar = self._calendar
            if calendar is not None:  # Calendar.call_in, inline (environment.calendar_of)
                at = calendar.now + flow.latency_s
                _heappush(calendar.calls, (at, _NORMAL, next(calendar.eids), _deliver, flow))
            else:
                self._call_in(flow.latency_s, _deliver, flow)
        else:
            flow.state = DELIVERED
            flow.callback(flow.payload)

    def _component(self, channels: Iterable[int]) -> tuple[list[Flow], list[int]]:
        """The flows connected to ``channels`` through shared channels, in a stable order, and their channels.

        A depth-first search from ``channels`` (ascending: the last is searched
        first); the order of the flows is the order of their shared event's
        group, so it must not change.  Each flow found is marked with the
        search's number (``seen``) and as not yet fixed (``new_rate``, for
        :meth:`_progressive_filling`); each channel reached, in
        ``_channel_seen``.  The channels returned are those of the flows found,
        each once: a channel asked for that no flow crosses any more is left out.
        """
        flows_on = self.flows_on
        self._search += 1
        search = self._search
        channel_seen = self._channel_seen
        stack: list[int] = []
        for c in sorted(channels):
            if channel_seen[c] != search:
                channel_seen[c] = search
                stack.append(c)
        component: list[Flow] = []
        crossed: list[int] = []
        while stack:
            c = stack.pop()
            on = flows_on[c]
            if not on:
                continue
            crossed.append(c)
            for flow in on:
                if flow.seen == search:
                    continue
                flow.seen = search
                flow.new_rate = -1.0  # not fixed yet
                component.append(flow)
                for d in flow.channels:
                    if channel_seen[d] != search:
                        channel_seen[d] = search
                        stack.append(d)
        return component, crossed

    def _reallocate(self, channels: Iterable[int]) -> None:
        """Max-min fair rates for the flows connected to ``channels``, then one event for them.

        Each flow's bytes sent at its old rate are counted first; each
        channel's load is summed left to right, not with ``sum()``: from
        Python 3.12 ``sum()`` compensates float rounding, and the records must
        not depend on the Python version.
        """
        flows, crossed = self._component(channels)
        if not flows:
            return
        self.reallocations += 1
        self._progressive_filling(flows, crossed)
        now: float = self.env.now
        group = flows
        soonest = math.inf
        for flow in flows:  # bytes sent so far at the old rate, then the new rate; _schedule, fused
            remaining = flow.remaining - flow.rate * (now - flow.last)
            if remaining < 0.0:
                remaining = 0.0
            flow.remaining = remaining
            flow.last = now
            rate = flow.new_rate
            flow.rate = rate
            flow.group = group
            if rate > 0.0:
                due = remaining / rate
                if due < soonest:
                    soonest = due
        load, flows_on = self.load_Bps, self.flows_on
        for c in crossed:
            total = 0.0
            for f in flows_on[c]:  # a loop: no list per channel
                total += f.rate
            load[c] = total
        if soonest < math.inf:
            self._call_in(soonest, self._on_event, group)
        # else: every flow is stalled at zero capacity until set_capacity()

    def _progressive_filling(self, flows: list[Flow], crossed: list[int]) -> None:
        """Set ``new_rate`` (-1 on entry): repeatedly saturate the channel offering the smallest fair share.

        ``crossed`` are the channels of ``flows``, each once, in any order: the
        heap pops by value (then channel number), never by the order it was
        built in, and no share is NaN (capacities are finite).
        """
        capacity = self.capacity_Bps
        flows_on = self.flows_on
        left = self._left  # capacity each channel has left for the flows not fixed yet
        count = self._count  # the flows not fixed yet on each channel
        heap: list[tuple[float, int]] = []
        for c in crossed:
            n = len(flows_on[c])
            count[c] = n
            left[c] = capacity[c]
            heap.append((capacity[c] / n, c))
        # A channel's fair share only grows as flows elsewhere freeze below it,
        # so a heap with lazy re-insertion finds each bottleneck in O(log n).
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
                if flow.new_rate >= 0.0:
                    continue
                flow.new_rate = share
                unfixed -= 1
                for d in flow.channels:
                    left[d] -= share
                    count[d] -= 1
