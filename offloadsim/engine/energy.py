"""Device energy: each powered node's draw integrated over time, and charged to the tasks that caused it.

A node with ``power:`` draws its idle power while it is up (its ``down``
power while it is down: :meth:`NodeMeter.went_down`, :meth:`NodeMeter.came_up`,
called by the kernel at those changes only), plus the increments of
:class:`~offloadsim.policies.device_energy.DeviceEnergy` while it
computes, sends and receives, and during its radio tail.  The rule is
:mod:`offloadsim.policies.device_energy`'s, the one the policies price
with; the meter applies it event by event, its arithmetic inline on the
hot path (``tests/engine/test_energy_rule_agrees.py`` replays random
flows through a meter and that module's estimate).  Tasks are charged
the increments (the idle floor, and the down draw, stay the node's), so
summed over a node's own tasks, plus what it spent on other sources' tasks
(``others_j``, below), they add up to its energy less ``idle × time up``
less ``down × time down``:

* computing: a stage on one of the node's processors is charged ``(busy -
  idle) / cores`` × its service time when it ends (by the simulation), or
  × the time it ran when the node's going down (or its flat battery) cuts
  it short, ``cores`` counting the cores of every processor of the node
  without a busy power of its own (``busy`` is the draw with every one of
  them busy); a processor with its own (``processors.NAME.busy``) is charged
  that over its own cores (:func:`~offloadsim.policies.device_energy.processor_busy_w`);
* the radio, here: while bytes leave (or arrive), ``transmit - idle`` (or
  ``receive - idle``), shared equally by the flows that overlap on the
  radio.  A flow that starts at ``s`` and whose last byte leaves at ``e``
  over a route of propagation latency ``L`` is sent during ``[s, e]`` and
  received during ``[s + L, e + L]`` (its delivery): the receiving end's
  window is the sending end's, a latency later.  The latency itself is
  not radio time at either end;
* the bits (``transmit_per_rate``, ``receive_per_rate``): a flow's bits
  cost ``transmit_j_per_bit`` each at the sending end when its last byte
  leaves, ``receive_j_per_bit`` each at the receiving end at its delivery,
  charged to that flow's task alone (not shared: each flow moved its own
  bits).  A radio whose draw grows linearly with its throughput draws
  ``β t + α B`` over ``B`` bits in ``t`` seconds whatever its rate did
  (max-min sharing changes it as flows come and go), so this is exact with
  no rate tracked and no event of its own.  A flow aborted, or cut by its
  receiving node going down, moved an unknown part of its bits: it is
  charged none of them (only the states' time); a battery sees a flow's
  bits as one step at its end;
* the tail: when the radio falls silent (its last flow sent, or received)
  it stays at transmit power for up to ``tail``, charged to the task whose
  flow ended last, and cut short (the rest not charged to anyone) by the
  radio's next activity: a flow starting to leave, or the first byte of
  one arriving.

A reception due later (:meth:`NodeMeter.expect`) waits on the meter's
``pending`` list, not on an event of its own: whatever the meter does next
(at the latest, that flow's delivery) first starts the receptions due by
then, each at its own time, so the receiving end costs the run no event.
A flow aborted (a link down under it) stops arriving then, or never starts
to, as does one still arriving (or due) when the receiving node goes down
(:meth:`NodeMeter.went_down`: its delivery, later, is not heard, even
with the node up again by then; a reception opened since the node came
back up ends at its own delivery, or abort, not at a cut one's); one
handed over to a route of less latency that is delivered before its first
byte was due is received in no time, at its delivery.

A stage or flow of a task from another source (a device computing or
receiving someone else's stage, an edge server's radio) is charged the same
way to that task's ``other_energy`` (its record's ``other_device_energy``),
not to its ``device_energy``, and summed into the node's ``others_j`` (the
nodes table's ``energy_for_others_j``): a node's energy less idle (and
down) is its own tasks' device energy plus what it spent for others.
A battery-powered node whose energy reaches its capacity is flat from that
instant: it draws nothing more and does nothing more (see
:class:`Battery`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import simpy

    from offloadsim.engine.processor_models import ProcessorLike as Processor
    from offloadsim.engine.records import RecordLog
    from offloadsim.engine.tasks import Task
    from offloadsim.scenario.model import PowerSpec

__all__ = ["NodeMeter", "Radio", "radios_aborted", "radios_on", "radios_received", "radios_sent"]

#: A powered end of a transfer: (its meter, whether it sends, whether the task is charged there).
Radio = tuple["NodeMeter", bool, bool]

_EPS_J = 1e-9  # a battery within a nanojoule of its capacity is flat (a billionth of one below 1 J)


class NodeMeter:
    """The energy of one powered node, integrated event by event."""

    __slots__ = (
        "_on_drained",
        "_records",
        "_version",
        "battery_j",
        "bits_j",
        "core_w",
        "core_w_by_name",
        "deaf",
        "down_from",
        "down_j",
        "down_w",
        "drained_at",
        "env",
        "fresh",
        "frozen_j",
        "idle_w",
        "last",
        "marginal",
        "node",
        "others_j",
        "pending",
        "processors",
        "receiving",
        "rx_j_bit",
        "rx_on_s",
        "rx_w",
        "sending",
        "tail_from",
        "tail_on_s",
        "tail_owner",
        "tail_s",
        "tx_j_bit",
        "tx_on_s",
        "tx_w",
    )

    def __init__(
        self,
        env: simpy.Environment,
        node: str,
        power: PowerSpec,
        processors: Sequence[Processor],
        records: RecordLog,
        on_drained: Callable[[NodeMeter], None],
        own_busy_w: Sequence[float | None] | None = None,
    ):
        """``processors`` are all the node's; ``records`` the run's record log (energy after a task ended).

        ``own_busy_w`` is each processor's own busy power above idle (None: it shares the node's).

        A plug-in's processor comes in its checking adapter (``engine/plugin_adapters.py``): its busy
        time, read here at every change of a battery's draw, is a float that never goes back.
        """
        self.env = env
        self.node = node
        self.processors = tuple(processors)
        self.idle_w = power.idle_w
        own = tuple(own_busy_w) if own_busy_w is not None else (None,) * len(self.processors)
        shared = sum(p.cores for p, w in zip(self.processors, own, strict=True) if w is None)
        # Imported here: a run whose nodes draw no power (the 0-task run too) builds no meter, and
        # the rule's class is a share of start-up it need not pay.
        from offloadsim.policies.device_energy import DeviceEnergy, processor_busy_w

        self.marginal = DeviceEnergy.of(power, shared or 1)
        # Watts above idle per busy core of each processor (processor_busy_w's rule), by name too.
        pairs = [(p.cores, w) for p, w in zip(self.processors, own, strict=True)]
        self.core_w = processor_busy_w(power, pairs)
        self.core_w_by_name = {p.name: w for p, w in zip(self.processors, self.core_w, strict=True)}
        self.tx_w = self.marginal.transmit_w
        self.tail_s = self.marginal.tail_s
        self.rx_w = self.marginal.receive_w
        self.tx_j_bit = self.marginal.transmit_j_per_bit
        self.rx_j_bit = self.marginal.receive_j_per_bit
        self.bits_j = 0.0  # joules of the bits moved (tx_j_bit, rx_j_bit), at the flows' ends
        self.others_j = 0.0  # joules above idle charged to other sources' tasks (their other_energy)
        self.battery_j = power.battery_j
        self.down_w = self.idle_w if power.down_w is None else power.down_w
        self.down_from = -1.0  # when the node went down; negative: it is up
        self.down_j = 0.0  # what its past outages drew less idle × their time (0 with down = idle)
        self._records = records
        self._on_drained = on_drained
        # Typed (Task, not Any): a build compiled by mypyc charges them natively.
        self.sending: list[Task | None] = []  # the task of each flow leaving (its own, or another source's)
        self.receiving: list[Task | None] = []
        # Receptions not yet started: (first byte's arrival, the flow's key, its task), by arrival.
        self.pending: list[tuple[float, Any, Task | None]] = []
        # Receptions its going down cut (:meth:`went_down`): (the flow's key, None once started; its task).
        self.deaf: list[tuple[Any, Task | None]] = []
        # The keys of the receptions expected since the node last went down, kept while one that
        # down cut is still to end (``deaf``): a delivery named here ends its own reception, not a
        # cut one's (a cut reception already started is known by its task only, None on a server).
        # A set: the kernel's keys (its tasks, an LLM request's flow functions) hash by identity.
        self.fresh: set[Any] = set()
        self.last = 0.0
        self.tx_on_s = 0.0  # time with at least one flow leaving
        self.rx_on_s = 0.0
        self.tail_on_s = 0.0
        self.tail_from = -1.0  # start of the current tail; negative: none
        self.tail_owner: Task | None = None
        self.drained_at: float | None = None
        self.frozen_j = 0.0
        self._version = 0
        if self.battery_j is not None:
            for processor in self.processors:
                processor.watch = self.changed

    # -- the radio ------------------------------------------------------------------
    def flow_started(self, sending: bool, task: Task | None) -> None:
        """A flow with this node at one end starts moving bytes here now (``task``: None if not this node's).

        The sending end calls it as the flow starts; a receiving end whose
        bytes arrive a latency later calls :meth:`expect` instead.
        """
        if self.drained_at is not None:
            return
        now: float = self.env.now
        if self.pending:
            self._catch_up(now)
        if self.sending or self.receiving:
            self._advance(now)
        else:
            self.last = now  # nothing was flowing: nothing to charge
        if self.tail_from >= 0.0:  # a tail in progress ends here
            self._end_tail(now)
        (self.sending if sending else self.receiving).append(task)
        if self.battery_j is not None:
            self.changed()

    def expect(self, at: float, key: Any, task: Task | None) -> None:
        """A flow's first byte arrives here at ``at`` (>= now): from then on the radio receives it.

        ``key`` names the flow for :meth:`reception_aborted` (unique among
        the flows in flight to this node); ``task`` is charged (None if not
        this node's).  Its last byte arrives at its delivery: :meth:`received`.
        """
        if self.drained_at is not None:
            return
        if self.deaf:  # a reception cut by the last down is still to end: this one is not it
            self.fresh.add(key)
        now: float = self.env.now
        if at <= now:  # no latency: it arrives as it leaves
            self.flow_started(False, task)
            return
        pending = self.pending
        if not pending or pending[-1][0] <= at:  # by arrival; ties in the order they were expected
            pending.append((at, key, task))
        else:
            i = len(pending) - 1
            while i and pending[i - 1][0] > at:
                i -= 1
            pending.insert(i, (at, key, task))
        if self.battery_j is not None:
            self.changed()

    def received(self, key: Any, task: Task | None, size: float = 0.0) -> None:
        """The last byte of the flow ``key`` (of ``size`` bytes) arrived now (its delivery): it ends."""
        self.flow_sent(False, task, key, size)

    def reception_aborted(self, key: Any, task: Task | None) -> None:
        """The flow ``key`` was aborted now: its bytes stop arriving, or never start to."""
        if self.drained_at is not None or (self.deaf and self._cut(key, task)):
            return
        if self.pending:
            self._catch_up(self.env.now)
            if self._forget(key):
                if self.battery_j is not None:
                    self.changed()
                return
        if self.deaf:  # not a cut one: named, so that flow_sent does not take it for one
            self.fresh.add(key)
        self.flow_sent(False, task, key)

    def _arrived_early(self, now: float, key: Any, task: Task | None) -> None:
        """The flow ``key``, if still expected later, arrived already: received in no time, now.

        A flow moved to a route of less latency is delivered before its first
        byte was due on the old one; its reception is never left pending.
        """
        if self._forget(key):
            self.pending.insert(0, (now, key, task))
            self._catch_up(now)

    def _forget(self, key: Any) -> bool:
        """Take the flow ``key``'s reception off the pending list; False if it is not there."""
        pending = self.pending
        for i, entry in enumerate(pending):
            if entry[1] is key:
                del pending[i]
                return True
        return False

    def _cut(self, key: Any, task: Task | None) -> bool:
        """Whether the flow ``key`` (None: its ``task``) is one :meth:`went_down` cut; forgotten if so.

        A cut reception still pending is known by its key; one started, by its
        task (the kernel keys its own flows by their task), which is None for
        every flow not charged here (a server's): one of those is cut unless it
        was expected since the down (``fresh``), so that a reception opened
        after the node came back up ends at its own delivery, never at a cut one's.
        """
        deaf = self.deaf
        if key is None:
            key = task
        fresh = self.fresh
        if key in fresh:
            fresh.discard(key)
            return False
        at = -1
        if key is not None:
            at = next((i for i, (cut, _) in enumerate(deaf) if cut is key), -1)
        if at < 0:
            at = next((i for i, (cut, owner) in enumerate(deaf) if cut is None and owner is task), -1)
            if at < 0:
                return False
        del deaf[at]
        if not deaf:  # every cut reception has ended: the ones expected since are known without names
            fresh.clear()
        return True

    def _catch_up(self, now: float) -> None:
        """Start the receptions due by ``now``, each at its own time (a tail in progress ends there)."""
        pending = self.pending
        while pending and pending[0][0] <= now:
            at, _, task = pending.pop(0)
            if self.sending or self.receiving:
                self._advance(at)
            else:
                self.last = at
            if self.tail_from >= 0.0:
                self._end_tail(at)
            self.receiving.append(task)

    def flow_sent(self, sending: bool, task: Task | None, key: Any = None, size: float = 0.0) -> None:
        """That flow's last byte left now; at a receiving end, arrived now (:meth:`received`).

        A received flow is named by ``key`` for :meth:`expect`'s pending list;
        None: by its task (the kernel's own steps, one flow of a task at a time).
        ``size`` is the flow's bytes, charged per bit here (``tx_j_bit``, ``rx_j_bit``).
        """
        if self.drained_at is not None or (self.deaf and not sending and self._cut(key, task)):
            return
        now: float = self.env.now
        if self.pending:
            self._catch_up(now)
            if self.pending and not sending:
                self._arrived_early(now, task if key is None else key, task)
        flows, others = (self.sending, self.receiving) if sending else (self.receiving, self.sending)
        if len(flows) == 1 and not others:  # alone on the radio, the common case: _advance, inline
            dt = now - self.last
            self.last = now
            if dt > 0.0:
                if sending:
                    self.tx_on_s += dt
                    joules = self.tx_w * dt
                else:
                    self.rx_on_s += dt
                    joules = self.rx_w * dt
                owner = flows[0]
                if owner is not None and owner.source == self.node:  # _charge, inline
                    owner.energy += joules
                    if owner.row >= 0:
                        self._records.add("device_energy", owner.row, joules)
                elif owner is not None:
                    self.charge_other(owner, joules)
            flows.clear()
        else:
            self._advance(now)
            if len(flows) == 1:
                flows.clear()
            else:
                flows.remove(task)
        if size > 0.0:
            per_bit = self.tx_j_bit if sending else self.rx_j_bit
            if per_bit > 0.0:  # 0 unless the scenario asks: nothing added, not even 0.0
                bits = 8.0 * per_bit * size
                self.bits_j += bits
                if task is not None:
                    self._charge(task, bits)
        if self.tail_s > 0.0 and not self.sending and not self.receiving:
            self.tail_from = now
            self.tail_owner = task
        if self.battery_j is not None:
            self.changed()

    def _advance(self, now: float) -> None:
        """Charge the flows in progress for the time since the last change."""
        dt = now - self.last
        self.last = now
        if dt <= 0.0:
            return
        sending, receiving = self.sending, self.receiving
        if sending:
            self.tx_on_s += dt
            if len(sending) == 1:  # the common case: one flow has the radio to itself
                task = sending[0]
                if task is not None and task.source == self.node:  # _charge, inline
                    joules = self.tx_w * dt
                    task.energy += joules
                    if task.row >= 0:
                        self._records.add("device_energy", task.row, joules)
                elif task is not None:
                    self.charge_other(task, self.tx_w * dt)
            else:
                self._share(sending, self.tx_w * dt)
        if receiving:
            self.rx_on_s += dt
            if len(receiving) == 1:
                task = receiving[0]
                if task is not None and task.source == self.node:
                    joules = self.rx_w * dt
                    task.energy += joules
                    if task.row >= 0:
                        self._records.add("device_energy", task.row, joules)
                elif task is not None:
                    self.charge_other(task, self.rx_w * dt)
            else:
                self._share(receiving, self.rx_w * dt)

    def _share(self, flows: list[Task | None], joules: float) -> None:
        share = joules / len(flows)
        for task in flows:
            if task is not None:
                self._charge(task, share)

    def _charge(self, task: Task, joules: float) -> None:
        """Add energy to a task, and to its record if it has ended (a radio tail after it).

        Its ``device_energy`` where this is its source device, else its ``other_device_energy``.
        """
        if task.source != self.node:
            self.charge_other(task, joules)
            return
        task.energy += joules
        row = task.row
        if row >= 0:
            self._records.add("device_energy", row, joules)

    def charge_other(self, task: Task, joules: float) -> None:
        """Charge ``joules`` this node spent above idle on another source's ``task`` (a stage, a flow).

        They are the task's ``other_device_energy`` (not its source device's
        ``device_energy``) and this node's ``energy_for_others_j``, so that a
        node's energy less idle (and down) is its own tasks' device energy
        plus what it spent for others.
        """
        self.others_j += joules
        task.other_energy += joules
        row = task.row
        if row >= 0:
            self._records.add("other_device_energy", row, joules)

    def _tail_s(self, now: float) -> float:
        """Tail time run so far of the current tail (0 without one).

        :meth:`DeviceEnergy.tail_run_s`, inline: a call into the pure
        module from the compiled meter would cost one at every tail's end
        (``tests/engine/test_energy_rule_agrees.py`` holds the two equal).
        """
        if self.tail_from < 0.0:
            return 0.0
        return min(self.marginal.tail_s, now - self.tail_from)

    def _end_tail(self, now: float) -> None:
        """Close the current tail at ``now`` (or at its natural end, if sooner) and charge it."""
        spent = self._tail_s(now)
        self.tail_on_s += spent
        if self.tail_owner is not None and spent > 0.0:
            self._charge(self.tail_owner, self.marginal.tail_w * spent)
        self.tail_from = -1.0
        self.tail_owner = None

    # -- totals ---------------------------------------------------------------------
    def energy_j(self) -> float:
        """Joules drawn from the start of the run until now (or until the battery ran flat)."""
        if self.drained_at is not None:
            return self.frozen_j
        now: float = self.env.now
        if self.pending:
            self._catch_up(now)
        m = self.marginal
        busy = 0.0
        for proc, core_w in zip(self.processors, self.core_w, strict=True):
            busy += proc.busy_core_seconds() * core_w
        since = now - self.last
        tx = self.tx_on_s + (since if self.sending else 0.0)
        rx = self.rx_on_s + (since if self.receiving else 0.0)
        tail = self.tail_on_s + self._tail_s(now)
        floor = self.idle_w * now + self.down_j
        if self.down_from >= 0.0:  # down now: its draw, not idle, since it went down
            floor += (self.down_w - self.idle_w) * (now - self.down_from)
        return floor + busy + m.transmit_w * tx + m.receive_w * rx + m.tail_w * tail + self.bits_j

    def power_w(self) -> float:
        """The draw right now."""
        if self.drained_at is not None:
            return 0.0
        if self.pending:
            self._catch_up(self.env.now)
        m = self.marginal
        watts = self.idle_w if self.down_from < 0.0 else self.down_w
        for proc, core_w in zip(self.processors, self.core_w, strict=True):
            watts += proc.busy * core_w
        if self.sending or (self.tail_from >= 0.0 and self._tail_s(self.env.now) < m.tail_s):
            watts += m.transmit_w
        if self.receiving:
            watts += m.receive_w
        return watts

    def settle(self) -> None:
        """Charge the flows in progress up to now and end a tail in progress (the run's end, say)."""
        if self.drained_at is not None:
            return
        now: float = self.env.now
        if self.pending:
            self._catch_up(now)
        self._advance(now)
        if self.tail_from >= 0.0:
            self._end_tail(now)

    # -- down and up ----------------------------------------------------------------
    def went_down(self) -> None:
        """The node went down now (a failure, a ``node-schedule`` step): it draws ``down`` until it is up.

        Called as the kernel takes the node down, after the transfers it cut have
        stopped here.  A device that is down has no radio on: the flows whose
        last byte had left their sender but were still arriving here (a route
        latency behind it) stop being received now, and those due later never
        start to (their deliveries, later, are not heard); a tail in progress
        ends now, the rest of it nobody's.  A flat battery's going down changes nothing.
        """
        if self.drained_at is not None or self.down_from >= 0.0:
            return
        now: float = self.env.now
        if self.pending:
            self._catch_up(now)
        self.fresh.clear()  # those still under way are cut now, as the older ones were
        if self.receiving:
            self._advance(now)  # charged up to now, not a moment longer
            self.deaf.extend((None, task) for task in self.receiving)
            self.receiving.clear()
        if self.pending:
            self.deaf.extend((key, task) for _, key, task in self.pending)
            self.pending.clear()
        if self.tail_from >= 0.0:
            self._end_tail(now)
        self.down_from = now
        if self.battery_j is not None:
            self.changed()

    def came_up(self) -> None:
        """The node is up again now: idle is its floor again."""
        if self.drained_at is not None or self.down_from < 0.0:
            return
        now: float = self.env.now
        self.down_j += (self.down_w - self.idle_w) * (now - self.down_from)
        self.down_from = -1.0
        if self.battery_j is not None:
            self.changed()

    # -- the battery ----------------------------------------------------------------
    def changed(self) -> None:
        """The draw may have changed: see whether the battery is flat now, else when it will be."""
        capacity = self.battery_j
        if capacity is None or self.drained_at is not None:
            return
        left = capacity - self.energy_j()
        # Relative below 1 J: a battery of a nanojoule or less was flat at 0 s, having drawn nothing.
        if left <= _EPS_J * min(capacity, 1.0):
            self._drain()
            return
        watts = self.power_w()
        until = float("inf") if watts <= 0.0 else left / watts
        now: float = self.env.now
        tail_left = self.marginal.tail_s - self._tail_s(now)
        # The draw drops when the tail ends: look again then (unless it ends within the clock's
        # resolution, where looking again would find the clock where it is, for ever).
        if self.tail_from >= 0.0 and now + tail_left > now:
            until = min(until, tail_left)
        if self.pending and self.pending[0][0] > now:  # the draw rises as the next reception starts
            until = min(until, self.pending[0][0] - now)
        if until == float("inf"):
            return
        if now + until == now:  # the last joules go within the clock's resolution: flat now
            self._drain()
            return
        self._version += 1
        event = self.env.timeout(max(until, 0.0), self._version)
        event.callbacks.append(self._check)

    def _check(self, event: Any) -> None:
        if event.value == self._version:
            self.changed()

    def _drain(self) -> None:
        """The battery is flat now: stop drawing, close the books, tell the simulation."""
        self.settle()
        assert self.battery_j is not None
        self.frozen_j = min(self.energy_j(), self.battery_j)
        self.drained_at = self.env.now
        self.sending.clear()
        self.receiving.clear()
        self.pending.clear()
        for processor in self.processors:
            processor.watch = None
        self._on_drained(self)


# -- a transfer's powered ends ---------------------------------------------------------
# The kernel calls a device's own end directly (a step's ``meter``); these walk every end of a
# transfer, for the rest (both ends powered, an end not charged to the task, an LLM's flows).


def radios_on(radios: tuple[Radio, ...], task: Task, key: Any, arrival: float) -> None:
    """``task``'s transfer starts now: its sending end transmits from now, its receiving end from ``arrival``.

    ``arrival`` is now plus the route's latency; ``key`` names the flow
    among those in flight to the receiving end (see :meth:`NodeMeter.expect`).
    """
    for meter, sending, _ in radios:
        if sending:
            meter.flow_started(True, task)
        else:
            meter.expect(arrival, key, task)


def radios_sent(radios: tuple[Radio, ...], task: Task, size: float = 0.0) -> None:
    """The transfer's last byte (of ``size``) left now: its sending end falls silent."""
    for meter, sending, _ in radios:
        if sending:
            meter.flow_sent(True, task, None, size)


def radios_received(radios: tuple[Radio, ...], task: Task, key: Any, size: float = 0.0) -> None:
    """The transfer (``size`` bytes) was delivered now: its receiving end falls silent."""
    for meter, sending, _ in radios:
        if not sending:
            meter.received(key, task, size)


def radios_aborted(radios: tuple[Radio, ...], task: Task, key: Any) -> None:
    """The transfer was aborted now (its bytes were still leaving): both ends fall silent."""
    for meter, sending, _ in radios:
        if sending:
            meter.flow_sent(True, task)
        else:
            meter.reception_aborted(key, task)
