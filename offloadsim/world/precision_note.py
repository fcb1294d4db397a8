"""The note on applications run in another precision than their model's, or with a codec.

A precision (``params: {precision: int8}``) and a ``compression`` codec change bytes and time only:
what they cost a model's answers is not modelled (docs/models.md#precision).  On a built-in profile
another precision's speed-up is the ratio of two data-sheet peaks (int8 4x fp32 on a Cortex-A76),
where measured ones are smaller (1.5 to 2.5x on a phone's CPU): the note says both, and that a
comparison rests on them.  One function for the world's notes (:mod:`offloadsim.world.build`) and
for a sweep's or comparison's manifest, which the figures read.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from offloadsim.scenario.errors import format_path
from offloadsim.world.placed import Under, joined, under_text

# The world's applications and processors (offloadsim.world.build's AppTemplate and ProcessorModel),
# typed Any: that module imports this one, and a cycle of two modules is one the checks refuse.
AppTemplate = Any
ProcessorModel = Any

__all__ = [
    "DOC",
    "merged_facts",
    "precision_note",
    "precision_note_facts",
    "precision_note_text",
    "without_paired",
]

#: Where the note points, and what tells it from the other notes of a manifest.
DOC = "(docs/models.md#precision)"


def precision_note(
    apps: Iterable[AppTemplate],
    processors: Iterable[ProcessorModel],
    under: Under | None = None,
    groups: Mapping[str, str] | None = None,
) -> list[str]:
    """One line for ``apps`` run in another precision than their model's, or compressed; [] for none.

    :func:`precision_note_facts` and :func:`precision_note_text`, joined.
    """
    facts = precision_note_facts(apps, processors, under, groups)
    return [] if facts is None else [precision_note_text(facts)]


def precision_note_facts(
    apps: Iterable[AppTemplate],
    processors: Iterable[ProcessorModel],
    under: Under | None = None,
    groups: Mapping[str, str] | None = None,
) -> dict[str, Any] | None:
    """What the note says: its ``head`` text, and its ``plain`` speeds' entries; None for no note.

    A run that read faster and smaller for them said nothing of what quantising costs a model's
    answers.  A codec that compresses nothing (no narrower than the model's precision) has its own
    note and none here.  ``processors``: every processor of the world, for the peak ratios, of
    which only those the runs may place an application's layers on are named (``under``; None:
    every one its hosts allow): under ``local`` a T4 edge server runs nothing, and "int8 is 16x
    fp32's speed on t4" said nothing of the phones that ran it.  ``groups``: each node's group,
    naming a plain speed's node (``nodes.phone``), on which another precision computes at the same
    FLOP/s (``plain``: kept apart, so that a sweep that gives each precision its own speed drops
    them, :func:`without_paired`).
    """
    from offloadsim.models.precision import BYTES

    apps, processors = list(apps), list(processors)
    under = under or _hosted
    # an application the runs place nowhere (an alternative ``local`` never serves) is not theirs
    apps = [app for app in apps if any(under(app, proc) is not None for proc in processors)]
    said = []
    for app in apps:
        where = format_path(("applications", app.name))
        if app.weights and app.weights != _own_precision(app):
            said.append(f"precision {app.weights} ({where})")
        codec = app.spec.compression
        if (
            codec != "none"
            and app.graph is not None
            and app.llm is None
            and BYTES[codec] < BYTES[app.precision]
        ):
            said.append(f"compression {codec} ({where})")
    if not said:
        return None
    ratios = [
        {
            "pair": list(pair),
            "profiles": [
                {"profile": profile, "ratio": ratio, "under": list(labels), "times": list(times), "gpu": gpu}
                for profile, (ratio, labels, times, gpu) in each.items()
            ],
        }
        for pair, each in _peak_ratios(apps, processors, under).items()
    ]
    plain = _plain_speed_entries(apps, processors, under, groups or {})
    return {"said": said, "ratios": ratios, "plain": plain}


def precision_note_text(facts: Mapping[str, Any]) -> str:
    """The note's line from its :func:`precision_note_facts` (or several points' :func:`merged_facts`)."""
    said = facts["said"]
    shown = ", ".join(said[:4]) + (f" and {len(said) - 4} more" if len(said) > 4 else "")
    ratios = {
        tuple(entry["pair"]): {
            each["profile"]: (each["ratio"], tuple(each["under"]), tuple(each["times"]), each["gpu"])
            for each in entry["profiles"]
        }
        for entry in facts["ratios"]
    }
    speedup = _speedup_text(ratios)
    return (
        f"{shown}: bytes and time only; accuracy is not modelled{speedup}"
        f"{_plain_speed_text(facts['plain'])} {DOC}"
    )


def merged_facts(several: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Several runs' (a sweep's points') note facts as one: each profile once, its times' range.

    A sweep over ``image_size`` and ``precision`` said "int8's peak is 16x fp32's on jetson-orin
    (the model 4.24x faster here)" and the same with 4.44x, one line a point; merged, the model's
    times read as a range, and the runs that may place on each profile are joined.
    """
    said: list[str] = []
    ratios: dict[tuple[str, ...], dict[str, dict[str, Any]]] = {}
    plain: dict[tuple[str, ...], dict[str, Any]] = {}
    for facts in several:
        said.extend(item for item in facts["said"] if item not in said)
        for entry in facts["ratios"]:
            on = ratios.setdefault(tuple(entry["pair"]), {})
            for each in entry["profiles"]:
                before = on.get(each["profile"])
                if before is None:
                    on[each["profile"]] = {**each, "times": list(each["times"])}
                    continue
                before["under"] = list(joined(tuple(before["under"]), tuple(each["under"])) or ())
                before["times"].extend(t for t in each["times"] if t not in before["times"])
        for entry in facts["plain"]:
            kept = plain.setdefault(tuple(entry["pair"]), {"pair": entry["pair"], "apps": [], "on": {}})
            kept["apps"].extend(app for app in entry["apps"] if app not in kept["apps"])
            for where in entry["on"]:
                before_under = kept["on"].get(where["key"])
                kept["on"][where["key"]] = (
                    tuple(where["under"])
                    if before_under is None
                    else joined(before_under, tuple(where["under"])) or ()
                )
    return {
        "said": said,
        "ratios": [{"pair": list(pair), "profiles": list(on.values())} for pair, on in ratios.items()],
        "plain": [
            {**entry, "on": [{"key": key, "under": list(under)} for key, under in entry["on"].items()]}
            for entry in plain.values()
        ],
    }


