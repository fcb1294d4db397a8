"""How the stations tables of ``run --dry-run`` say their numbers: aligned columns, one unit each.

Shared by a model's table (:mod:`offloadsim.engine.stations`) and an LLM's
(:mod:`offloadsim.engine.llm_stations`), so that both read alike, with what a hop's row
names of the channels it is sent over (:func:`hop_route`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from offloadsim.world.topology import Topology

__all__ = ["BYTES", "FLOP", "SECONDS", "aligned", "figures", "hop_route", "in_unit", "route_cells"]

#: The units a column of FLOPs, bytes or seconds is said in, largest first: (scale, name).
FLOP = ((1e9, "GFLOP"), (1e6, "MFLOP"), (1e3, "kFLOP"))
BYTES = ((1e6, "MB"), (1e3, "kB"), (1.0, "B"))
SECONDS = ((1.0, "s"), (1e-3, "ms"))


def aligned(rows: Sequence[tuple[str, ...]]) -> list[str]:
    """Each row's cells joined by two spaces, each column as wide as its widest cell (no trailing space)."""
    if not rows:
        return []
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    ]


def in_unit(values: Sequence[float | None], units: Sequence[tuple[float, str]]) -> Callable[[float], str]:
    """How a column says a value: in the largest of ``units`` in which its largest value is 0.1 or more.

    The last unit where none is (the first where there is nothing above 0 to say): one unit per
    column, so that its values compare at a glance.

    >>> in_unit([14080, 1024], FLOP)(1024), in_unit([0.5e9, 1e4], FLOP)(1e4), in_unit([], BYTES)(0)
    ('1.024 kFLOP', '1e-05 GFLOP', '0 MB')
    >>> in_unit([12.5, 0.04], SECONDS)(0.04), in_unit([0.0451], SECONDS)(0.0451)
    ('0.04 s', '45.1 ms')
    """
    largest = max((v for v in values if v is not None), default=0.0)
    scale, name = units[0]
    if largest > 0.0:
        scale, name = next(((s, n) for s, n in units if largest >= 0.1 * s), units[-1])
    return lambda value: f"{figures(value / scale)} {name}"


def figures(value: float) -> str:
    """Four significant figures, as the rest of the world summary prints a quantity."""
    return f"{value:.4g}"


def route_cells(
    route: Sequence[str], links: Sequence[int], latency_s: float, down: Sequence[tuple[str, str]]
) -> tuple[str, str, str]:
    """A sent tensor's route, its link entries and latency, and what is down on it at 0 s, as cells.

    >>> route_cells(("a", "ap", "b"), (0, 1), 0.0035, (("ap", "dynamics[0].steps[0].at"),))
    ('a -> ap -> b', '(links[0], links[1]; 3.5 ms latency)', '(ap down at 0 s: dynamics[0].steps[0].at)')
    """
    return (
        " -> ".join(route),
        f"({', '.join(f'links[{link}]' for link in links)}; {figures(latency_s * 1e3)} ms latency)",
        f"({'; '.join(f'{what} down at 0 s: {path}' for what, path in down)})" if down else "",
    )


def hop_route(
    topology: Topology, source: str, channels: Sequence[int]
) -> tuple[tuple[str, ...], tuple[int, ...], tuple[int, ...]]:
    """The nodes a tensor sent from ``source`` over ``channels`` passes, and the links it crosses.

    The links twice: the topology's (each once, for what is down on them) and the scenario's link
    entries they are of (each once, as the row names them).
    """
    route = (source, *(topology.channel_ends(c)[1] for c in channels))
    crossed = tuple(dict.fromkeys(c // 2 for c in channels))
    return route, crossed, tuple(dict.fromkeys(topology.links[link].index for link in crossed))
