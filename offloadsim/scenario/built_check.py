"""A :class:`Scenario` built or changed in Python, checked by the schema that checks a scenario file.

The loader validates every value it reads; a ``Scenario`` made by hand, or changed with
``dataclasses.replace``, was taken as is, and ``bandwidth_bps=-5`` ran to a latency of NaN,
``latency_s=-1`` ended in networkx's ``Contradictory paths found`` and ``bandwidth_bps="10 Mbps"``
in a ``TypeError``.  Here each spec is written back as the entry a file would hold (its SI numbers
as plain numbers, its distributions as :func:`~offloadsim.scenario.written.dist_value` writes
them) and validated by the schema's own model of that entry (``LinkDoc``, ``NodeDoc``, ...), so a
spec is refused for what a file is refused for, in the same words, at its field's path
(``links[0].bandwidth_bps``).  Then what ``resolve`` checks across the specs: link ends, sources
and hosts that are nodes, applications the workload names, and the clock (:mod:`.sanity`).
"""

from __future__ import annotations

import numbers
import re
import typing
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from offloadsim.scenario.distributions import Dist
from offloadsim.scenario.errors import Problem, ProblemList, did_you_mean_name, format_path
from offloadsim.scenario.keys import declared_keys
from offloadsim.scenario.model import (
    AppSpec,
    LinkSpec,
    NodeSpec,
    PowerSpec,
    ProcessorSpec,
    Scenario,
    StageSpec,
    WorkloadSpec,
)
from offloadsim.scenario.overrides import PathError, parse_path
from offloadsim.suggest import quoted

__all__ = ["built_problems", "one_way_changes"]

#: Said after a value a file may hold but a Scenario may not: who reads it.
_HELD = " (a Scenario holds SI numbers; load_scenario_data reads values with units)"

Names = Callable[[tuple[Any, ...]], str]


class _Refused(Exception):
    """A field no file's entry could hold as the spec holds it (a unit string where SI is held)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def built_problems(scenario: Scenario) -> list[Problem]:
    """What the loader would refuse in ``scenario``'s specs, each at its field path (``links[0].latency_s``).

    The first problem of each spec.  Processors and powers the loader shares between a group's
    nodes, and links of equal values, are checked once (a group of 10,000 phones is one check).
    """
    found: list[Problem] = []
    seen: dict[Any, list[Problem]] = {}

    def add(where: str, problems: list[Problem]) -> None:
        found.extend(Problem(scenario.source, _join(where, p.key_path), p.message) for p in problems)

    for i, node in enumerate(scenario.nodes):
        shared = (node.tier, id(node.processor), id(node.power), id(node.more_processors))
        add(f"nodes[{i}]", seen[shared] if shared in seen else seen.setdefault(shared, _node(node)))
    for i, link in enumerate(scenario.links):
        key = tuple(
            (type(value), value) for value in (getattr(link, k.name) for k in declared_keys(LinkSpec))
        )
        try:
            problems = seen[key] if key in seen else seen.setdefault(key, _link(link))
        except TypeError:  # an unhashable value: checked alone
            problems = _link(link)
        add(f"links[{i}]", problems)
    for name, app in scenario.applications.items():
        add(format_path(("applications", name)), _application(app))
    for i, entry in enumerate(scenario.workload):
        add(f"workload[{i}]", _workload(entry))
    if scenario.recovery is not None:
        recovery = scenario.recovery
        add(
            "recovery",
            _refusal(lambda: _validated("RecoveryDoc", _entry(recovery), _field_names(type(recovery)))),
        )
    return found or _references(scenario)


def _join(where: str, path: str) -> str:
    return f"{where}.{path}" if path and not path.startswith("[") else f"{where}{path}"


# -- one spec, as the entry a file holds ---------------------------------------------------------------


def _entry(spec: Any) -> dict[str, Any]:
    """``spec``'s declared keys by their YAML names, as a file may write them (SI numbers stay numbers)."""
    from offloadsim.scenario.written import dist_value

    hints = typing.get_type_hints(type(spec))
    entry: dict[str, Any] = {}
    for declared in declared_keys(type(spec)):
        value = getattr(spec, declared.name)
        members = set(typing.get_args(hints[declared.name])) | {hints[declared.name]}
        if value is None:
            if declared.fallback is not None or type(None) not in members:
                raise _Refused(declared.name, "expected a value, got None")
            continue
        if isinstance(value, Dist):
            value = dist_value(value, declared.unit)
        elif Dist in members:
            raise _Refused(
                declared.name,
                "expected a distribution (offloadsim.scenario.distributions.Dist, such as Dist.fixed(x)),"
                f" got {type(value).__name__} {value!r:.40}",
            )
        elif declared.unit is not None and isinstance(value, str):
            raise _Refused(declared.name, f"expected a number, got the string {quoted(value)}{_HELD}")
        elif (
            declared.unit is not None
            and isinstance(value, numbers.Real)
            and not isinstance(value, bool | int)
        ):
            value = float(value)  # numpy's float32, say, which the reader of a file's numbers does not know
        elif isinstance(value, tuple):
            value = list(value)
        entry[declared.yaml] = value
    return entry


def _validated(model: str, entry: dict[str, Any], names: Names) -> list[Problem]:
    """The first problem the schema's ``model`` finds in ``entry``, at the spec's field names."""
    from offloadsim.scenario import schema
    from offloadsim.scenario.translate import problems_from_validation

    doc = schema.workload_doc() if model == "WorkloadDoc" else getattr(schema, model)
    try:
        doc.model_validate(entry)
    except ValidationError as error:
        first = problems_from_validation(error, "")[0]
        return [Problem("", names(_parts(first.key_path)), first.message)]
    return []


def _parts(path: str) -> tuple[Any, ...]:
    try:
        return parse_path(path) if path else ()
    except PathError:
        return (path,)


def _field_names(spec: type) -> Names:
    """A key path in ``spec``'s entry (``bandwidth``) in its field names (``bandwidth_bps``)."""
    names = {k.yaml: k.name for k in declared_keys(spec)}
    return lambda parts: format_path((names.get(parts[0]) or parts[0], *parts[1:])) if parts else ""


def _refusal(check: Callable[[], list[Problem]]) -> list[Problem]:
    try:
        return check()
    except _Refused as refused:
        return [Problem("", refused.field, refused.message)]


def _within(where: str, spec: Any) -> dict[str, Any]:
    """:func:`_entry` of ``spec``, a spec inside another at ``where``."""
    try:
        return _entry(spec)
    except _Refused as refused:
        raise _Refused(_join(where, refused.field), refused.message) from None


def _link(link: LinkSpec) -> list[Problem]:
    own = _field_names(LinkSpec)

    def names(parts: tuple[Any, ...]) -> str:
        if parts[:1] == ("between",):
            return "b" if parts[1:2] == (1,) else "a"
        return own(parts)

    return _refusal(lambda: _validated("LinkDoc", {"between": [link.a, link.b], **_entry(link)}, names))


def _node(node: NodeSpec) -> list[Problem]:
    processors = node.processors
    where = ["processor", *(f"more_processors[{i}]" for i in range(len(processors) - 1))]
    at = {p.name: where[i] for i, p in enumerate(processors) if isinstance(p, ProcessorSpec)}
    processor, power = _field_names(ProcessorSpec), _field_names(PowerSpec)

    def entry() -> dict[str, Any]:
        written: dict[str, Any] = {"tier": node.tier}
        for i, spec in enumerate(processors):
            if not isinstance(spec, ProcessorSpec):
                raise _Refused(where[i], f"expected a ProcessorSpec, got {type(spec).__name__}")
            keys = _within(where[i], spec)
            if len(processors) == 1 and spec.path == ("processor",):
                written["processor"] = keys
            else:  # a file's processors are a mapping: a name twice made two records of one processor
                held = written.setdefault("processors", {})
                if spec.name in held:
                    first = where[[q.name for q in processors].index(spec.name)]
                    raise _Refused(
                        f"{where[i]}.name",
                        f"{quoted(spec.name)} names {first} too; a node's processors need names of their own",
                    )
                held[spec.name] = keys
        if node.power is not None:
            if not isinstance(node.power, PowerSpec):
                raise _Refused("power", f"expected a PowerSpec, got {type(node.power).__name__}")
            written["power"] = _within("power", node.power)
        return written

    def names(parts: tuple[Any, ...]) -> str:
        if parts[:1] == ("processor",):
            return _join("processor", processor(parts[1:]))
        if parts[:1] == ("processors",) and parts[1:2] and parts[1] in at:
            return _join(at[parts[1]], processor(parts[2:]))
        if parts[:1] == ("power",):
            return _join("power", power(parts[1:]))
        return format_path(parts)

    problems = _refusal(lambda: _validated("NodeDoc", entry(), names))
    if problems:
        return problems
    from offloadsim.scenario.schema import NAME, NAME_RULE

    if not isinstance(node.name, str) or not re.match(NAME, node.name):
        return [Problem("", "name", f"node name {quoted(str(node.name))} {NAME_RULE}")]
    return []


def _application(app: AppSpec) -> list[Problem]:
    own = _field_names(AppSpec)

    def entry() -> dict[str, Any]:
        written = _entry(app)
        if app.model is not None:
            written["model"] = app.model
        elif app.onnx is not None:
            written["onnx"] = app.onnx
        else:
            stages = []
            for i, stage in enumerate(app.stages):
                if not isinstance(stage, StageSpec):
                    raise _Refused(f"stages[{i}]", f"expected a StageSpec, got {type(stage).__name__}")
                stages.append(_within(f"stages[{i}]", stage))
            written["stages"] = stages
        return written

    return _refusal(
        lambda: _validated(
            "AppDoc", entry(), lambda parts: format_path(parts) if parts[:1] == ("stages",) else own(parts)
        )
    )


def _workload(entry: WorkloadSpec) -> list[Problem]:
    arrivals = entry.arrivals
    mine = {k.yaml: k.name for k in declared_keys(type(arrivals))}
    own = _field_names(WorkloadSpec)

    def document() -> dict[str, Any]:
        sources = entry.sources
        return {
            "app": entry.app,
            "sources": list(sources) if isinstance(sources, tuple | list) else sources,
            "arrivals": getattr(arrivals, "kind", None),
            **_within("arrivals", arrivals),
            **_entry(entry),
        }

    def names(parts: tuple[Any, ...]) -> str:
        if parts[:1] and parts[0] in mine:
            return format_path(("arrivals", mine[parts[0]], *parts[1:]))
        return own(parts)

    return _refusal(lambda: _validated("WorkloadDoc", document(), names))


# -- across the specs: what resolve checks --------------------------------------------------------------


def _references(scenario: Scenario) -> list[Problem]:
    """Link ends, sources and hosts that name no node, applications that are not there, the clock."""
    from offloadsim.scenario.sanity import check_clock, check_endless_loops

    problems = ProblemList(scenario.source)
    names = [node.name for node in scenario.nodes]
    known = set(names)
    first: dict[str, int] = {}
    for i, name in enumerate(names):
        if first.setdefault(name, i) != i:
            problems.add(f"nodes[{i}].name", f"node {quoted(name)} is also nodes[{first[name]}]")
    for i, link in enumerate(scenario.links):
        for side in ("a", "b"):
            if getattr(link, side) not in known:
                problems.add(f"links[{i}].{side}", _no_node(getattr(link, side), known))
        if link.a == link.b:
            problems.add(
                f"links[{i}].b", f"links {quoted(link.a)} to itself; a link needs two different nodes"
            )
    for key, app in scenario.applications.items():
        at = format_path(("applications", key))
        if key != app.name:
            problems.add(
                f"{at}.name", f"expected {quoted(key)}, the application's key, got {quoted(app.name)}"
            )
        for host in app.hosts or ():
            if host not in known:
                problems.add(f"{at}.hosts", _no_node(host, known))
        for other in app.alternatives:
            if other not in scenario.applications:
                problems.add(f"{at}.alternatives", f"no application {quoted(other)}")
    for i, entry in enumerate(scenario.workload):
        if entry.app not in scenario.applications:
            apps = ", ".join(map(quoted, scenario.applications)) or "none"
            problems.add(f"workload[{i}].app", f"no application {quoted(entry.app)}; the scenario has {apps}")
        for source in entry.sources:
            if source not in known:
                problems.add(f"workload[{i}].sources", _no_node(source, known))
    if not problems:
        check_clock(scenario.warmup_s, scenario.duration_s, [e.arrivals for e in scenario.workload], problems)
        check_endless_loops(scenario.applications, scenario.workload, problems)
    renamed = {"duration": "duration_s", "warmup": "warmup_s"}
    return [Problem(p.file, renamed.get(p.key_path, p.key_path), p.message) for p in problems.problems]


def _no_node(name: object, known: set[str]) -> str:
    small = len(known) < 10_000  # a name, not a key: no scope pointer
    hint = did_you_mean_name(name, sorted(known)) if isinstance(name, str) and small else ""
    return f"no node {quoted(str(name))}{hint}"


def one_way_changes(scenario: Scenario) -> list[Problem]:
    """Links whose two directions differ where their file's entry gave one bandwidth for both.

    ``dataclasses.replace(link, bandwidth_bps=...)`` changes A→B only: the loader had filled
    ``reverse_bandwidth_bps`` from ``bandwidth``, and it keeps the old rate.  One problem, naming
    the first such link and counting the others, for a warning (a one-way link is allowed).
    """
    entries = scenario.document.get("links")
    written = entries if isinstance(entries, list) else []
    changed = [
        (i, link)
        for i, link in enumerate(scenario.links)
        if link.bandwidth_bps != link.reverse_bandwidth_bps
        and 0 <= link.index < len(written)
        and isinstance(written[link.index], dict)
        and "reverse_bandwidth" not in written[link.index]
    ]
    if not changed:
        return []
    i, link = changed[0]
    more = f" (and {len(changed) - 1} more links)" if len(changed) > 1 else ""
    return [
        Problem(
            scenario.source,
            f"links[{i}]",
            f"bandwidth_bps {link.bandwidth_bps:g} and reverse_bandwidth_bps {link.reverse_bandwidth_bps:g}"
            f" bit/s differ, where the file's links[{link.index}] gave one bandwidth for both{more}: a"
            " replaced bandwidth_bps changes A->B only; replace both, or load the scenario with"
            f" overrides=['links[{link.index}].bandwidth=...'], which sets both",
        )
    ]