def without_paired(facts: Mapping[str, Any], paired: Collection[str]) -> dict[str, Any]:
    """``facts`` less the plain speeds a sweep varies together with the application's precision.

    ``paired``: key paths a sweep varies element by element (its ``zip:``).  A ``zip`` of
    ``applications.classify.params.precision`` and ``nodes.phone.processors.npu.speed`` gives each
    precision its own rate (docs/profiles.md), and "int8 runs no faster than fp32 on
    nodes.phone.processors.npu" said the opposite of the sweep.
    """
    kept = []
    for entry in facts["plain"]:
        if any(_varied(f"applications.{app}.params.precision", paired) for app in entry["apps"]):
            on = [where for where in entry["on"] if not _varied(f"{where['key']}.speed", paired)]
            entry = {**entry, "on": on}
        if entry["on"]:
            kept.append(entry)
    return {**facts, "plain": kept}


def _varied(key: str, paired: Collection[str]) -> bool:
    """Whether ``key`` or a mapping above it is among ``paired``."""
    return any(key == other or key.startswith(f"{other}.") for other in paired)


def _hosted(app: AppTemplate, proc: ProcessorModel) -> tuple[str, ...] | None:
    """The :data:`Under` of a run that may place layers on every processor ``app``'s hosts allow."""
    hosts = app.spec.hosts
    return None if hosts is not None and proc.node not in hosts else ()


