"""Check a policy against the scenario it will run in, before anything runs.

Whatever a policy's parameters name (nodes, tiers: the kinds declared in
:mod:`offloadsim.policies.params`) must exist and be able to serve, and
whatever the policy needs of the system (its ``requirements()``) must be
there.  This holds for every policy, shipped or plug-in, because it is read
from their declarations, not known here.  Errors are a :class:`ScenarioError`
naming the file and the key path (``policy.node``); what only some sources
suffer (a named node, or a tier the policy offloads to, some of them cannot
reach) comes back as warnings.  Two scenario checks
(:mod:`offloadsim.scenario.checks`) share the work: :func:`policy_refusals`, the
``policy`` check, which a scenario cannot skip, refuses; :func:`policy_reach`, the
``policy-reach`` check, which it can, warns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cached_property
from typing import Any

from offloadsim.policies.faults import describe_failure
from offloadsim.policies.params import (
    COMPUTING_NODE,
    SOURCE,
    STATION,
    TIER,
    Requirement,
    RequirementsError,
    references,
    requirements_of,
)
from offloadsim.policies.registry import (
    MissingPolicyParams,
    PolicyBuildError,
    PolicyInfo,
    PolicyParamError,
    find_policy,
    make_policy,
)
from offloadsim.scenario.checks import POLICY_BUILD_FAILED, CheckedRun
from offloadsim.scenario.errors import (
    Problem,
    ProblemList,
    ScenarioError,
    did_you_mean_key,
    did_you_mean_name,
    format_path,
)
from offloadsim.scenario.model import TIERS, NodeSpec, PolicySpec, Scenario
from offloadsim.scenario.overrides import blame_given
from offloadsim.suggest import quoted, quoted_listing

__all__ = ["layer_notes", "policy_reach", "policy_refusals", "policy_warnings"]


def policy_refusals(run: CheckedRun) -> list[Problem]:
    """The ``policy`` scenario check: :func:`policy_warnings`' refusals; it warns of nothing.

    Its warnings are kept in ``run.shared`` for :func:`policy_reach`, which runs next, so that a
    scenario's ``skip_checks`` can silence them, never the refusals, and the work (a walk of
    every link, at 100,000 nodes a noticeable part of a second) is done once.
    """
    run.shared["policy-reach"] = policy_warnings(run)
    return []


def policy_reach(run: CheckedRun) -> list[Problem]:
    """The ``policy-reach`` check: a node or tier the policy sends to that some task sources cannot reach.

    :func:`policy_warnings`' warnings, as the ``policy`` check found them for this run.
    """
    found: list[Problem] | None = run.shared.pop("policy-reach", None)
    return policy_warnings(run) if found is None else found


def policy_warnings(run: CheckedRun) -> list[Problem]:
    """Raise :class:`ScenarioError` for what the run refuses of the policy, return its warnings.

    Raises for a parameter the policy rejects, a name that is not a node or
    tier of the scenario, a node that cannot compute or that no task source
    can reach, and a requirement the scenario does not meet, each naming a
    ``--set`` that gave its value.  Returns one warning per named node, or
    tier a policy offloads to, that some, but not all, sources cannot reach,
    left unblamed: :func:`~offloadsim.scenario.checks.run_scenario_checks`
    names the ``--set`` behind each warning of every check, once.
    ``run.layers`` gives each application's layer count, asked only when a
    policy declares a cut (``Requirement.cut_within_layers``); when it gives
    None, cuts are not checked.
    """
    # A policy an argument chose by name (--policy, --policies) has no parameters of its own.
    by_name = run.given is not None and not run.policy.params
    try:
        return _check(run.scenario, run.policy, run.layers, by_name, run.shared.get(POLICY_BUILD_FAILED))
    except ScenarioError as error:
        raise ScenarioError(blame_given(error.problems, dict(run.scenario.footprint.set_by))) from None


def _check(
    scenario: Scenario,
    spec: PolicySpec,
    layers: Callable[[], Mapping[str, int] | None] | None,
    by_name: bool = False,
    failed: PolicyParamError | None = None,
) -> list[Problem]:
    """``failed``: what building the policy raised before the checks ran, refused, not built again."""
    problems = ProblemList(scenario.source)
    name_path = "policy" if isinstance(scenario.document.get("policy"), str) else "policy.name"
    if find_policy(spec.name) is None:
        problems.add(name_path, f"unknown policy {quoted(spec.name)}")
        problems.raise_if_any()
    try:
        if failed is not None:
            raise failed
        policy = make_policy(spec.name, spec.params)
    except PolicyParamError as error:
        if error.path:  # a value inside a parameter: a composite's inner policy
            key = format_path(("policy", *error.path))
        elif isinstance(error, MissingPolicyParams):  # it goes in the policy's mapping, beside its name
            key = "policy"
        else:
            key = format_path(("policy", error.param)) if error.param in spec.params else name_path
        # The hint is for parameters the scenario could give, not for a plug-in that cannot be built.
        named_alone = by_name and not isinstance(error, PolicyBuildError)
        problems.add(key, str(error) + (_NAMED_ALONE if named_alone else ""))
        problems.raise_if_any()
    return _check_built(
        policy, spec.name, spec.params, ("policy",), name_path, _System(scenario, layers), problems
    )


def _check_built(
    policy: object,
    name: str,
    params: Mapping[str, Any],
    root: tuple[str, ...],
    name_path: str,
    system: _System,
    problems: ProblemList,
) -> list[Problem]:
    """The references and needs of ``policy`` (given at ``root``) against ``system``; its warnings.

    A composite's inner policies (its ``delegates``) are checked the same way, each at its own key
    and over the task sources of its groups alone.
    """
    info = find_policy(name)
    assert info is not None
    warnings: list[Problem] = []
    _check_references(info, root, params, name, system, problems, warnings)
    problems.raise_if_any()  # a misspelt name would only repeat itself as an unmet requirement
    try:
        needs = requirements_of(policy)
    except RequirementsError as error:  # what a plug-in's requirements() returned
        problems.add(name_path, f"policy {quoted(name)} {error}")
        problems.raise_if_any()
        raise
    except Exception as error:  # a plug-in's bug is named as its own, with its line; offloadsim's is not
        message = describe_failure(error, policy, name)
        if message is None:
            raise
        problems.add(name_path, message)
        problems.raise_if_any()
    for requirement in needs:
        _check_requirement(requirement, name, name_path, root, system, problems, warnings)
    problems.raise_if_any()
    for delegate, sources in _delegated(policy, root, system, problems):
        inner = format_path((*root, *delegate.at) if delegate.short else (*root, *delegate.at, "name"))
        narrowed = system.narrowed(sources)
        if narrowed.sources:  # an inner policy no source reaches decides nothing: nothing to check
            at = (*root, *delegate.at)
            warnings += _check_built(
                delegate.policy, delegate.name, delegate.params, at, inner, narrowed, problems
            )
    return warnings


def _delegated(
    policy: object, root: tuple[str, ...], system: _System, problems: ProblemList
) -> list[tuple[Any, set[str]]]:
    """A composite policy's inner policies (its ``delegates``), each with the task sources it decides for.

    Refuses a group that is no group of task sources, and task sources left with no policy.
    """
    delegates = getattr(policy, "delegates", None)
    if not delegates:
        return []
    groups: dict[str, list[str]] = {}
    for source in system.sources:
        groups.setdefault(system.nodes[source].group, []).append(source)
    named = {group for delegate in delegates for group in delegate.groups or ()}
    served: list[tuple[Any, set[str]]] = []
    for delegate in delegates:
        if delegate.groups is None:
            served.append((delegate, {s for g, members in groups.items() if g not in named for s in members}))
            continue
        for group in delegate.groups:
            if group not in groups:
                problems.add(
                    format_path((*root, *delegate.at)),
                    f"{quoted(group)} is not a group of task sources"
                    f"{did_you_mean_name(group, list(groups))}; "
                    f"expected one of {quoted_listing(list(groups))}",
                )
        served.append((delegate, {s for g in delegate.groups for s in groups.get(g, ())}))
    problems.raise_if_any()  # a misspelt group would only repeat itself as a group left without a policy
    if not any(delegate.groups is None for delegate in delegates):
        left = [group for group in groups if group not in named]
        if left:
            problems.add(
                format_path((*root, delegates[0].at[0])),
                f"{quoted_listing(left)} {'has' if len(left) == 1 else 'have'} no policy: expected a policy "
                f"for every group of task sources, or a default ({format_path((*root, 'default'))})",
            )
    problems.raise_if_any()
    return served


_NAMED_ALONE = (
    " (a policy chosen by name runs without parameters unless it is the scenario's own:"
    " give them in the scenario's policy, whose parameters are kept)"
)


class _System:
    """What the checks read of a scenario: nodes, computing nodes, task sources, connectivity.

    ``only``: the task sources an inner policy of a composite decides for (None: every one).
    """

    def __init__(
        self,
        scenario: Scenario,
        layers: Callable[[], Mapping[str, int] | None] | None = None,
        only: set[str] | None = None,
    ):
        self.scenario = scenario
        self.nodes: dict[str, NodeSpec] = {node.name: node for node in scenario.nodes}
        self._layers = layers
        self._only = only

    def narrowed(self, sources: set[str]) -> _System:
        """The system as a policy that decides for ``sources`` alone sees it."""
        return _System(self.scenario, self._layers, sources)

    @cached_property
    def depths(self) -> dict[str, int]:
        """The layer count of each application the workload sends, in workload order ({}: not known)."""
        depths = _sent_depths(self.scenario, self._layers() if self._layers is not None else None)
        if self._only is None:
            return depths
        sent = {e.app for e in self.scenario.workload if any(s in self._only for s in e.sources)}
        return {app: depth for app, depth in depths.items() if app in sent}

    @cached_property
    def computing(self) -> list[str]:
        return [node.name for node in self.scenario.nodes if node.processor is not None]

    @cached_property
    def sources(self) -> dict[str, int]:
        """Every task source, with the index of the first workload entry that names it."""
        found: dict[str, int] = {}
        for entry in self.scenario.workload:
            for source in entry.sources:
                if self._only is None or source in self._only:
                    found.setdefault(source, entry.index)
        return found

    @cached_property
    def groups(self) -> dict[str, list[str]]:
        members: dict[str, list[str]] = {}
        for node in self.scenario.nodes:
            members.setdefault(node.group, []).append(node.name)
        return members

    @cached_property
    def _components(self) -> Any:
        from networkx.utils import UnionFind

        components = UnionFind()
        for link in self.scenario.links:
            components.union(link.a, link.b)
        return components

    def unreachable_sources(self, node: str) -> list[str]:
        """Task sources with no route to ``node`` (links carry traffic both ways)."""
        components = self._components
        target = components[node]
        return [source for source in self.sources if components[source] != target]

    def cut_off_from(self, tiers: Iterable[str]) -> list[str]:
        """The task sources with no route to any computing node of one of ``tiers``."""
        components = self._components
        wanted = set(tiers)
        served = {components[n] for n in self.computing if self.nodes[n].tier in wanted}
        return [source for source in self.sources if components[source] not in served]

    def computing_listing(self, limit: int = 8) -> str:
        """``computing nodes: phone-0 .. phone-19, edge, cloud`` (a group's run of nodes shown as a range)."""
        runs: dict[str, list[str]] = {}
        for name in self.computing:
            runs.setdefault(self.nodes[name].group, []).append(name)
        shown = [m[0] if len(m) == 1 else f"{m[0]} .. {m[-1]}" for m in runs.values()]
        more = f" and {len(shown) - limit} more groups" if len(shown) > limit else ""
        return "computing nodes: " + (", ".join(shown[:limit]) + more if shown else "none")

    def close_names(self, name: str) -> str:
        """A did-you-mean among computing nodes (or, in very large scenarios, group names)."""
        candidates = self.computing if len(self.computing) <= 10_000 else list(self.groups)
        return did_you_mean_name(name, candidates)  # a node's name, not a key


def _check_references(
    info: PolicyInfo,
    root: tuple[str, ...],
    params: Mapping[str, Any],
    policy: str,
    system: _System,
    problems: ProblemList,
    warnings: list[Problem],
) -> None:
    for param, value in params.items():
        hint = info.hints.get(param)
        if hint is None:
            continue
        for sub, kind, name in references(hint, value):
            path = format_path((*root, param)) + sub
            said = f"policy {quoted(policy)}: "
            if kind is TIER:
                if name not in TIERS:
                    problems.add(
                        path,
                        f"{said}unknown tier {quoted(name)}{did_you_mean_key(name, TIERS)}; tiers: "
                        f"{', '.join(TIERS)}",
                    )
            elif kind is COMPUTING_NODE or (kind is STATION and name != SOURCE):
                _check_node(name, path, said, system, problems, warnings)


def _check_node(
    name: str, path: str, said: str, system: _System, problems: ProblemList, warnings: list[Problem]
) -> None:
    """``name`` must be a node with a processor that the task sources can reach."""
    node = system.nodes.get(name)
    if node is None:
        members = system.groups.get(name)
        if members is not None:
            problems.add(
                path,
                f"{said}{quoted(name)} is a group of {len(members)} nodes ({members[0]} .. {members[-1]}); "
                "name one node",
            )
        else:
            problems.add(
                path,
                f"{said}{quoted(name)} is not a node of this scenario{system.close_names(name)}; "
                + system.computing_listing(),
            )
        return
    if node.processor is None:
        what = (
            "a network node: it forwards and computes nothing"
            if node.tier == "network"
            else ("a node without a processor")
        )
        problems.add(path, f"{said}{quoted(name)} is {what}; " + system.computing_listing())
        return
    stranded = system.unreachable_sources(name)
    if not stranded:
        return
    if len(stranded) == len(system.sources):
        problems.add(
            path,
            f"{said}no task source can reach {quoted(name)}: "
            f"{quoted_listing(stranded)} {_have(stranded)} no route to it",
        )
    else:
        warnings.append(
            Problem(
                system.scenario.source,
                path,
                f"{said}{len(stranded)} of {len(system.sources)} task sources cannot reach {quoted(name)} "
                f"({quoted_listing(stranded)}); their tasks cannot be sent there",
            )
        )


def _check_requirement(
    requirement: Requirement,
    policy: str,
    name_path: str,
    root: tuple[str, ...],
    system: _System,
    problems: ProblemList,
    warnings: list[Problem],
) -> None:
    # A requirement's param is a key path of its own (``cuts[0]``), written after the policy's key.
    path = f"{format_path(root)}.{requirement.param}" if requirement.param else name_path
    but = f"policy {quoted(policy)} {requirement.reason}, but"
    if requirement.need == "sources compute":
        lacking = [s for s in system.sources if system.nodes[s].processor is None]
        if lacking:
            problems.add(path, f"{but} {_sources(lacking, system)} {_have(lacking)} no processor")
    elif requirement.need == "sources powered":
        lacking = [
            s
            for s in system.sources
            if system.nodes[s].power is None
            and (not requirement.computing_only or system.nodes[s].processor is not None)
        ]
        if lacking:
            groups = sorted({system.nodes[s].group for s in lacking})
            where = ", ".join(format_path(("nodes", group, "power")) for group in groups[:3])
            listed = quoted_listing(lacking)
            problems.add(path, f"{but} {listed} {_have(lacking)} no power draw (give {where})")
    elif requirement.need == "computing tier":
        present = sorted({system.nodes[n].tier for n in system.computing})
        if not present or not set(requirement.tiers) & set(present):
            problems.add(
                path,
                f"{but} no node of tier {' or '.join(requirement.tiers)} has a processor; "
                f"tiers with computing nodes: {', '.join(present) or 'none'}",
            )
        else:
            # Else the policy's fallback (local, for edge and cloud) serves the tasks of the sources
            # cut off, unsaid: all of them is an error, some a warning.
            stranded = system.cut_off_from(requirement.tiers)
            serving = [n for n in system.computing if system.nodes[n].tier in requirement.tiers]
            tiers = " or ".join(requirement.tiers)
            if stranded and len(stranded) == len(system.sources):
                problems.add(
                    path,
                    f"{but} no task source can reach a node of tier {tiers}: "
                    f"{quoted_listing(stranded)} {_have(stranded)} no route to "
                    f"{quoted_listing(serving)} (links: connect them)",
                )
            elif stranded:
                warnings.append(
                    Problem(
                        system.scenario.source,
                        path,
                        f"policy {quoted(policy)}: {len(stranded)} of {len(system.sources)} task sources "
                        f"cannot reach a node of tier {tiers} ({quoted_listing(stranded)}); "
                        "their tasks cannot be sent there",
                    )
                )
            if requirement.each and not (stranded and len(stranded) == len(system.sources)):
                warnings.extend(_tiers_out_of_reach(requirement.tiers, policy, path, system))
    elif requirement.need == "processor":
        name = requirement.processor
        nodes = [n for node in requirement.nodes for n in (system.sources if node == SOURCE else (node,))]
        for node in dict.fromkeys(nodes):
            spec = system.nodes.get(node)
            have = [p.name for p in spec.processors] if spec is not None else []
            if spec is not None and name not in have:
                listing = ", ".join(map(quoted, have)) or "no processor"
                hint = did_you_mean_name(name, have)
                problems.add(
                    path, f"{but} node {quoted(node)} has no processor {quoted(name)}{hint}; it has {listing}"
                )
                return
    elif requirement.need == "hosted":
        _check_hosted(requirement, path, but, system, problems, warnings)
    elif requirement.need == "layers":
        depths = system.depths
        if depths and all(depth < requirement.layer for depth in depths.values()):
            problems.add(
                path,
                f"{but} no application of the workload has that many layers ({_depths(depths)}); "
                "a cut at an application's layer count runs all of it before the cut "
                "('offloadsim run --dry-run' lists each application's layers)",
            )
    else:
        raise ValueError(f"policy {policy!r} declared an unknown requirement {requirement.need!r}")


def _check_hosted(
    requirement: Requirement,
    path: str,
    but: str,
    system: _System,
    problems: ProblemList,
    warnings: list[Problem],
) -> None:
    """A warning where an application the workload sends is not hosted where the policy runs it.

    ``cloud`` on an application only the phones and the edge host placed every request on the
    cloud and dropped it ("not among its hosts"), its run exiting 0 and ``validate`` saying ok.
    """
    tiers = requirement.tiers
    sent: dict[str, list[str]] = {}
    for entry in system.scenario.workload:
        sent.setdefault(entry.app, []).extend(s for s in entry.sources if s in system.sources)
    sent = {app: sources for app, sources in sent.items() if sources}  # an inner policy's sources alone
    unhosted: list[str] = []
    fallen: list[str] = []  # no node of the tiers hosts it, and the policy runs it on its hosting sources
    partly: list[str] = []  # of those, sent by some sources outside its hosts too
    for app, sources in sent.items():
        hosts = system.scenario.applications[app].hosts
        if hosts is None:
            continue
        if tiers:
            hosted = any(
                system.nodes[n].tier in tiers and system.nodes[n].processor is not None for n in hosts
            )
        else:
            hosted = any(source in hosts for source in sources)
        if not hosted and requirement.or_source and tiers and any(source in hosts for source in sources):
            fallen.append(app)
            if not all(source in hosts for source in sources):
                partly.append(app)
        elif not hosted:
            unhosted.append(app)
    if fallen:
        named = "; ".join(
            f"{format_path(('applications', app, 'hosts'))} has no node of tier {' or '.join(tiers)}"
            for app in fallen
        )
        warnings.append(
            Problem(
                system.scenario.source,
                path,
                f"{but} {named}: every request of {quoted_listing(fallen)} runs on its source "
                "(the policy's fallback, local)"
                + (f", dropped where that is not among its hosts ({quoted_listing(partly)})" * bool(partly)),
            )
        )
    if not unhosted:
        return
    where = f"no node of tier {' or '.join(tiers)}" if tiers else "none of its sources"
    named = "; ".join(
        f"{format_path(('applications', app, 'hosts'))} has {where}"
        if tiers
        else f"{format_path(('applications', app, 'hosts'))} names {where}"
        for app in unhosted
    )
    dropped = "every request of " + ", ".join(map(quoted, unhosted))
    served = [
        other
        for app in unhosted
        for other in system.scenario.applications[app].alternatives
        if (hosts := system.scenario.applications[other].hosts) is None
        or any(system.nodes[n].tier in tiers for n in hosts)
    ]
    if tiers and served:  # model-select serves a request with an alternative
        named += (
            f" (its alternative {quoted_listing(served)} is hosted there: policy model-select may serve it)"
        )
    every = ", every task of the run" if len(unhosted) == len(sent) else ""
    said = f"{but} {named}: {dropped} will be dropped (hosted nowhere the policy runs it){every}"
    # A warning, not a refusal: a comparison or a sweep may hold such a policy beside others on purpose.
    warnings.append(Problem(system.scenario.source, path, said))


def _tiers_out_of_reach(tiers: Sequence[str], policy: str, path: str, system: _System) -> list[Problem]:
    """A warning per one of ``tiers`` with computing nodes that some or all task sources cannot reach.

    For a policy that uses every tier a source reaches (``multi-tier``): one it cannot reach
    drops out of that source's plans, unsaid.  Sources that reach none of ``tiers`` are left
    out: the ``computing tier`` check warned of them.
    """
    warnings = []
    told = set(system.cut_off_from(tiers))  # reaching none of them: warned of as such already
    for tier in tiers:
        serving = [n for n in system.computing if system.nodes[n].tier == tier]
        stranded = [s for s in system.cut_off_from((tier,)) if s not in told] if serving else []
        if not stranded:
            continue
        if len(stranded) == len(system.sources):
            who, plans = "no task source can reach", "every plan"
        else:
            who, plans = f"{len(stranded)} of {len(system.sources)} task sources cannot reach", "their plans"
        warnings.append(
            Problem(
                system.scenario.source,
                path,
                f"policy {quoted(policy)}: {who} a node of tier {tier} ({quoted_listing(stranded)} "
                f"{_have(stranded)} no route to {quoted_listing(serving)}): "
                f"the tier drops out of {plans}",
            )
        )
    return warnings


def layer_notes(scenario: Scenario, policy: object, name: str, layers: Mapping[str, int]) -> list[str]:
    """A note per cut of ``policy`` (called ``name``) beyond some, not all, of the workload's applications.

    ``layers`` is each application's layer count (``World.layer_counts``).

    Such a cut is clamped to those applications' layer counts (one plan serving models of
    several depths), so the stations after it run none of their layers: a run says so under
    its table rather than silently.  A cut beyond every application's is refused by
    :func:`policy_warnings` instead.
    """
    notes = []
    within = _requirements_within(policy, name, ("policy",), _System(scenario, lambda: layers))
    for requirement, root, named, depths in within:
        if requirement.need != "layers":
            continue
        short = {app: depth for app, depth in depths.items() if depth < requirement.layer}
        if short and len(short) < len(depths):
            key = f"{format_path(root)}.{requirement.param}" if requirement.param else format_path(root)
            if len(short) == 1:
                ((app, depth),) = short.items()
                what = f"the {depth} layer{'' if depth == 1 else 's'} of {app}"
            else:
                what = f"the layers of {_depths(short)}"
            notes.append(
                f"{key}: policy {quoted(named)} {requirement.reason}, beyond {what}: clamped there, so "
                f"{'its' if len(short) == 1 else 'their'} tasks run all their layers on the stations "
                "before the cut"
            )
    return notes


def _requirements_within(
    policy: object, name: str, root: tuple[str, ...], system: _System
) -> list[tuple[Requirement, tuple[str, ...], str, dict[str, int]]]:
    """``policy``'s requirements and its inner policies' (a composite's ``delegates``), each at its key.

    Each with the layer counts of the applications its task sources send.
    """
    found = [(requirement, root, name, system.depths) for requirement in requirements_of(policy)]
    for delegate, sources in _delegated(policy, root, system, ProblemList(system.scenario.source)):
        narrowed = system.narrowed(sources)
        if narrowed.sources:
            found += _requirements_within(delegate.policy, delegate.name, (*root, *delegate.at), narrowed)
    return found


def _sent_depths(scenario: Scenario, layers: Mapping[str, int] | None) -> dict[str, int]:
    """The layer count of each application the workload sends, in workload order ({}: not known)."""
    layers = layers or {}
    return {entry.app: layers[entry.app] for entry in scenario.workload if entry.app in layers}


def _depths(depths: Mapping[str, int], limit: int = 4) -> str:
    """``classify: 175 layers, chat: 16 layers and 2 more``."""
    items = list(depths.items())[:limit]
    shown = [f"{app}: {depth} layer{'' if depth == 1 else 's'}" for app, depth in items]
    more = f" and {len(depths) - limit} more" if len(depths) > limit else ""
    return ", ".join(shown) + more


def _have(names: Sequence[str]) -> str:
    """The verb agreeing with a listing of ``names``: "has" for one, "have" for several."""
    return "has" if len(names) == 1 else "have"


def _sources(names: Sequence[str], system: _System) -> str:
    """Some task sources with the workload entry that names the first."""
    return f"{quoted_listing(names)} (workload[{system.sources[names[0]]}].sources)"
