"""The metric catalogue: every job-level metric's label, unit, scale, better direction and format.

One place says how a metric is named, shown and compared; the run summary,
``compare``'s table, ``sweep``'s tables and the plots all read it
(:func:`offloadsim.analysis.summary.metrics_row` turns a summary into a row).  A
metric is a column of a metrics table (``metrics.parquet``) in SI units;
``scale`` turns it into the display ``unit``.  Besides the fixed headline
metrics there are two families: ``utilisation_<tier>`` and the aggregates
of record columns that declare ``summary`` aggregates in the record schema
(:mod:`offloadsim.records.schema`), so a new column's mean reaches every
table and figure with no edit here.  The LLM metrics (time to first token,
time per output token, the decode rate and output token throughput in
tokens/s: :mod:`offloadsim.analysis.tokens`) are headline metrics of runs
that served LLM requests only: a table of runs that served none has no such
columns.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

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
]

#: A share of tasks not completed (dropped, failed, in flight) that a comparison of metrics taken over
#: completed tasks must say: a policy whose small queue turns away the tasks that would have waited
#: longest reads fast on latency. Figures name such configurations; compare does not judge between
#: two whose shares differ by this much.
INCOMPLETE_SHARE = 0.05
_OF_COMPLETED = ("latency_", "wait_", "ttft_", "tpot_", "decode_")
#: Rates that count completed tasks (or their output tokens) over the measured time: where tasks are
#: left in flight or dropped they read low, which a figure of them alone shows as a slower server.
_COUNTS_COMPLETED = ("throughput_per_s", "output_tokens_per_s")

#: Which way a metric improves.
Better = Literal["lower", "higher"]


@dataclass(frozen=True)
class Metric:
    """How a job-level metric is shown: a label, a display unit, the factor from its SI value.

    ``better`` says which way is an improvement (``"lower"``, ``"higher"``,
    or ``None`` for counts that describe rather than rank).  ``basis`` says
    what the value is counted from where it is not the whole quantity
    (``"above idle"``: device energy is what the tasks add to the device's
    idle draw, read as the device's whole energy without it).  It follows the
    unit in the run's table and on a figure's axis; the headings of compare's
    and sweep's tables have no room for it, so a line under them says it
    (:func:`basis_lines`).  ``digits`` is how many decimals the run's table
    shows; compare's table shows at least as many where every replication gave
    the same value (a CI of exactly 0 sets no precision, and the value is exact).
    """

    label: str
    unit: str
    scale: float = 1.0
    better: Better | None = None
    basis: str = ""
    digits: int = 1

    @property
    def heading(self) -> str:
        """A table's heading, label and unit: ``"p95 latency (ms)"``, ``"device energy per task (mJ)"``."""
        return f"{self.label} ({self.unit})" if self.unit else self.label

    @property
    def axis_label(self) -> str:
        """A figure's axis, the basis said too: ``"device energy per task above idle (mJ)"``."""
        label = f"{self.label} {self.basis}" if self.basis else self.label
        return f"{label} ({self.unit})" if self.unit else label

    @property
    def unit_text(self) -> str:
        """The unit in the run's table, the basis after it: ``"ms"``, ``"mJ above idle"``."""
        return f"{self.unit} {self.basis}" if self.basis else self.unit

    def judge(self, diff: float) -> str:
        """``"better"`` or ``"worse"`` for a change ``diff`` in this metric; ``""`` without a direction.

        >>> METRICS["latency_mean_s"].judge(-0.2), METRICS["throughput_per_s"].judge(-0.2)
        ('better', 'worse')
        """
        if self.better is None or diff == 0 or diff != diff:
            return ""
        return "better" if (diff < 0) == (self.better == "lower") else "worse"

    def format(self, mean: float, half: float = math.nan, *, signed: bool = False) -> str:
        """``mean`` (SI) in display units, with ``± half`` when known, to the CI's precision.

        A half-width of 0 (every replication gave the same value, or differed by rounding only) sets
        no precision: the value keeps its own digits, the run table's and at least 4 significant
        ones, and the interval reads ``± 0``.  So does a value without a half-width (one
        replication), shown bare: ``1,344.14``, as the run's table shows it, not ``1,344``.  A
        signed value (a Δ) of exactly 0 has no sign.

        >>> METRICS["latency_mean_s"].format(0.01234, 0.00051)
        '12.34 ± 0.51'
        >>> METRICS["device_energy_mean_j"].format(1.3441412, 0.0)
        '1,344.14 ± 0'
        >>> METRICS["device_energy_mean_j"].format(1.3441412)
        '1,344.14'

        A number other than 0 too small for the decimals shown (four at most) is written with two
        significant digits in scientific notation, not as ``0.0000``, which reads as no difference
        or as runs that all agreed: a half-width of ``± 3.0e-05``; so is a value without a spread
        that they would show to one significant digit only, a Δ of ``−2.1e-04 ± 0``, not ``−0.0002``.

        >>> METRICS["device_energy_mean_j"].format(-2.1e-7, 0.0, signed=True)
        '−2.1e-04 ± 0'
        >>> METRICS["device_energy_mean_j"].format(0.0488, 3e-8)
        '48.8000 ± 3.0e-05'
        """
        if mean is None or math.isnan(mean):
            return "-"
        value = mean * self.scale
        spread = half * self.scale if not math.isnan(half) else math.nan
        exact = spread != spread or zero_width(value, spread)
        digits = self._exact_digits(value) if exact else _digits(spread)
        text = _number(value, digits, signed=signed, figures=2 if exact and self.digits else 1)
        if math.isnan(half):
            return text
        if exact:
            return f"{text} ± 0"
        return f"{text} ± {_number(spread, digits)}"

    def _exact_digits(self, value: float) -> int:
        """Decimals of a value without a spread: the run table's, 4 significant digits (at most 4)."""
        if value == 0 or self.digits == 0:  # a count every replication gave (batteries run flat): 3
            return self.digits
        return int(min(4, max(self.digits, 3 - math.floor(math.log10(abs(value))))))


def _number(value: float, digits: int, *, signed: bool = False, figures: int = 1) -> str:
    """``value`` to ``digits`` decimals, or to two significant digits where those show fewer than ``figures``.

    ``2.1e-05`` rather than ``0.0000``, or than ``0.0002`` for an exact 0.00021 (``figures=2``).
    A signed value gets ``+`` or ``−`` (a typographic minus), but not one of exactly 0.
    """
    sign = "+" if signed and value != 0 else ""
    text = f"{value:{sign},.{digits}f}"
    if value != 0 and len(text.lstrip("+-").replace(",", "").replace(".", "").lstrip("0")) < figures:
        text = f"{value:{sign}.1e}"
    return "−" + text[1:] if signed and text.startswith("-") else text


def zero_width(value: float, half: float) -> bool:
    """A half-width of exactly 0, or of rounding noise (runs that all gave 0.1 s: 4.8e-17 s).

    What the tables show as ``± 0``: every replication gave the same ``value``.
    """
    return half <= _NOISE * abs(value)


def _digits(half: float) -> int:
    """Decimals enough to show the CI half-width (> 0) to two significant digits (at most 4)."""
    return int(min(4, max(0, 1 - math.floor(math.log10(half)))))


#: A CI half-width this small against its mean is floating-point rounding, not a spread of the runs.
_NOISE = 1e-9

_LOWER: Better = "lower"
_HIGHER: Better = "higher"

#: The headline job-level metrics (summary fields, ``drop_rate`` and ``fail_rate``), in display order.
METRICS: dict[str, Metric] = {
    "latency_mean_s": Metric("mean latency", "ms", 1e3, _LOWER),
    "latency_p50_s": Metric("median latency", "ms", 1e3, _LOWER),
    "latency_p95_s": Metric("p95 latency", "ms", 1e3, _LOWER),
    "latency_p99_s": Metric("p99 latency", "ms", 1e3, _LOWER),
    "wait_mean_s": Metric("mean queueing wait", "ms", 1e3, _LOWER),
    "deadline_miss_rate": Metric("deadline misses", "%", 100.0, _LOWER),
    "drop_rate": Metric("dropped tasks", "%", 100.0, _LOWER),
    "fail_rate": Metric("failed tasks", "%", 100.0, _LOWER),
    "availability": Metric("least node availability", "%", 100.0, _HIGHER),
    "throughput_per_s": Metric("throughput", "tasks/s", 1.0, _HIGHER),
    "device_energy_mean_j": Metric("device energy per task", "mJ", 1e3, _LOWER, basis="above idle", digits=2),
    "bytes_sent": Metric("data sent", "MB", 1e-6, _LOWER, basis="over all tasks"),
    "arrived": Metric("tasks arrived", "tasks"),
    "completed": Metric("tasks completed", "tasks", 1.0, _HIGHER),
    "dropped": Metric("tasks dropped", "tasks", 1.0, _LOWER),
    "failed": Metric("tasks failed", "tasks", 1.0, _LOWER),
    "in_flight": Metric("tasks in flight at end", "tasks"),
}

#: The LLM metrics, in display order: summary fields of completed LLM requests, in a run's
#: metrics row (and so in compare and sweep tables) only where the run served LLM requests.
LLM_METRICS: dict[str, Metric] = {
    "ttft_mean_s": Metric("mean time to first token", "ms", 1e3, _LOWER),
    "ttft_p50_s": Metric("median time to first token", "ms", 1e3, _LOWER),
    "ttft_p95_s": Metric("p95 time to first token", "ms", 1e3, _LOWER),
    "tpot_mean_s": Metric("mean time per output token", "ms", 1e3, _LOWER),
    "decode_tokens_per_s_mean": Metric("mean decode rate per request", "tokens/s", 1.0, _HIGHER),
    "output_tokens_per_s": Metric("output token throughput", "tokens/s", 1.0, _HIGHER),
}

#: Device energy per task told apart (:mod:`offloadsim.analysis.energy_split`): what the source
#: devices' processors drew and the rest, their radios' (sending, receiving, the tail, the bits).
#: In a run's metrics row where device energy was measured and the tasks say how much was compute.
ENERGY_SPLIT_METRICS: dict[str, Metric] = {
    "device_compute_energy_mean_j": Metric(
        "device compute energy per task", "mJ", 1e3, _LOWER, "above idle", 2
    ),
    "device_radio_energy_mean_j": Metric("device radio energy per task", "mJ", 1e3, _LOWER, "above idle", 2),
}

_FLAT_AS_0 = "with a flat battery as 0"
#: The batteries of a run (:mod:`offloadsim.analysis.batteries`): in its metrics row (and so in
#: compare's and sweep's tables) only where a node has a battery.  A flat device stops sending, so
#: the failed share and least node availability barely move when most batteries ran flat.
BATTERY_METRICS: dict[str, Metric] = {
    "batteries_flat": Metric("batteries run flat", "", 1.0, _LOWER, digits=0),
    "battery_left_min": Metric("least battery left", "%", 100.0, _HIGHER, basis=_FLAT_AS_0),
    "battery_left_median": Metric("median battery left", "%", 100.0, _HIGHER, basis=_FLAT_AS_0),
}

#: Energy that other powered nodes (a phone computing another's stage, a powered edge server) spent
#: on the tasks, per task over the tasks that ended: in a run's metrics row (and so in compare and
#: sweep tables) only where some task has ``other_device_energy`` above 0, which device energy per
#: task, its source device's, leaves out.
ELSEWHERE_METRICS: dict[str, Metric] = {
    "other_device_energy_mean_j": Metric(
        "other devices' energy per task",
        "mJ",
        1e3,
        _LOWER,
        basis="above idle, on powered nodes other than the task's source: not in device energy per task",
        digits=2,
    ),
}

#: How alike the task sources fared: Jain's fairness index of their mean latencies
#: (:mod:`offloadsim.analysis.fairness`), in a run's metrics row only where two sources or more
#: have a completed task.
FAIRNESS_METRICS: dict[str, Metric] = {
    # "Jain" as its unit: headings read "latency fairness (Jain)", the run's table "0.953  Jain's index ...".
    "latency_fairness": Metric("latency fairness", "Jain", 1.0, _HIGHER, digits=3),
}

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
    """The display description of a metric column (utilisation and record-column metrics included).

    A name not in the catalogue gets a plain description (its words, no unit); one that is no
    text is a TypeError.
    """
    _name(name, "metric_info")
    if name in METRICS:
        return METRICS[name]
    if name in LLM_METRICS:
        return LLM_METRICS[name]
    if name in BATTERY_METRICS:
        return BATTERY_METRICS[name]
    if name in ENERGY_SPLIT_METRICS:
        return ENERGY_SPLIT_METRICS[name]
    if name in ELSEWHERE_METRICS:
        return ELSEWHERE_METRICS[name]
    if name in FAIRNESS_METRICS:
        return FAIRNESS_METRICS[name]
    if name.startswith("utilisation_") and name.endswith("_max") and name.count("_") == 2:
        return Metric(f"{name.split('_')[1]} max utilisation", "%", 100.0)  # its busiest node's
    if name.startswith("utilisation_"):
        # utilisation_<tier>, or utilisation_<tier>_<processor> ("edge gpu utilisation"): tiers have no "_".
        return Metric(f"{name.removeprefix('utilisation_').replace('_', ' ', 1)} utilisation", "%", 100.0)
    declared = column_metrics().get(name)
    if declared is not None:
        return declared[2]
    return Metric(name.replace("_", " "), "")


def is_metric(name: str) -> bool:
    """Whether ``name`` is a metric column (not one that identifies a job); a TypeError for no text."""
    _name(name, "is_metric")
    return (
        name in METRICS
        or name in LLM_METRICS
        or name in BATTERY_METRICS
        or name in ENERGY_SPLIT_METRICS
        or name in ELSEWHERE_METRICS
        or name in FAIRNESS_METRICS
        or name.startswith("utilisation_")
        or name in column_metrics()
    )


def metric_columns(metrics: pd.DataFrame | Iterable[str]) -> list[str]:
    """The metric columns of a metrics table (or of a list of names), in catalogue order.

    Headline metrics first, then the LLM metrics, other devices' energy, latency fairness,
    record-column metrics, ``utilisation_<tier>``.
    """
    if hasattr(metrics, "columns"):
        names = [str(c) for c in metrics.columns]
    else:
        names = _names(metrics, "metric_columns")
    present = set(names)
    known = [c for c in METRICS if c in present]
    known += [c for c in LLM_METRICS if c in present]
    known += [c for c in BATTERY_METRICS if c in present]
    known += [c for c in ENERGY_SPLIT_METRICS if c in present]
    known += [c for c in ELSEWHERE_METRICS if c in present]
    known += [c for c in FAIRNESS_METRICS if c in present]
    known += [c for c in column_metrics() if c in present]
    return known + [c for c in names if c.startswith("utilisation_")]


def basis_lines(metrics: Iterable[str]) -> list[str]:
    """The lines under a table whose headings are ``metrics``, one for each with a basis its heading omits.

    >>> basis_lines(["latency_mean_s", "device_energy_mean_j"])
    ['device energy per task (mJ): counted above idle']
    """
    infos = [metric_info(name) for name in _names(metrics, "basis_lines")]
    return [f"{info.heading}: counted {info.basis}" for info in infos if info.basis]


def of_completed_tasks(metric: str) -> bool:
    """Whether a metric is over completed tasks only (latency, wait, TTFT, TPOT, decode rate, a column's).

    >>> of_completed_tasks("latency_p95_s"), of_completed_tasks("drop_rate")
    (True, False)
    """
    return _name(metric, "of_completed_tasks").startswith(_OF_COMPLETED) or metric in column_metrics()


def counts_completed_tasks(metric: str) -> bool:
    """Whether a metric counts completed tasks only, over the whole measured time (the throughputs).

    A single Jetson's output token throughput read 2.6 tokens/s at 12 requests a minute, though it
    was busy throughout: 87 % of its requests were still in flight when the run ended.

    >>> counts_completed_tasks("output_tokens_per_s"), counts_completed_tasks("latency_mean_s")
    (True, False)
    """
    return _name(metric, "counts_completed_tasks") in _COUNTS_COMPLETED
