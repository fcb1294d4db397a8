"""``--kind sweep``: a metric against a swept key, a line per series (a latency's all-local line marked)."""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from offloadsim.analysis.catalogue import metric_info
from offloadsim.plots import sweep_lines
from offloadsim.plots.figure_data import FigureView, in_axis_units, scenario_document
from offloadsim.plots.kind_registry import FigureRequest
from offloadsim.plots.series import x_positions
from offloadsim.plots.series_figure import MetricDrawing, Panel, Shown, series_figure
from offloadsim.records.stored import Results

__all__ = ["figure"]


class _Sweep(MetricDrawing):
    """A metric's line per series along the swept x axis."""

    def draw(
        self, panel: Panel, part: pd.DataFrame, ax: Axes, logx: bool | None, percent: bool | None, load: Any
    ) -> str | None:
        x, by = panel.x, panel.by
        if x is None:
            return None
        sweep_lines.metric_vs_parameter(
            part,
            panel.view.metric,
            x,
            by=by if by != x else None,
            kind=panel.view.results.manifest.get("swept_kinds", {}).get(x),
            ax=ax,
            log_x=logx,
            log_y=bool(panel.logy),
            order=panel.order,
            label=panel.view.label(x),
            legend_title=panel.by_label,
        )
        return None

    def lines(self, shown: Shown) -> str:
        # A sweep of a latency metric: each application's all-local line, and the note of those without.
        return _all_local_lines(shown.view, shown.axes, shown.panels, shown.facet, shown.x, shown.series)


DRAWING = _Sweep()


def _all_local_lines(
    view: FigureView,
    axes: Sequence[Axes],
    panels: Sequence[tuple[Any, pd.DataFrame]],
    facet: str | None,
    x: str | None = None,
    series: Sequence[str] = (),
) -> str:
    """On a sweep of a latency metric, each application's all-local latency, as the gallery marks it.

    Where splitting (or offloading) beats the latency of the whole model run on its device with
    nothing queued, it pays; drawn by :func:`sweep_lines.all_local_latency_lines` from each panel's
    tasks, only when some task ran wholly on its source (else there is nothing to mark, and
    nothing to say).  Returns the figure's note naming the applications that have no line.
    """
    if not view.metric.startswith("latency_") or metric_info(view.metric).unit != "ms":
        return ""
    tasks = in_axis_units(view.tasks, series)  # its series named as the lines it colours are
    tasks, said = _fair_local(tasks, random_work(scenario_document(view.results)))
    if not len(tasks) or not sweep_lines.all_local_latency(tasks)[0]:
        return said
    # A policy does not change what the whole model costs on its device: every panel of a facet by
    # policy (or by one of its parameters) gets the lines of all the tasks; another facet (a device's
    # speed) those of its own.
    by_policy = facet is not None and (facet == "policy" or facet.startswith("policy."))
    own = facet is not None and facet in tasks.columns and not by_policy
    # Nor does it vary along a swept bandwidth, but along a swept precision, device or model it
    # does: then a curve through each x value (and each series value that is not the policy's),
    # where one line at their mean would mark a latency no task ran at.
    kinds = view.results.manifest.get("swept_kinds", {})
    notes = []
    for ax, (value, frame) in zip(axes, panels, strict=True):
        part = tasks
        if own:
            part = tasks[tasks[facet].astype(str).to_numpy() == str(value)]
        where: dict[Any, float] = {}
        if x is not None and x in frame.columns:
            places, _, _, distinct = x_positions(frame[x].tolist(), x, kinds.get(x))
            where = {v: float(p) for v, p in zip(distinct, places, strict=True)}
        notes.append(sweep_lines.all_local_latency_lines(ax, part, x=x, positions=where, series=series))
    return "\n".join(n for n in (said, _panels_note(notes)) if n)


#: The keys of an application that set each task's own compute cost, where a distribution draws it.
_WORK_KEYS = ("work", "service", "prompt_tokens", "output_tokens")


