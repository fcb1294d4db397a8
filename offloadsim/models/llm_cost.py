"""Cost model of decoder-only LLM requests: per-block prefill and decode times on a processor.

Stage time is the roofline bound ``max(FLOPs / speed, bytes / memory
bandwidth)``: prefill over a prompt comes out compute-bound, each decode step
memory-bound (all weights plus the KV cache of the context are read).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from offloadsim.models.zoo.llm import LLMConfig

__all__ = ["LLMCost", "roofline_s"]


@dataclass(frozen=True, slots=True)
class LLMCost:
    """Per-block costs of a decoder-only model, from the zoo's closed forms."""

    config: LLMConfig
    per_token_flops: float  # all blocks, per token, excluding attention scores and the LM head
    per_pair_flops: float  # all blocks, per attended (query, key) pair
    head_flops: float
    block_weight_bytes: float  # one block's weights, read once per decode step
    head_weight_bytes: float  # LM head (+ final norm), read once per decode step
    hidden_bytes: float  # one token's hidden state crossing a cut (activation precision)
    kv_bytes_per_token: float  # all blocks (activation precision: 16 bits for int4 weights)

    @classmethod
    def of(cls, config: LLMConfig) -> LLMCost:
        """Derive the costs from the zoo's LLM formulas."""
        from offloadsim.models.zoo.llm import _flop_coefficients, decode_weight_bytes

        per_token, per_pair, head = _flop_coefficients(config)
        head_bytes = float(config.vocab * config.d_model * config.weight_bytes)
        blocks_bytes = float(decode_weight_bytes(config)) - head_bytes
        return cls(
            config,
            per_token,
            per_pair,
            head,
            blocks_bytes / config.layers,
            head_bytes,
            float(config.d_model * config.dtype_bytes),
            float(config.kv_bytes_per_token),
        )

    @property
    def layers(self) -> int:
        """Transformer blocks: the units a plan cuts between."""
        return self.config.layers

    def weight_bytes(self, start: int, stop: int) -> float:
        """The weights blocks ``[start, stop)`` read each step (+ the LM head with the last block).

        Over every block they add up to the model's ``decode_weight_bytes``: a block's share of
        the final norm and of the one embedding row a token reads included.

        >>> from offloadsim.models.zoo.llm import LLAMA_3_2_1B, decode_weight_bytes
        >>> cost = LLMCost.of(LLAMA_3_2_1B)
        >>> cost.weight_bytes(0, 4) + cost.weight_bytes(4, 16) == decode_weight_bytes(LLAMA_3_2_1B)
        True
        """
        weights = (stop - start) * self.block_weight_bytes
        if stop == self.layers:
            weights += self.head_weight_bytes
        return weights

    def prefill_s(self, speed_flops: float, memory_Bps: float, start: int, stop: int, prompt: int) -> float:
        """Time to prefill ``prompt`` tokens through blocks ``[start, stop)`` (+ LM head at the end)."""
        share = (stop - start) / self.layers
        flops = share * (self.per_token_flops * prompt + self.per_pair_flops * prompt * (prompt + 1) / 2)
        if stop == self.layers:
            flops += self.head_flops
        return roofline_s(flops, self.weight_bytes(start, stop), speed_flops, memory_Bps)

    def decode_s(self, speed_flops: float, memory_Bps: float, start: int, stop: int, context: int) -> float:
        """Time of one decode step through blocks ``[start, stop)`` with ``context`` tokens cached."""
        share = (stop - start) / self.layers
        flops = share * (self.per_token_flops + self.per_pair_flops * (context + 1))
        moved = (stop - start) * self.block_weight_bytes + share * self.kv_bytes_per_token * context
        if stop == self.layers:
            flops += self.head_flops
            moved += self.head_weight_bytes
        return roofline_s(flops, moved, speed_flops, memory_Bps)

    def request_s(
        self, speed_flops: float, memory_Bps: float, start: int, stop: int, prompt: int, output: int
    ) -> float:
        """Compute time of a whole request (prefill + all decode steps) on blocks ``[start, stop)``."""
        total = self.prefill_s(speed_flops, memory_Bps, start, stop, prompt)
        if output > 1:
            total += float(self.decode_steps_s(speed_flops, memory_Bps, start, stop, prompt, output).sum())
        return total

    def decode_steps_s(
        self, speed_flops: float, memory_Bps: float, start: int, stop: int, prompt: int, output: int
    ) -> np.ndarray:
        """Each decode step's time on blocks ``[start, stop)``: ``output - 1`` steps from context ``prompt``.

        Entry ``j`` equals :meth:`decode_s` with ``context = prompt + j``.
        """
        share = (stop - start) / self.layers
        contexts = np.arange(prompt, prompt + output - 1, dtype=np.float64)
        flops = share * (self.per_token_flops + self.per_pair_flops * (contexts + 1))
        moved = (stop - start) * self.block_weight_bytes + share * self.kv_bytes_per_token * contexts
        if stop == self.layers:
            flops = flops + self.head_flops
            moved = moved + self.head_weight_bytes
        times: np.ndarray = flops / speed_flops
        if memory_Bps > 0:
            times = np.maximum(times, moved / memory_Bps)
        return times


def roofline_s(flops: float, moved_bytes: float, speed: float, memory_Bps: float) -> float:
    """Roofline service time: the slower of computing ``flops`` and moving ``moved_bytes`` (0: FLOPs only)."""
    compute = flops / speed
    if memory_Bps > 0:
        return max(compute, moved_bytes / memory_Bps)
    return compute
