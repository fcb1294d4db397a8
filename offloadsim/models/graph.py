"""Layer graphs: a model as a DAG of layers, its cuts and the chain view the engine reads.

A :class:`LayerGraph` stores its layers in one topological order. A *cut at k*
splits that order after the first ``k`` layers: positions ``0..k-1`` run on one
side and ``k..L-1`` on the other. The bytes that cross the cut are the tensors
produced at a position ``< k`` and consumed at a position ``>= k``, each counted
once however many consumers it has. The model input is treated as produced at
position ``-1`` and the model outputs as consumed at position ``L``, so
``cut_bytes(g, 0)`` is the input and ``cut_bytes(g, len(g))`` the output.

FLOPs follow :mod:`offloadsim.models.ops`: FLOPs = 2 x multiply-accumulates for
convolutions, linear layers and matmuls; element-wise operators at a few FLOPs
per element.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from offloadsim.models.ops import numel

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "INPUT",
    "OUTPUT",
    "Layer",
    "LayerChain",
    "LayerGraph",
    "as_chain",
    "chain_cut_points",
    "cut_bytes",
    "segments",
    "to_networkx",
    "valid_cuts",
]

#: Producer name that stands for the model input in :attr:`Layer.inputs`.
INPUT = "<input>"
#: Consumer node that stands for the model output in :func:`to_networkx`.
OUTPUT = "<output>"


@dataclass(frozen=True, slots=True)
class Layer:
    """One operator of a model, with its cost and the tensor it produces.

    ``flops`` counts a multiply-accumulate as 2 FLOPs (``flops == 2 * macs`` for
    conv/linear/matmul). ``params`` counts trainable parameters as torchvision
    does; ``param_bytes`` is what the layer must hold in memory (it includes
    batch-norm running statistics). ``output_bytes`` defaults to the output
    shape times ``dtype_bytes``.

    >>> conv = Layer("conv1", "conv", (INPUT,), ((1, 3, 8, 8),), (1, 4, 8, 8),
    ...              flops=3456, macs=1728, params=112)
    >>> conv.output_bytes, conv.param_bytes
    (1024, 448)
    """

    name: str
    op: str
    inputs: tuple[str, ...]
    input_shapes: tuple[tuple[int, ...], ...]
    output_shape: tuple[int, ...]
    flops: int = 0
    macs: int = 0
    params: int = 0
    dtype_bytes: float = 4  # the activations' (an int4 LLM's param_bytes are its 0.5-byte weights')
    output_bytes: int = -1
    param_bytes: int = -1
    attrs: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self) -> None:
        if self.output_bytes < 0:
            object.__setattr__(self, "output_bytes", math.ceil(numel(self.output_shape) * self.dtype_bytes))
        if self.param_bytes < 0:
            object.__setattr__(self, "param_bytes", math.ceil(self.params * self.dtype_bytes))
        if min(self.flops, self.macs, self.params) < 0:
            raise ValueError(f"layer {self.name!r}: negative flops, macs or params")

    def attr(self, key: str, default: Any = None) -> Any:
        """Value of the operator attribute ``key`` (kernel, stride, ...), or ``default``."""
        for k, v in self.attrs:
            if k == key:
                return v
        return default


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class LayerGraph:
    """A model as layers in topological order plus producer -> consumer edges.

    ``edges`` holds ``(producer, consumer)`` positions; producer ``-1`` is the
    model input and consumer ``len(graph)`` the model output. Graphs compare and
    hash by identity so per-graph caches are cheap.

    >>> g = LayerGraph("tiny", (
    ...     Layer("a", "linear", (INPUT,), ((1, 4),), (1, 8), flops=64, macs=32, params=32),
    ...     Layer("b", "act", ("a",), ((1, 8),), (1, 8), flops=8),
    ... ), input_shape=(1, 4))
    >>> len(g), g.flops, g.input_bytes, g.output_bytes, g.edges
    (2, 72, 16, 32, ((-1, 0), (0, 1), (1, 2)))
    """

    name: str
    layers: tuple[Layer, ...]
    input_shape: tuple[int, ...]
    input_bytes: int = -1
    outputs: tuple[str, ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict)
    edges: tuple[tuple[int, int], ...] = field(init=False)
    _index: Mapping[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        layers = tuple(self.layers)
        if not layers:
            raise ValueError(f"graph {self.name!r} has no layers")
        index: dict[str, int] = {}
        edges: list[tuple[int, int]] = []
        for pos, layer in enumerate(layers):
            if layer.name in index or layer.name in (INPUT, OUTPUT):
                raise ValueError(f"graph {self.name!r}: duplicate or reserved layer name {layer.name!r}")
            if not layer.inputs:
                raise ValueError(f"graph {self.name!r}: layer {layer.name!r} has no inputs")
            for src in dict.fromkeys(layer.inputs):  # one edge per distinct producer
                if src == INPUT:
                    edges.append((-1, pos))
                elif src in index:
                    edges.append((index[src], pos))
                else:
                    raise ValueError(
                        f"graph {self.name!r}: layer {layer.name!r} reads {src!r}, which is not "
                        "an earlier layer (layers must be in topological order)"
                    )
            index[layer.name] = pos
        outputs = tuple(self.outputs) or (layers[-1].name,)
        for out in outputs:
            if out not in index:
                raise ValueError(f"graph {self.name!r}: unknown output layer {out!r}")
            edges.append((index[out], len(layers)))
        object.__setattr__(self, "layers", layers)
        object.__setattr__(self, "outputs", outputs)
        object.__setattr__(self, "input_shape", tuple(self.input_shape))
        object.__setattr__(self, "meta", MappingProxyType(dict(self.meta)))
        object.__setattr__(self, "edges", tuple(edges))
        object.__setattr__(self, "_index", MappingProxyType(index))
        if self.input_bytes < 0:
            own_bytes = math.ceil(numel(self.input_shape) * layers[0].dtype_bytes)
            object.__setattr__(self, "input_bytes", own_bytes)

    def __len__(self) -> int:
        return len(self.layers)

    def __repr__(self) -> str:
        return (
            f"LayerGraph({self.name!r}, {len(self.layers)} layers, {self.flops / 1e9:.3g} GFLOPs, "
            f"{self.params:,} params)"
        )

    def __iter__(self) -> Iterator[Layer]:
        return iter(self.layers)

    def __getitem__(self, key: int | str) -> Layer:
        return self.layers[self._index[key] if isinstance(key, str) else key]

    def position(self, name: str) -> int:
        """Topological position of the layer called ``name``."""
        return self._index[name]

    @property
    def flops(self) -> int:
        """Total FLOPs of one forward pass (2 x MACs for contractions)."""
        return sum(layer.flops for layer in self.layers)

    @property
    def macs(self) -> int:
        """Total multiply-accumulates of conv/linear/matmul layers."""
        return sum(layer.macs for layer in self.layers)

    @property
    def params(self) -> int:
        """Total trainable parameters."""
        return sum(layer.params for layer in self.layers)

    @property
    def param_bytes(self) -> int:
        """Bytes of all weights (and buffers such as batch-norm statistics)."""
        return sum(layer.param_bytes for layer in self.layers)

    @property
    def output_bytes(self) -> int:
        """Bytes of the model output tensor(s)."""
        return sum(self[name].output_bytes for name in self.outputs)

    def is_chain(self) -> bool:
        """Return True when every layer reads only its predecessor (no skip connections).

        >>> get = __import__("offloadsim.models", fromlist=["get_model"]).get_model
        >>> get("vgg16").is_chain(), get("resnet18").is_chain()
        (True, False)
        """
        return all(c == p + 1 for p, c in self.edges)


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class LayerChain:
    """A light, read-only array view of a graph for the simulation engine.

    The work of stage ``[i, j)`` is ``flops[i:j].sum()`` (or
    ``cum_flops[j] - cum_flops[i]``) and the transfer after it ``cut_bytes[j]``.
    ``cut_bytes`` has ``len + 1`` entries: ``cut_bytes[0]`` is the input and
    ``cut_bytes[-1]`` the output.
    """

    name: str
    names: tuple[str, ...]
    ops: tuple[str, ...]
    flops: np.ndarray
    param_bytes: np.ndarray
    cut_bytes: np.ndarray
    output_bytes: np.ndarray
    cum_flops: np.ndarray

    def __len__(self) -> int:
        return len(self.names)

    def __repr__(self) -> str:
        return f"LayerChain({self.name!r}, {len(self.names)} layers)"

    def stage_flops(self, start: int, stop: int) -> float:
        """FLOPs of layers ``start..stop-1`` in O(1)."""
        return float(self.cum_flops[stop] - self.cum_flops[start])


def _readonly(values: Sequence[float] | np.ndarray) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    array.setflags(write=False)
    return array


@functools.lru_cache(maxsize=256)
def as_chain(graph: LayerGraph) -> LayerChain:
    """Return the cached :class:`LayerChain` of ``graph`` (float64, read-only arrays).

    >>> from offloadsim.models import get_model
    >>> chain = as_chain(get_model("alexnet"))
    >>> len(chain.cut_bytes) == len(chain) + 1, int(chain.cut_bytes[0]) == 3 * 224 * 224 * 4
    (True, True)
    """
    n = len(graph)
    out_bytes = np.array([layer.output_bytes for layer in graph.layers], dtype=np.float64)
    last_use = np.full(n + 1, -1, dtype=np.int64)  # index p+1 for producer p (input at 0)
    for producer, consumer in graph.edges:
        last_use[producer + 1] = max(last_use[producer + 1], consumer)
    # A tensor from producer p crosses every cut k with p < k <= last_use[p].
    diff = np.zeros(n + 2, dtype=np.float64)
    sizes = np.concatenate(([float(graph.input_bytes)], out_bytes))
    for slot in range(n + 1):
        if last_use[slot] < 0:
            continue  # dead tensor: produced and never read
        diff[slot] += sizes[slot]  # producer p = slot - 1, first crossing cut k = p + 1 = slot
        diff[last_use[slot] + 1] -= sizes[slot]
    flops = np.array([layer.flops for layer in graph.layers], dtype=np.float64)
    return LayerChain(
        name=graph.name,
        names=tuple(layer.name for layer in graph.layers),
        ops=tuple(str(layer.op) for layer in graph.layers),
        flops=_readonly(flops),
        param_bytes=_readonly([layer.param_bytes for layer in graph.layers]),
        cut_bytes=_readonly(np.cumsum(diff)[: n + 1]),
        output_bytes=_readonly(out_bytes),
        cum_flops=_readonly(np.concatenate(([0.0], np.cumsum(flops)))),
    )


def cut_bytes(graph: LayerGraph, k: int) -> int:
    """Bytes crossing a cut after the first ``k`` layers (``0 <= k <= len(graph)``).

    Each tensor produced before ``k`` and read at or after ``k`` counts once.

    >>> g = LayerGraph("skip", (
    ...     Layer("a", "conv", (INPUT,), ((1, 1, 4, 4),), (1, 2, 4, 4)),
    ...     Layer("b", "conv", ("a",), ((1, 2, 4, 4),), (1, 2, 4, 4)),
    ...     Layer("c", "add", ("a", "b"), ((1, 2, 4, 4),) * 2, (1, 2, 4, 4)),
    ... ), input_shape=(1, 1, 4, 4))
    >>> [cut_bytes(g, k) for k in range(4)]  # after b both a and b cross
    [64, 128, 256, 128]
    """
    if not 0 <= k <= len(graph):
        raise IndexError(f"cut {k} outside 0..{len(graph)} for graph {graph.name!r}")
    return int(as_chain(graph).cut_bytes[k])


def valid_cuts(graph: LayerGraph) -> list[int]:
    """All cut positions ``0..len(graph)`` of the graph's topological order.

    For a chain every one of them transfers a single tensor; in a DAG some
    transfer several (see :func:`chain_cut_points`).

    >>> from offloadsim.models import get_model
    >>> len(valid_cuts(get_model("resnet18"))) == len(get_model("resnet18")) + 1
    True
    """
    return list(range(len(graph) + 1))


def chain_cut_points(graph: LayerGraph) -> list[int]:
    """Cut positions where exactly one tensor crosses (block boundaries of a DAG).

    >>> g = LayerGraph("skip", (
    ...     Layer("a", "conv", (INPUT,), ((1, 4),), (1, 4)),
    ...     Layer("b", "act", ("a",), ((1, 4),), (1, 4)),
    ...     Layer("c", "add", ("a", "b"), ((1, 4),) * 2, (1, 4)),
    ... ), input_shape=(1, 4))
    >>> chain_cut_points(g)
    [0, 1, 3]
    """
    n = len(graph)
    crossing = np.zeros(n + 2, dtype=np.int64)
    last_use: dict[int, int] = {}
    for producer, consumer in graph.edges:
        last_use[producer] = max(last_use.get(producer, consumer), consumer)
    for producer, last in last_use.items():
        crossing[producer + 1] += 1
        crossing[last + 1] -= 1
    counts = np.cumsum(crossing)[: n + 1]
    return [int(k) for k in np.flatnonzero(counts == 1)]


def segments(graph: LayerGraph, cuts: Sequence[int]) -> list[tuple[int, int]]:
    """Half-open ``(start, stop)`` layer ranges between sorted ``cuts``.

    Stage ``i`` of a plan runs ``segments[i]``; a repeated cut, or one at 0 or
    ``len(graph)``, gives an empty segment so stages keep their positions.

    >>> from offloadsim.models import get_model
    >>> segments(get_model("alexnet"), [0, 5])
    [(0, 0), (0, 5), (5, 20)]
    """
    n = len(graph)
    previous = 0
    bounds: list[tuple[int, int]] = []
    for cut in cuts:
        if not previous <= cut <= n:
            raise ValueError(f"cuts must be sorted and within 0..{n}, got {list(cuts)}")
        bounds.append((previous, int(cut)))
        previous = int(cut)
    bounds.append((previous, n))
    return bounds


def to_networkx(graph: LayerGraph) -> nx.DiGraph:
    """Export the layers as a networkx DiGraph, for DAG algorithms such as a min-cut.

    Nodes are layer names plus :data:`INPUT` and :data:`OUTPUT`; each carries
    ``position``, ``op``, ``flops``, ``macs``, ``params``, ``param_bytes`` and
    ``output_bytes``. Each edge carries ``bytes``, the producer's output size.

    >>> from offloadsim.models import get_model
    >>> G = to_networkx(get_model("resnet18"))
    >>> G.number_of_nodes() == len(get_model("resnet18")) + 2
    True
    >>> G.edges[INPUT, "conv1"]["bytes"]
    602112
    """
    import networkx as nx

    g = nx.DiGraph(name=graph.name)
    n = len(graph)
    g.add_node(
        INPUT,
        position=-1,
        op="input",
        flops=0,
        macs=0,
        params=0,
        param_bytes=0,
        output_bytes=graph.input_bytes,
    )
    for pos, layer in enumerate(graph.layers):
        g.add_node(
            layer.name,
            position=pos,
            op=str(layer.op),
            flops=layer.flops,
            macs=layer.macs,
            params=layer.params,
            param_bytes=layer.param_bytes,
            output_bytes=layer.output_bytes,
        )
    g.add_node(
        OUTPUT,
        position=n,
        op="output",
        flops=0,
        macs=0,
        params=0,
        param_bytes=0,
        output_bytes=graph.output_bytes,
    )
    for producer, consumer in graph.edges:
        src = INPUT if producer < 0 else graph.layers[producer].name
        dst = OUTPUT if consumer == n else graph.layers[consumer].name
        g.add_edge(src, dst, bytes=g.nodes[src]["output_bytes"])
    return g
