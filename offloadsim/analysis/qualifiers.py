"""What bounds or qualifies a table's numbers: one value per run, policy, sweep point or source group.

A number in a table can be other than a plain measurement in three ways: its decodes ran at a
bandwidth ceiling (a bound, ``≥ 79.6 (ceiling)``: :mod:`~offloadsim.analysis.decode_ceiling`),
a prefill computed at a built-in profile's assumed efficiency (``(assumed efficiency)``), or its
runs never reached a steady state (an overload warning: ``†``,
:mod:`~offloadsim.analysis.overload_marks`).  These were once passed to every table formatter one
by one (``ceilings``, ``saturated``, ``assumed``, ``overloaded``), each new one threaded through the
run's, compare's and sweep's tables and the places that build them.  :class:`Qualifiers` holds them
together: built once from what a result keeps (:func:`run_qualifiers`, :func:`policy_qualifiers`,
:func:`point_qualifiers`), and asked by the formatters what a value reads as (:meth:`Qualifiers.cell`,
:meth:`Qualifiers.run_row`) and whether an overload marks a row (:meth:`Qualifiers.overload_marks`).
A new qualifier is a field here, a line in the builders and the text it adds in those two methods.
Which metrics an overload marks is not: each metric's display says so where it is declared
(:attr:`~offloadsim.analysis.metric_display.Metric.overload_marked`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from offloadsim.analysis.decode_ceiling import (
    CEILING_MARK,
    ceiling_bound,
    ceiling_cell,
    efficiency_mark,
    manifest_ceilings,
)
from offloadsim.analysis.metric_display import Metric
from offloadsim.analysis.overload_marks import Overloaded, overload_kinds, overloaded_runs
from offloadsim.field_values import FieldValues

__all__ = [
    "PLAIN",
    "Qualifiers",
    "app_qualifiers",
    "group_qualifiers",
    "point_qualifiers",
    "policy_qualifiers",
    "run_qualifiers",
]


@dataclass(frozen=True, eq=False, repr=False)
class Qualifiers(FieldValues):
    """What bounds or qualifies the numbers of one run, policy, sweep point or source group.

    ``ceilings``: its LLM decodes' bandwidth ceilings (tokens/s; none: measured);
    ``saturated``: a processor decoding at one was busy all the measured time (its output token
    throughput then a bound too); ``assumed``: a prefill computed at a profile's assumed efficiency
    (its times to first token rest on it); ``overloaded``: its runs that never reached a steady state;
    ``overload_groups``: the source groups its overload warnings concern, those whose tasks ran on a
    node they name (:func:`~offloadsim.analysis.group_warned.overload_groups`), None where not known
    (a comparison's, a sweep's, a warning it could not place): every group.
    """

    ceilings: tuple[float, ...] = ()
    saturated: bool = False
    assumed: bool = False
    overloaded: Overloaded | None = None
    overload_groups: frozenset[str] | None = None

    def cell(self, name: str, mean: float, half: float, plain: str) -> str:
        """A compare or sweep cell of metric ``name``: its bound, else ``plain``, and what it rests on.

        >>> Qualifiers((6.07,), assumed=True).cell("ttft_mean_s", 0.3, 0.01, "300 ± 10")
        '300 ± 10 (assumed efficiency)'
        >>> Qualifiers((136.0,)).cell("tpot_mean_s", 0.00737, 1e-6, "7.37 ± 0.00")
        '≥ 7.37 (ceiling)'
        """
        text = ceiling_cell(name, mean, self.ceilings, half, self.saturated, self.assumed) or plain
        mark = efficiency_mark(name, self.ceilings, self.assumed, cell=True)
        return f"{text} {mark}" if mark else text

    def run_row(self, name: str, value: float, plain: str) -> tuple[str, str]:
        """A run's table's value of metric ``name`` (its bound, else ``plain``) and the mark after its unit.

        >>> Qualifiers((13.6,)).run_row("tpot_mean_s", 0.07961, "79.61")
        ('≥ 79.6', ' (bandwidth ceiling)')
        >>> Qualifiers().run_row("tpot_mean_s", 0.07961, "79.61")
        ('79.61', '')
        """
        bound = ceiling_bound(name, value, self.ceilings, self.saturated, self.assumed)
        rests = efficiency_mark(name, self.ceilings, self.assumed)
        return bound or plain, f" {CEILING_MARK}" if bound else f" {rests}" if rests else ""

    def overload_marks(self, metric: Metric, group: str | None = None) -> bool:
        """Whether a metric shown as ``metric`` is marked ``†`` here: an overload, and one it qualifies.

        Which metrics an overload qualifies is said where each is declared (its display's
        ``overload_marked``: the catalogue's latencies, wait and throughput, a registered metric's
        columns), not here.  Of a source ``group``'s row: where the overload concerns that group
        (``overload_groups``; not known: every group).

        >>> latency, sent = Metric("mean latency", "ms", overload_marked=True), Metric("data sent", "MB")
        >>> over = Qualifiers(overloaded=Overloaded(1, 1, ("backlog",)))
        >>> over.overload_marks(latency), PLAIN.overload_marks(latency), over.overload_marks(sent)
        (True, False, False)
        """
        if self.overloaded is None or not metric.overload_marked:
            return False
        return group is None or self.overload_groups is None or group in self.overload_groups

    def warned(self, kinds: Iterable[str]) -> Qualifiers:
        """These qualifiers with a run's overload, where warnings of ``kinds`` say one (else as they are)."""
        said = tuple(overload_kinds(kinds))
        return replace(self, overloaded=Overloaded(1, 1, said)) if said else self


