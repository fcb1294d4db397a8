"""The data of one figure of a results directory, and the choices that keep it honest.

Which records a kind is drawn from, filtered by ``--where``; which keys vary and where each
goes (the x axis, the series, one panel per value); and the refusal of a figure that would
average silently over a dimension it does not show, naming it and how to choose.
:mod:`offloadsim.plots.results` draws what this hands it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from offloadsim.analysis.catalogue import family_of
from offloadsim.analysis.groups import GROUP_COLUMN
from offloadsim.analysis.values import (
    NO_PARAMETER,
    axis_texts,
    default_label,
    quantity_kind,
    source_count,
    table_heading,
    texts,
    to_si,
    where_matches,
)
from offloadsim.errors import argument
from offloadsim.plots.kind_registry import FigureKind
from offloadsim.plots.kinds import figure_kind, figure_kinds, kinds_taking
from offloadsim.plots.pooling import identity_columns
from offloadsim.records.stored import ExperimentError, Results
from offloadsim.suggest import listed

__all__ = [
    "NO_PARAMETER",
    "scenario_document",
    "one_run",
    "FigureView",
    "choose_x_key",
    "column_listing",
    "facet_panels",
    "flag_text",
    "in_axis_units",
    "joined_labels",
    "quoted_key",
    "refuse_pooled_figure",
    "series_keys",
    "series_order",
    "stable_order",
    "moves_with",
    "tied_keys",
    "wide_values",
    "close_column_hint",
    "filtered_results",
]


#: A records column's name in words where replacing its underscores does not say it.
_COLUMN_WORDS = {"app": "application"}


def _registration(kind: str) -> FigureKind:
    """``kind``'s registration (what it is drawn from, whether one run); a kind not registered draws tasks."""
    return figure_kind(kind) or FigureKind(kind, "", draw=kind)


def one_run(kind: str) -> bool:
    """Whether ``kind`` draws one run per panel (:attr:`FigureKind.one_run`)."""
    return _registration(kind).one_run


def close_column_hint(results: Results, key: str, columns: Iterable[str]) -> str:
    """A did-you-mean for a column not found: the one ``key`` is a label or figure word of, else the closest.

    The figures name a swept key by its label from the sweep's ``labels:`` (``precision``) and
    ``app`` as "application", so those are the names a reader types back; the closest column name
    to either was unrelated (``replication``).
    """
    from offloadsim.suggest import did_you_mean_key, quoted

    labels = results.manifest.get("labels") or {}
    named = [str(column) for column, label in labels.items() if str(label).casefold() == key.casefold()]
    if named:
        return (
            f" (did you mean {quoted(named[0])}? {quoted(key)} is its label, from the sweep file's labels:)"
        )
    # A figure titles its panels "application = classify": "application" was told "did you mean replication?".
    worded = [column for column, word in _COLUMN_WORDS.items() if word.casefold() == key.casefold()]
    if worded:
        return f" (did you mean {quoted(worded[0])}? {quoted(key)} is what the figures call it)"
    # A metric figure's columns are the runs' metrics; it splits them by the tasks' source group too.
    grouped = [GROUP_COLUMN] if GROUP_COLUMN in results.tasks.columns else []
    return did_you_mean_key(key, [*columns, *grouped])


