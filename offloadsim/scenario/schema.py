"""The scenario file's schema: strict pydantic models of what users write, and its JSON Schema.

These models mirror the YAML (unit strings and plain SI numbers accepted,
unknown keys refused) and convert values to SI floats and :class:`Dist` as
they validate.  Cross-references (node names, patterns, policies) are
checked later by :mod:`offloadsim.scenario.resolve`.
"""

from __future__ import annotations

import copy
import functools
import re
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, NoReturn, TypeAlias, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationInfo,
    WithJsonSchema,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from offloadsim.scenario.arrivals import arrival_kinds, arrival_processes, registry_version
from offloadsim.scenario.distributions import Dist
from offloadsim.scenario.errors import describe, name_problem
from offloadsim.scenario.keys import Key, declared_keys
from offloadsim.scenario.link_models import link_model_names, link_model_parameters, link_models_version
from offloadsim.scenario.model import (
    TIERS,
    AppSpec,
    LinkSpec,
    PowerSpec,
    ProcessorSpec,
    RecoverySpec,
    StageSpec,
    WorkloadSpec,
)
from offloadsim.scenario.quantities import (
    FieldProblem,
    dist_json_schema,
    parse_dist,
    parse_si,
    quantity_json_schema,
)
from offloadsim.scenario.size import MAX_GROUP_COUNT, MAX_NODES
from offloadsim.scenario.units import QUANTITIES
from offloadsim.suggest import quoted

__all__ = [
    "ScenarioDoc",
    "scenario_doc",
    "doc_fields",
    "scenario_json_schema",
    "declared_keys_at",
    "keys_at",
    "quantity_at",
    "typed_at",
    "MAX_GROUP_COUNT",
    "SCENARIO_ERROR_TYPE",
    "workload_doc",
]

SCENARIO_ERROR_TYPE = "offloadsim_scenario"

Tier = Literal["device", "edge", "cloud", "network"]
assert get_args(Tier) == TIERS, "schema out of step with model.py"


def fail(message: str, subpath: str = "", also: tuple[str, ...] = ()) -> NoReturn:
    """Raise a validation error whose message is shown to the user as is.

    ``also``: subpaths of other keys whose values the problem is about (``.arrivals`` of a key
    another arrival process takes), so that a ``--set`` of one of them is named as its cause.
    """
    context = {"message": message, "subpath": subpath, "also": also}
    raise PydanticCustomError(SCENARIO_ERROR_TYPE, "{message}", context)


# -- unit-bearing field types ------------------------------------------------------------------------


def _si(kind: str, positive: bool = False) -> PlainValidator:
    def validate(value: Any) -> float:
        try:
            return parse_si(value, kind, positive=positive)
        except FieldProblem as problem:
            fail(problem.message, problem.subpath)

    return PlainValidator(validate)


def _dist(kind: str) -> PlainValidator:
    def validate(value: Any, info: ValidationInfo) -> Dist:
        base_dir = (info.context or {}).get("base_dir") or Path.cwd()
        try:
            return parse_dist(value, kind, Path(base_dir))
        except FieldProblem as problem:
            fail(problem.message, problem.subpath)

    return PlainValidator(validate)


@dataclass(frozen=True)
class _Kind:
    """Which quantity a key holds, in its field's type, for :func:`quantity_at` (pydantic ignores it)."""

    kind: str


def quantity_type(kind: str, positive: bool = False) -> Any:
    """The field type of a unit-bearing value of ``kind``: a unit string or an SI number, as an SI float."""
    return Annotated[float, _si(kind, positive), WithJsonSchema(quantity_json_schema(kind)), _Kind(kind)]


def dist_type(kind: str) -> Any:
    """The field type of a distribution of ``kind`` values."""
    return Annotated[Dist, _dist(kind), WithJsonSchema(dist_json_schema(kind)), _Kind(kind)]


