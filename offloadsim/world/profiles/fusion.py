"""Layer configurations and the *units* calibration times: a layer plus the layers a backend fuses into it.

A :class:`LayerConfig` is what a layer's run time depends on: operator, input
and output shapes, attributes. A :class:`Unit` is a short chain of
configurations a backend runs as one kernel, e.g. onnxruntime folds a batch
norm into the convolution before it and applies a following ReLU (and a
residual add) inside the same kernel. The :class:`FusionRules` of a backend
say which chains form units; with no rules every layer is its own unit.

Calibration times each distinct unit once. A unit's time is charged to its
first layer (the *head*); the fused layers after it cost nothing of their own.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from offloadsim.models.graph import INPUT, Layer, LayerGraph
from offloadsim.models.ops import numel

__all__ = [
    "NO_FUSION",
    "ORT_FUSION",
    "FUSION_RULES",
    "FusionRules",
    "LayerConfig",
    "Unit",
    "distinct_units",
    "fused_roofline_seconds",
    "layout_transitions",
    "partition",
    "unit_at",
]


@dataclass(frozen=True, slots=True)
class LayerConfig:
    """What one layer's run time depends on (no name, no position in a graph).

    >>> from offloadsim.models import get_model
    >>> cfg = LayerConfig.from_layer(get_model("alexnet")[0])
    >>> cfg.op, cfg.group, cfg.flops > 0, cfg.bytes_moved > 0
    ('conv', 'conv/spatial', True, True)
    """

    op: str
    input_shapes: tuple[tuple[int, ...], ...]
    output_shape: tuple[int, ...]
    attrs: tuple[tuple[str, Any], ...]
    flops: int
    param_bytes: int
    dtype_bytes: int = 4

    @classmethod
    def from_layer(cls, layer: Layer, input_order: tuple[int, ...] | None = None) -> LayerConfig:
        """The configuration of ``layer`` (inputs optionally reordered by ``input_order``)."""
        shapes = [tuple(int(d) for d in s) for s in layer.input_shapes]
        if input_order is not None:
            shapes = [shapes[i] for i in input_order]
        return cls(
            op=str(layer.op),
            input_shapes=tuple(shapes),
            output_shape=tuple(int(d) for d in layer.output_shape),
            attrs=tuple(sorted((str(k), _plain(v)) for k, v in layer.attrs if k != "onnx_op")),
            flops=int(layer.flops),
            param_bytes=int(layer.param_bytes),
            dtype_bytes=int(layer.dtype_bytes),
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LayerConfig:
        """Inverse of :meth:`to_dict`."""
        return cls(
            op=str(data["op"]),
            input_shapes=tuple(tuple(int(d) for d in s) for s in data["input_shapes"]),
            output_shape=tuple(int(d) for d in data["output_shape"]),
            attrs=tuple((str(k), _plain(v)) for k, v in data["attrs"]),
            flops=int(data["flops"]),
            param_bytes=int(data["param_bytes"]),
            dtype_bytes=int(data.get("dtype_bytes", 4)),
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return {
            "op": self.op,
            "input_shapes": [list(s) for s in self.input_shapes],
            "output_shape": list(self.output_shape),
            "attrs": [[k, v] for k, v in self.attrs],
            "flops": self.flops,
            "param_bytes": self.param_bytes,
            "dtype_bytes": self.dtype_bytes,
        }

    @property
    def key(self) -> str:
        """A canonical string that identifies the configuration (op + shapes + attrs)."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))

    def attr(self, name: str, default: Any = None) -> Any:
        """Value of attribute ``name`` or ``default``."""
        for k, v in self.attrs:
            if k == name:
                return v
        return default

    @property
    def input_bytes(self) -> int:
        """Bytes of all activation inputs."""
        return sum(numel(s) for s in self.input_shapes) * self.dtype_bytes

    @property
    def output_bytes(self) -> int:
        """Bytes of the output tensor."""
        return numel(self.output_shape) * self.dtype_bytes

    @property
    def bytes_moved(self) -> int:
        """Inputs + weights + output: the bytes a kernel must touch at least once."""
        return self.input_bytes + self.param_bytes + self.output_bytes

    @property
    def group(self) -> str:
        """Cost-model group: the op, refined where kernels differ a lot (``conv/depthwise``)."""
        if self.op == "conv":
            groups, kernel = int(self.attr("groups", 1)), self.attr("kernel", 1)
            c_in = self.input_shapes[0][1] if len(self.input_shapes[0]) > 1 else 1
            if groups > 1 and groups == c_in:
                return "conv/depthwise"
            pointwise = all(int(k) == 1 for k in (kernel if isinstance(kernel, list) else [kernel]))
            return "conv/pointwise" if pointwise else "conv/spatial"
        if self.op == "linear":  # one input row is a matrix-vector product, bound by the weights' bytes
            rows = numel(self.input_shapes[0]) // max(self.input_shapes[0][-1], 1)
            return "linear/vector" if rows == 1 else "linear/matrix"
        kind = self.attr("kind")
        if self.op in ("pool", "act", "norm") and kind:
            return f"{self.op}/{kind}"
        return self.op

    @property
    def family(self) -> str:
        """The fallback group above :attr:`group`: the op, except where kernels differ in kind (linear)."""
        return self.group if self.op == "linear" else self.op


