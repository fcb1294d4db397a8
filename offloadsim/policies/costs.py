"""What a plan's stages cost: codecs, reordered cuts, device energy and LLM requests, one model for all.

The engine executes these costs and the split optimisers price plans with
them, so an optimiser's choice and the engine's outcome agree:

* :func:`codec_cost`: a tensor crossing an inner cut under an activation
  codec travels smaller, at an encode cost on the sender and a decode cost
  on the receiver (FLOPs per element ÷ each processor's speed).
* :class:`DeviceEnergy` and :func:`radio_energy_j` (from
  :mod:`offloadsim.policies.device_energy`, the device-energy rule the
  engine's meters follow too): the watts a device draws *above idle* in
  each state, and what a task's radio activity costs it (transmit,
  receive, and the tail cut short by the next activity).
* :func:`reordered_cut_bytes`: the bytes crossing each cut of a DAG model
  run in a given layer order (a DADS partition runs as such a chain).
* :func:`llm_request_cost`: an LLM request over the segments of a plan on an
  idle system: prefill, then token by token decode, where a split decode
  sends each token back to the first segment before the next step (the
  per-token round trip) and every token streams home to the source.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from offloadsim.models.precision import TOKEN_BYTES
from offloadsim.policies.device_energy import DeviceEnergy, radio_energy_j, received_during

__all__ = [
    "CODECS",
    "TOKEN_BYTES",
    "Codec",
    "DeviceEnergy",
    "LLMStage",
    "RequestCost",
    "codec_cost",
    "llm_request_cost",
    "radio_energy_j",
    "reordered_cut_bytes",
]


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


def reordered_cut_bytes(
    graph: Any, order: Sequence[int], input_bytes: float, output_bytes: float
) -> list[float]:
    """Bytes crossing each cut ``k`` when layers run in ``order`` (a topological order).

    A tensor crosses cut ``k`` when its producer is among the first ``k``
    layers of ``order`` (the input counts as produced before them all) and
    some consumer is not.  ``graph`` has ``edges`` (producer, consumer;
    ``-1`` the input, ``n`` the output) and ``layers`` with ``output_bytes``.
    Raises ValueError if ``order`` breaks a dependency.
    """
    n = len(order)
    position = [0] * n
    for index, layer in enumerate(order):
        position[layer] = index
    last_use = [-1] * (n + 1)  # slot p + 1 for producer p; slot 0 is the model input
    for producer, consumer in graph.edges:
        consumer_position = n if consumer >= n else position[consumer]
        if producer >= 0 and position[producer] >= consumer_position:
            raise ValueError(f"layer order runs layer {consumer} before its input {producer}")
        last_use[producer + 1] = max(last_use[producer + 1], consumer_position)
    sizes = [input_bytes] + [float(layer.output_bytes) for layer in graph.layers]
    diff = [0.0] * (n + 2)
    for slot in range(n + 1):
        if last_use[slot] < 0:
            continue
        first_cut = 0 if slot == 0 else position[slot - 1] + 1
        diff[first_cut] += sizes[slot]
        diff[last_use[slot] + 1] -= sizes[slot]
    crossing, running = [], 0.0
    for k in range(n + 1):
        running += diff[k]
        crossing.append(running)
    crossing[n] = output_bytes
    return crossing


@dataclass(frozen=True, slots=True)
class LLMStage:
    """One non-empty segment of an LLM request's plan: its node and what its stages take there.

    ``decode_s`` holds one entry per decode step (the request's output
    tokens less one); ``hidden_bytes`` is one token's hidden state as the
    segment hands it on; ``wait_s`` is added before each stage (a queue).
    """

    node: str
    prefill_s: float
    decode_s: Sequence[float]
    hidden_bytes: float
    wait_s: float = 0.0


@dataclass(frozen=True, slots=True)
class RequestCost:
    """A request's latency, the joules its device adds above idle, and its time to first token."""

    latency_s: float
    energy_j: float
    ttft_s: float


Hop = Callable[[str, str], tuple[float, float]]
"""``(latency s, bandwidth bit/s)`` of a transfer from one node to another."""
# Seconds moving, in flight, whether the source sends it, bytes.
_Transfer = tuple[float, float, bool | None, float] | None


