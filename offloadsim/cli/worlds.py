"""The world a command builds and describes before any run: validate, run --dry-run, compare --dry-run.

Built and checked as a run builds it, with one trial request of each application a plug-in kind of
work serves; what the world refuses is one line naming the scenario file and key path
(:class:`WorldRefused`, exit 2), what it is, the summary those commands print.
"""

from __future__ import annotations

from typing import Any

__all__ = ["WorldRefused", "built_world", "print_world", "station_lines", "world_summary"]


class WorldRefused(Exception):
    """A scenario's world refused as a run would refuse it: bad input, said in one line (exit 2).

    ``show_cause_with_debug``: the refusal is a plug-in's exception (its ``__cause__``), which
    ``--debug`` shows, as for the errors a plug-in's exception becomes elsewhere.
    """

    show_cause_with_debug = False


def built_world(scenario: Any, once: Any = None) -> Any:
    """The scenario's world, checked as a run would check it (a bad one is refused: :class:`WorldRefused`).

    ``once``: the scenario's :class:`offloadsim.api.WorldOnce`, which the checks may have built
    already; a world it could not build is built again here to say why.
    """
    from offloadsim.engine import checked_world
    from offloadsim.world import WorldError

    built = once() if once is not None else None  # None: built again, to say why it cannot be
    try:
        # as a run builds and checks it, and one request of each plug-in kind of work's
        world = checked_world(scenario if built is None else built, trial_requests=True)
    except WorldError as error:
        from offloadsim.scenario.overrides import blamed

        refused = WorldRefused(str(blamed(scenario, error.key_path, error.message, error.also)))
        refused.show_cause_with_debug = error.__cause__ is not None  # a plug-in's exception: --debug shows it
        raise refused from error.__cause__
    return world


def world_summary(world: Any, policies: Any = None) -> str | None:
    """Describe the built world, its notes those of a run of ``policies`` (None: its own); None: none."""
    if world is None:
        return None
    describe = getattr(world, "summary", None)
    if describe is not None:
        return describe(policies)
    describe = getattr(world.topology, "summary", None)
    return describe() if describe is not None else None


def print_world(world: Any, policies: Any = None) -> None:
    """Print the built world's summary (its notes under ``policies``), or say that there is none."""
    summary = world_summary(world, policies)
    if summary is None:
        print("(topology summary unavailable: offloadsim.world is not in this build)")
    else:
        print(summary)


def station_lines(spec: Any, world: Any, seed: int, **limit: float | None) -> list[str]:
    """What each station of policy ``spec``'s ``fixed`` plan runs and what crosses each cut, per application.

    Empty where ``spec`` has no fixed plan, or no world was built.  Its trial decisions are a run's,
    under ``policy_timeout_s`` (``--policy-timeout``; not given, the engine's default, whose module
    start-up does not import): a plug-in's fault in them, or a call of its that does not return, is
    refused in its one line (exit 2), so call it before printing.
    """
    if world is None:
        return []
    from offloadsim.engine.stations import describe

    return describe(world, spec, seed, **limit)