class FigureView:
    """The tables of ``results`` filtered by ``where``, with labels and the dimensions that can vary."""

    def __init__(
        self,
        results: Results,
        kind: str,
        metric: str | None,
        where: Mapping[str, Any] | None,
        keys: Sequence[str | None] = (),
    ):
        """The view of ``results`` for ``kind``; ``keys`` are the columns it shows (``--by``, ``--facet``).

        A task column among them (``source_group``) splits a metric figure's runs by it, as
        several applications do.
        """
        self.results = results
        self.kind = kind
        registered = _registration(kind)
        self.records, self._one_run = registered.records, registered.one_run
        self.metric = metric or registered.default_metric
        self.where = {key: where_values(value) for key, value in (where or {}).items()}
        tasks, metrics, nodes = results.tasks, results.metrics, results.nodes
        _check_where_columns(results, self.where)
        per = self._per_task_columns(tasks, keys)
        if self.records == "job" and per:
            from offloadsim.analysis.breakdown import metrics_per

            metrics = metrics_per(tasks, metrics, per, nodes)
        # A comparison's entries' parameters (policy.objective) are written as a sweep's keys are.
        swept = [*results.swept, *(c for c in map(str, metrics.columns) if c.startswith("policy."))]
        self.tasks = _as_written(_filter(tasks, self.where, "tasks"), swept)
        # No task at all (runs too short for any to arrive): the runs' metrics say what values there are.
        self.metrics = _as_written(_filter(metrics, self.where, "metrics", refuse=not len(tasks)), swept)
        self.nodes = _as_written(_filter(nodes, self.where, "nodes"), swept)
        processors = results.processors
        self.processors = (
            None if processors is None else _as_written(_filter(processors, self.where, "processors"), swept)
        )
        changes = results.link_changes  # when each link changed, per run (None: not kept)
        self.link_changes = (
            None if changes is None else _as_written(_filter(changes, self.where, "link_changes"), swept)
        )
        if self.records == "job":
            _need_metric(self.metrics, self.metric)
        _check_drawn_columns(self.frame(), self.where, kind, self.records)

    def _per_task_columns(self, tasks: pd.DataFrame, keys: Sequence[str | None]) -> list[str]:
        """The task columns a metric figure's runs are split by; none for a node's utilisation.

        The application where there are several (or one is chosen), and the source group where
        ``--by``, ``--facet`` or ``--where`` names it.
        """
        family = family_of(self.metric)
        if family is not None:  # a value per tier or node (a utilisation), not per task
            named = GROUP_COLUMN in keys or GROUP_COLUMN in self.where
            if self.records == "job" and named and GROUP_COLUMN in tasks.columns:
                # Else "--facet source_group: no such column", of a column every other metric has.
                node_kinds = [argument("kind", k.name) for k in figure_kinds() if k.records == "node"]
                raise ExperimentError(
                    f"{argument('metric', self.metric)}: a value per {family.family} (the "
                    f"{family.name} family), not split by source group"
                    + (
                        f"; {' or '.join(node_kinds)} draws each node's (its group in the nodes table)"
                        if node_kinds
                        else ""
                    )
                )
            return []
        per = []
        if "app" in tasks.columns and (tasks["app"].nunique() > 1 or "app" in self.where):
            per.append("app")
        if GROUP_COLUMN in tasks.columns and (GROUP_COLUMN in keys or GROUP_COLUMN in self.where):
            per.append(GROUP_COLUMN)
        return per

    def frame(self) -> pd.DataFrame:
        """The table this kind of figure is drawn from."""
        if self.records == "job":
            return self.metrics
        if self.records == "node":
            return every_processor(self.nodes, self.processors)
        return self.tasks

    def valueless_apps(self, column: str | None) -> list[str]:
        """The applications whose completed tasks have no value of ``column`` in any run: none to draw.

        ``column``: what the kind draws, a task column (a CDF's ``--metric``) or the view's metric.

        ``--kind cdf --metric ttft`` of a speech model, a CNN and an LLM assistant was refused as
        pooling three applications, its example ``--where app=speech`` then refused for having no
        time to first token: only the LLM's requests have one, and nothing of the others would be
        pooled.  Such an application (one with a deadline-less or non-LLM metric, whose tasks did
        complete) is left out of the figure as ``--where app=`` would, and the figure says so.  An
        application none of whose tasks completed is kept (its "no task completed" said as before),
        and so is every one where the user chose applications (``--where app=``) or where none has
        a value (the kind's own refusal says that); a figure that shows the applications (``--by
        app``, ``--facet app``) does not ask.
        """
        frame = self.frame()
        if column is None or self.records not in ("task", "job") or self._one_run or "app" in self.where:
            return []
        if "app" not in frame.columns or column not in frame.columns or not len(frame):
            return []
        if self.records == "task":
            done = frame[frame["status"].astype(str).eq("completed")] if "status" in frame.columns else frame
        else:
            done = frame[frame["completed"] > 0] if "completed" in frame.columns else frame
        valued = done[column].notna().groupby(done["app"].astype(str), sort=False).any()
        empty = [str(app) for app, has in valued.items() if not has]
        return empty if 0 < len(empty) < len(valued) else []

    def per_processor(self) -> bool:
        """Whether a utilisation figure draws processors (some node has several), not the nodes table."""
        return self.records == "node" and every_processor(self.nodes, self.processors) is not self.nodes

    def dimensions(self, frame: pd.DataFrame) -> list[str]:
        """Columns of ``frame`` that name a configuration: the swept keys, the policy, the application."""
        dims = [k for k in self.results.swept if k in frame.columns]
        dims.append("policy")
        if self.records != "node" and not self._one_run:
            dims.append("app")  # a node's load and a run's timeline are not per application
        if self.records == "job":  # where the runs were split by it (a task table pools the fleet)
            dims.append(GROUP_COLUMN)
        return [d for d in dict.fromkeys(dims) if d in frame.columns]

    def varying(self, frame: pd.DataFrame, shown: Sequence[str]) -> list[str]:
        """The dimensions that take several values among rows agreeing on the ``shown`` columns."""
        group = [k for k in shown if k in frame.columns]
        out = []
        for dim in self.dimensions(frame):
            if dim in group:
                continue
            if group:
                counts = frame.groupby(group, sort=False, observed=True, dropna=False)[dim].nunique(
                    dropna=False
                )
                several = len(counts) and int(counts.max()) > 1
            else:
                several = frame[dim].nunique(dropna=False) > 1
            if several:
                out.append(dim)
        return out

    def fixed_title(self, frame: pd.DataFrame, shown: Sequence[str] = ()) -> str:
        """``objective = energy, phone–server bandwidth = 5.85 Mbit/s``: the dimensions ``where`` fixed.

        Each value as the rows kept write it (``true`` for a ``--where`` that said ``True``), a
        quantity in its axis's unit, as facet titles, legends and notes write swept values.  A swept
        key zipped with one of them, which it fixed too, is named beside it unless the figure
        shows it (``shown``): ``classify precision = int8 with phone speed 4000 GFLOP/s``.
        """
        from offloadsim.analysis.raw_input import raw_input_meanings

        dims = set(self.dimensions(frame)) | set(self.results.swept)
        meanings = raw_input_meanings(self.results.manifest)  # an input of 0 B: the model's own tensor
        said = []
        for key, values in self.where.items():
            if key in dims:
                partners = ", ".join(
                    f"{self.heading(partner, frame)} {axis_texts(list(pd.unique(texts(frame[partner]))))[0]}"
                    for partner in self._partners(frame, key, shown)
                )
                kept = f"{self.label(key)} = {_kept(frame, key, values, meanings)}"
                said.append(f"{kept} with {partners}" if partners else kept)
        return ", ".join(said)

    def _partners(self, frame: pd.DataFrame, key: str, shown: Sequence[str]) -> list[str]:
        """The swept keys ``key`` determines over the whole sweep (a ``zip:``'s), fixed by fixing it.

        Fixing a zipped precision fixes the phone speed beside it: a bars figure titled "classify
        precision = int8" never said that the phone ran at 4 TFLOP/s.  Not a key the figure shows or
        ``where`` names itself, nor a policy's name or parameters beside the policy.
        """
        every = self.results.metrics
        if key not in every.columns:
            return []
        return [
            partner
            for partner in self.results.swept
            if partner not in (*self.where, *shown)
            and partner in every.columns
            and partner in frame.columns
            and not (key == "policy" and partner.startswith("policy."))
            and frame[partner].astype(object).nunique(dropna=False) == 1
            and moves_with(every, key, partner)
        ]

    def label(self, key: str | None) -> str:
        """How the figure names a column: the sweep's ``labels:`` entry, else a readable default.

        A stored label that is the key itself is no label: sweeps stored the key for keys that had no
        readable name yet (``dynamics[0].in_flight``), and those read as their default now does.  A
        column of the records by its words, as a key path's are (``source_group``: ``source group``,
        ``app``: ``application``).
        """
        if key is None:
            return ""
        labels = self.results.manifest.get("labels") or {}
        if key in labels and labels[key] != key:
            return self._sources_said(key, str(labels[key]))
        if "." in key or "[" in key:
            return self._sources_said(key, default_label(key, _base_document(self.results)))
        return _COLUMN_WORDS.get(key, key.replace("_", " "))

    def _sources_said(self, key: str, label: str) -> str:
        """A workload entry's rate, named with how many sources each send at it: ``at each of 5 sources``.

        "chat arrival rate per source (per min)" did not say over how many phones: the total is the
        rate times them.  Their count is the results' scenario's, where the sweep moves no count
        (then the axis says "per source" alone); a label that names the sources is left as written.
        """
        if "source" in label or any(
            k.startswith("nodes.") and k.endswith(".count") for k in self.results.swept
        ):
            return label
        count = source_count(key, self._scenario_document())
        return (
            label
            if count is None
            else f"{label} at {'its 1 source' if count == 1 else f'each of {count} sources'}"
        )

    def _scenario_document(self) -> dict[str, Any] | None:
        """The scenario the results ran (:func:`scenario_document`)."""
        return scenario_document(self.results)

    def heading(self, key: str, frame: pd.DataFrame) -> str:
        """:meth:`label`, with the unit of a key ``frame`` holds as plain numbers: ``noise (dBm)``.

        A legend, a panel title or a note lists the values as written; plain numbers carry no unit
        of their own, so their name says it, as the sweep table's heading does.
        """
        if key not in frame.columns:
            return self.label(key)
        return table_heading(key, frame[key].drop_duplicates().tolist(), self.label(key))


