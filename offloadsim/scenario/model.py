"""The resolved scenario: frozen dataclasses in SI units, ready for the world.

The loader turns a YAML file into these; nothing downstream ever sees a unit
string, a glob pattern or a ``count``.  Field names carry their unit
(``_s``, ``_bps``, ``_bytes``, ``_flops``, ``_w``) where it helps.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from offloadsim.field_values import FieldValues
from offloadsim.models.precision import PRECISIONS
from offloadsim.scenario.arrivals.base import ArrivalProcess
from offloadsim.scenario.distributions import Dist
from offloadsim.scenario.keys import key
from offloadsim.scenario.size import MAX_GROUP_COUNT, Footprint

if TYPE_CHECKING:
    from offloadsim.scenario.inputs_folder import ResultFolder

_ZERO = Dist.fixed(0.0)

__all__ = [
    "TIERS",
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
    "RecoverySpec",
    "Scenario",
]

TIERS = ("device", "edge", "cloud", "network")
# Waiting stages a processor holds at most unless its scenario says otherwise.  A stable queue
# reaches it only with vanishing probability (an M/M/1 queue at 99.9 % load exceeds it with
# probability 0.999**10000, about 5e-5); an overloaded one stops growing there, a few megabytes later.
DEFAULT_QUEUE_LIMIT = 10_000

#: In an application's ``hosts``: each node that sends its requests, serving its own alone.
SOURCE_HOST = "$source"


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

    @property
    def own(self) -> frozenset[str]:
        """The names that host only their own requests: a ``hosts`` list's ``$source`` brought them in.

        >>> hosts = NodeNames.owning(["edge", "phone-0"], ["phone-0"])
        >>> "phone-0" in hosts, hosts.own
        (True, frozenset({'phone-0'}))
        """
        return self.__dict__.get("_own", frozenset())

    @classmethod
    def owning(cls, names: Iterable[str], own: Iterable[str]) -> NodeNames:
        """``names``, ``own`` of them hosting only their own requests (:attr:`own`)."""
        made = cls(names)
        made.__dict__["_own"] = frozenset(own)
        return made


#: The most retries a task may make: each is a new attempt, and with a short timeout a million of
#: them per task keep a run of a few tasks going for hours (``retries: 1000000`` is a typo, not a plan).
MAX_RETRIES = 100


# eq=False, repr=False: FieldValues's __eq__, __hash__ and __repr__ (issue 12 e: see offloadsim.field_values).
@dataclass(frozen=True, slots=True, eq=False, repr=False)
class ProcessorSpec(FieldValues):
    """A compute resource on a node: ``cores`` identical servers, one FIFO queue.

    Exactly one of ``speed_flops`` and ``profile`` is set by the loader.
    ``queue_limit`` bounds the number of *waiting* stages; a stage arriving to
    a full queue is dropped.  The default, :data:`DEFAULT_QUEUE_LIMIT`, keeps
    an overloaded processor's memory bounded without touching a stable one.
    """

    name: str = "cpu"
    profile: str | None = key(None, doc="Device profile name, e.g. cortex-a76, jetson-orin, a100.")
    speed_flops: float | None = key(
        None, yaml="speed", unit="speed", positive=True, doc="Sustained compute speed."
    )
    cores: int = key(
        1,
        ge=1,
        le=MAX_GROUP_COUNT,
        default_doc="1",
        doc="Identical parallel servers sharing one FIFO queue.",
    )
    memory_bandwidth_Bps: float | None = key(
        None,
        yaml="memory_bandwidth",
        unit="byte_rate",
        positive=True,
        doc="Memory bandwidth (LLM decode is bound by it).",
    )
    busy_w: float | None = key(
        None,
        yaml="busy",
        unit="power",
        default_doc="none: the node's power busy shared by the cores of its processors without their own",
        doc=(
            "This processor's own draw above the node's idle with all its cores busy (an NPU's, a "
            "GPU's); its stages are charged busy / cores each. Without it, a stage here is charged "
            "the node's (power busy - idle) shared by the cores of every processor without its own."
        ),
    )
    queue_limit: int | None = key(
        DEFAULT_QUEUE_LIMIT,
        ge=0,
        schema_type=int,
        default_doc=f"{DEFAULT_QUEUE_LIMIT:,}, which bounds an overloaded queue's memory",
        doc="Most stages waiting (not in service); more are dropped, and counted per node (refused_full).",
    )
    fusion: str = key(
        "none",
        schema_type=Literal["none", "onnxruntime"],
        default_doc="none",
        doc=(
            "Layer fusion for a roofline (a derived profile, a plain speed): none charges every layer, "
            "each BatchNorm and activation too, its own round trip to memory; onnxruntime runs a model "
            "as onnxruntime's graph optimizer fuses it (BatchNorm folded into the convolution, a "
            "following activation and residual add run inside it, Gemm+activation), each fused unit "
            "one round trip. A calibrated profile carries its own fusion."
        ),
    )
    noise: bool = key(
        False,
        default_doc="false",
        doc=(
            "Draw each model stage's service time around the profile's prediction with the run-to-run "
            "spread measured at calibration (lognormal, mean preserved)."
        ),
    )
    model: str = key(
        "fifo",
        default_doc="fifo",
        doc=(
            "Processor model from the registry (offloadsim.engine.processor_models): how it queues, "
            "serves and prices stages; fifo is cores identical servers sharing one FIFO queue."
        ),
    )
    # Where the node's entry declares it, for key paths in messages: ``("processor",)``, or
    # ``("processors", NAME)``; the parts of a key path, joined by ``scenario.errors.format_path``.
    path: tuple[str, ...] = ("processor",)


# eq=False, repr=False: FieldValues's __eq__, __hash__ and __repr__ (issue 12 e: see offloadsim.field_values).
@dataclass(frozen=True, slots=True, eq=False, repr=False)
class PowerSpec(FieldValues):
    """Power draw by state, in watts.

    ``tail_s`` is the radio tail: after a transfer the radio stays at transmit
    power this long.  ``transmit_j_per_bit`` and ``receive_j_per_bit`` make
    the radio's draw grow linearly with its throughput (Huang et al., MobiSys
    2012: ``P = α_u t_u + α_d t_d + β``): over a transfer of ``B`` bits lasting
    ``t`` seconds a linear model draws ``β t + α B`` whatever the rate did, so
    each flow is charged ``α`` per bit it moved, on top of the state's power.
    ``down_w`` is the whole draw while the node is down (a failure, a
    ``node-schedule`` step; None: its idle power).  ``battery_j``
    is the capacity of a battery-powered device (None: mains powered).
    """

    idle_w: float = key(
        0.0, yaml="idle", unit="power", default_doc="0 W", example='"0.5 W"', doc="Power when idle."
    )
    busy_w: float = key(
        0.0,
        yaml="busy",
        unit="power",
        fallback="idle",
        default_doc="idle",
        doc="Power while computing (every core busy), at least idle.",
    )
    transmit_w: float = key(
        0.0,
        yaml="transmit",
        unit="power",
        fallback="idle",
        default_doc="idle",
        example='"1.3 W"',
        doc="Power while sending, at least idle.",
    )
    receive_w: float = key(
        0.0,
        yaml="receive",
        unit="power",
        fallback="idle",
        default_doc="idle",
        example='"1 W"',
        doc="Power while receiving, at least idle.",
    )
    transmit_j_per_bit: float = key(
        0.0,
        yaml="transmit_per_rate",
        unit="power_per_rate",
        default_doc="0 mW/Mbps",
        example='"438.39 mW/Mbps"',
        doc=(
            "Transmit power per unit of upload throughput (a linear radio power model's slope): "
            "each bit sent costs this much energy on top of transmit × the time it takes."
        ),
    )
    receive_j_per_bit: float = key(
        0.0,
        yaml="receive_per_rate",
        unit="power_per_rate",
        default_doc="0 mW/Mbps",
        example='"51.97 mW/Mbps"',
        doc=(
            "Receive power per unit of download throughput: each bit received costs this much "
            "energy on top of receive × the time it takes."
        ),
    )
    tail_s: float = key(
        0.0,
        yaml="tail",
        unit="time",
        default_doc="0 s",
        doc="Radio tail: time at transmit power after a transfer ends.",
    )
    down_w: float | None = key(
        None,
        yaml="down",
        unit="power",
        default_doc="idle",
        example='"0 W"',
        doc=(
            "Power while the node is down for a failure or a node-schedule step (not a flat battery, "
            "which draws nothing); may exceed idle (a device rebooting)."
        ),
    )
    battery_j: float | None = key(
        None,
        yaml="battery",
        unit="energy",
        positive=True,
        default_doc="none (mains)",
        example='"10 Wh"',
        doc="Battery capacity; a flat device draws nothing more, generates no requests and computes nothing.",
    )


# eq=False, repr=False: FieldValues's __eq__, __hash__ and __repr__ (issue 12 e: see offloadsim.field_values).
@dataclass(frozen=True, slots=True, eq=False, repr=False)
class NodeSpec(FieldValues):
    """One node; ``group`` is the scenario key it came from (``phone`` for ``phone-3``).

    ``processor`` is its first (default) processor, ``more_processors`` the
    others it has (a GPU beside a CPU), each named (``ProcessorSpec.name``).
    """

    name: str
    group: str
    tier: str
    processor: ProcessorSpec | None = None
    power: PowerSpec | None = None
    more_processors: tuple[ProcessorSpec, ...] = ()

    @property
    def processors(self) -> tuple[ProcessorSpec, ...]:
        """Every processor of the node, its first (default) one first; () if it computes nothing."""
        return () if self.processor is None else (self.processor, *self.more_processors)


# eq=False, repr=False: FieldValues's __eq__, __hash__ and __repr__ (issue 12 e: see offloadsim.field_values).
@dataclass(frozen=True, slots=True, eq=False, repr=False)
class LinkSpec(FieldValues):
    """A link between two nodes with a bandwidth each way and a propagation latency.

    ``index`` is the position of the ``links[]`` entry it came from, so errors
    and sweeps can name it.
    """

    a: str
    b: str
    bandwidth_bps: float = key(
        yaml="bandwidth",
        unit="bandwidth",
        positive=True,
        doc="Capacity in both directions (A→B, and B→A unless reverse_bandwidth).",
    )
    reverse_bandwidth_bps: float = key(
        yaml="reverse_bandwidth",
        unit="bandwidth",
        positive=True,
        fallback="bandwidth",
        default_doc="same as bandwidth",
        doc="Capacity B→A.",
    )
    latency_s: float = key(
        0.0, yaml="latency", unit="time", default_doc="0 s", doc="Propagation latency per direction."
    )
    loss: float = key(
        0.0,
        ge=0,
        le=1,
        default_doc="0",
        example="0.01",
        doc="Packet loss probability per direction: recorded per link for a transport model; "
        "not applied to throughput yet.",
    )
    index: int = 0


# eq=False, repr=False: FieldValues's __eq__, __hash__ and __repr__ (issue 12 e: see offloadsim.field_values).
@dataclass(frozen=True, slots=True, eq=False, repr=False)
class StageSpec(FieldValues):
    """One synthetic layer: its work (FLOP) or its service time (s), and its output size.

    ``output`` is the size of the tensor this stage hands to the next one; the
    last stage's output is the application's ``output``.
    """

    work: Dist | None = key(None, unit="work", doc="Work of this stage (FLOP), or a distribution.")
    service: Dist | None = key(None, unit="time", doc="Service time of this stage, or a distribution.")
    output: Dist | None = key(None, unit="size", default_doc="0 B", doc="Size handed to the next stage.")


# eq=False, repr=False: FieldValues's __eq__, __hash__ and __repr__ (issue 12 e: see offloadsim.field_values).
@dataclass(frozen=True, slots=True, eq=False, repr=False)
class AppSpec(FieldValues):
    """An application: synthetic stages, or a model from the zoo / an ONNX file."""

    name: str
    input: Dist = key(
        _ZERO,
        unit="size",
        default_doc="0 B; for a model (zoo or ONNX), absent or 0 is the model's input tensor",
        doc="Size of one request's input, held by the source.",
    )
    output: Dist = key(
        _ZERO,
        unit="size",
        default_doc="0 B; for a model (zoo or ONNX), absent or 0 is the model's output tensor",
        doc="Size of the result returned to the source.",
    )
    stages: tuple[StageSpec, ...] = ()
    model: str | None = None
    onnx: str | None = None
    deadline_s: float | None = key(
        None,
        yaml="deadline",
        unit="time",
        positive=True,
        default_doc="none",
        doc="Relative deadline of a request.",
    )
    late: str = key(
        "serve",
        schema_type=Literal["serve", "drop"],
        default_doc="serve",
        doc=(
            "What becomes of a request past its deadline: serve (queued and served to its end, late) "
            "or drop (dropped as it would start a stage: at the head of a queue, before a transfer "
            "or compute starts; needs a deadline)."
        ),
    )
    prompt_tokens: Dist | None = key(
        None,
        unit="tokens",
        describe_unit=False,
        doc="LLM prompt length in tokens: a number or a distribution.",
    )
    output_tokens: Dist | None = key(
        None, unit="tokens", describe_unit=False, doc="LLM generated tokens: a number or a distribution."
    )
    model_params: dict[str, Any] = key(
        yaml="params",
        factory=dict,
        convert=dict,
        default_doc="{}",
        doc="Passed to the model builder.",
        # the keys every model takes (docs/models.md#precision); a model's own (image_size) come beside
        json_schema_extra={
            "properties": {
                "precision": {"description": f"The model's precision: {', '.join(PRECISIONS)}."},
                "dtype_bytes": {"description": "The model's precision in bytes per element: 0.5, 1, 2 or 4."},
            }
        },
    )
    # Resolving turns the patterns into the nodes allowed to run it; None: any computing node.
    hosts: tuple[str, ...] | None = key(
        None,
        schema_type="node patterns",
        convert=tuple,
        default_doc="every computing node",
        doc=(
            "Node patterns allowed to run this application's layers (e.g. cloud, or [cloud] for a "
            "model only the cloud serves): one pattern or a list; $source: each requesting node, "
            "for its own requests only."
        ),
    )
    alternatives: tuple[str, ...] = key(
        (),
        schema_type=list[str],
        convert=tuple,
        default_doc="none",
        doc=(
            "Other model applications that may serve this one's requests instead (a policy chooses): "
            "e.g. a larger cloud model for an on-device one."
        ),
    )
    kind: str | None = key(
        None,
        default_doc="inferred: llm for a decoder-only LLM, model for another model, synthetic for work",
        doc=(
            "Kind of work from the registry (offloadsim.engine.work): what a request draws and how it "
            "runs. Give it for a kind that cannot be inferred (a plug-in's)."
        ),
    )
    compression: str = key(
        "none",
        schema_type=Literal["none", "fp16", "int8"],
        default_doc="none",
        doc=(
            "Codec for intermediate activations crossing a cut (models only): fp16 halves and int8 "
            "quarters the fp32 bytes, at an encode and a decode cost per element."
        ),
    )

    @property
    def synthetic(self) -> bool:
        """True when the work comes from ``work``/``service``, not a model."""
        return self.model is None and self.onnx is None


#: How a workload's requests arrive, per source: an arrival process from the registry
#: (:mod:`offloadsim.scenario.arrivals`), holding its own keys.
ArrivalSpec = ArrivalProcess


# eq=False, repr=False: FieldValues's __eq__, __hash__ and __repr__ (issue 12 e: see offloadsim.field_values).
@dataclass(frozen=True, slots=True, eq=False, repr=False)
class WorkloadSpec(FieldValues):
    """Requests of one application from a set of source nodes."""

    app: str
    sources: tuple[str, ...]
    arrivals: ArrivalSpec  # its keys sit beside these in the workload entry
    start_s: float = key(
        0.0, yaml="start", unit="time", default_doc="0 s", doc="First arrival not before this time."
    )
    stop_s: float | None = key(
        None,
        yaml="stop",
        unit="time",
        positive=True,
        default_doc="end of run",
        doc="No arrivals from this time on.",
    )
    index: int = 0


# eq=False, repr=False: FieldValues's __eq__, __hash__ and __repr__ (issue 12 e: see offloadsim.field_values).
@dataclass(frozen=True, slots=True, eq=False, repr=False)
class RecoverySpec(FieldValues):
    """What happens to a task whose work was aborted (a node or link down under it, or a timeout).

    Retries run the same plan again, each after a backoff that doubles; once
    they are spent, the fallback runs one last attempt (or none): see
    :mod:`offloadsim.engine.recovery`.
    """

    timeout_s: float | None = key(
        None,
        yaml="timeout",
        unit="time",
        positive=True,
        default_doc="none",
        example='"2 s"',
        doc=(
            "An attempt not done this long after it began (the task's first at its arrival, a retry "
            "when it starts) is abandoned and counts as a failure."
        ),
    )
    retries: int = key(
        0,
        ge=0,
        le=MAX_RETRIES,
        schema_type=int,
        default_doc="0",
        doc=f"Attempts of the same plan after a failure (at most {MAX_RETRIES}).",
    )
    backoff_s: float = key(
        0.0,
        yaml="backoff",
        unit="time",
        default_doc="0 s",
        example='"100 ms"',
        doc="Wait before the first retry; it doubles before each next one (and before the fallback).",
    )
    fallback: str = key(
        "drop",
        schema_type=Literal["drop", "local", "another"],
        default_doc="drop",
        doc=(
            "Once the retries are spent: drop (the task ends failed), local (one last attempt, whole "
            "on its source device) or another (one last attempt where the policy places it, with the "
            "nodes that failed the task seen as down)."
        ),
    )


# eq=False, repr=False: FieldValues's __eq__, __hash__ and __repr__ (issue 12 e: see offloadsim.field_values).
@dataclass(frozen=True, slots=True, eq=False, repr=False)
class PolicySpec(FieldValues):
    """The placement policy's registered name and its parameters."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)


