"""A node going down and up within one route latency, against the receptions in flight: by hand.

One meter (idle 0.5 W, receive 1 W: 0.5 W above idle, no tail, down 0.1 W) is told, at set
times, what the kernel tells it: a flow's first byte due (``expect``), its delivery (``received``),
its abort, the node going down and up.  A flow is either a server's (nobody's task here: only the
node's energy says what it received) or charged to a task of the node's own.  The rule: a
reception ends at its own delivery, or when the node goes down (the rest of it, and its
delivery, unheard), or at its abort; one opened after the node came back up is the node's in full,
whatever the cut ones' deliveries do meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from offloadsim.engine.energy import NodeMeter
from offloadsim.engine.environment import RunEnvironment
from offloadsim.engine.records import RecordLog
from offloadsim.engine.tasks import Task
from offloadsim.scenario.model import PowerSpec

IDLE_W, RX_W, DOWN_W, END_S = 0.5, 0.5, 0.1, 5.0  # RX_W: receive less idle


def _task(task_id: int) -> Task:
    """A task with no energy yet and no record row (a meter compiled by mypyc takes only Tasks)."""
    return Task(task_id, "app", "node", 0.0, float("inf"), [1.0], [0.0, 0.0], None)


class Flows:
    """The meter and the flows of one script: each flow's key, and its task if ``charged``."""

    def __init__(self, charged: bool, battery_j: float | None = None):
        self.env = RunEnvironment()
        power = PowerSpec(
            idle_w=0.5, busy_w=0.5, receive_w=1.0, tail_s=0.0, down_w=DOWN_W, battery_j=battery_j
        )
        self.meter = NodeMeter(self.env, "node", power, (), RecordLog(), lambda meter: None)
        self.charged = charged
        self.tasks: dict[str, Task] = {}
        self.keys: dict[str, Any] = {}

    def _flow(self, name: str) -> tuple[Any, Task | None]:
        if name not in self.keys:
            self.tasks[name] = task = _task(len(self.keys))
            self.keys[name] = task if self.charged else object()  # the kernel keys its own flows by task
        return self.keys[name], self.tasks[name] if self.charged else None

    def at(self, t: float, what: str, name: str = "", first_byte: float = 0.0) -> None:
        """At ``t``: ``expect`` (the flow ``name``'s first byte due at ``first_byte``), ``received``,
        ``aborted``, ``down`` or ``up``."""
        meter = self.meter
        calls: dict[str, Callable[[], None]] = {
            "expect": lambda: meter.expect(first_byte, *self._flow(name)),
            "received": lambda: meter.received(*self._flow(name)),
            "aborted": lambda: meter.reception_aborted(*self._flow(name)),
            "down": meter.went_down,
            "up": meter.came_up,
        }
        self.env.call_in(t - self.env.now, lambda _: calls[what](), None)

    def run(self) -> float:
        """Run to the end; the node's energy then (its books must be clear of the flows by then)."""
        self.env.run(until=END_S)
        self.meter.settle()
        assert not self.meter.receiving and not self.meter.pending
        assert not self.meter.deaf and not self.meter.fresh
        return self.meter.energy_j()

    def charged_j(self, name: str) -> float:
        return self.tasks[name].energy


def _energy(down_s: float, received_s: float) -> float:
    return IDLE_W * END_S + (DOWN_W - IDLE_W) * down_s + RX_W * received_s


def _cut_then_up(flows: Flows) -> None:
    """Flow "old" arrives from 1 s; the node is down from 1.5 s to 1.6 s (old received 0.5 s, its
    delivery unheard); "new" is expected after the up, its first byte due at 1.7 s."""
    flows.at(0.5, "expect", "old", first_byte=1.0)
    flows.at(1.5, "down")
    flows.at(1.6, "up")
    flows.at(1.65, "expect", "new", first_byte=1.7)


@pytest.mark.parametrize("charged", [False, True], ids=["server", "own"])
@pytest.mark.parametrize(
    ("new_delivered", "old_delivered"),
    [
        (1.8, 2.0),  # new delivered first: before, a server's new reception ran on to old's delivery
        (2.1, 2.0),  # old's unheard delivery comes first (right before too)
    ],
)
def test_a_reception_opened_after_the_up_ends_at_its_own_delivery(charged, new_delivered, old_delivered):
    flows = Flows(charged)
    _cut_then_up(flows)
    flows.at(min(new_delivered, old_delivered), "received", "new" if new_delivered < old_delivered else "old")
    flows.at(max(new_delivered, old_delivered), "received", "old" if new_delivered < old_delivered else "new")
    new_s = new_delivered - 1.7
    assert flows.run() == pytest.approx(_energy(0.1, 0.5 + new_s), rel=1e-12)
    if charged:
        assert flows.charged_j("old") == pytest.approx(RX_W * 0.5, rel=1e-12)
        assert flows.charged_j("new") == pytest.approx(RX_W * new_s, rel=1e-12)


@pytest.mark.parametrize("charged", [False, True], ids=["server", "own"])
@pytest.mark.parametrize(
    ("aborted", "new_s"),
    [
        (1.75, 0.05),  # after its first byte: received 1.7 s to 1.75 s (before, a server's ran to 2 s)
        (1.68, 0.0),  # before its first byte: never received (before, a server's was, 1.7 s to 2 s)
    ],
)
def test_a_reception_opened_after_the_up_ends_at_its_own_abort(charged, aborted, new_s):
    flows = Flows(charged)
    _cut_then_up(flows)
    flows.at(aborted, "aborted", "new")  # a link down under it
    flows.at(2.0, "received", "old")
    assert flows.run() == pytest.approx(_energy(0.1, 0.5 + new_s), rel=1e-12)
    if charged:
        assert flows.charged_j("new") == pytest.approx(RX_W * new_s, rel=1e-12)


