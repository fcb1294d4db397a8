"""Where to cut a model: the split algorithms as pure functions of plain numbers and graphs.

Nothing here knows about the engine or a view.  Each function takes per-layer
times, the bytes crossing each cut and link figures, and answers with the
best cut(s) and their cost.  The cost model is the engine's (the pieces it
shares with the engine are in :mod:`offloadsim.policies.costs`): the layers
of a chain run in segments in order, empty segments are skipped, a tensor
is sent whenever the next non-empty segment runs elsewhere (the raw input
when the first one is off the device), and the output is returned to the
device.  A tensor crossing an inner cut under an activation codec
(:class:`CutCodec`) travels smaller, and the sender pays its encoding and
the receiver its decoding as compute.

Two objectives:

* ``"latency"``: seconds from arrival to the output back on the device,
  compute + queueing wait + transfers (route latency + bytes × 8 / bandwidth)
  + encoding and decoding.
* ``"energy"``: joules the *device* adds above its idle draw (see
  :class:`~offloadsim.policies.device_energy.DeviceEnergy`): ``busy - idle`` × its
  compute time (encoding included), ``transmit - idle`` × its sending time,
  ``receive - idle`` × its receiving time (bytes × 8 / bandwidth, route
  latency excluded, as the engine counts it), and the radio tail:
  ``transmit - idle`` for ``tail`` after the output arrives, and after the
  upload for ``min(tail, gap)``, the gap being the time until the output's
  first byte reaches the device, a route latency after it leaves the server
  (the next activity cuts the tail short); and ``transmit_j_per_bit`` per bit
  it sends, ``receive_j_per_bit`` per bit it receives (the bits on the wire,
  after a codec: :meth:`~offloadsim.policies.device_energy.DeviceEnergy.bits_j`).

The tests hold a brute-force twin of each optimiser (``tests/policies/split_oracles.py``)
that tries every answer with :func:`plan_cost`; they check that the two always
agree, and that :func:`plan_cost` is what the engine measures on an idle system.
An infinite (or NaN) time means "cannot run there" under either objective.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np

from offloadsim.models.graph import INPUT, OUTPUT
from offloadsim.policies.costs import Codec, codec_cost
from offloadsim.policies.device_energy import DeviceEnergy, heard_after_s
from offloadsim.suggest import counted, quoted

if TYPE_CHECKING:  # networkx is imported where a graph is cut: every run loads this module, few cut
    import networkx as nx

__all__ = [
    "Objective",
    "PairValues",
    "DevicePower",
    "CutCodec",
    "plan_cost",
    "single_cut_costs",
    "best_single_cut",
    "best_station_cuts",
    "best_two_cuts",
    "dads_min_cut",
    "partition_cost",
]

Objective = Literal["latency", "energy"]
PairValues = float | Sequence[Sequence[float]] | np.ndarray
"""One number for every pair of stations, or a matrix (row: from, column: to)."""
_INF = math.inf


class DevicePower(Protocol):
    """The device's power draw by state, in watts (a ``PowerSpec`` satisfies it).

    ``idle_w`` and ``tail_s`` are read when present (default 0); a
    :class:`~offloadsim.policies.device_energy.DeviceEnergy` is taken as it is.
    """

    @property
    def busy_w(self) -> float:
        """Draw while computing."""
        ...

    @property
    def transmit_w(self) -> float:
        """Draw while sending."""
        ...

    @property
    def receive_w(self) -> float:
        """Draw while receiving."""
        ...


@dataclass(frozen=True, slots=True)
class CutCodec:
    """An activation codec at inner cuts, priced per station.

    ``size_factor`` is the wire bytes per raw byte; ``encode_s_per_byte[j]``
    and ``decode_s_per_byte[j]`` the seconds station ``j`` spends per raw
    byte to encode (as the sender) and decode (as the receiver).  The input
    (cut 0) and the output (cut ``L``) are never compressed.

    >>> from offloadsim.policies.costs import CODECS
    >>> CutCodec.of(CODECS["int8"], [1e9, 1e12])
    CutCodec(size_factor=0.25, encode_s_per_byte=(1e-09, 1e-12), decode_s_per_byte=(5e-10, 5e-13))
    """

    size_factor: float
    encode_s_per_byte: tuple[float, ...]
    decode_s_per_byte: tuple[float, ...]

    @classmethod
    def of(
        cls, codec: Codec | None, station_flops: Sequence[float], dtype_bytes: float = 4.0
    ) -> CutCodec | None:
        """The codec's price on stations of these speeds (None when it does nothing at this precision)."""
        if codec is None or codec.bytes_per_element >= dtype_bytes:
            return None
        per_byte = [codec_cost(1.0, codec, flops, flops, dtype_bytes) for flops in station_flops]
        return cls(per_byte[0][0], tuple(p[1] for p in per_byte), tuple(p[2] for p in per_byte))


# --- small helpers ---------------------------------------------------------------------


def _check_objective(objective: str, power: DevicePower | None) -> DeviceEnergy | None:
    if objective not in ("latency", "energy"):
        raise ValueError(f'objective must be "latency" or "energy", got {quoted(objective)}')
    if objective == "energy":
        if power is None:
            raise ValueError('objective "energy" needs the device\'s power (busy_w, transmit_w, receive_w)')
        return DeviceEnergy.of(power)
    return None


