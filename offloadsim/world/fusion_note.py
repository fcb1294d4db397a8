"""The note on a roofline that charges each BatchNorm and activation its own round trip to memory.

A derived profile, or a plain speed with a memory bandwidth, prices every layer by itself unless
its processor says ``fusion: onnxruntime`` (docs/profiles.md, "A layer's time on a roofline, and
fusion").  In a memory-bound network that is a large share of the time, spent on layers a runtime
folds into the convolution before them, and a dry run said nothing of it: mobilenet_v2 in int8 on
an NPU-like plain speed spent 59 % of its compute there.  One line per run names the processors
and the largest share.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["NOTED_SHARE", "UnfusedShare", "unfused_note"]

#: Below this share of a task's compute the unfused layers are left unsaid: a quarter of the time is a
#: finding's worth, while the shipped quickstart's resnet50 on a100 (10 %) sits beside a 7x efficiency caveat.
NOTED_SHARE = 0.25

SECTION = "docs/profiles.md#a-layers-time-on-a-roofline-and-fusion"


@dataclass(frozen=True, slots=True)
class UnfusedShare:
    """How much of an application's compute on one processor fusion would take away."""

    processor: str  # its key path: nodes.phone.processor
    application: str  # its key path and model: applications.classify (mobilenet_v2)
    share: float  # 1 - fused / unfused compute time


def unfused_note(shares: Sequence[UnfusedShare], least: float | None = None) -> str | None:
    """One line naming the processors where fusion would take at least :data:`NOTED_SHARE` away.

    >>> unfused_note([UnfusedShare("nodes.npu.processor", "applications.a (mobilenet_v2)", 0.6)])[:75]
    'nodes.npu.processor: a roofline charges each BatchNorm and activation its o'
    >>> unfused_note([UnfusedShare("nodes.cpu.processor", "applications.a (resnet18)", 0.01)]) is None
    True

    ``least``: the smallest of several runs' largest shares (a sweep's points merged), said as a range.
    """
    noted = [s for s in shares if s.share >= NOTED_SHARE]
    if not noted:
        return None
    top = max(noted, key=lambda s: s.share)
    processors = ", ".join(dict.fromkeys(s.processor for s in noted))
    return (
        f"{processors}: a roofline charges each BatchNorm and activation its own round trip to memory, "
        f"which runtimes fuse into the convolution before it ({_range(least, top.share)} % of the compute of "
        f"{top.application} on {top.processor}); fusion: onnxruntime prices them fused ({SECTION})"
    )


def _range(least: float | None, top: float) -> str:
    """``60``, or ``53-60`` where several runs' largest shares differ (in whole percent)."""
    low, high = f"{(least if least is not None else top) * 100:.0f}", f"{top * 100:.0f}"
    return high if low == high else f"{low}-{high}"
