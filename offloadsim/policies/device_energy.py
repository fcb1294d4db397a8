"""The device-energy rule: what a powered device is charged above idle, read by the engine and the policies.

One place for the rule, so that what the engine's meters charge
(:mod:`offloadsim.engine.energy`) and what the policies' estimates price
(:mod:`offloadsim.policies.costs`, :mod:`offloadsim.policies.splitting`,
the ``dads`` min-cut) cannot drift apart.  A task is charged, above the
node's idle draw (the idle floor stays the node's):

* **states** (:class:`DeviceEnergy`): ``busy - idle`` per busy core while
  it computes (shared by the cores of the processors without their own busy
  power; one with its own is charged that per core: :func:`processor_busy_w`),
  ``transmit - idle`` while its bytes leave, ``receive - idle`` while they
  arrive, ``tail_w`` during the radio tail;
* **bits** (:meth:`DeviceEnergy.bits_j`): ``transmit_j_per_bit`` per bit
  sent and ``receive_j_per_bit`` per bit received, on top of the states: a
  radio whose draw grows linearly with its throughput (``P = α r + β``)
  draws ``β t + α B`` over a transfer of ``B`` bits lasting ``t``, whatever
  its rate did meanwhile (max-min sharing changes it), so ``α`` per bit is
  exact with no rate tracked.  Each flow's bits are its own task's (not
  shared); the tail moves no bits;
* **sharing**: flows that overlap on one radio share its draw equally (a
  task priced alone on its device owns every share: its radio draws once,
  however many of its flows overlap);
* **reception** (:func:`received_during`, :func:`heard_after_s`): a flow sent during ``[s, e]``
  over a route of propagation latency ``L`` is received during
  ``[s + L, e + L]``; the latency itself is radio time at neither end;
* **tail** (:meth:`DeviceEnergy.tail_run_s`): when the radio falls silent
  it stays at ``tail_w`` for up to ``tail_s``, cut short by its next
  activity (a flow leaving, or the first byte of one arriving).

:func:`radio_energy_j` charges a set of intervals in one pass (the
estimates); the meters apply the same rule event by event, with the
arithmetic inline on their hot path (``tests/engine/test_energy_rule_agrees.py``
replays random interval sets through both and holds them equal).  A
different radio (another tail rule, a transport's set-up round trips) is a
change here, and to the meter's inline arithmetic that test then points at.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["DeviceEnergy", "heard_after_s", "processor_busy_w", "radio_energy_j", "received_during"]


@dataclass(frozen=True, slots=True)
class DeviceEnergy:
    """A device's watts above idle by state, and its radio's tail (see the module docstring).

    ``busy_w`` is per busy core (``(busy - idle) / cores``); ``tail_w`` is
    what the radio draws above idle during its tail, for up to ``tail_s``;
    ``transmit_j_per_bit`` and ``receive_j_per_bit`` are the joules of each
    bit sent and received on top of those (:meth:`bits_j`).

    >>> from types import SimpleNamespace
    >>> DeviceEnergy.of(SimpleNamespace(idle_w=0.5, busy_w=3.0, transmit_w=1.3, receive_w=1.0, tail_s=0.2))
    ... # doctest: +NORMALIZE_WHITESPACE
    DeviceEnergy(busy_w=2.5, transmit_w=0.8, receive_w=0.5, tail_w=0.8, tail_s=0.2,
                 transmit_j_per_bit=0.0, receive_j_per_bit=0.0)
    """

    busy_w: float
    transmit_w: float
    receive_w: float
    tail_w: float = 0.0
    tail_s: float = 0.0
    transmit_j_per_bit: float = 0.0
    receive_j_per_bit: float = 0.0

    @classmethod
    def of(cls, power: Any, cores: int = 1) -> DeviceEnergy:
        """From a node's power by state; a :class:`DeviceEnergy` is returned as it is.

        ``power`` has ``busy_w``, ``transmit_w`` and ``receive_w``; ``idle_w``,
        ``tail_s``, ``transmit_j_per_bit`` and ``receive_j_per_bit`` default
        to 0.  The tail draws what transmitting does at no throughput (its base).
        """
        if isinstance(power, DeviceEnergy):
            return power
        idle = float(getattr(power, "idle_w", 0.0))
        transmit = float(power.transmit_w) - idle
        return cls(
            (float(power.busy_w) - idle) / max(1, cores),
            transmit,
            float(power.receive_w) - idle,
            transmit,
            float(getattr(power, "tail_s", 0.0)),
            float(getattr(power, "transmit_j_per_bit", 0.0)),
            float(getattr(power, "receive_j_per_bit", 0.0)),
        )

    def bits_j(self, sent_bytes: float, received_bytes: float) -> float:
        """Joules of the bits a task moves on top of the radio's states: ``α`` per bit each way.

        >>> DeviceEnergy(0.0, 1.0, 0.5, transmit_j_per_bit=438e-9).bits_j(1e6, 0.0)  # 8 Mbit up
        3.504
        """
        return 8.0 * (self.transmit_j_per_bit * sent_bytes + self.receive_j_per_bit * received_bytes)

    def compute_j(self, busy_s: float) -> float:
        """Joules of ``busy_s`` core-seconds of compute (inf: a stage that never ends)."""
        return _joules(self.busy_w, busy_s)

    def tail_run_s(self, silence_s: float) -> float:
        """Seconds of tail in a silence of ``silence_s`` before the radio's next activity (inf: none).

        >>> e = DeviceEnergy(busy_w=2.0, transmit_w=1.0, receive_w=0.5, tail_w=1.0, tail_s=0.2)
        >>> e.tail_run_s(0.05), e.tail_run_s(math.inf)  # cut short; nothing cuts it
        (0.05, 0.2)
        """
        return min(self.tail_s, silence_s)

    def request_tail_j(self, gap_s: float) -> float:
        """Tail joules of an offloaded request: upload, ``gap_s`` of silence, then the reply (and silence).

        The tail after the upload is cut short by the reply's first byte
        arriving; the one after the reply runs whole.

        >>> DeviceEnergy(2.0, 1.0, 0.5, 1.0, 0.2).request_tail_j(0.05)  # 0.05 + 0.2
        0.25
        """
        if self.tail_s <= 0.0:
            return 0.0
        return _joules(self.tail_w, self.tail_run_s(gap_s) + self.tail_s)

    def request_tail_lines(self) -> tuple[tuple[float, float], ...]:
        """``(w, c)`` pairs whose ``min(w × gap + c)`` is :meth:`request_tail_j` (empty: no tail).

        The optimisers' shortest paths price a plan as a sum over its steps;
        the tail is not one (the ``min`` of :meth:`tail_run_s`), but the
        minimum over these lines of ``w × gap + c`` is, line by line, and
        ``min`` commutes with minimising over plans (see
        :func:`~offloadsim.policies.splitting.best_station_cuts`).

        >>> DeviceEnergy(2.0, 1.0, 0.5, 1.0, 0.2).request_tail_lines()  # 1.0 gap + 0.2, or 0.4
        ((1.0, 0.2), (0.0, 0.4))
        """
        if self.tail_s <= 0.0 or self.tail_w == 0.0:
            return ()
        tail = self.tail_w * self.tail_s
        return ((self.tail_w, tail), (0.0, 2.0 * tail))


def processor_busy_w(power: Any, processors: Sequence[tuple[int, float | None]]) -> tuple[float, ...]:
    """Watts above idle per busy core of each of a node's processors, given as ``(cores, own busy)``.

    A processor with its own busy power (``processors.NAME.busy``: its draw above
    the node's idle with all its cores busy, an NPU's say) is charged that over its
    own cores; the others share the node's ``busy - idle`` over their cores (the
    node's ``busy`` is the draw with every one of those cores busy).  So an NPU's
    energy per stage does not depend on how many CPU cores sit beside it once it
    has its own power; without one, it shares the node's busy power with them.

    >>> from types import SimpleNamespace
    >>> power = SimpleNamespace(idle_w=0.5, busy_w=3.0, transmit_w=1.3, receive_w=1.0)
    >>> processor_busy_w(power, [(4, None), (1, 2.0)])  # 2.5 W over 4 CPU cores; the NPU's own 2 W
    (0.625, 2.0)
    >>> processor_busy_w(power, [(4, None), (1, None)])  # no own power: 2.5 W over all 5 cores
    (0.5, 0.5)
    """
    shared = DeviceEnergy.of(power, sum(cores for cores, own in processors if own is None) or 1).busy_w
    return tuple(shared if own is None else own / max(1, cores) for cores, own in processors)


def heard_after_s(latency_s: float) -> float:
    """Seconds from a byte leaving to the receiving radio hearing it, over a route of ``latency_s``."""
    return latency_s


def received_during(start_s: float, end_s: float, latency_s: float) -> tuple[float, float]:
    """When the receiving end's radio hears a flow sent during ``[start_s, end_s]`` over ``latency_s``.

    >>> received_during(1.0, 1.5, 0.25)
    (1.25, 1.75)
    """
    delay = heard_after_s(latency_s)
    return start_s + delay, end_s + delay


def radio_energy_j(intervals: Sequence[tuple[float, float, bool]], energy: DeviceEnergy) -> float:
    """Joules above idle that a task's own radio activity on its device costs it.

    ``intervals`` are ``(start, end, sending)``, at the device (bytes
    arriving: see :func:`received_during`): while bytes leave (or arrive)
    the radio draws ``transmit_w`` (``receive_w``), once however many of the
    task's flows overlap; each time it falls silent it stays at ``tail_w``
    for :meth:`~DeviceEnergy.tail_run_s` of the silence.  As the engine's
    meter charges a task alone on its device.

    >>> e = DeviceEnergy(busy_w=2.0, transmit_w=1.0, receive_w=0.5, tail_w=1.0, tail_s=0.2)
    >>> radio_energy_j([(0.0, 1.0, True), (1.1, 1.5, False)], e)  # 1 + 0.2 + 0.1 (cut short) + 0.2
    1.5
    """
    tx = rx = tail = 0.0
    silent_from = -math.inf  # when the radio last fell silent (-inf: no activity yet)
    tx_until = rx_until = -math.inf
    for start, end, sending in sorted(intervals):
        if start > silent_from > -math.inf:  # a silence between two activities: a tail, perhaps cut short
            tail += energy.tail_run_s(start - silent_from)
        if sending:
            tx += max(0.0, end - max(start, tx_until))
            tx_until = max(tx_until, end)
        else:
            rx += max(0.0, end - max(start, rx_until))
            rx_until = max(rx_until, end)
        silent_from = max(silent_from, end)
    if silent_from > -math.inf:
        tail += energy.tail_run_s(math.inf)
    return _joules(energy.transmit_w, tx) + _joules(energy.receive_w, rx) + _joules(energy.tail_w, tail)


def _joules(watts: float, seconds: float) -> float:
    """``watts × seconds``, keeping "never ends" (inf) infinite even when nothing is drawn."""
    return math.inf if math.isinf(seconds) else watts * seconds