def scenario_document(results: Results) -> dict[str, Any] | None:
    """The scenario the results ran, a sweep's ``set:`` (its ``fixed``) applied; None where unread."""
    import copy

    from offloadsim.scenario.overrides import set_path

    manifest = results.manifest
    document = manifest.get("scenario_document")
    if not isinstance(document, dict):
        try:
            import yaml

            document = yaml.safe_load((results.path / "scenario.yaml").read_text(encoding="utf-8"))
        except Exception:
            document = _base_document(results)
    if not isinstance(document, dict):
        return None
    document = copy.deepcopy(document)
    for key, value in (manifest.get("fixed") or {}).items():
        try:
            set_path(document, str(key), value)
        except Exception:  # a key this document cannot hold as written: its count not known
            return None
    return document


def _base_document(results: Results) -> dict[str, Any] | None:
    """The base scenario of a sweep written before sweeps stored their labels (best effort)."""
    base = results.manifest.get("base_file")
    if not base:
        return None
    try:
        from offloadsim.scenario import read_document

        document = read_document(base)
    except Exception:
        return None
    return document if isinstance(document, dict) else None


def series_keys(kind: str, by: str | Sequence[str] | None) -> list[str]:
    """The columns naming a figure's series: ``by`` split at commas (default: policy); none for one run's."""
    if one_run(kind):
        return []  # their series are tiers / stages, not a column of the data
    if by is None:
        return ["policy"]
    names = [b.strip() for b in by.split(",")] if isinstance(by, str) else [str(b) for b in by]
    return [b for b in dict.fromkeys(names) if b]


