"""``kind: mobility``: devices move among access points and hand over between them.

.. code-block:: yaml

    dynamics:
      - kind: mobility
        devices: phone-*                 # a node, group or pattern: every match a device
        access_points:                   # nodes of the scenario, each with a place and a reach
          - {node: ap-0, position: [100 m, 100 m], radius: 150 m}
          - {node: ap-1, position: [400 m, 100 m], radius: 150 m}
        random_waypoint: {area: [500 m, 200 m], speed: [0.5 m/s, 1.5 m/s], pause: 10 s}
        # or: file: walks.csv            # columns time, node, x, y (relative to the scenario)
        attach: nearest                  # or strongest (needs radio)
        in_flight: continue              # or restart, fail
        update: 1 s                      # positions are sampled this often
        radio: {bandwidth: 20 MHz, transmit_power: 23 dBm, noise: -95 dBm,
                exponent: 3, reference_loss: 40 dB}

Every device must have a link to every access point (``links: [{between:
[phone-*, ap-*], ...}]`` declares them); only the link to the access point
a device is attached to is up.  A device attaches to the best *live*
access point (its node up) whose coverage (a disc of ``radius``) holds it:
the nearest, or the one it receives strongest (``radio`` path loss from each
access point's ``transmit_power``, default the radio's).  It stays there
while it is covered and the access point is up, and hands over when it
leaves coverage; out of every live disc it is cut off (its links down: what
it was sending fails, as under a link that goes down).  When an access point
goes down (a ``node-schedule`` or ``failures`` entry, or a plug-in's), its
devices hand over at once to the best live one still covering them (at their
last sampled place), or to none; when it comes back up, the devices it
covers that rank it first among the live ones hand over to it.  The entry
hears of nodes through :meth:`Topology.on_node_change
<offloadsim.world.topology.Topology.on_node_change>`, registered at its
first sample, and chooses when a sample is applied, not when the timeline
yields it (the engine reads a timeline one item ahead of the clock).  With
``radio``, the attached link's rate follows its length
(:mod:`offloadsim.world.radio`: log-distance path loss and Shannon capacity;
uplink from the radio's transmit power, downlink from the access point's).

Positions are sampled every ``update`` seconds from the run's start: a
device hands over at the first sample outside its coverage (up to ``update``
late) and a link's rate is a step function of the sampled distance.  The
random waypoint model (Johnson and Maltz, "Dynamic Source Routing in Ad Hoc
Wireless Networks", Mobile Computing, 1996; Camp, Boleng and Davies, "A
Survey of Mobility Models for Ad Hoc Network Research", WCMC 2002): each
device starts at a uniform point of the area, walks in a straight line to
another uniform point at a speed uniform in the range, pauses, and again.
Its speed range must start above 0 (Yoon, Liu and Noble, "Random Waypoint
Considered Harmful", INFOCOM 2003: the mean speed otherwise decays to 0).
The starting positions are uniform, not the model's stationary law (which
crowds the middle), so an early window differs a little from a late one;
a warm-up of a few legs hides it.  Each device draws from its own stream,
keyed by its name: adding a device leaves the others' walks alone.

A trace gives, per device, positions at times; between rows a device
moves in a straight line, before the first row it stands at the first
position and after the last at the last.  Coordinates are metres from the
area's corner (non-negative).

What becomes of a transfer in flight at a handover is ``in_flight``:
``continue`` sends its bytes left over the new route, ``restart`` sends them
all again, ``fail`` ends the task (``failed``, with the reason the link's
going down gives: ``<access point> went down`` at a handover its outage
made).  A transfer whose last byte had left is delivered.  One rule for
every handover, whether the device moved or its access point went down or
came up.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from offloadsim.scenario.csvdata import CsvProblem, read_positions
from offloadsim.scenario.errors import describe, first_repeat, given_twice
from offloadsim.scenario.patterns import NodeIndex
from offloadsim.scenario.quantities import FieldProblem, parse_si
from offloadsim.scenario.size import POSITION_ROW_BYTES
from offloadsim.scenario.units import UnitError, parse_quantity
from offloadsim.suggest import did_you_mean_key, did_you_mean_name, quoted, quoted_listing
from offloadsim.world.dynamics.base import LINKS_ONLY, NodeChanges, SpecReader, WorldChange, directed
from offloadsim.world.radio import Radio

if TYPE_CHECKING:
    from offloadsim.world.topology import Topology

__all__ = ["AccessPoint", "Handover", "Mobility", "MobilitySpec", "PositionTrace", "Waypoints"]

ATTACH = ("nearest", "strongest")
IN_FLIGHT = ("continue", "restart", "fail")
_KEYS = ("devices", "access_points", "random_waypoint", "file", "attach", "in_flight", "update", "radio")


@dataclass(frozen=True, slots=True)
class Handover:
    """``device`` drops links ``down`` and attaches by ``up`` (-1: to none); flows fare as ``in_flight``."""

    device: str
    down: tuple[int, ...]
    up: int
    in_flight: str

    def apply(self, topology: Topology) -> None:
        """Move the device's attachment (its flows in flight fare as ``in_flight`` says).

        Its entry holds the links ``down`` down; ``up`` stays down while another entry holds it.
        """
        topology.hand_over(self.device, self.down, self.up, self.in_flight)


@dataclass(frozen=True, slots=True)
class AccessPoint:
    """An access point: its node, place (m), coverage radius (m), transmit power (dBm; None: the radio's)."""

    node: str
    x: float
    y: float
    radius_m: float
    transmit_dbm: float | None


@dataclass(frozen=True, slots=True)
class Waypoints:
    """Random waypoint over ``[0, width] x [0, height]``: speeds uniform in ``[low, high]``, then a pause."""

    width_m: float
    height_m: float
    speed_low: float
    speed_high: float
    pause_s: float


@dataclass(frozen=True, slots=True, eq=False)
class PositionTrace:
    """Each device's ``(times, x, y)`` as read from the file: float64 arrays, never written.

    Arrays, as :func:`read_positions` gives them (8 bytes a number, where tuples of floats took 32),
    and as :class:`_Tracks` interpolates along them.  Equal only to itself (arrays have no one truth
    value to compare by).
    """

    tracks: tuple[tuple[np.ndarray, np.ndarray, np.ndarray], ...]


@dataclass(frozen=True, slots=True)
class MobilitySpec:
    """A parsed ``mobility`` entry; ``links[i][j]`` is device i's link to access point j."""

    devices: tuple[str, ...]
    access_points: tuple[AccessPoint, ...]
    links: tuple[tuple[int, ...], ...]
    uplink_first: tuple[tuple[bool, ...], ...]  # link written device first: its even channel is the uplink
    motion: Waypoints | PositionTrace
    attach: str
    in_flight: str
    update_s: float
    radio: Radio | None


class Mobility:
    """The ``mobility`` kind."""

    name = "mobility"
    hands_over = True  # the engine counts each task's handovers (the ``handovers`` record column)
    #: With a radio, its links' rates follow the devices' distances: no other entry may set them.
    owns_rates = True
    #: The radio's band (Hz), for the ``plain-bandwidths`` check.
    quantity_keys: ClassVar[Mapping[str, tuple[str, ...]]] = {"frequency": ("radio.bandwidth",)}

    def parse(self, entry: SpecReader) -> MobilitySpec:
        """Read the devices, access points, motion, attachment, in-flight rule, update and radio."""
        entry.keys(required=("devices", "access_points", "update"), optional=_KEYS)
        scenario = entry.scenario
        assert scenario is not None
        devices = _devices(entry, scenario)
        points = tuple(_access_point(ap) for ap in entry.mappings("access_points"))
        if (twice := first_repeat(point.node for point in points)) is not None:
            first, again = (describe(points[i].node) for i in twice)
            where = f"here and at access_points[{twice[0]}]"
            raise entry.fail(
                f"access_points[{twice[1]}].node",
                f"{given_twice(first, again)}, {where}: an access point has one place",
            )
        for i, point in enumerate(points):
            if point.node in devices:
                raise entry.fail(
                    f"access_points[{i}].node", f"{quoted(point.node)} is one of the moving devices"
                )
        links, uplink_first = _links(entry, scenario, devices, points)
        if entry.has("random_waypoint") == entry.has("file"):
            raise entry.fail(
                "",
                "expected one of random_waypoint (a model) or file (a trace of positions), "
                + ("not both" if entry.has("file") else "got neither"),
            )
        motion = (
            _waypoints(entry.mapping("random_waypoint"))
            if entry.has("random_waypoint")
            else _trace(entry, devices)
        )
        attach = _choice(entry, "attach", ATTACH)
        in_flight = _choice(entry, "in_flight", IN_FLIGHT)
        update = entry.quantity("update", "time", positive=True)
        radio = _radio(entry.mapping("radio")) if entry.has("radio") else None
        if attach == "strongest" and radio is None:
            raise entry.fail("attach", "strongest ranks access points by received power: give radio: {...}")
        return MobilitySpec(devices, points, links, uplink_first, motion, attach, in_flight, update, radio)

    def changes(self, spec: MobilitySpec, end_s: float) -> tuple[str, float]:
        """How many position samples come before ``end_s`` (each yields), and the key setting how often.

        Or, where more, the random waypoint legs its devices walk before ``end_s``: a sample
        computes every leg since the last one, so a tiny ``area`` crossed at a high ``speed`` is as
        much work as so many samples, and a leg shorter than the clock resolves never ends.
        """
        samples = end_s / spec.update_s + 1.0
        if isinstance(spec.motion, Waypoints):
            legs = len(spec.devices) * waypoint_legs(spec.motion, end_s)
            if legs > samples:
                return "random_waypoint.speed", legs
        return "update", samples

    def rate_keys(self, spec: MobilitySpec) -> dict[int, str]:
        """With ``radio``, both channels of every link of a device to an access point; else none."""
        if spec.radio is None:
            return {}
        return {channel: "radio" for row in spec.links for link in row for channel in directed(link, True)}

    def moved_devices(self, spec: MobilitySpec) -> dict[str, str]:
        """Every device it moves, each at ``devices``: no other entry may move one (see rates.py)."""
        return dict.fromkeys(spec.devices, "devices")

    def placed_nodes(self, spec: MobilitySpec) -> dict[str, str]:
        """Every access point, at the key giving its node: it stands where ``position`` says all run.

        Its coverage is a disc about that place, so no entry may move it (see rates.py).
        """
        return {point.node: f"access_points[{j}].node" for j, point in enumerate(spec.access_points)}

    def route_links(self, spec: MobilitySpec) -> tuple[int, ...]:
        """Every link of a device to an access point: it holds down those the device is not attached to."""
        return tuple(link for row in spec.links for link in row)

    def node_changes(self, spec: MobilitySpec) -> NodeChanges:
        """None: it changes links only, so the ``servers-down`` check holds with it."""
        return LINKS_ONLY

    def timeline(self, spec: MobilitySpec, rng: np.random.Generator) -> Iterator[tuple[float, WorldChange]]:
        """Every ``update`` s, the devices' positions: applied, they hand over and re-rate (see _Attachments).

        The positions and each access point's rank come from the walk alone; they,
        and which access points are up, are read when a sample is applied, since
        the engine reads a timeline one item ahead of the clock (see _Sample).
        """
        points = spec.access_points
        ax = np.array([p.x for p in points])
        ay = np.array([p.y for p in points])
        radius = np.array([p.radius_m for p in points])
        radio = spec.radio
        state = _Attachments(spec)
        position = (
            _Walkers(spec.motion, spec.devices, rng)
            if isinstance(spec.motion, Waypoints)
            else _Tracks(spec.motion)
        )

        def place(t: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            """The devices' distances to the access points at ``t``, which cover them, how each ranks."""
            x, y = position.at(t)
            distance = np.hypot(x[:, None] - ax[None, :], y[:, None] - ay[None, :])
            covered = distance <= radius[None, :]
            score = np.full(distance.shape, -np.inf)
            if state.ap_power is not None and spec.attach == "strongest":
                assert radio is not None
                # Only where covered: the radio's logarithms go one value at a time (see radio.py).
                near, point = np.nonzero(covered)
                score[near, point] = radio.received_dbm(distance[near, point], 0.0) + state.ap_power[point]
            else:
                score[covered] = -distance[covered]
            return distance, covered, score

        t = 0.0
        step = 0
        while True:
            yield t, _Sample(state, functools.partial(place, t))
            if t >= position.end_s:
                return  # every device stands still from here on
            step += 1
            t = step * spec.update_s  # no drift from adding a step again and again


class _Attachments:
    """One run's attachments: each device's access point, its last sampled place, its link's rates.

    A device is attached to a *live* access point (its node up) that covers it,
    or to none.  At each sample it stays while its access point is live and
    covers it, else takes the best live one covering it (nearest, or
    strongest).  Between samples it follows the access points' nodes, heard
    through :meth:`Topology.on_node_change <offloadsim.world.topology.Topology.on_node_change>`
    (registered at the first sample, so its handovers are this entry's holds):
    an access point going down hands its devices to the best live one still
    covering them at their last sampled place, or to none; one coming up takes
    the devices it covers that rank it first among the live ones, as at the
    start of the run.  Each handover is a :class:`Handover` as at a sample, so
    what was in flight fares as ``in_flight`` says.
    """

    def __init__(self, spec: MobilitySpec):
        self.spec = spec
        points = spec.access_points
        self.index = {point.node: j for j, point in enumerate(points)}
        self.links = np.array(spec.links, dtype=np.int64)
        n = len(spec.devices)
        self.rows = np.arange(n)
        radio = spec.radio
        self.ap_power = (
            np.array([radio.transmit_dbm if p.transmit_dbm is None else p.transmit_dbm for p in points])
            if radio is not None
            else None
        )
        self.attached = np.full(n, -1, dtype=np.int64)
        self.rates = np.full((n, 2), np.nan)
        self.live = np.ones(len(points), dtype=bool)
        self.distance = np.empty((0, 0))
        self.covered = np.empty((0, 0), dtype=bool)
        self.score = np.empty((0, 0))
        self.topology: Topology | None = None

    def sample(
        self, topology: Topology, distance: np.ndarray, covered: np.ndarray, score: np.ndarray
    ) -> None:
        """The devices at their places now: hand over those that must, then re-rate the attached links."""
        first = self.topology is None
        if first:
            self.topology = topology
            self.live = np.array([topology.node_up(point.node) for point in self.spec.access_points])
            topology.on_node_change(self.node_changed)
        self.distance, self.covered, self.score = distance, covered, score
        attached, rows = self.attached, self.rows
        usable = covered & self.live[None, :]
        current = np.where(attached >= 0, attached, 0)
        stay = (attached >= 0) & usable[rows, current]
        chosen = np.where(stay, attached, self._best(usable))
        self._move(topology, chosen, first)
        self._rate(topology, np.flatnonzero(self.attached >= 0))

    def node_changed(self, node: str, up: bool) -> None:
        """A node went down or came up: if an access point, its devices move (see the class)."""
        j = self.index.get(node)
        if j is None:
            return
        self.live[j] = up
        topology = self.topology
        assert topology is not None  # registered at the first sample
        attached = self.attached
        usable = self.covered & self.live[None, :]
        best = self._best(usable)
        # Up: it takes those that rank it first; down: its own go to their best live one, or none.
        chosen = np.where(best == j, j, attached) if up else np.where(attached == j, best, attached)
        moved = self._move(topology, chosen, False)
        self._rate(topology, moved[self.attached[moved] >= 0])

    def _best(self, usable: np.ndarray) -> np.ndarray:
        """Each device's best access point among ``usable`` ones (-1: none)."""
        ranked = np.where(usable, self.score, -np.inf)
        best = np.argmax(ranked, axis=1)
        return np.where(usable[self.rows, best], best, -1)

    def _move(self, topology: Topology, chosen: np.ndarray, first: bool) -> np.ndarray:
        """Hand over each device whose access point ``chosen`` differs (all at the first); those moved."""
        attached, links, spec = self.attached, self.links, self.spec
        moved = np.flatnonzero((chosen != attached) | first)
        for i in moved.tolist():
            old, new = int(attached[i]), int(chosen[i])
            if first:
                down = tuple(int(link) for j, link in enumerate(links[i]) if j != new)
            else:
                down = (int(links[i, old]),) if old >= 0 else ()
            up = int(links[i, new]) if new >= 0 else -1
            Handover(spec.devices[i], down, up, spec.in_flight).apply(topology)
        self.rates[moved] = np.nan  # a rate is its link's: the new one is set even if it is the same
        self.attached = chosen
        return moved

    def _rate(self, topology: Topology, on: np.ndarray) -> None:
        """With a radio: re-rate the links of the attached devices ``on`` whose rates moved with distance."""
        radio, ap_power = self.spec.radio, self.ap_power
        if radio is None or ap_power is None:
            return
        ap = self.attached[on]
        length = self.distance[on, ap]
        # Up (the radio's power) and down (the access point's) in one call: one pass over the values.
        sent = np.concatenate([np.full(len(on), radio.transmit_dbm), ap_power[ap]])
        fresh = radio.rate_bps(np.concatenate([length, length]), sent).reshape(2, -1).T
        rates = self.rates
        changed = np.any(fresh != rates[on], axis=1)
        for k in np.flatnonzero(changed).tolist():
            i, j = int(on[k]), int(ap[k])
            link = int(self.links[i, j])
            ahead = self.spec.uplink_first[i][j]
            up_channel, down_channel = directed(link, ahead)
            topology.set_capacity(up_channel, float(fresh[k, 0]))
            topology.set_capacity(down_channel, float(fresh[k, 1]))
        rates[on] = fresh
        rates[self.attached < 0] = np.nan


class _Sample:
    """The devices' places at one sample: applied, the attachments follow them (see _Attachments).

    The places are found when the sample is applied, not when the timeline
    yields it: the engine reads a timeline one item ahead of the clock, and a
    walker reaches a sample by walking every leg since the one before, so a
    sample due past the run's end (``update: 1e6 s`` in a run of 5 s) walked a
    million legs the run never used.  Samples apply in time order, as walkers ask.
    """

    __slots__ = ("place", "state")

    def __init__(self, state: _Attachments, place: Callable[[], tuple[np.ndarray, np.ndarray, np.ndarray]]):
        self.state = state
        self.place = place

    def apply(self, topology: Topology) -> None:
        """Hand over the devices that must, from the access points up now, and re-rate their links."""
        self.state.sample(topology, *self.place())


class _Walkers:
    """Random waypoint walkers, one stream each, keyed by device name."""

    end_s = math.inf  # walkers never stop

    def __init__(self, model: Waypoints, devices: tuple[str, ...], rng: np.random.Generator):
        self.model = model
        root = int(rng.integers(1 << 62))
        self.streams = [
            np.random.Generator(np.random.PCG64(np.random.SeedSequence(root, spawn_key=tuple(name.encode()))))
            for name in devices
        ]
        n = len(devices)
        self.x0, self.y0 = np.empty(n), np.empty(n)
        self.x1, self.y1 = np.empty(n), np.empty(n)
        self.depart, self.arrive, self.leave = np.zeros(n), np.zeros(n), np.zeros(n)
        for i, stream in enumerate(self.streams):
            self.x1[i], self.y1[i] = stream.uniform(0.0, model.width_m), stream.uniform(0.0, model.height_m)
            self._leg(i, 0.0)

    def _leg(self, i: int, now: float) -> None:
        """Device i leaves its waypoint at ``now`` for a fresh one."""
        model, stream = self.model, self.streams[i]
        self.x0[i], self.y0[i] = self.x1[i], self.y1[i]
        self.x1[i], self.y1[i] = stream.uniform(0.0, model.width_m), stream.uniform(0.0, model.height_m)
        speed = stream.uniform(model.speed_low, model.speed_high)
        self.depart[i] = now
        self.arrive[i] = now + float(np.hypot(self.x1[i] - self.x0[i], self.y1[i] - self.y0[i])) / speed
        self.leave[i] = self.arrive[i] + model.pause_s

    def at(self, t: float) -> tuple[np.ndarray, np.ndarray]:
        """Every device's position at ``t`` (times asked never go back)."""
        for i in np.flatnonzero(self.leave <= t).tolist():
            while self.leave[i] <= t:
                self._leg(i, float(self.leave[i]))
        span = self.arrive - self.depart
        done = np.divide(t - self.depart, span, out=np.ones_like(span), where=span > 0.0)
        done = np.clip(done, 0.0, 1.0)
        return self.x0 + (self.x1 - self.x0) * done, self.y0 + (self.y1 - self.y0) * done


class _Tracks:
    """Positions interpolated along each device's trace."""

    def __init__(self, trace: PositionTrace):
        self.tracks = [(np.asarray(t), np.asarray(x), np.asarray(y)) for t, x, y in trace.tracks]
        self.end_s = max(times[-1] for times, _, _ in self.tracks)  # all stand still from here

    def at(self, t: float) -> tuple[np.ndarray, np.ndarray]:
        """Every device's position at ``t``."""
        x = np.array([np.interp(t, times, xs) for times, xs, _ in self.tracks])
        y = np.array([np.interp(t, times, ys) for times, _, ys in self.tracks])
        return x, y


def _devices(entry: SpecReader, scenario: Any) -> tuple[str, ...]:
    value = entry.entry["devices"]
    if not isinstance(value, str) or not value:
        raise entry.fail(
            "devices", f"expected a node name, group or pattern like phone-*, got {describe(value)}"
        )
    groups: dict[str, list[str]] = {}
    for node in scenario.nodes:
        groups.setdefault(node.group, []).append(node.name)
    index = NodeIndex(groups)
    names = index.match(value)
    if not names:
        raise entry.fail("devices", index.no_match(value))
    tiers = {node.name: node.tier for node in scenario.nodes}
    for name in names:
        if tiers[name] != "device":
            raise entry.fail(
                "devices", f"{quoted(name)} is not a device (tier {tiers[name]}); only devices move"
            )
    return tuple(names)


def _access_point(ap: SpecReader) -> AccessPoint:
    ap.keys(required=("node", "position", "radius"), optional=("transmit_power",))
    node = ap.node("node")
    x, y = _pair(ap, "position", "length")
    radius = ap.quantity("radius", "length", positive=True)
    power = _level(ap, "transmit_power") if ap.has("transmit_power") else None
    return AccessPoint(node, x, y, radius, power)


def _links(
    entry: SpecReader, scenario: Any, devices: tuple[str, ...], points: tuple[AccessPoint, ...]
) -> tuple[tuple[tuple[int, ...], ...], tuple[tuple[bool, ...], ...]]:
    """Each device's link to each access point (and whether it is written device first)."""
    found: dict[tuple[str, str], tuple[int, bool]] = {}
    for i, link in enumerate(scenario.links):
        found.setdefault((link.a, link.b), (i, True))
        found.setdefault((link.b, link.a), (i, False))
    links, firsts = [], []
    for device in devices:
        row, first = [], []
        for j, point in enumerate(points):
            hit = found.get((device, point.node))
            if hit is None:
                raise entry.fail(
                    f"access_points[{j}].node",
                    f"no link joins {quoted(device)} and {quoted(point.node)}; declare one from "
                    "every device to every access point (links: [{between: [DEVICES, ACCESS POINTS], ...}])",
                )
            row.append(hit[0])
            first.append(hit[1])
        links.append(tuple(row))
        firsts.append(tuple(first))
    return tuple(links), tuple(firsts)


def waypoint_legs(model: Waypoints, end_s: float) -> float:
    """About how many legs one random waypoint walker starts before ``end_s``.

    A leg takes its pause and its length over its speed.  Its length is at least the gap
    between two uniform points along the area's longer side, whose mean is a third of that side
    (and at most its diagonal over the square root of 6, under 1.8 times as much), and its speed
    is uniform in ``[low, high]``, so the mean of 1 / speed is ``ln(high / low) / (high - low)``.
    Walks of 200 s measured 0.95 to 1.6 times as many legs as this says (a leg took 12 to 14 us).
    """
    low, high = model.speed_low, model.speed_high
    per_speed = math.log(high / low) / (high - low) if high > low else 1.0 / low
    leg_s = model.pause_s + max(model.width_m, model.height_m) / 3.0 * per_speed
    return end_s / leg_s + 1.0


def _waypoints(model: SpecReader) -> Waypoints:
    model.keys(required=("area", "speed"), optional=("pause",))
    width, height = _pair(model, "area", "length", positive=True)
    value = model.entry["speed"]
    if isinstance(value, list):
        low, high = _pair(model, "speed", "velocity", positive=True)
        if high < low:
            message = f"expected [low, high] with low <= high, got low {low:g} m/s above high {high:g} m/s"
            raise model.fail("speed", message)
    else:
        low = high = model.quantity("speed", "velocity", positive=True)
    pause = model.quantity("pause", "time") if model.has("pause") else 0.0
    return Waypoints(width, height, low, high, pause)


def _trace(entry: SpecReader, devices: tuple[str, ...]) -> PositionTrace:
    path, shown = entry.file("file")
    try:
        rows = read_positions(path, shown, entry.room(shown, POSITION_ROW_BYTES, "their positions", "file"))
    except CsvProblem as problem:
        raise entry.fail("file", str(problem)) from None
    for node, (line, *_) in rows.items():
        if node not in devices:
            moving = f"{quoted_listing(devices, 5)}{did_you_mean_name(node, devices)}"
            message = f"{shown}, line {line}: {quoted(node)} is not one of the devices it moves: {moving}"
            raise entry.fail("file", message)
    missing = [device for device in devices if device not in rows]
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise entry.fail("file", f"{shown}: no positions for {quoted(missing[0])}{more}")
    return PositionTrace(tuple(rows[device][1:] for device in devices))


def _radio(radio: SpecReader) -> Radio:
    radio.keys(
        required=("bandwidth", "transmit_power", "noise", "exponent", "reference_loss"),
        optional=("reference_distance",),
    )
    bandwidth = radio.quantity("bandwidth", "frequency", positive=True)
    exponent = radio.quantity("exponent", "number", positive=True)
    reference = (
        radio.quantity("reference_distance", "length", positive=True)
        if radio.has("reference_distance")
        else 1.0
    )
    return Radio(
        bandwidth,
        _level(radio, "transmit_power"),
        _level(radio, "noise"),
        exponent,
        _decibels(radio, "reference_loss"),
        reference,
    )


def _choice(entry: SpecReader, key: str, choices: tuple[str, ...]) -> str:
    if not entry.has(key):
        return choices[0]
    value = entry.entry[key]
    if value not in choices:
        hint = did_you_mean_key(value, choices) if isinstance(value, str) else ""
        raise entry.fail(key, f"expected one of {', '.join(choices)}, got {describe(value)}{hint}")
    return str(value)


def _pair(entry: SpecReader, key: str, kind: str, positive: bool = False) -> tuple[float, float]:
    value = entry.entry[key]
    if not isinstance(value, list) or len(value) != 2:
        raise entry.fail(key, f"expected a pair [a, b], got {describe(value)}")
    try:
        a, b = (parse_si(item, kind, positive=positive, subpath=f"[{i}]") for i, item in enumerate(value))
    except FieldProblem as problem:
        raise entry.fail(key + problem.subpath, problem.message) from None
    return a, b


def _signed(entry: SpecReader, key: str, kind: str) -> float:
    """``key`` as a quantity that may be negative (a level in dBm, a ratio in dB)."""
    try:
        return parse_quantity(entry.entry[key], kind)
    except UnitError as error:
        raise entry.fail(key, str(error)) from None


def _level(entry: SpecReader, key: str) -> float:
    return _signed(entry, key, "level")


def _decibels(entry: SpecReader, key: str) -> float:
    return _signed(entry, key, "gain")