def _plain(value: Any) -> Any:
    """Attribute values as JSON-stable plain types (tuples become lists)."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return value.item()
    return value


@dataclass(frozen=True, slots=True)
class Unit:
    """A chain of layer configurations run as one kernel: the head, then its fused tail.

    Tail layer ``i`` reads the previous layer's output as its first input; any
    further inputs (the skip tensor of a residual add) come from outside.
    """

    configs: tuple[LayerConfig, ...]

    @property
    def head(self) -> LayerConfig:
        """The first layer; the unit's time is charged to it."""
        return self.configs[0]

    @property
    def key(self) -> str:
        """Canonical identity: the configurations' keys in order."""
        return "|".join(c.key for c in self.configs)

    @property
    def group(self) -> str:
        """Cost-model group: the head's group, ``+act`` when an activation is fused."""
        fused_act = any(c.op == "act" for c in self.configs[1:])
        return self.head.group + ("+act" if fused_act else "")

    @property
    def flops(self) -> int:
        """FLOPs of every layer in the unit."""
        return sum(c.flops for c in self.configs)

    @property
    def bytes_moved(self) -> int:
        """External inputs + all weights + the final output."""
        inputs = self.head.input_bytes + sum(
            numel(s) * c.dtype_bytes for c in self.configs[1:] for s in c.input_shapes[1:]
        )
        return inputs + sum(c.param_bytes for c in self.configs) + self.configs[-1].output_bytes

    def to_dict(self) -> list[dict[str, Any]]:
        """Plain JSON-ready form."""
        return [c.to_dict() for c in self.configs]

    @classmethod
    def from_dict(cls, data: list[dict[str, Any]]) -> Unit:
        """Inverse of :meth:`to_dict`."""
        return cls(tuple(LayerConfig.from_dict(d) for d in data))