def llm_request_cost(
    stages: Sequence[LLMStage],
    source: str,
    prompt: int,
    output: int,
    hop: Hop,
    power: DeviceEnergy | None = None,
) -> RequestCost:
    """Latency and device energy of an LLM request run over ``stages``, as the engine runs it alone.

    The prompt (``prompt`` tokens) goes from ``source`` to the first
    segment; each segment prefills it and hands the hidden states of the
    prompt to the next; the last one produces a token.  Every token streams
    home to ``source``.  With one segment (or the first and last on one
    node) the next decode step starts at once; when split, it waits for the
    token to reach the first segment: home first when the first segment is
    the source, else sent straight from the last segment (alongside the
    copy going home).  Each decode step runs the segments in turn, one
    token's hidden state crossing each cut.  A transfer takes ``latency +
    8 size / bandwidth`` (each flow priced as if alone on its route).
    ``power`` (the source's :class:`DeviceEnergy`) prices the source's
    compute and radio (see :func:`radio_energy_j`) and the bits it sends and
    receives (:meth:`DeviceEnergy.bits_j`); without it energy is 0.

    A phone sends a 10-token prompt to an edge server (10 ms away, 8 Mbit/s
    both ways) that prefills in 0.1 s and decodes the second token in 20 ms:

    >>> edge = LLMStage("edge", prefill_s=0.1, decode_s=[0.02], hidden_bytes=2048.0)
    >>> cost = llm_request_cost([edge], "phone", 10, 2, lambda a, b: (0.01, 8e6))
    >>> round(cost.ttft_s, 6), round(cost.latency_s, 6)  # 80 us + 10 ms up, 8 us + 10 ms per token home
    (0.120088, 0.140088)
    """
    if not stages:
        raise ValueError("an LLM request needs at least one segment")
    radio: list[tuple[float, float, bool]] = []
    moved = [0.0, 0.0]  # bytes the source sends, and receives

    def transfer(a: str, b: str, size: float) -> _Transfer:
        """Seconds moving and in flight, and whether the source sends it (None: not at either end)."""
        if a == b:
            return None
        latency, bandwidth = hop(a, b)
        if size <= 0.0:
            return 0.0, latency, None, 0.0
        moving = 8.0 * size / bandwidth if bandwidth > 0.0 else math.inf
        return moving, latency, (a == source) if source in (a, b) else None, size

    def send(step: _Transfer, now: float) -> float:
        """When a transfer started at ``now`` arrives (the source's radio, and bytes, noted)."""
        if step is None:
            return now
        moving, latency, sending, size = step
        arrives = received_during(now, now + moving, latency)
        if sending:
            radio.append((now, now + moving, True))
            moved[0] += size
        elif sending is not None:
            radio.append((*arrives, False))
            moved[1] += size
        return arrives[1]

    first, last = stages[0].node, stages[-1].node
    nodes = [stage.node for stage in stages]
    pairs = range(len(stages) - 1)
    prompt_on = [transfer(nodes[i], nodes[i + 1], prompt * stages[i].hidden_bytes) for i in pairs]
    hand_on = [transfer(nodes[i], nodes[i + 1], stages[i].hidden_bytes) for i in pairs]  # one token's
    home = transfer(last, source, TOKEN_BYTES)
    if len(stages) == 1 or first == last:
        back = None  # streamed: the next step starts at once
    elif first == source:
        back = home  # the token reaches the first segment by coming home
    else:
        back = transfer(last, first, TOKEN_BYTES)  # alongside the copy going home
    computes_at_source = source in nodes
    busy_s = 0.0

    now = send(transfer(source, first, prompt * TOKEN_BYTES), 0.0)
    for index, stage in enumerate(stages):
        now += stage.wait_s + stage.prefill_s
        if stage.node == source:
            busy_s += stage.prefill_s
        if index < len(hand_on):
            now = send(prompt_on[index], now)
    ttft = finish = send(home, now)
    for step in range(output - 1):
        now = finish if back is home else send(back, now)
        for index, stage in enumerate(stages):
            seconds = stage.decode_s[step]
            now += stage.wait_s + seconds
            if computes_at_source and stage.node == source:
                busy_s += seconds
            if index < len(hand_on):
                now = send(hand_on[index], now)
        finish = max(finish, send(home, now))
    if math.isinf(finish) or finish != finish:  # a segment that cannot run, a dead link
        return RequestCost(math.inf, math.inf if power is not None else 0.0, math.inf)
    energy = 0.0
    if power is not None:
        energy = power.compute_j(busy_s) + radio_energy_j(radio, power) + power.bits_j(*moved)
    return RequestCost(finish, energy, ttft)
