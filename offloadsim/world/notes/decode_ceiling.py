"""The note on LLMs whose decode runs memory-bound on a built-in profile: a ceiling, not a measured rate.

A decode step reads every weight, so on a derived profile it runs at the data sheet's (or the
assumed) memory bandwidth, used in full: tokens/s is weights ÷ bandwidth, a ceiling that one
request's measured decoding falls well short of (docs/profiles.md#llm-decoding-a-bandwidth-
ceiling). A run reported 824 tok/s for Llama-3.2-1B on an A100 without a word.
"""

from __future__ import annotations

from offloadsim.scenario.errors import format_path
from offloadsim.world.notes.registry import Note, NoteContext
from offloadsim.world.placed import may_run, placements, sources_of

__all__ = ["KIND", "decode_ceiling_notes"]

KIND = "decode-ceiling"


def decode_ceiling_notes(context: NoteContext) -> list[Note]:
    """One line for every memory-bound LLM decode of the world the runs' policies may use.

    :meth:`World.memory_bound_decodes`, on the nodes where a policy may run the application's
    layers (its hosts, a source reaching the node, where the policy places): under ``local`` the
    sources alone, not the edge and cloud GPUs it never uses.
    """
    said: dict[str, list[str]] = {}
    rates: list[dict[str, object]] = []
    scenario, world = context.scenario, context.world
    placed = placements(scenario.policy if context.policies is None else context.policies)
    for app, proc, rate in world.memory_bound_decodes():
        tier = context.nodes[proc.node].tier
        sources = sources_of(scenario, app.name)
        if not may_run(app.spec.hosts, proc.node, tier, sources, placed, world.topology.reachable):
            continue
        where = f"{format_path(('applications', app.name))} ({app.llm.config.name})"
        ceiling = (
            f"{rate:,.0f} tok/s on {proc.profile}" if rate >= 100 else f"{rate:.3g} tok/s on {proc.profile}"
        )
        said.setdefault(where, [])
        if ceiling not in said[where]:
            said[where].append(ceiling)
            rates.append({"application": app.name, "profile": proc.profile, "tokens_per_s": rate})
    if not said:
        return []
    each = "; ".join(f"{where} at most {', '.join(ceilings)}" for where, ceilings in said.items())
    text = (
        f"LLM decode runs at the profile's full memory bandwidth, so its tokens/s is a "
        f"ceiling, not a measured rate ({each}): one request's measured decoding is slower "
        "(docs/profiles.md#llm-decoding-a-bandwidth-ceiling)"
    )
    return [Note(KIND, text, {"ceilings": rates})]