def choose_x_key(
    results: Results,
    kind: str,
    x: str | None,
    metrics: pd.DataFrame,
    taken: Sequence[str] = (),
    *,
    optional: bool = False,
    prefer: str | None = None,
) -> str | None:
    """The x axis key of a kind taking ``--x``: ``x``, else the first numeric swept key.

    ``taken``: keys drawn otherwise (given to ``--by`` or ``--facet``), never chosen as the default.
    ``optional``: the figure draws without one (none swept, or none numeric: None); ``prefer``:
    the first numeric swept key naming it is chosen before the others (a split's bandwidth).
    """
    if not _registration(kind).takes("x"):
        if x is not None:
            raise ExperimentError(
                f"{argument('x')} does not apply to {argument('kind', kind)}; "
                f"it does to {listed(kinds_taking('x'))}"
            )
        return None
    if x is not None:
        if x not in metrics.columns:
            raise ExperimentError(
                f"{argument('x', x)}: no such column{close_column_hint(results, x, results.swept)} "
                f"(swept keys: {', '.join(results.swept) or 'none'})"
            )
        return x
    if not results.swept:
        if optional:
            return None
        # A sweep directory whose manifest varies no key said "is a sweep directory; ... needs a sweep".
        what = (
            "a sweep directory that varies no key"
            if results.kind == "sweep"
            else f"a {results.kind} directory"
        )
        raise ExperimentError(f"{results.path} is {what}; this figure needs a sweep")
    kinds = results.manifest.get("swept_kinds", {})
    numeric = [
        k
        for k in results.swept
        if k not in taken and (kinds.get(k) or quantity_kind(metrics[k].unique().tolist()))
    ]
    for key in numeric:
        if prefer is not None and prefer in key:
            return key
    if numeric:
        return numeric[0]
    if optional:
        return None
    return results.swept[0]


def flag_text(key: str, x_key: str | None, series: Sequence[str]) -> str:
    """The argument a key was given by and the key (``--x KEY``, or ``x=KEY`` from Python), for a message."""
    return argument("x" if key == x_key else "by" if key in series else "facet", key)


def refuse_pooled_figure(
    view: FigureView,
    frame: pd.DataFrame,
    shown: Sequence[str],
    kind: str,
    series: Sequence[str] = (),
    x_choices: Sequence[str] = (),
    *,
    x: str | None = None,
    facet: str | None = None,
    pools_tasks: bool = False,
) -> None:
    """Raise naming every dimension that varies but is neither shown nor fixed, and how to choose.

    ``pools_tasks``: each series pools its runs' tasks (a CDF), else it averages its runs.

    A hidden key among ``x_choices`` (an energy figure's, when it has no x) is suggested first as
    ``--x KEY``, the line through its values: a non-numeric swept key (``policy.cuts``) is never
    the default x, and ``--by`` alone drew its values as unjoined markers.

    The ``--by`` it suggests keeps the series already drawn that vary (``--by 'policy,links[0].bandwidth'``):
    ``--by 'links[0].bandwidth'`` alone hid the policies, and the next refusal suggested them alone.
    Its example shows every hidden key at once, the second with ``--facet`` (where the figure has
    none) and any more with ``--where``: ``--by 'policy,A'`` alone, with B hidden too, was refused in
    turn.  Never a series of the x axis (``--x policy``), which is refused as such.
    """
    hidden = view.varying(frame, shown)
    if not hidden:
        return
    # Zipped keys move together: one choice fixes them all.  A policy's name is tied to the policy,
    # the column the user knows.
    axes = [sorted(keys, key=lambda k: k != "policy") for keys in tied_keys(frame, hidden)]
    parts = []
    for keys in axes:
        values = list(pd.unique(frame[keys[0]].astype(object)))
        listed = ", ".join(map(str, values[:6])) + (", ..." if len(values) > 6 else "")
        tied = f"; with {', '.join(keys[1:])}" if len(keys) > 1 else ""
        parts.append(f"{keys[0]} ({listed}{tied})")
    picks = " ".join(
        _suggested("where", quoted_key(f"{keys[0]}={pd.unique(frame[keys[0]].astype(object))[0]}"))
        for keys in axes
    )
    first = quoted_key(axes[0][0])
    drawn = [
        s
        for s in series
        if s != x and s in frame.columns and frame[s].astype(object).nunique(dropna=False) > 1
    ]
    # Each flag of the example whole: one cut at 80 characters ("--facet applications.clas... (120
    # characters)") could not be run as written.
    example = [_suggested("by", quoted_key(",".join([*drawn, axes[0][0]])))]
    rest = [keys[0] for keys in axes[1:]]
    if rest and facet is None:
        example.append(_suggested("facet", quoted_key(rest.pop(0))))
    for key in rest:
        example.append(_suggested("where", quoted_key(f"{key}={pd.unique(frame[key].astype(object))[0]}")))
    if one_run(kind):
        what = f"{argument('kind', kind)} draws one run, but the data vary"
        how = f"pick one value of each ({picks}), or a panel per value with {_suggested('facet', first)}"
    else:
        # a CDF takes no mean: each line pools the tasks of its runs (said under its axes)
        pools = "pools only the tasks of replications" if pools_tasks else "averages only over replications"
        what = f"{argument('kind', kind)} {pools}, but the data also vary"
        along = next((keys[0] for keys in axes if keys[0] in x_choices), None)
        line = f"draw a line through its values with {argument('x', quoted_key(along))}, or " if along else ""
        per = "a series" if along else "a line"
        how = (
            f"{line}show each with {argument('by')} ({per} per value) or {argument('facet')} "
            "(a panel per value), "
            f"e.g. {' '.join(example)}, "
            f"or pick one value of each: {picks}"
        )
    raise ExperimentError(f"{what} {' and '.join(parts)}, which the figure does not show: {how}")


