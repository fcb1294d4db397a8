"""The notes under one run's table, and whether a table pools several applications' tasks.

What a run's result and a results directory read back need (:class:`~offloadsim.records.results.
RunResult`, :func:`~offloadsim.records.stored.read_results`), apart from the notes of comparisons
and sweeps (:mod:`offloadsim.analysis.notes`), which read the policies and the engine's counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from offloadsim.scenario.units import number_text

__all__ = [
    "COMPARE_APPS_SHOWN",
    "RUN_APPS_SHOWN",
    "application_order",
    "pooled_note",
    "run_table_notes",
    "window_text",
]


def application_order(scenarios: list[Any]) -> dict[str, None]:
    """The scenarios' applications in order: workload applications, then their alternatives."""
    order: dict[str, None] = {}
    for scenario in scenarios:
        for entry in scenario.workload:
            order[entry.app] = None
            order.update(dict.fromkeys(scenario.applications[entry.app].alternatives))
    return order


#: Where a run's table shows each application alone (``Summary.apps``).
RUN_APPS_SHOWN = "its rows by application"
#: Where a comparison's tables show each application alone (``apps.csv``).
COMPARE_APPS_SHOWN = "the tables per application above (apps.csv)"
#: Where a sweep's table per application shows each application alone (``apps.csv``).
SWEEP_APPS_SHOWN = "the table per application above (apps.csv)"


def pooled_note(scenarios: list[Any], served: Mapping[str, set[str]], shown: str | None = None) -> str | None:
    """:func:`pooled_applications_note` of the applications ``served`` per row (a policy; ``""``: one row).

    ``shown``: where the result shows each application alone (:data:`RUN_APPS_SHOWN`,
    :data:`COMPARE_APPS_SHOWN`, :data:`SWEEP_APPS_SHOWN`), which the note points to; None: none does.

    Where a row's tasks were served by an application that no workload entry requests, only as
    another's alternative (``model-select`` serving ResNet-50's requests with an int8 MobileNetV2),
    the note says so too, pooled or not: a row served wholly by the alternative read as the
    requested model's latency, and no accuracy told the two models apart.
    """
    order = application_order(scenarios)
    if len(order) < 2:
        return None
    pooling = _pooling(order, served, shown)
    said = [part for part in (pooling, _stand_ins_served(scenarios, served)) if part]
    return "; ".join(said) if said else None


def _pooling(order: Mapping[str, None], served: Mapping[str, set[str]], shown: str | None) -> str | None:
    """The pooling part of :func:`pooled_note`: which rows hold the tasks of several applications."""
    pooling: dict[tuple[str, ...], list[str]] = {}  # an application set -> the rows that pool it
    for row, apps in served.items():
        if len(apps) > 1:
            ranked = sorted(
                apps, key=lambda app: (list(order).index(app) if app in order else len(order), app)
            )
            pooling.setdefault(tuple(ranked), []).append(row)
    if not pooling:
        return None
    how = "'offloadsim plot DIR --by app' and tasks.parquet's app column tell them apart"
    if shown is not None:
        how = f"each application alone in {shown}; {how}"
    if len(pooling) == 1 and len(next(iter(pooling.values()))) == len(served):
        every = next(iter(pooling))
        return f"the table pools the tasks of {len(every)} applications ({', '.join(every)}); {how}"
    parts = [
        f"the rows of {', '.join(rows)} pool the tasks of {len(apps)} applications ({', '.join(apps)})"
        for apps, rows in pooling.items()
    ]
    return f"{'; '.join(parts)}; {how}"


def _stand_ins(scenarios: list[Any]) -> dict[str, dict[str, None]]:
    """Each application no workload entry requests -> the requested ones it is an alternative of."""
    requested = {entry.app for scenario in scenarios for entry in scenario.workload}
    stand_ins: dict[str, dict[str, None]] = {}
    for scenario in scenarios:
        for entry in scenario.workload:
            for other in scenario.applications[entry.app].alternatives:
                if other not in requested:
                    stand_ins.setdefault(other, {})[entry.app] = None
    return stand_ins


def _model_words(scenarios: list[Any], app: str) -> str:
    """``mnv2-int8 (mobilenet_v2, int8)``: an application with its model and its precision, where given."""
    spec = next((s.applications[app] for s in scenarios if app in s.applications), None)
    model = getattr(spec, "model", None) or getattr(spec, "onnx", None)
    params = getattr(spec, "model_params", None) or {}
    precision = params.get("precision")
    if precision is None and "dtype_bytes" in params:
        precision = f"{params['dtype_bytes']} bytes per element"
    words = ", ".join(str(part) for part in (model, precision) if part is not None)
    return f"{app} ({words})" if words else app


def _stand_ins_served(scenarios: list[Any], served: Mapping[str, set[str]]) -> str | None:
    """Which rows hold tasks served by an alternative that no workload entry requests; or None."""
    stand_ins = _stand_ins(scenarios)
    rows = [row for row, apps in served.items() if any(app in apps for app in stand_ins)]  # table order
    if not rows:
        return None
    used = [app for app in stand_ins if any(app in served[row] for row in rows)]
    whose = ", ".join(f"{_model_words(scenarios, app)} for {', '.join(stand_ins[app])}" for app in used)
    where = "the table holds" if len(rows) == len(served) else f"the rows of {', '.join(rows)} hold"
    return (
        f"{where} tasks served by an alternative, another model than the one requested ({whose}): "
        "accuracy is not modelled, so no policy weighs what the alternative costs in right answers, "
        "and their latency and energy are the alternative's; tasks.parquet's app column says which "
        "application served each task (docs/policies.md#model-select-which-model-and-where)"
    )


def run_table_notes(run_notes: Sequence[str], pooled: str | None) -> list[str]:
    """The notes under a run's table: the run's own (``RawRun.notes``) and the pooling of applications.

    The note that the nodes' lines are of their first processors is left out: the run's table
    lists the processors after them itself.
    """
    from offloadsim.records.schema import FIRST_PROCESSOR_ONLY

    notes = [note for note in run_notes if not note.startswith(FIRST_PROCESSOR_ONLY)]
    return [*notes, *([pooled] if pooled else [])]


def window_text(manifest: Mapping[str, Any]) -> str:
    """``"60 s measured after a 10 s warm-up"`` (ranges where runs differ); ``""`` if it does not say.

    >>> window_text({"warmup_s": 10.0, "duration_s": 60.0})
    '60 s measured after a 10 s warm-up'
    >>> window_text({"warmup_s": 0.0, "duration_s": [20.0, 60.0]})
    '20–60 s measured, no warm-up'

    Numbers as the tables and axes write them (:func:`~offloadsim.scenario.units.number_text`):
    a figure read "2000 s measured" above a table of "2,000".

    >>> window_text({"warmup_s": 1500.0, "duration_s": [2000.0, 1e6]})
    '2,000–1,000,000 s measured after a 1,500 s warm-up'
    """

    def span(value: float | list[float]) -> str:
        values = value if isinstance(value, list) else [value]
        low, high = min(values), max(values)
        return number_text(low) if low == high else f"{number_text(low)}–{number_text(high)}"

    if "warmup_s" not in manifest or "duration_s" not in manifest:
        return ""
    warmup = manifest["warmup_s"]
    measured = f"{span(manifest['duration_s'])} s measured"
    if warmup == 0:
        return f"{measured}, no warm-up"
    return f"{measured} after a {span(warmup)} s warm-up"