# eq=False, repr=False: FieldValues's __eq__, __hash__ and __repr__ (issue 12 e: see offloadsim.field_values).
@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Scenario(FieldValues):
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
    link_model: str = "max-min"  # how transfers share links (offloadsim.scenario.link_models)
    #: The keys the link model takes, given under ``network`` (its ``parameters``); None: it takes none.
    link_parameters: Any = None
    dynamics: tuple[dict[str, Any], ...] = ()  # timed changes, as written: the world's kinds read them
    recovery: RecoverySpec | None = None  # retries, timeout and fallback of aborted tasks (None: they fail)
    footprint: Footprint = field(default_factory=Footprint)  # what a run holds and writes (scenario.size)
    skip_checks: tuple[str, ...] = ()  # scenario checks not run for it, by name (offloadsim.scenario.checks)
    #: The loader's ``document`` and values of the fields it describes: ``dataclasses.replace`` carries
    #: them, so a field changed since shows the document stale (offloadsim.scenario.current_document).
    loaded_fields: tuple[Any, ...] | None = field(default=None, compare=False, repr=False)
    #: The result's folder whose ``scenario.yaml`` it was loaded from, its manifest read once
    #: (:func:`offloadsim.scenario.inputs_folder.result_folder`); None for a scenario of one's own.
    rerun: ResultFolder | None = field(default=None, compare=False, repr=False)

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


#: The fields of a :class:`Scenario` its ``document`` describes (not where it came from, nor what
#: the loader worked out from it: ``source``, ``base_dir``, ``footprint``).
DOCUMENT_FIELDS = (
    "name",
    "nodes",
    "links",
    "applications",
    "workload",
    "policy",
    "seed",
    "duration_s",
    "warmup_s",
    "description",
    "link_model",
    "link_parameters",
    "dynamics",
    "recovery",
    "skip_checks",
)


def stamped(scenario: Scenario) -> Scenario:
    """``scenario`` holding its document and field values as loaded (``loaded_fields``): the loader's."""
    loaded = (scenario.document, *(getattr(scenario, name) for name in DOCUMENT_FIELDS))
    return replace(scenario, loaded_fields=loaded)