def _finite_or_inf(x: float) -> float:
    return _INF if x != x else float(x)


def _send_s(size_bytes: float, bandwidth_bps: float) -> float:
    """Seconds to push ``size_bytes`` at ``bandwidth_bps`` (no latency); inf on a dead link."""
    if size_bytes <= 0.0:
        return 0.0
    if not bandwidth_bps > 0.0:  # zero or NaN
        return _INF
    return 8.0 * size_bytes / bandwidth_bps


def _times(values: Sequence[float] | np.ndarray, layers: int, what: str) -> list[float]:
    out = [_finite_or_inf(float(v)) for v in values]
    if len(out) != layers:
        got = counted(len(out), "entry", "entries")
        raise ValueError(f"{what} has {got}, expected one per layer ({layers})")
    return out


def _matrix(value: PairValues, stations: int, what: str) -> np.ndarray:
    """A stations × stations matrix (row: from, column: to) from a scalar or a nested sequence."""
    array = np.asarray(value, dtype=np.float64)
    if array.ndim == 0:
        return np.full((stations, stations), float(array))
    if array.shape != (stations, stations):
        raise ValueError(
            f"{what} must be a number or a {stations}x{stations} matrix, got shape {array.shape}"
        )
    return array


def _weighted(cost: float, watts: float) -> float:
    """``watts × cost``, keeping "cannot" (inf) infinite even when nothing is drawn."""
    return _INF if math.isinf(cost) else watts * cost


# --- chains: any number of stations --------------------------------------------------


class _Pricing:
    """The steps of a plan over stations ``0..S-1`` (station 0 the device), and their prices.

    :meth:`run`, :meth:`move` and :meth:`back` price one step.  Under the
    latency objective a price is seconds.  Under the energy objective it is
    the device's joules above idle plus ``gap_w`` × the step's seconds
    between the upload leaving the device and the output's first byte
    reaching it
    (``gap_w = 0``: the device's joules alone); the optimisers use the
    second form to price the radio tail exactly (see :func:`best_station_cuts`).
    """

    def __init__(
        self,
        station_times: Sequence[Sequence[float]],
        cut_bytes: Sequence[float],
        bandwidth_bps: PairValues,
        latency_s: PairValues,
        objective: Objective,
        power: DevicePower | None,
        wait_s: Sequence[float] | None,
        codec: CutCodec | None,
    ):
        self.energy = _check_objective(objective, power)
        self.stations = len(station_times)
        if self.stations < 1:
            raise ValueError("need at least one station (the device)")
        self.layers = len(cut_bytes) - 1
        self.times = [_times(t, self.layers, f"station_times[{j}]") for j, t in enumerate(station_times)]
        self.sizes = [float(b) for b in cut_bytes]
        self.bw = _matrix(bandwidth_bps, self.stations, "bandwidth_bps").tolist()
        self.lat = _matrix(latency_s, self.stations, "latency_s").tolist()
        self.waits = [float(w) for w in wait_s] if wait_s is not None else [0.0] * self.stations
        if len(self.waits) != self.stations:
            raise ValueError(f"wait_s needs one entry per station ({self.stations})")
        if codec is not None and (
            len(codec.encode_s_per_byte) != self.stations or len(codec.decode_s_per_byte) != self.stations
        ):
            raise ValueError(
                f"codec needs encode and decode seconds per byte for each of {self.stations} stations"
            )
        self.codec = codec

    def wire_bytes(self, cut: int) -> float:
        """The bytes the tensor at ``cut`` puts on the wire (smaller under a codec at an inner cut)."""
        size = self.sizes[cut]
        codec = self.codec
        if codec is None or not 0 < cut < self.layers:
            return size
        return size * codec.size_factor

    def transfer(self, a: int, b: int, cut: int) -> tuple[float, float, float]:
        """``(encode s on a, send s, decode s on b)`` of the tensor at ``cut`` moving from ``a`` to ``b``."""
        size = self.sizes[cut]
        codec = self.codec
        if codec is None or not 0 < cut < self.layers:
            return 0.0, _send_s(size, self.bw[a][b]), 0.0
        return (
            size * codec.encode_s_per_byte[a],
            _send_s(size * codec.size_factor, self.bw[a][b]),
            size * codec.decode_s_per_byte[b],
        )

    def run(self, station: int, seconds: float, gap_w: float = 0.0) -> float:
        """Price of computing ``seconds`` on ``station``."""
        energy = self.energy
        if energy is None:
            return seconds
        if station == 0:
            return _weighted(seconds, energy.busy_w)
        return _weighted(seconds, gap_w)

    def move(self, a: int, b: int, cut: int, gap_w: float = 0.0) -> float:
        """Price of sending the tensor at ``cut`` from station ``a`` to ``b`` (``b`` then runs)."""
        encode, send, decode = self.transfer(a, b, cut)
        after = self.lat[a][b] + self.waits[b] + decode  # from the last byte leaving to b computing
        energy = self.energy
        if energy is None:
            return encode + send + after
        if a == 0:
            return (
                _weighted(encode, energy.busy_w)
                + _weighted(send, energy.transmit_w)
                + _weighted(after, gap_w)
                + energy.bits_j(self.wire_bytes(cut), 0.0)
            )
        return _weighted(encode + send + after, gap_w)

    def back(self, a: int, gap_w: float = 0.0) -> float:
        """Price of returning the output from station ``a`` to the device (its latency is in the gap)."""
        if a == 0:
            return 0.0
        send = _send_s(self.sizes[self.layers], self.bw[a][0])
        if self.energy is None:
            return self.lat[a][0] + send
        # In the gap: the seconds until the device's radio hears the output's first byte.
        energy = self.energy
        return (
            _weighted(send, energy.receive_w)
            + _weighted(heard_after_s(self.lat[a][0]), gap_w)
            + energy.bits_j(0.0, self.sizes[self.layers])
        )

    def walk(self, cuts: Sequence[int]) -> list[tuple[str, int, int, float]]:
        """The steps of the plan split at ``cuts``, in order (empty segments skipped).

        Each is ``("run", j, start, seconds)``, ``("move", a, b, cut)`` or ``("back", a, 0, 0)``.
        """
        layers = self.layers
        if len(cuts) != self.stations - 1:
            stations = counted(self.stations, "station")
            raise ValueError(f"expected {counted(self.stations - 1, 'cut')} for {stations}, got {list(cuts)}")
        bounds = (0, *cuts, layers)
        if any(not 0 <= a <= b <= layers for a, b in itertools.pairwise(bounds)):
            raise ValueError(f"cuts must be non-decreasing within [0, {layers}], got {list(cuts)}")
        steps: list[tuple[str, int, int, float]] = []
        location = 0
        for j in range(self.stations):
            start, stop = bounds[j], bounds[j + 1]
            if stop <= start:
                continue
            if j != location:
                steps.append(("move", location, j, start))
                location = j
            steps.append(("run", j, start, math.fsum(self.times[j][start:stop])))
        if location != 0:
            steps.append(("back", location, 0, 0.0))
        return steps

    def price(self, steps: Sequence[tuple[str, int, int, float]], gap_w: float = 0.0) -> float:
        """The summed price of ``steps`` (from :meth:`walk`)."""
        total = 0.0
        for kind, a, b, value in steps:
            if kind == "run":
                total += self.run(a, value, gap_w)
            elif kind == "move":
                total += self.move(a, b, int(value), gap_w)
            else:
                total += self.back(a, gap_w)
        return _finite_or_inf(total)


