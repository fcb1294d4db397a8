"""One figure of a results directory (run, compare or sweep) by kind: what ``offloadsim plot`` draws.

:func:`plot_results` never averages over anything but replications.  Every
dimension of the data (each swept key, the policy, the application) that
varies is either on the figure (the x axis, the series ``by``, one panel
per value with ``facet``), fixed with ``where``, or the figure is refused
with an error that names it and says how to choose.  Axis and legend names
come from the sweep's ``labels:`` (or readable defaults such as a link's
ends), never a bare key path.  The data and those choices are
:mod:`offloadsim.plots.figure_data`'s; the notes under the figure (how it
was measured, what it does not show) :mod:`offloadsim.plots.figure_notes`'.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping, Sequence
from os import PathLike
from typing import Any, TypedDict, Unpack

import pandas as pd
from matplotlib.figure import Figure

from offloadsim.analysis.groups import GROUP_COLUMN
from offloadsim.errors import argument
from offloadsim.plots.kind_registry import FigureKind, FigureRequest, misapplied, undrawable
from offloadsim.plots.kinds import KINDS, figure_kind, kind_names
from offloadsim.plots.latency_time import window_argument
from offloadsim.plots.style import FIGSIZES, rewrap_notes
from offloadsim.plugins import dotted_name, first_line, plugin_line
from offloadsim.records.stored import ExperimentError, Results

__all__ = [
    "KINDS",
    "FigureKindFailed",
    "PlotOptions",
    "default_figure_name",
    "plot_results",
    "plot_with_tables",
]


class PlotOptions(TypedDict, total=False):
    """The options of :func:`plot_results` and :func:`plot_with_tables`, each as it reaches the request.

    One list, so that the two functions take the same options and an option added to one reaches
    the figure from both (``facet_order``, given to ``plot_results`` alone, once stopped short of the
    CLI's ``plot_with_tables``); each goes unchanged into :class:`FigureRequest`'s field of its name.
    """

    metric: str | None
    x: str | None
    by: str | Sequence[str] | None
    facet: str | None
    where: Mapping[str, Any] | None
    size: str | None
    logx: bool | None
    logy: bool | None
    bin_s: float | None
    from_s: float | None
    to_s: float | None
    facet_order: str | Sequence[str] | None


def _check_keywords(function: str, options: Mapping[str, object]) -> None:
    """Refuse a keyword that is not one of :class:`PlotOptions` as Python would a misspelt one."""
    unknown = [name for name in options if name not in PlotOptions.__annotations__]
    if unknown:
        raise TypeError(f"{function}() got an unexpected keyword argument {unknown[0]!r}")


#: A default stem's ``--where`` part longer than this is cut and ended with a digest of the whole.
_WHERE_NAME_CHARS = 80


def default_figure_name(
    kind: str, metric: str | None = None, where: Mapping[str, str | Sequence[str]] | None = None
) -> str:
    """``bars-latency_p95_s`` and the like: a file stem for a figure (its metric where the kind names it).

    Each ``where`` (column to the value or values kept) adds its own part, so that figures of
    different rows do not overwrite one file: two ``plot --where app=a`` and ``app=b`` both wrote
    ``bars``.  A character a file name would not keep plainly becomes ``_``; a long part is cut
    and ended with a digest of the whole, so that two filters still differ.

    >>> default_figure_name("bars", where={"app": "vgg16"})
    'bars-app=vgg16'
    >>> default_figure_name("sweep", "latency_p95_s", {"links[0].bandwidth": ("1.1 Mbps", "20 Mbps")})
    'sweep-latency_p95_s-links_0_.bandwidth=1.1_Mbps+20_Mbps'
    """
    figure = figure_kind(kind)
    stem = f"{kind}-{metric}" if metric and figure is not None and figure.metric_in_name else kind
    if not where:
        return stem
    parts = [
        f"{column}={'+'.join([values] if isinstance(values, str) else [str(v) for v in values])}"
        for column, values in where.items()
    ]
    said = re.sub(r"[^A-Za-z0-9._=+-]+", "_", "-".join(parts))
    if len(said) > _WHERE_NAME_CHARS:
        digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:10]
        said = f"{said[: _WHERE_NAME_CHARS - 11]}-{digest}"
    return f"{stem}-{said}"


def _check_arguments(results: object, where: object, texts: Mapping[str, object], by: object) -> None:
    """Raise :class:`ExperimentError` unless each argument of :func:`plot_results` is of its kind.

    From Python, a directory's path in place of ``read_results(path)``, ``where="policy=edge"``
    (the command line's form), ``facet=3``, ``metric=3`` or ``by=3`` each ended in an AttributeError
    or a TypeError deep in the figure's data, ``size="one column"`` in a KeyError, and
    ``logx="no"`` drew a log axis.  ``texts``: the arguments that name one thing (``metric``,
    ``x``, ``facet``, ``size``) and the flags (``logx``, ``logy``), by name.
    """
    if not isinstance(results, Results):
        hint = (
            f" (read it first: plot_results(read_results({str(results)!r:.60}), ...))"
            if isinstance(results, str | PathLike)
            else ""
        )
        raise ExperimentError(
            "results: expected the tables of a results directory, as offloadsim.records.stored."
            f"read_results(DIR) returns them, got {type(results).__name__}{hint}"
        )
    if where is not None and not isinstance(where, Mapping):
        raise ExperimentError(
            "where: expected a mapping of column to value like {'policy': 'edge'}, "
            f"got {type(where).__name__} {where!r:.60}"
        )
    for key, value in (where or {}).items():
        if not isinstance(key, str):
            raise ExperimentError(
                f"where: expected column names (text), got {type(key).__name__} {key!r:.40}"
            )
        if isinstance(value, tuple | list) and not value:
            kind = type(value).__name__
            raise ExperimentError(f"where: {key}: an empty {kind} keeps no rows; give one value or several")
    for name, value in texts.items():
        if value is None:
            continue
        if name in ("logx", "logy"):
            if not isinstance(value, bool):
                raise ExperimentError(
                    f"{name}: expected True, False or None, got {type(value).__name__} {value!r:.40}"
                )
        elif name == "size" and value not in FIGSIZES:
            raise ExperimentError(
                f"size: unknown figure size {value!r:.40}; use one of {', '.join(FIGSIZES)}"
            )
        elif not isinstance(value, str):
            raise ExperimentError(f"{name}: expected a name (text), got {type(value).__name__} {value!r:.40}")
    names = [by] if isinstance(by, str) else by
    if by is not None and (not isinstance(names, Sequence) or not all(isinstance(n, str) for n in names)):
        raise ExperimentError(
            f"by: expected a column name or a list of them, got {type(by).__name__} {by!r:.40}"
        )


def plot_results(results: Results, kind: str, **options: Unpack[PlotOptions]) -> Figure:
    """Draw one figure of ``results`` (see :data:`KINDS`) on a new house-style Figure and return it.

    ``by`` names the column(s) that make the series (default ``policy``;
    several make one series per combination; for ``utilisation-time``,
    ``tier`` or ``placement``); ``facet`` draws one panel per value of a
    column; ``where`` keeps rows with the given values (compared as text;
    a tuple or list of values keeps the rows of any of them, as ``--where`` given twice on one column);
    ``logx``/``logy`` force a log axis on or off (default: chosen from the
    data; for ``bars`` and ``sweep``, a metric spanning more than 10× that is
    not a percentage).  ``bin_s`` is ``latency-time``'s bin width (s); ``from_s`` and ``to_s``
    keep the tasks arriving in ``[from_s, to_s)`` (s) for ``timeline`` and ``latency-time``
    (:mod:`offloadsim.plots.latency_time`).  ``facet_order`` lists the panels' values (as text, or
    one text split at commas) in the order they come, the rest after them; by default a facet of
    ``source_group`` takes the scenario's order of its groups.
    Raises :class:`ExperimentError` naming every dimension the
    figure would otherwise average over, a kind the data cannot give (a
    sweep plot of a single run), or an unknown column.
    """
    _check_keywords("plot_results", options)
    return plot_with_tables(results, kind, **options)[0]


def plot_with_tables(
    results: Results, kind: str, **options: Unpack[PlotOptions]
) -> tuple[Figure, dict[str, pd.DataFrame]]:
    """The figure :func:`plot_results` draws, and the tables ``plot`` writes beside it, from one pass.

    The tables by the suffix they are written with: ``latency-time``'s bins (``csv``) and its times
    to recover (``recovery.csv``), :func:`offloadsim.plots.latency_time.latency_time_tables`; none
    for the other kinds.  Binned once for both (:func:`~offloadsim.plots.latency_time.binned_runs`).
    """
    _check_keywords("plot_with_tables", options)
    texts = {name: options.get(name) for name in ("metric", "x", "facet", "size", "logx", "logy")}
    _check_arguments(results, options.get("where"), texts, options.get("by"))
    panel_order = _facet_order(results, options.get("facet"), options.get("facet_order"))
    figure = figure_kind(kind) if isinstance(kind, str) else None
    if figure is None:
        raise ExperimentError(f"unknown plot kind {kind!r}; use one of {', '.join(kind_names())}")
    request = FigureRequest(kind, **options, panel_order=tuple(panel_order))
    # An option the kind does not draw (--kind cdf --metric latency_p95_s drew the latency CDF without
    # a word), or a results directory it does not draw, is refused before anything is drawn.
    refusal = misapplied(figure, request.given()) or undrawable(figure, results.kind, results.path)
    if refusal is not None:
        raise ExperimentError(refusal)
    _check_window(options.get("bin_s"), options.get("from_s"), options.get("to_s"))
    from offloadsim.plots.figure_data import filtered_results, scenario_document
    from offloadsim.plots.policy_nodes import policy_nodes
    from offloadsim.plots.series_names import naming_policy_nodes

    # The node a fixed policy places on, where its label does not say it ("fixed (edge1)"): named
    # wherever a policy is named (series_names.shown_name, a plug-in's kind's too), its legends
    # placed for that text.
    nodes = policy_nodes(results, scenario_document(results) if results.kind == "sweep" else None)
    if figure.shipped():
        with naming_policy_nodes(nodes):
            return figure.drawer()(results, request)
    # A plug-in's kind draws the rows --where keeps, checked as a shipped kind's (it was handed all
    # of them: --where nosuch=1 drew every run at exit 0), at the size asked for.
    with naming_policy_nodes(nodes):
        drawn, tables = _drawn_by_plugin(
            figure, filtered_results(results, figure, options.get("where")), request
        )
    if (size := options.get("size")) is not None:
        drawn.set_size_inches(FIGSIZES[size])
        rewrap_notes(drawn)  # its notes were wrapped at the width it was drawn at
    return drawn, tables


class FigureKindFailed(ExperimentError):
    """A plug-in's figure kind raised or returned no figure: its fault (exit 2); ``--debug`` shows it."""

    @property
    def show_cause_with_debug(self) -> bool:
        """Whether there is the plug-in's exception to show with ``--debug`` (not for a value refused)."""
        return self.__cause__ is not None


def _drawn_by_plugin(
    figure: FigureKind, results: Results, request: FigureRequest
) -> tuple[Figure, dict[str, pd.DataFrame]]:
    """A kind not offloadsim's drawn: its exception, or what it returns if no figure, one line naming it.

    The kind's code is not offloadsim's: what it raises is its bug, said as such (exit 2), not an
    internal error of offloadsim's with a traceback; ``--debug`` shows it.
    """
    code = figure.draw if isinstance(figure.draw, str) else dotted_name(figure.draw)
    named = f"figure kind {figure.name!r} ({code})"
    try:
        draw = figure.drawer()
    except Exception as error:  # its "module:function" names no function: the entry's fault, not importlib's
        text = first_line(error)
        # Not found (a module or function missing): its frames are importlib's, no line of the plug-in's.
        where = "" if isinstance(error, ImportError | AttributeError) else plugin_line(error)
        raise FigureKindFailed(
            f"{named}: its drawing function could not be imported: {type(error).__name__}"
            + (f": {text}" if text else "")
            + where
        ) from error
    try:
        drawn = draw(results, request)
    except ExperimentError:
        raise
    except Exception as error:
        text = first_line(error)
        said = f"{type(error).__name__}: {text}" if text else type(error).__name__
        raise FigureKindFailed(f"{named} raised {said}{plugin_line(error)}") from error
    if not (
        isinstance(drawn, tuple)
        and len(drawn) == 2
        and isinstance(drawn[0], Figure)
        and isinstance(drawn[1], Mapping)
        and all(isinstance(k, str) and isinstance(v, pd.DataFrame) for k, v in drawn[1].items())
    ):
        raise FigureKindFailed(
            f"{named} returned {type(drawn).__name__}, not a (Figure, {{suffix: DataFrame}}) pair"
        )
    return drawn[0], dict(drawn[1])


def _facet_order(results: Results, facet: str | None, given: str | Sequence[str] | None) -> list[str]:
    """The panels' values that come first: ``given`` (``--facet-order``), else the scenario's groups.

    A fleet's panels came in the order of each group's first task (new, cam, mid, old), not as the
    scenario declares them (old, mid, new, cam); the nodes table keeps the scenario's order.
    """
    if given is not None:
        names = [part.strip() for part in given.split(",")] if isinstance(given, str) else given
        if not isinstance(names, Sequence) or not all(isinstance(n, str) and n for n in names) or not names:
            raise ExperimentError(
                f"{argument('facet_order')}: expected the panels' values, comma-separated, "
                f"got {type(given).__name__} {given!r:.40}"
            )
        if facet is None:
            raise ExperimentError(
                f"{argument('facet_order')} orders the panels of {argument('facet')}: give both"
            )
        return list(names)
    nodes = results.nodes
    if facet == GROUP_COLUMN and "group" in nodes.columns:
        return list(dict.fromkeys(nodes["group"].astype(str).tolist()))
    return []


def _check_window(bin_s: float | None, from_s: float | None, to_s: float | None) -> None:
    """Refuse ``bin_s``, ``from_s`` or ``to_s`` that is not a time of at least 0 s, or out of order."""
    for name, value in (("bin_s", bin_s), ("from_s", from_s), ("to_s", to_s)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise ExperimentError(
                f"{window_argument(name)}: expected a time in seconds, "
                f"got {type(value).__name__} {value!r:.40}"
            )
        if value is not None and not (math.isfinite(value) and value >= 0):
            what = "a bin width above 0 s" if name == "bin_s" else "a time of at least 0 s"
            raise ExperimentError(f"{window_argument(name)}: expected {what}, got {value!r}")
    if from_s is not None and to_s is not None and not to_s > from_s:
        raise ExperimentError(
            f"{window_argument('from_s', from_s)} {window_argument('to_s', to_s)}: expected "
            f"{window_argument('to_s')} after {window_argument('from_s')}"
        )
