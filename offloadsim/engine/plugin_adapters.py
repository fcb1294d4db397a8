"""The one seam between the engine and a plug-in: an adapter per protocol, which checks what it hands over.

A plug-in's processor (``engine/processor_models.py``'s :func:`build_processor`) and link model
(``engine/network.py``'s :func:`make_link_model`) are wrapped once, as they are built, in
:class:`PluginProcessor` or :class:`PluginLinkModel`; a kind of work once, where the run looks it up
(``engine/simulation.py``'s ``work_kind``), in :class:`PluginKind`; an arrival process once per
workload entry (``engine/workload.py``'s ``arrivals_of``) in :class:`PluginArrivals`; a record
column with a ``derive`` once per run's records (``engine/records.py``'s ``TaskRecords``) in
:class:`PluginColumn`.  The kernel, the policy's view, the plan's prices, the arrival chains, the
energy meters and the tables read the plug-in only through its adapter.
Each member that hands the engine a value calls the plug-in and checks what it gave: a time, a rate,
a count or a counter that is a finite number >= 0 (``inf`` where it means something: a stage that
never ends, no bottleneck), a counter that never goes back, one number per link direction.  What is
not is a :class:`~offloadsim.engine.plugin_faults.PluginFailed` naming the plug-in (its registered
name, its class's dotted name, which processor and node, or which link direction), the member, the
simulated time, what it gave and what was expected; where a value was read before, a NaN, a str or a
counter going back had ended the run in an internal error deep in a reader (the energy meter's sums,
exit 1), or been written to the tables as they were (exit 0).  The tests of a value and the shape
of that line are :mod:`offloadsim.plugin_checks`', which a kind of timed change's adapter, in the
world below the engine (``world/dynamics/plugin_kind.py``), shares.

Built-ins are never wrapped: nothing is added to a shipped scenario's path.  This module is
pure Python, never compiled by mypyc (``pyproject.toml``'s list): the engine it hands values to may
be, and reads them typed (a ``float``, an ``int``, a ``list[float]``), so each checked value is
handed over as that type, whatever number type the plug-in gave (numpy's, an int for a float).
Members offloadsim does not check (a processor's ``submit`` and ``abort``; a link
model's ``start``, ``cancel``, ``move``) are the plug-in's own, called through; an exception raised
in them is blamed on the plug-in by its traceback, as before (``plugin_faults.blame_plugin``).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from offloadsim.engine.channels import ChannelModel
from offloadsim.engine.errors import EngineError
from offloadsim.engine.plugin_faults import (
    PluginFailed,
    ReadUnknownColumn,
    UnknownColumn,
    kind_words,
    plugin_call,
)
from offloadsim.plugin_checks import as_float, number_at_least, refusal, whole
from offloadsim.plugins import dotted_name
from offloadsim.shapes import describe
from offloadsim.suggest import did_you_mean_key, quoted

if TYPE_CHECKING:
    import simpy

    from offloadsim.engine.work import Price
    from offloadsim.world import World

__all__ = ["PluginArrivals", "PluginColumn", "PluginKind", "PluginLinkModel", "PluginProcessor"]


class _Through:
    """A wrapper: a member it does not declare is the wrapped object's, which ``_through`` names."""

    __slots__ = ()
    _through: ClassVar[str] = "plugin"

    def __getattr__(self, name: str) -> Any:
        """A member not declared here: the wrapped object's own."""
        through = self._through
        if name == through:  # not set yet (a copy being made): nothing to ask
            raise AttributeError(name)
        return getattr(getattr(self, through), name)


