"""The figure kinds of ``offloadsim plot``, each registered here, and the kinds other distributions add.

A new kind is one module (its drawing function) and one :class:`FigureKind` in :data:`SHIPPED`, or,
from another distribution, an entry point of the group ``offloadsim.figure_kinds`` naming its
``FigureKind``.  The command line lists them when it builds its parser, which must not pull in
matplotlib for every command: this module imports no plotting library (each kind's drawing
function is imported when it draws).
"""

from __future__ import annotations

from collections.abc import Iterator

from offloadsim.plots.kind_registry import FigureKind, register_kind, registered_kind, registered_kinds
from offloadsim.plugins import NamedPlugins

__all__ = [
    "ENTRY_POINT_GROUP",
    "KINDS",
    "QUANTITY_AXES",
    "SHIPPED",
    "KindNames",
    "figure_kind",
    "figure_kinds",
    "kind_names",
    "kinds_taking",
]


#: offloadsim's own kinds, in the order ``--help`` lists them.
SHIPPED = (
    FigureKind(
        "cdf",
        "each series' latency distribution (or --metric's task column)",
        "offloadsim.plots.figure_kinds.cdf:figure",
        quantity_axes="xy",
        options=frozenset({"metric", "by", "facet", "logx"}),
        metric_in_name=True,
        drawn_tasks=True,
        option_notes={
            "metric": "the task column whose distribution is drawn, e.g. ttft or tpot (default latency)"
        },
    ),
    FigureKind(
        "bars",
        "a metric's mean per series, with its 95 % CI",
        "offloadsim.plots.figure_kinds.bars:figure",
        quantity_axes="y",
        options=frozenset({"metric", "by", "facet", "logy"}),
        metric_in_name=True,
        records="job",
        default_metric="latency_p95_s",
        option_notes={"logy": "drawn as dots"},
        intervals="error bars",
        drawn_values={"y": "metric"},
    ),
    FigureKind(
        "sweep",
        "a metric against a swept key",
        "offloadsim.plots.figure_kinds.sweep:figure",
        quantity_axes="xy",
        results=("sweep",),
        options=frozenset({"metric", "x", "by", "facet", "logx", "logy"}),
        metric_in_name=True,
        records="job",
        intervals="bands",
        drawn_values={"y": "metric"},
    ),
    FigureKind(
        "split",
        "the split point chosen against a swept key",
        "offloadsim.plots.figure_kinds.split:figure",
        quantity_axes="xy",
        results=("sweep",),
        options=frozenset({"x", "by", "facet", "logx"}),
        intervals="bands",
        interval_of="mean split per run",
        drawn_tasks=True,
    ),
    FigureKind(
        "energy",
        "device energy against latency per series",
        "offloadsim.plots.figure_kinds.energy:figure",
        quantity_axes="xy",
        options=frozenset({"x", "by", "facet", "logx", "logy"}),
        records="job",
        intervals="error bars",
        drawn_values={"x": "latency_mean_s", "y": "device_energy_mean_j"},
    ),
    FigureKind(
        "utilisation",
        "each node's (or processor's) utilisation per series",
        "offloadsim.plots.figure_kinds.utilisation:figure",
        quantity_axes="y",
        options=frozenset({"by", "facet"}),
        records="node",
        intervals="error bars",
    ),
    FigureKind(
        "utilisation-time",
        "one run's compute load over time, per tier or placement",
        "offloadsim.plots.figure_kinds.utilisation_time:figure",
        quantity_axes="xy",
        options=frozenset({"by", "facet"}),
        option_notes={"by": "tier or placement (default tier)"},
        one_run=True,
        method=(
            "estimated from task records: each task's compute spread over its start–finish interval\n"
            "(smoothed; overlapping queued tasks can read above 100 %); exact busy time: the nodes table"
        ),
        method_stages=(
            "exact from stage records: each compute stage holds one core of its node from start to end\n"
            "(tasks that arrived in the warm-up have none)"
        ),
    ),
    FigureKind(
        "timeline",
        "one run's first tasks, stage by stage",
        "offloadsim.plots.figure_kinds.timeline:figure",
        quantity_axes="x",
        options=frozenset({"facet", "from_s", "to_s"}),
        why_not={"by": "its bars are coloured by stage"},
        one_run=True,
        # Without it, a task's upload, compute and result return read as happening in the order drawn.
        method=(
            "from task records: a task's totals drawn end to end from its arrival "
            "(transfer, queue, compute),\n"
            "not when each happened; a run made with --stages draws every stage where and when it ran"
        ),
    ),
    FigureKind(
        "latency-time",
        "latency (or --metric) over time in bins, a line per policy",
        "offloadsim.plots.latency_time:figure_with_tables",
        quantity_axes="xy",
        results=("run", "compare"),
        options=frozenset({"metric", "bin_s", "from_s", "to_s"}),
        option_notes={"metric": "one drawn over time in bins (default latency_p50_s)"},
        why_not={
            **dict.fromkeys(("x", "by", "facet"), "a line per policy"),
            "sweep": "compare the configurations you want over time with `offloadsim compare`, "
            "or draw the sweep with {kind:sweep}",
        },
        metric_in_name=True,
    ),
    FigureKind(
        "battery-time",
        "the fleet's battery charge left over time and how many ran flat, a panel per policy",
        "offloadsim.plots.battery_time:figure_with_tables",
        quantity_axes="xy",
        results=("run", "compare"),
        why_not={
            **dict.fromkeys(("x", "by", "facet"), "a panel per policy"),
            "sweep": "compare the configurations you want with `offloadsim compare` and draw that",
        },
        method=(
            "rebuilt from the records: idle and down draw from up and down times, each task's device energy\n"
            "spread over its life; each curve ends at the run's battery left and drained_at"
        ),
        intervals="bands",
    ),
)