# quantity_type's and dist_type's, written out: mypy takes only an Annotated[...] written as a type
Time = Annotated[float, _si("time"), WithJsonSchema(quantity_json_schema("time")), _Kind("time")]
PositiveTime = Annotated[
    float, _si("time", True), WithJsonSchema(quantity_json_schema("time")), _Kind("time")
]
Bandwidth = Annotated[
    float, _si("bandwidth", True), WithJsonSchema(quantity_json_schema("bandwidth")), _Kind("bandwidth")
]
SizeDist = Annotated[Dist, _dist("size"), WithJsonSchema(dist_json_schema("size")), _Kind("size")]
WorkDist = Annotated[Dist, _dist("work"), WithJsonSchema(dist_json_schema("work")), _Kind("work")]
TimeDist = Annotated[Dist, _dist("time"), WithJsonSchema(dist_json_schema("time")), _Kind("time")]
CountDist = Annotated[Dist, _dist("tokens"), WithJsonSchema(dist_json_schema("tokens")), _Kind("tokens")]


def _doc(text: str, kind: str | None = None, default: str | None = None, example: str | None = None) -> str:
    """A field description: what it is, its unit, its default."""
    parts = [text]
    if kind is not None:
        quantity = QUANTITIES[kind]
        unit = f" ({quantity.si_unit})" if quantity.si_unit else ""
        parts.append(
            f"A {quantity.name}: string with unit like {example or quantity.example}, or number in SI{unit}."
        )
    if default is not None:
        parts.append(f"Default: {default}.")
    return " ".join(parts)


class _Strict(BaseModel):
    # defer_build: a model's validator is built on its first use, not when its class is made. Only the
    # ScenarioDoc of scenario_doc() validates documents, and building it builds the models inside it;
    # the others (the *Keys models there were, the base ScenarioDoc) were built for nothing (start-up:
    # the schema's import took 68 ms, mostly that).
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


# -- nodes ---------------------------------------------------------------------------------------------


# -- keys declared on the resolved specs (scenario/keys.py) -------------------------------------------


def _as_list(value: Any) -> Any:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise ValueError("expected a node pattern (edge-*) or a list of them")
    return value


def node_patterns(examples: list[Any], *, min_items: int = 0) -> Any:
    """The type of a key that selects nodes: one pattern (``edge-*``), read as a list of one, or a list."""
    array: dict[str, Any] = {"type": "array", "items": {"type": "string"}}
    if min_items:
        array["minItems"] = min_items
    schema = {"anyOf": [{"type": "string"}, array], "examples": examples}
    patterns = Annotated[list[str], BeforeValidator(_as_list), Field(min_length=min_items)]
    return Annotated[patterns, WithJsonSchema(schema)]


#: Types a spec's key names by a word (``schema_type="node patterns"``): the spec modules import no pydantic.
_NAMED_TYPES = {"node patterns": node_patterns(["cloud", ["edge-*", "cloud"]], min_items=1)}


def doc_fields(spec: type, *, optional: bool = False) -> dict[str, Any]:
    """Pydantic fields, by YAML name, for the keys declared on ``spec`` (for ``create_model``).

    ``optional`` makes every key optional with no default (a workload entry's
    arrival keys: which are required depends on the process chosen).
    """
    hints = typing.get_type_hints(spec)
    fields: dict[str, Any] = {}
    for declared in declared_keys(spec):
        annotation = _field_type(hints[declared.name], declared)
        extra: dict[str, Any] = {"description": _key_doc(declared)}
        for bound in ("ge", "le"):
            if getattr(declared, bound) is not None:
                extra[bound] = getattr(declared, bound)
        if declared.json_schema_extra is not None:
            extra["json_schema_extra"] = dict(declared.json_schema_extra)
        if optional or declared.fallback is not None or not _plain(declared.default):
            fields[declared.yaml] = (annotation | None, Field(None, **extra))
        elif declared.required:
            fields[declared.yaml] = (annotation, Field(**extra))
        elif declared.default_factory is not None:
            fields[declared.yaml] = (annotation, Field(default_factory=declared.default_factory, **extra))
        else:
            fields[declared.yaml] = (annotation, Field(declared.default, **extra))
    return fields


def _plain(value: Any) -> bool:
    """True for a default the JSON Schema can show as it is."""
    return value is None or isinstance(value, (bool, int, float, str, tuple))


