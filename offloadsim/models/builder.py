"""A small builder that turns architecture definitions into a :class:`LayerGraph`.

Each method infers the output shape, computes FLOPs/MACs/parameters with
:mod:`offloadsim.models.ops` and appends one :class:`Layer`. Shapes include the
batch dimension (always 1): ``(1, C, H, W)`` for images, ``(1, T, d)`` for tokens.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from offloadsim.models import ops
from offloadsim.models.graph import INPUT, Layer, LayerGraph
from offloadsim.models.ops import Op, numel

__all__ = ["GraphBuilder", "Tensor"]


@dataclass(frozen=True, slots=True)
class Tensor:
    """A handle on a layer's output while a graph is being built."""

    name: str
    shape: tuple[int, ...]


class GraphBuilder:
    """Append layers one call at a time, then :meth:`build` the graph.

    >>> b = GraphBuilder("tiny", (1, 3, 8, 8))
    >>> x = b.conv(b.input, 4, 3, padding=1, bias=True, name="conv")
    >>> x = b.act(x, "relu", name="relu")
    >>> g = b.build()
    >>> g.macs, g.params, [layer.name for layer in g]
    (6912, 112, ['conv', 'relu'])
    """

    def __init__(
        self,
        name: str,
        input_shape: Sequence[int],
        *,
        dtype_bytes: float = 4,
        weight_bytes: float | None = None,
        input_bytes: int | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        self.name = name
        self.dtype_bytes = dtype_bytes
        # Bytes per weight where they differ from the activations' (an LLM's int4 weights, W4A16).
        self.weight_bytes = dtype_bytes if weight_bytes is None else weight_bytes
        self.input = Tensor(INPUT, tuple(input_shape))
        own_bytes = math.ceil(numel(input_shape) * dtype_bytes)
        self._input_bytes = own_bytes if input_bytes is None else input_bytes
        self._layers: list[Layer] = []
        self._names: set[str] = set()
        self._meta = dict(meta or {})

    # -- bookkeeping -------------------------------------------------------------------
    def _unique(self, name: str | None, op: str) -> str:
        base = name or f"{op}{len(self._layers)}"
        candidate, i = base, 1
        while candidate in self._names:
            candidate, i = f"{base}_{i}", i + 1
        self._names.add(candidate)
        return candidate

    def layer(
        self,
        op: str,
        inputs: Sequence[Tensor],
        out_shape: Sequence[int],
        *,
        name: str | None = None,
        flops: int = 0,
        macs: int = 0,
        params: int = 0,
        param_bytes: int = -1,
        **attrs: Any,
    ) -> Tensor:
        """Append a layer with explicit costs; the primitive behind every helper."""
        lname = self._unique(name, str(op))
        shape = tuple(int(d) for d in out_shape)
        if param_bytes < 0 and self.weight_bytes != self.dtype_bytes:
            param_bytes = math.ceil(int(params) * self.weight_bytes)
        self._layers.append(
            Layer(
                name=lname,
                op=str(op),
                inputs=tuple(t.name for t in inputs),
                input_shapes=tuple(t.shape for t in inputs),
                output_shape=shape,
                flops=int(flops),
                macs=int(macs),
                params=int(params),
                dtype_bytes=self.dtype_bytes,
                param_bytes=int(param_bytes),
                attrs=tuple(attrs.items()),
            )
        )
        return Tensor(lname, shape)

    def build(self, outputs: Sequence[Tensor] = ()) -> LayerGraph:
        """Return the finished graph; ``outputs`` default to the last layer."""
        return LayerGraph(
            name=self.name,
            layers=tuple(self._layers),
            input_shape=self.input.shape,
            input_bytes=self._input_bytes,
            outputs=tuple(t.name for t in outputs),
            meta=self._meta,
        )

    # -- convolutional networks --------------------------------------------------------
    def conv(
        self,
        x: Tensor,
        out_channels: int,
        kernel: int,
        stride: int = 1,
        padding: int = 0,
        groups: int = 1,
        bias: bool = False,
        name: str | None = None,
    ) -> Tensor:
        """2-D convolution (square kernel) on an NCHW tensor."""
        n, c, h, w = x.shape
        oh = ops.conv_output_hw(h, kernel, stride, padding)
        ow = ops.conv_output_hw(w, kernel, stride, padding)
        out = (n, out_channels, oh, ow)
        macs = ops.conv_macs(out, c, (kernel, kernel), groups)
        return self.layer(
            Op.CONV,
            [x],
            out,
            name=name,
            flops=2 * macs,
            macs=macs,
            params=ops.conv_params(c, out_channels, (kernel, kernel), groups, bias),
            kernel=kernel,
            stride=stride,
            padding=padding,
            groups=groups,
            bias=bias,
        )

    def bn(self, x: Tensor, name: str | None = None) -> Tensor:
        """Inference batch norm: 2 trainable params per channel, 4 stored (with statistics)."""
        c = x.shape[1]
        return self.layer(
            Op.NORM,
            [x],
            x.shape,
            name=name,
            flops=ops.elementwise_flops("batchnorm", x.shape),
            params=2 * c,
            param_bytes=math.ceil(4 * c * self.dtype_bytes),
            kind="batchnorm",
        )

    def act(self, x: Tensor, kind: str = "relu", name: str | None = None) -> Tensor:
        """Element-wise activation ``kind`` (a key of :data:`ops.ELEMENTWISE_FLOPS`)."""
        return self.layer(
            Op.ACT, [x], x.shape, name=name, flops=ops.elementwise_flops(kind, x.shape), kind=kind
        )

    def pool(
        self,
        x: Tensor,
        kernel: int,
        stride: int | None = None,
        padding: int = 0,
        kind: str = "max",
        ceil: bool = False,
        name: str | None = None,
    ) -> Tensor:
        """Max or average pooling with a square window."""
        stride = kernel if stride is None else stride
        n, c, h, w = x.shape
        out = (
            n,
            c,
            ops.pool_output_hw(h, kernel, stride, padding, ceil=ceil),
            ops.pool_output_hw(w, kernel, stride, padding, ceil=ceil),
        )
        return self.layer(
            Op.POOL,
            [x],
            out,
            name=name,
            flops=ops.pool_flops(out, (kernel, kernel)),
            kind=kind,
            kernel=kernel,
            stride=stride,
            padding=padding,
            ceil=ceil,
        )

    def adaptive_avgpool(self, x: Tensor, size: int, name: str | None = None) -> Tensor:
        """Adaptive average pool to ``size x size``, as PyTorch computes it for any input size.

        When the input divides into equal square windows this is a plain
        average pool (kernel = stride = input / size), as PyTorch runs it;
        otherwise a ``pool`` of kind ``adaptive_avg`` whose windows differ in
        length and may overlap (:func:`offloadsim.models.ops.adaptive_windows`),
        costed one add per window element.
        """
        n, c, h, w = x.shape
        if h == w and h % size == 0:
            return self.pool(x, h // size, h // size, kind="avg", name=name)
        return self.layer(
            Op.POOL,
            [x],
            (n, c, size, size),
            name=name,
            flops=ops.adaptive_pool_flops(c, (h, w), (size, size)),
            kind="adaptive_avg",
            output_size=size,
        )

    def global_avgpool(self, x: Tensor, name: str | None = None) -> Tensor:
        """Average over all spatial positions: one add per input element."""
        n, c = x.shape[:2]
        return self.layer(Op.POOL, [x], (n, c, 1, 1), name=name, flops=numel(x.shape), kind="global_avg")

    def flatten(self, x: Tensor, name: str | None = None) -> Tensor:
        """Flatten all but the batch axis (no arithmetic)."""
        return self.layer(Op.RESHAPE, [x], (x.shape[0], numel(x.shape[1:])), name=name, kind="flatten")

    def concat(self, xs: Sequence[Tensor], axis: int = 1, name: str | None = None) -> Tensor:
        """Concatenate along ``axis`` (no arithmetic)."""
        out = list(xs[0].shape)
        out[axis] = sum(t.shape[axis] for t in xs)
        return self.layer(Op.CONCAT, xs, out, name=name, axis=axis)

    # -- shared by all families --------------------------------------------------------
    def linear(self, x: Tensor, out_features: int, bias: bool = True, name: str | None = None) -> Tensor:
        """Fully connected layer on the last axis; every other axis counts as rows."""
        rows, d_in = numel(x.shape[:-1]), x.shape[-1]
        macs = ops.linear_macs(rows, d_in, out_features)
        return self.layer(
            Op.LINEAR,
            [x],
            (*x.shape[:-1], out_features),
            name=name,
            flops=2 * macs,
            macs=macs,
            params=d_in * out_features + (out_features if bias else 0),
            in_features=d_in,
            out_features=out_features,
            bias=bias,
        )

    def add(self, a: Tensor, b: Tensor, name: str | None = None) -> Tensor:
        """Element-wise sum (residual connection); ``b`` may broadcast."""
        return self.layer(Op.ADD, [a, b], a.shape, name=name, flops=ops.elementwise_flops("add", a.shape))

    def mul(self, a: Tensor, b: Tensor, name: str | None = None) -> Tensor:
        """Element-wise product; ``b`` may broadcast (squeeze-and-excitation scale)."""
        return self.layer(Op.MUL, [a, b], a.shape, name=name, flops=ops.elementwise_flops("mul", a.shape))

    # -- transformers ------------------------------------------------------------------
    def norm(self, x: Tensor, kind: str = "layernorm", name: str | None = None) -> Tensor:
        """LayerNorm (scale and shift) or RMSNorm (scale only) over the last axis."""
        d = x.shape[-1]
        params = 2 * d if kind == "layernorm" else d
        return self.layer(
            Op.NORM,
            [x],
            x.shape,
            name=name,
            flops=ops.elementwise_flops(kind, x.shape),
            params=params,
            kind=kind,
        )

    def embedding(
        self, x: Tensor, vocab: int, d: int, rows: int | None = None, name: str | None = None
    ) -> Tensor:
        """Table lookup of ``vocab x d`` parameters (no arithmetic) for ``x``'s tokens."""
        tokens = x.shape[1] if rows is None else rows
        return self.layer(Op.EMBEDDING, [x], (1, tokens, d), name=name, params=vocab * d, vocab=vocab)

    def elementwise(
        self,
        xs: Sequence[Tensor],
        kind: str,
        out_shape: Sequence[int] | None = None,
        op: str = Op.ELEMENTWISE,
        params: int = 0,
        name: str | None = None,
    ) -> Tensor:
        """Any element-wise operator ``kind`` with optional learned parameters."""
        shape = tuple(xs[0].shape if out_shape is None else out_shape)
        return self.layer(
            op, xs, shape, name=name, flops=ops.elementwise_flops(kind, shape), params=params, kind=kind
        )

    def attention_scores(
        self,
        q: Tensor,
        k: Tensor,
        heads: int,
        head_dim: int,
        q_len: int,
        kv_len: int,
        causal: bool,
        name: str | None = None,
    ) -> Tensor:
        """``Q K^T`` per head; a causal mask skips the keys after each query."""
        pairs = _attended_pairs(q_len, kv_len, causal)
        macs = heads * pairs * head_dim
        return self.layer(
            Op.MATMUL, [q, k], (1, heads, q_len, kv_len), name=name, flops=2 * macs, macs=macs, causal=causal
        )

    def attention_softmax(
        self, s: Tensor, heads: int, q_len: int, kv_len: int, causal: bool, name: str | None = None
    ) -> Tensor:
        """Softmax over the attended keys of each query."""
        pairs = _attended_pairs(q_len, kv_len, causal)
        return self.layer(
            Op.SOFTMAX, [s], s.shape, name=name, flops=ops.ELEMENTWISE_FLOPS["softmax"] * heads * pairs
        )

    def attention_values(
        self,
        p: Tensor,
        v: Tensor,
        heads: int,
        head_dim: int,
        q_len: int,
        kv_len: int,
        causal: bool,
        name: str | None = None,
    ) -> Tensor:
        """Probabilities times ``V``, heads concatenated back to ``(1, q_len, heads*head_dim)``."""
        pairs = _attended_pairs(q_len, kv_len, causal)
        macs = heads * pairs * head_dim
        return self.layer(
            Op.MATMUL,
            [p, v],
            (1, q_len, heads * head_dim),
            name=name,
            flops=2 * macs,
            macs=macs,
            causal=causal,
        )


def _attended_pairs(q_len: int, kv_len: int, causal: bool) -> int:
    """(query, key) pairs computed; causal queries are the last ``q_len`` of ``kv_len``."""
    if not causal:
        return q_len * kv_len
    past = kv_len - q_len
    # query i (0-based) sees past + i + 1 keys
    return q_len * past + q_len * (q_len + 1) // 2
