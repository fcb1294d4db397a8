"""Tasks and compiled plans: the per-request state the engine carries through its stages.

A policy's :class:`~offloadsim.policies.base.Plan` is compiled once per
(plan, source, application) into a tuple of steps — compute on a processor,
or transfer the tensor at a cut over a route — so executing a task is a walk
down a tuple, not a re-interpretation of the plan.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from offloadsim.engine.processor_models import ProcessorLike as Processor

__all__ = ["TASK_FIELDS", "Task", "ComputeStep", "TransferStep", "CompiledPlan"]

# Final (here and UNPLANNED below): read at every task, which a build compiled by mypyc does from C statics.
NAN: Final = float("nan")
NO_NODES: Final[frozenset[str]] = frozenset()
REJECTED = "rejected by the policy"


# Task's attributes: its slots, and what again() copies.
_FIELDS = (
    "alive",
    "app",
    "arrival",
    "avoid",
    "bytes_sent",
    "compute_energy",
    "compute_time",
    "cut_bytes",
    "deadline",
    "energy",
    "extra",
    "flops",
    "id",
    "layers",
    "llm",
    "on_done",
    "other_energy",
    "plan",
    "previous",
    "retries",
    "row",
    "service",
    "source",
    "start",
    "step",
    "t0",
    "tpot",
    "transfer_time",
    "ttft",
    "wait",
)
#: The same names for code outside the class: a build compiled by mypyc has no ``Task.__slots__``.
TASK_FIELDS: Final = _FIELDS


class Task:
    """One request in flight.  Policies read it through the TaskView protocol."""

    __slots__ = _FIELDS

    def __init__(
        self,
        task_id: int,
        app: str,
        source: str,
        arrival: float,
        deadline: float,
        flops: Sequence[float],
        cut_bytes: Sequence[float],
        service: list[float] | None,
    ):
        self.id = task_id
        self.app = app
        self.source = source
        self.arrival = arrival
        self.deadline = deadline
        self.layers = len(flops)
        self.flops: Sequence[float] = flops
        self.cut_bytes: Sequence[float] = cut_bytes
        self.service = service
        self.plan: CompiledPlan = UNPLANNED
        self.step = 0
        self.start = NAN
        self.wait = 0.0
        self.compute_time = 0.0
        self.transfer_time = 0.0
        self.bytes_sent = 0.0
        self.energy = 0.0
        # Of ``energy``, what its source device's processors drew (its record's device_compute_energy):
        # the rest is its radio's (sending, receiving, the tail, the bits).
        self.compute_energy = 0.0
        # Energy above idle that other powered nodes spent on it (its record's other_device_energy).
        self.other_energy = 0.0
        self.t0 = 0.0
        self.on_done: Callable[[Task], None] | None = None
        self.llm: tuple[int, int] | None = None  # (prompt tokens, output tokens)
        # What its kind of work adds to its record: () -> (prompt tokens, output tokens, KV bytes).
        self.extra: Callable[[Task], tuple[float, float, float]] | None = None
        self.ttft = NAN
        self.tpot = NAN
        self.alive = True  # False once failed: its pending events are ignored
        self.row = -1  # its row in the records once recorded (energy may still be charged to it)
        self.retries = 0  # attempts after its first (engine/recovery.py)
        self.avoid: frozenset[str] = NO_NODES  # nodes that failed it (a fallback avoids them)
        # The attempt this one replaced (engine/recovery.py): the energy charged to it, before and
        # after it was given up (a flow or stage of it that runs on), is the task's too.
        self.previous: Task | None = None

    def again(self) -> Task:
        """A new attempt of this task: the same request and what it has spent so far, not yet planned.

        Its energy starts at 0 and links back to this attempt (``previous``): the record adds up
        the energy of every attempt, whenever it was charged.

        This one is marked dead, so its pending events (a stage or a flow
        still under way) are ignored; the attempt is a new object they do
        not refer to.
        """
        # Made by __init__, not Task.__new__ (a class compiled by mypyc runs __init__ from __new__),
        # then every attribute copied over what __init__ set.
        attempt = Task(
            self.id,
            self.app,
            self.source,
            self.arrival,
            self.deadline,
            self.flops,
            self.cut_bytes,
            self.service,
        )
        for name in _FIELDS:
            setattr(attempt, name, getattr(self, name))
        self.alive = False
        attempt.plan = UNPLANNED
        attempt.step = 0
        attempt.alive = True
        attempt.retries = self.retries + 1
        # Energy stays on each attempt, summed when the task is recorded: the meters charge a flow's
        # radio lazily, and an abandoned attempt's flow or stage runs on, so this one is charged more
        # after it is replaced.
        attempt.energy = 0.0
        attempt.compute_energy = 0.0
        attempt.other_energy = 0.0
        attempt.previous = self
        attempt.ttft = attempt.tpot = NAN  # an LLM request streams its tokens again
        return attempt


# eq=False (the steps and CompiledPlan): compiled once per plan and compared by identity; the value
# __eq__ and __hash__ dataclass would write were never called and cost start-up to make (issue 12 e).
@dataclass(frozen=True, slots=True, eq=False)
class ComputeStep:
    """Run layers ``[start, stop)`` on ``processor``.

    ``service_s`` is the fixed service time when it does not depend on the
    task (zoo models), else negative and computed per task.  ``power_w`` is
    what the source device draws above idle per busy core when the step
    runs on it, else 0; ``other_w`` the same for a powered node that is not
    the source (its meter, ``other``, charges that to the task's
    ``other_energy`` and to what the node spent for others), else 0.
    ``noise_sigma`` spreads the service time (a processor with ``noise``).
    ``price`` prices the stage per task when its time is not fixed.
    """

    processor: Processor
    start: int
    stop: int
    service_s: float
    power_w: float
    noise_sigma: float = 0.0  # lognormal sigma of the service time; 0: deterministic
    price: Callable[[Task, int, int], float] | None = None  # (task, start, stop) -> seconds on processor
    other_w: float = 0.0
    other: Any = None  # energy.NodeMeter (Any: see TransferStep.radios) where other_w > 0


@dataclass(frozen=True, slots=True, eq=False)
class TransferStep:
    """Send the tensor at cut ``cut`` from ``source`` to ``target`` over ``channels``.

    ``radios`` are the energy meters of the powered endpoints, as
    ``(meter, sending, charge_the_task)``: the radio time of the bytes (not
    the propagation) is metered there, and charged to the task at its
    source device.  The kernel tells the sending end's meter as the bytes
    start to leave and when the last one left, and the receiving end's
    when they will start to arrive (a route latency later) and at the
    delivery.  ``meter`` and ``sending``: the one
    powered end when it is the only one and charged to the task (a device's
    own upload or download, the common case), called without walking
    ``radios``; else None.
    """

    source: str
    target: str
    channels: tuple[int, ...]
    latency_s: float
    cut: int
    # energy.Radio and energy.NodeMeter, as Any: energy reads Task, so naming them here would make a cycle;
    # the kernel reads them into typed locals, which a build compiled by mypyc checks once and calls natively.
    radios: tuple[Any, ...] = ()
    size_bytes: float = -1.0  # fixed size (reordered plans); negative: the task's cut_bytes[cut]
    meter: Any = None  # radios' one end when it is the only one and charges the task
    sending: bool = False  # whether that end sends
    codec: str = ""  # the activation codec that shrank the tensor (``int8``); "" where none did
    raw_bytes: float = -1.0  # its size before that codec; negative where none shrank it


@dataclass(frozen=True, slots=True, eq=False)
class CompiledPlan:
    """A plan turned into steps for one (source, application).

    Its record fields (placement, split, whether the raw input left the
    device) live in the run's RecordLog under ``code``.
    """

    steps: tuple[Any, ...]
    drop: bool = False
    segments: tuple[tuple[str, int, int], ...] = ()
    code: int = 0
    reason: str = ""  # why a dropping plan drops (the record's ``reason``)
    stations: tuple[Processor | None, ...] = ()  # the processor of each segment (None: empty segment)
    decided: Any = None  # the policy's Plan it was compiled from (a retry runs it again)
    routes: int = 0  # the topology's routes_version its transfer steps were routed on


# The plan of a task the policy has not yet answered for.
UNPLANNED: Final = CompiledPlan(())