def _field_type(annotation: Any, declared: Key) -> Any:
    """What users write for a key: its unit-bearing form, or the field's own type."""
    if isinstance(declared.schema_type, str):
        named = _NAMED_TYPES[declared.schema_type]
        return named | None if declared.default is None else named
    if declared.schema_type is not None:
        return declared.schema_type
    if declared.unit is None:
        return annotation
    members = get_args(annotation) if get_origin(annotation) in (Union, types.UnionType) else (annotation,)
    base = dist_type(declared.unit) if Dist in members else quantity_type(declared.unit, declared.positive)
    return base | None if type(None) in members else base


def _key_doc(declared: Key) -> str:
    quantity = declared.unit if declared.unit in QUANTITIES and declared.describe_unit else None
    return _doc(declared.doc, quantity, declared.default_doc, declared.example)


def _spec_doc(spec: type, name: str, doc: str, *checks: Any, **before: Any) -> Any:
    """The strict document model ``name``: ``before``'s fields (keys resolve consumes), then ``spec``'s keys.

    ``checks`` are its validators (``model_validator``, ``field_validator``).  One class per spec, not
    a model of the keys and a subclass with the checks: each pydantic class made costs start-up
    (issue 12 e), and the JSON Schema shows only the class's name and docstring.
    """
    validators = {_check_name(check): check for check in checks}
    return create_model(
        name,
        __base__=_Strict,
        __module__=__name__,
        __doc__=doc,
        __validators__=validators,
        **before,
        **doc_fields(spec),
    )


def _check_name(check: Any) -> str:
    """The name of the function a pydantic validator decorator wrapped (a classmethod, named ``cls``)."""
    return str(check.wrapped.__name__)


if TYPE_CHECKING:  # made by _spec_doc below from their specs' keys: type checkers know no more of them
    ProcessorDoc: TypeAlias = Any
    PowerDoc: TypeAlias = Any
    LinkDoc: TypeAlias = Any
    StageDoc: TypeAlias = Any
    AppDoc: TypeAlias = Any
    RecoveryDoc: TypeAlias = Any


def _either(first: str, second: str) -> Any:
    """The check that exactly one of the keys ``first`` and ``second`` is given."""

    def check(self: Any) -> Any:
        given = getattr(self, first) is not None
        if given == (getattr(self, second) is not None):
            neither = "not both" if given else "got neither"
            fail(f"expected either {quoted(first)} or {quoted(second)}, {neither}")
        return self

    check.__name__ = f"_{first}_or_{second}"
    return model_validator(mode="after")(check)


@model_validator(mode="after")
def _states_at_least_idle(self: Any) -> Any:
    for state in ("busy", "transmit", "receive"):
        watts = getattr(self, state)
        if watts is not None and watts < self.idle:
            fail(
                f"{state} power ({watts:g} W) is below idle ({self.idle:g} W); each state's power is "
                f"the device's whole draw in that state (idle included): give at least {self.idle:g} W",
                f".{state}",
                also=(".idle",),  # a --set of idle may have put it above the state's power
            )
    return self


if not TYPE_CHECKING:
    ProcessorDoc = _spec_doc(
        ProcessorSpec,
        "ProcessorDoc",
        "A processor: a named device profile, or a plain speed.",
        _either("profile", "speed"),
    )
    PowerDoc = _spec_doc(
        PowerSpec, "PowerDoc", "Device power draw by state, for energy accounting.", _states_at_least_idle
    )


#: A node's or processor's name: it is written in key paths, patterns and file names unquoted.
#: A string: re compiles (and caches) it at first use, not at import (issue 12 e).
NAME = r"^[A-Za-z0-9_][A-Za-z0-9_\-]*$"
#: What :data:`NAME` allows, in words: "letters" alone let a user read "téléphone" as allowed.
NAME_RULE = "may contain only ASCII letters, digits, '_' and '-', and not begin with '-'"


