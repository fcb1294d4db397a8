"""The breakdown per application: a course's CNN beside its LLM, each application's tasks alone.

Its numbers are the summary's task numbers, device energy included (an inference's joules on its
source, which two applications of one fleet spend apart), not its devices' batteries (those are
the source groups', whichever application drained them); an LLM's ttft and tpot where it served
LLM requests.  Its values come in the scenario's order; where the scenario has several
applications, each that served a task has its numbers even where all a run's tasks were of one (a
replication in which the LLM had no request), so that no run of a comparison is left out of an
application's mean.
"""

from __future__ import annotations

from collections.abc import Sequence

from offloadsim.analysis.breakdown_registry import Breakdown, BreakdownScope
from offloadsim.analysis.groups import (
    APP_COLUMN,
    APP_FILE_METRICS,
    APP_METRICS,
    APP_TABLE_METRICS,
    LLM_APP_METRICS,
)
from offloadsim.analysis.qualifiers import app_qualifiers

__all__ = ["APPS"]


def _scenario_order(scope: BreakdownScope) -> tuple[Sequence[str], int]:
    """The scenario's applications; one value is enough where it has several."""
    return scope.applications, 1 if len(scope.applications) > 1 else 2


#: Per application (``Summary.apps``, ``apps.csv``).
APPS = Breakdown(
    name="apps",
    column=APP_COLUMN,
    what=("application", "applications"),
    metrics=APP_METRICS,
    table_metrics=APP_TABLE_METRICS,
    file_metrics=APP_FILE_METRICS,
    optional=LLM_APP_METRICS,
    extras=(("ttft", "ttft_mean_s"), ("tpot", "tpot_mean_s")),
    extras_said="an LLM's ttft and tpot",
    order=_scenario_order,
    qualify=app_qualifiers,
)
