"""The note on layer graphs a built-in GPU profile may cost: at an assumed efficiency, not a measured rate.

Every built-in GPU profile runs a layer at one assumed share of its data-sheet peak
(:data:`~offloadsim.world.profiles.builtin.GPU_EFFICIENCY`); at a batch of one, published
ResNet-50 latencies put the A100 7 times slower than that (docs/profiles.md#batch-one-
against-published-latencies), and a run on the quickstart's cloud said nothing of it.
An LLM's prefill runs at it too, and its time to first token with it (a new user's A100
TTFT said nothing of it).  Said by a run only (``validate`` has no times to qualify), and only
where the GPU may run an application's layers: a node its ``hosts`` allow, that one of its
sources reaches, and, under policies that keep every task on its source (``local``), a source
itself.  The one published point is int8 ResNet-50: a model or precision it is not is said
unchecked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from offloadsim.scenario.errors import format_path
from offloadsim.scenario.overrides import PathError, parse_path
from offloadsim.suggest import listed
from offloadsim.world.notes.derived_runs import allowed_on, derived_runs
from offloadsim.world.notes.registry import Note, NoteContext, app_facts

__all__ = ["KIND", "gpu_efficiency_notes", "gpu_note", "gpu_places", "merge_gpu_notes"]

KIND = "gpu-efficiency"

#: The precision and model of the one published batch-one point (:mod:`~offloadsim.world.profiles.published`).
_CHECKED = ("int8", "resnet50")

#: (application, model, precision, GPU profile, its processor's fusion); a manifest written before
#: fusion holds the first four (no fusion).
Entry = tuple[str, ...]


def gpu_efficiency_notes(context: NoteContext) -> list[Note]:
    """The one line on the layer graphs the runs noted may cost on a built-in GPU profile; [] for none."""
    entries: list[Entry] = []
    for app, proc in derived_runs(context, "GPU_EFFICIENCY"):
        # an LLM's prefill (TTFT); its decode has its own note, a ceiling
        model = f"{app.llm.config.name} prefill" if app.llm is not None else app.graph.name
        where = format_path(("applications", app.name))
        entries.append((where, model, _computed_in(app), proc.costs.name, proc.spec.fusion))
    return [gpu_note(entries, context.ahead)] if entries else []


def _computed_in(app: Any) -> str:
    """What ``app``'s layers compute in, as the note says it: ``int4 (fp16 compute)`` for W4A16.

    An int4 LLM's prefill computes in its activations' precision at the same assumed share of
    that peak: a sweep over precisions said ``bf16 and fp16 and int8``, its int4 points left out.
    """
    weights = app.weights
    return app.precision if weights == app.precision else f"{weights} ({app.precision} compute)"


def gpu_places(note: Note) -> frozenset[Entry]:
    """The (application, model, profile) a GPU line names, its precisions aside.

    A sweep's lines held at different points merge as one where these are the same (a precision
    swept: the line lists each); AlexNet on a T4 at one point only is not merged into a line of
    another point's VGG-16 on it, which would say AlexNet there too.
    """
    return frozenset((entry[0], entry[1], entry[3]) for entry in note.facts.get("entries", ()))


def merge_gpu_notes(notes: Sequence[Note]) -> Note:
    """Several worlds' GPU lines as one: a sweep over precision said one line a point, alike but for it."""
    ahead = any(note.facts.get("ahead") for note in notes)
    return gpu_note([tuple(entry) for note in notes for entry in note.facts["entries"]], ahead)


def gpu_note(entries: Sequence[Entry], ahead: bool = False) -> Note:
    """The one line on layer graphs costed on built-in GPU profiles at an assumed efficiency.

    ``ahead``: said before the runs (a dry run): of where they would be allowed to run, not where they ran.
    """
    from offloadsim.world.profiles.builtin import GPU_EFFICIENCY
    from offloadsim.world.profiles.published import SECTION, batch_one_ratio

    said: dict[tuple[str, str], tuple[dict[str, None], dict[str, None]]] = {}  # precisions, profiles
    costed: dict[tuple[str, str], None] = {}  # (profile, fusion): how each GPU's time was costed
    for where, model, precision, profile, *fused in entries:
        precisions, on = said.setdefault((where, model), ({}, {}))
        precisions[precision] = on[profile] = None
        costed[(profile, fused[0] if fused else "none")] = None
    each = "; ".join(
        f"{where} ({model}, {listed(list(precisions))}) {allowed_on(ahead)} {', '.join(on)}"
        for (where, model), (precisions, on) in said.items()
    )
    ratios = {(profile, fusion): batch_one_ratio(profile, fusion) for profile, fusion in costed}
    times = ", ".join(
        f"{ratio:.2g}x on {profile}" + ("" if fusion == "none" else f" ({fusion} fusion)")
        for (profile, fusion), ratio in ratios.items()
        if ratio is not None
    )
    unpublished = ", ".join(dict.fromkeys(profile for (profile, _), ratio in ratios.items() if ratio is None))
    published = [
        f"one published point checks it, int8 ResNet-50 at batch one, slower than simulated: {times}"
    ] * bool(times)
    published += [f"no published batch-one time checks {unpublished}"] * bool(unpublished)
    unchecked = list(dict.fromkeys(x for _, model, precision, *_ in entries for x in (precision, model)))
    unchecked = [x for x in unchecked if x not in _CHECKED]
    if unchecked:
        # "fp32, alexnet or vgg16": it read "fp32 and alexnet and vgg16 are not checked"
        either = ", ".join(unchecked[:-1]) + " or " * (len(unchecked) > 1) + unchecked[-1]
        published.append(f"no published point checks {either}")
    text = (
        f"{each}: a built-in GPU profile runs each layer at an assumed {GPU_EFFICIENCY:.2f} of its "
        f"data-sheet peak, not a rate measured at a batch of one; {'; '.join(published)} ({SECTION})"
    )
    facts: dict[str, Any] = {"entries": [list(entry) for entry in entries], "efficiency": GPU_EFFICIENCY}
    facts["profiles"] = list(dict.fromkeys(entry[3] for entry in entries))  # the GPUs it is about
    named = {_app_name(entry[0]): None for entry in entries}
    if None not in named:  # each line as of one application alone: a figure of it says only its own
        alone = [[entry for entry in entries if _app_name(entry[0]) == app] for app in named]
        texts = {
            str(app): text if len(named) == 1 else gpu_note(of, ahead).text
            for app, of in zip(named, alone, strict=True)
        }
        facts = {**facts, **app_facts(texts)}
    return Note(KIND, text, {**facts, "ahead": True} if ahead else facts)


def _app_name(where: str) -> str | None:
    """``vgg16`` of ``applications.vgg16`` (an entry's first); None where it is no application's path."""
    try:
        parts = parse_path(where)
    except PathError:
        return None
    return parts[1] if len(parts) == 2 and parts[0] == "applications" and isinstance(parts[1], str) else None
