"""Turn a schema-valid document into the resolved :class:`Scenario`, checking what refers to what.

Groups are expanded into nodes, patterns into node lists, traces read;
names that refer to nothing, duplicate nodes or links, sources that cannot
reach any processor and sizes too large to build are reported with their
key paths, all at once.  Data flows one way: what the world holds (profiles
and the files they are read from, the registries of link models and kinds)
is checked when the world is built (:func:`offloadsim.world.build_world`),
which ``validate`` and ``run`` both do.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from numbers import Real
from pathlib import Path
from typing import TYPE_CHECKING, Any

from offloadsim.scenario.arrivals import ArrivalContext, ArrivalProcess, arrival_process
from offloadsim.scenario.arrivals.returns import returned, returns_problems
from offloadsim.scenario.distributions import Dist
from offloadsim.scenario.errors import (
    ProblemList,
    did_you_mean_key,
    did_you_mean_name,
    first_repeat,
    format_path,
    given_twice,
    key_path,
    name_problem,
    yaml_text,
)
from offloadsim.scenario.keys import declared_keys, spec_values
from offloadsim.scenario.link_models import link_model_parameters
from offloadsim.scenario.model import (
    SOURCE_HOST,
    AppSpec,
    LinkSpec,
    NodeNames,
    NodeSpec,
    PolicySpec,
    PowerSpec,
    ProcessorSpec,
    RecoverySpec,
    Scenario,
    StageSpec,
    WorkloadSpec,
    stamped,
)
from offloadsim.scenario.patterns import NodeIndex, expand_group, member_of, unique_pair_count, unlike_member
from offloadsim.scenario.refusal import check_memory, rows_refusal
from offloadsim.scenario.sanity import check_clock, check_endless_loops, check_warmup, least_service
from offloadsim.scenario.schema import NAME, NAME_RULE, AppDoc, NodeDoc, ScenarioDoc
from offloadsim.scenario.size import (
    MAX_LINKS,
    MAX_NODES,
    Footprint,
    SetBy,
    expected_arrivals,
    measured_window,
    output_tokens_per_task,
    stages_per_task,
)
from offloadsim.suggest import did_you_mean_file, quoted, quoted_listing

if TYPE_CHECKING:
    from offloadsim.scenario.schema import WorkloadDoc

__all__ = ["resolve", "spaced_entry", "MAX_NODES", "MAX_LINKS"]

_ZERO = Dist.fixed(0.0)


def resolve(
    doc: ScenarioDoc,
    raw: Mapping[str, Any],
    file: str,
    base_dir: Path,
    set_by: Mapping[str, SetBy] | None = None,
) -> Scenario:
    """The :class:`Scenario` described by ``doc`` (validated) and ``raw`` (the plain document).

    ``set_by``: the keys given outside the file (``--set``, a sweep), which a
    size refusal names when they are what made the scenario large.
    """
    problems = ProblemList(file)
    index = NodeIndex(_node_groups(doc, problems))
    processes = [_arrival_process(entry) for entry in doc.workload]
    check_clock(doc.warmup, doc.duration, processes, problems)
    problems.raise_if_any()  # later checks need a sound set of nodes and a clock that can advance
    footprint, entry_tasks = _footprint(doc, processes, index, problems, set_by or {})
    problems.raise_if_any()  # too large: refused before anything big is built
    nodes = tuple(_node_specs(doc))
    links = _links(doc, index, problems)
    _check_application_names(doc.applications, problems)
    applications = {
        name: _application(name, app, _onnx_key(raw, name), base_dir, problems)
        for name, app in doc.applications.items()
    }
    _check_alternatives(applications, problems)
    _check_context(applications, problems)
    applications = _resolve_hosts(doc, raw, applications, index, nodes, problems)
    workload = tuple(
        _workload(
            i, entry, processes[i], raw, index, applications, base_dir, problems, footprint, entry_tasks
        )
        for i, entry in enumerate(doc.workload)
    )
    malformed = [(i, said) for i, entry in enumerate(workload) for said in returns_problems(entry.arrivals)]
    for i, message in malformed:  # what the closed-loop count below reads, and the run's readers after it
        problems.add(f"workload[{i}].arrivals", message)
    if malformed:
        problems.raise_if_any()  # served_arrivals reads closed_loop(): not a malformed one
    footprint = _with_traces(footprint, entry_tasks, workload, applications)
    footprint = _with_closed_loops(
        doc, footprint, entry_tasks, index, workload, applications, nodes, problems
    )
    if not problems:
        _check_reachability(nodes, links, workload, problems)
    check_endless_loops(applications, workload, problems)
    policy = _policy(doc, raw, problems)
    problems.raise_if_any()
    document = _plain(raw)
    # The entries as the document holds them (``doc.dynamics`` passes them through, as
    # ``dict[str, Any]``), not copied a second time: a schedule of 500,000 steps took a second
    # more (docs/performance.md, "Long schedules").
    dynamics = document.get("dynamics", [])
    scenario = Scenario(
        name=doc.name,
        nodes=nodes,
        links=links,
        applications=applications,
        workload=workload,
        policy=policy,
        seed=doc.seed,
        duration_s=doc.duration,
        warmup_s=doc.warmup,
        description=doc.description,
        source=file,
        document=document,
        base_dir=str(base_dir),
        link_model=doc.network.model,
        link_parameters=_link_parameters(doc),
        dynamics=tuple(dynamics),
        recovery=_recovery(doc),
        footprint=footprint,
        skip_checks=tuple(doc.skip_checks),
    )
    return stamped(scenario)  # its document and fields as loaded: a dataclasses.replace is told from them


def _link_parameters(doc: ScenarioDoc) -> Any:
    """The link model's parameters from ``network`` (None for a model that takes none, or unknown)."""
    try:
        parameters = link_model_parameters(doc.network.model)
    except LookupError:  # an unknown model: the world says so at network.model, with the choices
        return None
    return parameters(**spec_values(parameters, doc.network)) if parameters is not None else None