class _Counter:
    """One counter of a plug-in (its busy time, its stages served, a link's bytes): never goes back.

    Keeps the value it last handed over and when, to say both when a later one is lower.
    """

    __slots__ = ("at", "last", "unit", "what", "whole", "words")

    def __init__(self, words: str, what: str, unit: str, whole: bool = False):
        self.words, self.what, self.unit, self.whole = words, what, unit, whole
        self.last: Any = None  # the value last read; None before the first read
        self.at = 0.0  # when

    def read(self, value: Any, now: float) -> Any:
        """``value``, read at ``now``: as a float (an int for a count) when fit, else PluginFailed."""
        last = self.last
        if not (whole(value) if self.whole else number_at_least(value)):
            raise self._refused(f"was {describe(value)} at simulated time {now:.6g} s")
        checked = int(value) if self.whole else as_float(value)
        if last is not None and checked < last:
            raise self._refused(
                f"was {describe(last)} at simulated time {self.at:.6g} s and {describe(value)} at {now:.6g} s"
            )
        self.last, self.at = checked, now
        return checked

    def _refused(self, said: str) -> PluginFailed:
        number = "a whole number" if self.whole else "a finite number"
        return PluginFailed(
            refusal(self.words, f"its {self.what} {said}", f"{self.unit}, {number} >= 0 that never decreases")
        )


def _count(value: Any, words: str, what: str, unit: str) -> int:
    """A count a plug-in gives (stages busy, waiting; cores) as an int; PluginFailed unless whole, >= 0."""
    if whole(value):
        return int(value)
    verb = "said" if what.endswith("()") else "was"
    raise PluginFailed(refusal(words, f"its {what} {verb} {describe(value)}", f"{unit}, a whole number >= 0"))