def plan_cost(
    station_times: Sequence[Sequence[float]],
    cut_bytes: Sequence[float],
    cuts: Sequence[int],
    bandwidth_bps: PairValues,
    latency_s: PairValues = 0.0,
    objective: Objective = "latency",
    power: DevicePower | None = None,
    wait_s: Sequence[float] | None = None,
    codec: CutCodec | None = None,
) -> float:
    """Cost of running a chain over stations ``0..S-1`` split at ``cuts``, as the engine would.

    Station ``j`` runs layers ``cuts[j-1] .. cuts[j]-1`` (``cuts[-1]`` taken
    as 0, the last station running to the end); station 0 is the device,
    which holds the input and gets the output back.  Empty segments are
    skipped; a move from station ``a`` to the next non-empty segment's
    station ``b`` at cut ``k`` sends ``cut_bytes[k]`` over ``(a, b)`` (made
    smaller by ``codec`` at an inner cut, ``a`` encoding and ``b``
    decoding); if the last non-empty segment is not on the device,
    ``cut_bytes[-1]`` returns over ``(last, 0)``.  ``wait_s[j]`` is added
    once when station ``j`` runs a segment.

    Parameters
    ----------
    station_times : sequence of sequences of float
        ``station_times[j][i]``: seconds layer ``i`` takes on station ``j``.
    cut_bytes : sequence of float
        ``L + 1`` entries: bytes crossing a cut after ``k`` layers
        (``[0]`` the input, ``[L]`` the output).
    cuts : sequence of int
        ``S - 1`` non-decreasing cut positions in ``0..L``.
    bandwidth_bps : float or matrix
        Bits per second from station ``a`` (row) to ``b`` (column), or one
        number for every pair.
    latency_s : float or matrix
        Route latency per transfer, like ``bandwidth_bps``.
    objective : 'latency' | 'energy'
        Seconds end to end, or joules the device adds above idle (radio tail included).
    power : DevicePower
        The device's power by state (energy only).
    wait_s : sequence of float
        Expected queueing delay per station (default none).
    codec : CutCodec
        Activation compression at inner cuts (default none).

    Examples
    --------
    Two layers of 1 s on the device, 0.1 s on a server, 1 MB crossing
    after the first layer, 8 Mbit/s each way:

    >>> times = [[1.0, 1.0], [0.1, 0.1]]
    >>> plan_cost(times, [2e6, 1e6, 1e3], [1], 8e6)  # 1 + 1 + 0.1 + 0.001
    2.101
    >>> plan_cost(times, [2e6, 1e6, 1e3], [2], 8e6)  # all local
    2.0

    """
    pricing = _Pricing(station_times, cut_bytes, bandwidth_bps, latency_s, objective, power, wait_s, codec)
    steps = pricing.walk(cuts)
    cost = pricing.price(steps)
    energy = pricing.energy
    if energy is not None and steps and steps[-1][0] == "back":
        cost += energy.request_tail_j(pricing.price(steps, 1.0) - pricing.price(steps, 0.0))
    return _finite_or_inf(cost)