class NodeDoc(_Strict):
    """A node, or a group of ``count`` identical nodes named ``NAME-0 .. NAME-(count-1)``."""

    tier: Tier = Field(description="device, edge, cloud, or network (forwards, computes nothing).")
    count: int | None = Field(
        None,
        ge=1,
        le=MAX_NODES,
        description="Make this many nodes NAME-0 .. NAME-(count-1). Default: one node, NAME.",
    )
    processor: ProcessorDoc | None = Field(
        None, description="What computes here (one processor, named cpu); a network node has none."
    )
    processors: dict[str, ProcessorDoc] | None = Field(
        None,
        min_length=1,
        description=(
            "Several processors by name (e.g. {cpu: {...}, gpu: {...}}), instead of 'processor'; the "
            "first is the node's default, the others run what a plan names."
        ),
    )
    power: PowerDoc | None = Field(
        None, description="Power by state; absent means no energy model for this node."
    )

    @model_validator(mode="after")
    def _network_computes_nothing(self) -> NodeDoc:
        given = "processor" if self.processor is not None else "processors" if self.processors else None
        if self.processor is not None and self.processors is not None:
            fail('give either "processor" (one) or "processors" (several by name), not both', ".processors")
        if self.tier == "network" and given is not None:
            fail(
                f'a network node forwards and computes nothing; remove {quoted(given)} or change "tier"',
                f".{given}",
            )
        for name in self.processors or ():
            if not re.match(NAME, name):
                fail(
                    f"processor name {quoted(name)} {NAME_RULE}",
                    ".processors",
                )
        return self


# -- links ---------------------------------------------------------------------------------------------


_BETWEEN = Field(
    description="[A, B]: node names, group names or glob patterns (phone-*); every A-B pair is linked.",
    examples=[["phone-*", "ap"]],
)


@field_validator("between", mode="after")
def _pair(cls: Any, value: list[str]) -> list[str]:
    if len(value) != 2:
        fail(f"expected two node names or patterns [A, B], got {len(value)} item(s)")
    return value


if not TYPE_CHECKING:
    LinkDoc = _spec_doc(
        LinkSpec,
        "LinkDoc",
        "Links between every pair of nodes matched by the two patterns.",
        _pair,
        between=(list[str], _BETWEEN),
    )


# -- applications --------------------------------------------------------------------------------------


if not TYPE_CHECKING:
    StageDoc = _spec_doc(
        StageSpec,
        "StageDoc",
        "One synthetic layer of a chain: its work or its service time, and its output size.",
        _either("work", "service"),
    )


_APP_KINDS = ("model", "onnx", "work", "service", "stages")


def _onnx_shorthand(value: Any) -> Any:
    """``model: {onnx: PATH}`` is the same as ``onnx: PATH``."""
    if isinstance(value, dict) and isinstance(value.get("model"), dict) and set(value["model"]) == {"onnx"}:
        if "onnx" in value:
            fail('give "onnx" once, either as "onnx: PATH" or as "model: {onnx: PATH}"')
        value = {**value, "onnx": value["model"]["onnx"]}
        del value["model"]
    return value


_APP_SOURCE = {  # which work it is: resolve turns these into the spec's model, onnx and stages
    "model": (
        str | None,
        Field(
            None,
            description="Built-in model name (see `offloadsim models`), e.g. resnet50; or {onnx: PATH}.",
            json_schema_extra={
                "anyOf": [{"type": "string"}, {"type": "object", "properties": {"onnx": {"type": "string"}}}]
            },
        ),
    ),
    "onnx": (str | None, Field(None, description="ONNX model file, relative to the scenario file.")),
    "work": (
        WorkDist | None,
        Field(None, description=_doc("Synthetic single-stage work per request.", "work")),
    ),
    "service": (
        TimeDist | None,
        Field(None, description=_doc("Synthetic single-stage service time per request.", "time")),
    ),
    "stages": (
        list[StageDoc] | None,
        Field(None, min_length=1, description="A chain of synthetic stages."),
    ),
}


@model_validator(mode="before")
def _shorthand(cls: Any, value: Any) -> Any:
    return _onnx_shorthand(value)


@model_validator(mode="after")
def _one_kind(self: Any) -> Any:
    given = [name for name in _APP_KINDS if getattr(self, name) is not None]
    if len(given) != 1:
        got = "got none" if not given else "got " + ", ".join(map(quoted, given))
        fail(f"expected exactly one of {', '.join(map(quoted, _APP_KINDS))}, {got}")
    return self