def _suggested(name: str, value: str) -> str:
    """``--by VALUE`` (``by=VALUE`` from Python) whole: a command a message suggests, to run as written.

    :func:`argument` cuts a value longer than 80 characters, as a message echoing the user's does.
    """
    given = argument(name)
    return f"{given} {value}" if given.startswith("--") else f"{given}={value}"


def tied_keys(frame: pd.DataFrame, keys: Sequence[str]) -> list[list[str]]:
    """``keys`` grouped into those that determine each other (the keys of one ``zip:`` block)."""
    groups: list[list[str]] = []
    for key in keys:
        for group in groups:
            lead = group[0]
            if (
                frame.groupby(lead, observed=True, dropna=False)[key].nunique(dropna=False).max() == 1
                and frame.groupby(key, observed=True, dropna=False)[lead].nunique(dropna=False).max() == 1
            ):
                group.append(key)
                break
        else:
            groups.append([key])
    return groups


def moves_with(frame: pd.DataFrame, lead: str, key: str) -> bool:
    """Whether ``key`` takes several values and ``lead`` determines each (one value of ``key`` per ``lead``).

    A key zipped with the x axis moves along it even where two of its values repeat (a latency of
    ``[5, 5, 20] ms`` beside a bandwidth of three values): :func:`tied_keys` asks for one-to-one
    pairs, and a figure whose key repeated a value said nothing of it.
    """
    if lead == key or frame[key].astype(object).nunique(dropna=False) < 2:
        return False
    return bool(frame.groupby(lead, observed=True, dropna=False)[key].nunique(dropna=False).max() == 1)


def wide_values(values: pd.Series) -> bool:
    """Whether positive values span more than 10× (the rule for a log axis where none was asked for)."""
    positive = values.to_numpy(dtype=float)
    positive = positive[np.isfinite(positive) & (positive > 0)]
    return bool(positive.size and positive.max() / positive.min() > 10)


def quoted_key(text: str) -> str:
    """A key path as a shell would need it typed: quoted where it holds a space, brackets or a glob."""
    return f"'{text}'" if any(c in text for c in " []*?") else text


def facet_panels(
    frame: pd.DataFrame, facet: str | None, order: Sequence[str] = (), *, strict: bool = False
) -> list[tuple[Any, pd.DataFrame]]:
    """``[(value, rows)]`` per value of ``facet`` (numeric values in order), or one panel of everything.

    ``order``: the values (as text) that come first, in that order (``--facet-order``, or the
    scenario's declared groups for ``source_group``); the others follow.  ``strict``: a value of
    ``order`` the column does not have is refused, naming those it has (a user's list).
    """
    if facet is None:
        return [(None, frame)]
    values = list(pd.unique(frame[facet].astype(object)))
    kind = quantity_kind(values)
    if kind is not None:
        si = to_si(values, kind)
        values = [values[i] for i in np.argsort(si, kind="stable")]
    if order:
        # A value as the column writes it, or as the panel's title does (a quantity in its axis's unit).
        names = [(str(v), shown) for v, shown in zip(values, axis_texts(values), strict=True)]
        rank = {value: i for i, value in enumerate(dict.fromkeys(order))}
        known = {name for pair in names for name in pair}
        unknown = [value for value in rank if value not in known]
        if unknown and strict:
            raise ExperimentError(
                f"{argument('facet_order', ','.join(order))}: {', '.join(map(repr, unknown))} not a value "
                f"of {facet} (its values: {', '.join(_typable(text, shown) for text, shown in names)})"
            )
        at = [min(rank.get(text, len(rank)), rank.get(shown, len(rank))) for text, shown in names]
        values = [values[i] for i in sorted(range(len(values)), key=lambda i: at[i])]
    if len(values) > 12:
        raise ExperimentError(
            f"{argument('facet', facet)}: {len(values)} values make too many panels (at most 12); "
            f"use {argument('where')}"
        )
    return [(v, frame[frame[facet].astype(object).to_numpy() == v]) for v in values]