def single_cut_costs(
    device_times: Sequence[float],
    server_times: Sequence[float],
    cut_bytes: Sequence[float],
    bandwidth_bps: float,
    latency_s: float = 0.0,
    objective: Objective = "latency",
    power: DevicePower | None = None,
    server_wait_s: float = 0.0,
    return_bandwidth_bps: float | None = None,
    codec: CutCodec | None = None,
) -> np.ndarray:
    """The cost of every single cut ``k = 0..L`` (Neurosurgeon's table), vectorised.

    Latency: ``Σ device[0:k] + [k < L] (encode + latency + 8 sent[k] / bw +
    wait + decode + Σ server[k:L] + latency + 8 cut_bytes[L] / return_bw)``,
    where ``sent[k]`` is ``cut_bytes[k]`` shrunk by the codec at an inner
    cut.  Energy (above idle): ``busy (Σ device[0:k] + encode) + [k < L]
    (transmit 8 sent[k] / bw + receive 8 cut_bytes[L] / return_bw + tail
    (min(tail_s, gap) + tail_s))`` with ``gap = latency + wait + decode +
    Σ server[k:L] + latency`` (until the output's first byte is back), plus
    ``8 (transmit_j_per_bit sent[k] + receive_j_per_bit cut_bytes[L])``.
    Parameters as for :func:`best_single_cut`.

    Examples
    --------
    >>> single_cut_costs([1.0, 1.0], [0.1, 0.1], [2e6, 1e6, 1e3], 8e6).round(3).tolist()
    [2.201, 2.101, 2.0]

    """
    energy = _check_objective(objective, power)
    layers = len(cut_bytes) - 1
    dev = np.array(_times(device_times, layers, "device_times"))
    srv = np.array(_times(server_times, layers, "server_times"))
    sizes = np.asarray(cut_bytes, dtype=np.float64)
    sent = sizes[:layers].copy()
    encode = np.zeros(layers)
    decode = np.zeros(layers)
    if codec is not None and layers > 1:
        inner = sizes[1:layers]
        sent[1:] = inner * codec.size_factor
        encode[1:] = inner * codec.encode_s_per_byte[0]
        decode[1:] = inner * codec.decode_s_per_byte[1]
    up = np.array([_send_s(s, bandwidth_bps) for s in sent])
    back = _send_s(
        float(sizes[layers]), bandwidth_bps if return_bandwidth_bps is None else return_bandwidth_bps
    )
    dev_prefix = np.concatenate(([0.0], np.cumsum(dev)))  # inf once a layer cannot run
    srv_suffix = np.concatenate((np.cumsum(srv[::-1])[::-1], [0.0]))
    costs = np.empty(layers + 1)
    with np.errstate(invalid="ignore"):  # inf - inf cannot arise; 0 * inf is mapped below
        if energy is None:
            costs[:layers] = (
                dev_prefix[:layers]
                + encode
                + 2.0 * latency_s
                + up
                + server_wait_s
                + decode
                + srv_suffix[:layers]
                + back
            )
            costs[layers] = dev_prefix[layers]
        else:
            device = np.where(np.isinf(dev_prefix), _INF, energy.busy_w * dev_prefix)
            coding = energy.busy_w * encode
            per_bit = 8.0 * energy.transmit_j_per_bit
            upload = np.where(np.isinf(up), _INF, energy.transmit_w * up + per_bit * sent)
            ret = _weighted(back, energy.receive_w) + energy.bits_j(0.0, float(sizes[layers]))
            # From the upload's last byte leaving to the output's first arriving; inf if the server cannot.
            gap = latency_s + server_wait_s + decode + srv_suffix[:layers] + heard_after_s(latency_s)
            tail = np.array([energy.request_tail_j(g) if not math.isinf(g) else _INF for g in gap])
            costs[:layers] = device[:layers] + coding + upload + ret + tail
            costs[layers] = device[layers]
    costs[np.isnan(costs)] = _INF
    return costs


