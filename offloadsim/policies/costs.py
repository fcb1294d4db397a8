"""What a plan's stages cost: activation codecs at cuts and the device's energy, one model for all.

The engine executes these costs and the split optimisers price plans with
them, so an optimiser's choice and the engine's outcome agree:

* :func:`codec_cost`: a tensor crossing an inner cut under an activation
  codec travels smaller, at an encode cost on the sender and a decode cost
  on the receiver (FLOPs per element ÷ each processor's speed).
* :class:`DeviceEnergy`: the watts a device draws *above idle* in each
  state.  A task is charged these increments: its compute stages
  (``busy - idle`` per busy core), its bytes leaving and arriving
  (``transmit - idle``, ``receive - idle``, shared equally by flows that
  overlap on one radio) and its radio tail (``transmit - idle`` for up to
  ``tail`` after the radio's last activity, cut short by the next one).
  The idle floor belongs to the node, not to a task: a node's energy is
  ``idle × time alive`` plus what its tasks were charged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["CODECS", "Codec", "DeviceEnergy", "codec_cost"]


@dataclass(frozen=True, slots=True)
class Codec:
    """Activation compression: bytes per element on the wire, FLOPs per element to encode and decode."""

    bytes_per_element: float
    encode_flops: float
    decode_flops: float


# fp16: one conversion each way; int8: scale, round and clamp to encode, scale to decode.
CODECS = {"fp16": Codec(2.0, 1.0, 1.0), "int8": Codec(1.0, 4.0, 2.0)}


def codec_cost(
    size_bytes: float,
    codec: Codec | None,
    sender_flops: float,
    receiver_flops: float,
    dtype_bytes: float = 4.0,
) -> tuple[float, float, float]:
    """``(bytes on the wire, encode s, decode s)`` for a tensor of ``size_bytes`` crossing an inner cut.

    ``dtype_bytes`` is the model's bytes per element: a codec no narrower
    than the model's own precision does nothing (and costs nothing).

    >>> codec_cost(4e6, CODECS["int8"], 1e9, 1e12)  # 1 M fp32 elements: 1 MB, 4 ms, 2 us
    (1000000.0, 0.004, 2e-06)
    >>> codec_cost(4e6, None, 1e9, 1e12)
    (4000000.0, 0.0, 0.0)
    """
    if codec is None or codec.bytes_per_element >= dtype_bytes or size_bytes <= 0.0:
        return size_bytes, 0.0, 0.0
    elements = size_bytes / dtype_bytes
    return (
        elements * codec.bytes_per_element,
        elements * codec.encode_flops / sender_flops,
        elements * codec.decode_flops / receiver_flops,
    )


@dataclass(frozen=True, slots=True)
class DeviceEnergy:
    """A device's watts above idle by state, as its tasks are charged (see the module docstring).

    ``busy_w`` is per busy core (``(busy - idle) / cores``); ``tail_w`` is
    what the radio draws above idle during its tail, for up to ``tail_s``.

    >>> from types import SimpleNamespace
    >>> DeviceEnergy.of(SimpleNamespace(idle_w=0.5, busy_w=3.0, transmit_w=1.3, receive_w=1.0, tail_s=0.2))
    DeviceEnergy(busy_w=2.5, transmit_w=0.8, receive_w=0.5, tail_w=0.8, tail_s=0.2)
    """

    busy_w: float
    transmit_w: float
    receive_w: float
    tail_w: float = 0.0
    tail_s: float = 0.0

    @classmethod
    def of(cls, power: Any, cores: int = 1) -> DeviceEnergy:
        """From a node's power by state; a :class:`DeviceEnergy` is returned as it is.

        ``power`` has ``busy_w``, ``transmit_w`` and ``receive_w``; ``idle_w``
        and ``tail_s`` default to 0.
        """
        if isinstance(power, DeviceEnergy):
            return power
        idle = float(getattr(power, "idle_w", 0.0))
        transmit = float(power.transmit_w) - idle
        return cls(
            (float(power.busy_w) - idle) / max(1, cores),
            transmit,
            float(power.receive_w) - idle,
            transmit,
            float(getattr(power, "tail_s", 0.0)),
        )