class PluginProcessor(_Through):
    """A plug-in's processor (the ``ProcessorLike`` protocol) as the engine reads it: checked.

    ``busy_core_seconds()`` is core-seconds, ``completed`` and ``refused`` counts of stages, each never
    going back; ``busy`` and ``queued()`` counts of stages now, ``cores`` a count too, and
    ``speed_flops`` a speed > 0; ``expected_wait_s()`` and the times its ``pricer`` gives, seconds
    >= 0 (``inf`` stands); ``in_service()``, if it has one, stages whose times are seconds >= 0.
    ``up`` and ``watch``, which the kernel and the energy meter set, are set on the plug-in.  Any
    other member is the plug-in's own (what a kind of work of the same distribution may read).
    Only what the engine reads through the adapter is checked: a plug-in processor hands itself to a
    kind of work's ``pricer``, whose prices the adapter checks.
    """

    __slots__ = ("_busy_core_s", "_completed", "_env", "_refused", "plugin", "words")

    def __init__(self, plugin: Any, words: str, env: simpy.Environment):
        """``words``: the processor in a message: its model, class, name and node."""
        self.plugin = plugin
        self.words = words
        self._env = env
        self._busy_core_s = _Counter(words, "busy_core_seconds()", "core-seconds")
        self._completed = _Counter(words, "completed", "stages", whole=True)
        self._refused = _Counter(words, "refused", "stages", whole=True)

    def __getattr__(self, name: str) -> Any:
        """A member not declared here: the plug-in's (its own), its ``in_service`` checked if it has one.

        ``in_service`` is optional (the kernel asks ``getattr(processor, "in_service", None)``), so
        it is found here, where a plug-in without one has none.
        """
        member = super().__getattr__(name)
        return self._checked_in_service(member) if name == "in_service" else member

    def _checked_in_service(self, in_service: Callable[[], Any]) -> Callable[[], list[Any]]:
        """``in_service``, each stage ``(callback, payload, wait_s, ran_s)`` with its times seconds >= 0."""

        def checked() -> list[tuple[Any, Any, float, float]]:
            stages = []
            for stage in in_service():
                try:
                    callback, payload, wait_s, ran_s = stage
                except (TypeError, ValueError):
                    callback = wait_s = ran_s = None
                if not (callable(callback) and number_at_least(wait_s) and number_at_least(ran_s)):
                    raise PluginFailed(
                        refusal(
                            self.words,
                            f"its in_service() gave {describe(stage)} for a stage",
                            "(callback, payload, wait_s, ran_s), its times finite seconds >= 0",
                        )
                    )
                stages.append((callback, payload, as_float(wait_s), as_float(ran_s)))
            return stages

        return checked

    # -- what the protocol declares, called through --------------------------------------
    @property
    def node(self) -> str:
        """The node the processor is at."""
        return self.plugin.node

    @property
    def name(self) -> str:
        """The processor's name at its node."""
        return self.plugin.name

    @property
    def cores(self) -> int:
        """Its parallel servers: a whole number >= 0 (the meters share a node's busy power among them)."""
        return _count(self.plugin.cores, self.words, "cores", "cores")

    @property
    def speed_flops(self) -> float:
        """Its speed, FLOP/s: a finite number > 0 (a codec's time on it divides by it)."""
        speed = self.plugin.speed_flops
        if number_at_least(speed) and speed > 0:
            return as_float(speed)
        raise PluginFailed(
            refusal(self.words, f"its speed_flops was {describe(speed)}", "FLOP/s, a finite number > 0")
        )

    @property
    def up(self) -> bool:
        """Whether it takes stages (the kernel sets it True as its node comes back)."""
        return self.plugin.up

    @up.setter
    def up(self, value: bool) -> None:
        self.plugin.up = value

    @property
    def watch(self) -> Callable[[], None] | None:
        """Told when its number of busy stages changes (a battery's meter sets it)."""
        return self.plugin.watch

    @watch.setter
    def watch(self, value: Callable[[], None] | None) -> None:
        self.plugin.watch = value

    def submit(self, service_s: float, callback: Callable[[Any, float, float], None], payload: Any) -> bool:
        """The plug-in's ``submit``."""
        return self.plugin.submit(service_s, callback, payload)

    def abort(self) -> list[Any]:
        """The plug-in's ``abort``."""
        return self.plugin.abort()

    # -- what it hands the engine, checked ---------------------------------------------
    @property
    def busy(self) -> int:
        """Stages in service now: a whole number >= 0 (the energy meter multiplies it by watts)."""
        return _count(self.plugin.busy, self.words, "busy", "stages in service")

    def queued(self) -> int:
        """Stages waiting now: a whole number >= 0."""
        return _count(self.plugin.queued(), self.words, "queued()", "stages waiting")

    @property
    def completed(self) -> int:
        """Stages served so far: a whole number >= 0 that never goes back."""
        stages: int = self._completed.read(self.plugin.completed, self._env.now)
        return stages

    @property
    def refused(self) -> int:
        """Stages turned away so far: a whole number >= 0 that never goes back."""
        stages: int = self._refused.read(self.plugin.refused, self._env.now)
        return stages

    def busy_core_seconds(self) -> float:
        """Busy cores integrated over time so far: core-seconds, finite, >= 0, never going back.

        Read by the battery's energy meter at every change of the node's draw, at the start of the
        measured time and at its end.
        """
        seconds: float = self._busy_core_s.read(self.plugin.busy_core_seconds(), self._env.now)
        return seconds

    def expected_wait_s(self) -> float:
        """The wait of a stage submitted now, as a policy reads it: seconds >= 0 (``inf`` stands)."""
        wait = self.plugin.expected_wait_s()
        if number_at_least(wait, inf=True):
            return as_float(wait)
        said = f"its expected_wait_s() said {describe(wait)}"
        raise PluginFailed(refusal(self.words, said, "seconds >= 0"))

    def pricer(self, kind: Any, world: World) -> Price:
        """The plug-in's prices of ``kind``'s stages, each refused unless seconds >= 0 (``inf`` stands).

        The plug-in is handed ``kind`` as :class:`_PricedOnAdapter`: where it asks the kind's
        ``pricer`` with itself (as the protocol's plug-ins do: ``kind.pricer(world, self)``), the
        kind reads this adapter, so a kind reads the plug-in's ``speed_flops`` checked too.
        """
        return _checked_price(self.plugin.pricer(_PricedOnAdapter(kind, self), world), self.words)


class _PricedOnAdapter(_Through):
    """A kind of work as a plug-in processor's ``pricer`` is handed it: priced on the processor's adapter.

    Its ``pricer(world, processor)`` hands the kind the adapter where the plug-in passes itself;
    every other member is the kind's own.
    """

    __slots__ = ("_adapter", "kind")
    _through = "kind"

    def __init__(self, kind: Any, adapter: PluginProcessor):
        self.kind = kind
        self._adapter = adapter

    def pricer(self, world: World, processor: Any) -> Price:
        """The kind's prices on ``processor``: on the adapter where ``processor`` is its plug-in."""
        adapter = self._adapter
        price: Price = self.kind.pricer(world, adapter if processor is adapter.plugin else processor)
        return price