def _plain_speed_entries(
    apps: list[AppTemplate], processors: list[ProcessorModel], under: Under, groups: Mapping[str, str]
) -> list[dict[str, Any]]:
    """The plain speeds another precision computes no faster on: each precision pair's apps and keys.

    A plain ``speed:`` is one rate for every precision, so a model in int8 computes no faster
    there than in fp32 (its fewer bytes may still shorten transfers, or a memory-bound layer).
    A run all local on phones at a plain speed said only the peak ratio of a GPU it never used.
    ``[{"pair": ["int8", "fp32"], "apps": ["classify"], "on": [{"key": "nodes.phone.processor",
    "under": []}]}]``.
    """
    said: dict[tuple[str, str], tuple[list[str], dict[str, tuple[str, ...] | None]]] = {}
    for app in apps:
        own = _own_precision(app)
        if not app.weights or app.weights == own or app.precision == own:
            continue
        for proc in processors:
            if proc.costs is not None or (labels := under(app, proc)) is None:
                continue
            group = groups.get(proc.node, proc.node)
            where = format_path(("nodes", group, *proc.spec.path))
            names, on = said.setdefault((app.precision, own), ([], {}))
            if app.name not in names:
                names.append(app.name)
            on[where] = joined(on.get(where), labels)
    return [
        {
            "pair": list(pair),
            "apps": names,
            "on": [{"key": where, "under": list(labels or ())} for where, labels in on.items()],
        }
        for pair, (names, on) in said.items()
    ]


def _plain_speed_text(entries: list[dict[str, Any]]) -> str:
    """``; int8 runs no faster than fp32 on nodes.phone.processor, whose plain speed ...``, or "".

    The note ends ``is the same FLOP/s for every precision``.
    """
    if not entries:
        return ""
    each = "; ".join(
        f"{entry['pair'][0]} runs no faster than {entry['pair'][1]} on "
        + ", ".join(f"{where['key']}{under_text(tuple(where['under']))}" for where in entry["on"])
        + f", {'whose plain speed is' if len(entry['on']) == 1 else 'plain speeds:'} "
        "the same FLOP/s for every precision"
        for entry in entries
    )
    return f"; {each}"


def _speedup_text(ratios: Mapping[tuple[str, ...], Mapping[str, Ratio]]) -> str:
    """``; int8's peak is 16x fp32's on jetson-orin (the model's time here 4.43x shorter) (...)``, or "".

    The speed-up a built-in profile gives another precision is the ratio of two data-sheet peaks,
    where measured ones are smaller (int8 on a phone's CPU: 1.5 to 2.5x, TensorFlow Lite); a note
    that said so under the table only left the figures, and a finding such as "int8 on the phone
    beats offloading", resting on it unsaid.  "int8 is 16x fp32's speed on jetson-orin here" read
    as the run's own speed-up, where its memory-bound layers ran 4.4x faster: each profile's peak
    ratio is said beside the ratio of the model's own times on it.  The phone-CPU measurements are
    quoted only where a CPU profile is named, not under a GPU alone.  Empty where no precision
    changes a peak.
    """
    if not ratios:
        return ""
    runs = "; ".join(_ratios_text(pair, each) for pair, each in ratios.items())
    measured = ""
    cpu = any(not gpu for each in ratios.values() for _, _, _, gpu in each.values())
    if ("int8", "fp32") in ratios and cpu:
        from offloadsim.world.profiles.published import measured_int8_speedups

        low, high = measured_int8_speedups()
        measured = f"; measured int8 speed-ups on a phone's CPU are {low:.1f}-{high:.1f}x, TensorFlow Lite"
    return (
        f"; {runs}: the data sheets' peak ratios, not measured{measured}; "
        "a comparison between precisions, or with offloading, rests on them"
    )


#: A profile's speed-up for a precision pair: its peak ratio, the runs that may place there, the
#: model's own time ratios there (fp32's time over int8's, one per model), whether it is a GPU's.
Ratio = tuple[str, tuple[str, ...], tuple[float, ...], bool]


def _ratios_text(pair: tuple[str, ...], each: Mapping[str, Ratio]) -> str:
    """``int8's peak is 4x fp32's on cortex-a76 (the model 4x faster here), 16x on t4 (...)``."""
    said = [
        f"{ratio} on {profile}{_within(labels, times)}" for profile, (ratio, labels, times, _) in each.items()
    ]
    said[0] = said[0].replace(" on ", f" {pair[1]}'s on ", 1)
    return f"{pair[0]}'s peak is {', '.join(said)}"


