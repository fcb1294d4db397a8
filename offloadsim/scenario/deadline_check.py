"""A deadline no task can meet: below the least time any placement computes the application in.

``deadline: 0.2 ms`` on ResNet-50 validates and runs, and every task misses it: the run then
reads as a policy failing its deadlines, not as a deadline written wrong (``0.2 s`` meant).  A
scenario check (:mod:`offloadsim.scenario.checks`): a warning per requested application whose
``deadline`` is below the world's lower bound on one request's compute time
(``CheckedRun.least_compute``, :mod:`offloadsim.world.least_compute`: each layer on the fastest
processor allowed to run it, nothing for transfers or queueing), naming the application and its
key.  An application the bound is not known for (an LLM, a noisy processor) is not warned of;
``unmissable-deadlines`` says the other side, a deadline no task can miss.  Each warning is about
the processors the bound is made from (``Problem.about``: those of the nodes allowed to run the
application or one of its ``alternatives``), so that a bare ``speed: 100`` among them, 100 FLOP/s
where 100 GFLOP/s was meant, is said by ``plain-speeds`` alone
(:data:`~offloadsim.scenario.checks.EXPLAINED_BY`): the bound is not the one its writer meant.
"""

from __future__ import annotations

from offloadsim.scenario.checks import CheckedRun
from offloadsim.scenario.errors import Problem, format_path
from offloadsim.scenario.model import Scenario
from offloadsim.scenario.units import format_quantity
from offloadsim.suggest import quoted

__all__ = ["unmeetable_deadlines"]


def unmeetable_deadlines(run: CheckedRun) -> list[Problem]:
    """One warning per requested application whose ``deadline`` is below its least compute time."""
    scenario = run.scenario
    deadlines = {
        entry.app: app.deadline_s
        for entry in scenario.workload
        if (app := scenario.applications.get(entry.app)) is not None and app.deadline_s is not None
    }
    bounds = run.least_compute() if deadlines else None
    warnings = []
    for name, deadline in deadlines.items():
        least = None if bounds is None else bounds.get(name)
        if least is not None and deadline < least:
            warnings.append(
                Problem(
                    scenario.source,
                    format_path(("applications", name, "deadline")),
                    f"{format_quantity(deadline, 'time')} is below {format_quantity(least, 'time')}, the "
                    f"least time a request of {quoted(name)} computes in on the nodes allowed to run it "
                    "(each layer on its fastest processor, with no transfer or wait), so every task "
                    "misses it",
                    about=(format_path(("applications", name, "deadline")), *_bounded_by(scenario, name)),
                )
            )
    return warnings


def _bounded_by(scenario: Scenario, name: str) -> tuple[str, ...]:
    """The key paths of the processors ``name``'s least compute time is made from, as the world's bound is.

    Each processor of a node allowed to run the application or one of its ``alternatives`` (its
    ``hosts``; none given: every node), once each node group's.
    """
    app = scenario.applications[name]
    served_by = [scenario.applications.get(other) for other in (name, *app.alternatives)]
    hosts = [spec.hosts for spec in served_by if spec is not None]
    paths: dict[str, None] = {}
    for node in scenario.nodes:
        if any(allowed is None or node.name in allowed for allowed in hosts):
            for processor in node.processors:
                paths[format_path(("nodes", node.group, *processor.path))] = None
    return tuple(paths)
