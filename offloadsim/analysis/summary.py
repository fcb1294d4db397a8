"""A run's summary: the headline numbers of its records, and signs it never reached a steady state.

Pure functions over tables of records: pandas DataFrames, or mappings of
column name to numpy array (or list) such as the engine's records, which
are read a column at a time and never turned into a DataFrame (pandas is
not imported for them).  Nothing here knows about the engine.  Column
names and statuses come from the record schema.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from offloadsim.analysis import breakdown_registry, catalogue, chunked
from offloadsim.analysis.breakdown_list import registered_breakdowns
from offloadsim.analysis.breakdown_registry import Breakdown, BreakdownScope
from offloadsim.analysis.groups import (
    ENERGY_SPLIT_METRICS,
    GROUP_COLUMN,
    group_batteries,
    group_stats,
    split_key,
    values_with,
)
from offloadsim.analysis.metric_display import Metric, table_number
from offloadsim.analysis.metric_faults import computed, computed_family, row_of, table_row_of
from offloadsim.analysis.metric_list import registered_metrics
from offloadsim.analysis.metric_registry import (
    ROW_PLACES,
    RunTables,
    SummaryMetric,
    placed,
    registered,
    reserve,
)
from offloadsim.analysis.offered_load import closed_fed
from offloadsim.analysis.overload_marks import OVERLOAD_MARK, overload_groups_said, run_footnote
from offloadsim.analysis.qualifiers import PLAIN, Qualifiers
from offloadsim.analysis.statistics import percentile
from offloadsim.analysis.table_columns import Table, node_groups
from offloadsim.analysis.table_columns import floats as _floats
from offloadsim.analysis.table_columns import has as _has
from offloadsim.analysis.table_columns import objects as _objects
from offloadsim.analysis.table_columns import rows as _rows
from offloadsim.analysis.table_columns import status_masks as _status_masks
from offloadsim.analysis.table_columns import strings as _strings
from offloadsim.analysis.tokens import decode_rate, generated_token_rate, output_token_rate
from offloadsim.analysis.utilisations import busiest_node_metrics, node_utilisation, processor_metrics
from offloadsim.analysis.warning_facts import WarningFacts
from offloadsim.analysis.warning_kinds.backlog import backlog_counts
from offloadsim.analysis.warning_kinds.settling import settle_candidates
from offloadsim.analysis.warning_list import run_warnings
from offloadsim.analysis.warning_registry import WarningInputs
from offloadsim.field_values import FieldValues
from offloadsim.records.schema import PROCESSOR_COLUMNS, counted
from offloadsim.shapes import describe, is_count, is_number, is_whole

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Summary",
    "summarize",
    "overload_warnings",
    "metrics_row",
    "other_energy_filled",
    "metrics_every_row_has",
    "busiest_node_metrics",
    "llm_metrics",
    "measured_time",
    "processor_metrics",
    "refilled_metrics",
    "with_refilled",
    "powered_but_no_energy",
    "NOT_MEASURED",
    "EVERY_GROUP_MARKED",
]

_NAN = math.nan  # one NaN object: summaries compare equal field by field (identity first)
#: The Summary's fields holding the registered metrics' values: each metric its own key of summary.json.
_METRIC_FIELDS = frozenset(("metric_values", "metric_families"))
#: The Summary's field holding the registered breakdowns' numbers: each breakdown its own key of summary.json.
_BREAKDOWN_FIELD = "breakdowns"


# --------------------------------------------------------------------------- summary


# eq=False, repr=False: FieldValues's __eq__, __hash__ and __repr__ (issue 12 e: see offloadsim.field_values).
@dataclass(frozen=True, eq=False, repr=False)
class Summary(FieldValues):
    """The headline numbers of one run (times in s, sizes in bytes, energy in J).

    Latency and wait statistics are over *completed* tasks.  The deadline-miss
    rate is over tasks that have a deadline and a known outcome: a completed
    task misses when it finished late; a dropped or failed task always
    misses; a task still in flight at the end of the run misses if its
    deadline had already passed by then, and is left out (outcome unknown)
    otherwise.  The device energy per task (above idle) is over the tasks
    that ended: completed, dropped or failed, each at what it spent (a task
    still in flight holds only the energy of the steps it finished, and
    counting it would read low under overload).  Utilisations are fractions
    in [0, 1]: per computing node (``node_utilisation``: its first processor's
    busy time per core over the measured time, as the nodes table), its mean
    per tier (``tier_utilisation``: unweighted, over the tier's computing
    nodes), and per link direction keyed ``"a->b"``.  ``processors`` holds
    every processor of every computing node, a row of the processors table
    each (its columns, ``schema.PROCESSOR_COLUMNS``): where a node has several,
    its NPU's or GPU's busy time is there, not in the node's utilisation (see
    :func:`processor_metrics`).  ``warnings``
    are signs that the numbers are not those of a steady state: a system
    whose backlog grew all run, a node busy all the time with a growing
    queue, stages dropped by a full queue (see :func:`overload_warnings`).
    ``drop_reasons`` counts the dropped and failed tasks by their ``reason``
    (a policy that cannot serve a task, a full queue, a flat battery).
    ``link_mean_capacity_bps``, ``link_availability`` and ``link_loss_rate``
    list the link directions whose capacity, state or loss changed during the
    run, or whose loss is not 0 (the ``links`` columns of the same names): those
    never up in the measured time too (availability 0.0, a phone's radio link to an
    access point it never came in range of), which :meth:`format_table` counts
    but does not list where they carried nothing.  A direction's availability is
    the time it could carry traffic, the link *and both its ends* up: a link to a
    node that failed reads down while the node was.  ``links_down_with_a_node``
    names those of them that changed only so (at their scenario capacity whenever
    up, no loss, and down no longer than an end node was: any outage of their own
    lay within the node's), which the table counts under the nodes down, not
    as links that changed.
    ``column_metrics`` holds the aggregates of record columns that declare
    them in the record schema, named as the metric catalogue names them, and
    ``metric_values`` the registered metrics' values (:meth:`metric`; each its own key of
    summary.json): ``battery_left_median``, ``device_compute_energy_mean_j`` and
    ``latency_fairness`` among them, read as attributes too.
    ``node_availability`` lists the nodes that were down part of the measured
    time (failures, a flat battery) with the fraction they were up, and
    ``node_drained_at`` those whose battery ran flat, with when;
    ``availability`` is the least of them (1.0 when no node went down).
    ``battery_count`` counts the nodes with a battery, and
    ``battery_least_left`` names the one of them not flat with the least
    charge left at the end, with that share of its capacity (empty when none
    has a battery, or all ran flat): the table's battery line, kept short
    for a thousand devices.
    ``powered_sources`` counts the task sources with ``power:`` (-1: not
    known, a summary.json written before it was): why the table's device
    energy per task is 0 when it is; where none has, ``device_energy_mean_j``
    (and each source group's) is NaN, not measured, and the table reads n/a.
    ``retried`` counts the tasks ``recovery:`` ran again (``retries`` above 0),
    whatever their outcome, and ``recovered`` those of them that completed.
    ``ttft_*`` (time to first token) and ``tpot_mean_s`` (time per output
    token after the first) are over *completed* LLM requests, like latency: a
    request dropped, failed or still in flight at the end is left out even if
    its first token came; NaN when no LLM request completed
    (:attr:`served_llm`).  So is ``decode_tokens_per_s_mean``, the mean over
    them of each request's decode rate (``1 / tpot`` in tokens/s; a one-token
    answer has none and is left out), while ``output_tokens_per_s`` is every
    output token generated in the measured window over it (the nodes'
    ``tokens_generated``), the unfinished requests' too, so that at saturation
    it reads the capacity (:mod:`offloadsim.analysis.tokens`).
    """

    duration_s: float
    arrived: int
    completed: int
    dropped: int
    failed: int
    in_flight: int
    latency_mean_s: float
    latency_p50_s: float
    latency_p95_s: float
    latency_p99_s: float
    wait_mean_s: float
    deadline_tasks: int
    deadline_misses: int
    deadline_miss_rate: float
    throughput_per_s: float
    bytes_sent: float
    device_energy_mean_j: float
    ttft_mean_s: float = _NAN
    ttft_p50_s: float = _NAN
    ttft_p95_s: float = _NAN
    tpot_mean_s: float = _NAN
    decode_tokens_per_s_mean: float = _NAN
    output_tokens_per_s: float = _NAN
    node_utilisation: dict[str, float] = field(default_factory=dict)
    tier_utilisation: dict[str, float] = field(default_factory=dict)
    #: Per tier of two computing nodes or more, its busiest one's utilisation (first processors):
    #: the bottleneck a tier's mean hides (one edge of three busy reads a third of it there).
    tier_utilisation_max: dict[str, float] = field(default_factory=dict)
    link_utilisation: dict[str, float] = field(default_factory=dict)
    link_mean_capacity_bps: dict[str, float] = field(default_factory=dict)
    link_availability: dict[str, float] = field(default_factory=dict)
    link_loss_rate: dict[str, float] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    #: Each warning's numbers, one per warning in its order (:class:`WarningFacts`): what a
    #: comparison's notes read, not the wording; none in a summary.json written before them.
    warning_facts: tuple[WarningFacts, ...] = ()
    drop_reasons: dict[str, int] = field(default_factory=dict)
    column_metrics: dict[str, float] = field(default_factory=dict)
    availability: float = 1.0
    node_availability: dict[str, float] = field(default_factory=dict)
    node_drained_at: dict[str, float] = field(default_factory=dict)
    battery_count: int = 0
    battery_least_left: dict[str, float] = field(default_factory=dict)
    retried: int = 0
    recovered: int = 0
    processors: tuple[dict[str, Any], ...] = ()
    powered_sources: int = -1
    links_down_with_a_node: tuple[str, ...] = ()
    # Energy above idle other powered nodes spent on the tasks that ended (other_device_energy), in
    # no task's device energy, and over how many tasks (0, 0 for a run directory written before it).
    other_device_energy_j: float = 0.0
    other_device_energy_tasks: int = 0
    #: Per source group, where the tasks' sources span several (:mod:`offloadsim.analysis.groups`):
    #: ``<group>.<metric>`` for each of ``groups.GROUP_METRICS``; empty for one group.
    source_groups: dict[str, float] = field(default_factory=dict)
    #: Per registered breakdown (:mod:`offloadsim.analysis.breakdown_registry`), by its name, where
    #: the tasks span several of its values: ``<value>.<metric>`` for each of its ``metrics`` (an
    #: application's: :attr:`apps`); empty for one value, as in a summary.json written before it.
    #: Each breakdown is its own key of summary.json, where ``apps`` was.
    breakdowns: dict[str, dict[str, float]] = field(default_factory=dict)
    #: The registered metrics' values (:mod:`offloadsim.analysis.metric_registry`), by name: each is
    #: its own key of summary.json, and read with :meth:`metric` (or the attributes below).
    metric_values: dict[str, float] = field(default_factory=dict)
    #: The registered families' values (``family``: a value per node, say), by name: each its own
    #: key of summary.json, a mapping; read with :meth:`family`.
    metric_families: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def apps(self) -> dict[str, float]:
        """Per application (the ``apps`` breakdown: ``<app>.<metric>``); empty for one application."""
        return self.breakdowns.get("apps", {})

    def family(self, name: str) -> dict[str, float]:
        """A registered family's values, entry -> value; none where a summary has none (written before).

        A family of the summary's own fields (``utilisation``: ``edge``, ``edge_max``, ``edge_gpu``)
        is read from its metrics-row columns, as one with a summary.json key is from that key.  A
        name no registered family has is a KeyError naming those that are.
        """
        if name in self.metric_families:
            return self.metric_families[name]
        families = [metric for metric in registered_metrics() if metric.family is not None]
        family = next((metric for metric in families if metric.name == name), None)
        if family is None:
            raise KeyError(
                f"{name!r}: no registered family of that name; the families: "
                f"{', '.join(metric.name for metric in families)}"
            )
        if family.keyed:
            return {}
        return {
            entry: value
            for column, value in family.row_of(self).items()
            if (entry := family.member(column)) is not None
        }

    def metric(self, name: str) -> float:
        """A run metric's value by name: a registered metric's, or any other of the run's metrics row.

        The row (:func:`metrics_row`) is what a comparison's ``metrics`` holds of the run: the
        headline ``latency_mean_s``, ``drop_rate``, ..., ``utilisation_edge``.  A registered
        metric this summary has no value of (written before it) gives its default.  A name of
        none is a KeyError naming the run's metrics (the headline ones were not said).
        """
        if name in self.metric_values:
            return self.metric_values[name]
        row = metrics_row(self)
        if name in row:
            return row[name]
        registered = [metric for metric in registered_metrics() if metric.name not in row]
        for metric in registered:
            if metric.name == name:
                return float(getattr(self, name)) if metric.summary_fields else metric.default
        from offloadsim.suggest import did_you_mean_key

        names = [*row, *(metric.name for metric in registered)]
        hint = did_you_mean_key(name, names)
        raise KeyError(f"{name!r}: no metric of that name{hint}; this run's: {', '.join(names)}")

    @property
    def battery_left_median(self) -> float:
        """The median share of capacity left over every battery, a flat one 0 (a registered metric).

        NaN: no battery, or a summary.json written before it.  Compare's and sweep's median battery left.
        """
        return self.metric("battery_left_median")

    @property
    def device_compute_energy_mean_j(self) -> float:
        """Of device energy per task, what the source devices' processors drew (a registered metric).

        Over the same tasks; NaN: a run written before the tasks' device_compute_energy.  The rest
        is their radios'.
        """
        return self.metric("device_compute_energy_mean_j")

    @property
    def latency_fairness(self) -> float:
        """Jain's fairness index of the task sources' mean latencies (a registered metric).

        1 where every source's tasks took as long on average; NaN with fewer than two sources
        (:mod:`offloadsim.analysis.fairness`).
        """
        return self.metric("latency_fairness")

    @property
    def served_llm(self) -> bool:
        """Whether an LLM request completed: the run's table and metrics row then carry the LLM metrics."""
        return self.ttft_mean_s == self.ttft_mean_s

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-ready data: NaN becomes ``None``.

        Each registered metric is a key of its own, after its ``json_after`` key (at the end
        without one), where a metric moved onto the registry was before.
        """
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in _METRIC_FIELDS:
                continue
            if f.name == _BREAKDOWN_FIELD:
                for breakdown in registered_breakdowns():
                    keyed = self.breakdowns.get(breakdown.name, {})
                    out[breakdown.name] = {str(k): _json_float(v) for k, v in keyed.items()}
            elif f.name == "processors":
                out[f.name] = [{k: _json_float(v) for k, v in row.items()} for row in value]
            elif f.name == "warning_facts":
                out[f.name] = [facts.to_dict() for facts in value]
            elif isinstance(value, dict):
                out[f.name] = {str(k): _json_float(v) for k, v in value.items()}
            elif isinstance(value, tuple):
                out[f.name] = list(value)
            elif isinstance(value, float):
                out[f.name] = _json_float(value)
            else:
                out[f.name] = value
        for metric in registered_metrics():
            if metric.keyed:
                values = {entry: _json_float(v) for entry, v in self.family(metric.name).items()}
                out = _inserted(out, metric.json_after, metric.name, values)
            elif not metric.summary_fields:  # those are the fields above, at their places
                out = _inserted(out, metric.json_after, metric.name, _json_float(self.metric(metric.name)))
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Summary:
        """Inverse of :meth:`to_dict` (``None`` back to NaN); unknown keys are ignored.

        A document not of that shape (a summary.json edited by hand) is a ValueError naming the
        key: the readers of a run directory report it as a bad input, where a list for a count or
        a number for a table was a TypeError deep inside (an internal error).
        """
        if not isinstance(data, Mapping):
            raise ValueError(f"summary.json: expected a mapping at the top level, got {describe(data)}")
        kwargs: dict[str, Any] = {
            "metric_values": _metric_values_from_json(data),
            "metric_families": _metric_families_from_json(data),
            _BREAKDOWN_FIELD: _breakdowns_from_json(data),
        }
        for f in fields(cls):
            if f.name in _METRIC_FIELDS or f.name == _BREAKDOWN_FIELD:
                continue
            if f.name not in data:
                if f.default is MISSING and f.default_factory is MISSING:
                    raise ValueError(f"summary.json: {f.name}: missing; a run writes it")
                continue
            value = data[f.name]
            if f.name == "processors":
                kwargs[f.name] = _processors_from_json(value)
                continue
            if f.name == "warning_facts":
                kwargs[f.name] = _warning_facts_from_json(value, len(data.get("warnings", ())))
                continue
            table, names = str(f.type).startswith("dict"), str(f.type).startswith("tuple")
            what = (
                "a mapping"
                if table
                else "a list"
                if names
                else COUNT_OR_NOT_KNOWN
                if f.name == "powered_sources"
                else "a count"
                if f.name in _INT_FIELDS
                else "a number"
            )
            try:
                if (
                    table != isinstance(value, Mapping)
                    or names != isinstance(value, list)
                    or isinstance(value, bool)
                ):
                    raise TypeError
                if f.name == "drop_reasons":
                    kwargs[f.name] = {str(k): int(v) for k, v in value.items()}
                elif table:
                    kwargs[f.name] = {str(k): _from_json_float(v) for k, v in value.items()}
                elif names:
                    kwargs[f.name] = tuple(str(v) for v in value)
                elif f.name in _INT_FIELDS:  # as written: "3" was read as 3, 2.5 as 2, -5 as a count
                    least = -1 if f.name == "powered_sources" else 0  # -1: not known (written before it)
                    if not is_whole(value) or value < least:
                        raise TypeError
                    kwargs[f.name] = value
                else:
                    kwargs[f.name] = _from_json_float(value)
            except (TypeError, ValueError, OverflowError):
                raise ValueError(f"summary.json: {f.name}: expected {what}, got {describe(value)}") from None
        return cls(**kwargs)

    @property
    def other_device_energy_mean_j(self) -> float:
        """Other powered nodes' energy per task over the tasks that ended (device energy per task's tasks)."""
        ended = self.completed + self.dropped + self.failed
        return self.other_device_energy_j / ended if ended else _NAN

    def _why_no_energy(self) -> str:
        """Why no task that ended drew a joule above idle on its device, as far as the summary knows.

        Not known (a summary.json written before ``powered_sources``) and some task completed, ask
        about it; with it, no task completed (every one that ended was dropped or failed before it
        drew any), or the sources draw idle power in every state.  (Without ``power:`` on the
        sources the table reads :data:`NOT_MEASURED`.)
        """
        if self.powered_sources < 0 and self.completed:
            return "do the sources have power:?"
        return powered_but_no_energy(self.completed)

    def format_table(
        self,
        title: str | None = None,
        *,
        top: int = 5,
        processors: Table | None = None,
        qualifiers: Qualifiers = PLAIN,
    ) -> str:
        """Render a readable, aligned terminal table (latency in ms, data in MB = 10^6 bytes, %).

        ``top`` bounds how many nodes and link directions are listed (busiest
        first); idle ones (0 %) are counted, not listed.  Nodes are the
        computing nodes and links are counted per direction, as ``--dry-run``
        says.  ``processors`` (the run's processors table: ``node``,
        ``processor``, ``utilisation``) adds the busiest processors of the
        nodes that have several, whose node lines are their first processor's.  ``qualifiers``:
        what bounds or qualifies the run's numbers (:class:`~offloadsim.analysis.qualifiers.Qualifiers`:
        its LLM decode ceilings, where it has one, read its mean decode rate and time per token as the
        bounds they are; a prefill at an assumed efficiency says its times rest on it); the run's own
        overload warnings mark the numbers an overload qualifies ``†``, with a line under the table.
        Which source groups an overload concerns its warnings' facts say (``groups``, placed from
        the run's records as its result was built), or ``qualifiers.overload_groups``; where
        neither does (a summary written before they did, a warning that concerns the whole run),
        every group's line is marked, and the line under the table says that it is not known which.
        """
        qualifiers = qualifiers.warned(facts.kind for facts in self.warning_facts)
        if qualifiers.overload_groups is None:
            said = overload_groups_said(self.warning_facts)
            qualifiers = qualifiers if said is None else replace(qualifiers, overload_groups=said)
        rows: list[tuple[str, str, str]] = []
        n = self.arrived

        def share(count: int) -> str:
            return f"({100.0 * count / n:.1f} %)" if n else ""

        def metric(name: str, note: str = "") -> None:
            """One headline row, labelled, scaled and to the decimals the metric catalogue says."""
            rows.append(_headline_row(name, getattr(self, name), qualifiers, note))

        rows.append((catalogue.metric_info("arrived").label, f"{self.arrived:d}", ""))
        rows.append(("  completed", f"{self.completed:d}", share(self.completed)))
        rows.append(("  dropped", f"{self.dropped:d}", share(self.dropped)))
        rows.append(("  failed", f"{self.failed:d}", share(self.failed)))
        if self.drop_reasons:
            reasons = sorted(self.drop_reasons.items(), key=lambda kv: (-kv[1], kv[0]))
            cut = f" (top {top} of {len(reasons)} reasons)" if len(reasons) > top else ""
            rows.append((f"  why dropped or failed{cut}", "", ""))
            for reason, count in reasons[:top]:
                rows.append((f"    {reason}", f"{count:d}", ""))
        rows.append(("  in flight at end", f"{self.in_flight:d}", share(self.in_flight)))
        if self.retried:  # what recovery: did, which the counts above hide (a retried task that completed)
            done = f", of any outcome; {self.recovered:d} of them completed"
            rows.append(("  retried by recovery", f"{self.retried:d}", share(self.retried) + done))
        if self.node_availability:
            down = len(self.node_availability)
            listed = f"the {top} least available of {down}" if down > top else f"{down}"
            rows.append((f"nodes down part of the time ({listed})", "", ""))
            ranked = sorted(self.node_availability.items(), key=lambda kv: (kv[1], kv[0]))
            for name, value in ranked[:top]:
                # A flat battery is not a failure: say which it was, and when (the nodes table's drained_at).
                flat = self.node_drained_at.get(name)
                why = f"  (battery flat at {flat:.6g} s)" if flat is not None else ""
                rows.append((f"  {name} available", _num(value * 100.0), "%" + why))
        for name in ("latency_mean_s", "latency_p50_s", "latency_p95_s", "latency_p99_s", "wait_mean_s"):
            metric(name)
        # A loop paced by its users paces its output tokens as it does its tasks: both rows say so.
        paced = any(facts.kind == "closed_loop" for facts in self.warning_facts)
        pace = "  (a closed loop's users' pace: see its warning)" if paced else ""
        # the LLM metrics where served
        paces = {"output_tokens_per_s": pace}
        rows += self._registered_rows("latency", qualifiers, notes=paces)
        if self.deadline_tasks:
            metric("deadline_miss_rate", note=f"  ({self.deadline_misses} of {self.deadline_tasks})")
        else:
            rows.append((catalogue.metric_info("deadline_miss_rate").label, "-", "(no deadlines)"))
        metric("throughput_per_s", note=pace)
        metric("bytes_sent")
        # Exactly no joule above idle on any task that ended: the 0 says nothing about what offloading
        # saves, so say why it is 0.
        none = self.arrived and self.device_energy_mean_j == 0.0
        if self.powered_sources == 0:  # not measured: a 0 (or "-") would read as offloading saving nothing
            rows.append((catalogue.metric_info("device_energy_mean_j").label, "n/a", NOT_MEASURED))
        else:
            metric("device_energy_mean_j", note=f"  (none: {self._why_no_energy()})" if none else "")
        # Other devices' energy and device energy's parts, then the batteries.
        rows += self._registered_rows("energy", qualifiers) + self._registered_rows("batteries", qualifiers)
        # A record column's mean is of the completed tasks: under in_flight: fail the tasks a handover
        # hit end failed, so "handovers per task" fell as the rule lost them unless it says whose it is.
        unfinished = self.dropped + self.failed
        whose = f"  (of the {self.completed:d} completed tasks, not the {unfinished:d} dropped or failed)"
        for name, value in self.column_metrics.items():
            info = catalogue.metric_info(name)
            unit = info.unit_text + (whose if unfinished and self.completed else "")
            rows.append((info.label, _num(value * info.scale), unit))
        rows += self._registered_rows("columns", qualifiers)
        rows += self._group_rows(qualifiers)
        for breakdown in registered_breakdowns():
            rows += self._breakdown_rows(breakdown, qualifiers)
        if processors is None:
            processors = _processor_columns(self.processors)
        if self.tier_utilisation:
            by_processor = processor_metrics(processors)
            rows.append(
                (
                    "utilisation by tier (mean"
                    + (": of the nodes' first processors, then of each processor)" if by_processor else ")"),
                    "",
                    "",
                )
            )
            for tier, value in self.tier_utilisation.items():
                rows.append((f"  {tier}", _num(value * 100.0), "%" + self._busiest_text(tier, processors)))
                prefix = f"utilisation_{tier}_"
                for name, mean in by_processor.items():
                    if name.startswith(prefix):
                        rows.append((f"    {name.removeprefix(prefix)}", _num(mean * 100.0), "%"))
        several = _processors_of_several(processors)
        for heading, values, what in (
            (
                "busiest nodes" + (", by their first processor" if several else ""),
                self.node_utilisation,
                "computing nodes",
            ),
            ("busiest processors of nodes with several", several, "processors"),
            ("busiest links", self.link_utilisation, "link directions"),
        ):
            if not values:
                continue
            ranked = sorted(values.items(), key=lambda kv: (-_sort_key(kv[1]), kv[0]))
            busy = [(name, value) for name, value in ranked if value != 0.0]
            shown = busy[:top]
            idle = len(ranked) - len(busy)
            if not busy:
                rows.append((f"{heading}: none, all {len(ranked)} {what} idle", "", ""))
                continue
            counts = (
                f"top {len(shown)} of {len(ranked)} {what}"
                if len(busy) > len(shown)
                else (f"{len(shown)} of {len(ranked)} {what}")
            )
            rows.append((f"{heading} ({counts}" + (f", {idle} idle)" if idle else ")"), "", ""))
            for name, value in shown:
                rows.append((f"  {name}", _num(value * 100.0), "%"))
        if self.link_mean_capacity_bps:
            means = self.link_mean_capacity_bps
            # A direction never up in the measured time that carried nothing (a phone's radio link to
            # an access point it never came in range of) is counted, not listed: the commute's table
            # listed five of those, "0.0 % up", as its least available links, and no link that was.
            # A direction down only while an end node was (a link to an edge that failed) did not
            # fail itself: its node is listed as down above, and the link is counted, not listed.
            with_node = set(self.links_down_with_a_node) & set(means)
            never = {
                link
                for link in means
                if link not in with_node
                and self.link_availability[link] == 0.0
                and not self.link_utilisation.get(link)
            }
            moved = sorted(
                (link for link in means if link not in never and link not in with_node),
                key=lambda link: (self.link_availability[link], means[link], link),
            )
            # A lossy link is listed though it may never have changed: the heading says why it is there.
            what = (
                "links that changed or lose packets"
                if any(self.link_loss_rate.values())
                else "links that changed"
            )
            # Listed least available first; cut short, the heading says so ("5 of 120" read as "5 changed").
            listed = (
                f"the {top} least available of {len(moved)}"
                if len(moved) > top
                else f"{len(moved)} of {len(moved)}"
            )
            kinds = ((never, "never up and idle"), (with_node, "down only while an end node was"))
            unlisted = [(len(group), how) for group, how in kinds if group]
            if moved:
                more = ", ".join(f"{count} more {how}" for count, how in unlisted)
                cut = f"; {more}, not listed" if more else ""
                rows.append((f"{what} ({listed} directions{cut})", "", ""))
            elif len(unlisted) == 1:
                rows.append((f"{what}: {len(means)} directions, all {unlisted[0][1]}", "", ""))
            else:
                gone = ", ".join(f"{count} {how}" for count, how in unlisted)
                rows.append((f"{what}: {len(means)} directions, none listed: {gone}", "", ""))
            for link in moved[:top]:
                loss = self.link_loss_rate[link]
                state = f"Mbit/s mean, {_num(self.link_availability[link] * 100.0)} % up"
                state += f", loss {loss:.2%}" if loss else ""
                rows.append((f"  {link}", _num(means[link] / 1e6), state))

        label_w = max(len(r[0]) for r in rows if r[1])  # headings (no value) may run past the column
        value_w = max(len(r[1]) for r in rows)
        lines = []
        if title:
            lines += [title, "-" * max(len(title), label_w + value_w + 8)]
        for label, text, unit in rows:
            lines.append(f"{label.ljust(label_w)}  {text.rjust(value_w)}  {unit}".rstrip())
        line = run_footnote(facts.kind for facts in self.warning_facts)
        if line and self.source_groups and qualifiers.overload_groups is None:
            line += f"; {EVERY_GROUP_MARKED}"
        lines += [line] if line else []
        lines += [f"warning: {warning}" for warning in self.warnings]
        return "\n".join(lines)

    def _busiest_text(self, tier: str, processors: Table | None) -> str:
        """``"  (busiest edge-0 71.3 %)"`` beside a tier's mean, where its nodes differ; else "".

        A fixed plan on one edge of three read ``edge 23.8 %``, its edge 71 % busy.  The node is
        named where the processors table says which nodes are of the tier.
        """
        most = self.tier_utilisation_max.get(tier)
        if most is None or not most > self.tier_utilisation[tier]:  # every node alike: the mean says it
            return ""
        named = ""
        if processors is not None:
            pairs = zip(processors["node"], processors["tier"], strict=True)
            utilisation = self.node_utilisation
            found = sorted({str(n) for n, t in pairs if str(t) == tier and utilisation.get(str(n)) == most})
            named = f"{found[0]} " if found else ""
        return f"  (busiest {named}{_num(most * 100.0)} %)"

    def _group_rows(self, qualifiers: Qualifiers = PLAIN) -> list[tuple[str, str, str]]:
        """Per source group, where the sources span several: its mean latency, p95, misses and energy.

        Each marked ``†`` where the run was overloaded (``qualifiers``) and the overload concerns the
        group (its tasks ran on a node an overload warning names: ``qualifiers.overload_groups``);
        where that is not known, every group, as a group's tasks share the run's links and servers.
        """
        latency = catalogue.metric_info("latency_mean_s")

        def spent(group: str, values: Mapping[str, float]) -> str:
            return self._energy_said(values) + _overload_mark(latency, qualifiers, group)

        return _keyed_rows(
            self.source_groups, ("source group", "groups"), "; device energy per task", "source_groups", spent
        )

    def _energy_said(self, values: Mapping[str, float]) -> str:
        """A source group's or application's device energy per task as its row ends: ``"; 19.73 mJ"``.

        "n/a" where no source draws power, and where its own sources draw none (their 0 J is not measured).
        """
        energy = catalogue.metric_info("device_energy_mean_j")
        joules = values.get("device_energy_mean_j", _NAN)
        if self.powered_sources == 0:
            return "; energy n/a"
        if math.isnan(joules):
            return "; energy n/a (no power: on its sources)"
        return f"; {_num(joules * energy.scale, energy.digits)} {energy.unit}"

    def _breakdown_rows(
        self, breakdown: Breakdown, qualifiers: Qualifiers = PLAIN
    ) -> list[tuple[str, str, str]]:
        """A breakdown's rows, where the tasks span several of its values: latency, p95, misses, its extras.

        The table above pools them (a CNN's 20 ms beside an LLM's seconds read as one mean no task
        had).  A value without a deadline reads "no deadlines", not 0 % missed; one with none of the
        breakdown's ``extras`` (an application that served no LLM request: no ttft), none.  Marked
        ``†`` as the headline latency is, where the run was overloaded: a value's tasks share the
        run's links and servers.
        """
        keyed = self.breakdowns.get(breakdown.name, {})
        latency = catalogue.metric_info("latency_mean_s")

        def tail(value: str, values: Mapping[str, float]) -> str:
            said = self._energy_said(values) if energy else ""
            for word, metric in breakdown.extras:
                number, info = values.get(metric, _NAN), catalogue.metric_info(metric)
                said += (
                    ""
                    if math.isnan(number)
                    else f"; {word} {_num(number * info.scale, info.digits)} {info.unit}"
                )
            return said + _overload_mark(latency, qualifiers)

        extras = {metric for _, metric in breakdown.extras}
        served = any(split_key(key)[1] in extras and value == value for key, value in keyed.items())
        # No source draws power, or a summary.json written before the values' energy: no column.
        energy = self.powered_sources != 0 and any(
            split_key(key)[1] == "device_energy_mean_j" for key in keyed
        )
        last = ("; device energy per task" if energy else "") + (
            f"; {breakdown.extras_said}" if served else ""
        )
        return _keyed_rows(keyed, breakdown.what, last, breakdown.name, tail)

    def _registered_rows(
        self,
        place: str,
        qualifiers: Qualifiers = PLAIN,
        notes: Mapping[str, str] | None = None,
    ) -> list[tuple[str, str, str]]:
        """The run table's rows of the registered metrics whose ``table_place`` is ``place``.

        A metric's own ``table_row``; else, with a ``table_note``, its value by its display (none
        where NaN), or, for one of the summary's fields (the LLM metrics), a row for each column of
        its metrics row, as the headline rows (qualified by ``qualifiers``, and ``notes``' words
        after a column it names); else none.  Each row is marked ``†`` where ``qualifiers`` say an
        overload and its display says an overload qualifies it (``overload_marked``).
        """
        notes = notes or {}
        rows = []
        for metric in placed(registered_metrics(), place, "table_place"):
            if metric.summary_fields and metric.family is None and metric.table_row is None:
                row_values = row_of(metric, self)
                rows += [
                    _headline_row(name, row_values[name], qualifiers, notes.get(name, ""))
                    for name in metric.columns
                    if name in row_values
                ]
                continue
            if metric.family is not None and metric.table_row is None:
                if metric.table_note is not None:
                    for column, value in row_of(metric, self).items():
                        info = metric.display(column)
                        text = _num(value * info.scale, info.digits)
                        note = f"{info.unit_text}{metric.table_note}{_overload_mark(info, qualifiers)}"
                        rows.append((info.label, text, note))
                continue
            if metric.table_row is not None:
                row = table_row_of(metric, self)
            elif metric.table_note is not None:
                row = _value_row(metric, self.metric(metric.name))
            else:
                row = None
            if row is not None:
                label, text, unit = row
                rows.append((label, text, unit + _overload_mark(_shown_as(metric), qualifiers)))
        return rows


_SUMMARY_KEYS = frozenset(
    f.name for f in fields(Summary) if f.name not in _METRIC_FIELDS and f.name != _BREAKDOWN_FIELD
)


def _summary_key(name: str) -> str | None:
    """What holds ``name`` of the summary's own keys: a registered metric's value would overwrite it.

    The fields a registered metric is made of (``summary_fields``: the LLM metrics) are that
    metric's: another taking one is refused as the registry's, "registered already".
    """
    if any(breakdown.name == name for breakdown in registered_breakdowns()):
        return f"a key of summary.json (a breakdown's: Summary.breakdowns[{name!r}])"
    if name not in _SUMMARY_KEYS:
        return None
    if any(metric.summary_fields and name in metric.columns for metric in registered()):
        return None
    return f"a key of summary.json (Summary.{name})"


def _headline_row(name: str, value: float, qualifiers: Qualifiers, note: str = "") -> tuple[str, str, str]:
    """A metric's row of the run's table, labelled, scaled and to the decimals the catalogue says.

    Read as its ``qualifiers`` say (:meth:`~offloadsim.analysis.qualifiers.Qualifiers.run_row`: a
    bound, or said to rest on an assumed efficiency), ``note`` after its unit, and marked ``†``
    where an overload qualifies it.
    """
    info = catalogue.metric_info(name)
    text, mark = qualifiers.run_row(name, value, _num(value * info.scale, info.digits))
    return (info.label, text, info.unit_text + mark + note + _overload_mark(info, qualifiers))


def _keyed_rows(
    keyed: Mapping[str, float],
    what: tuple[str, str],
    last: str,
    key: str,
    tail: Callable[[str, Mapping[str, float]], str],
) -> list[tuple[str, str, str]]:
    """The run table's rows per source group or application (``keyed``: ``<name>.<metric>``; [] if none).

    A heading naming ``what`` and the ``last`` numbers, then a row each (the first
    :data:`_GROUPS_SHOWN`, the rest in summary.json's ``key``): its tasks, mean latency, p95 and
    deadline misses ("no deadlines" where none of its tasks had one), then ``tail(name, values)``.
    """
    named: dict[str, dict[str, float]] = {}
    for name_metric, value in keyed.items():
        name, metric = split_key(name_metric)
        named.setdefault(name, {})[metric] = value
    if len(named) < 2:  # one application that served every task: the table above is its own
        return []
    latency, p95 = catalogue.metric_info("latency_mean_s"), catalogue.metric_info("latency_p95_s")
    heading = f"by {what[0]} (mean latency; p95; deadline misses{last})"
    if len(named) > _GROUPS_SHOWN:
        heading += f"; the first {_GROUPS_SHOWN} of {len(named)} {what[1]}, all in summary.json's {key}"
    rows = [(heading, "", "")]
    for name, values in itertools.islice(named.items(), _GROUPS_SHOWN):
        arrived, completed = int(values.get("arrived", 0)), int(values.get("completed", 0))
        missed = _num(values["deadline_miss_rate"] * 100.0) + " % missed"
        rows.append(
            (
                f"  {name} ({arrived} tasks, {completed} completed)",
                _num(values["latency_mean_s"] * latency.scale, latency.digits),
                f"{latency.unit}; p95 {_num(values['latency_p95_s'] * p95.scale, p95.digits)} {p95.unit};"
                f" {missed if values.get('deadline_tasks') else 'no deadlines'}" + tail(name, values),
            )
        )
    return rows


def _overload_mark(info: Metric, qualifiers: Qualifiers, group: str | None = None) -> str:
    """`` †`` after a row of a metric shown as ``info`` (a source ``group``'s) where an overload marks it."""
    return f" {OVERLOAD_MARK}" if qualifiers.overload_marks(info, group) else ""


reserve(_summary_key)


def _breakdown_key(name: str) -> str | None:
    """What holds ``name`` of summary.json's keys, a breakdown's would overwrite: a field, a metric's."""
    if name in _SUMMARY_KEYS:
        return f"a key of summary.json (Summary.{name})"
    metric = next((m for m in registered_metrics() if name == m.name or name in m.columns), None)
    return None if metric is None else f"the run metric {metric.name!r} (its key of summary.json)"


breakdown_registry.reserve(_breakdown_key)


def _shown_as(metric: SummaryMetric) -> Metric:
    """The display of a registered metric's one row in the run's table: its name's column's, or its first."""
    return metric.columns.get(metric.name) or next(iter(metric.columns.values()))


def _value_row(metric: SummaryMetric, value: float) -> tuple[str, str, str] | None:
    """A registered metric's value as the run's table shows it: label, value, unit and note."""
    if math.isnan(value):
        return None
    info = _shown_as(metric)
    return (info.label, _num(value * info.scale, info.digits), f"{info.unit_text}{metric.table_note}")


def _inserted(out: dict[str, Any], after: str | None, key: str, value: Any) -> dict[str, Any]:
    """``out`` with ``key`` after the key ``after`` (at the end for None, or where ``after`` is absent)."""
    if after is None or after not in out:
        out[key] = value
        return out
    items = list(out.items())
    at = [k for k, _ in items].index(after) + 1
    return dict([*items[:at], (key, value), *items[at:]])


def _breakdowns_from_json(data: Mapping[str, Any]) -> dict[str, dict[str, float]]:
    """Each registered breakdown's numbers in a summary.json: a mapping of numbers or nulls; absent, none."""
    values: dict[str, dict[str, float]] = {}
    for breakdown in registered_breakdowns():
        if breakdown.name not in data:
            continue
        value = data[breakdown.name]
        try:
            if not isinstance(value, Mapping):
                raise TypeError
            values[breakdown.name] = {str(k): _from_json_float(v) for k, v in value.items()}
        except (TypeError, ValueError, OverflowError):
            raise ValueError(
                f"summary.json: {breakdown.name}: expected a mapping, got {describe(value)}"
            ) from None
    return values


def _metric_families_from_json(data: Mapping[str, Any]) -> dict[str, dict[str, float]]:
    """Each registered family's values in a summary.json: a mapping of numbers or nulls; absent, none."""
    values: dict[str, dict[str, float]] = {}
    for metric in registered_metrics():
        if not metric.keyed or metric.name not in data:
            continue
        value = data[metric.name]
        if not isinstance(value, Mapping) or any(
            v is not None and (isinstance(v, bool) or not is_number(v)) for v in value.values()
        ):
            raise ValueError(
                f"summary.json: {metric.name}: expected a mapping of each {metric.family} to a number, "
                f"got {describe(value)}"
            )
        values[metric.name] = {str(k): _from_json_float(v) for k, v in value.items()}
    return values


def _metric_values_from_json(data: Mapping[str, Any]) -> dict[str, float]:
    """Each registered metric's value in a summary.json: a number or null (NaN); absent, its default."""
    values: dict[str, float] = {}
    for metric in registered_metrics():
        if metric.summary_fields or metric.family is not None:  # the summary's own fields; a family's mapping
            continue
        if metric.name not in data:
            values[metric.name] = metric.default  # a summary.json written before the metric
            continue
        value = data[metric.name]
        if value is not None and (isinstance(value, bool) or not is_number(value)):
            raise ValueError(f"summary.json: {metric.name}: expected a number, got {describe(value)}")
        values[metric.name] = _from_json_float(value)
    return values


#: The processors table's columns that are counts and texts; the others (busy_s, utilisation) are numbers.
_PROCESSOR_COUNTS = frozenset(("cores", "stages_completed"))
_PROCESSOR_TEXTS = frozenset(("node", "tier", "processor", "profile"))


def _processor_entries(processors: Table | None) -> tuple[dict[str, Any], ...]:
    """The processors table's rows as :attr:`Summary.processors` holds them (plain str, int, float)."""
    if (
        processors is None
        or _rows(processors) == 0
        or not all(_has(processors, c) for c in PROCESSOR_COLUMNS)
    ):
        return ()
    columns = {
        name: (
            _strings(processors, name).tolist()
            if name in _PROCESSOR_TEXTS
            else [int(v) for v in _floats(processors, name)]
            if name in _PROCESSOR_COUNTS
            else _floats(processors, name).tolist()
        )
        for name in PROCESSOR_COLUMNS
    }
    return tuple(dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True))


def _warning_facts_from_json(value: Any, warnings: int) -> tuple[WarningFacts, ...]:
    """``summary.json``'s ``warning_facts``, checked: one per warning, each a :class:`WarningFacts`."""
    if not isinstance(value, list) or len(value) not in (0, warnings):
        raise ValueError(
            f"summary.json: warning_facts: expected a list of {warnings} (one per warning), "
            f"got {describe(value)}"
        )
    return tuple(
        WarningFacts.from_dict(item, f"summary.json: warning_facts[{i}]") for i, item in enumerate(value)
    )


def _processors_from_json(value: Any) -> tuple[dict[str, Any], ...]:
    """``summary.json``'s ``processors`` (a list of objects, the processors table's columns each), checked.

    A ValueError names the entry and key that is not of its kind: the readers of a run
    directory report it as a bad input.
    """
    if not isinstance(value, list):
        raise ValueError(f"summary.json: processors: expected a list of processors, got {describe(value)}")
    rows = []
    for i, entry in enumerate(value):
        where = f"summary.json: processors[{i}]"
        if not isinstance(entry, Mapping):
            raise ValueError(
                f"{where}: expected a mapping of {', '.join(PROCESSOR_COLUMNS)}, got {describe(entry)}"
            )
        row: dict[str, Any] = {}
        for name in PROCESSOR_COLUMNS:
            if name not in entry:
                raise ValueError(f"{where}.{name}: missing; a run writes it")
            item = entry[name]
            if name in _PROCESSOR_TEXTS:
                ok = isinstance(item, str)
                what = "a text"
            elif name in _PROCESSOR_COUNTS:
                ok = is_count(item)
                what = "a count"
            else:
                ok = item is None or is_number(item)
                what = "a number"
            if not ok:
                raise ValueError(f"{where}.{name}: expected {what}, got {describe(item)}")
            row[name] = _from_json_float(item) if what == "a number" else item
        rows.append(row)
    return tuple(rows)


def _processor_columns(rows: tuple[dict[str, Any], ...]) -> dict[str, list[Any]] | None:
    """:attr:`Summary.processors` as the processors table's columns; None for none."""
    if not rows:
        return None
    return {name: [row[name] for row in rows] for name in PROCESSOR_COLUMNS}


def powered_but_no_energy(completed: int) -> str:
    """Why runs whose task sources have ``power:`` charged no joule above idle, having ``completed`` tasks.

    The run's table and an energy figure of such runs say it in the same words.
    """
    if not completed:
        return "no task completed: those dropped or failed ended before drawing any"
    return "the sources' power: draws no more than idle for any task"


def _processors_of_several(processors: Table | None) -> dict[str, float]:
    """Each processor of the nodes with more than one, ``node/processor`` -> utilisation; {} for none.

    A node's row in the nodes table (and so its line among the busiest nodes) is its first
    processor's: a phone whose NPU did all its work read as idle.
    """
    if processors is None:
        return {}
    nodes = [str(node) for node in processors["node"]]
    counts = Counter(nodes)
    return {
        f"{node}/{name}": float(share)
        for node, name, share in zip(nodes, processors["processor"], processors["utilisation"], strict=True)
        if counts[node] > 1
    }


#: What the run's table says of device energy per task where no task source has ``power:``.
NOT_MEASURED = "(not measured: no task source has power:)"
#: Said after the overload line of a table whose source groups are all marked ``†`` because which of
#: them the overload concerns is not known: a summary alone (no records), or a warning that cannot be
#: placed.  A run's own table (``RunResult.format_table``) marks only those its records say.
EVERY_GROUP_MARKED = "every source group's line is marked, as which of them it concerns is not known"

#: What ``powered_sources`` holds, as a message says it: -1 is a summary written before it was.
COUNT_OR_NOT_KNOWN = "a count (-1: not known)"

_INT_FIELDS = frozenset(
    (
        "arrived",
        "other_device_energy_tasks",
        "completed",
        "dropped",
        "failed",
        "in_flight",
        "deadline_tasks",
        "deadline_misses",
        "battery_count",
        "powered_sources",
        "retried",
        "recovered",
    )
)


def _json_float(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    return value


def _from_json_float(value: Any) -> float:
    return _NAN if value is None else float(value)


def _sort_key(value: float) -> float:
    return -math.inf if math.isnan(value) else value


#: A number as the run's table writes it (:func:`~offloadsim.analysis.metric_display.table_number`).
_num = table_number


def _energy_unmeasured(groups: dict[str, Any], bare: set[str] | None) -> dict[str, Any]:
    """``groups``' numbers with the device energy (and its split) of the groups in ``bare`` NaN.

    ``bare``: groups none of whose sources has ``power:`` (None: every group); their tasks count 0 J,
    which is not measured, not zero.
    """
    unmeasured = ("device_energy_mean_j", *ENERGY_SPLIT_METRICS)

    def cut(key: str) -> bool:
        group, metric = split_key(key)
        return metric in unmeasured and (bare is None or group in bare)

    return {key: _NAN if cut(key) else value for key, value in groups.items()}


def summarize(
    tasks: Table,
    nodes: Table,
    links: Table,
    duration_s: float,
    *,
    end_s: float | None = None,
    processors: Table | None = None,
    powered_sources: int = -1,
    source_groups: bool = True,
    applications: Sequence[str] = (),
    unpowered_groups: Collection[str] = (),
    offered_rates: Mapping[tuple[str, str], float] | None = None,
    loops: Mapping[tuple[str, str], tuple[int, float]] | None = None,
    link_changes: Table | None = None,
) -> Summary:
    """Summarise one run's records (see :class:`Summary` for definitions).

    ``duration_s`` is the measured time (throughput = completed / duration);
    ``end_s`` is the simulated time the run stopped, used to decide whether a
    task still in flight had already missed its (relative) deadline; without
    it such tasks are left out of the deadline-miss rate.  ``tasks`` may be
    the engine's records, read a chunk at a time and never a whole column
    (:mod:`offloadsim.analysis.chunked`: the same numbers in memory that does
    not grow with the run).  ``processors`` is the run's processors table
    (every processor of every computing node: :attr:`Summary.processors`).
    ``powered_sources`` is how many task sources have ``power:`` (-1: not known).
    ``source_groups``: whether to compute the numbers per source group and per application (a
    caller that keeps none of them, as a breakdown per application, leaves them out);
    ``applications``: the scenario's (``application_order``: those its workload requests, then their
    alternatives); where it has several, each application that served a task has its numbers
    (:attr:`Summary.apps`) even where all the run's tasks were of one (a replication in which the
    LLM had no request, a policy that never chose the alternative), so that no run of a comparison
    is left out of an application's mean; else, where the tasks span several.
    ``unpowered_groups``, the groups none of whose sources has ``power:``: their device energy is
    not measured (NaN), not the 0 J their tasks count (a by-group row read ``pi ... 0.00 mJ``).
    ``offered_rates``: each (source, app) pair's mean arrival rate where the scenario fixes it, from
    which the settling warning reads a node's offered load (:mod:`~offloadsim.analysis.offered_load`);
    ``loops``: the pairs closed loops feed, whose nodes the overloaded warning need not name, with
    their users and think times, by which a loop's throughput is its users' pace
    (:func:`~offloadsim.analysis.offered_load.closed_loops`).  ``link_changes``: the run's link
    changes (None: not kept), from which the stalled-link warning reads a link cut to the run's end.
    """
    task_stats = chunked.task_stats if callable(getattr(tasks, "blocks", None)) else _task_stats
    stats = task_stats(tasks, duration_s, end_s)
    tokens = stats["output_tokens_per_s"]
    stats["output_tokens_per_s"] = generated_token_rate(tokens, nodes, duration_s, tasks)
    backlog = stats.pop("backlog")
    share = stats.pop("in_flight_share")
    whole = stats.pop("whole_compute")
    decoders = stats.pop("decode_nodes")
    offered, unknown, closed, mixed = (
        closed_fed(tasks, offered_rates, frozenset(loops or {}))
        if offered_rates is not None and settle_candidates(nodes)
        else ({}, {}, frozenset(), {})
    )
    inputs = WarningInputs(
        tasks,
        nodes,
        duration_s,
        end_s,
        backlog,
        share,
        whole,
        offered,
        unknown,
        links=links,
        processors=processors,
        link_changes=link_changes,
        closed_fed=closed,
        mixed_fed=mixed,
        loops=loops or {},
    )
    said = run_warnings(inputs, decoders)
    node_util, tier_util, tier_max = node_utilisation(nodes)
    down = _node_availability(nodes)
    n_deadline, n_miss = stats["deadline_tasks"], stats["deadline_misses"]
    # The registered metrics: a task column's mean from the task numbers (both paths), else computed.
    run = RunTables(tasks, nodes, links, duration_s, end_s, processors, powered_sources)
    values = {
        metric.name: stats.pop(metric.name) if metric.task_mean is not None else computed(metric, run)
        for metric in registered_metrics()
        if not metric.summary_fields and metric.family is None  # the LLM metrics: among the fields
    }
    families = {metric.name: computed_family(metric, run) for metric in registered_metrics() if metric.keyed}
    fields: dict[str, Any] = {**stats, **_changing_links(links, nodes)}  # Summary fields, by name
    groups = (
        group_stats(tasks, duration_s, end_s, task_stats, node_groups(nodes), group_batteries(nodes))
        if source_groups
        else {}
    )
    scope = BreakdownScope(applications, nodes)
    breakdowns = {
        breakdown.name: _breakdown_numbers(
            breakdown, tasks, duration_s, end_s, task_stats, scope, powered_sources, unpowered_groups
        )
        for breakdown in (registered_breakdowns() if source_groups else ())
    }
    if powered_sources == 0:  # no source draws power: its device energy is not measured, not 0 J
        fields["device_energy_mean_j"] = _NAN
        groups = _energy_unmeasured(groups, None)
    elif unpowered_groups:  # some groups' sources draw no power: theirs is not measured either
        groups = _energy_unmeasured(groups, set(unpowered_groups))
    return Summary(
        duration_s=float(duration_s),
        deadline_miss_rate=n_miss / n_deadline if n_deadline else _NAN,
        throughput_per_s=stats["completed"] / duration_s if duration_s > 0 else _NAN,
        node_utilisation=node_util,
        tier_utilisation=tier_util,
        tier_utilisation_max=tier_max,
        link_utilisation=_link_utilisation(links),
        warnings=tuple(text for text, _ in said),
        warning_facts=tuple(facts for _, facts in said),
        availability=min(down.values(), default=1.0),
        node_availability=down,
        node_drained_at=_node_drained(nodes),
        **_batteries(nodes),
        processors=_processor_entries(processors),
        powered_sources=powered_sources,
        source_groups=groups,
        breakdowns=breakdowns,
        metric_values=values,
        metric_families=families,
        **fields,
    )


def _breakdown_numbers(
    breakdown: Breakdown,
    tasks: Table,
    duration_s: float,
    end_s: float | None,
    task_stats: Callable[[Any, float, float | None], dict[str, Any]],
    scope: BreakdownScope,
    powered_sources: int,
    unpowered_groups: Collection[str],
) -> dict[str, float]:
    """A breakdown's numbers (``<value>.<metric>``) over the tasks of each of its values.

    Its device energy is not measured (NaN) where no source draws power, and for a value some of
    whose tasks came from a group whose sources draw none: it pools their 0 J.
    """
    order, least = breakdown.order(scope)
    found = group_stats(
        tasks,
        duration_s,
        end_s,
        task_stats,
        order,
        column=breakdown.column,
        metrics=breakdown.metrics,
        least=least,
        then=breakdown.then,
    )
    if powered_sources == 0:
        return _energy_unmeasured(found, None)
    if unpowered_groups:
        return _energy_unmeasured(found, values_with(tasks, breakdown.column, GROUP_COLUMN, unpowered_groups))
    return found


def _registered_task_means(tasks: Table, masks: Mapping[str, np.ndarray]) -> dict[str, float]:
    """The registered metrics that are a task column's mean (``task_mean``), over whole columns.

    NaN where no task of those it is over has a value (a run written before the column); the
    chunked path (:func:`offloadsim.analysis.chunked.task_stats`) gives the same floats.
    """
    out: dict[str, float] = {}
    for metric in registered_metrics():
        if metric.task_mean is not None:
            over = masks["completed"] if metric.task_mean.over == "completed" else chunked.spent(masks)
            out[metric.name] = _nanmean(_floats(tasks, metric.task_mean.column)[over])
    return out


def _task_stats(tasks: Table, duration_s: float, end_s: float | None) -> dict[str, Any]:
    """The summary's numbers about tasks from a table in memory, a whole column at a time.

    The definition :func:`offloadsim.analysis.chunked.task_stats` computes
    chunk by chunk, with the same keys.
    """
    masks = _status_masks(tasks)
    done, dropped, failed, flying = (masks[s] for s in ("completed", "dropped", "failed", "in_flight"))
    n_tasks = _rows(tasks)

    latency = _floats(tasks, "latency")[done]
    latency_stats = (_nanmean(latency), *(float(percentile(latency, q)) for q in (50, 95, 99)))
    del latency
    wait_mean = _nanmean(_floats(tasks, "wait")[done])

    # Deadline misses among tasks with a deadline and a known outcome (the chunked summary's definition).
    known, misses = chunked.deadline_outcomes(
        masks, _floats(tasks, "deadline"), _floats(tasks, "deadline_met"), _floats(tasks, "arrival"), end_s
    )
    n_deadline = int(known.sum())
    n_miss = int(misses.sum())
    del known, misses
    bytes_sent = float(np.nansum(_floats(tasks, "bytes_sent"))) if n_tasks else 0.0
    spent = chunked.spent(masks)
    energy_mean = _nanmean(_floats(tasks, "device_energy")[spent])
    other = _floats(tasks, "other_device_energy")[spent]  # NaN: a run written before the column
    other_spent = other > 0.0

    backlog: list[int] | None = None
    share = 0.0
    if end_s is not None and n_tasks and duration_s > 0:
        backlog, share = backlog_counts(tasks, duration_s, end_s, masks)
    retried = _floats(tasks, "retries") > 0  # NaN (no such column) compares False
    return {
        "arrived": n_tasks,
        "retried": int(retried.sum()),
        "recovered": int((retried & done).sum()),
        "completed": int(done.sum()),
        "dropped": int(dropped.sum()),
        "failed": int(failed.sum()),
        "in_flight": int(flying.sum()),
        "latency_mean_s": latency_stats[0],
        "latency_p50_s": latency_stats[1],
        "latency_p95_s": latency_stats[2],
        "latency_p99_s": latency_stats[3],
        "wait_mean_s": wait_mean,
        "deadline_tasks": n_deadline,
        "deadline_misses": n_miss,
        "bytes_sent": bytes_sent,
        "device_energy_mean_j": energy_mean,
        **_registered_task_means(tasks, masks),
        "other_device_energy_j": float(other[other_spent].sum()),
        "other_device_energy_tasks": int(other_spent.sum()),
        **_llm_stats(tasks, done, duration_s),
        "drop_reasons": _drop_reasons(tasks, dropped | failed),
        "column_metrics": _column_metrics(tasks, done),
        "backlog": backlog,
        "in_flight_share": share,
        "whole_compute": _whole_compute(tasks, done),
        "decode_nodes": _decode_nodes(tasks),
    }


def _whole_compute(tasks: Table, done: np.ndarray) -> dict[str, tuple[float, int]]:
    """Placement on one node -> the compute seconds and count of its completed tasks (see below)."""
    whole: dict[str, tuple[float, int]] = {}
    if _has(tasks, "placement") and _has(tasks, "compute_time") and done.any():
        labels, codes = np.unique(_strings(tasks, "placement")[done], return_inverse=True)
        chunked.add_whole_compute(whole, codes, labels.tolist(), _floats(tasks, "compute_time")[done])
    return whole


def _decode_nodes(tasks: Table) -> set[str]:
    """The nodes that decode the run's LLM answers (:func:`chunked.add_decode_nodes`)."""
    nodes: set[str] = set()
    if _has(tasks, "placement") and _has(tasks, "output_tokens"):
        placed = _strings(tasks, "placement")
        codes = np.arange(len(placed))  # each task its own label: no np.unique (it imports numpy.ma)
        chunked.add_decode_nodes(nodes, codes, placed.tolist(), _floats(tasks, "output_tokens"))
    return nodes


def _llm_stats(tasks: Table, done: np.ndarray, duration_s: float) -> dict[str, float]:
    """The LLM metrics of the ``done`` tasks over ``duration_s`` of measured time; NaN: none.

    Time to first token (mean, p50, p95), per output token (mean), the mean decode rate and the
    output token throughput (:mod:`offloadsim.analysis.tokens`).
    """
    ttft = np.where(done, _floats(tasks, "ttft"), _NAN)
    has_ttft = bool(np.isfinite(ttft).any())
    ttft_p50, ttft_p95 = (
        (float(percentile(ttft[np.isfinite(ttft)], q)) for q in (50, 95)) if has_ttft else (_NAN, _NAN)
    )
    tpot = np.where(done, _floats(tasks, "tpot"), _NAN)
    rate = decode_rate(tpot)
    output = float(np.nansum(_floats(tasks, "output_tokens")[done]))
    return {
        "ttft_mean_s": _nanmean(ttft) if has_ttft else _NAN,
        "ttft_p50_s": ttft_p50,
        "ttft_p95_s": ttft_p95,
        "tpot_mean_s": _nanmean(tpot) if np.isfinite(tpot).any() else _NAN,
        "decode_tokens_per_s_mean": _nanmean(rate) if np.isfinite(rate).any() else _NAN,
        "output_tokens_per_s": output_token_rate(output, duration_s) if has_ttft else _NAN,
    }


def llm_metrics(tasks: Table, duration_s: float) -> dict[str, float]:
    """The LLM metrics of one run's metrics row (:func:`metrics_row`), from its task records alone.

    Empty where no LLM request completed, as the row has none then.  For a
    job file written before metrics rows carried them (a sweep resumed over
    older jobs): its records hold ``status``, ``ttft``, ``tpot`` and
    ``output_tokens``; ``duration_s`` is its measured time (:func:`measured_time`).
    """
    stats = _llm_stats(tasks, _status_masks(tasks)["completed"], duration_s)
    served = stats["ttft_mean_s"] == stats["ttft_mean_s"]
    return {name: stats[name] for name in catalogue.LLM_METRICS} if served else {}


def measured_time(metrics: Mapping[str, Any] | pd.Series) -> float:
    """A run's measured time from its metrics row: completed tasks over their throughput; NaN: none.

    A value missing or ``None`` (a job file's JSON for NaN) is not known.

    >>> measured_time({"completed": 30, "throughput_per_s": 0.5}), measured_time({"completed": 0})
    (60.0, nan)
    """
    throughput, completed = (metrics.get(k) for k in ("throughput_per_s", "completed"))
    if throughput is None or completed is None or not throughput > 0:
        return _NAN
    return float(completed) / float(throughput)


_AGGREGATES = {
    "mean": lambda v: _nanmean(v),
    "sum": lambda v: float(np.nansum(v)),
    "p50": lambda v: float(percentile(v, 50)),
    "p95": lambda v: float(percentile(v, 95)),
    "p99": lambda v: float(percentile(v, 99)),
}


def _column_metrics(tasks: Table, done: np.ndarray) -> dict[str, float]:
    """The declared aggregates of record columns, over completed tasks (NaN when none has a value).

    A column no task of the run has a value in (``handovers`` where no
    device moves) has no metrics at all.
    """
    out: dict[str, float] = {}
    for name, (col, aggregate, _) in catalogue.column_metrics().items():
        every = _floats(tasks, col.name)
        if not np.isfinite(every).any():
            continue
        if col.counted_if:
            every = counted(every, _floats(tasks, col.counted_if))
        values = every[done]
        out[name] = _AGGREGATES[aggregate](values) if np.isfinite(values).any() else _NAN
    return out


#: The catalogue's shares of the arrived tasks, each with the count it is of.
_SHARES = {"drop_rate": "dropped", "fail_rate": "failed", "retry_rate": "retried"}


def metrics_row(summary: Summary) -> dict[str, float]:
    """The job-level metrics of one run, in SI units and fractions.

    The catalogue's headline metrics, its LLM metrics where the run served
    LLM requests (:attr:`Summary.served_llm`: a run of a CNN has no such
    columns), other devices' energy per task where a task has some
    (``catalogue.ELSEWHERE_METRICS``), the registered metrics placed there
    (:mod:`offloadsim.analysis.metric_registry`: latency fairness over sources where there are two
    or more), the record-column metrics, then
    the registered metrics placed after them (``row_place="columns"``: the utilisations,
    :mod:`offloadsim.analysis.utilisations`), then the other registered metrics'
    columns (batteries where a node has one, device energy's compute and radio parts where measured, a
    new metric's): one row of a ``metrics.parquet`` table.
    """
    row: dict[str, float] = {}
    for name in catalogue.METRICS:
        if name == "device_energy_mean_j" and summary.powered_sources == 0:  # a summary.json's 0 of before
            row[name] = _NAN
        elif name in _SHARES:
            count = getattr(summary, _SHARES[name])
            row[name] = count / summary.arrived if summary.arrived else _NAN
        else:
            row[name] = getattr(summary, name)
    metrics = registered_metrics()
    # The LLM metrics where LLM requests were served, other devices' energy where a task has some.
    for metric in placed(metrics, "headline", "row_place"):
        row.update(row_of(metric, summary))
    for metric in placed(metrics, "elsewhere", "row_place"):
        row.update(row_of(metric, summary))
    for name, value in summary.column_metrics.items():
        row[name] = float(value)
    for metric in placed(metrics, "columns", "row_place"):  # the utilisations (utilisation_<tier>, ...)
        row.update(row_of(metric, summary))
    for metric in placed(metrics, "end", "row_place"):  # the registered metrics (batteries, energy split)
        row.update(row_of(metric, summary))
    return row


def other_energy_filled(metrics: pd.DataFrame) -> pd.DataFrame:
    """``metrics`` with 0 in a registered ``absent_is_zero`` column where a comparison's run had none.

    A run's metrics row has ``other_device_energy_mean_j`` (other devices' energy per task) only
    where a task has some (:func:`metrics_row`); beside a policy or point that has it, a run whose
    tasks never left their own device then reads 0 (in its mean, CI and Δ), not "-".  A run with
    no task that ended has no mean either way.
    """
    ended = None
    for metric in registered_metrics():
        if not metric.absent_is_zero:
            continue
        for name in metric.present(metrics.columns):
            if ended is None:
                ended = metrics["completed"] + metrics["dropped"] + metrics["failed"] > 0
            metrics.loc[ended & metrics[name].isna(), name] = 0.0
    return metrics


def metrics_every_row_has(nodes: Table | None) -> list[str]:
    """The metrics :func:`metrics_row` gives every run with the nodes table ``nodes``, whatever its tasks.

    The catalogue's headline metrics and the registered metrics' ``required`` columns of
    ``nodes`` (``utilisation_<tier>`` of each tier with a computing node); not the LLM and
    record-column metrics, nor the per-processor utilisations, which a run has or not by what it
    simulated.  A sweep's job file missing one is not reused.
    """
    required = [m.required(nodes) for m in registered_metrics() if m.required is not None]
    return [*catalogue.METRICS, *(name for names in required for name in names)]


def refilled_metrics(nodes: Table | None, processors: Table | None) -> dict[str, float]:
    """The registered metrics' columns a run's nodes and processors tables give (their ``refill``).

    What :func:`metrics_row` gives a run from its summary, for a sweep's job file or a run's
    summary.json written before it did (the per-processor and busiest-node utilisations): such
    files are reused, not run again.
    """
    out: dict[str, float] = {}
    for metric in registered_metrics():
        if metric.refill is not None:
            out.update(metric.refill(nodes, processors))
    return out


def with_refilled(row: Mapping[str, Any], nodes: Table | None, processors: Table | None) -> dict[str, Any]:
    """``row`` (a metrics row read back) with the columns :func:`refilled_metrics` gives that it lacks.

    Each goes where :func:`metrics_row` puts it (before the first of ``row``'s registered metrics
    placed after it), so a resumed sweep's job file from before a registered metric's columns, or an
    older run's summary.json, gives its table the columns in a fresh run's order.
    """
    found = {name: value for name, value in refilled_metrics(nodes, processors).items() if name not in row}
    if not found:
        return dict(row)
    place: dict[str, tuple[int, int]] = {}
    for index, metric in enumerate(registered_metrics()):
        for name in metric.present([*row, *found]):
            place[name] = (ROW_PLACES.index(metric.row_place), index)  # metrics_row's order
    pending = sorted(found, key=place.__getitem__)
    out: dict[str, Any] = {}
    for name, value in row.items():
        at = place.get(name)
        while pending and at is not None and place[pending[0]] < at:
            new = pending.pop(0)
            out[new] = found[new]
        out[name] = value
    out.update((new, found[new]) for new in pending)
    return out


# --------------------------------------------------------------------------- overload

# The warnings' kinds are on the registry, one module each (:mod:`offloadsim.analysis.warning_list`).
_GROUPS_SHOWN = 8  # source groups given a line each in the printed summary


def overload_warnings(
    tasks: Table,
    nodes: Table | None,
    duration_s: float,
    end_s: float | None = None,
    *,
    masks: Mapping[str, np.ndarray] | None = None,
) -> tuple[str, ...]:
    """Signs, read from the records, that a run did not reach a steady state.

    The warnings of every registered kind (:mod:`offloadsim.analysis.warning_list`) but those
    needing the scenario's arrival rates; the shipped ones:

    * The system: the number of (measured) tasks in it rose from each quarter
      of the measured time to the next, by at least 10 in all, and at least 5 %
      of the tasks were still in flight at the end.  A dropped or failed task
      counts as leaving when it was lost (``lost_at``; when it arrived in a table
      without it).  Needs ``end_s``.
    * A node busy at least 99 % of the measured time whose queue of waiting
      stages grew by at least 10 (``queued_at_start`` → ``queued_at_end``).
    * A node that dropped stages because its queue was full (``refused_full``).
    * A node busy at least half of the measured time (per core), short of 99 %, whose measured
      time is under 5 relaxation times of its queue (:func:`~offloadsim.analysis.warning_kinds.
      settling.settling_warnings`; :func:`summarize` given the scenario's arrival rates reads the
      load it offers the node instead).

    A run flagged overloaded (or too short to settle) reports latencies that
    depend on its length: the longer it runs, the longer the queues.
    """
    if not _rows(tasks):
        inputs = WarningInputs(tasks, nodes, duration_s, end_s)
        return tuple(text for text, _ in run_warnings(inputs, set()))
    masks = masks or _status_masks(tasks)
    backlog, share = None, 0.0
    if end_s is not None and duration_s > 0:
        backlog, share = backlog_counts(tasks, duration_s, end_s, masks)
    whole = _whole_compute(tasks, masks["completed"])
    inputs = WarningInputs(tasks, nodes, duration_s, end_s, backlog, share, whole)
    return tuple(text for text, _ in run_warnings(inputs, _decode_nodes(tasks)))


def _drop_reasons(tasks: Table, ended: np.ndarray) -> dict[str, int]:
    """Dropped and failed tasks counted by reason ("unknown" for none), in order of first appearance."""
    if not ended.any():
        return {}
    counts: dict[str, int] = {}
    coded = getattr(tasks, "codes", None)
    if coded is not None and _has(tasks, "reason"):  # the engine's records: count codes, not strings
        codes, labels = coded("reason")
        codes = codes[ended]
        present, first = np.unique(codes, return_index=True)
        tally = np.bincount(codes, minlength=int(present.max()) + 1)
        for code in present[np.argsort(first, kind="stable")]:
            label = labels[code]
            key = label if label else "unknown"
            counts[key] = counts.get(key, 0) + int(tally[code])
        return counts
    if _has(tasks, "reason"):
        reasons = _objects(tasks, "reason")[ended]
    else:
        reasons = np.full(int(ended.sum()), "", dtype=object)
    for reason in reasons:
        key = str(reason) if isinstance(reason, str) and reason else "unknown"
        counts[key] = counts.get(key, 0) + 1
    return counts


def _nanmean(values: np.ndarray) -> float:
    values = values[~np.isnan(values)]
    return float(values.mean()) if values.size else _NAN


def _changing_links(links: Table, nodes: Table) -> dict[str, Any]:
    """Mean capacity, availability and loss of the link directions that changed or lose packets.

    And which of them changed only as an end node went down (``links_down_with_a_node``): a
    direction's availability counts the time it and both its ends were up, so a link to a node
    that failed reads down while the node was, though the link never failed.  One is down with a
    node when it lost no packets, carried its scenario capacity whenever up (its mean capacity is
    that capacity times its availability) and was up as long as the less available of its ends:
    any outage of its own lay within that node's.
    """
    columns = ("capacity", "mean_capacity", "availability", "loss_rate")
    if links is None or _rows(links) == 0 or any(not _has(links, c) for c in columns):
        return {}
    capacity, mean, up, loss = (_floats(links, c) for c in columns)
    changed = (np.abs(mean - capacity) > 1e-9 * capacity) | (up < 1.0) | (loss > 0.0)
    ends = list(zip(_objects(links, "a"), _objects(links, "b"), strict=True))
    names = [f"{a}->{b}" for a, b in ends]
    pick = np.flatnonzero(changed)
    node_up = _node_availability(nodes)
    with_a_node = tuple(
        names[i]
        for i in pick
        if loss[i] == 0.0
        and any(str(end) in node_up for end in ends[i])
        and abs(up[i] - min(node_up.get(str(end), 1.0) for end in ends[i])) <= 1e-9
        and abs(mean[i] - capacity[i] * up[i]) <= 1e-9 * capacity[i]
    )
    return {
        "link_mean_capacity_bps": {names[i]: float(mean[i]) for i in pick},
        "link_availability": {names[i]: float(up[i]) for i in pick},
        "link_loss_rate": {names[i]: float(loss[i]) for i in pick},
        "links_down_with_a_node": with_a_node,
    }


def _node_availability(nodes: Table) -> dict[str, float]:
    """The nodes up less than the whole measured time, and the fraction they were up."""
    if nodes is None or _rows(nodes) == 0 or not _has(nodes, "availability"):
        return {}
    up = _floats(nodes, "availability")
    return {str(name): float(a) for name, a in zip(nodes["node"], up, strict=True) if a < 1.0}


def _node_drained(nodes: Table) -> dict[str, float]:
    """The nodes whose battery ran flat, and when (s)."""
    if nodes is None or _rows(nodes) == 0 or not _has(nodes, "drained_at"):
        return {}
    at = _floats(nodes, "drained_at")
    return {str(name): float(t) for name, t in zip(nodes["node"], at, strict=True) if t == t}


def _batteries(nodes: Table) -> dict[str, Any]:
    """How many nodes have a battery, and the one not flat with the least left (its share of capacity)."""
    if nodes is None or _rows(nodes) == 0 or not _has(nodes, "battery_left"):
        return {}
    left = _floats(nodes, "battery_left")
    names = _objects(nodes, "node")
    powered = ~np.isnan(left)
    flat = ~np.isnan(_floats(nodes, "drained_at")) if _has(nodes, "drained_at") else left <= 0.0
    running = np.flatnonzero(powered & ~flat)
    least: dict[str, float] = {}
    if running.size:
        # The least left, ties to the first name (as the table ranks its other lists).
        i = min(running, key=lambda k: (left[k], str(names[k])))
        least = {str(names[i]): float(left[i])}
    return {"battery_count": int(powered.sum()), "battery_least_left": least}


def _link_utilisation(links: Table) -> dict[str, float]:
    if links is None or _rows(links) == 0 or not _has(links, "utilisation"):
        return {}
    util = _floats(links, "utilisation")
    return {f"{a}->{b}": float(u) for a, b, u in zip(links["a"], links["b"], util, strict=True)}