def _within(labels: tuple[str, ...], times: tuple[float, ...]) -> str:
    """`` (under edge only; the model 4.43x faster here)``: who may place there, the model's own time ratio.

    >>> _within((), (4.4321,)), _within(("edge",), (3.9, 4.4)), _within((), ())
    (' (the model 4.43x faster here)', ' (under edge only; the model 3.9-4.4x faster here)', '')
    """
    parts = [under_text(labels)[2:-1]] if labels else []
    if times:
        low, high = f"{min(times):.3g}", f"{max(times):.3g}"
        parts.append(f"the model {low if low == high else f'{low}-{high}'}x faster here")
    return f" ({'; '.join(parts)})" if parts else ""


def _peak_ratios(
    apps: list[AppTemplate], processors: list[ProcessorModel], under: Under
) -> dict[tuple[str, str], dict[str, Ratio]]:
    """``{("int8", "fp32"): {"cortex-a76": ("4x", (), (4.0,), False), ...}}``: the speed-ups.

    A built-in profile runs a precision at its data-sheet peak times one efficiency, so an int8
    model's compute-bound layers run the int8/fp32 peak ratio faster than its fp32 self
    (MobileNetV2 on a phone: 45.7 to 11.4 ms), and its memory-bound ones by the ratio of their
    bytes (4x at most), where measured int8 speed-ups are smaller (docs/models.md#precision).
    Each profile the runs may place on (``under``) with the runs that may (``()``: every one), and
    the model's own times there in both precisions.  Empty where no application's precision
    changes its processors' peak.
    """
    from offloadsim.world.profiles.builtin import GPU_EFFICIENCY

    ratios: dict[tuple[str, str], dict[str, Ratio]] = {}
    for app in apps:
        own = _own_precision(app)
        if not app.weights or app.weights == own:
            continue
        for proc in processors:
            peak_for = getattr(proc.costs, "peak_for", None)
            if peak_for is None or (labels := under(app, proc)) is None:
                continue  # a calibrated profile or a plain speed: one rate for every precision
            ratio = peak_for(app.precision)[1] / peak_for(own)[1]
            if ratio != 1.0:
                said = ratios.setdefault((app.precision, own), {})
                profile = str(proc.profile)
                before = said.get(profile)
                times = (*(before[2] if before else ()), *_time_ratio(app, proc, own))
                gpu = proc.costs.efficiency == GPU_EFFICIENCY
                said[profile] = (
                    f"{ratio:.3g}x",
                    joined(before[1] if before else None, labels) or (),
                    times,
                    gpu,
                )
    return ratios


def _time_ratio(app: AppTemplate, proc: ProcessorModel, own: str) -> tuple[float, ...]:
    """``(t_own / t_app,)``: the model's time on ``proc`` in its own precision over its time as run; ()."""
    from offloadsim.models.precision import with_precision
    from offloadsim.world.profiles.fusion import FUSION_RULES

    if app.graph is None or app.llm is not None:
        return ()
    try:
        own_graph = with_precision(app.graph, own)
    except ValueError:  # a precision it cannot be stored in (int4): no time to compare
        return ()
    fusion = proc.spec.fusion
    rules = FUSION_RULES[fusion] if fusion != "none" else None
    ran = float(proc.costs.layer_seconds(app.graph, rules).sum())
    return (float(proc.costs.layer_seconds(own_graph, rules).sum()) / ran,) if ran > 0 else ()


def _own_precision(app: AppTemplate) -> str:
    """The precision ``app``'s model has without a ``precision`` or ``dtype_bytes`` in its ``params``.

    An LLM's checkpoint's (the zoo's configuration), an ONNX file's float32 (as the world's
    ``_template`` reads it), another model's as its builder makes it at the application's other
    ``params``.
    Compared with :attr:`AppTemplate.weights`: an int4 LLM computes in its checkpoint's bf16.
    """
    from offloadsim.models.precision import graph_precision, parse_precision

    spec = app.spec
    if parse_precision(spec.model_params) is None:  # checked when the scenario was read
        return app.weights
    if spec.onnx is not None:
        return "fp32"
    from offloadsim.models import get_model
    from offloadsim.models.registry import canonical_name
    from offloadsim.models.zoo.llm import LLM_CONFIGS

    assert spec.model is not None  # a model with a precision: a zoo's or an ONNX file
    config = LLM_CONFIGS.get(canonical_name(spec.model))
    if config is not None:
        return config.weights
    shaping = {
        key: value for key, value in spec.model_params.items() if key not in ("precision", "dtype_bytes")
    }
    return graph_precision(get_model(spec.model, **shaping))
