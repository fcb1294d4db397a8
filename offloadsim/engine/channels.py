"""What every link model keeps of its channels: the capacity in force, the channels down, a transfer's end.

Both built-in link models derive from :class:`ChannelModel` (``max-min``,
:class:`~offloadsim.engine.network.FlowNetwork`; ``fifo``,
:class:`~offloadsim.engine.fifo_network.FifoNetwork`).  It keeps each
directed channel's capacity in force (bytes/s) and its log over time (for
utilisation against it), takes channels down and brings them back, and
cancels a transfer; a model keeps the transfers crossing each channel in
``crossing`` (in its own order), says how they are re-rated after a capacity
change and how one still sending is taken off its channels.  The shipped
models, compiled, override ``_rerate`` and ``_stop``; a plug-in's model
overrides their public names, :meth:`ChannelModel.rerate` and
:meth:`ChannelModel.stop`, and calls :meth:`ChannelModel.set_rate` and
:meth:`ChannelModel.deliver_after` (docs/plugins.md, "A link model": the
contract, with a worked example).  A transfer's state is one of :data:`SENDING`,
:data:`PROPAGATING`, :data:`DELIVERED` and :data:`ABORTED`;
:func:`deliver` and :func:`tell_aborted` tell its sender.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any, Final

import simpy

from offloadsim.engine.environment import calendar_of, caller
from offloadsim.engine.piecewise import PiecewiseLog
from offloadsim.plugin_checks import as_float, number_at_least, refusal
from offloadsim.shapes import describe

try:  # mypyc reads the decorator as it compiles; at run time it leaves the class as written
    from mypy_extensions import mypyc_attr
except ImportError:  # mypy is not installed: a runtime dependency of neither build

    def mypyc_attr(*attrs: str, **flags: object) -> Any:  # type: ignore[misc]  # a no-op, redefined
        return lambda cls: cls


__all__ = ["ABORTED", "DELIVERED", "PROPAGATING", "SENDING", "ChannelModel", "deliver", "tell_aborted"]

# A transfer's state: bytes still leaving; last byte left, propagating; delivered; cancelled.
# Final: constants to mypyc (a compiled build reads them inline, not from the module's dict).
SENDING: Final = 0
PROPAGATING: Final = 1
DELIVERED: Final = 2
ABORTED: Final = 3


# A plug-in's link model may derive from it (docs/architecture.md, "A link model"): in the build
# compiled by mypyc too, which otherwise refuses a Python class deriving from a compiled one.
@mypyc_attr(allow_interpreted_subclasses=True)
class ChannelModel:
    """Capacities in force of directed channels (given in bit/s, kept in bytes/s), and the channels down.

    :meth:`set_capacity` changes one during a run (bandwidth traces),
    :meth:`set_up` takes one down or up (failures), :meth:`cancel` aborts a
    transfer.  Transfers have ``state``, ``channels``, ``latency_s``,
    ``callback``, ``aborted`` and ``payload``.
    """

    def __init__(self, env: simpy.Environment, capacity_bps: Iterable[float]):
        self.env = env
        self.capacity_Bps = [c / 8.0 for c in capacity_bps]
        # The capacity in force (bit/s) over time, for utilisation against it.
        self._capacity_log = PiecewiseLog(env.now, [c * 8.0 for c in self.capacity_Bps])
        self.bytes_carried = [0.0] * len(self.capacity_Bps)  # bytes of transfers that left each channel
        self._down: dict[int, float] = {}  # a channel that is down -> its capacity (bytes/s) when up
        # The transfers still sending over each channel, in the model's order (its own list: a
        # model keeps them there, so that a policy's share_Bps reads lengths without a call each).
        self.crossing: list[list[Any]] = [[] for _ in self.capacity_Bps]
        self._call_in = caller(env)  # the model's events: light calls on the run's environment
        # The run's calendar, for the hot paths' calls pushed inline (None on a plain SimPy environment).
        self._calendar = calendar_of(env)
        #: The model in a message (a plug-in's registered name and class, set as the run builds it).
        self.words: str = f"link model {type(self).__qualname__}"
        #: Each channel in a message (``phone -> edge``), set with ``words``; empty: ``channel N``.
        self.channel_names: list[str] = []

    # -- what a model says ------------------------------------------------
    def _rerate(self, channel: int) -> None:
        self.rerate(channel)

    def _stop(self, transfer: Any) -> None:
        self.stop(transfer)

    def rerate(self, channel: int) -> None:
        """``channel``'s capacity changed (``capacity_Bps[channel]``): re-rate the transfers crossing it.

        A plug-in's model overrides it (the shipped ones, compiled, override ``_rerate``).
        """
        raise NotImplementedError(f"{type(self).__qualname__} says no rerate(channel)")

    def stop(self, transfer: Any) -> None:
        """Take ``transfer``, still sending, off its channels (its bytes so far counted); re-rate the rest.

        :meth:`cancel` and a channel going down call it; a plug-in's model overrides it.
        """
        raise NotImplementedError(f"{type(self).__qualname__} says no stop(transfer)")

    # -- what a plug-in's model calls --------------------------------------
    def set_rate(self, transfer: Any, rate_Bps: float) -> float:
        """Send ``transfer`` at ``rate_Bps`` from now on; the seconds until its last byte leaves.

        Books what it sent at its old rate (``remaining`` as of ``last``, now), then takes the new
        one; ``inf`` where the rate is 0.  A rate that is not a number >= 0 (NaN, negative) stops
        the run here, naming the model and the simulated time: a NaN rate stalled its transfers
        silently, said only at the run's end.  The transfer has ``size``, ``remaining``, ``rate``
        and ``last`` (:func:`sent_bytes` reads them).  The shipped models set their rates inline.
        """
        now = self.env.now
        if not _a_rate(rate_Bps):  # NaN, inf, negative, not a number
            from offloadsim.engine.plugin_faults import PluginFailed  # only ever on a fault

            said = f"its set_rate() was given {describe(rate_Bps)} at simulated time {now:.6g} s"
            raise PluginFailed(refusal(self.words, said, "a rate in bytes/s, a finite number >= 0"))
        if not _a_rate(transfer.rate):  # the rate it sent at, written without set_rate()
            self._refuse_written_rate(transfer, transfer.channels)
        transfer.remaining = transfer.size - sent_bytes(transfer, now)
        transfer.last = now
        transfer.rate = as_float(rate_Bps)
        return transfer.remaining / transfer.rate if transfer.rate > 0.0 else math.inf

    def deliver_after(self, transfer: Any) -> None:
        """``transfer``'s last byte has left: tell its receiver after its ``latency_s`` (at once without).

        Set its ``state`` to :data:`PROPAGATING` first; a transfer cancelled meanwhile is not delivered.
        The rates of the transfers still crossing its channels are checked (:meth:`check_rates`).
        """
        self.check_rates(transfer.channels)
        self._deliver_after(transfer)

    def check_rates(self, channels: Iterable[int]) -> None:
        """Refuse a transfer crossing ``channels`` whose ``rate`` is not a finite number >= 0.

        :meth:`set_rate` refuses such a rate as it is given; a model that writes ``rate`` itself
        bypasses it, and its NaN or negative rate reached :func:`sent_bytes` (a NaN said only as
        the run's bytes were read at its end, a negative rate's bytes clamped silently).  So the
        rates a plug-in's model leaves are checked here as its calls return to the engine (the
        adapter, ``plugin_adapters.PluginLinkModel``), as it delivers, and before :meth:`set_rate`
        books the bytes sent at the old one.  The shipped models never come here.
        """
        crossing = self.crossing
        for channel in channels:
            for transfer in crossing[channel]:
                if not _a_rate(transfer.rate):
                    self._refuse_written_rate(transfer, (channel,))

    def check_capacities(self, channels: Iterable[int]) -> None:
        """Refuse a capacity in ``capacity_Bps`` on ``channels`` other than :meth:`set_capacity` logged.

        Link utilisation divides the bytes carried by :meth:`capacity_bit_seconds`, the capacities
        :meth:`set_capacity` (and :meth:`set_up`) logged as they set them: a capacity a model wrote
        into ``capacity_Bps`` itself was the one it shared out, but not the one utilisation was of,
        and a NaN one a share passed over.  Checked where a plug-in's model is read (the adapter,
        ``plugin_adapters.PluginLinkModel``), as a written rate is (:meth:`check_rates`); the
        shipped models never come here.
        """
        capacity, logged = self.capacity_Bps, self._capacity_log
        for channel in channels:
            if capacity[channel] * 8.0 != logged.value(channel):  # a NaN too
                self._refuse_written_capacity(channel, logged.value(channel) / 8.0)

    def _refuse_written_capacity(self, channel: int, set_Bps: float) -> None:
        """PluginFailed: ``channel``'s ``capacity_Bps`` is not ``set_Bps``, what set_capacity() set."""
        from offloadsim.engine.plugin_faults import PluginFailed  # only ever on a fault

        names = self.channel_names
        words = f"{self.words}, link {names[channel] if channel < len(names) else f'channel {channel}'}"
        written = self.capacity_Bps[channel]
        shown = f"{written:g} bytes/s" if isinstance(written, float) else describe(written)
        said = (
            f"its capacity_Bps was {shown} at simulated time {self.env.now:.6g} s, written without "
            f"set_capacity() (which set {set_Bps:g} bytes/s and logs what link utilisation is counted "
            "against)"
        )
        raise PluginFailed(
            refusal(words, said, "a capacity changed through set_capacity(channel, capacity_bps)")
        )

    def _refuse_written_rate(self, transfer: Any, channels: Sequence[int]) -> None:
        """PluginFailed: ``transfer``, over ``channels`` (the first named), has a rate set_rate() refuses."""
        from offloadsim.engine.plugin_faults import PluginFailed  # only ever on a fault

        words, names = self.words, self.channel_names
        if channels:
            channel = channels[0]
            words += f", link {names[channel] if channel < len(names) else f'channel {channel}'}"
        said = (
            f"a transfer's rate was {describe(transfer.rate)} at simulated time {self.env.now:.6g} s, "
            "written without set_rate() (which refuses it)"
        )
        raise PluginFailed(refusal(words, said, "a rate in bytes/s, a finite number >= 0"))

    # -- the LinkModel protocol's share -----------------------------------
    def cancel(self, flow: Any) -> bool:
        """Abort ``flow`` now: its bytes stop, the others are re-rated, ``aborted(payload)`` is called.

        A transfer still propagating (its last byte left) is not delivered.
        Returns False when it had already been delivered or aborted.
        """
        if flow.state == SENDING:
            self._stop(flow)
        elif flow.state != PROPAGATING:
            return False
        flow.state = ABORTED
        if flow.aborted is not None:
            flow.aborted(flow.payload)
        return True

    def set_capacity(self, channel: int, capacity_bps: float) -> None:
        """Change a channel's capacity now; the transfers connected to it are re-rated.

        A channel that is down keeps 0 until it is back up, then this capacity.
        """
        capacity_Bps = capacity_bps / 8.0
        if channel in self._down:
            self._down[channel] = capacity_Bps
            return
        self._log_capacity(channel, capacity_bps)
        self.capacity_Bps[channel] = capacity_Bps
        self._rerate(channel)

    def set_up(self, channel: int, up: bool) -> None:
        """Take ``channel`` down (capacity 0, transfers crossing it aborted) or bring it back up."""
        if up:
            if channel in self._down:
                capacity_Bps = self._down.pop(channel)
                self.set_capacity(channel, capacity_Bps * 8.0)
            return
        if channel in self._down:
            return
        self._down[channel] = self.capacity_Bps[channel]
        self._log_capacity(channel, 0.0)
        self.capacity_Bps[channel] = 0.0
        for transfer in list(self.crossing[channel]):
            self.cancel(transfer)

    def share_Bps(self, channels: Sequence[int]) -> float:
        """``capacity / (transfers crossing + 1)`` at the route's bottleneck now, bytes/s.

        What a policy estimates a new transfer would get; under fifo links it is
        the mean rate over the queue, not the rate of the first in line.
        """
        capacity, crossing = self.capacity_Bps, self.crossing
        best = math.inf
        for c in channels:
            share = capacity[c] / (len(crossing[c]) + 1)
            if share < best:
                best = share
        return best

    def flow_count(self, channel: int) -> int:
        """Transfers crossing ``channel`` now (under fifo links, waiting ones included)."""
        return len(self.crossing[channel])

    def bytes_carried_now(self) -> list[float]:
        """Bytes each channel has carried so far, counting what transfers still in flight have sent.

        A model books a transfer's bytes in ``bytes_carried`` when it leaves a
        channel; a saturated link whose transfers never finish would otherwise
        read as idle.
        """
        now = self.env.now
        carried = list(self.bytes_carried)
        for c in range(len(carried)):
            for transfer in self.crossing[c]:
                carried[c] += sent_bytes(transfer, now)
        return carried

    def is_up(self, channel: int) -> bool:
        """False while ``channel`` is down."""
        return channel not in self._down

    def capacity_Bps_now(self, channel: int) -> float:
        """The channel's capacity in force, bytes/s (0 while down)."""
        return self.capacity_Bps[channel]

    def capacity_bit_seconds(self, channel: int, t0: float, t1: float) -> float:
        """Capacity in force integrated over ``[t0, t1]``, in bits (0 while down).

        A channel whose capacity never changed gives ``capacity * (t1 - t0)``.
        """
        return self._capacity_log.integral(channel, t0, t1)

    # -- helpers ----------------------------------------------------------
    def _log_capacity(self, channel: int, capacity_bps: float) -> None:
        self._capacity_log.set(channel, self.env.now, capacity_bps)

    def _deliver_after(self, transfer: Any) -> None:
        """The last byte has left: the receiver is told after the route's latency (at once without one)."""
        if transfer.latency_s > 0.0:
            self._call_in(transfer.latency_s, deliver, transfer)
        else:
            transfer.state = DELIVERED
            transfer.callback(transfer.payload)


def _a_rate(rate: Any) -> bool:
    """Whether ``rate`` is a finite number >= 0: a float's test inline, any other number type's in full."""
    if type(rate) is float:
        return 0.0 <= rate < math.inf  # False for NaN
    return number_at_least(rate)


def sent_bytes(transfer: Any, now: float) -> float:
    """Bytes ``transfer`` has sent by ``now`` (``remaining`` as of ``last``, at ``rate`` since)."""
    sent = transfer.size - transfer.remaining + transfer.rate * (now - transfer.last)
    return min(max(sent, 0.0), transfer.size)


def deliver(transfer: Any) -> None:
    """The propagation latency has passed since the last byte left: tell the receiver."""
    if transfer.state == PROPAGATING:  # not cancelled meanwhile
        transfer.state = DELIVERED
        transfer.callback(transfer.payload)


def tell_aborted(transfer: Any) -> None:
    """Tell the sender of a transfer refused by a channel that is down."""
    if transfer.aborted is not None:
        transfer.aborted(transfer.payload)
