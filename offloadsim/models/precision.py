"""Numeric precision of a model: its name, its bytes per element, and which peak rate it runs at.

A model's precision fixes two things: how many bytes its weights,
activations and KV cache take (``dtype_bytes``), and which of a
processor's peak rates its arithmetic runs at (a GPU's fp16 tensor rate is
16x its fp32 rate).  ``int4`` is the exception, for LLMs only: weight-only
quantisation (W4A16, as GPTQ and AWQ deploy it), 4-bit weights with the
activations, KV cache and arithmetic in fp16 (see
:meth:`~offloadsim.models.zoo.llm.LLMConfig.with_precision`).  A scenario
gives either, or both when they agree::

    params: {precision: int4}      # 0.5 bytes per element
    params: {dtype_bytes: 2}       # fp16

A byte count names the precision it stands for: 0.5 int4, 1 int8,
2 fp16, 4 fp32 (give ``precision: bf16`` for bfloat16; it takes the
same bytes as fp16).

When a profile states no peak for a precision, the closest one it states
is used, along :data:`FALLBACK`: bf16 and fp16 computed as fp32 (hardware
without 16-bit arithmetic widens them), int8 at the fp16 rate, int4 at the
int8 rate.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from offloadsim.suggest import quoted

if TYPE_CHECKING:
    from offloadsim.models.graph import LayerGraph

__all__ = [
    "BYTES",
    "FALLBACK",
    "PRECISIONS",
    "TOKEN_BYTES",
    "WEIGHT_ONLY",
    "WEIGHT_ONLY_COMPUTE",
    "PrecisionError",
    "fallback_chain",
    "graph_precision",
    "parse_precision",
    "precision_for_bytes",
    "with_precision",
]

#: Bytes one element takes, per precision name.
BYTES: Mapping[str, float] = {"int4": 0.5, "int8": 1.0, "fp16": 2.0, "bf16": 2.0, "fp32": 4.0}
#: Precision names, narrowest first.
PRECISIONS = tuple(BYTES)
#: The precision a profile's peak is taken from when it states none for this one.
FALLBACK: Mapping[str, str | None] = {
    "int4": "int8",
    "int8": "fp16",
    "fp16": "fp32",
    "bf16": "fp32",
    "fp32": None,
}
#: Precisions that quantise an LLM's weights alone: activations, KV cache and arithmetic stay in 16 bits.
WEIGHT_ONLY = frozenset({"int4"})
#: The precision a weight-only model computes in: GPTQ's and AWQ's 4-bit kernels take fp16 activations.
WEIGHT_ONLY_COMPUTE = "fp16"
#: Bytes one token id takes on the wire (an int64): a prompt's tokens and each one generated.
TOKEN_BYTES = 8.0
_BY_BYTES = {0.5: "int4", 1.0: "int8", 2.0: "fp16", 4.0: "fp32"}


class PrecisionError(ValueError):
    """A precision or a byte count that names none; ``key`` is the parameter at fault."""

    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.key = key


def precision_for_bytes(dtype_bytes: float) -> str:
    """The precision a byte count stands for (2 bytes is fp16).

    >>> precision_for_bytes(0.5), precision_for_bytes(2), precision_for_bytes(4)
    ('int4', 'fp16', 'fp32')
    """
    name = _BY_BYTES.get(float(dtype_bytes))
    if name is None:
        raise PrecisionError(
            "dtype_bytes",
            f"expected the bytes per element of a real precision: {_bytes_choices()}, got "
            f"{quoted(dtype_bytes)}",
        )
    return name


def parse_precision(params: Mapping[str, Any], *, packed: bool = True) -> tuple[str, float] | None:
    """``(precision, dtype_bytes)`` from a model's ``precision`` and ``dtype_bytes`` parameters.

    None when neither is given.  Raises :class:`PrecisionError` (its ``key``
    names the parameter) for a value that is not a real precision: a
    non-number, a non-positive or fractional byte count such as 2.7, an
    unknown name, or a name and a byte count that disagree; and for int4
    unless ``packed`` (only LLM weights are quantised to half a byte, weight-only).

    >>> parse_precision({"dtype_bytes": 0.5})
    ('int4', 0.5)
    >>> parse_precision({"precision": "BF16"})
    ('bf16', 2.0)
    >>> parse_precision({"dtype_bytes": 2.7})
    Traceback (most recent call last):
    ...
    offloadsim.models.precision.PrecisionError: expected the bytes per element of a real precision: \