def random_work(document: Mapping[str, Any] | None) -> dict[str, str]:
    """Each application of ``document`` whose work per task is drawn at random: its key and distribution.

    ``work: {exponential: 2 GFLOP}`` (or ``service``, a stage's ``work``, an LLM's token counts);
    ``{deterministic: X}`` and a plain value are fixed.  A sweep's all-local line is the mean compute
    time of the tasks that ran wholly on their device; with work drawn per task, those a policy kept
    local are the small ones, and the line read low.

    >>> random_work({"applications": {"a": {"work": {"exponential": "2 GFLOP"}}, "b": {"work": "1 GFLOP"},
    ...     "c": {"stages": [{"work": "1 GFLOP"}, {"service": {"uniform": ["1 ms", "3 ms"]}}]},
    ...     "d": {"work": {"deterministic": "1 GFLOP"}}}})
    {'a': 'work: exponential', 'c': 'service: uniform'}
    """
    applications = (document or {}).get("applications")
    found: dict[str, str] = {}
    for app, spec in applications.items() if isinstance(applications, Mapping) else ():
        parts = [spec, *(spec.get("stages") or [])] if isinstance(spec, Mapping) else []
        for part in (p for p in parts if isinstance(p, Mapping)):
            for key in _WORK_KEYS:
                value = part.get(key)
                if isinstance(value, Mapping) and len(value) == 1 and "deterministic" not in value:
                    found.setdefault(str(app), f"{key}: {next(iter(value))}")
    return found


def _fair_local(tasks: pd.DataFrame, drawn: Mapping[str, str]) -> tuple[pd.DataFrame, str]:
    """``tasks`` with each of the ``drawn`` applications' (random work) kept only from fair runs, and a note.

    A run (a policy's replication at a point) is a fair sample of an application's work where it
    ran every task of it that ended wholly on its source (``local``'s): no policy chose which.  A
    policy that offloads the large draws keeps the small ones local, and their mean compute time read
    low: TINY's exponential 1 GFLOP on a 10 GFLOP/s phone drew its line at 22 ms under
    ``least-loaded``, 100 ms by the work's mean.  An application no run of which was fair has no
    line, and the note says why (:func:`_random_note`), where some task of it ran locally.
    """
    if not drawn or not len(tasks) or "app" not in tasks.columns:
        return tasks, ""
    runs = [c for c in ("point", "policy", "replication") if c in tasks.columns]
    app = tasks["app"].astype(str)
    ended = (tasks["status"].astype(str) != "in_flight") if "status" in tasks.columns else True
    local = sweep_lines.ran_local(tasks)
    # Per task, whether its run kept every ended task of its application on the source.
    away = pd.Series(~local & ended, index=tasks.index)
    unfair = away.groupby([app, *(tasks[c] for c in runs)], observed=True, sort=False).transform("any")
    keep = ~(app.isin(drawn).to_numpy() & unfair.to_numpy(dtype=bool))
    kept = tasks[keep]
    # An application some task of which ran locally, but in no fair run (none did: nothing to say).
    ran = set(app[local]) - set(app[local & keep])
    unsaid = {name: how for name, how in drawn.items() if name in ran}
    return kept, _random_note(unsaid) if unsaid else ""


def _random_note(drawn: Mapping[str, str]) -> str:
    """Why applications whose work is drawn at random, none of whose runs kept every task local, have no line.

    >>> print(_random_note({"job": "work: exponential"}))  # doctest: +ELLIPSIS
    no all-local line: job draws its work per task (work: exponential) and no run kept all of its ...
    """
    named = ", ".join(f"{app} draws its work per task ({how})" for app, how in drawn.items())
    return (
        f"no all-local line: {named} and no run kept all of its tasks local: those a policy kept are "
        "no fair sample of the work (the small ones, where it offloads the large)"
    )


def _panels_note(notes: Sequence[str]) -> str:
    """Each panel's ``no all-local line: ...`` note, said once, naming its panels where not every one's.

    A sweep faceted by bandwidth drew classify's all-local line in panel (a) and said under the
    figure ``no all-local line: classify never ran there``, of panel (b) alone, as if of the whole
    figure; and a second panel's other reason was not said at all.

    >>> _panels_note(["", "no all-local line: job never ran there"])
    'no all-local line in (b): job never ran there'
    >>> _panels_note(["no all-local line: job never ran there"] * 2)
    'no all-local line: job never ran there'
    """
    panels: dict[str, list[str]] = {}
    for letter, note in zip(string.ascii_lowercase, notes, strict=False):
        if note:
            panels.setdefault(note, []).append(f"({letter})")
    if len(panels) == 1 and all(notes):
        return next(iter(panels))
    lead = "no all-local line"
    return "\n".join(
        f"{lead} in {', '.join(where)}{note.removeprefix(lead)}" for note, where in panels.items()
    )


def figure(results: Results, request: FigureRequest) -> tuple[Figure, dict[str, pd.DataFrame]]:
    """Draw ``--kind sweep`` of ``results``, as ``request`` asks (:func:`series_figure`)."""
    return series_figure(results, request, DRAWING)
