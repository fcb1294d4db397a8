"""What a timed change to the world is: the kinds' protocol, the changes they emit, and a spec reader.

A *kind* (``link-schedule``, and those plug-ins add) reads its scenario
entry once, when the world is built (:meth:`DynamicsKind.parse`, with a
:class:`SpecReader` that names the file's key path in every error), and
turns it into a timeline of ``(time, change)`` for each run
(:meth:`DynamicsKind.timeline`, handed the run's own random stream).  A
change is applied to the run's topology; the engine's one process applies
them in time order (:mod:`offloadsim.engine.dynamics`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from offloadsim.globs import is_glob
from offloadsim.scenario.csvdata import Room
from offloadsim.scenario.errors import KeyPathError, describe, key_path
from offloadsim.scenario.patterns import NodeIndex
from offloadsim.scenario.quantities import FieldProblem, parse_dist, parse_si
from offloadsim.scenario.refusal import rows_refusal
from offloadsim.scenario.size import Footprint
from offloadsim.suggest import did_you_mean_key, did_you_mean_name, quoted, quoted_listing

if TYPE_CHECKING:
    import numpy as np

    from offloadsim.scenario.distributions import Dist
    from offloadsim.scenario.model import LinkSpec, Scenario
    from offloadsim.world.topology import Topology

__all__ = [
    "Dynamics",
    "DynamicsError",
    "DynamicsKind",
    "LINKS_ONLY",
    "LINK_SETTINGS",
    "MAX_CHANGES",
    "LinkSettings",
    "NodeChanges",
    "NodeStep",
    "SetCapacity",
    "SetLatency",
    "SetLinkUp",
    "SetLoss",
    "SetNodeUp",
    "SpecReader",
    "WorldChange",
    "directed",
    "rated",
]


class DynamicsError(KeyPathError):
    """A ``dynamics`` entry is wrong at ``key_path`` (``dynamics[0].steps[1].at``), saying ``message``."""


class WorldChange(Protocol):
    """One change to a run's world, applied at its time."""

    def apply(self, topology: Topology) -> None:
        """Make the change on the run's topology (its listeners update the link model and caches)."""
        ...


@dataclass(frozen=True, slots=True)
class SetCapacity:
    """A directed channel's capacity becomes ``bps`` (flows in flight are re-rated)."""

    channel: int
    bps: float

    def apply(self, topology: Topology) -> None:
        """Set the capacity."""
        topology.set_capacity(self.channel, self.bps)


@dataclass(frozen=True, slots=True)
class SetLoss:
    """A directed channel's packet loss probability becomes ``probability`` (recorded per link)."""

    channel: int
    probability: float

    def apply(self, topology: Topology) -> None:
        """Set the loss probability."""
        topology.set_loss(self.channel, self.probability)


@dataclass(frozen=True, slots=True)
class SetLatency:
    """A link's propagation latency becomes ``seconds`` (for transfers that start from now on)."""

    link: int
    seconds: float

    def apply(self, topology: Topology) -> None:
        """Set the latency."""
        topology.set_latency(self.link, self.seconds)


@dataclass(frozen=True, slots=True)
class SetLinkUp:
    """A link goes down (flows crossing it are aborted, routes avoid it) or comes back up."""

    link: int
    up: bool

    def apply(self, topology: Topology) -> None:
        """Take the link down or up."""
        topology.set_link_up(self.link, self.up)


@dataclass(frozen=True, slots=True)
class SetNodeUp:
    """A node goes down (its links carry nothing; its processor refuses work) or comes back up."""

    node: str
    up: bool

    def apply(self, topology: Topology) -> None:
        """Take the node down or up."""
        topology.set_node_up(self.node, self.up)