class PluginKind(_Through):
    """A plug-in's kind of work (the ``WorkKind`` protocol) as the engine reads it: checked.

    ``fixed_cost`` is read once, as it is wrapped, and refused unless True or False (the pure build
    took ``"yes"`` as True, the build compiled by mypyc failed in its own frame: exit 1); its
    ``maker``'s requests are refused unless each is a :class:`~offloadsim.engine.tasks.Task` (a dict
    was an internal error where the kernel first read a field of it); the times its ``pricer`` gives
    are seconds >= 0 (``inf`` stands).  ``name``, ``start`` and ``served_as`` are the plug-in's,
    called through; an optional ``notes`` or ``context_cuts`` is handed the plug-in's own makers.
    """

    __slots__ = ("fixed_cost", "plugin", "task", "words")

    def __init__(self, plugin: Any, task: type):
        self.plugin = plugin
        self.task = task  # engine/tasks.py's Task, handed in: that module imports this one's importers
        self.words = kind_words(plugin)
        fixed_cost: Any = getattr(plugin, "fixed_cost", None)
        if not isinstance(fixed_cost, bool):
            said = f"its fixed_cost is {describe(fixed_cost)}"
            raise PluginFailed(refusal(self.words, said, "True or False"))
        self.fixed_cost: bool = fixed_cost

    def __getattr__(self, name: str) -> Any:
        """A member not declared here: the plug-in's own (``notes``, ``context_cuts``: given its makers)."""
        member = super().__getattr__(name)
        if name not in ("notes", "context_cuts"):
            return member

        def given_its_own_makers(makers: Sequence[Any], *args: Any) -> Any:
            return member([getattr(make, "plugin", make) for make in makers], *args)

        return given_its_own_makers

    @property
    def name(self) -> str:
        """The name applications give."""
        return self.plugin.name

    def maker(self, app: Any, source: str, rng: Any, apps: Any) -> _CheckedMaker:
        """The plug-in's maker, whose every request is checked to be a Task."""
        return _CheckedMaker(self.plugin.maker(app, source, rng, apps), self.words, self.task)

    def pricer(self, world: World, processor: Any) -> Price:
        """The plug-in's prices on ``processor``, each refused unless seconds >= 0 (``inf`` stands)."""
        return _checked_price(self.plugin.pricer(world, processor), self.words)

    def start(self, ctx: Any, task: Any, walk: Callable[[Any], None]) -> None:
        """The plug-in's ``start``."""
        self.plugin.start(ctx, task, walk)

    def served_as(self, task: Any, app: Any) -> Any:
        """The plug-in's ``served_as``."""
        return self.plugin.served_as(task, app)


class _CheckedMaker(_Through):
    """A plug-in kind's maker: each request it makes refused unless a Task; its other members its own.

    ``plugin`` is the plug-in's maker (what its kind's ``notes`` reads); ``measure_from``, if it has
    one, is its own.
    """

    __slots__ = ("plugin", "task", "words")

    def __init__(self, plugin: Callable[[int, float], Any], words: str, task: type):
        self.plugin = plugin
        self.words = words
        self.task = task  # engine/tasks.py's Task

    def __call__(self, task_id: int, now: float) -> Any:
        """The plug-in's request ``task_id``, made at ``now``: a Task, else PluginFailed."""
        task = self.plugin(task_id, now)
        if isinstance(task, self.task):
            return task
        expected = f"{self.task.__module__}.{self.task.__qualname__}"
        raise PluginFailed(refusal(self.words, f"its maker made {describe(task)}", f"an {expected}"))


def _checked_price(price: Callable[[Any, int, int], Any], words: str) -> Callable[[Any, int, int], float]:
    """``price`` (a plug-in's stage times) refusing a time that is no number >= 0: :class:`PluginFailed`.

    A plug-in processor's (or kind of work's) price of NaN ended the run in an internal error
    deep in the energy meters, a negative one in the kernel, a str or None in the plan's sums
    (exit 1 each).  ``inf`` stands: a stage that never ends, which the run shows in flight.
    """

    def checked(task: Any, start: int, stop: int) -> float:
        seconds = price(task, start, stop)
        if number_at_least(seconds, inf=True):
            return as_float(seconds)
        layers = f"layer {start}" if stop - start == 1 else f"layers {start}-{stop - 1}"
        raise PluginFailed(
            f"{words} priced {layers} of a request of {getattr(task, 'app', '?')} at "
            f"{describe(seconds)}; expected seconds >= 0"
        )

    return checked