@dataclass(frozen=True, slots=True)
class FusionRules:
    """Which layers a backend runs fused into the layer before them.

    A unit starts at a layer whose group's op is in ``heads``. It then takes,
    in this order and each only when the previous layer's output feeds
    nothing else: a batch norm (``fold`` groups, right after a convolution),
    one residual add (``sum`` groups, after a convolution), and one
    activation (``act`` groups), which ends the unit.

    ``blocked_heads`` and ``blocked_pass`` describe a backend's private data
    layout (onnxruntime's NCHWc blocks on the CPU): units with a head op in
    ``blocked_heads`` run blocked, units of a ``blocked_pass`` group run
    blocked when all their inputs are, and every tensor crossing between a
    blocked and a plain unit is converted (see :func:`layout_transitions`).
    """

    name: str
    heads: tuple[str, ...] = ()
    fold: tuple[str, ...] = ()
    sum: tuple[str, ...] = ()
    act: tuple[str, ...] = ()
    blocked_heads: tuple[str, ...] = ()
    blocked_pass: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return {"name": self.name, **{k: list(getattr(self, k)) for k in _RULE_FIELDS}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FusionRules:
        """Inverse of :meth:`to_dict`."""
        return cls(str(data["name"]), *(tuple(data.get(k, ())) for k in _RULE_FIELDS))


_RULE_FIELDS = ("heads", "fold", "sum", "act", "blocked_heads", "blocked_pass")

#: Every layer on its own (numpy, torch eager).
NO_FUSION = FusionRules("none")

#: What onnxruntime's graph optimizer does to the zoo's CNNs on the CPU (and CUDA) providers:
#: Conv+BatchNormalization folding, Conv(+Add)+activation and Gemm+activation fusion.
ORT_FUSION = FusionRules(
    "onnxruntime",
    heads=("conv", "linear"),
    fold=("norm/batchnorm",),
    sum=("add",),
    act=("act/relu", "act/relu6", "act/sigmoid", "act/tanh"),
    blocked_heads=("conv",),
    # element-wise activations, pooling, same-shape adds and concats run on blocked tensors as they are;
    # a broadcasting multiply (squeeze-excite), flatten and linear layers need plain ones
    blocked_pass=(
        "pool/max",
        "pool/avg",
        "pool/global_avg",
        "add",
        "concat",
        "act/relu",
        "act/relu6",
        "act/sigmoid",
        "act/silu",
        "act/tanh",
        "act/gelu",
    ),
)


#: The rules by name: a processor's ``fusion`` key names one (a calibrated profile stores its own).
FUSION_RULES: dict[str, FusionRules] = {rules.name: rules for rules in (NO_FUSION, ORT_FUSION)}


def partition(graph: LayerGraph, rules: FusionRules) -> list[tuple[int, ...]]:
    """Split ``graph`` into units: tuples of layer positions, head first, covering every layer once.

    >>> from offloadsim.models import get_model
    >>> units = partition(get_model("resnet18"), ORT_FUSION)
    >>> units[0]  # conv1 + bn + relu
    (0, 1, 2)
    >>> sorted(p for u in units for p in u) == list(range(len(get_model("resnet18"))))
    True
    """
    n = len(graph)
    consumers: list[list[int]] = [[] for _ in range(n)]
    for producer, consumer in graph.edges:
        if producer >= 0:
            consumers[producer].append(consumer)
    taken = [False] * n
    units: list[tuple[int, ...]] = []

    def sole_next(pos: int) -> int | None:
        nxt = consumers[pos]
        return nxt[0] if len(nxt) == 1 and nxt[0] < n and not taken[nxt[0]] else None

    for pos, layer in enumerate(graph.layers):
        if taken[pos]:
            continue
        taken[pos] = True
        unit = [pos]
        if str(layer.op) in rules.heads:
            stage = 0  # 0: after head, 1: after fold, 2: after sum
            while (nxt := sole_next(unit[-1])) is not None:
                group = LayerConfig.from_layer(graph.layers[nxt]).group
                is_conv = str(layer.op) == "conv"
                if stage == 0 and is_conv and group in rules.fold:
                    stage = 1
                elif stage <= 1 and is_conv and group in rules.sum and _first_eligible(graph, nxt, unit[-1]):
                    stage = 2
                elif group in rules.act:
                    unit.append(nxt)
                    taken[nxt] = True
                    break
                else:
                    break
                unit.append(nxt)
                taken[nxt] = True
        units.append(tuple(unit))
    return units


def layout_transitions(graph: LayerGraph, rules: FusionRules) -> np.ndarray:
    """Bytes converted between blocked and plain layouts, per layer (charged to the consuming unit's head).

    The model output, when a blocked unit produces it, is converted once more
    (charged to that unit). All zeros when ``rules`` has no blocked layout.

    >>> from offloadsim.models import get_model
    >>> int(layout_transitions(get_model("resnet18"), ORT_FUSION).sum())  # one conversion: before flatten
    2048
    """
    n = len(graph)
    moved = np.zeros(n)
    if not rules.blocked_heads:
        return moved
    units = sorted(partition(graph, rules), key=max)  # by last layer: a topological order of units
    owner = {pos: u for u, positions in enumerate(units) for pos in positions}
    blocked: dict[int, bool] = {}
    for u, positions in enumerate(units):
        head = graph.layers[positions[0]]
        producers = sorted(
            {
                owner[graph.position(src)]
                for pos in positions
                for src in graph.layers[pos].inputs
                if src != INPUT and owner[graph.position(src)] != u
            }
        )
        if str(head.op) in rules.blocked_heads:
            blocked[u] = True
        else:
            group = unit_at(graph, positions).group
            blocked[u] = (
                bool(producers) and group in rules.blocked_pass and all(blocked[p] for p in producers)
            )
        for p in producers:
            if blocked[p] != blocked[u]:
                moved[positions[0]] += graph.layers[units[p][-1]].output_bytes
    for out in graph.outputs:
        pos = graph.position(out)
        if blocked[owner[pos]]:
            moved[units[owner[pos]][0]] += graph.layers[pos].output_bytes
    return moved


def _first_eligible(graph: LayerGraph, add_pos: int, chain_pos: int) -> bool:
    """A residual add joins the chain of its first input only (the one onnxruntime fuses)."""
    first = graph.layers[add_pos].inputs[0]
    return first != INPUT and graph.position(first) == chain_pos


def unit_at(graph: LayerGraph, positions: tuple[int, ...]) -> Unit:
    """The :class:`Unit` of layers ``positions`` (tail inputs reordered: the chain input first)."""
    configs = [LayerConfig.from_layer(graph.layers[positions[0]])]
    for prev, pos in itertools.pairwise(positions):
        layer = graph.layers[pos]
        chain = graph.layers[prev].name
        first = layer.inputs.index(chain) if chain in layer.inputs else 0
        order = (first, *(i for i in range(len(layer.input_shapes)) if i != first))
        configs.append(LayerConfig.from_layer(layer, order))
    return Unit(tuple(configs))


def distinct_units(graphs: Iterable[LayerGraph], rules: FusionRules) -> list[Unit]:
    """Every distinct unit of ``graphs`` under ``rules``, in first-seen order.

    >>> from offloadsim.models import get_model
    >>> g = get_model("vgg16")
    >>> len(distinct_units([g], NO_FUSION)) < len(g)
    True
    """
    seen: dict[str, Unit] = {}
    for graph in graphs:
        for positions in partition(graph, rules):
            unit = unit_at(graph, positions)
            seen.setdefault(unit.key, unit)
    return list(seen.values())


def fused_roofline_seconds(
    graph: LayerGraph, speed_flops: float, memory_Bps: float | None, rules: FusionRules
) -> np.ndarray:
    """Per-layer roofline time with ``rules``' units run as one kernel each, charged to the head.

    A unit (:func:`partition`, as a calibrated profile splits a graph) costs
    ``max(flops / speed, bytes / memory bandwidth)``: its bytes are those of
    :attr:`Unit.bytes_moved` (external inputs, weights, the last output: the
    intermediate tensors never reach memory) and its FLOPs leave out a batch
    norm folded into the convolution (``fold`` groups: folded into the weights
    before the run).  The fused layers get 0, as in a calibrated profile.

    >>> from offloadsim.models import get_model
    >>> g = get_model("resnet18")
    >>> fused = fused_roofline_seconds(g, 1e12, 30e9, ORT_FUSION)
    >>> float(fused[1]), float(fused[2])  # bn1, relu: folded into conv1
    (0.0, 0.0)
    >>> bool(fused.sum() < fused_roofline_seconds(g, 1e12, 30e9, NO_FUSION).sum())
    True
    """
    seconds = np.zeros(len(graph), dtype=np.float64)
    for positions in partition(graph, rules):
        unit = unit_at(graph, positions)
        flops = unit.head.flops + sum(c.flops for c in unit.configs[1:] if c.group not in rules.fold)
        time = flops / speed_flops
        if memory_Bps:
            time = max(time, unit.bytes_moved / memory_Bps)
        seconds[positions[0]] = time
    return seconds