def _no_link(a: str, b: str, links: Sequence[LinkSpec], names: Sequence[str]) -> str:
    """Why ``[a, b]`` names no link: an end that is no node (a pattern, a typo), or what ``a`` links to."""
    known = set(names)
    for end in (a, b):
        if end in known:
            continue
        if is_glob(end):
            return (
                f"{quoted(end)} is a pattern, not a node: name two nodes [A, B], "
                "or give the number of the links[] entry (all its links)"
            )
        hint = did_you_mean_name(end, names)
        return f"{quoted(end)} is not a node{hint}; expected two nodes [A, B] that a link joins"
    near = sorted({link.b if link.a == a else link.a for link in links if a in (link.a, link.b)})
    shown = quoted_listing(near, limit=5)
    return f"no link joins {quoted(a)} and {quoted(b)} ({quoted(a)} is linked to {shown or 'no node'})"


def directed(link: int, forward: bool) -> tuple[int, int]:
    """Link ``link``'s channels ``(A→B, B→A)``, A and B as a ``link`` key named them.

    ``forward``: named the scenario's way round (:meth:`SpecReader.links`).
    """
    return (2 * link, 2 * link + 1) if forward else (2 * link + 1, 2 * link)


#: What a kind may set on a link, by its scenario name: (the :class:`LinkSettings` field, kind of quantity).
LINK_SETTINGS = {
    "bandwidth": ("forward_bps", "bandwidth"),
    "reverse_bandwidth": ("reverse_bps", "bandwidth"),
    "latency": ("latency_s", "time"),
    "loss": ("loss", "number"),
}


@dataclass(frozen=True, slots=True)
class LinkSettings:
    """What a change sets on a link (None: unchanged): rates A→B and B→A, latency, loss (each way)."""

    forward_bps: float | None = None
    reverse_bps: float | None = None
    latency_s: float | None = None
    loss: float | None = None

    @classmethod
    def named(cls, values: Mapping[str, float]) -> LinkSettings:
        """From values keyed by their scenario names (``bandwidth``, ``reverse_bandwidth``, ...).

        >>> LinkSettings.named({"bandwidth": 5e6, "loss": 0.01})
        LinkSettings(forward_bps=5000000.0, reverse_bps=None, latency_s=None, loss=0.01)
        """
        return cls(**{LINK_SETTINGS[key][0]: value for key, value in values.items()})

    def given(self) -> list[str]:
        """The scenario names of what these settings set."""
        return [key for key, (name, _) in LINK_SETTINGS.items() if getattr(self, name) is not None]

    def changes(self, links: tuple[tuple[int, bool], ...]) -> Iterator[SetCapacity | SetLatency | SetLoss]:
        """The changes that set these values on each of ``links`` (as :meth:`SpecReader.links` gives them)."""
        for link, forward in links:
            ahead, back = directed(link, forward)
            if self.forward_bps is not None:
                yield SetCapacity(ahead, self.forward_bps)
            if self.reverse_bps is not None:
                yield SetCapacity(back, self.reverse_bps)
            if self.latency_s is not None:
                yield SetLatency(link, self.latency_s)
            if self.loss is not None:
                yield SetLoss(ahead, self.loss)
                yield SetLoss(back, self.loss)


def rated(settings: LinkSettings, links: tuple[tuple[int, bool], ...], key: str) -> dict[int, str]:
    """The channels whose rate ``settings`` set on ``links``, each with ``key`` (a kind's ``rate_keys``).

    >>> rated(LinkSettings(forward_bps=1.0, latency_s=0.1), ((3, False),), "link")
    {7: 'link'}
    """
    return {change.channel: key for change in settings.changes(links) if isinstance(change, SetCapacity)}


#: Timeline items one dynamics entry may yield in a run.  An item costs the engine 10 to 30 us
#: (a looped trace and ``failures``, measured with ``offloadsim run`` on two cores), so this is
#: about an hour of computing; more (a ``mtbf: 1 ns``, a trace looped every nanosecond) would make
#: a run that never ends in practice, or, below the clock's resolution, truly never ends.
MAX_CHANGES = 10**8


@dataclass(frozen=True, slots=True)
class NodeStep:
    """An entry takes ``node`` down (``up`` false) or brings it up at ``at`` s, as its ``key`` says.

    ``key``: the key path below the entry (``steps[2].at``), named in a warning about the step.
    """

    at: float
    node: str
    up: bool
    key: str