class PluginLinkModel(_Through):
    """A plug-in's link model (the ``LinkModel`` protocol) as the engine reads it: checked.

    ``bytes_carried_now()`` and ``busy_s`` hold one finite number >= 0 per link direction, none
    going back; ``capacity_bit_seconds`` is a finite number >= 0; ``share_Bps`` and
    ``capacity_Bps_now``, which a policy's view reads, bytes/s >= 0 (``inf`` stands).  The rest
    (``start``, ``cancel``, ``set_capacity``, ``set_up``, ``sending_over``, ``move``,
    ``flow_count``, ``close_statistics``, and any member of its own) is the plug-in's, called through.

    A model derived from :class:`~offloadsim.engine.channels.ChannelModel` may write its
    transfers' ``rate`` and its ``capacity_Bps`` itself, past the check of ``set_rate``: as each of
    those calls returns, the rates of the transfers crossing the channels it touched are checked
    (``ChannelModel.check_rates``), all of them before its bytes are read, and the capacities a
    ``share_Bps`` reads, each refused unless a finite number >= 0.
    """

    __slots__ = ("_busy", "_bytes", "_channels", "_ends", "_env", "plugin", "words")

    def __init__(self, plugin: Any, words: str, env: simpy.Environment, ends: Sequence[tuple[str, str]]):
        """``words``: the model in a message; ``ends``: each link direction's two nodes, by channel."""
        self.plugin = plugin
        self.words = words
        self._env = env
        self._ends = [f"{a} -> {b}" for a, b in ends]
        #: The plug-in as the ChannelModel whose rates are checked (None: a model of its own).
        self._channels: ChannelModel | None = plugin if isinstance(plugin, ChannelModel) else None
        if self._channels is not None:
            self._channels.channel_names = self._ends
        self._bytes = [_Counter(f"{words}, link {end}", "bytes_carried_now()", "bytes") for end in self._ends]
        self._busy = [_Counter(f"{words}, link {end}", "busy_s", "seconds") for end in self._ends]

    def start(self, *args: Any, **kwargs: Any) -> Any:
        """The plug-in's ``start``: a transfer; the rates on its channels checked."""
        transfer = self.plugin.start(*args, **kwargs)
        self._check_rates(getattr(transfer, "channels", ()))
        return transfer

    def cancel(self, flow: Any) -> bool:
        """The plug-in's ``cancel``; the rates on the flow's channels checked."""
        cancelled: bool = self.plugin.cancel(flow)
        self._check_rates(getattr(flow, "channels", ()))
        return cancelled

    def set_capacity(self, channel: int, capacity_bps: float) -> None:
        """The plug-in's ``set_capacity``; the rates on ``channel`` checked."""
        self.plugin.set_capacity(channel, capacity_bps)
        self._check_rates((channel,))

    def set_up(self, channel: int, up: bool) -> None:
        """The plug-in's ``set_up``; the rates on ``channel`` checked."""
        self.plugin.set_up(channel, up)
        self._check_rates((channel,))

    def sending_over(self, channel: int) -> list[tuple[Any, tuple[int, ...]]]:
        """The plug-in's ``sending_over`` (asked at a handover only)."""
        return self.plugin.sending_over(channel)

    def move(self, flow: Any, channels: tuple[int, ...], latency_s: float, restart: bool) -> Any:
        """The plug-in's ``move`` (at a handover only); the rates on the new channels checked."""
        moved = self.plugin.move(flow, channels, latency_s, restart)
        self._check_rates(channels)
        return moved

    def _check_rates(self, channels: Sequence[int]) -> None:
        """A ChannelModel's rates of the transfers crossing ``channels``, and their capacities."""
        if self._channels is not None:
            self._channels.check_rates(channels)
            self._check_capacities(channels)

    def _check_capacities(self, channels: Sequence[int]) -> None:
        """A ChannelModel's capacities on ``channels``, as ``set_capacity`` logged them (its check).

        Not a model's that counts its ``capacity_bit_seconds`` itself: its capacities are its own.
        """
        model = self._channels
        if model is not None and type(model).capacity_bit_seconds is ChannelModel.capacity_bit_seconds:
            model.check_capacities(channels)

    def flow_count(self, channel: int) -> int:
        """The plug-in's ``flow_count``."""
        return self.plugin.flow_count(channel)

    def close_statistics(self) -> None:
        """The plug-in's ``close_statistics``."""
        self.plugin.close_statistics()

    def share_Bps(self, channels: Sequence[int]) -> float:
        """Bytes/s a new flow over ``channels`` could expect now: >= 0 (``inf``: no bottleneck).

        A ChannelModel's capacities on ``channels`` are checked first: its ``min`` passed a NaN
        one over, and the share read as another channel's.
        """
        model = self._channels
        if model is not None:
            for channel in channels:
                capacity = model.capacity_Bps[channel]
                if not number_at_least(capacity):
                    said = (
                        f"its capacity_Bps was {describe(capacity)} at simulated time {self._env.now:.6g} s, "
                        "written without set_capacity()"
                    )
                    words = f"{self.words}, link {self._ends[channel]}"
                    raise PluginFailed(refusal(words, said, "bytes/s, a finite number >= 0"))
            self._check_capacities(channels)
        return self._rate(self.plugin.share_Bps(channels), "share_Bps")

    def capacity_Bps_now(self, channel: int) -> float:
        """The channel's capacity in force, bytes/s >= 0."""
        return self._rate(self.plugin.capacity_Bps_now(channel), "capacity_Bps_now")

    def _rate(self, rate: Any, method: str) -> float:
        if number_at_least(rate, inf=True):
            return as_float(rate)
        raise PluginFailed(refusal(self.words, f"its {method}() said {describe(rate)}", "bytes/s >= 0"))

    def bytes_carried_now(self) -> list[float]:
        """Bytes each link direction carried so far: one finite number >= 0 each, none going back."""
        self._check_rates(range(len(self._ends)))  # its bytes are read at its transfers' rates
        return self._counters(self.plugin.bytes_carried_now(), self._bytes, "bytes_carried_now()")

    @property
    def busy_s(self) -> list[float]:
        """Seconds each link direction carried a flow so far: as :meth:`bytes_carried_now`."""
        return self._counters(self.plugin.busy_s, self._busy, "busy_s")

    def _counters(self, values: Any, counters: list[_Counter], what: str) -> list[float]:
        now: float = self._env.now
        checked = []
        for channel, counter in enumerate(counters):
            try:
                value = values[channel]
            except (TypeError, LookupError):
                said = f"its {what} holds no value for {self._ends[channel]}"
                raise PluginFailed(refusal(self.words, said, "one number per link direction")) from None
            checked.append(counter.read(value, now))
        return checked

    def capacity_bit_seconds(self, channel: int, t0: float, t1: float) -> float:
        """The channel's capacity in force over ``[t0, t1]``, bits: a finite number >= 0."""
        self._check_capacities((channel,))  # what it says is ChannelModel's log of set_capacity()
        offered = self.plugin.capacity_bit_seconds(channel, t0, t1)
        if number_at_least(offered):
            return as_float(offered)
        said = f"its capacity_bit_seconds() from {t0:.6g} s to {t1:.6g} s was {describe(offered)}"
        words = f"{self.words}, link {self._ends[channel]}"
        raise PluginFailed(refusal(words, said, "bit-seconds, a finite number >= 0"))


