"""Nodes and links that fail and come back: on a schedule (``node-schedule``) or at random (``failures``).

.. code-block:: yaml

    dynamics:
      - kind: node-schedule
        node: edge-0                 # a name, a group, a pattern (edge-*), or a list of them
        steps:
          - {at: 30 s, up: false}    # down: its stages are aborted, its links carry nothing
          - {at: 45 s, up: true}
      - kind: node-schedule
        file: outages.csv            # an outage log: time,node,state or node,down,up rows
        start: 2026-03-01T10:00:00Z  # optional: its times are timestamps, this one simulation time 0
        nodes: {edge-host-01: edge-0}  # optional: the log's names of nodes, as the scenario's
      - kind: failures
        nodes: edge-*                # or link: [ap, edge] / link: 0 (every link of links[0])
        mtbf: 60 s                   # time up before each failure: exponential with this mean ...
        mttr: {lognormal: {mean: 5 s, sigma: 0.5}}   # ... or any distribution; time down until repaired
        start: 10 s                  # no failure before this time (default 0 s)

Under ``failures`` every node or link it selects fails on its own: it is up
at ``start``, stays up for a draw of ``mtbf``, down for a draw of ``mttr``,
and so on to the end of the run.  Each draws from its own stream, named by
the entry's stream and the node's (or the link's two ends') name, never by
its position, so adding a node to the pattern leaves the others' failures
as they were.  Times count from the run's start (warm-up included).
"""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from offloadsim.scenario.csvdata import CsvProblem, read_outages
from offloadsim.scenario.distributions import Dist
from offloadsim.scenario.timestamps import timestamp
from offloadsim.world.dynamics.base import (
    NodeChanges,
    NodeStep,
    SetLinkUp,
    SetNodeUp,
    SpecReader,
    WorldChange,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from offloadsim.scenario.outage_window import WindowedLog

__all__ = ["Failures", "NodeSchedule", "OutageLog", "RandomFailures", "UpSchedule"]


@dataclass(frozen=True, slots=True)
class UpSchedule:
    """The nodes a ``node-schedule`` drives and its steps ``(at_s, up)``."""

    nodes: tuple[str, ...]
    steps: tuple[tuple[float, bool], ...]


#: The most memory a row of an outage log takes while it is read (its two changes, their steps and
#: sorting): 1,340 bytes a row of 200,000 rows of node,down,up under tracemalloc.
_LOGGED_ROW_BYTES = 1400


@dataclass(frozen=True, slots=True)
class OutageLog:
    """A ``node-schedule`` read from an outage log (``file``): its nodes' changes, in the order they apply."""

    steps: tuple[NodeStep, ...]
    #: With ``start``, what :func:`~offloadsim.scenario.outage_window.windowed` cut (None: no ``start``).
    window: WindowedLog | None = None


@dataclass(frozen=True, slots=True)
class RandomFailures:
    """What a ``failures`` entry drives: nodes or links (by number, with the names of their ends)."""

    nodes: tuple[str, ...]
    links: tuple[tuple[int, str], ...]  # (link number, "a~b": the name its stream is keyed by)
    mtbf: Dist
    mttr: Dist
    start_s: float


class NodeSchedule:
    """The ``node-schedule`` kind: nodes go down and up at stated times."""

    name = "node-schedule"

    #: When each step takes the nodes down or up, for the ``late-dynamics`` check: a step's, or the
    #: first change of an outage log (its first row's, or its second's where the first is at 0 s).
    change_time_keys = ("steps[].at", "file:time", "file:down")

    def parse(self, entry: SpecReader) -> UpSchedule | OutageLog:
        """Read ``node`` and ``steps`` (each ``{at: TIME, up: BOOL}``, in time order), or ``file``.

        ``file``: an outage log (``time,node,state`` or ``node,down,up`` rows,
        :func:`~offloadsim.scenario.csvdata.read_outages`), which names its nodes itself; with it,
        ``start`` (the timestamp that is simulation time 0: the log's times are timestamps) and
        ``nodes`` (the log's names of nodes, each to a node of the scenario).
        """
        entry.keys(required=(), optional=("node", "steps", "file", "start", "nodes"))
        stated = [key for key in ("node", "steps") if entry.has(key)]
        if entry.has("file"):
            if stated:
                raise entry.fail(stated[0], "not with file: the outage log names its nodes and their times")
            return self._logged(entry)
        for key in ("start", "nodes"):
            if entry.has(key):
                raise entry.fail(key, "only with file: it says how an outage log's rows are read")
        for key in ("node", "steps"):
            if key not in stated:
                raise entry.fail(key, "missing (required, unless file names an outage log)")
        nodes = entry.nodes("node")
        steps: list[tuple[float, bool]] = []
        previous: tuple[SpecReader, float] | None = None
        for step in entry.mappings("steps"):
            step.keys(required=("at", "up"))
            at = step.time_after("at", previous)
            previous = step, at
            steps.append((at, step.boolean("up")))
        return UpSchedule(nodes, tuple(steps))

    @staticmethod
    def _logged(entry: SpecReader) -> OutageLog:
        """The outage log at ``file``, each change of a row a step of its node; a bad row refused there."""
        assert entry.scenario is not None
        epoch = timestamp(entry.entry["start"]) if entry.has("start") else None
        if isinstance(epoch, str):
            raise entry.fail("start", f"{epoch} (the log's timestamp that is simulation time 0)")
        renamed = _log_names(entry) if entry.has("nodes") else None
        path, shown = entry.file("file")
        names = [node.name for node in entry.scenario.nodes]
        try:
            room = entry.room(shown, _LOGGED_ROW_BYTES, "its rows", "outage log")
            logged = read_outages(path, shown, names, room, epoch, renamed)
            window = None
            if epoch is not None:  # imported here: a run with no operator's log builds none
                from offloadsim.scenario.outage_window import windowed

                window = windowed(logged, shown, epoch)
        except CsvProblem as problem:
            raise entry.fail("file", str(problem)) from None
        kept = logged if window is None else window.steps
        return OutageLog(tuple(NodeStep(step.at, step.node, step.up, "file") for step in kept), window)

    def node_changes(self, spec: UpSchedule | OutageLog) -> NodeChanges:
        """Each step on each node, at the step's ``at`` (an outage log's: at its ``file``)."""
        if isinstance(spec, OutageLog):
            return NodeChanges(spec.steps)
        return NodeChanges(
            tuple(
                NodeStep(at, node, up, f"steps[{j}].at")
                for j, (at, up) in enumerate(spec.steps)
                for node in spec.nodes
            )
        )

    def timeline(
        self, spec: UpSchedule | OutageLog, rng: np.random.Generator
    ) -> Iterator[tuple[float, WorldChange]]:
        """Each step on each node (a schedule draws nothing from ``rng``)."""
        if isinstance(spec, OutageLog):
            for step in spec.steps:
                yield step.at, SetNodeUp(step.node, step.up)
            return
        for at, up in spec.steps:
            for node in spec.nodes:
                yield at, SetNodeUp(node, up)


def _log_names(entry: SpecReader) -> dict[str, str]:
    """An outage log's ``nodes``: each name the log gives a node, to the scenario's node it is."""
    below = entry.mapping("nodes")  # refused unless a mapping
    if not below.entry:
        raise entry.fail(
            "nodes", "expected the log's names of nodes, each to the scenario's (host-01: edge-0)"
        )
    return {str(name): below.node(name) for name in below.entry}


class Failures:
    """The ``failures`` kind: nodes or links fail and are repaired after random times (MTBF, MTTR)."""

    name = "failures"
    #: The time before which nothing fails, for the ``late-dynamics`` check ...
    change_time_keys = ("start",)
    #: ... and what a run that ends first misses.
    missed_changes: ClassVar[Mapping[str, str]] = {"start": "nothing fails in the run"}
    #: The keys whose draws set when it changes: draws that round to 0 s nearly always (a mean
    #: above 0 notwithstanding) would stop the clock, and the engine stops such a run naming them.
    stall_keys = ("mtbf", "mttr")

    def parse(self, entry: SpecReader) -> RandomFailures:
        """Read ``nodes`` or ``link``, ``mtbf``, ``mttr`` and the optional ``start``."""
        entry.keys(required=("mtbf", "mttr"), optional=("nodes", "link", "start"))
        if entry.has("nodes") == entry.has("link"):
            raise entry.fail(
                "",
                "expected either nodes (names or patterns) or link, "
                + ("not both" if entry.has("nodes") else "got neither"),
            )
        nodes = entry.nodes("nodes") if entry.has("nodes") else ()
        links: tuple[tuple[int, str], ...] = ()
        if entry.has("link"):
            assert entry.scenario is not None
            specs = entry.scenario.links
            links = tuple((i, f"{specs[i].a}~{specs[i].b}") for i, _ in entry.links("link"))
        mtbf, mttr = (_duration(entry, key) for key in ("mtbf", "mttr"))
        start = entry.quantity("start", "time") if entry.has("start") else 0.0
        return RandomFailures(nodes, links, mtbf, mttr, start)

    def changes(self, spec: RandomFailures, end_s: float) -> tuple[str, float]:
        """About how many failures and repairs there are before ``end_s``, and the shorter time's key."""
        cycle = spec.mtbf.mean + spec.mttr.mean
        targets = len(spec.nodes) + len(spec.links)
        key = "mtbf" if spec.mtbf.mean <= spec.mttr.mean else "mttr"
        return key, 2.0 * targets * max(end_s - spec.start_s, 0.0) / cycle

    def route_links(self, spec: RandomFailures) -> tuple[int, ...]:
        """Its links, which go down and up: what may move a route."""
        return tuple(link for link, _ in spec.links)

    def node_changes(self, spec: RandomFailures) -> NodeChanges:
        """Its nodes, down and up at random (its links: not nodes)."""
        return NodeChanges(random=spec.nodes)

    def timeline(self, spec: RandomFailures, rng: np.random.Generator) -> Iterator[tuple[float, WorldChange]]:
        """Every target's alternating up and down times, merged in time order (endless)."""
        root = rng.integers(0, 2**32, size=4, dtype=np.uint64).tolist()
        lives: list[Iterator[tuple[float, WorldChange]]] = []
        for node in spec.nodes:
            lives.append(_alternate(spec, _own_stream(root, node), partial(SetNodeUp, node)))
        for link, ends in spec.links:
            lives.append(_alternate(spec, _own_stream(root, ends), partial(SetLinkUp, link)))
        return heapq.merge(*lives, key=lambda item: item[0])


def _duration(entry: SpecReader, key: str) -> Dist:
    """A time between events: a plain time is an exponential's mean; a mapping is any distribution."""
    if isinstance(entry.entry[key], dict):
        dist = entry.dist(key, "time")
    else:
        dist = Dist("exponential", (entry.quantity(key, "time", positive=True),))
    if not dist.mean > 0.0:
        raise entry.fail(key, f"expected a mean time above 0 s, got {dist.describe()}")
    return dist


def _own_stream(root: list[int], name: str) -> np.random.Generator:
    """The stream of one target: the entry's stream's first words and the target's name, hashed stably."""
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    words = [int.from_bytes(digest[:4], "little"), int.from_bytes(digest[4:], "little")]
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([*root, *words])))


def _alternate(
    spec: RandomFailures, rng: np.random.Generator, change: Callable[[bool], WorldChange]
) -> Iterator[tuple[float, WorldChange]]:
    """Up for a draw of MTBF, down for a draw of MTTR, and so on, from ``spec.start_s``."""
    up_for, down_for = spec.mtbf.sampler(rng), spec.mttr.sampler(rng)
    at = spec.start_s
    while True:
        at += up_for()
        yield at, change(False)
        at += down_for()
        yield at, change(True)