@dataclass(frozen=True, slots=True)
class NodeChanges:
    """What one entry does to nodes, known before the run (a kind's ``node_changes(spec)``).

    ``steps``: nodes it takes down or up at stated times; ``random``: nodes it takes down or up
    at times drawn in the run.  Nodes in neither it leaves alone.
    """

    steps: tuple[NodeStep, ...] = ()
    random: tuple[str, ...] = ()


#: What a kind that changes links only says of its entries' nodes: it never takes one down or up.
LINKS_ONLY = NodeChanges()


class DynamicsKind(Protocol):
    """A kind of timed change: one module and one :func:`~offloadsim.world.dynamics.register_dynamics`.

    A kind whose timeline is endless may also define ``changes(spec, end_s) -> (key, count)``:
    about how many items its timeline yields before ``end_s``, and the entry's key that sets how
    often (one its ``parse`` declared with ``entry.keys``: :meth:`SpecReader.other_fields`); an entry
    above :data:`MAX_CHANGES` is refused before it runs.

    A kind may also define ``node_changes(spec) -> NodeChanges``: which nodes an entry takes down
    or up, and when (:data:`LINKS_ONLY` for a kind that never does).  The ``servers-down`` check
    reads it before the run (:mod:`~offloadsim.world.dynamics.outages`); a scenario with an entry
    of a kind that does not define it is not checked, as what it does to nodes is not known.

    A kind may also define ``route_links(spec) -> tuple[int, ...]``: the links (numbers, as
    :class:`~offloadsim.world.topology.Route` channels ``// 2``) whose state or latency an entry
    changes, which may move a route (a rate change never does).  The ``nearest-tie`` note reads a
    built-in kind's: a policy's nearest node may not be the one it names while such a change holds;
    a built-in kind without it leaves routes alone, and a plug-in kind's entries may change them.

    A kind whose entries hold a latency (or another time surely under a second), a link's
    bandwidth or a frequency may also define ``quantity_keys``: for each such quantity of
    :data:`~offloadsim.scenario.plain_numbers.QUANTITIES`, the keys below the entry that hold
    it, ``[]`` standing for every item of a list (``{"latency": ("steps[].latency",)}``,
    :func:`~offloadsim.scenario.errors.key_pattern`), or, for a key that names a CSV file, the
    key, ``:`` and the file's column (``link-trace``: ``{"latency": ("file:latency",), ...}``,
    :func:`~offloadsim.scenario.errors.key_place`).  The ``plain-latencies`` check warns of a
    bare number of 1 or more at a latency (seconds, surely meant as ms), ``plain-bandwidths`` of
    one above 0 and below 10,000 at a bandwidth (bit/s, surely meant as Mbit/s) or a frequency
    (Hz, surely meant as MHz), a column at its first such cell; a kind without it has no key
    they read.

    A kind whose entries change the world at stated times may also define ``change_time_keys``:
    the keys that hold those times (from the run's start, warm-up included), in the same notation
    (``("steps[].at",)``; ``failures``: ``("start",)``, the time before which nothing fails;
    ``link-trace``: ``("file:time",)``, its file's first change after 0 s).  The
    ``late-dynamics`` check warns of an entry's first such time at or after the run's end: an
    item of a list, that "the run never reaches this step" ("or those after it" where every later
    one of its list is late too), another key, that "the run never reaches this change", unless
    the kind's ``missed_changes`` (``{"start": "nothing fails in the run"}``) says in its own
    words, by key, what the run misses.  A kind without it has no time the check reads.  A fixed
    plan's stations table (``run --dry-run``) names by them the change that holds a link or node
    down at 0 s (the entry alone where none, or several, of its times are at 0 s).  A kind one of
    whose keys, when an entry gives it, starts each run at its own drawn point of the entry's
    changes (``link-trace``'s ``offset: random``) names it in ``random_start_keys``: the stated
    times are then not a run's, and neither check reads such an entry.

    A kind that sets links' rates defines ``rate_keys(spec)``: the directed channels whose rate an
    entry sets, each with the key of the entry that puts it there (``link``, :func:`rated`); one
    whose rates follow its own state (``mobility``'s radio) also sets ``owns_rates``, and another
    entry setting one of them is refused; two other entries setting one are refused too, unless
    both are of one kind that sets ``merges_rates`` (``link-schedule``: the steps of both act as one
    schedule's) (:mod:`~offloadsim.world.dynamics.rates`).  One that moves devices (``mobility``)
    defines ``moved_devices(spec)``: each device an entry moves, with the key that names it
    (``devices``); two entries moving one device are refused.  One that places nodes where they
    stand still (``mobility``'s access points) defines ``placed_nodes(spec)`` alike; one that another
    entry moves is refused.  A plug-in's are checked
    (:func:`~offloadsim.world.dynamics.rates.check_declared`) and then read as a built-in's; a
    plug-in declaring none is not checked.
    """

    name: str

    def parse(self, entry: SpecReader) -> Any:
        """Validate the entry (raising through ``entry.fail``) and return its spec (immutable)."""
        ...

    def timeline(self, spec: Any, rng: np.random.Generator) -> Iterator[tuple[float, WorldChange]]:
        """The changes of one run in time order (times in s from the run's start, warm-up included).

        May be endless (a random process): it is read lazily, up to the run's end.
        """
        ...