if not TYPE_CHECKING:
    AppDoc = _spec_doc(
        AppSpec,
        "AppDoc",
        "An application: a zoo model, an ONNX file, or synthetic work.",
        _shorthand,
        _one_kind,
        **_APP_SOURCE,
    )


# -- workload ------------------------------------------------------------------------------------------


Sources = node_patterns(["phone-*", ["phone-0", "tablet-*"]], min_items=1)


if TYPE_CHECKING:  # made by _workload_doc from WorkloadSpec and the registered arrival processes
    WorkloadDoc: TypeAlias = Any


@model_validator(mode="after")
def _keys_fit_arrivals(self: Any) -> Any:
    kind = self.arrivals
    mine = {declared.yaml: declared for declared in declared_keys(_process(kind))}
    other = next(
        (k for k in _arrival_keys(registry_version()) if k not in mine and getattr(self, k) is not None), None
    )
    missing = next((k for k, d in mine.items() if d.required and getattr(self, k) is None), None)
    if other is not None or missing is not None:
        # A key of another kind (periodic given rate) is named with its kind and what this kind takes:
        # "needs period" alone left the user to guess why the rate was not enough.
        named = f"arrivals: {kind}" + ("" if "arrivals" in self.model_fields_set else " (the default)")
        takes = ", ".join(quoted(k) + (" (required)" if d.required else "") for k, d in mine.items())
        takes = takes or "no keys"  # a process without key() fields: "takes " ended the line in nothing
        if other is not None:
            owners = (p.kind for p in arrival_processes() if any(d.yaml == other for d in declared_keys(p)))
            fail(
                f"{quoted(other)} is a key of arrivals: {' or '.join(owners)}; {named} takes {takes}",
                f".{other}",
                also=(".arrivals",),  # the kind chosen made it another's: a --set of it is named
            )
        fail(f"{named} needs {quoted(missing)}; it takes {takes}", also=(".arrivals",))
    start, stop = self.start, self.stop
    if stop is not None and stop <= start:
        fail(f"stop ({stop:g} s) must be after start ({start:g} s)", ".stop")
    return self


def _process(kind: str) -> Any:
    from offloadsim.scenario.arrivals import arrival_process

    return arrival_process(kind)


def _arrival_fields() -> dict[str, Any]:
    """Every registered process's keys, in registration order, each optional (one field per YAML key)."""
    fields: dict[str, Any] = {}
    for process in arrival_processes():
        for name, field in doc_fields(process, optional=True).items():
            fields.setdefault(name, field)
    return fields


@functools.cache
def _arrival_keys(version: int) -> tuple[str, ...]:
    """The YAML keys of :func:`_arrival_fields`, in the same order, for registry ``version``.

    Each workload entry's check reads them: making the fields again for every entry was most of
    the time a document's validation took.
    """
    keys = (declared.yaml for process in arrival_processes() for declared in declared_keys(process))
    return tuple(dict.fromkeys(keys))


def _workload_doc() -> Any:
    """The workload entry's model: app, sources, arrivals, the processes' keys, then start and stop."""
    kinds = arrival_kinds()
    arrivals: Any = (
        Literal[kinds],
        Field(kinds[0], description=f"{' | '.join(kinds)}. Default: {kinds[0]}."),
    )
    return _spec_doc(
        WorkloadSpec,
        "WorkloadDoc",
        "Requests of one application from a set of source nodes.",
        _keys_fit_arrivals,
        app=(str, Field(description="Application name (a key of 'applications').")),
        sources=(
            Sources,
            Field(min_length=1, description="Source node names, group names or glob patterns."),
        ),
        arrivals=arrivals,
        **_arrival_fields(),
    )


# -- policy and the whole document --------------------------------------------------------------------


class PolicyDoc(BaseModel):
    """A policy name and its parameters (any other keys)."""

    model_config = ConfigDict(extra="allow", strict=True, frozen=True)

    name: str = Field(description="Registered policy name (see `offloadsim policies`).")