0.5 (int4), 1 (int8), 2 (fp16 or bf16) or 4 (fp32), got 2.7
    """
    name = params.get("precision")
    size = params.get("dtype_bytes")
    if name is None and size is None:
        return None
    if size is not None:
        if isinstance(size, bool) or not isinstance(size, int | float):
            raise PrecisionError(
                "dtype_bytes",
                f"expected a number of bytes per element ({_bytes_choices()}), got {quoted(size)}",
            )
        by_size = precision_for_bytes(size)
    if name is None:
        return _packed_ok(by_size, "dtype_bytes", packed), BYTES[by_size]
    if not isinstance(name, str) or name.lower() not in BYTES:
        import difflib  # here, for the message only: the engine imports this module (start-up)

        close = difflib.get_close_matches(str(name).lower(), PRECISIONS, n=1)
        hint = f" (did you mean {quoted(close[0])}?)" if close else ""
        raise PrecisionError(
            "precision", f"expected one of {', '.join(PRECISIONS)}, got {quoted(name)}{hint}"
        )
    name = name.lower()
    if size is not None and float(size) != BYTES[name]:
        raise PrecisionError(
            "dtype_bytes", f"{name} takes {BYTES[name]:g} bytes per element, got dtype_bytes {quoted(size)}"
        )
    return _packed_ok(name, "precision", packed), BYTES[name]


def _packed_ok(name: str, key: str, packed: bool) -> str:
    if not packed and BYTES[name] != int(BYTES[name]):
        raise PrecisionError(
            key,
            f"{name} is supported for LLMs only ({name} weights with 16-bit activations and KV cache, "
            "weight-only quantisation), not for layer graphs",
        )
    return name


def _bytes_choices() -> str:
    return "0.5 (int4), 1 (int8), 2 (fp16 or bf16) or 4 (fp32)"


def fallback_chain(precision: str) -> list[str]:
    """``precision`` and the precisions whose peak stands in for it, in order.

    >>> fallback_chain("int4")
    ['int4', 'int8', 'fp16', 'fp32']
    >>> fallback_chain("bf16")
    ['bf16', 'fp32']
    """
    chain: list[str] = []
    current: str | None = precision
    while current is not None:
        chain.append(current)
        current = FALLBACK[current]
    return chain


def graph_precision(graph: LayerGraph) -> str:
    """The precision a layer graph computes in: its ``precision`` metadata, else its bytes per element.

    >>> from offloadsim.models import get_model
    >>> graph_precision(get_model("resnet18")), graph_precision(get_model("llama-3.2-1b"))
    ('fp32', 'bf16')
    """
    named = graph.meta.get("precision")
    if isinstance(named, str) and named in BYTES:
        return named
    return _BY_BYTES.get(float(graph.layers[0].dtype_bytes), "fp32")


def with_precision(graph: LayerGraph, precision: str) -> LayerGraph:
    """``graph`` stored and computed in ``precision``: weights and activations resized.

    The input keeps its size when it is not the model's own tensor (token
    ids, say).  int4 is refused: only LLM weights are quantised that far.

    >>> from offloadsim.models import get_model
    >>> g = get_model("alexnet")
    >>> half = with_precision(g, "fp16")
    >>> half.param_bytes * 2 == g.param_bytes, half.input_bytes * 2 == g.input_bytes
    (True, True)
    """
    from offloadsim.models.graph import LayerGraph, numel

    size = BYTES[_packed_ok(precision, "precision", False)]
    if graph_precision(graph) == precision:
        return graph
    old = graph.layers[0].dtype_bytes
    scale = size / old
    layers = tuple(
        dataclasses.replace(
            layer,
            dtype_bytes=int(size),
            output_bytes=round(layer.output_bytes * scale),
            param_bytes=round(layer.param_bytes * scale),
        )
        for layer in graph.layers
    )
    own_input = graph.input_bytes == numel(graph.input_shape) * old
    return LayerGraph(
        graph.name,
        layers,
        graph.input_shape,
        input_bytes=round(graph.input_bytes * scale) if own_input else graph.input_bytes,
        outputs=graph.outputs,
        meta={**graph.meta, "precision": precision},
    )
