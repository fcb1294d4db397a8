"""A registered metric's ``compute`` called, and what it raised or returned said as that metric's.

A metric's ``compute`` runs after the run, on its tables.  One that raised, or returned no number
(a string), surfaced as ``internal error: KeyError: 'final_nod'``, exit 1, naming neither the
metric nor its code.  :func:`computed` says which: a plug-in's metric (not offloadsim's own: a
distribution's, a script's, a test's) fails as a plug-in does mid-run
(:class:`MetricFailed`, as the engine's ``PluginFailed``: one line naming the metric, its function,
the exception and the plug-in's line; exit 2, ``--debug`` shows its traceback); a shipped metric's
is offloadsim's bug (:class:`MetricBug`, exit 1), its line naming the metric and its module all the
same.  Here, not the engine's error: the plots read summaries and never import the engine.
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING

from offloadsim.errors import RunError
from offloadsim.plugin_checks import as_float
from offloadsim.plugins import dotted_name, said_raised, shipped_module
from offloadsim.shapes import describe
from offloadsim.suggest import quoted

if TYPE_CHECKING:
    from offloadsim.analysis.metric_registry import RunTables, SummaryMetric

__all__ = ["MetricBug", "MetricFailed", "computed"]

_WHEN = " in compute() while the run was summarised"


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
    compute = metric.compute
    assert compute is not None, "a metric without task_mean has compute"
    words = f"run metric {quoted(metric.name)} ({dotted_name(compute)})"
    shipped = shipped_module(str(getattr(compute, "__module__", "")))
    try:
        value = compute(run)
    except Exception as error:
        if shipped:
            raise MetricBug(said_raised(words, error, _WHEN)) from error
        raise MetricFailed(said_raised(words, error, _WHEN)) from error
    except SystemExit as error:  # sys.exit() in a plug-in's metric: its failure, said
        if shipped:
            raise
        raise MetricFailed(said_raised(words, error, _WHEN)) from error
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return as_float(value)
    said = (
        f"{words} returned {type(value).__name__} {describe(value)} from compute(); "
        "expected a number (NaN where it has none)"
    )
    raise MetricBug(said) if shipped else MetricFailed(said)
