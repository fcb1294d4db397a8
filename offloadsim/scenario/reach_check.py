"""Moving devices never within reach of an access point: the ``unreached-devices`` scenario check.

A ``mobility`` device attaches only to an access point whose coverage disc holds it; one that no
disc ever reaches is cut off all run, so whatever it offloads fails and the results read as those
of a policy that failed.  A disc placed off the area, a ``radius`` in the wrong unit or a trace in
another frame did that without a word.  Which devices are never in reach is the world's to say
(``CheckedRun.unreached``, from :mod:`offloadsim.world.dynamics.reach`); registered in
:data:`offloadsim.scenario.checks.SHIPPED`.
"""

from __future__ import annotations

from offloadsim.scenario.checks import CheckedRun
from offloadsim.scenario.errors import Problem
from offloadsim.suggest import counted, quoted_listing

__all__ = ["unreached_devices"]


def unreached_devices(run: CheckedRun) -> list[Problem]:
    """One warning per ``mobility`` entry, at its ``devices``, naming the devices no access point reaches."""
    scenario = run.scenario
    unreached = run.unreached() if scenario.dynamics else None
    warnings = []
    for index, devices in sorted((unreached or {}).items()):
        one = len(devices) == 1
        moves, offloads = ("it moves", "it offloads") if one else ("they move", "they offload")
        named = (
            quoted_listing(devices)
            if one
            else f"{counted(len(devices), 'device')} ({quoted_listing(devices)})"
        )
        warnings.append(
            Problem(
                scenario.source,
                f"dynamics[{index}].devices",
                f"{named} {'is' if one else 'are'} never within reach of an access point in the run "
                f"(no access_points[].position and radius covers where {moves}): "
                f"cut off all run, whatever {offloads} fails",
            )
        )
    return warnings
