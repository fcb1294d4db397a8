"""A server the policy needs, down all the measured time: the ``servers-down`` scenario check.

A ``node-schedule`` step that takes a node down by the end of the warm-up,
with nothing bringing it back before the run's end, leaves a policy that
names that node, or needs a node of its tier, with nowhere to send a
measured task: it drops them or runs them elsewhere, and the run reads as
that policy's result.  Which nodes are down for good is the world's to say
(``CheckedRun.outages``); registered in :data:`offloadsim.scenario.checks.SHIPPED`.
"""

from __future__ import annotations

from collections.abc import Mapping

from offloadsim.policies.params import COMPUTING_NODE, SOURCE, STATION, references, requirements_of
from offloadsim.policies.registry import PolicyParamError, find_policy, make_policy
from offloadsim.scenario.checks import CheckedRun
from offloadsim.scenario.errors import Problem, format_path
from offloadsim.suggest import quoted, quoted_listing

__all__ = ["servers_down"]


def servers_down(run: CheckedRun) -> list[Problem]:
    """One warning per node the policy names, or tier it needs, that is down from the warm-up's end on.

    A tier is down when every node of it with a processor is; for a policy that uses each of its
    tiers (``Requirement.computing_tier(each=True)``), each tier on its own.
    """
    scenario = run.scenario
    outages = run.outages() if scenario.dynamics else None
    down = {node: when for node, when in (outages or {}).items() if when[0] <= scenario.warmup_s}
    info = find_policy(run.policy.name)
    if not down or info is None:
        return []
    try:
        policy = make_policy(run.policy.name, run.policy.params)
    except PolicyParamError:
        return []  # the policy check refused it already
    said = f"policy {quoted(run.policy.name)}"
    warnings = []
    for param, value in run.policy.params.items():
        hint = info.hints.get(param)
        for sub, kind, name in references(hint, value) if hint is not None else ():
            if name in down and (kind is COMPUTING_NODE or (kind is STATION and name != SOURCE)):
                key = format_path(("policy", param)) + sub
                why = f"{said} sends tasks there ({key}): none measured can run there"
                warnings.append(_warning(run, down, [name], why))
    for requirement in requirements_of(policy):
        if requirement.need != "computing tier":
            continue
        for tiers in [(tier,) for tier in requirement.tiers] if requirement.each else [requirement.tiers]:
            serving = [n.name for n in scenario.nodes if n.processor is not None and n.tier in tiers]
            if serving and all(name in down for name in serving):
                why = (
                    f"{said} {requirement.reason}, but no node of tier {' or '.join(tiers)} "
                    "with a processor is up in the measured time"
                )
                warnings.append(_warning(run, down, serving, why))
    return warnings


def _warning(run: CheckedRun, down: Mapping[str, tuple[float, str]], nodes: list[str], why: str) -> Problem:
    """The warning at the step that took the last of ``nodes`` down (its ``at``)."""
    at, path = max((down[name] for name in nodes), key=lambda when: when[0])
    scenario = run.scenario
    one = len(nodes) == 1
    return Problem(
        scenario.source,
        path,
        f"{quoted_listing(nodes)} {'goes' if one else 'go'} down at {at:g} s, by the end of the warm-up at "
        f"{scenario.warmup_s:g} s, and nothing brings {'it' if one else 'them'} back up before the run's "
        f"end at {scenario.end_s:g} s: {why}",
    )