def _recovery(doc: ScenarioDoc) -> RecoverySpec | None:
    """The top-level ``recovery`` key, if given."""
    return RecoverySpec(**spec_values(RecoverySpec, doc.recovery)) if doc.recovery is not None else None


# -- nodes ---------------------------------------------------------------------------------------------


def _node_groups(doc: ScenarioDoc, problems: ProblemList) -> dict[str, list[str]]:
    total = sum(node.count or 1 for node in doc.nodes.values())
    if total > MAX_NODES:
        problems.add("nodes", f"{total:,} nodes in total; the limit is {MAX_NODES:,}")
        return {}
    groups: dict[str, list[str]] = {}
    owner: dict[str, str] = {}
    counts = {name: node.count for name, node in doc.nodes.items()}
    for group, node in doc.nodes.items():
        path = format_path(("nodes", group))
        if not re.match(NAME, group):
            problems.add(path, f"node name {quoted(group)} {NAME_RULE}")
            continue
        names = expand_group(group, node.count)
        clashes = [name for name in names if name in owner]
        for name in clashes[:3]:
            counted = member_of(name, counts)
            also = f"node {quoted(name)} is also made by {format_path(('nodes', owner[name]))}"
            problems.add(
                path, also if counted is None else f"{also}: {unlike_member(name, counted, counts[counted])}"
            )
        owner.update((name, group) for name in names)
        groups[group] = names
    return groups


def _node_specs(doc: ScenarioDoc) -> Iterable[NodeSpec]:
    """Each node of each group, with its processors and power (profiles are the world's to find)."""
    for group, node in doc.nodes.items():
        processors = [
            ProcessorSpec(name, path=path, **spec_values(ProcessorSpec, processor))
            for name, path, processor in _processor_docs(node)
        ]
        power = PowerSpec(**spec_values(PowerSpec, node.power)) if node.power is not None else None
        first, more = (processors[0], tuple(processors[1:])) if processors else (None, ())
        for name in expand_group(group, node.count):
            yield NodeSpec(name, group, node.tier, first, power, more)


def _processor_docs(node: NodeDoc) -> list[tuple[str, tuple[str, ...], Any]]:
    """``(name, key path under the node, document)`` of each processor the node declares, first first."""
    if node.processor is not None:
        return [("cpu", ("processor",), node.processor)]
    return [(name, ("processors", name), doc) for name, doc in (node.processors or {}).items()]


# -- links ---------------------------------------------------------------------------------------------


def _links(doc: ScenarioDoc, index: NodeIndex, problems: ProblemList) -> tuple[LinkSpec, ...]:
    links: list[LinkSpec] = []
    linked_by: dict[tuple[str, str], int] = {}
    for i, link in enumerate(doc.links):
        path = f"links[{i}].between"
        sides = [index.match(pattern) for pattern in link.between]
        for j, (pattern, side) in enumerate(zip(link.between, sides, strict=True)):
            if not side:
                problems.add(f"{path}[{j}]", index.no_match(pattern))
        if not all(sides):
            continue
        pairs = unique_pair_count(sides[0], sides[1])
        if pairs == 0:
            problems.add(
                path, f"links {quoted(sides[0][0])} only to itself; a link needs two different nodes"
            )
            continue
        keys = spec_values(LinkSpec, link)
        duplicates: list[tuple[str, str, int]] = []
        for a in sides[0]:
            for b in sides[1]:
                if a == b:
                    continue
                key = (a, b) if a < b else (b, a)
                first = linked_by.get(key)
                if first is None:
                    linked_by[key] = i
                    links.append(LinkSpec(a, b, index=i, **keys))
                elif first != i:
                    duplicates.append((a, b, first))
        if duplicates:
            a, b, first = duplicates[0]
            more = f" (and {len(duplicates) - 1} more pairs)" if len(duplicates) > 1 else ""
            problems.add(path, f"{quoted(a)} and {quoted(b)} are already linked by links[{first}]{more}")
    return tuple(links)


# -- size ----------------------------------------------------------------------------------------------


def _expected(
    process: ArrivalProcess, sources: int, window_s: float, problems: ProblemList, path: str
) -> float:
    """:func:`expected_arrivals` of ``process``; a plug-in's count that is not a number said at ``path``.

    A plug-in whose ``expected_arrivals`` returned what is not a number at least 0 (a string,
    NaN) was an internal error of offloadsim (exit 1) from the memory estimate; it is said once,
    and counts 0.  One that raises is said by ``arrival_faults`` as every such exception is.
    """
    count = expected_arrivals(process, sources, window_s)
    if isinstance(count, Real) and count >= 0:
        return float(count)
    message = returned(process, count, "expected_arrivals", "a number of arrivals, at least 0")
    if not any(p.key_path == path and p.message == message for p in problems.problems):
        problems.add(path, message)
    return 0.0


