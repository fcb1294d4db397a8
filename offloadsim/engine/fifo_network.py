"""First come, first served links: the ``fifo`` link model.

A link with a deep drop-tail buffer (a cellular uplink, tbf with a large
``limit``) does not share itself max-min fairly among transfers that fit in
its buffer: TCP puts each one into the FIFO queue within a few round trips,
and the link then sends the queue in order.  Two such transfers that start
3 ms apart finish one after the other, not together (docs/testbed.md, issue
13).  This model serves them that way.

**Definition.**  Transfers are ranked by when they started (ties: the order
``start`` was called).  Rates are given in that order: each transfer gets
the smallest capacity its route has *left* after every earlier transfer
crossing the same channels took its rate,

    rate(t) = min over t's channels c of ( capacity(c) - sum of rate(u) for u
    before t on c ),

and keeps it until a transfer starts, ends, or a capacity changes (then the
rates of the transfers connected to the change are given again, in the same
order).  After its last byte, the route's propagation latency passes
before the receiver is told, as in ``max-min``.

* **One shared bottleneck** (the testbed: fast device links into ``ap``, one
  shaped ``ap``—``edge`` link): exact first come, first served.  The
  earliest transfer has the link's whole capacity in force; the next one
  waits until it is through, and finishes ``size / rate`` after that.  A
  transfer alone takes ``latency + size / bottleneck``, as under ``max-min``.
* **Several links**: each transfer holds its route at its own bottleneck
  rate, and later transfers get what is left (so a link is served one
  transfer at a time exactly when it is the bottleneck of the earliest
  transfer crossing it; spare capacity on a link that limits nobody still
  goes to later transfers: the model is work-conserving).  This is a fluid
  priority model, not a packet network: it does not pipeline one transfer's
  bytes queued at a second link while the first link serves another.

**Limits** (where it is not what a real FIFO does): the order is the
transfers' start, whereas TCP interleaves the first round trips' packets of
a transfer that starts while another is being sent; a transfer larger than
the bottleneck's buffer (a long-lived flow) cannot be queued whole, and TCP
then shares closer to max-min; nothing bounds how long a large transfer
holds a link.  Use ``max-min`` for long-lived flows or fair-queueing links.

**The protocol's other duties** (:class:`~offloadsim.engine.network.LinkModel`):

* :meth:`FifoNetwork.set_capacity` (a link trace) re-rates the transfers in
  flight at once, keeping their order and the bytes they have sent;
* :meth:`FifoNetwork.set_up` with ``False`` aborts every transfer crossing
  the channel, those in service and those waiting (their senders are told),
  and refuses new ones until it is back up, as ``max-min`` does;
* :meth:`FifoNetwork.cancel` aborts one transfer; those behind it move up;
* :meth:`FifoNetwork.move` (a handover) carries a transfer's bytes left over
  its new route *keeping its place* in the order (its start is unchanged);
  with ``restart`` it sends all its bytes again as a new transfer, at the
  back;
* :meth:`FifoNetwork.share_Bps`, which policies read to estimate a
  transfer's time, is ``capacity / (transfers crossing + 1)`` at the
  route's bottleneck, as under ``max-min``: with ``n`` transfers of the same
  size ahead, a new one finishes after ``(n + 1) * size / capacity`` either
  way (the two models differ in who waits, not in the mean);
* a channel is *busy* (``busy_s``) while it carries bytes, i.e. while some
  transfer crossing it has a positive rate; a transfer waiting behind
  another on a different link does not make it busy.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import simpy

from offloadsim.engine.channels import ABORTED, PROPAGATING, SENDING, ChannelModel, sent_bytes, tell_aborted

__all__ = ["FifoNetwork"]

_REL = 1e-9  # capacity left below this share of a channel's capacity counts as none


class _Transfer:
    """One transfer; ``token`` names its pending completion event (bumped when its rate changes).

    ``state`` is one of the states of :mod:`offloadsim.engine.channels` (SENDING while
    waiting, too).
    """

    __slots__ = (
        "aborted",
        "callback",
        "channels",
        "last",
        "latency_s",
        "payload",
        "rate",
        "remaining",
        "sent",
        "seq",
        "size",
        "state",
        "token",
    )

    def __init__(
        self,
        channels: tuple[int, ...],
        size_bytes: float,
        latency_s: float,
        callback: Callable[[Any], None],
        payload: Any,
        now: float,
        sent: Callable[[Any], None] | None,
        aborted: Callable[[Any], None] | None,
    ):
        self.channels = channels
        self.size = size_bytes
        self.remaining = size_bytes  # bytes left as of ``last``
        self.latency_s = latency_s
        self.callback = callback
        self.payload = payload
        self.sent = sent
        self.aborted = aborted
        self.state = SENDING
        self.rate = 0.0  # bytes/s
        self.last = now
        self.seq = -1  # rank in the FIFO order, set when it joins its channels
        self.token = 0


def _rank(transfer: _Transfer) -> int:
    return transfer.seq


class FifoNetwork(ChannelModel):
    """Links that serve their transfers first come, first served (the ``fifo`` link model; see the module)."""

    def __init__(self, env: simpy.Environment, capacity_bps: Sequence[float]):
        super().__init__(env, capacity_bps)
        n = len(self.capacity_Bps)
        self.queue: list[list[_Transfer]] = self.crossing  # transfers crossing, in FIFO order
        self.load_Bps = [0.0] * n  # the rates the channel carries now
        self.busy_s = [0.0] * n
        self._busy_since = [0.0] * n
        self._order = itertools.count()

    # -- the LinkModel protocol -------------------------------------------
    def start(
        self,
        channels: tuple[int, ...],
        size_bytes: float,
        latency_s: float,
        callback: Callable[[Any], None],
        payload: Any,
        sent: Callable[[Any], None] | None = None,
        aborted: Callable[[Any], None] | None = None,
    ) -> _Transfer:
        """Queue ``size_bytes`` over ``channels`` behind the transfers already crossing them.

        ``callback(payload)`` on delivery; ``sent(payload)`` when the last
        byte leaves (never for an empty transfer); ``aborted(payload)``
        instead of ``callback`` when cancelled or a channel goes down (as its
        own event, at once, when one is down already).
        """
        transfer = _Transfer(channels, size_bytes, latency_s, callback, payload, self.env.now, sent, aborted)
        if self._join(transfer, next(self._order)):
            self._allocate(channels, newest=transfer)
        return transfer

    def sending_over(self, channel: int) -> list[tuple[_Transfer, tuple[int, ...]]]:
        """``(transfer, its channels)`` of the transfers crossing ``channel`` (waiting ones too), in order."""
        return [(transfer, transfer.channels) for transfer in self.queue[channel]]

    def move(self, flow: _Transfer, channels: tuple[int, ...], latency_s: float, restart: bool) -> _Transfer:
        """Carry ``flow`` over ``channels`` from now (a handover), keeping its place in the order.

        The bytes it sent stay counted on its old channels; the rest (with
        ``restart``, all of them, as a new transfer at the back) go over
        ``channels``; its sender is told as before.  Returns the new handle.
        """
        self._leave(flow)
        flow.state = ABORTED  # superseded, silently: its sender hears from the new transfer
        size = flow.size if restart else flow.remaining
        if size <= 0.0 and flow.sent is not None:
            flow.sent(flow.payload)  # its last byte had just left: only the propagation is left
        moved = _Transfer(
            channels, size, latency_s, flow.callback, flow.payload, self.env.now, flow.sent, flow.aborted
        )
        self._join(moved, next(self._order) if restart else flow.seq)
        self._allocate(flow.channels + channels)
        return moved

    def close_statistics(self) -> None:
        """Bring the busy time of channels carrying bytes up to now."""
        now = self.env.now
        for c, load in enumerate(self.load_Bps):
            if load > 0.0:
                self.busy_s[c] += now - self._busy_since[c]
                self._busy_since[c] = now

    # -- internals --------------------------------------------------------
    def _rerate(self, channel: int) -> None:
        self._allocate((channel,))

    def _stop(self, transfer: _Transfer) -> None:
        self._leave(transfer)
        self._allocate(transfer.channels)

    def _join(self, transfer: _Transfer, seq: int) -> bool:
        """Put ``transfer`` on its channels at rank ``seq``; False if it needs no link or one is down.

        An empty transfer (or one within a node) is propagating at once; one
        over a channel that is down is aborted, told as its own event.
        """
        if transfer.size <= 0.0 or not transfer.channels:
            transfer.state = PROPAGATING
            self._deliver_after(transfer)
            return False
        if self._down and any(c in self._down for c in transfer.channels):
            transfer.state = ABORTED
            self._call_in(0.0, tell_aborted, transfer)
            return False
        transfer.seq = seq
        for c in transfer.channels:
            queue = self.queue[c]
            if queue and queue[-1].seq > seq:  # a moved transfer keeps its place
                bisect.insort(queue, transfer, key=_rank)
            else:
                queue.append(transfer)
        return True

    def _leave(self, transfer: _Transfer) -> None:
        """Take a transfer still sending off its channels, its bytes sent so far counted; no re-rating."""
        now = self.env.now
        sent = sent_bytes(transfer, now)
        transfer.remaining = transfer.size - sent
        transfer.last = now
        transfer.rate = 0.0
        transfer.token += 1  # its pending completion, if any, no longer speaks for it
        for c in transfer.channels:
            self.queue[c].remove(transfer)
            self.bytes_carried[c] += sent

    def _component(self, channels: Iterable[int]) -> tuple[list[_Transfer], set[int]]:
        """The transfers connected to ``channels`` through shared channels, and all their channels."""
        queue = self.queue
        seen_channels = set(channels)
        stack = list(seen_channels)
        seen: set[int] = set()
        found: list[_Transfer] = []
        while stack:
            for transfer in queue[stack.pop()]:
                if transfer.seq in seen:
                    continue
                seen.add(transfer.seq)
                found.append(transfer)
                for c in transfer.channels:
                    if c not in seen_channels:
                        seen_channels.add(c)
                        stack.append(c)
        return found, seen_channels

    def _allocate(self, channels: Iterable[int], newest: _Transfer | None = None) -> None:
        """Give the transfers connected to ``channels`` their rates in FIFO order (see the module).

        A transfer whose rate changes gets a new completion event; the
        others keep theirs.  Each channel's load and busy time follow.
        ``newest``, a transfer that has just joined at the back, is all that
        needs a rate: it comes after every other, so it takes what its route
        has left and changes nobody's rate.
        """
        now = self.env.now
        capacity = self.capacity_Bps
        left: dict[int, float] = {}  # capacity each channel has left, as rates are given in order
        if newest is not None:
            transfers = [newest]
            load = self.load_Bps
            for c in newest.channels:
                rest = capacity[c] - load[c]
                left[c] = rest if rest > capacity[c] * _REL else 0.0
        else:
            transfers, touched = self._component(channels)
            if len(transfers) > 1:
                transfers.sort(key=_rank)
            for c in touched:
                left[c] = capacity[c]
        for transfer in transfers:
            route = transfer.channels
            rate = left[route[0]]
            for c in route:
                if left[c] < rate:
                    rate = left[c]
            if rate > 0.0:
                for c in route:
                    rest = left[c] - rate
                    left[c] = rest if rest > capacity[c] * _REL else 0.0
            if rate != transfer.rate:
                transfer.remaining = max(transfer.remaining - transfer.rate * (now - transfer.last), 0.0)
                transfer.last = now
                transfer.rate = rate
                transfer.token += 1
                if rate > 0.0:
                    self._call_in(transfer.remaining / rate, self._on_sent, (transfer, transfer.token))
        load = self.load_Bps
        for c, rest in left.items():
            carrying = capacity[c] - rest
            if carrying > 0.0 and load[c] <= 0.0:
                self._busy_since[c] = now
            elif carrying <= 0.0 and load[c] > 0.0:
                self.busy_s[c] += now - self._busy_since[c]
            load[c] = carrying

    def _on_sent(self, due: tuple[_Transfer, int]) -> None:
        """A transfer's last byte is due to leave, unless its rate changed since (``token``)."""
        transfer, token = due
        if token != transfer.token or transfer.state != SENDING:
            return  # re-rated or cancelled since: a newer event (or none) speaks for it
        now = self.env.now
        transfer.remaining = 0.0
        transfer.last = now
        transfer.rate = 0.0
        for c in transfer.channels:
            self.queue[c].remove(transfer)
            self.bytes_carried[c] += transfer.size
        self._allocate(transfer.channels)
        transfer.state = PROPAGATING
        if transfer.sent is not None:
            transfer.sent(transfer.payload)
        self._deliver_after(transfer)
