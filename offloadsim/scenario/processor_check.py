"""A processor no stage will run on: a node's later processors under a policy that uses the first.

``fixed`` (its ``processors``), the shipped policies that price each of a node's processors
(``chooses_processors``: ``least-loaded``, ``model-select`` and the split policies) and
plug-in policies (``Plan.processors``) choose among a node's processors; every other
shipped policy plans, and estimates, on each node's first, so a GPU listed after a CPU stays
idle all run without a word.  A scenario check (:mod:`offloadsim.scenario.checks`):
a warning per processor left idle, at its key, of a node the policy may
compute on (its ``may_place``): ``fixed(node=edge)`` never computes on a
phone, whose NPU is then idle whichever processor comes first.
A plug-in policy may choose its processors itself, so it is not warned of.
"""

from __future__ import annotations

from offloadsim.plugins import shipped_module
from offloadsim.policies.base import placement_of
from offloadsim.policies.params import requirements_of
from offloadsim.policies.registry import find_policy, make_policy
from offloadsim.scenario.checks import CheckedRun
from offloadsim.scenario.errors import Problem, format_path
from offloadsim.scenario.model import NodeSpec
from offloadsim.suggest import quoted

__all__ = ["idle_processors"]


def idle_processors(run: CheckedRun) -> list[Problem]:
    """One warning per processor after a node group's first, which the run's policy never uses."""
    scenario, spec = run.scenario, run.policy
    info = find_policy(spec.name)
    if info is None or not shipped_module(getattr(info.factory, "__module__", "")):
        return []  # a plug-in's Plan.processors may name any of them
    policy = make_policy(spec.name, spec.params)  # its parameters were checked by the policy check
    if getattr(policy, "chooses_processors", False):
        return []  # it prices each processor of a node and runs on the fastest
    if any(need.need == "processor" for need in requirements_of(policy)):
        return []  # it names the processors its stations run on (fixed's processors)
    placement = placement_of(policy)  # None: it may place anywhere
    sources = {source for entry in scenario.workload for source in entry.sources}
    groups: dict[str, list[NodeSpec]] = {}
    for node in scenario.nodes:
        if node.more_processors:
            groups.setdefault(node.group, []).append(node)
    warnings: list[Problem] = []
    for members in groups.values():
        node = members[0]
        if placement is not None and not any(placement.allows(n.name, n.tier, sources) for n in members):
            continue  # it never computes on these nodes (fixed(node=edge) and the phones): not its doing
        first = node.processors[0].name
        for idle in node.more_processors:
            warnings.append(
                Problem(
                    scenario.source,
                    format_path(("nodes", node.group, "processors", idle.name)),
                    f"policy {quoted(spec.name)} runs a node's stages on its first processor "
                    f"({quoted(first)}), never on this one (list first the processor to use, or "
                    "choose one with the fixed policy's processors)",
                )
            )
    return warnings