def _typable(text: str, shown: str) -> str:
    """A value as ``--facet-order`` takes it back: its title (``2,000 ms``) has a comma, which splits it."""
    return shown if "," not in shown else text


def in_axis_units(
    frame: pd.DataFrame, keys: Sequence[str], meanings: Mapping[str, Mapping[str, str]] | None = None
) -> pd.DataFrame:
    """``frame`` with each of ``keys`` that holds quantities written in its axis's unit (:func:`axis_texts`).

    A legend entry or a tick then reads "5 Mbit/s", as the axes and the notes under the figure
    write it, not "5 Mbps" as the sweep did; a column of anything else is left as it is.
    ``meanings``: what some values stand for (:func:`~offloadsim.analysis.raw_input.raw_input_meanings`:
    an ``input`` of ``0 B`` reads ``0 B (raw input, 602 kB)``).
    """
    from offloadsim.analysis.raw_input import with_meaning

    columns = {}
    for key in dict.fromkeys(keys):
        if key in frame.columns:
            written = axis_texts(frame[key].tolist())
            if meanings and key in meanings:
                written = [
                    with_meaning(t, key, v, meanings) for t, v in zip(written, frame[key], strict=True)
                ]
            if written != [str(v) for v in frame[key]]:
                columns[key] = pd.Series(written, index=frame.index, dtype=object)
    return frame.assign(**columns) if columns else frame


def series_order(frame: pd.DataFrame, series: Sequence[str]) -> list[Any] | None:
    """The series in order of first appearance, the same in every panel (so each keeps its colour)."""
    if not series or any(s not in frame.columns for s in series):
        return None
    if len(series) == 1:
        return list(pd.unique(frame[series[0]].astype(object)))
    return list(pd.unique(joined_labels(frame, series)))


def stable_order(
    shown: pd.DataFrame, raw: pd.DataFrame, full: pd.DataFrame | None, series: Sequence[str]
) -> list[Any] | None:
    """The series' order (and so their colours) over the whole result, not only the rows drawn.

    ``shown``: the rows drawn, their values as the legend writes them; ``raw``: the same rows as
    recorded; ``full``: every row of the result, as recorded (its runs in the comparison's order
    of policies).  A series absent from this figure (``--where`` left it out) keeps its place, held
    by a key no label equals (``("unseen", value)``), so every other series keeps its colour: a
    figure without ``local`` drew ``edge`` in blue, ``local``'s colour in the figure beside it.
    """
    order = series_order(shown, series)
    if full is None or order is None:
        return order
    everything, drawn = series_order(full, series), series_order(raw, series)
    if everything is None or drawn is None or len(drawn) != len(order):
        return order  # a value written two ways: keep the drawn order
    written = dict(zip(drawn, order, strict=True))
    kept = [written.get(value, ("unseen", value)) for value in everything]
    return kept + [name for name in order if name not in kept]


