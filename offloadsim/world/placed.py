"""Where the policies run may place an application's layers: what the notes on hardware read.

A note on what a processor's numbers rest on (a GPU's assumed efficiency, a precision's peak
ratio, a plain ``speed:``) holds for a run only where its policy may place layers there: under
``local`` a phone at a plain speed runs everything and an idle T4 edge server nothing.  One rule,
from each policy's :class:`~offloadsim.policies.base.Placement`, for the world's notes
(:mod:`offloadsim.world.build`) and the manifests' notes worked out from a scenario alone.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from offloadsim.scenario.model import PolicySpec, Scenario
from offloadsim.world.notes.labels import joined, under_text

__all__ = [
    "Under",
    "joined",
    "made_or_none",
    "may_run",
    "named_policies",
    "placements",
    "policy_names",
    "policy_objects",
    "processor_rules",
    "runs_under",
    "sources_of",
    "under_text",
]

#: Which of the runs noted may place an application's (an AppTemplate's) layers on a processor (a
#: ProcessorModel): None where none may, ``()`` where every one may, else the labels of those that
#: may (a comparison's policies).
Under = Callable[[Any, Any], "tuple[str, ...] | None"]


def policy_objects(policies: Any) -> list[Any] | None:
    """``policies`` as policy objects: each one given, or made from a PolicySpec (the scenario's own).

    None where one cannot be made (:func:`made_or_none`): its run is refused, and said, elsewhere.
    """
    made = []
    for policy in policies if isinstance(policies, tuple | list) else (policies,):
        if isinstance(policy, PolicySpec):
            policy = made_or_none(policy)
            if policy is None:
                return None
        made.append(policy)
    return made


def made_or_none(spec: PolicySpec) -> Any:
    """The policy ``spec`` names, made; None where the registry refuses it as bad input.

    An unknown name or bad parameters (a plug-in's constructor that raised included, a
    ``PolicyBuildError``): the run of it is refused, and said, elsewhere.  Anything else is a bug
    (a shipped policy's constructor that raised): raised here, not hidden in a note.
    """
    from offloadsim.policies.registry import PolicyParamError, UnknownPolicyError, make_policy

    try:
        return make_policy(spec.name, spec.params)
    except (UnknownPolicyError, PolicyParamError):  # said elsewhere
        return None


def named_policies(policies: Any) -> list[tuple[Any, str | None]]:
    """Each of ``policies`` as a policy object with its registered name, for a note about some policies.

    A PolicySpec (the scenario's own) is made, and named as it is given (its object None where it
    cannot be made, :func:`made_or_none`: its run is refused, and said, elsewhere); an object is
    named as its class is registered (None: it is registered under no name, a policy written for
    one call of the API).
    """
    from offloadsim.policies.registry import registered_name

    named: list[tuple[Any, str | None]] = []
    for policy in policies if isinstance(policies, tuple | list) else (policies,):
        if not isinstance(policy, PolicySpec):
            named.append((policy, registered_name(policy)))
            continue
        named.append((made_or_none(policy), policy.name))
    return named


def policy_names(policies: Any) -> frozenset[str]:
    """The names of ``policies`` (:func:`named_policies`) and of a composite's inner ones, at any depth.

    Which notes registered for some policies (``register_note(..., policies=...)``) a run of them
    says: ``by-group`` with an ``edge`` group's tasks is a run of ``edge`` too, and so is one of a
    plug-in's ``class MyEdge(EdgePolicy)``: each policy is named also as the classes it derives
    from are registered (:func:`~offloadsim.policies.registry.registered_names`).
    """
    from offloadsim.policies.deciders import deciding
    from offloadsim.policies.registry import registered_names

    names: set[str] = set()
    for policy, name in named_policies(policies):
        for each, inner in deciding(policy, name or ""):
            names.update(n for n in (inner, *(registered_names(each) if each is not None else ())) if n)
    return frozenset(names)


def placements(policies: Any) -> list[Any] | None:
    """Where ``policies`` may place layers: each one's :class:`~offloadsim.policies.base.Placement`.

    None: anywhere, where any of them says nothing (a plug-in) or cannot be made.  ``policies``:
    policy objects or :class:`~offloadsim.scenario.model.PolicySpec` (the scenario's own).
    """
    from offloadsim.policies.base import placement_of

    found = []
    for policy in policy_objects(policies) or ():
        placement = placement_of(policy)
        if placement is None:
            return None
        found.append(placement)
    return found or None


def processor_rules(policies: Any) -> list[tuple[str, ...] | None]:
    """Which processors of a node each of ``policies`` computes on: None any, () its first, or those named.

    A plug-in policy (or one that cannot be made) may name any in its plans, and so may a shipped
    one that prices each processor of a node (``chooses_processors``: ``least-loaded``,
    ``model-select`` and the split policies); another shipped one runs on each node's
    first processor unless it names processors (``fixed``'s ``processors``).
    """
    from offloadsim.plugins import shipped_module
    from offloadsim.policies.params import requirements_of

    made = policy_objects(policies)
    if made is None:
        return [None]
    rules: list[tuple[str, ...] | None] = []
    for policy in made:
        if not shipped_module(type(policy).__module__) or getattr(policy, "chooses_processors", False):
            rules.append(None)
            continue
        needs = requirements_of(policy)
        rules.append(tuple(dict.fromkeys(str(n.processor) for n in needs if n.need == "processor")))
    return rules


def sources_of(scenario: Scenario, app: str) -> set[str]:
    """The nodes whose workload sends ``app``'s requests (every source where none names it).

    An application no entry names may still serve another's requests (a ``model-select``
    policy's ``alternatives``): then any source may send it work.
    """
    named = {src for entry in scenario.workload if entry.app == app for src in entry.sources}
    return named or {src for entry in scenario.workload for src in entry.sources}


def may_run(
    hosts: Collection[str] | None,
    node: str,
    tier: str,
    sources: Collection[str],
    placed: list[Any] | None,
    reaches: Callable[[str, str], bool] | None = None,
) -> bool:
    """Whether ``node`` (of ``tier``) may run layers of an application: its hosts, a policy and a source.

    ``placed``: where the policies may place (None: anywhere), so that under ``local`` only a
    source runs its layers, under ``fixed(node=edge)`` only ``edge``; ``reaches(source, node)``:
    whether a source reaches the node (None: not asked, where no topology was built).
    """
    if hosts is not None and node not in hosts:
        return False
    if placed is not None and not any(p.allows(node, tier, sources) for p in placed):
        return False
    return node in sources or reaches is None or any(reaches(src, node) for src in sources)


def runs_under(
    scenario: Scenario,
    policies: Mapping[str, Any] | None = None,
    reaches: Callable[[str, str], bool] | None = None,
    computed: Mapping[str, Collection[tuple[str, ...]]] | None = None,
) -> Under:
    """The :data:`Under` of runs of ``policies`` (label -> a policy or a tuple; None: the scenario's).

    A single label (a run) answers ``()`` or None.  ``computed``: for the labels of runs that have
    run, the ``(node, processor)`` pairs they computed on (the scenario's own run: label ``""``); a
    processor a run never computed on is not its, whatever its policy may place there (the
    quickstart's ``neurosurgeon`` may use the cloud's A100 and put no task there).  Where they
    hold ``(application, node, processor)`` triples too (a run's, from its plans), a processor is
    an application's only where one says so: a note on AlexNet on a GPU that ran only VGG-16 is
    not its, nor one on an alternative the run never served.  A label it does not name is held to
    what its policy may do.
    """
    runs = policies or {"": scenario.policy}
    placed = {label: placements(policy) for label, policy in runs.items()}
    # which of a node's processors each run computes on: a shipped policy that does not price each
    # of them (chooses_processors) runs on each node's first unless it names others (fixed's
    # processors), so a note on a phone's NPU under local is not its
    rules = {label: processor_rules(policy) for label, policy in runs.items()}
    firsts = {node.name: node.processors[0].name for node in scenario.nodes if node.processors}
    tiers = {node.name: node.tier for node in scenario.nodes}
    sources: dict[str, set[str]] = {}
    # by label, the applications whose processors a run names (its triples): held to those
    planned = {label: {each[0] for each in ran if len(each) == 3} for label, ran in (computed or {}).items()}

    def under(app: Any, proc: Any) -> tuple[str, ...] | None:
        if app.name not in sources:
            sources[app.name] = sources_of(scenario, app.name)
        hosts, node = app.spec.hosts, proc.node
        name = proc.spec.name
        labels = tuple(
            label
            for label, each in placed.items()
            if may_run(hosts, node, tiers[node], sources[app.name], each, reaches)
            and any(rule is None or name in (rule or (firsts.get(node),)) for rule in rules[label])
            and (
                computed is None
                or label not in computed
                or _ran(computed[label], planned[label], app, node, name)
            )
        )
        return None if not labels else () if len(labels) == len(placed) else labels

    return under


def _ran(ran: Collection[tuple[str, ...]], planned: set[str], app: Any, node: str, name: str) -> bool:
    """Whether a run that computed on ``ran`` computed ``app``'s layers on processor ``name`` of ``node``.

    On it at all (a ``(node, processor)`` pair), and, where the run names the processors of its
    applications (``planned``: the applications its triples name, none for a run read back
    without them), as one of them.  An application a run with triples never planned is not its
    anywhere: ``local`` never serves an application's ``alternatives``, and the int8 MobileNetV2
    that ``model-select`` may choose for ResNet-50 was said of ``local``'s phones (and of
    ``edge``'s GPU) because they computed ResNet-50.
    """
    return (node, name) in ran and (not planned or (app.name, node, name) in ran)