def best_single_cut(
    device_times: Sequence[float],
    server_times: Sequence[float],
    cut_bytes: Sequence[float],
    bandwidth_bps: float,
    latency_s: float = 0.0,
    objective: Objective = "latency",
    power: DevicePower | None = None,
    server_wait_s: float = 0.0,
    return_bandwidth_bps: float | None = None,
    codec: CutCodec | None = None,
) -> tuple[int, float]:
    """Neurosurgeon: the one cut ``k`` between device and server that costs least.

    Layers ``[0, k)`` run on the device, ``[k, L)`` on the server: ``k = L``
    keeps everything local (nothing is sent), ``k = 0`` offloads everything
    (the raw input is uploaded).  Ties go to the larger ``k`` (less on the
    network).  O(L).

    Parameters
    ----------
    device_times, server_times : sequence of float
        Seconds each layer takes on the device and on the server.
    cut_bytes : sequence of float
        ``L + 1`` entries: ``[0]`` the input, ``[L]`` the output, ``[k]`` the
        bytes crossing a cut after ``k`` layers.
    bandwidth_bps : float
        Uplink bandwidth, bits per second.
    latency_s : float
        One-way route latency, paid by the upload and by the return.
    objective : 'latency' | 'energy'
        Seconds end to end, or joules the device adds above idle (radio tail included).
    power : DevicePower
        The device's power by state (energy only).
    server_wait_s : float
        Expected queueing delay at the server (the load-aware variant).
    return_bandwidth_bps : float
        Downlink bandwidth for the output (default: ``bandwidth_bps``).
    codec : CutCodec
        Activation compression at inner cuts, over stations (device, server).

    Returns
    -------
    (k, cost)
        The best cut and its cost (seconds or joules; inf if nothing can run).

    Examples
    --------
    A slow device, a fast server and activations that shrink with depth:

    >>> device = [0.05, 0.05, 0.05, 0.05]
    >>> server = [0.002, 0.002, 0.002, 0.002]
    >>> sizes = [600e3, 800e3, 200e3, 50e3, 4e3]
    >>> best_single_cut(device, server, sizes, 100e6)[0]  # fast link: offload everything
    0
    >>> best_single_cut(device, server, sizes, 10e6)[0]  # slower: send a smaller tensor
    3
    >>> best_single_cut(device, server, sizes, 100e3)[0]  # very slow: stay local
    4

    """
    costs = single_cut_costs(
        device_times,
        server_times,
        cut_bytes,
        bandwidth_bps,
        latency_s,
        objective,
        power,
        server_wait_s,
        return_bandwidth_bps,
        codec,
    )
    layers = len(costs) - 1
    k = layers - int(np.argmin(costs[::-1]))  # the last minimum: ties go to the device
    return k, float(costs[k])


def _cheapest_path(pricing: _Pricing, gap_w: float, remote_end: bool) -> tuple[tuple[int, ...], float]:
    """A shortest path over (layers done, where the data is); see :func:`best_station_cuts`.

    ``remote_end`` keeps only plans whose last segment is off the device.
    """
    stations, layers = pricing.stations, pricing.layers
    run = [[pricing.run(j, t, gap_w) for t in row] for j, row in enumerate(pricing.times)]
    # here[j]: cost with the data at station j after running a layer there (or the start);
    # arrived[j]: cost with the data just moved to j, which must now run a layer.
    here = [0.0] + [_INF] * (stations - 1)
    # came_from[i][j], layer i run on station j: where the data was before it (j itself: no move).
    came_from: list[list[int]] = []
    for i in range(layers):
        arrived = [_INF] * stations
        arrived_from = [-1] * stations
        for b in range(1, stations):
            for a in range(b):
                if here[a] < _INF:
                    cost = here[a] + pricing.move(a, b, i, gap_w)
                    if cost < arrived[b]:
                        arrived[b], arrived_from[b] = cost, a
        row = []
        nxt = [_INF] * stations
        for j in range(stations):
            stay, moved = here[j], arrived[j]
            if moved < stay:
                nxt[j], source = moved + run[j][i], arrived_from[j]
            else:
                nxt[j], source = stay + run[j][i], j
            row.append(source)
        came_from.append(row)
        here = [_finite_or_inf(c) for c in nxt]
    best_station, best_cost = 0, _INF
    for j in range(1 if remote_end else 0, stations):
        total = _finite_or_inf(here[j] + pricing.back(j, gap_w))
        if total < best_cost:
            best_station, best_cost = j, total
    if best_cost == _INF:
        # nothing can run: answer "all on the device", priced honestly
        return tuple([layers] * (stations - 1)), _INF
    where = [0] * layers
    j = best_station
    for i in range(layers - 1, -1, -1):
        where[i] = j
        j = came_from[i][j]
    cuts = tuple(sum(1 for w in where if w < s) for s in range(1, stations))
    return cuts, best_cost


def best_station_cuts(
    station_times: Sequence[Sequence[float]],
    cut_bytes: Sequence[float],
    bandwidth_bps: PairValues,
    latency_s: PairValues = 0.0,
    objective: Objective = "latency",
    power: DevicePower | None = None,
    wait_s: Sequence[float] | None = None,
    codec: CutCodec | None = None,
) -> tuple[tuple[int, ...], float]:
    """The cuts of a chain over stations ``0..S-1`` (device first) that cost least, exactly.

    A shortest path over a layered graph: state ``(i, j)`` is "the first
    ``i`` layers are done and their output is at station ``j``"; a step
    runs layer ``i`` where the data is, or moves it up to a later station
    (which must then run at least one layer, as the engine skips empty
    segments and sends straight to the next non-empty one).  Cost
    ``O(L S²)``; the answer is the same as trying every cut tuple with :func:`plan_cost`.
    Ties are broken deterministically.  Parameters as for :func:`plan_cost`.

    The radio tail of the energy objective is not a sum over steps: an
    offloaded plan pays ``tail_w (min(tail, G) + tail)`` with ``G`` the
    seconds from the upload leaving the device to the output's first byte
    arriving there.
    Since ``min`` and minimisation commute, the best offloaded plan costs
    ``min(min(A + tail_w G) + tail_w tail, min(A) + 2 tail_w tail)`` over
    plans ``A`` priced without the tail: two shortest paths, each a sum
    over steps (the lines of
    :meth:`~offloadsim.policies.device_energy.DeviceEnergy.request_tail_lines`),
    compared with running everything on the device.

    Returns
    -------
    (cuts, cost)
        ``S - 1`` non-decreasing cuts (station ``j`` runs layers
        ``cuts[j-1] .. cuts[j]-1``) and their cost.

    Examples
    --------
    Device, edge, cloud: the edge is faster than the device, the cloud
    faster still; the device reaches the cloud over a slow path.

    >>> times = [[0.05] * 4, [0.02] * 4, [0.001] * 4]
    >>> sizes = [600e3, 300e3, 100e3, 10e3, 1e3]
    >>> bandwidth = [[0, 50e6, 5e6], [50e6, 0, 20e6], [5e6, 20e6, 0]]
    >>> cuts, cost = best_station_cuts(times, sizes, bandwidth, latency_s=0.01)
    >>> cuts, round(cost, 4)  # 2 layers on the device, 1 on the edge, 1 in the cloud
    ((2, 3), 0.1726)

    """
    pricing = _Pricing(station_times, cut_bytes, bandwidth_bps, latency_s, objective, power, wait_s, codec)
    lines = () if pricing.energy is None else pricing.energy.request_tail_lines()
    if not lines:
        return _cheapest_path(pricing, 0.0, False)
    layers = pricing.layers
    local = tuple([layers] * (pricing.stations - 1))
    best = (local, pricing.price(pricing.walk(local)))
    for gap_w, extra in lines:
        cuts, cost = _cheapest_path(pricing, gap_w, True)
        if cost + extra < best[1]:
            best = (cuts, _finite_or_inf(cost + extra))
    return best