def _policy_shorthand(value: Any) -> Any:
    if isinstance(value, str):
        return {"name": value}
    if not isinstance(value, dict):
        fail(f"expected a policy name or a mapping {{name: NAME, <params>}}, got {describe(value)}")
    return value


Policy = Annotated[
    PolicyDoc,
    BeforeValidator(_policy_shorthand),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "description": "policy name"},
                {
                    "type": "object",
                    "properties": {"name": {"type": "string"}},
                    "required": ["name"],
                    "additionalProperties": True,
                    "description": "{name: NAME, <policy parameters>}",
                },
            ],
            "examples": ["local", {"name": "neurosurgeon", "objective": "latency"}],
        }
    ),
]


class NetworkDoc(_Strict):
    """How transfers share the links: the link model, and the keys it takes (its parameters)."""

    model: str = Field(
        "max-min",
        min_length=1,
        description=(
            "Link model from the registry (offloadsim.scenario.link_models): max-min shares each link's "
            "capacity max-min fairly among the flows crossing it; fifo serves them one at a time, "
            "first come, first served (a deep drop-tail buffer). Default: max-min."
        ),
    )


@model_validator(mode="after")
def _keys_fit_link_model(self: Any) -> Any:
    """Refuse a key of another link model, or one this model needs left out, naming what it takes."""
    try:
        parameters = link_model_parameters(self.model)
    except LookupError:  # an unknown model: the world says so at network.model, with the choices
        return self
    mine = {declared.yaml: declared for declared in declared_keys(parameters)} if parameters else {}
    given = [k for k in _link_keys(link_models_version()) if getattr(self, k, None) is not None]
    other = next((k for k in given if k not in mine), None)
    missing = next((k for k, d in mine.items() if d.required and getattr(self, k) is None), None)
    if other is None and missing is None:
        return self
    named = f"link model {quoted(self.model)}"
    takes = ", ".join(quoted(k) + (" (required)" if d.required else "") for k, d in mine.items()) or "no keys"
    if other is not None:
        owners = [n for n in link_model_names() if other in _yaml_keys(link_model_parameters(n))]
        fail(
            f"{quoted(other)} is a key of link model {' or '.join(owners)}; {named} takes {takes}",
            f".{other}",
            also=(".model",),
        )
    fail(f"{named} needs {quoted(missing)}; it takes {takes}", also=(".model",))


def _yaml_keys(parameters: type | None) -> tuple[str, ...]:
    """The YAML keys a link model's parameters declare (none for a model without)."""
    return tuple(declared.yaml for declared in declared_keys(parameters)) if parameters else ()


@functools.cache
def _link_keys(version: int) -> tuple[str, ...]:
    """Every registered link model's keys, for link-model registry ``version``."""
    return tuple(
        dict.fromkeys(k for name in link_model_names() for k in _yaml_keys(link_model_parameters(name)))
    )


def _network_doc() -> Any:
    """``network``'s model: ``model``, then every registered link model's keys, each optional."""
    fields: dict[str, Any] = {}
    for name in link_model_names():
        parameters = link_model_parameters(name)
        for key_name, field in (doc_fields(parameters, optional=True) if parameters else {}).items():
            fields.setdefault(key_name, field)
    return create_model(
        "NetworkDoc",
        __base__=NetworkDoc,
        __module__=__name__,
        __doc__=NetworkDoc.__doc__,
        # pydantic types __validators__ as plain functions; create_model takes a model_validator too
        __validators__={"_keys_fit_link_model": typing.cast(Any, _keys_fit_link_model)},
        **fields,
    )


if not TYPE_CHECKING:
    RecoveryDoc = _spec_doc(
        RecoverySpec, "RecoveryDoc", "Retries, timeout and fallback of tasks whose work was aborted."
    )


DynamicsEntry = Annotated[
    dict[str, Any],
    WithJsonSchema(
        {
            "type": "object",
            "required": ["kind"],
            "properties": {
                "kind": {"type": "string", "description": "A kind of timed change, e.g. link-schedule."}
            },
            "description": "A timed change to the world; its other keys are its kind's (scenario-format.md).",
        }
    ),
]


