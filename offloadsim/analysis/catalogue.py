"""The metric catalogue: every job-level metric's label, unit, scale, better direction and format.

One place says how a metric is named, shown and compared; the run summary,
``compare``'s table, ``sweep``'s tables and the plots all read it
(:func:`offloadsim.analysis.summary.metrics_row` turns a summary into a row).  A
metric is a column of a metrics table (``metrics.parquet``) in SI units;
``scale`` turns it into the display ``unit``.  Besides the fixed headline
metrics there are the aggregates of record columns that declare ``summary``
aggregates in the record schema (:mod:`offloadsim.records.schema`), so a new
column's mean reaches every table and figure with no edit here.  The LLM metrics (time to first token,
time per output token, the decode rate and output token throughput in
tokens/s: :mod:`offloadsim.analysis.tokens`) are headline metrics of runs
that served LLM requests only: a table of runs that served none has no such
columns.  The registered metrics (:mod:`offloadsim.analysis.metric_registry`: the batteries, the
device energy's compute and radio parts, latency fairness, the utilisations ``utilisation_<tier>``,
``..._max`` and ``..._<processor>``, and any registered since) bring their
own entries, each with a one-line description (:func:`describe`): a new one needs no edit here.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING

from offloadsim.analysis import batteries, energy_split, fairness, llm_requests, other_energy
from offloadsim.analysis.metric_display import Better, Metric, zero_width
from offloadsim.analysis.metric_list import registered_metrics
from offloadsim.analysis.metric_registry import SummaryMetric, placed, reserve
from offloadsim.records import schema

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Metric",
    "METRICS",
    "LLM_METRICS",
    "FAIRNESS_METRICS",
    "metric_info",
    "metric_columns",
    "basis_lines",
    "is_metric",
    "zero_width",
    "column_metrics",
    "column_metric_name",
    "INCOMPLETE_SHARE",
    "of_completed_tasks",
    "counts_completed_tasks",
    "BATTERY_METRICS",
    "ENERGY_SPLIT_METRICS",
    "registered_columns",
    "family_of",
    "registered_column",
    "sweep_columns",
    "describe",
]

#: A share of tasks not completed (dropped, failed, in flight) that a comparison of metrics taken over
#: completed tasks must say: a policy whose small queue turns away the tasks that would have waited
#: longest reads fast on latency. Figures name such configurations; compare does not judge between
#: two whose shares differ by this much.
INCOMPLETE_SHARE = 0.05
_OF_COMPLETED = ("latency_", "wait_", "ttft_", "tpot_", "decode_")
#: Rates that count completed tasks over the measured time: where tasks are left in flight or dropped
#: they read low, which a figure of them alone shows as a slower server.  Not the output token
#: throughput: it counts every token generated in the measured window (the nodes' ``tokens_generated``).
_COUNTS_COMPLETED = ("throughput_per_s",)
#: Rates of what was generated in the measured window, whatever became of its request: the output
#: token throughput counts the tokens of requests in flight at the end too, so it is not over completed
#: tasks, though the LLM metrics it is registered with are.
_WINDOW_COUNTS = ("output_tokens_per_s",)


_LOWER: Better = "lower"
_HIGHER: Better = "higher"

#: The headline job-level metrics (summary fields, ``drop_rate``, ``fail_rate`` and ``retry_rate``), in
#: display order.  ``retry_rate``: the share of arrived tasks ``recovery:`` ran again (of any outcome),
#: with no direction: a policy that retries more may be the one that loses fewer.  An overload marks
#: (``overload_marked``) the latencies and queueing wait (each task of a run whose queue grew all run
#: waited longer than the one before) and the throughput (the completions of a backlog, not a rate).
METRICS: dict[str, Metric] = {
    "latency_mean_s": Metric("mean latency", "ms", 1e3, _LOWER, overload_marked=True),
    "latency_p50_s": Metric("median latency", "ms", 1e3, _LOWER, overload_marked=True),
    "latency_p95_s": Metric("p95 latency", "ms", 1e3, _LOWER, overload_marked=True),
    "latency_p99_s": Metric("p99 latency", "ms", 1e3, _LOWER, overload_marked=True),
    "wait_mean_s": Metric("mean queueing wait", "ms", 1e3, _LOWER, overload_marked=True),
    "deadline_miss_rate": Metric("deadline misses", "%", 100.0, _LOWER),
    "drop_rate": Metric("dropped tasks", "%", 100.0, _LOWER),
    "fail_rate": Metric("failed tasks", "%", 100.0, _LOWER),
    "retry_rate": Metric("retried by recovery", "%", 100.0),
    "availability": Metric("least node availability", "%", 100.0, _HIGHER),
    "throughput_per_s": Metric("throughput", "tasks/s", 1.0, _HIGHER, overload_marked=True),
    "device_energy_mean_j": Metric("device energy per task", "mJ", 1e3, _LOWER, basis="above idle", digits=2),
    "bytes_sent": Metric("data sent", "MB", 1e-6, _LOWER, basis="over all tasks"),
    "arrived": Metric("tasks arrived", "tasks"),
    "completed": Metric("tasks completed", "tasks", 1.0, _HIGHER),
    "dropped": Metric("tasks dropped", "tasks", 1.0, _LOWER),
    "failed": Metric("tasks failed", "tasks", 1.0, _LOWER),
    "retried": Metric("tasks retried by recovery", "tasks"),
    "in_flight": Metric("tasks in flight at end", "tasks"),
}

#: The LLM metrics, in display order: summary fields of completed LLM requests, in a run's
#: metrics row (and so in compare and sweep tables) only where the run served LLM requests.  A
#: registered metric's columns (:mod:`offloadsim.analysis.llm_requests`), named so for their readers.
LLM_METRICS: dict[str, Metric] = dict(llm_requests.LLM_REQUESTS.columns)

#: Energy that other powered nodes (a phone computing another's stage, a powered edge server) spent
#: on the tasks, per task over the tasks that ended: in a run's metrics row (and so in compare and
#: sweep tables) only where some task has ``other_device_energy`` above 0, which device energy per
#: task, its source device's, leaves out.
ELSEWHERE_METRICS: dict[str, Metric] = dict(other_energy.OTHER_DEVICE_ENERGY.columns)  # registered

#: The registered metrics' columns, as they were named before the registry (read them with
#: :func:`metric_info`; :func:`registered_columns` holds every registered metric's).
BATTERY_METRICS: dict[str, Metric] = dict(batteries.BATTERY_LEFT_MEDIAN.columns)
ENERGY_SPLIT_METRICS: dict[str, Metric] = dict(energy_split.DEVICE_COMPUTE_ENERGY.columns)
FAIRNESS_METRICS: dict[str, Metric] = dict(fairness.LATENCY_FAIRNESS.columns)


def registered_columns() -> dict[str, tuple[Metric, SummaryMetric]]:
    """Every registered metric's metrics-row columns, in the order registered: name -> (display, metric).

    A family's columns (``<name>_<entry>``, an entry per node) are a run's own: it is under its name
    here, its shared display; :func:`registered_column` finds any of them.
    """
    return {name: (info, metric) for metric in registered_metrics() for name, info in metric.columns.items()}


def registered_column(name: str) -> tuple[Metric, SummaryMetric] | None:
    """The display and registered metric of the metrics-row column ``name`` (a family's too), or None."""
    found = registered_columns().get(name)
    if found is not None and found[1].family is None:
        return found
    for metric in registered_metrics():
        if metric.family is not None and metric.member(name) is not None:
            return metric.display(name), metric
    return None


def family_of(name: str) -> SummaryMetric | None:
    """The registered family whose metrics-row column ``name`` is (``utilisation_edge``: the utilisations).

    A family's columns are each an entry's (a tier's, a node's), not a task's: a figure or table
    split by a task column (an application, a source group) has none of them per split.
    """
    found = registered_column(name)
    return found[1] if found is not None and found[1].family is not None else None


def sweep_columns(present: Collection[str], *, by_latency: bool) -> list[str]:
    """The registered metrics' columns that sweep's printed table shows, those of them in ``present``.

    ``by_latency``: those whose row in the run's table is under the latency rows (latency fairness),
    which the sweep table shows after its latency and LLM columns; else the others, shown last (the
    batteries, a new metric's).  A column no run has a value of has none.
    """
    return [
        name
        for metric in registered_metrics()
        if (metric.table_place == "latency") == by_latency
        for name in (metric.present(sorted(present)) if metric.family is not None else metric.sweep)
        if name in present and (metric.family is None or metric.name in metric.sweep)
    ]


def describe(name: str) -> str:
    """The catalogue's one line saying what a registered metric's column is; ``""`` for any other.

    >>> describe("latency_fairness")
    "Jain's fairness index of the task sources' mean latencies (1: every source alike)"
    """
    found = registered_column(_name(name, "describe"))
    return found[1].describe(name) if found else ""


# Display unit and factor of an SI unit, for the aggregates of record columns.
_DISPLAY = {"s": ("ms", 1e3), "J": ("mJ", 1e3), "B": ("kB", 1e-3), "": ("", 1.0)}
_SUFFIX = {"s": "_s", "J": "_j", "B": "_bytes"}


def column_metric_name(col: schema.Column, aggregate: str) -> str:
    """The metric name of ``aggregate`` of a record column: ``<column>_<aggregate>[_s|_j|_bytes]``."""
    return f"{col.name}_{aggregate}{_SUFFIX.get(col.unit, '')}"


def column_metrics() -> dict[str, tuple[schema.Column, str, Metric]]:
    """Metrics of the record columns that declare ``summary`` aggregates.

    Name -> (column, aggregate, metric), in schema order.
    """
    found: dict[str, tuple[schema.Column, str, Metric]] = {}
    for col in schema.task_columns():
        unit, scale = _DISPLAY.get(col.unit, (col.unit, 1.0))
        what = col.label or col.name.replace("_", " ")
        for aggregate in col.summary:
            metric = Metric(f"{aggregate} {what}", unit, scale, col.better)
            found[column_metric_name(col, aggregate)] = (col, aggregate, metric)
    return found


def _name(name: object, function: str) -> str:
    """``name`` if it is text, else a TypeError naming ``function`` and what it was given.

    ``metric_info(3)`` ended in an AttributeError on ``startswith``.
    """
    if not isinstance(name, str):
        raise TypeError(
            f"{function}: expected a metric name like 'latency_p95_s', got {type(name).__name__} {name!r:.40}"
        )
    return name


def _names(metrics: object, function: str) -> list[str]:
    """Each name of ``metrics`` (an iterable of names), checked; a lone string refused, not read by letter."""
    if isinstance(metrics, str | bytes) or not isinstance(metrics, Iterable):
        raise TypeError(
            f"{function}: expected a list of metric names like ['latency_p95_s'], "
            f"got {type(metrics).__name__} {metrics!r:.40}"
        )
    return [_name(name, function) for name in metrics]


def metric_info(name: str) -> Metric:
    """The display description of a metric column (registered and record-column metrics included).

    A name not in the catalogue gets a plain description (its words, no unit); one that is no
    text is a TypeError.
    """
    _name(name, "metric_info")
    if name in METRICS:
        return METRICS[name]
    registered = registered_column(name)
    if registered is not None:
        return registered[0]
    declared = column_metrics().get(name)
    if declared is not None:
        return declared[2]
    return Metric(name.replace("_", " "), "")


def is_metric(name: str) -> bool:
    """Whether ``name`` is a metric column (not one that identifies a job); a TypeError for no text."""
    _name(name, "is_metric")
    return name in METRICS or registered_column(name) is not None or name in column_metrics()


def metric_columns(metrics: pd.DataFrame | Iterable[str]) -> list[str]:
    """The metric columns of a metrics table (or of a list of names), in catalogue order.

    Headline metrics first, then the LLM metrics, other devices' energy, record-column metrics,
    the utilisations; each registered metric's columns at its ``catalogue_place`` among them
    (:mod:`offloadsim.analysis.metric_registry`: the batteries and device energy's parts after the
    LLM metrics, latency fairness after other devices' energy, a new metric after the record columns',
    the utilisations last: ``utilisation_<tier>``, ``..._max`` and ``..._<processor>`` as given).
    """
    if hasattr(metrics, "columns"):
        names = [str(c) for c in metrics.columns]
    else:
        names = _names(metrics, "metric_columns")
    present = set(names)
    return [c for c in _catalogue_order(names) if c in present]


def _catalogue_order(given: Iterable[str] = ()) -> list[str]:
    """Every known metric name, in the catalogue's order (see :func:`metric_columns`).

    A family's columns are those of ``given`` that are its, in their order there.
    """
    given = list(given)
    metrics = registered_metrics()
    order: list[str] = []
    for part, names in (
        ("headline", METRICS),  # then the LLM metrics (registered there) and any other placed so
        ("llm", {}),  # the batteries and device energy's parts, after the LLM metrics as before
        ("elsewhere", {}),  # other devices' energy (registered there), then latency fairness
        ("columns", column_metrics()),
        ("last", {}),  # the utilisations (registered there), after a new metric's columns
    ):
        order += names
        for metric in placed(metrics, part, "catalogue_place"):
            order += metric.present(given) if metric.family is not None else metric.columns
    return order


def basis_lines(metrics: Iterable[str]) -> list[str]:
    """The lines under a table whose headings are ``metrics``, one for each with a basis its heading omits.

    >>> basis_lines(["latency_mean_s", "device_energy_mean_j"])
    ['device energy per task (mJ): counted above idle']
    """
    infos = [metric_info(name) for name in _names(metrics, "basis_lines")]
    return [f"{info.heading}: counted {info.basis}" for info in infos if info.basis]


def of_completed_tasks(metric: str) -> bool:
    """Whether a metric is over completed tasks only (latency, wait, TTFT, TPOT, decode rate, a column's).

    Not the output token throughput, which counts every token generated in the window.

    >>> of_completed_tasks("latency_p95_s"), of_completed_tasks("drop_rate")
    (True, False)
    >>> of_completed_tasks("ttft_mean_s"), of_completed_tasks("output_tokens_per_s")
    (True, False)
    """
    if metric in _WINDOW_COUNTS:
        return False
    registered = registered_column(_name(metric, "of_completed_tasks"))
    if registered is not None:  # its registration says, not its name: a plug-in's latency_slack_s is of all
        return registered[1].of_completed
    return metric.startswith(_OF_COMPLETED) or metric in column_metrics()


def counts_completed_tasks(metric: str) -> bool:
    """Whether a metric counts completed tasks only, over the whole measured time (the throughputs).

    A single Jetson's output token throughput read 2.6 tokens/s at 12 requests a minute, though it
    was busy throughout: 87 % of its requests were still in flight when the run ended.  It counts
    every token generated in the measured window now, so it is not one of them.

    >>> counts_completed_tasks("throughput_per_s"), counts_completed_tasks("output_tokens_per_s")
    (True, False)
    """
    return _name(metric, "counts_completed_tasks") in _COUNTS_COMPLETED


def _holder(name: str) -> str | None:
    """What of the catalogue's holds ``name`` (a headline metric, a record column's aggregate, ...)."""
    if name in METRICS:
        return f"a headline metric ({METRICS[name].label})"
    declared = column_metrics().get(name)
    if declared is not None:
        return f"a record-column metric (the {declared[1]} of record column {declared[0].name!r})"
    return None


reserve(_holder)  # a registered metric's name or column taking one of these would overwrite its value