def _footprint(
    doc: ScenarioDoc,
    processes: list[ArrivalProcess],
    index: NodeIndex,
    problems: ProblemList,
    set_by: Mapping[str, SetBy],
) -> tuple[Footprint, list[float]]:
    """Count what the scenario will hold; refuse it past the limits or the memory available.

    Also the measured tasks of each workload entry (a trace's are counted
    where it is read, and added to the list then).
    """
    links = 0
    widest: tuple[int, str] = (0, "")  # the links entry with the most pairs
    for i, link in enumerate(doc.links):
        sides = [index.match(pattern) for pattern in link.between]
        pairs = unique_pair_count(sides[0], sides[1])
        if links + pairs > MAX_LINKS:
            before = f" (after {links:,} from the entries before it)" if links else ""
            problems.add(
                f"links[{i}].between",
                f"expands to {pairs:,} node pairs{before}; the limit is {MAX_LINKS:,} links in all",
            )
            return Footprint(), []
        links += pairs
        widest = max(widest, (pairs, f"links[{i}].between"))
    entry_tasks = []
    entry_sources: list[dict[str, None]] = []
    warmup_tasks = 0.0
    for i, (entry, process) in enumerate(zip(doc.workload, processes, strict=True)):
        sources = dict.fromkeys(name for pattern in entry.sources for name in index.match(pattern))
        entry_sources.append(sources)
        start, stop = entry.start, entry.stop
        window = measured_window(start, stop, doc.warmup, doc.warmup + doc.duration)
        entry_tasks.append(_expected(process, len(sources), window, problems, f"workload[{i}].arrivals"))
        warm = measured_window(start, stop, 0.0, doc.warmup)  # the warm-up: [0, warmup)
        warmup_tasks += _expected(process, len(sources), warm, problems, f"workload[{i}].arrivals")
    check_warmup(warmup_tasks, problems)
    computing = sum(
        len(members) for group, members in index.groups.items() if _processor_docs(doc.nodes[group])
    )
    processor_rows = sum(
        len(members) * len(_processor_docs(doc.nodes[group])) for group, members in index.groups.items()
    )
    # The metrics' utilisation_<tier>_<processor>: a (tier, processor name) of each tier where a node has
    # several processors (analysis.summary.processor_metrics).
    named = [
        (doc.nodes[group].tier, [p[0] for p in _processor_docs(doc.nodes[group])]) for group in index.groups
    ]
    several = {tier for tier, names in named if len(names) > 1}
    metric_columns = len({(tier, name) for tier, names in named if tier in several for name in names})
    keys = _size_keys(processes, index, entry_tasks, entry_sources, widest[1])
    footprint = Footprint(
        len(index.names),
        computing,
        links,
        sum(entry_tasks),
        keys=keys,
        set_by=tuple(set_by.items()),
        processor_rows=processor_rows,
        processor_metrics=metric_columns,
    )
    check_memory(footprint, problems)
    return footprint, entry_tasks