def _empty_list() -> list[Any]:
    # Not `list`: pydantic inspects a default_factory's signature, and a builtin's is parsed from its
    # text by the tokenizer, whose regular expressions take about 5 ms to compile (start-up).
    return []


class ScenarioDoc(_Strict):
    """An offloadsim scenario: nodes, links, applications, workload and the placement policy."""

    model_config = ConfigDict(title="offloadsim scenario")

    name: str = Field(min_length=1, description="Scenario name.")
    description: str = Field("", description="Free text.")
    # Records store the seed as a 64-bit signed integer (so does the CLI's --seed bound, cli_types).
    seed: int = Field(0, ge=0, le=2**63 - 1, description="Root seed of all random streams. Default: 0.")
    duration: PositiveTime = Field(
        60.0, description=_doc("Measured simulated time, after warm-up.", "time", "60 s", '"120 s"')
    )
    warmup: Time = Field(
        0.0, description=_doc("Simulated time before measurement starts.", "time", "0 s", '"10 s"')
    )
    nodes: dict[str, NodeDoc] = Field(
        default_factory=dict, description="Node name (or group name, with count) → node."
    )
    links: list[LinkDoc] = Field(
        default_factory=_empty_list, description="Links; links[i] is the key path sweeps use."
    )
    applications: dict[str, AppDoc] = Field(
        default_factory=dict, description="Application name → application."
    )
    # Its items are WorkloadDoc, made with the registered arrival processes' keys by scenario_doc().
    workload: list[Any] = Field(
        default_factory=_empty_list, description="Who sends which requests, and when."
    )
    policy: Policy = Field(
        default_factory=lambda: PolicyDoc(name="local"),
        description="Placement policy: a name, or {name: NAME, <params>}. Default: local.",
    )
    network: NetworkDoc = Field(
        # Made as validated (model_construct): NetworkDoc(...) would build a validator of its own for
        # this one default, about a tenth of what building the document's validator takes (start-up).
        default_factory=lambda: NetworkDoc.model_construct(model="max-min"),
        description="How transfers share the links. Default: max-min fair.",
    )
    dynamics: list[DynamicsEntry] = Field(
        default_factory=_empty_list,
        description="Timed changes to the world during a run, each {kind: KIND, ...}. Default: none.",
    )
    recovery: RecoveryDoc | None = Field(
        None, description="What happens to tasks whose work was aborted. Default: they end failed."
    )
    skip_checks: list[str] = Field(
        default_factory=_empty_list,
        description=(
            "Scenario checks not to run, by the name each warning ends with in brackets "
            "(e.g. silent-workloads), for a warning read and accepted. Default: none."
        ),
    )

    @field_validator("name", mode="after")
    @classmethod
    def _printable(cls, value: str) -> str:
        problem = name_problem(value)
        if problem is not None:
            fail(problem)
        return value


def scenario_doc() -> type[ScenarioDoc]:
    """The model that validates scenario documents, with every arrival process registered so far.

    :class:`ScenarioDoc` itself leaves out the keys of arrival processes
    (registered at run time, plug-ins included); this subclass has them.
    """
    return _scenario_doc(registry_version(), link_models_version())


def workload_doc() -> Any:
    """The model of one ``workload`` entry, with every arrival process registered so far (scenario_doc's)."""
    return get_args(scenario_doc().model_fields["workload"].annotation)[0]