class PluginArrivals(_Through):
    """A plug-in's arrival process (an ``ArrivalProcess``) as the engine reads it: checked.

    Its ``start`` is handed the engine's ``ArrivalRun`` in :class:`_CheckedArrivalRun`, whose
    ``chain`` hands the chain each gap as a float, or refuses one that is no number
    (``numbers.Real``: numpy's too) with ``bad_time("a gap", it)``; its value is the chain's to
    check (NaN, negative), as for a shipped process.  ``stall_allowance(source)`` is any number, as
    it is (the pure build adds it to the stall limit), else ``refused(it)``.  Every other member
    (``kind``, ``stall_hint``, its keys) is the plug-in's.  Compiled by mypyc, the chain's own
    check of a gap's type, or of the int ``stall_allowance`` declares, was in the engine's frame,
    where no traceback can name the plug-in (an internal error, exit 1).
    """

    __slots__ = ("_bad_time", "_refused", "plugin")

    def __init__(
        self,
        plugin: Any,
        bad_time: Callable[[str, object], Exception],
        refused: Callable[[object], Exception],
    ):
        """``bad_time(what, value)`` and ``refused(value)``: the errors, said at the workload entry."""
        self.plugin = plugin
        self._bad_time = bad_time
        self._refused = refused

    def start(self, run: Any) -> None:
        """The plug-in's ``start``, handed ``run`` whose chain checks its gaps."""
        self.plugin.start(_CheckedArrivalRun(run, self._bad_time))

    def stall_allowance(self, source: str) -> Any:
        """The plug-in's arrivals in a row at one instant at ``source``: any number, as it is."""
        value = self.plugin.stall_allowance(source)
        if isinstance(value, numbers.Real):
            return value
        raise self._refused(value)