def joined_labels(frame: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """Each row's values of ``columns`` joined by commas: one label per row for a series of several keys."""
    text = frame[list(columns)].astype(str)
    return text.apply(", ".join, axis=1).to_numpy(dtype=object) if len(frame) else np.array([], dtype=object)


def column_listing(frame: pd.DataFrame) -> str:
    """The frame's columns, comma-separated, for a message that lists what there is."""
    return ", ".join(map(str, frame.columns))


def _need_metric(metrics: pd.DataFrame, metric: str) -> None:
    from offloadsim.analysis.catalogue import LLM_METRICS, metric_columns

    if metric not in metrics.columns:
        from offloadsim.suggest import did_you_mean_key

        known = metric_columns(metrics)
        if metric in LLM_METRICS:
            # Runs that served LLM requests, saved before this metric was: not runs that served none.
            why = (
                "these runs were saved before it was a metric; rerun them to have it"
                if any(name in metrics.columns for name in LLM_METRICS)
                else "no run here served an LLM request, so none has it"
            )
            raise ExperimentError(f"{argument('metric', metric)}: {why}; use one of {', '.join(known)}")
        # Several metrics may be about equally near ("latency": its mean and three percentiles): name each.
        close = did_you_mean_key(metric, known, n=4, within=0.05)
        raise ExperimentError(
            f"{argument('metric', metric)}: unknown metric{close}; use one of {', '.join(known)}"
        )


def every_processor(nodes: pd.DataFrame, processors: pd.DataFrame | None) -> pd.DataFrame:
    """The rows a utilisation figure draws: a node's, or one per processor where a node has several.

    The nodes table reports each node's first processor only, so a node whose NPU or GPU computed
    read idle.  Where some node has several processors, the processors table's rows are drawn,
    those of such a node named ``node/processor`` (``edge/gpu``); otherwise (and for results
    written before the processors table was) the nodes table, as it always was.
    """
    if processors is None or not len(processors) or not {"node", "processor"} <= set(processors.columns):
        return nodes
    keys = [c for c in identity_columns(processors, "nodes") if c in processors.columns]
    counts = processors.groupby([*keys, "node"], sort=False, observed=True, dropna=False).size()
    counted = counts.reset_index(name="processors")
    several = set(counted.loc[counted["processors"] > 1, "node"].astype(str))
    if not several:
        return nodes
    names = processors["node"].astype(str)
    shown = np.where(names.isin(several), names + "/" + processors["processor"].astype(str), names)
    return processors.assign(node=shown)


def _as_written(frame: pd.DataFrame, swept: Sequence[str]) -> pd.DataFrame:
    """``frame`` with each swept column of booleans, nulls or mappings as YAML writes them.

    What the figure shows of them (panel titles, legends, the values a refusal lists) is then
    what the sweep file said and what ``--where`` takes: ``true``, ``null``, ``{cores: 2}``, not
    Python's ``True`` or the JSON a table holds a mapping as (:func:`value_text`). A column of
    text is pandas' ``str`` dtype, not ``object``, where pandas reads it so (pandas 3).  So is a
    column of numbers with a null where a run had none (a policy parameter one entry gives and
    another's policy has not: float64 with NaN, or nullable ``Int64``,
    :func:`~offloadsim.analysis.values.typed_column`): its values are then categories, ``null``
    one of them, as the table prints them; no numeric axis has a place for a run without a value.
    A policy parameter's null reads :data:`NO_PARAMETER` ("–, local"), not "null, local".
    """
    numeric = pd.api.types.is_numeric_dtype  # a bool column is one too: written as YAML writes it
    boolean = pd.api.types.is_bool_dtype  # numpy's and pandas' nullable "boolean"
    columns = {
        key: _parameter_nulls(texts(frame[key])) if key.startswith("policy.") else texts(frame[key])
        for key in swept
        if key in frame.columns
        and (boolean(frame[key]) or not numeric(frame[key]) or frame[key].isna().to_numpy().any())
    }
    return frame.assign(**columns) if columns else frame


def _parameter_nulls(written: np.ndarray) -> np.ndarray:
    """A policy parameter's values as written (:func:`texts`), each null :data:`NO_PARAMETER`."""
    return np.where(written == "null", NO_PARAMETER, written).astype(object)


def _kept(
    frame: pd.DataFrame,
    key: str,
    given: tuple[str, ...],
    meanings: Mapping[str, Mapping[str, str]] | None = None,
) -> str:
    """The values ``--where key=given`` kept, as the rows write them (``given`` if they hold more).

    A quantity reads in its axis's unit (:func:`axis_texts`): ``5 Mbit/s`` for a sweep's ``5 Mbps``;
    several values (``--where`` given twice on ``key``) are joined by "or": ``edge or local``, as
    many as the rows kept hold (one where ``5 Mbps`` and ``5 Mbit/s`` were given).  ``meanings``:
    what a value stands for (an ``input`` of ``0 B``: ``0 B (raw input, 602 kB)``).
    """
    from offloadsim.analysis.raw_input import with_meaning

    if key not in frame.columns:
        return " or ".join(given)
    kept = [str(text) for text in pd.unique(texts(frame[key]))]
    if not 1 <= len(kept) <= len(given):
        return " or ".join(given)
    written = [with_meaning(t, key, v, meanings or {}) for t, v in zip(axis_texts(kept), kept, strict=True)]
    return " or ".join(written)


def where_values(value: Any) -> tuple[str, ...]:
    """The values one ``where`` entry keeps rows of: a tuple's or list's items (any of them), else the value.

    A tuple is what ``--where`` given twice on one column makes (``--where policy=edge --where
    policy=local``: the rows of either), and a list is the same: ``{"node": ["phone-0", "watch"]}``
    was one value, the text ``['phone-0', 'watch']``, which no node has, and drew an empty figure
    with no notes.  Any other value is one value, compared as its ``str``; a swept key's list
    value is given as its text (``"[a, b]"``) or a tuple of it.
    """
    return tuple(dict.fromkeys(map(str, value))) if isinstance(value, tuple | list) else (str(value),)


def _filter(
    frame: pd.DataFrame, where: Mapping[str, tuple[str, ...]] | None, name: str, refuse: bool | None = None
) -> pd.DataFrame:
    """Rows whose columns hold one of the given values (:func:`where_matches`): AND across columns.

    As YAML writes them, so "20 Mbps" and 3 both work and ``true`` (or ``True``) keeps a stored
    boolean; and quantities by value, so "20 Mbit/s" keeps the rows of "20 Mbps".  A column given
    several values keeps the rows of any of them.  In the task records (every run's), a value no row
    has is refused, listing the column's values, and so are values no row has together, listing
    those the column holds where the others are as given; ``refuse``: whether to refuse so in
    ``frame`` (default: the task records' ``name``), as the runs' metrics are where no task arrived
    (an empty figure was drawn at exit 0).
    """
    if not where:
        return frame
    refuse = name == "tasks" if refuse is None else refuse
    mask = np.ones(len(frame), dtype=bool)
    found: dict[str, np.ndarray] = {}
    for key, values in where.items():
        if key not in frame.columns:
            continue  # a column of another table (the task's app in a node table)
        each = [where_matches(frame[key], key, value) for value in values]
        if refuse and len(frame):
            for value, matched in zip(values, each, strict=True):
                if not matched.any():
                    raise ExperimentError(
                        f"{argument('where', f'{key}={value}')}: no rows have that value; {key} is one of "
                        f"{_listed(frame[key], key)}"
                    )
        found[key] = np.logical_or.reduce(each)
        mask &= found[key]
    selected = frame[mask]
    if refuse and len(frame) and not len(selected):
        shown = " ".join(argument("where", f"{k}={v}") for k, values in where.items() for v in values)
        before, chosen = np.ones(len(frame), dtype=bool), list[str]()
        for key, matched in found.items():
            if not (before & matched).any():  # the first column that left no row: what the rows before hold
                raise ExperimentError(
                    f"{shown}: no rows have all of these; where {', '.join(chosen)}, {key} is one of "
                    f"{_listed(frame[key][before], key)}"
                )
            before &= matched
            chosen.append(f"{key}={' or '.join(where[key])}")
    return selected


def _listed(column: pd.Series, key: str) -> str:
    """The distinct values of ``column`` as YAML writes them, at most 12 of them (and how many in all).

    A policy parameter's null is listed as both ``--where`` takes it, ``null (–)``: the figure
    writes it ``–`` (:data:`NO_PARAMETER`), and the refusal listed only ``null``.
    """
    values = list(dict.fromkeys(texts(column)))
    if key.startswith("policy."):
        values = [f"null ({NO_PARAMETER})" if value == "null" else value for value in values]
    return ", ".join(values[:12]) + (f", ... ({len(values)} in all)" if len(values) > 12 else "")


def _check_where_columns(results: Results, where: Mapping[str, tuple[str, ...]]) -> None:
    """Refuse a ``where`` column that no table of ``results`` has, with the closest one."""
    tasks, metrics, nodes = results.tasks, results.metrics, results.nodes
    known = {*tasks.columns, *metrics.columns, *nodes.columns}
    for key in where:
        if key not in known:
            close = close_column_hint(results, key, sorted(map(str, known)))
            columns = ", ".join(map(str, dict.fromkeys([*tasks.columns, *metrics.columns])))
            raise ExperimentError(f"{argument('where', key)}: no such column{close} (columns: {columns})")


def _check_drawn_columns(drawn: pd.DataFrame, where: Mapping[str, Any], kind: str, records: str) -> None:
    """Refuse a ``where`` column the records a kind draws lack: the filter would not touch what is drawn."""
    for key in where:
        if key not in drawn.columns:
            # The nodes' group is not the tasks': a metric figure keeps a group's runs by its tasks' column.
            meant = argument("where", f"{GROUP_COLUMN}={where[key][0]}")
            why = (
                f"; a task's group is its {GROUP_COLUMN}: {meant}"
                if key == "group" and records != "node"
                else f" (a node's load is not split by {key})"
                if records == "node"
                else ""
            )
            raise ExperimentError(
                f"{argument('where', key)}: {argument('kind', kind)} is drawn from per-{records} "
                f"records, which have no {key} column{why}"
            )


#: The table of :class:`Results` each kind of records (:attr:`FigureKind.records`) is.
_RECORDS_TABLES = {"task": "tasks", "job": "metrics", "node": "nodes"}


def filtered_results(results: Results, kind: FigureKind, where: Mapping[str, Any] | None) -> Results:
    """``results`` holding only the rows ``where`` keeps, in every table: what a plug-in kind is handed.

    A plug-in kind was handed every row and the request's ``where``: one that did not read it drew
    every run without a word, even for a column no table has, where a shipped kind refuses.  So
    ``where`` is checked as a shipped kind's view checks it (no such column; a value no task has;
    a column the kind's records lack) and applied to every table before the kind draws; the
    stages of the tasks left out go with them.  Values compared as :func:`where_matches` compares.
    """
    chosen = {key: where_values(value) for key, value in (where or {}).items()}
    if not chosen:
        return results
    _check_where_columns(results, chosen)
    tasks = _filter(results.tasks, chosen, "tasks")
    metrics = _filter(results.metrics, chosen, "metrics", refuse=not len(results.tasks))
    nodes = _filter(results.nodes, chosen, "nodes")
    _check_drawn_columns(
        {"tasks": tasks, "metrics": metrics, "nodes": nodes}[_RECORDS_TABLES[kind.records]],
        chosen,
        kind.name,
        kind.records,
    )
    tables = {name: None if t is None else _filter(t, chosen, name) for name, t in results.tables.items()}
    stages = results.stages
    if stages is not None and "task_id" in stages.columns and "task_id" in tasks.columns:
        stages = stages[stages["task_id"].isin(tasks["task_id"])]
    return replace(
        results,
        tasks=tasks,
        metrics=metrics,
        nodes=nodes,
        stages=stages,
        processors=tables.get("processors"),
        link_changes=tables.get("link_changes"),
        tables=tables,
    )