for _kind in SHIPPED:
    register_kind(_kind)

#: The names of offloadsim's own kinds (:func:`kind_names` adds the registered and plug-in ones).
KINDS = tuple(kind.name for kind in SHIPPED)

#: The axes of each shipped kind that measure a quantity (:attr:`FigureKind.quantity_axes`).
QUANTITY_AXES = {kind.name: kind.quantity_axes for kind in SHIPPED}

#: The entry-point group other distributions declare figure kinds in (each a ``FigureKind`` named
#: as its entry).
ENTRY_POINT_GROUP = "offloadsim.figure_kinds"


#: The front end of the registry: the kinds other distributions declare, read on the first look-up in
#: each process.
_FRONT = NamedPlugins(
    ENTRY_POINT_GROUP, "figure kind", FigureKind, register_kind, registered_kinds, registered_kind
)
PLUGINS = _FRONT.group


def figure_kinds() -> tuple[FigureKind, ...]:
    """Every kind: the shipped ones in their order, then those registered or declared by plug-ins."""
    return _FRONT.all()


def figure_kind(name: str) -> FigureKind | None:
    """The kind called ``name``, or None."""
    return _FRONT.named(name)


def kind_names() -> tuple[str, ...]:
    """The names ``--kind`` takes, in :func:`figure_kinds`' order."""
    return tuple(kind.name for kind in figure_kinds())


def kinds_taking(option: str) -> tuple[str, ...]:
    """The names of the kinds that take ``option`` (a keyword of ``plot_results``: ``metric``, ``from_s``)."""
    return tuple(kind.name for kind in figure_kinds() if kind.takes(option))


class KindNames:
    """``--kind``'s choices, read from the registry when argparse looks (a plug-in's are read then).

    Building the parser reads no entry point: only a ``--kind`` given, or ``--help``, does.
    """

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and figure_kind(name) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(kind_names())

    def __len__(self) -> int:
        return len(kind_names())
