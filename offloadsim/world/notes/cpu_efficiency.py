"""The note on work a built-in CPU profile costs: at an assumed efficiency, on one core a stage.

Every built-in CPU profile runs a layer at one assumed share of its data-sheet peak
(:data:`~offloadsim.world.profiles.builtin.CPU_EFFICIENCY`), as the GPUs run at theirs, which
their own note states; an LLM's prefill and its compute-bound decode steps run at it too.  An
LLM-serving trial read a phone's tokens/s with no word of it (its int4 decode, compute-bound,
left the decode-ceiling note, and nothing stood in).  A stage (a layer chain, a prefill, a
decode step) runs on one core, so the note names the cores: a node's cores serve stages side by
side, none of them faster.  Said by a run only (``validate`` has no times to qualify), and only
where the CPU may run an application's layers (as :mod:`.gpu_efficiency` decides).
"""

from __future__ import annotations

from offloadsim.scenario.errors import format_path
from offloadsim.world.notes.derived_runs import allowed_on, derived_runs
from offloadsim.world.notes.registry import Note, NoteContext

__all__ = ["KIND", "cpu_efficiency_notes"]

KIND = "cpu-efficiency"


def cpu_efficiency_notes(context: NoteContext) -> list[Note]:
    """The one line on the applications a run may cost on a built-in CPU profile; [] for none."""
    said: dict[str, dict[str, None]] = {}  # application -> the profiles (with their cores) it may run on
    llms = False
    for app, proc in derived_runs(context, "CPU_EFFICIENCY"):
        config = app.llm.config if app.llm is not None else app.graph
        where = f"{format_path(('applications', app.name))} ({config.name}, {app.precision})"
        llms = llms or app.llm is not None
        cores = proc.cores
        said.setdefault(where, {})[f"{proc.costs.name} ({cores} core{'s' * (cores != 1)})"] = None
    if not said:
        return []
    from offloadsim.world.profiles.builtin import CPU_EFFICIENCY  # only where one is used (start-up)

    each = "; ".join(f"{where} {allowed_on(context.ahead)} {', '.join(on)}" for where, on in said.items())
    llm = " (an LLM's prefill, and its decode where compute-bound)" if llms else ""
    text = (
        f"{each}: a built-in CPU profile runs each layer{llm} at an assumed {CPU_EFFICIENCY:.2f} of "
        "its data-sheet peak, not a measured rate, and a stage uses one core: more cores serve more "
        "requests at once, none faster (docs/profiles.md#the-profiles-with-their-numbers)"
    )
    facts = {"applications": list(said), "efficiency": CPU_EFFICIENCY}
    return [Note(KIND, text, {**facts, "ahead": True} if context.ahead else facts)]