@pytest.mark.parametrize("charged", [False, True], ids=["server", "own"])
def test_down_before_the_first_byte_and_up_before_it_was_due(charged):
    """Flow "old"'s first byte is due at 1 s; the node is down from 0.8 s to 0.9 s: old is never received,
    though the node is up when its bytes come; "new", expected after the up and due with it at 1 s,
    is received 1 s to 1.2 s, old's delivery at 1.3 s ending nothing (right before too)."""
    flows = Flows(charged)
    flows.at(0.5, "expect", "old", first_byte=1.0)
    flows.at(0.8, "down")
    flows.at(0.9, "up")
    flows.at(0.95, "expect", "new", first_byte=1.0)
    flows.at(1.2, "received", "new")
    flows.at(1.3, "received", "old")
    assert flows.run() == pytest.approx(_energy(0.1, 0.2), rel=1e-12)
    if charged:
        assert flows.charged_j("old") == 0.0


def _two_downs(flows: Flows, second_due: float) -> None:
    """Flow "first" arrives from 1 s; the node is down 1.5 s to 1.6 s and 1.75 s to 1.8 s (0.15 s in
    all); "second", expected after the first up, is due at ``second_due``; "third", expected after
    the second up, from 1.9 s."""
    flows.at(0.5, "expect", "first", first_byte=1.0)
    flows.at(1.5, "down")
    flows.at(1.6, "up")
    flows.at(1.65, "expect", "second", first_byte=second_due)
    flows.at(1.75, "down")
    flows.at(1.8, "up")
    flows.at(1.85, "expect", "third", first_byte=1.9)


@pytest.mark.parametrize("charged", [False, True], ids=["server", "own"])
@pytest.mark.parametrize("order", ["third second first", "second third first", "first second third"])
def test_two_downs_within_one_latency(charged, order):
    """The flow "first" arrives from 1 s, cut by the down 1.5 s to 1.6 s; "second" arrives from 1.7 s,
    cut by the down 1.75 s to 1.8 s (0.15 s down in all); "third" arrives from 1.9 s.  Their
    deliveries come at 2 s, 2.1 s and 2.2 s in ``order``: third is received to its own (before, a
    server's ran on to the last one's, unless it was last)."""
    flows = Flows(charged)
    _two_downs(flows, second_due=1.7)
    names = order.split()
    for t, name in zip((2.0, 2.1, 2.2), names, strict=True):
        flows.at(t, "received", name)
    third_s = (2.0, 2.1, 2.2)[names.index("third")] - 1.9
    assert flows.run() == pytest.approx(_energy(0.15, 0.5 + 0.05 + third_s), rel=1e-12)
    if charged:
        got = [flows.charged_j(name) for name in ("first", "second", "third")]
        assert got == pytest.approx([RX_W * 0.5, RX_W * 0.05, RX_W * third_s], rel=1e-12)


@pytest.mark.parametrize("charged", [False, True], ids=["server", "own"])
def test_a_second_down_before_the_first_byte_of_a_reception_opened_after_the_first_up(charged):
    """Flow "second", expected after the first up, is due at 1.78 s; the second down (1.75 s to 1.8 s)
    comes first: never received; "third", received from 1.9 s, ends at its own delivery at 2 s
    (before, a server's ran on to first's at 2.1 s)."""
    flows = Flows(charged)
    _two_downs(flows, second_due=1.78)
    flows.at(2.0, "received", "third")
    flows.at(2.1, "received", "first")
    flows.at(2.2, "received", "second")
    assert flows.run() == pytest.approx(_energy(0.15, 0.5 + 0.1), rel=1e-12)


@pytest.mark.parametrize("charged", [False, True], ids=["server", "own"])
def test_a_cut_reception_aborted_while_the_node_is_down(charged):
    """Flow "old", cut by the down at 1.5 s, is aborted at 1.55 s, while the node is down (a link down
    under it): nothing more; "new", after the up, is received 1.7 s to 1.8 s in full."""
    flows = Flows(charged)
    _cut_then_up(flows)
    flows.at(1.55, "aborted", "old")
    flows.at(1.8, "received", "new")
    assert flows.run() == pytest.approx(_energy(0.1, 0.5 + 0.1), rel=1e-12)


@pytest.mark.parametrize("charged", [False, True], ids=["server", "own"])
def test_a_battery_flat_during_a_reception_opened_after_the_up(charged):
    """Flow "new" is received 1.7 s to 1.8 s, "newer" from 1.95 s; old's unheard delivery is at 2 s.  By
    2.1 s the node drew 0.5 W × 2.1 s, less 0.4 W × 0.1 s down, plus 0.5 W above idle over old's
    0.5 s, new's 0.1 s and newer's 0.15 s: 1.385 J, its capacity: flat at 2.1 s, newer's delivery
    at 2.3 s changes nothing.  Before, a server's "new" ran on to 2 s, and the battery was flat
    at 2.025 s."""
    flows = Flows(charged, battery_j=1.385)
    _cut_then_up(flows)
    flows.at(1.8, "received", "new")
    flows.at(1.9, "expect", "newer", first_byte=1.95)
    flows.at(2.0, "received", "old")
    flows.at(2.3, "received", "newer")
    flows.env.run(until=END_S)
    meter = flows.meter
    assert meter.drained_at == pytest.approx(2.1, rel=1e-12)
    assert meter.energy_j() == pytest.approx(1.385, rel=1e-12)
    if charged:
        got = [flows.charged_j(name) for name in ("old", "new", "newer")]
        assert got == pytest.approx([RX_W * 0.5, RX_W * 0.1, RX_W * 0.15], rel=1e-12)