def _three_tier(
    uplink_bps: float, backhaul_bps: float, uplink_latency_s: float, backhaul_latency_s: float
) -> tuple[list[list[float]], list[list[float]]]:
    """Bandwidth and latency matrices for device — edge — cloud, the cloud reached through the edge."""
    through = min(uplink_bps, backhaul_bps)
    bw = [[_INF, uplink_bps, through], [uplink_bps, _INF, backhaul_bps], [through, backhaul_bps, _INF]]
    far = uplink_latency_s + backhaul_latency_s
    lat = [
        [0.0, uplink_latency_s, far],
        [uplink_latency_s, 0.0, backhaul_latency_s],
        [far, backhaul_latency_s, 0.0],
    ]
    return bw, lat


def best_two_cuts(
    device_times: Sequence[float],
    edge_times: Sequence[float],
    cloud_times: Sequence[float],
    cut_bytes: Sequence[float],
    uplink_bps: float,
    backhaul_bps: float,
    uplink_latency_s: float = 0.0,
    backhaul_latency_s: float = 0.0,
    objective: Objective = "latency",
    power: DevicePower | None = None,
    edge_wait_s: float = 0.0,
    cloud_wait_s: float = 0.0,
    codec: CutCodec | None = None,
) -> tuple[tuple[int, int], float]:
    """Device → edge → cloud with two cuts ``k1 <= k2``, exact (a DP, see :func:`best_station_cuts`).

    Layers ``[0, k1)`` run on the device, ``[k1, k2)`` on the edge and
    ``[k2, L)`` in the cloud.  The cloud is reached through the edge: a
    device → cloud transfer (when the edge segment is empty) pays both
    latencies at the smaller bandwidth, and so does the return from the
    cloud.  For other topologies call :func:`best_station_cuts` with
    matrices.

    Parameters
    ----------
    device_times, edge_times, cloud_times : sequence of float
        Seconds each layer takes on each tier.
    cut_bytes : sequence of float
        ``L + 1`` entries: bytes crossing each cut (input first, output last).
    uplink_bps, backhaul_bps : float
        Bandwidth device ↔ edge and edge ↔ cloud, bits per second.
    uplink_latency_s, backhaul_latency_s : float
        One-way latency of the two hops.
    objective : 'latency' | 'energy'
        Seconds end to end, or joules spent by the device.
    power : DevicePower
        The device's power by state (energy only).
    edge_wait_s, cloud_wait_s : float
        Expected queueing delay at the edge and in the cloud.
    codec : CutCodec
        Activation compression at inner cuts, over stations (device, edge, cloud).

    Examples
    --------
    The edge is quick at the early layers, the cloud at all of them:

    >>> times = ([0.01, 0.2, 0.2, 0.2], [0.005, 0.01, 0.01, 0.2], [0.001] * 4)
    >>> sizes = [600e3, 300e3, 100e3, 10e3, 1e3]
    >>> best_two_cuts(*times, sizes, 50e6, 10e6, 0.005, 0.02)[0]
    (1, 3)
    >>> best_two_cuts(*times, sizes, 50e6, 10e6, 0.005, 0.02, cloud_wait_s=0.5)[0]  # a busy cloud
    (1, 4)

    """
    bw, lat = _three_tier(uplink_bps, backhaul_bps, uplink_latency_s, backhaul_latency_s)
    cuts, cost = best_station_cuts(
        [device_times, edge_times, cloud_times],
        cut_bytes,
        bw,
        lat,
        objective,
        power,
        [0.0, edge_wait_s, cloud_wait_s],
        codec,
    )
    return (cuts[0], cuts[1]), cost


# --- DAGs: a min-cut between device and server ----------------------------------------

NodeWeight = str | Mapping[Any, float] | Callable[[Any, Mapping[str, Any]], float]
EdgeWeight = str | Callable[[Any, Any, Mapping[str, Any]], float]