def _size_keys(
    processes: list[ArrivalProcess],
    index: NodeIndex,
    entry_tasks: list[float],
    entry_sources: list[dict[str, None]],
    widest_link: str,
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """By part of the footprint, the keys that set its size, for a refusal to name.

    Tasks: ``duration``, the arrival key of the entry that makes the most
    (``rate``, ``period``, ``users``, ``trace``) and the counts of the groups
    its sources are in; nodes: the counts of the largest groups; links: the
    entry that expands to the most pairs.
    """

    def counts(groups: Iterable[str]) -> list[str]:
        sized = [group for group in groups if len(index.groups.get(group, ())) > 1]
        sized.sort(key=lambda group: -len(index.groups[group]))
        return [format_path(("nodes", group, "count")) for group in sized[:2]]

    tasks = ["duration"]
    if entry_tasks:
        i = max(range(len(entry_tasks)), key=entry_tasks.__getitem__)
        tasks += [f"workload[{i}].{key.yaml}" for key in list(declared_keys(type(processes[i])))[:1]]
        sources = entry_sources[i]
        tasks += counts(group for group, members in index.groups.items() if members[0] in sources)
    links = (widest_link,) if widest_link else ()
    return (("workload", tuple(tasks)), ("nodes", tuple(counts(index.groups))), ("links", links))


def _with_traces(
    footprint: Footprint,
    entry_tasks: list[float],
    workload: tuple[WorkloadSpec, ...],
    applications: Mapping[str, AppSpec],
) -> Footprint:
    """``footprint`` with the tasks of traces (counted as read) and the stages its tasks record."""
    stages = sum(
        tasks * stages_per_task(applications[entry.app], applications, transfers=footprint.links > 0)
        for tasks, entry in zip(entry_tasks, workload, strict=True)
        if entry.app in applications
    )
    traced = sum(entry_tasks) - footprint.tasks  # a trace's tasks, held in memory
    return replace(footprint, tasks=footprint.tasks + traced, held=traced, stages=stages)


def _with_closed_loops(
    doc: ScenarioDoc,
    footprint: Footprint,
    entry_tasks: list[float],
    index: NodeIndex,
    workload: tuple[WorkloadSpec, ...],
    applications: Mapping[str, AppSpec],
    nodes: tuple[NodeSpec, ...],
    problems: ProblemList,
) -> Footprint:
    """``footprint`` counting each closed loop's requests by its cycle, checked again (warm-up, memory).

    :func:`_footprint` counts a closed loop's users once each, before the
    applications are read; where a request's least service is known
    (:func:`least_service`), the think time and that service bound how often
    the users send (``ArrivalProcess.served_arrivals``): ``think: 1 ns`` over work
    of a nanosecond is about 10^9 requests a second, which the checks now see.
    The warm-up is checked again here with the output tokens its LLM requests
    decode (:func:`check_warmup`), which need the applications too.
    """
    end = doc.warmup + doc.duration
    recovery = _recovery(doc)
    timeout = recovery.timeout_s if recovery is not None and recovery.timeout_s is not None else math.inf
    tasks, warm, tokens, stages, bounded = list(entry_tasks), 0.0, 0.0, footprint.stages, set()

    @functools.cache
    def served_of(app: str) -> tuple[float, int] | None:
        return _least_service(applications.get(app), nodes, timeout)

    for i, entry in enumerate(workload):
        process, sources = entry.arrivals, len(entry.sources)
        spans = ((doc.warmup, end), (0.0, doc.warmup))  # measured, then the warm-up
        windows = [measured_window(entry.start_s, entry.stop_s, *span) for span in spans]
        counted = [
            _expected(process, sources, window, problems, f"workload[{i}].arrivals") for window in windows
        ]
        service = functools.partial(served_of, entry.app)
        found = [process.served_arrivals(sources, window, service) for window in windows]
        bound = [n for n in found if n is not None]
        if len(bound) == len(found):
            tasks[i] += bound[0] - counted[0]
            stages += (bound[0] - counted[0]) * stages_per_task(
                applications[entry.app], applications, transfers=footprint.links > 0
            )
            if bound != counted:
                bounded.add(i)
            counted = bound
        warm += counted[1]
        if entry.app in applications:
            app = applications[entry.app]
            tokens += counted[1] * min(
                output_tokens_per_task(app, applications), _context_window(app, applications)
            )
    # _footprint counted the warm-up's requests before the applications were read: their tokens now
    check_warmup(warm, problems, tokens)
    if not bounded:
        return footprint
    processes = [entry.arrivals for entry in workload]
    by_entry = [dict.fromkeys(entry.sources) for entry in workload]
    keys = dict(footprint.keys)
    (_, workload_keys), *_ = _size_keys(processes, index, tasks, by_entry, "")
    heaviest = max(range(len(tasks)), key=tasks.__getitem__)
    if heaviest in bounded:  # its think time sets how often its users send: named first
        workload_keys = (workload_keys[0], f"workload[{heaviest}].think", *workload_keys[1:])
    keys["workload"] = workload_keys
    extra = sum(tasks) - sum(entry_tasks)
    counted_footprint = replace(
        footprint, tasks=footprint.tasks + extra, stages=stages, keys=tuple(keys.items())
    )
    check_memory(counted_footprint, problems)
    return counted_footprint


def _least_service(
    app: AppSpec | None, nodes: tuple[NodeSpec, ...], timeout_s: float
) -> tuple[float, int] | None:
    """An application's requests' least mean service and the cores serving them; None if not known.

    See :func:`least_service` (it walks the nodes: asked once per application, and only by a
    process whose arrivals wait on their service); a request that times out
    (``recovery.timeout``) ends then.
    """
    served = None if app is None else least_service(app, nodes)
    return None if served is None else (min(served[0], timeout_s), served[1])


# -- applications --------------------------------------------------------------------------------------


def _resolve_hosts(
    doc: ScenarioDoc,
    raw: Mapping[str, Any],
    applications: dict[str, AppSpec],
    index: NodeIndex,
    nodes: tuple[NodeSpec, ...],
    problems: ProblemList,
) -> dict[str, AppSpec]:
    """Expand each application's ``hosts`` patterns into node names; some must have a processor.

    Hosts that are all network nodes (``hosts: ap-*``) would leave no node to run the
    application's layers: every request dropped, in a run that otherwise looks sound.
    """
    resolved = {}
    computing: set[str] | None = None  # found once, and only for a scenario with hosts
    for name, app in applications.items():
        patterns = doc.applications[name].hosts
        if patterns is None:
            resolved[name] = app
            continue
        written = raw["applications"][name]
        single = isinstance(written, Mapping) and isinstance(written.get("hosts"), str)
        path = format_path(("applications", name, "hosts"))
        hosts = _matched([p for p in patterns if p != SOURCE_HOST], index, path, single, problems, patterns)
        own: list[str] = []
        if SOURCE_HOST in patterns:  # each requesting node hosts its own requests, and no one else's
            own = [node for node in _requesters(doc, name, index) if node not in hosts]
            hosts.update(dict.fromkeys(own))
        if computing is None:
            computing = {node.name for node in nodes if node.processor is not None}
        if hosts and computing.isdisjoint(hosts):
            problems.add(
                path,
                f"matches no node with a processor ({quoted_listing(hosts)}: none computes), "
                f"so no request of {quoted(name)} could be served; name nodes that compute",
            )
        resolved[name] = replace(app, hosts=NodeNames.owning(hosts, own))
    return resolved


def _requesters(doc: ScenarioDoc, app: str, index: NodeIndex) -> dict[str, None]:
    """The sources of the requests ``app`` may serve: its own entries' and those of apps it stands in for."""
    serves = {app, *(name for name, spec in doc.applications.items() if app in (spec.alternatives or ()))}
    return {
        node: None
        for entry in doc.workload
        if entry.app in serves
        for p in entry.sources
        for node in index.match(p)
    }


def _matched(
    patterns: Sequence[str],
    index: NodeIndex,
    path: str,
    single: bool,
    problems: ProblemList,
    written: Sequence[str] | None = None,
) -> dict[str, None]:
    """The nodes ``patterns`` (the list at ``path``) match, each once in order; one matching none: a problem.

    ``single``: the file wrote one pattern, not a list, so a problem names ``path`` and not ``path[0]``.
    ``written``: the list as written, where ``patterns`` leaves some of it out (a problem names its index).
    """
    nodes: dict[str, None] = {}  # ordered and de-duplicated in linear time
    for j, pattern in enumerate(patterns):
        matched = index.match(pattern)
        if not matched:
            at = j if written is None else list(written).index(pattern)
            problems.add(path if single else f"{path}[{at}]", index.no_match(pattern))
        nodes.update(dict.fromkeys(matched))
    return nodes


def _check_application_names(names: Iterable[str], problems: ProblemList) -> None:
    """An application's name is what records, tables and notes call its requests by: printable, not blank.

    ``"": {model: resnet50}`` ran, its requests the ``app`` "" of the records and "(classify, )" of a note.
    """
    for name in names:
        path = format_path(("applications", name))
        if not name.strip():
            problems.add(path, f"expected an application name, got {quoted(name)}")
        elif (problem := name_problem(name)) is not None:
            problems.add(path, problem)


def _check_alternatives(applications: dict[str, AppSpec], problems: ProblemList) -> None:
    """Alternatives must name other model applications, of the same kind (LLM or not)."""
    if not any(app.alternatives for app in applications.values()):
        return  # and the model zoo, imported with the LLM configurations, is not needed
    from offloadsim.models import list_models
    from offloadsim.models.zoo.llm import LLM_CONFIGS

    zoo = {None, *list_models()}  # None: an ONNX file's application, not an LLM
    for name, app in applications.items():
        if (twice := first_repeat(app.alternatives)) is not None:  # [m, m] was taken as m offered twice
            shown = quoted(app.alternatives[twice[0]])
            problems.add(
                format_path(("applications", name, "alternatives", twice[1])),
                f"{given_twice(shown, shown)}: each application is an alternative once",
            )
        for i, other in enumerate(app.alternatives):
            path = format_path(("applications", name, "alternatives", i))
            if other not in applications:
                known = ", ".join(applications)
                problems.add(
                    path,
                    f"unknown application {quoted(other)}"
                    f"{did_you_mean_name(other, applications)}; known: {known}",
                )
            elif other == name:
                problems.add(path, "an application cannot be its own alternative")
            elif app.synthetic or applications[other].synthetic:
                problems.add(
                    path,
                    f"alternatives must be models: {quoted(name)} and {quoted(other)} must both name a model",
                )
            elif {app.model, applications[other].model} <= zoo and (app.model in LLM_CONFIGS) != (
                applications[other].model in LLM_CONFIGS
            ):  # an unknown model is said at its own key: whether it is an LLM cannot be known
                problems.add(path, f"{quoted(name)} and {quoted(other)} must both be LLMs, or neither")


def _check_context(applications: dict[str, AppSpec], problems: ProblemList) -> None:
    """Refuse LLM requests longer than the model's context window: its cost would be extrapolated.

    The prompt and output tokens a request may draw (their largest values, or their means for an
    unbounded distribution) must fit the context of the model that serves it and of each of its
    alternatives.  The engine rounds each draw to a whole number, as here, and cuts the rare draw
    of an unbounded distribution past the window to fit (``offloadsim.engine.llm``).
    """
    if not any(app.model for app in applications.values()):
        return  # no model: the zoo (imported with the LLM configurations) is not needed
    from offloadsim.models.zoo.llm import LLM_CONFIGS

    for name, app in applications.items():
        prompt = app.prompt_tokens or Dist.fixed(128)  # the engine's defaults (offloadsim.engine.llm)
        output = app.output_tokens or Dist.fixed(64)
        bounded = math.isfinite(prompt.maximum) and math.isfinite(output.maximum)
        longest = (
            max(1, round(prompt.maximum)) + max(1, round(output.maximum))
            if bounded
            else round(prompt.mean + output.mean)
        )
        served = [(app.model, "")] + [
            (applications[other].model, f" (served by its alternative {quoted(other)})")
            for other in app.alternatives
            if other in applications
        ]
        for model, how in served:
            config = LLM_CONFIGS.get(model or "")
            if config is None or longest <= config.max_context:
                continue
            drawn = "reach" if bounded else "reach on average"
            key = _longer_tokens(app)
            problems.add(
                format_path(("applications", name, key)),
                f"{config.name} holds at most {config.max_context:,} tokens of context{how}; its prompt "
                f"and output tokens {drawn} {longest:,}",
            )
            break


def _context_window(app: AppSpec, applications: Mapping[str, AppSpec]) -> float:
    """The most tokens a request of ``app`` is served: the shortest window of the LLMs that may serve it.

    The engine cuts a draw past it to fit, so no request decodes more output tokens than this
    (``math.inf`` where no model that serves it is a known LLM).
    """
    if not app.model:
        return math.inf
    from offloadsim.models.zoo.llm import LLM_CONFIGS

    served = [app.model, *(applications[name].model for name in app.alternatives if name in applications)]
    return min(
        (LLM_CONFIGS[m].max_context for m in served if m is not None and m in LLM_CONFIGS), default=math.inf
    )


def _longer_tokens(app: AppSpec) -> str:
    """The token key a request too long for its context is refused at: of those given, the longer.

    A request whose ``output_tokens`` run past the window is named there, not at a short
    ``prompt_tokens`` the file also gives.
    """
    given = {
        key: dist for key in ("prompt_tokens", "output_tokens") if (dist := getattr(app, key)) is not None
    }
    if not given:
        return "prompt_tokens"
    if all(math.isfinite(dist.maximum) for dist in given.values()):
        return max(given, key=lambda key: given[key].maximum)
    return max(given, key=lambda key: given[key].mean)


def _onnx_key(raw: Mapping[str, Any], name: str) -> tuple[str, ...]:
    """Where the file wrote an application's ONNX path: ``onnx``, or ``model.onnx`` (the shorthand)."""
    apps = raw.get("applications")
    app = apps.get(name) if isinstance(apps, Mapping) else None
    return (
        ("model", "onnx") if isinstance(app, Mapping) and isinstance(app.get("model"), Mapping) else ("onnx",)
    )


def _application(
    name: str, app: AppDoc, onnx_key: tuple[str, ...], base_dir: Path, problems: ProblemList
) -> AppSpec:
    path = format_path(("applications", name))
    keys = spec_values(AppSpec, app)
    output = keys["output"]
    stages: tuple[StageSpec, ...] = ()
    if app.work is not None or app.service is not None:
        stages = (StageSpec(work=app.work, service=app.service, output=output),)
    elif app.stages is not None:
        last = len(app.stages) - 1
        stages = tuple(
            replace(spec, output=output if i == last else _ZERO) if spec.output is None else spec
            for i, spec in enumerate(StageSpec(**spec_values(StageSpec, stage)) for stage in app.stages)
        )
    before = len(problems.problems)
    model = _model_name(app.model, path, problems) if app.model is not None else None
    unknown = len(problems.problems) > before  # said at its key; whether it is an LLM cannot be known
    before = len(problems.problems)
    _check_precision(app.params, model, key_path(path, "params"), problems)
    if model is not None and len(problems.problems) == before:
        _check_model_params(app.params, model, ("applications", name, "params"), problems)
    elif model is None:
        _check_params_without_builder(app.params, app.onnx is not None, key_path(path, "params"), problems)
    onnx = None
    if app.onnx is not None:
        from offloadsim.models.onnx_io import onnx_path_problem
        from offloadsim.scenario.inputs_folder import rerun_said

        onnx_path = base_dir / app.onnx
        what = onnx_path_problem(onnx_path)
        if what is not None and what != "no such file":  # a directory, a FIFO, a device
            problems.add(key_path(path, *onnx_key), f"{app.onnx}: {what}, expected an ONNX file")
        elif what is not None:
            problems.add(
                key_path(path, *onnx_key),
                f"no such file {quoted(app.onnx)} (looked for {onnx_path})"
                + did_you_mean_file(app.onnx, onnx_path)
                + rerun_said(app.onnx),
            )
        onnx = str(onnx_path)
    _check_compression(keys, app.onnx, model, key_path(path, "compression"), problems)
    _check_late(keys, model, key_path(path, "late"), problems)
    if not unknown:
        _check_llm_keys(app, keys, model, path, problems)
    return AppSpec(name=name, stages=stages, model=model, onnx=onnx, **keys)


def _check_compression(
    keys: Mapping[str, Any], onnx: str | None, model: str | None, path: str, problems: ProblemList
) -> None:
    """Refuse an activation codec where no activation crosses a cut it could encode.

    The engine encodes the tensors a layer graph (a zoo model or an ONNX file) sends across a cut;
    synthetic work has no activations, and an LLM's per-token hidden states are not encoded, so a
    codec there would be accepted and silently do nothing.
    """
    codec = keys["compression"]
    if codec == "none" or keys["kind"] is not None:
        return  # no codec, or a plug-in's kind of work, which reads the application as it needs
    if model is None and onnx is None:
        problems.add(
            path,
            f"compression {quoted(codec)} applies to a model's activations; this application runs no model",
        )
        return
    from offloadsim.models.zoo.llm import LLM_CONFIGS

    if model in LLM_CONFIGS:
        problems.add(
            path,
            f"compression {quoted(codec)} applies to the activations of layer-graph models (a zoo CNN, "
            f"BERT or an ONNX file), not to an LLM's per-token hidden states ({quoted(model)})",
        )


def _check_late(keys: Mapping[str, Any], model: str | None, path: str, problems: ProblemList) -> None:
    """Refuse ``late: drop`` where it could not act: with no deadline, or on work the kernel does not walk.

    The kernel drops a stale request as it would start one of its plan's steps; an LLM request
    (prefill, then decode steps) and a plug-in's kind of work run their own steps, so it would be
    accepted and drop nothing.
    """
    if keys["late"] != "drop":
        return
    if keys["deadline_s"] is None:
        problems.add(path, "late: drop drops a request past its deadline, and this application has none")
        return
    from offloadsim.models.zoo.llm import LLM_CONFIGS

    if model in LLM_CONFIGS or keys["kind"] not in (None, "model", "synthetic"):
        what = f"an LLM ({quoted(model)})" if model in LLM_CONFIGS else f"kind {quoted(keys['kind'])}"
        problems.add(
            path,
            f"late: drop applies to model and synthetic work, whose steps the engine starts; {what} "
            "runs its own, so its stale requests would not be dropped",
        )


#: The LLM builders' own parameters, which a scenario's request does not read, and what it reads instead.
_PREFILL_GRAPH_PARAMS = {
    "tokens": "prefills its prompt_tokens: it would be ignored; give the prompt's length as prompt_tokens",
    "past_tokens": "starts with an empty KV cache: it would be ignored; count earlier turns in prompt_tokens",
}


def _check_llm_keys(
    app: AppDoc, keys: Mapping[str, Any], model: str | None, path: str, problems: ProblemList
) -> None:
    """Refuse the keys of one kind of request given to the other, which would run as if left out.

    An LLM request uploads its prompt's token ids and returns its generated tokens, so ``input``
    and ``output`` would be ignored; any other application draws no tokens, so ``prompt_tokens``
    and ``output_tokens`` would be.
    """
    tokens = [name for name in ("prompt_tokens", "output_tokens") if getattr(app, name) is not None]
    if keys["kind"] is not None or (model is None and not tokens):
        return  # a plug-in's kind of work reads the application as it needs; or nothing to check
    from offloadsim.models.zoo.llm import LLM_CONFIGS

    if model in LLM_CONFIGS:
        for name in ("input", "output"):
            if getattr(app, name) is not None:
                problems.add(
                    key_path(path, name),
                    f"an LLM request ({quoted(model)}) sends its prompt's token ids and receives its "
                    f"generated tokens (8 bytes each, from prompt_tokens and output_tokens), so "
                    f"{quoted(name)} would be ignored; leave it out",
                )
        for name, why in _PREFILL_GRAPH_PARAMS.items():
            if name in app.params:
                problems.add(
                    key_path(path, "params", name),
                    f"{quoted(name)} is a parameter of the prefill graph (get_model, 'offloadsim models "
                    f"show'), not of a request, which {why}",
                )
        return
    what = f"runs {quoted(model)}, not a decoder-only LLM" if model else "runs no LLM"
    for name in tokens:
        problems.add(
            key_path(path, name),
            f"{quoted(name)} applies to LLM requests ({', '.join(LLM_CONFIGS)}); this application {what}, "
            "so it would be ignored",
        )


def _check_precision(params: Mapping[str, Any], model: str | None, path: str, problems: ProblemList) -> None:
    """Refuse a ``precision`` or ``dtype_bytes`` that names no real precision (2.7, 0, -2, "two")."""
    if params.get("precision") is None and params.get("dtype_bytes") is None:
        return  # nothing to check, and the model zoo (imported with the precisions) is not needed
    from offloadsim.models.precision import PrecisionError, parse_precision
    from offloadsim.models.zoo.llm import LLM_CONFIGS

    try:
        parse_precision(params, packed=model in LLM_CONFIGS)
    except PrecisionError as error:
        problems.add(key_path(path, error.key), str(error))


def _check_params_without_builder(
    params: Mapping[str, Any], onnx: bool, path: str, problems: ProblemList
) -> None:
    """Refuse ``params`` no builder reads: they would be accepted and silently do nothing.

    An ONNX file fixes its shapes, so only its precision can be chosen (``precision`` or
    ``dtype_bytes``); synthetic work has no model to build at all.
    """
    for key in params:
        if not onnx:
            problems.add(key_path(path, key), 'synthetic work has no model to build: "params" does not apply')
        elif key not in ("precision", "dtype_bytes"):
            problems.add(
                key_path(path, key),
                'an ONNX model\'s shapes come from its file; its params take only "precision" or '
                '"dtype_bytes"',
            )


def _check_model_params(
    params: Mapping[str, Any], model: str, loc: tuple[str, ...], problems: ProblemList
) -> None:
    """Refuse parameters the model's builder does not take, or takes as another type."""
    from offloadsim.models.registry import UnknownModelError, parameter_problems

    try:
        found = parameter_problems(model, params)
    except UnknownModelError:
        return  # reported as an unknown model
    for key, message in found:
        problems.add(format_path((*loc, key)), message)


#: Where a model the zoo lacks comes from, said after its names: a pruned or distilled variant named
#: as a model ("distilbert") was told only the zoo's names.
_OWN_MODEL = (
    "a model the zoo lacks (a pruned or distilled one) is an ONNX file, {onnx: FILE}, or a list of "
    "layers, stages: (docs/models.md#your-own-model)"
)


def _model_name(name: str, path: str, problems: ProblemList) -> str:
    """The zoo's own name for ``name`` (aliases accepted), checked while the zoo is importable."""
    models = _available("offloadsim.models", "list_models")
    if models is None or name in models:
        return name
    try:
        from offloadsim.models import canonical_name

        return canonical_name(name)
    except (ImportError, KeyError, ValueError):
        problems.add(
            key_path(path, "model"),
            f"unknown model {quoted(name)}{did_you_mean_key(name, models)}; known: {', '.join(models)}; "
            f"{_OWN_MODEL}",
        )
        return name


# -- workload ------------------------------------------------------------------------------------------


def _arrival_process(entry: WorkloadDoc) -> ArrivalProcess:
    """The entry's arrival process with its keys as written (files not read yet)."""
    process = arrival_process(entry.arrivals)
    return process(**spec_values(process, entry))


def _workload(
    i: int,
    entry: WorkloadDoc,
    process: ArrivalProcess,
    raw: Mapping[str, Any],
    index: NodeIndex,
    applications: Mapping[str, AppSpec],
    base_dir: Path,
    problems: ProblemList,
    footprint: Footprint,
    entry_tasks: list[float],
) -> WorkloadSpec:
    path = f"workload[{i}]"
    if entry.app not in applications:
        known = ", ".join(applications) or "none defined"
        problems.add(
            f"{path}.app",
            f"unknown application {quoted(entry.app)}"
            f"{did_you_mean_name(entry.app, applications)}; known: {known}",
        )
    single = isinstance(raw["workload"][i].get("sources"), str)
    sources = _matched(entry.sources, index, f"{path}.sources", single, problems)

    def fits(tasks: float, key: str) -> bool:
        # A process asks about the tasks whose arrival times it reads and holds (a trace's rows).
        entry_tasks[i] += tasks
        more = replace(footprint, tasks=footprint.tasks + tasks, held=footprint.held + tasks)
        return check_memory(more, problems, key)

    def room(rows: int, file: str) -> str | None:
        return rows_refusal(footprint, rows, file)

    context = ArrivalContext(path, base_dir, tuple(sources), problems, fits, room)
    arrivals = process.resolve(context)
    return WorkloadSpec(entry.app, tuple(sources), arrivals, index=i, **spec_values(WorkloadSpec, entry))


def _check_reachability(
    nodes: tuple[NodeSpec, ...],
    links: tuple[LinkSpec, ...],
    workload: tuple[WorkloadSpec, ...],
    problems: ProblemList,
) -> None:
    """Every source must reach (over links, either way) some node with a processor."""
    if not workload:
        return
    component: Callable[[str], Any] = str  # without links, every node is a component of its own
    if links:  # networkx only where there is a graph: importing it is a fifth of a short run's start-up
        from networkx.utils import UnionFind

        components = UnionFind()
        for link in links:
            components.union(link.a, link.b)
        component = components.__getitem__
    served = {component(node.name) for node in nodes if node.processor is not None}
    for entry in workload:
        stranded = [source for source in entry.sources if component(source) not in served]
        if stranded:
            problems.add(
                f"workload[{entry.index}].sources",
                f"{quoted_listing(stranded)} cannot reach any node with a processor",
            )


# -- policy --------------------------------------------------------------------------------------------


def _policy(doc: ScenarioDoc, raw: Mapping[str, Any], problems: ProblemList) -> PolicySpec:
    # Imported when resolving, not with the package (pyproject.toml's plots contract).
    from offloadsim.policies.registry import PLUGINS, available_policies, find_policy

    name = doc.policy.name
    if find_policy(name) is None:
        known = list(available_policies())
        path = "policy" if isinstance(raw.get("policy"), str) else "policy.name"
        near = did_you_mean_key(name, known)
        listed = _entry_hint(name, known) or f"{near}; known: {', '.join(sorted(known))}"
        problems.add(path, PLUGINS.refusal(name, f"unknown policy {quoted(name)}", listed))
    return PolicySpec(name=name, params=dict(doc.policy.model_extra or {}))


def _entry_hint(name: str, known: list[str]) -> str | None:
    """How to write ``name`` when it is a command-line entry, ``NAME(KEY=VALUE, ...)``; else None.

    ``run --policy`` and ``compare --policies`` take ``neurosurgeon(objective=energy)``, so a new
    user writes it as the file's ``policy:`` too, where the same policy is a mapping.
    """
    from offloadsim.scenario.policy_entries import EntryError, policy_entries

    spaced = spaced_entry(name)
    if "(" not in name and spaced is None:
        return None
    try:
        (entry,) = policy_entries([spaced or name])
    except EntryError:
        return None
    if entry.name not in known:
        return None
    mapping = yaml_text({"name": entry.name, **entry.params})  # as the scenario reads it back
    if spaced is not None:  # neurosurgeon objective=latency: parameters after the name, as a shell's
        return (
            f": a policy's parameters do not follow its name; in a scenario the policy and its "
            f"parameters are a mapping, policy: {mapping} (on the command line, --policy {quoted(spaced)})"
        )
    return (
        f": NAME(KEY=VALUE, ...) is the form of run --policy and compare --policies; "
        f"in a scenario the policy and its parameters are a mapping, policy: {mapping}"
    )


#: ``neurosurgeon objective=latency``: a name, then KEY=VALUE words (commas between them or not).
#: A string: re compiles (and caches) it at first use, not at import, as a run seldom needs it (issue 12 e).
_SPACED_ENTRY = r"^\s*([A-Za-z0-9_.-]+)((?:[\s,]+[A-Za-z_][A-Za-z0-9_]*=[^\s,=]+)+)[\s,]*$"


def spaced_entry(name: str) -> str | None:
    """``neurosurgeon(objective=latency)`` for ``neurosurgeon objective=latency``; None for another name."""
    match = re.match(_SPACED_ENTRY, name)
    if match is None:
        return None
    pairs = re.findall(r"[A-Za-z_][A-Za-z0-9_]*=[^\s,=]+", match[2])
    return f"{match[1]}({', '.join(pairs)})"


# -- helpers -------------------------------------------------------------------------------------------


def _available(module: str, function: str) -> list[str] | None:
    """Names listed by ``module.function()``, or None while that module does not exist yet."""
    import importlib

    try:
        listing = getattr(importlib.import_module(module), function)
    except (ImportError, AttributeError):
        return None
    return [str(getattr(item, "name", item)) for item in listing()]


def _plain(value: Any) -> Any:
    """A JSON-able copy: mappings with string keys, lists, and scalars."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