#: The qualifiers of a number nothing bounds or qualifies.
PLAIN = Qualifiers()


def run_qualifiers(
    manifest: Mapping[str, Any],
    warning_kinds: Iterable[str] = (),
    overload_groups: Iterable[str] | None = None,
) -> Qualifiers:
    """A run's qualifiers: from its manifest (its ceilings, saturation, efficiency) and warnings' kinds.

    ``overload_groups``: the source groups its overload warnings concern (None: not known, every one).
    """
    return Qualifiers(
        ceilings=manifest_ceilings([manifest]),
        saturated=manifest.get("decode_saturated") is True,
        assumed=manifest.get("prefill_at_efficiency") is True,
        overload_groups=None if overload_groups is None else frozenset(overload_groups),
    ).warned(warning_kinds)


def policy_qualifiers(
    manifest: Mapping[str, Any], metrics: Any, policies: Sequence[str]
) -> dict[str, Qualifiers]:
    """Each of a comparison's ``policies``' qualifiers, from its manifest and per-run table ``metrics``.

    The manifest's ``policy_decode_ceilings`` (one written before them: every run's ``decode_ceilings``
    for each policy), ``policy_decode_saturated`` and ``policy_prefill_at_efficiency``; the overloaded
    runs from ``metrics``' ``warnings`` (:func:`~offloadsim.analysis.overload_marks.overloaded_runs`).
    """
    kept = manifest.get("policy_decode_ceilings")
    each = (
        {str(k): manifest_ceilings([{"decode_ceilings": v}]) for k, v in kept.items()}
        if isinstance(kept, Mapping)
        else None
    )
    every = manifest_ceilings([manifest])
    saturated, assumed = (
        _listed(manifest.get("policy_decode_saturated")),
        _listed(manifest.get("policy_prefill_at_efficiency")),
    )
    overloaded = overloaded_runs(metrics, "policy")
    return {
        policy: Qualifiers(
            ceilings=tuple(each.get(policy, ())) if each is not None else every,
            saturated=policy in saturated,
            assumed=policy in assumed,
            overloaded=overloaded.get(policy),
        )
        for policy in policies
    }


def point_qualifiers(manifest: Mapping[str, Any], metrics: Any = None) -> dict[str, Qualifiers]:
    """Each sweep point's qualifiers: the manifest's ``point_decode_ceilings`` rows, its overloaded runs.

    Keyed by the point's number as text (``"3"``); a point neither names has none (:data:`PLAIN`).
    """
    kept = manifest.get("point_decode_ceilings", [])
    rows = [row for row in kept if isinstance(row, Mapping)] if isinstance(kept, list) else []
    found = {
        str(row.get("point")): Qualifiers(
            ceilings=manifest_ceilings([{"decode_ceilings": row.get("ceilings")}]),
            saturated=row.get("saturated") is True,
            assumed=row.get("prefill_at_efficiency") is True,
        )
        for row in rows
    }
    for point, over in overloaded_runs(metrics, "point").items():
        found[point] = replace(found.get(point, PLAIN), overloaded=over)
    return found


def group_qualifiers(found: Qualifiers, warned: int | None) -> Qualifiers:
    """A source group's qualifiers in a comparison's or sweep's table of it, from its policy's or point's.

    ``warned``: how many of those runs had a warning concerning the group (``groups.csv``'s ``warned``:
    one naming a node its tasks ran on, its own tasks' backlog, or one that could not be placed,
    counted for every group); None: not known.  Where none did, no overload warning concerned it
    either: its row is not marked ``†``, the rest as they are.

    >>> over = Qualifiers((82.9,), overloaded=Overloaded(2, 2, ("busy_growing",)))
    >>> group_qualifiers(over, 0) == Qualifiers((82.9,)), group_qualifiers(over, 1) is over
    (True, True)
    """
    if warned is None or warned > 0 or found.overloaded is None:
        return found
    return replace(found, overloaded=None)


def app_qualifiers(found: Qualifiers, llm: bool) -> Qualifiers:
    """An application's qualifiers in a comparison's or sweep's table of it, from its policy's or point's.

    ``llm``: whether the application served LLM requests.  A CNN's latency beside an LLM's is no
    bound of a decode ceiling nor rests on a prefill's assumed efficiency: only its overload stays.

    >>> over = Qualifiers((82.9,), assumed=True, overloaded=Overloaded(2, 2, ("busy_growing",)))
    >>> cnn = app_qualifiers(over, False)
    >>> app_qualifiers(over, True) is over, cnn == Qualifiers(overloaded=over.overloaded)
    (True, True)
    """
    return found if llm else replace(found, ceilings=(), saturated=False, assumed=False)


def _listed(kept: Any) -> frozenset[str]:
    """The policies a comparison's manifest list keeps (none: an older one's)."""
    return frozenset(str(policy) for policy in kept) if isinstance(kept, list) else frozenset()
