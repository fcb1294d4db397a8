"""A registered metric's code called (``compute``, ``row``, ``table_row``), its faults said as the metric's.

A metric's ``compute`` runs after the run, on its tables.  One that raised, or returned no number
(a string), surfaced as ``internal error: KeyError: 'final_nod'``, exit 1, naming neither the
metric nor its code; its ``row`` and ``table_row`` likewise.  :func:`computed` (and
:func:`row_of`, :func:`table_row_of`) say which: a plug-in's metric (not offloadsim's own: a
distribution's, a script's, a test's) fails as a plug-in does mid-run
(:class:`MetricFailed`, as the engine's ``PluginFailed``: one line naming the metric, its function,
the exception and the plug-in's line; exit 2, ``--debug`` shows its traceback); a shipped metric's
is offloadsim's bug (:class:`MetricBug`, exit 1), its line naming the metric and its module all the
same.  Here, not the engine's error: the plots read summaries and never import the engine.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from offloadsim.errors import RunError
from offloadsim.plugin_checks import as_float
from offloadsim.plugins import dotted_name, said_raised, shipped_module
from offloadsim.shapes import describe
from offloadsim.suggest import quoted

if TYPE_CHECKING:
    from offloadsim.analysis.metric_registry import RunTables, SummaryMetric

__all__ = ["MetricBug", "MetricFailed", "computed", "computed_family", "row_of", "table_row_of"]


class MetricFailed(RunError):
    """A plug-in's metric's ``compute`` raised or returned no number: the plug-in's fault (exit 2), named."""

    @property
    def show_cause_with_debug(self) -> bool:
        """Whether there is the plug-in's exception to show with ``--debug`` (not for a value refused)."""
        return self.__cause__ is not None


class MetricBug(RuntimeError):
    """A shipped metric's ``compute`` raised or returned no number: offloadsim's bug (exit 1), named."""


def computed(metric: SummaryMetric, run: RunTables) -> float:
    """``metric.compute(run)`` as a float; its exception or a value that is no number said as the metric's."""
    assert metric.compute is not None, "a metric without task_mean has compute"
    value = _called(metric, "compute", metric.compute, run, " while the run was summarised")
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        number = as_float(value)
        if not math.isinf(number) or _shipped(metric.compute):
            return number
        said = (  # summary.json said it as Infinity, which no strict JSON reader reads
            f"{_words(metric, metric.compute)} returned {describe(value)} from compute(); "
            "expected a finite number (NaN where it has none)"
        )
        raise MetricFailed(said)
    said = (
        f"{_words(metric, metric.compute)} returned {type(value).__name__} {describe(value)} from compute(); "
        "expected a number (NaN where it has none)"
    )
    raise MetricBug(said) if _shipped(metric.compute) else MetricFailed(said)


def computed_family(metric: SummaryMetric, run: RunTables) -> dict[str, float]:
    """A family's ``compute(run)``: a mapping of text to finite numbers (NaN: none), else its fault."""
    assert metric.compute is not None, "a family has compute"
    value = _called(metric, "compute", metric.compute, run, " while the run was summarised")
    if isinstance(value, Mapping) and all(
        isinstance(key, str) and key and isinstance(v, numbers.Real) and not isinstance(v, bool)
        for key, v in value.items()
    ):
        floats = {key: as_float(v) for key, v in value.items()}
        if not any(math.isinf(v) for v in floats.values()):
            return floats
    said = (
        f"{_words(metric, metric.compute)} returned {describe(value)} from compute(); expected a mapping of "
        f"each {metric.family}'s name to a finite number (NaN where it has none)"
    )
    raise MetricBug(said) if _shipped(metric.compute) else MetricFailed(said)


def row_of(metric: SummaryMetric, summary: Any) -> dict[str, float]:
    """The metric's metrics-row columns of ``summary`` (:meth:`SummaryMetric.row_of`), faults named."""
    if metric.row is None:
        return metric.row_of(summary)
    return dict(_called(metric, "row", metric.row, summary, " while the run's metrics row was made"))


def table_row_of(metric: SummaryMetric, summary: Any) -> tuple[str, str, str] | None:
    """The metric's ``table_row`` of ``summary`` (its row of the run's table), its fault named."""
    assert metric.table_row is not None, "only a metric with a table_row"
    row: tuple[str, str, str] | None = _called(
        metric, "table_row", metric.table_row, summary, " while the run's table was made"
    )
    return row


def _words(metric: SummaryMetric, function: Callable[..., Any]) -> str:
    return f"run metric {quoted(metric.name)} ({dotted_name(function)})"


def _shipped(function: Callable[..., Any]) -> bool:
    return shipped_module(str(getattr(function, "__module__", "")))


def _called(metric: SummaryMetric, part: str, function: Callable[..., Any], arg: Any, when: str) -> Any:
    """``function(arg)``: what it raised said as the metric's, a plug-in's fault or offloadsim's bug."""
    words, shipped, when = _words(metric, function), _shipped(function), f" in {part}(){when}"
    try:
        return function(arg)
    except Exception as error:
        if shipped:
            raise MetricBug(said_raised(words, error, when)) from error
        raise MetricFailed(said_raised(words, error, when)) from error
    except SystemExit as error:  # sys.exit() in a plug-in's metric: its failure, said
        if shipped:
            raise
        raise MetricFailed(said_raised(words, error, when)) from error