class _CheckedArrivalRun(_Through):
    """The engine's ``ArrivalRun`` as a plug-in process is handed it: its gaps checked; the rest its own."""

    __slots__ = ("_bad_time", "run")
    _through = "run"  # its clock, rng, source, start, stop, at, arrive, stalled

    def __init__(self, run: Any, bad_time: Callable[[str, object], Exception]):
        self.run = run
        self._bad_time = bad_time

    def chain(self, next_gap: Callable[[], Any], first: Any) -> None:
        """The engine's ``chain``, each gap ``next_gap()`` gives handed over as a float, else refused."""
        bad_time = self._bad_time

        def gap() -> float:
            value = next_gap()
            if type(value) is float:
                return value
            if isinstance(value, numbers.Real):  # float(): what the chain's float arithmetic made of it
                return as_float(value)
            raise bad_time("a gap", value)

        self.run.chain(gap, first)


class PluginColumn:
    """A plug-in's record column with a ``derive`` (a schema ``Column``) as the tables read it: checked.

    Wrapped once per run's records, where the columns are looked up (``engine/records.py``'s
    ``TaskRecords``); offloadsim ships no column with a ``derive`` (the columns it computes after a
    run are its own, ``TaskRecords.extra``), so every one is a plug-in's.  :meth:`values` calls the
    derive on a chunk of records and hands back its values as float64, one per row; what it returned
    that is not (one number, a shorter array, strings) is an :class:`EngineError` naming the column
    and its function, where it was an internal error (exit 1) from wherever the column was next
    read.  A derive that raises is a :class:`PluginFailed` (``plugin_call``); one that read a column
    that is no record column, a :class:`ReadUnknownColumn` naming it and the nearest.
    """

    __slots__ = ("column", "names", "words")

    def __init__(self, column: Any, names: Sequence[str]):
        """``names``: the record columns of the run (those a derive may read)."""
        self.column = column
        self.names = names
        self.words = f"record column {quoted(column.name)} ({dotted_name(column.derive)})"

    def values(self, block: Any, rows: int) -> np.ndarray:
        """The column's values over ``block``, ``rows`` records: an array of ``rows`` float64."""
        try:
            derived = plugin_call(self.column.derive, self.words, block, when=" while it derived its values")
        except PluginFailed as error:
            cause = error.__cause__
            if isinstance(cause, UnknownColumn):  # and the derive did not catch it
                hint = did_you_mean_key(str(cause.args[0]), self.names)
                raise ReadUnknownColumn(
                    f"{self.words} reads column {quoted(cause.args[0])}, which is no record column{hint}"
                ) from None
            if isinstance(cause, ReadUnknownColumn):  # another column's derive, this one read: as it is
                raise cause from None
            raise
        try:
            column = np.asarray(derived, dtype=np.float64)
        except (TypeError, ValueError):
            column = None
        if column is None or column.shape != (rows,):
            got = (
                f"an array of shape {np.shape(derived)}"
                if isinstance(derived, np.ndarray)
                else type(derived).__name__
            )
            if column is None:
                got = f"{got} that is not numbers"
            raise EngineError(
                f"{self.words} returned {got} for {rows} rows; expected one number per row "
                f"(an array of {rows})"
            )
        return column