@dataclass(frozen=True, slots=True)
class Dynamics:
    """One parsed ``dynamics[index]`` entry of the world."""

    index: int
    kind: DynamicsKind
    spec: Any

    def timeline(self, rng: np.random.Generator) -> Iterator[tuple[float, WorldChange]]:
        """The changes of this entry for one run."""
        return self.kind.timeline(self.spec, rng)


class SpecReader:
    """Reads one mapping of a ``dynamics`` entry, naming its key path in every error.

    >>> from offloadsim.scenario.model import Scenario, PolicySpec
    >>> reader = SpecReader({"at": "2 s"}, "dynamics[0].steps[1]", None)
    >>> reader.quantity("at", "time")
    2.0
    """

    def __init__(self, entry: Any, path: str, scenario: Scenario | None, read: tuple[str, ...] = ()):
        """``read``: keys of the mapping its caller took out before (a ``dynamics`` entry's ``kind``).

        They are listed first among the keys an unknown key's message says the mapping takes.
        """
        if not isinstance(entry, Mapping):
            raise DynamicsError(path, f"expected a mapping, got {describe(entry)}")
        self.entry = entry
        self.path = path
        self.scenario = scenario
        self.read = read
        self.fields: tuple[str, ...] | None = None  # the keys :meth:`keys` declared, given or not
        self._below: dict[str, SpecReader] = {}  # each nested mapping :meth:`mapping` read, by its key

    def fail(self, key: str, message: str, also: tuple[str, ...] = ()) -> DynamicsError:
        """An error at ``key`` of this mapping (raise it): a key, or a key path below it (``points[0].node``).

        An empty ``key``: the mapping itself (an unknown key, which the message quotes).
        ``also``: other key paths (whole) the error is about, for the ``--set`` behind one to be named.
        """
        where = (self.path + (key if key.startswith("[") else f".{key}")) if key else self.path
        return DynamicsError(where, message, also)

    def time_after(self, key: str, previous: tuple[SpecReader, float] | None) -> float:
        """``key`` as a time not before the previous step's (``previous``: its reader and time).

        A step's times must not decrease; one out of order is refused at its ``key``, naming the
        previous step's too (a ``--set`` of either may have put it out of order).
        """
        at = self.quantity(key, "time")
        if previous is not None and at < previous[1]:
            before, then = previous
            message = f"{at:g} s comes before the previous step's {then:g} s"
            raise self.fail(key, message, also=(key_path(before.path, key),))
        return at

    def keys(self, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> None:
        """Refuse unknown keys (with a did-you-mean) and missing required ones.

        An unknown key is reported at this mapping, as the scenario's others are:
        ``dynamics[0]: unknown key "stpes" (did you mean "steps"?); expected one of kind, node, steps``.
        """
        allowed = tuple(dict.fromkeys((*required, *optional)))  # a key both required and optional: once
        self.fields = allowed
        # The kind decides the keys: a --set of it that made a key unknown or missing is named.
        kind = (key_path(self.path, "kind"),) if "kind" in self.read else ()
        for key in self.entry:
            if key not in allowed:
                hint = did_you_mean_key(str(key), allowed)
                listed = ", ".join(dict.fromkeys((*self.read, *allowed)))
                raise self.fail("", f"unknown key {quoted(key)}{hint}; expected one of {listed}", also=kind)
        for key in required:
            if key not in self.entry:
                raise self.fail(key, "missing (required)", also=kind)

    def has(self, key: str) -> bool:
        """True when the mapping gives ``key``."""
        return key in self.entry

    def quantity(self, key: str, kind: str, *, positive: bool = False) -> float:
        """``key`` as a non-negative SI float of ``kind`` (a unit string like ``5 Mbps`` or a number)."""
        try:
            return parse_si(self.entry[key], kind, positive=positive)
        except FieldProblem as problem:
            raise self.fail(key + problem.subpath, problem.message) from None

    def boolean(self, key: str) -> bool:
        """``key`` as true or false."""
        value = self.entry[key]
        if not isinstance(value, bool):
            raise self.fail(key, f"expected true or false, got {describe(value)}")
        return value

    def mappings(self, key: str) -> list[SpecReader]:
        """``key`` as a non-empty list of mappings, each read with its own path (``key[i]``)."""
        value = self.entry[key]
        if not isinstance(value, list) or not value:
            raise self.fail(key, f"expected a non-empty list, got {describe(value)}")
        within = key_path(self.path, key)  # joined once, not once a step of a long schedule
        return [SpecReader(item, f"{within}[{i}]", self.scenario) for i, item in enumerate(value)]

    def file(self, key: str) -> tuple[Path, str]:
        """``key`` as a file path relative to the scenario's folder: ``(path, as written)``.

        The run's inputs hash it (a ``dynamics`` entry's ``file`` key, see
        :mod:`offloadsim.scenario.input_hashes`).
        """
        value = self.entry[key]
        if not isinstance(value, str) or not value:
            raise self.fail(key, f"expected a file path, got {describe(value)}")
        folder = self.scenario.base_dir if self.scenario is not None else ""
        return (Path(folder) if folder else Path()) / value, value

    def room(self, shown: str, row_bytes: float, holding: str, table: str) -> Room:
        """What a reader of the table ``shown`` asks before reading its rows: their refusal, or None.

        :func:`~offloadsim.scenario.refusal.rows_refusal` of rows of ``row_bytes`` each beside what
        the scenario holds as far as it is known (its footprint, else a run's least).
        """
        footprint = self.scenario.footprint if self.scenario is not None else Footprint()
        return lambda rows: rows_refusal(footprint, rows, shown, row_bytes, holding, table)

    def link_settings(self) -> LinkSettings:
        """The :data:`LINK_SETTINGS` this mapping gives (a loss is a probability from 0 to 1)."""
        return LinkSettings.named(
            {
                key: self.fraction(key) if key == "loss" else self.quantity(key, kind)
                for key, (_, kind) in LINK_SETTINGS.items()
                if self.has(key)
            }
        )

    def mapping(self, key: str) -> SpecReader:
        """``key`` as a mapping, read with its own path (``path.key``)."""
        below = SpecReader(self.entry[key], key_path(self.path, key), self.scenario)
        self._below[key] = below
        return below

    def other_fields(self, key: str) -> tuple[str, ...] | None:
        """The keys ``key`` (a key path below this mapping: ``every``, ``good.mean``) is none of, or None.

        None where it names a key :meth:`keys` declared (an optional one its entry left out too),
        and below it, in a mapping read with :meth:`mapping`, one that mapping declared; and where
        that is not known: a mapping that declared no keys, a key path into a list (``steps[2].at``:
        its list's key is checked) or into a mapping read otherwise.  Else the keys declared where
        ``key`` left them, as paths from this mapping (``good.mean``, ``good.bandwidth``, ...).

        >>> reader = SpecReader({"every": "1 s"}, "dynamics[0]", None)
        >>> reader.keys(required=("every",), optional=("start",))
        >>> reader.other_fields("start"), reader.other_fields("evrey")
        (None, ('every', 'start'))
        """
        if self.fields is None or not key:
            return None
        head, dot, rest = key.partition(".")
        name = head.partition("[")[0]
        if name not in self.fields:
            return self.fields
        below = self._below.get(name)
        if not dot or name != head or below is None:
            return None
        others = below.other_fields(rest)
        return None if others is None else tuple(f"{name}.{field}" for field in others)

    def fraction(self, key: str) -> float:
        """``key`` as a number in [0, 1] (a probability)."""
        value = self.entry[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
            raise self.fail(key, f"expected a number from 0 to 1, got {describe(value)}")
        return float(value)

    def links(self, key: str) -> tuple[tuple[int, bool], ...]:
        """The links ``key`` names, as ``(link number, written the scenario's way round)``.

        An integer ``i`` names every link of the scenario's ``links[i]`` entry;
        ``[A, B]`` names the link between nodes A and B (A→B is "forward").
        """
        assert self.scenario is not None
        value = self.entry[key]
        links = self.scenario.links
        if isinstance(value, int) and not isinstance(value, bool):
            found = tuple((i, True) for i, link in enumerate(links) if link.index == value)
            if not found:
                entries = 1 + max((link.index for link in links), default=-1)
                raise self.fail(
                    key, f"no links[{value}] entry; the scenario has {entries} (0 to {entries - 1})"
                )
            return found
        if isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value):
            a, b = value
            for i, link in enumerate(links):
                if (link.a, link.b) == (a, b):
                    return ((i, True),)
                if (link.a, link.b) == (b, a):
                    return ((i, False),)
            raise self.fail(key, _no_link(a, b, links, [node.name for node in self.scenario.nodes]))
        raise self.fail(
            key, f"expected a links[] entry number or two node names [A, B], got {describe(value)}"
        )

    def node(self, key: str) -> str:
        """``key`` as the name of a node of the scenario."""
        assert self.scenario is not None
        value = self.entry[key]
        names = [node.name for node in self.scenario.nodes]
        if not isinstance(value, str) or value not in names:
            hint = did_you_mean_name(str(value), names) if isinstance(value, str) else ""
            raise self.fail(key, f"expected the name of a node, got {describe(value)}{hint}")
        return value

    def nodes(self, key: str) -> tuple[str, ...]:
        """``key`` as the nodes it selects: a name, group or glob (``edge-*``), or a list of them.

        Nodes come back once each, in the scenario's order; a pattern that
        selects nothing is an error.
        """
        assert self.scenario is not None
        value = self.entry[key]
        patterns = value if isinstance(value, list) else [value]
        if not patterns or not all(isinstance(p, str) and p for p in patterns):
            expected = "a node name or pattern (edge-*), or a list of them"
            raise self.fail(key, f"expected {expected}, got {describe(value)}")
        groups: dict[str, list[str]] = {}
        for node in self.scenario.nodes:
            groups.setdefault(node.group, []).append(node.name)
        index = NodeIndex(groups)
        chosen: set[str] = set()
        for i, pattern in enumerate(patterns):
            found = index.match(pattern)
            if not found:
                raise self.fail(key if value is pattern else f"{key}[{i}]", index.no_match(pattern))
            chosen.update(found)
        return tuple(name for name in index.names if name in chosen)

    def dist(self, key: str, kind: str) -> Dist:
        """``key`` as a distribution of ``kind`` values (a scalar: deterministic; ``{KIND: ARGS}``).

        An empirical file's samples are counted beside what the scenario holds (as :meth:`room`).
        """
        folder = self.scenario.base_dir if self.scenario is not None else ""
        base = Path(folder) if folder else Path()
        footprint = self.scenario.footprint if self.scenario is not None else None
        try:
            return parse_dist(self.entry[key], kind, base, footprint)
        except FieldProblem as problem:
            raise self.fail(key + problem.subpath, problem.message) from None
