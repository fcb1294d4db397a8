"""The resolved scenario: frozen dataclasses in SI units, ready for the world.

The loader turns a YAML file into these; nothing downstream ever sees a unit
string, a glob pattern or a ``count``.  Field names carry their unit
(``_s``, ``_bps``, ``_bytes``, ``_flops``, ``_w``) where it helps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from offloadsim.scenario.distributions import Dist

__all__ = [
    "TIERS",
    "ARRIVAL_KINDS",
    "DEFAULT_QUEUE_LIMIT",
    "NodeNames",
    "ProcessorSpec",
    "PowerSpec",
    "NodeSpec",
    "LinkSpec",
    "StageSpec",
    "AppSpec",
    "ArrivalSpec",
    "WorkloadSpec",
    "PolicySpec",
    "Scenario",
]

TIERS = ("device", "edge", "cloud", "network")
# Waiting stages a processor holds at most unless its scenario says otherwise.  A stable queue
# reaches it only with vanishing probability (an M/M/1 queue at 99.9 % load exceeds it with
# probability 0.999**10000, about 5e-5); an overloaded one stops growing there, a few megabytes later.
DEFAULT_QUEUE_LIMIT = 10_000
ARRIVAL_KINDS = ("poisson", "periodic", "trace", "closed")


class NodeNames(tuple[str, ...]):
    """Node names in order, answering ``name in names`` in constant time (a tuple would scan).

    An application's ``hosts`` may list tens of thousands of nodes and be
    asked about one at every decision.

    >>> hosts = NodeNames(["edge-0", "edge-1"])
    >>> "edge-1" in hosts, "cloud" in hosts, hosts == ("edge-0", "edge-1")
    (True, False, True)
    """

    def __contains__(self, name: object) -> bool:
        members = self.__dict__.get("_members")
        if members is None:
            members = self.__dict__["_members"] = frozenset(self)
        return name in members


@dataclass(frozen=True, slots=True)
class ProcessorSpec:
    """A compute resource on a node: ``cores`` identical servers, one FIFO queue.

    Exactly one of ``speed_flops`` and ``profile`` is set by the loader.
    ``queue_limit`` bounds the number of *waiting* stages; a stage arriving to
    a full queue is dropped.  The default, :data:`DEFAULT_QUEUE_LIMIT`, keeps
    an overloaded processor's memory bounded without touching a stable one.
    """

    name: str = "cpu"
    speed_flops: float | None = None
    profile: str | None = None
    cores: int = 1
    memory_bandwidth_Bps: float | None = None
    queue_limit: int | None = DEFAULT_QUEUE_LIMIT
    noise: bool = False  # service times drawn with the profile's measured spread


@dataclass(frozen=True, slots=True)
class PowerSpec:
    """Power draw by state, in watts.

    ``tail_s`` is the radio tail: after a transfer the radio stays at transmit
    power this long.  ``battery_j`` is the capacity of a battery-powered
    device (None: mains powered).
    """

    idle_w: float = 0.0
    busy_w: float = 0.0
    transmit_w: float = 0.0
    receive_w: float = 0.0
    tail_s: float = 0.0
    battery_j: float | None = None


@dataclass(frozen=True, slots=True)
class NodeSpec:
    """One node; ``group`` is the scenario key it came from (``phone`` for ``phone-3``)."""

    name: str
    group: str
    tier: str
    processor: ProcessorSpec | None = None
    power: PowerSpec | None = None


@dataclass(frozen=True, slots=True)
class LinkSpec:
    """A link between two nodes with a bandwidth each way and a propagation latency.

    ``index`` is the position of the ``links[]`` entry it came from, so errors
    and sweeps can name it.
    """

    a: str
    b: str
    bandwidth_bps: float
    reverse_bandwidth_bps: float
    latency_s: float
    index: int = 0


@dataclass(frozen=True, slots=True)
class StageSpec:
    """One synthetic layer: its work (FLOP) or its service time (s), and its output size.

    ``output`` is the size of the tensor this stage hands to the next one; the
    last stage's output is the application's ``output``.
    """

    work: Dist | None = None
    service: Dist | None = None
    output: Dist | None = None


@dataclass(frozen=True, slots=True)
class AppSpec:
    """An application: synthetic stages, or a model from the zoo / an ONNX file."""

    name: str
    input: Dist
    output: Dist
    stages: tuple[StageSpec, ...] = ()
    model: str | None = None
    onnx: str | None = None
    model_params: dict[str, Any] = field(default_factory=dict)
    deadline_s: float | None = None
    prompt_tokens: Dist | None = None
    output_tokens: Dist | None = None
    compression: str = "none"
    alternatives: tuple[str, ...] = ()
    hosts: tuple[str, ...] | None = None  # nodes allowed to run it; None: any computing node

    @property
    def synthetic(self) -> bool:
        """True when the work comes from ``work``/``service``, not a model."""
        return self.model is None and self.onnx is None


@dataclass(frozen=True, slots=True)
class ArrivalSpec:
    """How a workload's requests arrive, per source.

    poisson: ``rate_per_s``; periodic: ``period_s`` with uniform ``jitter_s``
    (each arrival shifted by U(0, jitter)); trace: ``trace`` maps each source
    to its sorted timestamps; closed: ``users`` per source, each thinking for
    a ``think`` draw between the end of one request and the next.
    """

    kind: str
    rate_per_s: float | None = None
    period_s: float | None = None
    jitter_s: float = 0.0
    trace_file: str | None = None
    trace: dict[str, tuple[float, ...]] = field(default_factory=dict)
    users: int | None = None
    think: Dist | None = None


@dataclass(frozen=True, slots=True)
class WorkloadSpec:
    """Requests of one application from a set of source nodes."""

    app: str
    sources: tuple[str, ...]
    arrivals: ArrivalSpec
    start_s: float = 0.0
    stop_s: float | None = None
    index: int = 0


@dataclass(frozen=True, slots=True)
class PolicySpec:
    """The placement policy's registered name and its parameters."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Scenario:
    """A complete, validated scenario in SI units.

    ``source`` names the file it came from (for messages); ``document`` is
    the validated document as plain data, hashed into the run manifest;
    ``base_dir`` is the folder relative paths in it were resolved against.
    """

    name: str
    nodes: tuple[NodeSpec, ...]
    links: tuple[LinkSpec, ...]
    applications: dict[str, AppSpec]
    workload: tuple[WorkloadSpec, ...]
    policy: PolicySpec
    seed: int = 0
    duration_s: float = 60.0
    warmup_s: float = 0.0
    description: str = ""
    source: str = "<scenario>"
    document: dict[str, Any] = field(default_factory=dict)
    base_dir: str = ""  # where relative files (traces, profiles) are looked up; "" for none

    @property
    def end_s(self) -> float:
        """Simulated time at which the run stops."""
        return self.warmup_s + self.duration_s

    def node(self, name: str) -> NodeSpec:
        """The node called ``name`` (KeyError if absent)."""
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(name)