@functools.cache
def _scenario_doc(version: int, links_version: int) -> type[ScenarioDoc]:
    workload = copy.copy(ScenarioDoc.model_fields["workload"])
    items: Any = list[_workload_doc()]  # type: ignore[misc]
    network_doc = _network_doc()
    network = copy.copy(ScenarioDoc.model_fields["network"])
    network.default_factory = lambda: network_doc.model_construct(model="max-min")
    return create_model(
        "ScenarioDoc",
        __base__=ScenarioDoc,
        __module__=__name__,
        __doc__=ScenarioDoc.__doc__,
        workload=(items, workload),
        network=(network_doc, network),
    )


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema of scenario files, for editors (``offloadsim schema``); a fresh copy each call."""
    return copy.deepcopy(_json_schema(registry_version(), link_models_version()))


@functools.cache
def _json_schema(version: int, links_version: int) -> dict[str, Any]:
    schema = scenario_doc().model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def keys_at(loc: tuple[str | int, ...]) -> list[str] | None:
    """The keys allowed in the mapping at ``loc`` of a scenario document, if it is a fixed record."""
    found = _type_at(loc)
    current = _unwrap(found[0]) if found is not None else None
    if isinstance(current, type) and issubclass(current, _Strict):
        return list(current.model_fields)
    return None


def declared_keys_at(loc: tuple[str | int, ...]) -> list[str]:
    """The keys the schema declares for the mapping at ``loc``: a record's, or a free mapping's known ones.

    A free mapping (an application's ``params``, passed to the model builder) declares the keys
    every model takes in its JSON Schema's ``properties`` (``precision``, ``dtype_bytes``).

    >>> declared_keys_at(("applications", "chat", "params"))
    ['precision', 'dtype_bytes']
    >>> "cores" in declared_keys_at(("nodes", "edge", "processor")), declared_keys_at(("name",))
    (True, [])
    """
    record = keys_at(loc)
    if record is not None:
        return record
    found = _type_at(loc[:-1]) if loc and isinstance(loc[-1], str) else None
    parent = _unwrap(found[0]) if found is not None else None
    if not (isinstance(parent, type) and issubclass(parent, BaseModel)):
        return []
    field = parent.model_fields.get(str(loc[-1]))
    extra = field.json_schema_extra if field is not None else None
    properties = extra.get("properties") if isinstance(extra, dict) else None
    return list(properties) if isinstance(properties, dict) else []


def quantity_at(loc: tuple[str | int, ...]) -> str | None:
    """The quantity kind (``"time"``, ``"bandwidth"``, ...) of the key at ``loc`` of a scenario document.

    None where the key is not a quantity, or the schema cannot tell (a policy's parameters):
    ``--set`` compares values given twice by it, so ``"2 s"`` and ``"2000 ms"`` of
    ``duration`` are one value.

    >>> quantity_at(("duration",)), quantity_at(("links", -1, "bandwidth")), quantity_at(("name",))
    ('time', 'bandwidth', None)
    """
    found = _type_at(loc)
    if found is None:
        return None
    current, metadata = found
    while True:  # the kind is in the metadata of the field, or of its type's Annotated
        kind = next((item.kind for item in metadata if isinstance(item, _Kind)), None)
        if kind is not None:
            return kind
        origin = get_origin(current)
        if origin is Annotated:
            current, *metadata = get_args(current)
        elif origin in (Union, types.UnionType):
            members = [arg for arg in get_args(current) if arg is not type(None)]
            if len(members) != 1:
                return None
            current, metadata = members[0], []
        else:
            return None


def typed_at(loc: tuple[str | int, ...]) -> bool:
    """Whether the schema gives the key at ``loc`` a type.

    Where it does, :func:`quantity_at`'s None means the key holds no quantity (a name); where
    not (a policy's parameters), it cannot tell.

    >>> typed_at(("name",)), typed_at(("policy", "cuts"))
    (True, False)
    """
    return _type_at(loc) is not None


def _type_at(loc: tuple[str | int, ...]) -> tuple[Any, list[Any]] | None:
    """The type the schema gives the value at ``loc``, with its field's metadata; None if not known."""
    current: Any = scenario_doc()
    metadata: list[Any] = []
    for part in loc:
        current = _unwrap(current)
        metadata = []
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(part) if isinstance(part, str) else None
            if field is None:
                return None
            current, metadata = field.annotation, list(field.metadata)  # pydantic moves Annotated's here
        elif get_origin(current) is list and isinstance(part, int):
            current = get_args(current)[0]
        elif get_origin(current) is dict and isinstance(part, str):
            current = get_args(current)[1]
        else:
            return None
    return current, metadata


def _unwrap(annotation: Any) -> Any:
    """Strip ``Annotated[...]`` and ``X | None`` down to X."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            members = [arg for arg in get_args(annotation) if arg is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation
