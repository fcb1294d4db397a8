"""A resolved scenario written back as a scenario document (what ``validate --show`` prints).

The loader turns a file into a :class:`~offloadsim.scenario.model.Scenario`;
:func:`resolved_scenario` goes the other way, writing only keys the scenario
format accepts, each quantity as a string in its SI unit (``"0.003 s"``,
``"20000000.0 bit/s"``: a unit, so no plain-number check warns of it, and the
unit's factor 1, so the value reads back to the same float), distributions and
files read (samples, traces, ONNX models) resolved to absolute paths, and the sources and hosts
patterns as the nodes they matched.  Reloading it gives the same world.

Some parts are kept as the document wrote them, because expanding them would
change what they mean or only their reader knows them: node groups stay one
entry with their ``count`` and links one entry per ``links[]`` entry, with its
``between`` as written (``links[i]``, and the dynamics that name a group or an
entry, keep their meaning); ``dynamics`` entries, the policy's parameters and
an application's ``params`` are read by their kind, policy and model builder,
which alone know their units.  Comment lines say so (:data:`AS_WRITTEN`), and
say where a calibrated profile found in the scenario's folder is (it keeps its
name: the records name it so), and which value a plug-in made that no scenario
key can hold (an arrival process's own object), given as the file wrote it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from offloadsim.scenario.distributions import Dist
from offloadsim.scenario.input_hashes import input_files
from offloadsim.scenario.keys import declared_keys
from offloadsim.scenario.model import SOURCE_HOST, AppSpec, LinkSpec, NodeSpec, Scenario

__all__ = ["AS_WRITTEN", "SI_UNITS", "dist_value", "resolved_scenario"]

#: The unit each quantity is written in: its SI unit, as the scenario format spells it (factor 1).
SI_UNITS = {
    "time": "s",
    "size": "B",
    "bandwidth": "bit/s",
    "rate": "/s",
    "power": "W",
    "energy": "J",
    "work": "FLOP",
    "speed": "FLOP/s",
    "byte_rate": "B/s",
    "length": "m",
    "velocity": "m/s",
    "frequency": "Hz",
    "level": "dBm",
    "gain": "dB",
}

#: What the resolved document keeps as written, said in comment lines above it.
AS_WRITTEN = (
    "node groups stay one entry with their count, and links one entry per links[] entry with its"
    " between as written, so that links[i] and the dynamics that name a group or an entry mean"
    " what they meant",
    "dynamics entries, the policy's parameters and applications' params are as written (files made"
    " absolute): their kind, the policy and the model builder read them, and only they know their units",
)


def _local_profiles(scenario: Scenario) -> list[str]:
    """A line for each profile found in the scenario's folder, which a copy elsewhere would not find.

    The profile stays named as written (records name it so); the line says where to point
    ``OFFLOADSIM_PROFILE_PATH`` for the copy to find it.
    """
    base = (Path(scenario.base_dir) if scenario.base_dir else Path.cwd()).resolve()
    lines = []
    for item in input_files(scenario):
        found = Path(item.path).resolve()
        if item.key.endswith(".profile") and found.is_relative_to(base):
            lines.append(
                f"{item.key}: found as {found}; saved elsewhere, it is found with"
                f" OFFLOADSIM_PROFILE_PATH={found.parent}"
            )
    return lines


class _Unwritable(Exception):
    """A value no scenario key can hold (a plug-in's own object): written as the file wrote it."""


def resolved_scenario(scenario: Scenario) -> tuple[dict[str, Any], list[str]]:
    """``scenario`` as a scenario document that loads back to the same world, and its comment lines.

    The lines say what is kept as written (:data:`AS_WRITTEN`), where a profile found in the
    scenario's folder is, and each value a plug-in made that cannot be written back, which is
    then given as the file wrote it.
    """
    notes = [*AS_WRITTEN, *_local_profiles(scenario)]
    base = Path(scenario.base_dir) if scenario.base_dir else Path.cwd()
    document: dict[str, Any] = {"name": scenario.name}
    if scenario.description:
        document["description"] = scenario.description
    document["seed"] = scenario.seed
    document["duration"] = _quantity(scenario.duration_s, "time")
    document["warmup"] = _quantity(scenario.warmup_s, "time")
    document["nodes"] = _nodes(scenario)
    document["links"] = _links(scenario)
    document["applications"] = {name: _application(app) for name, app in scenario.applications.items()}
    written = scenario.document.get("workload")
    entries = written if isinstance(written, list) else []
    document["workload"] = [_workload(entry, entries, notes) for entry in scenario.workload]
    document["policy"] = _policy(scenario, notes)
    document["network"] = {"model": scenario.link_model, **_link_parameters(scenario.link_parameters)}
    if scenario.dynamics:
        document["dynamics"] = [
            _value(_absolute_files(dict(entry), base), None) for entry in scenario.dynamics
        ]
    if scenario.recovery is not None:
        document["recovery"] = _keys(scenario.recovery)
    if scenario.skip_checks:
        document["skip_checks"] = list(scenario.skip_checks)
    return document, notes


def _link_parameters(parameters: Any) -> dict[str, Any]:
    """The link model's keys as the format writes them (none for a model without parameters)."""
    if parameters is None:
        return {}
    return {k.yaml: _quantity(getattr(parameters, k.name), k.unit) for k in declared_keys(type(parameters))}


def _quantity(value: float, unit: str | None) -> Any:
    """An SI value as the format writes it: a string with its SI unit, or the plain number."""
    if unit is None or unit not in SI_UNITS or isinstance(value, bool):
        return value
    return f"{float(value)!r} {SI_UNITS[unit]}"


def dist_value(dist: Dist, unit: str | None) -> Any:
    """A distribution in the format's form, each value in its SI unit (what a file writes for it)."""

    def one(value: float) -> Any:
        if unit == "tokens":
            return int(value) if float(value).is_integer() else value
        return _quantity(value, unit)

    params = dist.params
    if dist.kind == "deterministic":
        return one(params[0])
    if dist.kind == "exponential":
        return {"exponential": {"mean": one(params[0])}}
    if dist.kind == "lognormal":
        return {"lognormal": {"mean": one(params[0]), "sigma": params[1]}}
    if dist.kind == "uniform":
        return {"uniform": {"low": one(params[0]), "high": one(params[1])}}
    return {"empirical": [one(value) for value in params]}


def _value(value: Any, unit: str | None) -> Any:
    """One key's value as plain YAML-safe data in the format's units."""
    if isinstance(value, Dist):
        return dist_value(value, unit)
    if isinstance(value, float | int) and not isinstance(value, bool):
        return _quantity(value, unit)
    if isinstance(value, tuple | list):
        return [_value(item, None) for item in value]
    if isinstance(value, Mapping):
        return {str(k): _value(v, None) for k, v in value.items()}
    if value is None or isinstance(value, str | bool):
        return value
    raise _Unwritable(type(value).__name__)


def _keys(spec: Any) -> dict[str, Any]:
    """The declared keys of ``spec`` (a frozen dataclass) that are set, by their YAML names."""
    return {
        declared.yaml: _value(getattr(spec, declared.name), declared.unit)
        for declared in declared_keys(type(spec))
        if getattr(spec, declared.name) is not None
    }


def _nodes(scenario: Scenario) -> dict[str, Any]:
    groups: dict[str, list[NodeSpec]] = {}
    for node in scenario.nodes:
        groups.setdefault(node.group, []).append(node)
    nodes: dict[str, Any] = {}
    for group, members in groups.items():
        first = members[0]
        entry: dict[str, Any] = {}
        if not (len(members) == 1 and first.name == group):
            entry["count"] = len(members)
        entry["tier"] = first.tier
        processors = first.processors
        if len(processors) == 1 and processors[0].path == ("processor",):
            entry["processor"] = _keys(processors[0])
        elif processors:
            entry["processors"] = {p.name: _keys(p) for p in processors}
        if first.power is not None:
            entry["power"] = _keys(first.power)
        nodes[group] = entry
    return nodes


def _links(scenario: Scenario) -> list[dict[str, Any]]:
    entries = scenario.document.get("links")
    written = entries if isinstance(entries, list) else []
    first: dict[int, LinkSpec] = {}
    for link in scenario.links:
        first.setdefault(link.index, link)
    links: list[dict[str, Any]] = []
    for index, entry in enumerate(written):
        found = first.get(index)
        if found is None:  # an entry that linked no pair (a mesh of one node): as written
            links.append(dict(entry))
            continue
        links.append({"between": list(entry["between"]), **_keys(found)})
    return links


def _application(app: AppSpec) -> dict[str, Any]:
    written: dict[str, Any] = {}
    if app.model is not None:
        written["model"] = app.model
    elif app.onnx is not None:
        written["onnx"] = str(Path(app.onnx).resolve())
    else:
        written["stages"] = [_keys(stage) for stage in app.stages]
    written.update(_keys(app))
    for size in ("input", "output"):  # 0, the default, is an LLM's only (it refuses the keys)
        if getattr(app, size) == Dist.fixed(0.0):
            written.pop(size)
    if not app.model_params:
        written.pop("params", None)
    if not app.alternatives:
        written.pop("alternatives", None)
    if app.hosts is not None:
        own = getattr(app.hosts, "own", ())
        written["hosts"] = [node for node in app.hosts if node not in own] + ([SOURCE_HOST] if own else [])
    return written


def _workload(entry: Any, entries: list[Any], notes: list[str]) -> dict[str, Any]:
    arrivals = entry.arrivals
    written: dict[str, Any] = {"app": entry.app, "sources": list(entry.sources), "arrivals": arrivals.kind}
    as_written = entries[entry.index] if entry.index < len(entries) else {}
    for declared in declared_keys(type(arrivals)):
        value = getattr(arrivals, declared.name)
        if value is None:
            continue
        if declared.unit is None and isinstance(value, str) and value in arrivals.input_files().values():
            value = str(Path(value).resolve())  # a file it read, as the process resolved it
        try:
            written[declared.yaml] = _value(value, declared.unit)
        except _Unwritable as error:
            written[declared.yaml] = as_written.get(declared.yaml)
            notes.append(
                f"workload[{entry.index}].{declared.yaml}: as written: arrivals {arrivals.kind} made it a"
                f" {error} the scenario format cannot hold"
            )
    written.update(_keys(entry))
    return written


def _policy(scenario: Scenario, notes: list[str]) -> dict[str, Any]:
    """The policy's name and parameters (as written: the policy alone knows them)."""
    policy: dict[str, Any] = {"name": scenario.policy.name}
    written = scenario.document.get("policy")
    for name, value in scenario.policy.params.items():
        try:
            policy[name] = _value(value, None)
        except _Unwritable as error:
            policy[name] = written.get(name) if isinstance(written, Mapping) else None
            notes.append(
                f"policy.{name}: as written: the policy made it a {error} the scenario format cannot hold"
            )
    return policy


def _absolute_files(entry: dict[str, Any], base: Path) -> dict[str, Any]:
    """A dynamics entry with its ``file`` and ``{empirical: FILE}`` made absolute (they are relative)."""
    if isinstance(entry.get("file"), str):
        entry["file"] = str((base / entry["file"]).resolve())

    def walk(value: Any) -> Any:
        if isinstance(value, Mapping):
            if len(value) == 1 and isinstance(value.get("empirical"), str):
                return {"empirical": str((base / value["empirical"]).resolve())}
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(item) for item in value]
        return value

    return {k: walk(v) for k, v in entry.items()}