def _node_weight(G: nx.DiGraph, weight: NodeWeight) -> Callable[[Any], float]:
    """``weight`` as a function of a node: an attribute name (missing: 0), a mapping, or ``f(n, attrs)``."""
    if isinstance(weight, str):
        return lambda n: _finite_or_inf(float(G.nodes[n].get(weight, 0.0)))
    if isinstance(weight, Mapping):
        table = weight
        return lambda n: _finite_or_inf(float(table.get(n, 0.0)))
    func = weight
    return lambda n: _finite_or_inf(float(func(n, G.nodes[n])))


def _tensor_bytes(G: nx.DiGraph, edge_bytes: EdgeWeight) -> dict[Any, float]:
    """The size of each node's output tensor: the largest ``edge_bytes`` of its out-edges."""
    if isinstance(edge_bytes, str):
        key = edge_bytes

        def by_attribute(u: Any, v: Any, d: Mapping[str, Any]) -> float:
            return float(d.get(key, 0.0))

        size: Callable[[Any, Any, Mapping[str, Any]], float] = by_attribute
    else:
        size = edge_bytes
    return {
        u: max(float(size(u, v, G.edges[u, v])) for v in G.successors(u)) for u in G if G.out_degree(u) > 0
    }


def _pins(
    G: nx.DiGraph, device_nodes: Collection[Hashable] | None, server_nodes: Collection[Hashable] | None
) -> tuple[frozenset[Any], frozenset[Any]]:
    dev = frozenset(n for n in (INPUT,) if n in G) if device_nodes is None else frozenset(device_nodes)
    srv = frozenset(n for n in (OUTPUT,) if n in G) if server_nodes is None else frozenset(server_nodes)
    if missing := (dev | srv) - set(G):
        raise ValueError(f"pinned nodes not in the graph: {sorted(map(repr, missing))}")
    if dev & srv:
        raise ValueError(f"nodes pinned to both sides: {sorted(map(repr, dev & srv))}")
    return dev, srv


def partition_cost(
    G: nx.DiGraph,
    device_set: Collection[Hashable],
    device_time: NodeWeight = "device_time",
    server_time: NodeWeight = "server_time",
    edge_bytes: EdgeWeight = "bytes",
    bandwidth_bps: float = _INF,
    *,
    server_nodes: Collection[Hashable] | None = None,
    offload_overhead_s: float = 0.0,
) -> float:
    """Cost of running the nodes of ``device_set`` on the device and the rest on a server.

    ``Σ device_time(D) + Σ server_time(S) + Σ 8 bytes(u) / bandwidth`` over
    the tensors ``u`` in ``D`` read by some node in ``S`` (each once, however
    many readers), ``+ offload_overhead_s`` — or just ``Σ device_time`` when
    every node outside ``server_nodes`` is on the device (nothing is sent).
    ``device_set`` must be closed under predecessors.  Weights as for
    :func:`dads_min_cut`.

    >>> import networkx as nx
    >>> G = nx.DiGraph([("a", "b"), ("a", "c"), ("b", "c")])
    >>> nx.set_edge_attributes(G, 1e6, "bytes")
    >>> partition_cost(G, {"a"}, {"a": 1, "b": 1, "c": 1}, {"b": 0.1, "c": 0.1}, bandwidth_bps=8e6)
    2.2
    """
    server = _pins(G, None, server_nodes)[1]
    dev = set(device_set)
    if unknown := dev - set(G):
        raise ValueError(f"device_set names nodes not in the graph: {sorted(map(repr, unknown))}")
    for v in dev:
        if any(u not in dev for u in G.predecessors(v)):
            raise ValueError(f"device_set is not closed under predecessors: {v!r} reads a server node")
    device_t = _node_weight(G, device_time)
    local = math.fsum(device_t(v) for v in dev)
    if all(v in dev or v in server for v in G):
        return _finite_or_inf(local)
    server_t = _node_weight(G, server_time)
    sizes = _tensor_bytes(G, edge_bytes)
    remote = math.fsum(server_t(v) for v in G if v not in dev)
    sent = math.fsum(
        _send_s(sizes[u], bandwidth_bps) for u in dev if any(v not in dev for v in G.successors(u))
    )
    return _finite_or_inf(local + remote + sent + offload_overhead_s)


