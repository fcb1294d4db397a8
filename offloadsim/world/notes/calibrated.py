"""The notes on calibrated profiles: another CPU's, not to be trusted for a model, an LLM's roofline.

A calibrated profile's numbers are this machine's only where it timed this machine's CPU
(:mod:`offloadsim.world.profiles.another_cpu`, said by a run, not by ``validate``); its trust
checks say a model it cannot be trusted for (:mod:`offloadsim.world.profiles.trust`); and an LLM
it costs runs at its two sustained rates, not its timed kernels.  Each is said only where the runs
noted compute with the profile (``context.under``: where their policies may place an application's
layers, and, once they have run, where they did): ``run --policy local`` of the quickstart never
computes on its calibrated edge, and said the edge's profile simulated another CPU.
"""

from __future__ import annotations

from typing import Any

from offloadsim.scenario.errors import format_path
from offloadsim.scenario.units import format_quantity
from offloadsim.world.notes.registry import Note, NoteContext
from offloadsim.world.precision_speed import calibrated

__all__ = ["KIND", "calibrated_notes"]

KIND = "calibrated-profile"


def calibrated_notes(context: NoteContext) -> list[Note]:
    """Trust of the calibrated profiles the world costs with; ``context.here``: their CPU against ours too."""
    every = [proc for proc in context.processors if calibrated(proc)]
    if not every:
        return []  # nothing to say, and no need to import the calibrated profiles' code
    used = _used(context, every)
    if not used:
        return []  # no run noted computes with a calibrated profile
    from functools import partial

    from offloadsim.host import cpu_model
    from offloadsim.world.profiles.another_cpu import another_cpu_note
    from offloadsim.world.profiles.builtin import kept_while_planning
    from offloadsim.world.profiles.trust import caveats, model_label

    graphs: dict[int, dict[str, Any]] = {}
    profiles: dict[int, Any] = {}
    for proc, apps in used:
        profiles[id(proc.costs)] = proc.costs
        hosted = graphs.setdefault(id(proc.costs), {})
        for app in apps:
            if app.graph is not None:
                hosted[f"{format_path(('applications', app.name))} ({model_label(app.graph)})"] = app.graph
    lines = []
    # The machine's CPU, and a profile's against it, read once in a sweep's planning.
    this_cpu = kept_while_planning(("cpu-model",), (), cpu_model) if context.here else None
    for key, profile in profiles.items():
        note = None
        if this_cpu is not None:
            against = partial(another_cpu_note, profile, this_cpu)
            note = kept_while_planning(("another-cpu", this_cpu), (profile,), against)
        if note:
            lines.append(Note(KIND, note, {"profile": profile.name, "this_cpu": this_cpu}))
        hosted = graphs[key]  # the same profile and graphs at each point of a sweep's planning
        about = ("caveats", *hosted)  # the labels its lines name the graphs by
        made = partial(caveats, profile, hosted)
        found = kept_while_planning(about, (profile, *hosted.values()), made)
        lines += [Note(KIND, line, {"profile": profile.name, "applications": list(hosted)}) for line in found]
    return lines + _llm_notes(used)


def _used(context: NoteContext, every: list[Any]) -> list[tuple[Any, list[Any]]]:
    """Each calibrated processor of ``every`` the runs noted compute with, and the applications run on it."""
    used = []
    for proc in every:
        apps = [app for app in context.apps if context.under(app, proc) is not None]
        if apps:
            used.append((proc, apps))
    return used


def _llm_notes(used: list[tuple[Any, list[Any]]]) -> list[Note]:
    """LLMs a calibrated profile costs: by the roofline of its two sustained rates, not its timed kernels.

    The trust checks judge a layer graph against the units the profile timed; an LLM has no
    layer graph there, and its prefill and decode run at the profile's one sustained FLOP/s and
    memory bandwidth, however few of its operations (attention, RMSNorm, SwiGLU) were timed.
    Without this line a run on a CNN-calibrated profile said nothing of it.
    """
    lines = []
    for proc, apps in used:
        for app in apps:
            if app.llm is None:
                continue
            where = format_path(("applications", app.name))
            text = (
                f"{where} ({app.llm.config.name}) on {proc.profile}: a calibrated profile costs an LLM's "
                f"prefill and decode at its sustained {format_quantity(proc.speed_flops, 'speed')} and "
                f"{proc.memory_Bps / 1e9:.4g} GB/s (a roofline), not by the kernels it timed"
            )
            facts = {
                "application": app.name,
                "profile": proc.profile,
                "speed_flops": proc.speed_flops,
                "memory_Bps": proc.memory_Bps,
            }
            lines.append(Note(KIND, text, facts))
    return lines