def dads_min_cut(
    G: nx.DiGraph,
    device_time: NodeWeight = "device_time",
    server_time: NodeWeight = "server_time",
    edge_bytes: EdgeWeight = "bytes",
    bandwidth_bps: float = _INF,
    *,
    device_nodes: Collection[Hashable] | None = None,
    server_nodes: Collection[Hashable] | None = None,
    offload_overhead_s: float = 0.0,
) -> tuple[frozenset[Any], float]:
    """DADS: split a DAG model between device and server with one minimum s-t cut.

    Minimises :func:`partition_cost` over device sets closed under
    predecessors (a layer on the device never reads a server output):
    device compute + server compute + every tensor crossing from the device
    to the server, sent once.  The flow network has an edge ``s → v``
    costing ``server_time(v)``, ``v → t`` costing ``device_time(v)``, a
    tensor node per producer ``u`` with several readers (``u → tensor``
    costing its transfer, ``tensor → reader`` unbounded, so a tensor read by
    several server layers is paid once; a single reader gets the edge
    ``u → reader`` itself) and an unbounded reverse edge per dependency (the
    closure).  Capacities are scaled to integers so the max-flow is exact.
    The constant ``offload_overhead_s`` and the all-local partition are
    compared outside the cut, so the answer equals
    trying every predecessor-closed device set.  Ties go to running everything
    locally.

    Parameters
    ----------
    G : nx.DiGraph
        A DAG: nodes are layers, an edge ``u → v`` means ``v`` reads ``u``'s output.
        ``offloadsim.models.to_networkx`` gives one for a zoo model.
    device_time, server_time : str, mapping or function
        Seconds per node: a node attribute name (missing means 0), a mapping
        node → seconds, or ``f(node, attrs)``.  Infinite means "cannot run there".
    edge_bytes : str or function
        Bytes an edge carries: an edge attribute name or ``f(u, v, attrs)``.
        The out-edges of a node carry its one output tensor (its size is the
        largest of them).
    bandwidth_bps : float
        Device → server bandwidth, bits per second.
    device_nodes : collection
        Nodes that must stay on the device (default: the model input
        ``<input>`` if present).
    server_nodes : collection
        Sink nodes on the server side (default: the model output
        ``<output>`` if present): a device-side tensor they read counts as
        sent, unless nothing else is offloaded.
    offload_overhead_s : float
        Cost added once when anything is offloaded: route latencies, server
        queueing, returning the output.

    Returns
    -------
    (device_set, cost)
        The nodes on the device (pinned device nodes included) and the cost.

    Examples
    --------
    A residual block on a camera frame ``x`` (pinned to the device): ``a``
    feeds ``b`` and the adder ``c``.  Offloading after ``a`` sends ``a``'s
    output once, although two server layers read it.

    >>> import networkx as nx
    >>> G = nx.DiGraph([("x", "a"), ("a", "b"), ("a", "c"), ("b", "c")])
    >>> nx.set_edge_attributes(G, 1e6, "bytes")
    >>> G.edges["x", "a"]["bytes"] = 4e6
    >>> device = {"a": 0.1, "b": 1.0, "c": 1.0}
    >>> server = {"a": 0.01, "b": 0.1, "c": 0.1}
    >>> D, cost = dads_min_cut(G, device, server, bandwidth_bps=80e6, device_nodes=["x"])
    >>> sorted(D), round(cost, 3)
    (['a', 'x'], 0.4)
    >>> sorted(dads_min_cut(G, device, server, bandwidth_bps=1e6, device_nodes=["x"])[0])  # slow: local
    ['a', 'b', 'c', 'x']

    """
    import networkx as nx

    if not nx.is_directed_acyclic_graph(G):
        raise ValueError("dads_min_cut needs a directed acyclic graph")
    pinned_device, pinned_server = _pins(G, device_nodes, server_nodes)
    if any(nx.has_path(G, s, d) for s in pinned_server for d in pinned_device):
        raise ValueError("a node pinned to the server feeds a node pinned to the device")
    device_t = _node_weight(G, device_time)
    server_t = _node_weight(G, server_time)
    sizes = _tensor_bytes(G, edge_bytes)
    all_local = frozenset(v for v in G if v not in pinned_server)
    device_t_map = {v: device_t(v) for v in G}
    server_t_map = {v: server_t(v) for v in G}

    def cost_of(dev: frozenset[Any]) -> float:
        return partition_cost(
            G,
            dev,
            device_t_map,
            server_t_map,
            edge_bytes,
            bandwidth_bps,
            server_nodes=pinned_server,
            offload_overhead_s=offload_overhead_s,
        )

    local_cost = cost_of(all_local)

    source, sink, tensor = object(), object(), object()
    finite: list[tuple[Any, Any, float]] = []
    unbounded: list[tuple[Any, Any]] = []

    def add(u: Any, v: Any, capacity: float) -> None:
        if math.isinf(capacity):
            unbounded.append((u, v))
        elif capacity > 0.0:
            finite.append((u, v, capacity))

    for v in G:
        add(source, v, _INF if v in pinned_device else server_t_map[v])
        add(v, sink, _INF if v in pinned_server else device_t_map[v])
        for u in G.predecessors(v):
            unbounded.append((v, u))  # v on the device forces u onto the device
    for u, size in sizes.items():
        send = _send_s(size, bandwidth_bps)
        readers = list(G.successors(u))
        if len(readers) == 1:
            add(u, readers[0], send)  # one reader: the edge itself carries the tensor
            continue
        add(u, (tensor, u), send)
        unbounded.extend(((tensor, u), v) for v in readers)
    H = nx.DiGraph()
    H.add_nodes_from((source, sink))
    top = max((c for _, _, c in finite), default=0.0)
    scale = 2.0**50 / top if top > 0.0 else 1.0
    for u, v, c in finite:
        H.add_edge(u, v, capacity=round(c * scale))  # integers: max-flow without rounding noise
    H.add_edges_from(unbounded)  # no capacity attribute: unbounded
    try:
        _, (reached, _) = nx.minimum_cut(H, source, sink)
    except nx.NetworkXUnbounded:  # every cut is infinite: no offloading can be paid for
        return all_local, local_cost
    device_set = frozenset(v for v in G if v in reached)
    cut_cost = cost_of(device_set)
    if local_cost <= cut_cost:
        return all_local, local_cost
    return device_set, cut_cost
