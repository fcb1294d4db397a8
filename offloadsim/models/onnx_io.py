"""ONNX import (any model -> LayerGraph) and export (zoo CNN graphs -> runnable ONNX).

``onnx`` is an optional dependency: ``pip install 'offloadsim[onnx]'``. Import
runs ONNX shape inference, then applies the same FLOP formulas as the zoo
(:mod:`offloadsim.models.ops`), so exporting a zoo graph and importing it back
preserves its FLOPs and parameter counts. An unknown batch dimension (the
first of an input) is taken as 1; an input's other unknown sizes are refused.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from offloadsim.models import ops
from offloadsim.models.graph import INPUT, OUTPUT, Layer, LayerGraph
from offloadsim.models.ops import Op, numel

if TYPE_CHECKING:
    import onnx

__all__ = [
    "adaptive_pool_matrix",
    "adaptive_pool_nodes",
    "export_onnx",
    "export_refusal",
    "graph_from_onnx",
    "load_onnx",
    "onnx_path_problem",
]

_INSTALL_HINT = "ONNX support needs the optional dependency: pip install 'offloadsim[onnx]'"

# ONNX op -> (layer kind, FLOPs per output element)
_UNARY = {
    "Relu": (Op.ACT, ops.ELEMENTWISE_FLOPS["relu"]),
    "Clip": (Op.ACT, ops.ELEMENTWISE_FLOPS["relu6"]),
    "LeakyRelu": (Op.ACT, ops.ELEMENTWISE_FLOPS["leaky_relu"]),
    "PRelu": (Op.ACT, ops.ELEMENTWISE_FLOPS["leaky_relu"]),
    "Sigmoid": (Op.ACT, ops.ELEMENTWISE_FLOPS["sigmoid"]),
    "HardSigmoid": (Op.ACT, 3),
    "Tanh": (Op.ACT, ops.ELEMENTWISE_FLOPS["tanh"]),
    "Gelu": (Op.ACT, ops.ELEMENTWISE_FLOPS["gelu"]),
    "HardSwish": (Op.ACT, ops.ELEMENTWISE_FLOPS["hardswish"]),
    "Elu": (Op.ACT, 4),
    "Selu": (Op.ACT, 4),
    "Softplus": (Op.ACT, 4),
    "Mish": (Op.ACT, 8),
    **{
        name: (Op.ELEMENTWISE, 1)
        for name in (
            "Exp",
            "Log",
            "Sqrt",
            "Erf",
            "Neg",
            "Abs",
            "Reciprocal",
            "Ceil",
            "Floor",
            "Round",
            "Sign",
            "Not",
            "Sin",
            "Cos",
            "IsNaN",
            "IsInf",
        )
    },
    "BatchNormalization": (Op.NORM, ops.ELEMENTWISE_FLOPS["batchnorm"]),
    "LayerNormalization": (Op.NORM, ops.ELEMENTWISE_FLOPS["layernorm"]),
    "InstanceNormalization": (Op.NORM, ops.ELEMENTWISE_FLOPS["layernorm"]),
    "GroupNormalization": (Op.NORM, ops.ELEMENTWISE_FLOPS["layernorm"]),
    "RMSNormalization": (Op.NORM, ops.ELEMENTWISE_FLOPS["rmsnorm"]),
    "Softmax": (Op.SOFTMAX, ops.ELEMENTWISE_FLOPS["softmax"]),
    "LogSoftmax": (Op.SOFTMAX, ops.ELEMENTWISE_FLOPS["softmax"]),
}
# element-wise with several inputs: (inputs - 1) FLOPs per output element
_NARY = {
    "Add": Op.ADD,
    "Mul": Op.MUL,
    **{
        name: Op.ELEMENTWISE
        for name in (
            "Sub",
            "Div",
            "Pow",
            "Max",
            "Min",
            "Sum",
            "Mean",
            "Equal",
            "Greater",
            "GreaterOrEqual",
            "Less",
            "LessOrEqual",
            "And",
            "Or",
            "Xor",
            "Where",
            "Mod",
            "BitShift",
        )
    },
}
_REDUCE = {
    "GlobalAveragePool",
    "GlobalMaxPool",
    "GlobalLpPool",
    "ReduceMean",
    "ReduceSum",
    "ReduceMax",
    "ReduceMin",
    "ReduceProd",
    "ReduceL1",
    "ReduceL2",
    "ReduceSumSquare",
    "ReduceLogSumExp",
    "ArgMax",
    "ArgMin",
}
_POOL = {"MaxPool", "AveragePool", "LpPool"}
# data movement only: 0 FLOPs
_MOVE = {
    "Reshape": Op.RESHAPE,
    "Flatten": Op.RESHAPE,
    "Transpose": Op.RESHAPE,
    "Squeeze": Op.RESHAPE,
    "Unsqueeze": Op.RESHAPE,
    "Concat": Op.CONCAT,
    **{
        name: Op.OTHER
        for name in (
            "Identity",
            "Dropout",
            "Split",
            "Slice",
            "Gather",
            "GatherElements",
            "GatherND",
            "Shape",
            "Size",
            "Cast",
            "CastLike",
            "Expand",
            "Tile",
            "Pad",
            "Constant",
            "ConstantOfShape",
            "Range",
            "DepthToSpace",
            "SpaceToDepth",
            "NonZero",
        )
    },
}


def _require_onnx() -> Any:
    try:
        import onnx
    except ImportError as exc:  # pragma: no cover - exercised only without onnx
        raise ImportError(_INSTALL_HINT) from exc
    return onnx


def load_onnx(model: str | os.PathLike[str] | onnx.ModelProto, *, name: str | None = None) -> LayerGraph:
    """Read an ONNX model (path or ``ModelProto``) as a :class:`LayerGraph`.

    External weight files are not read: parameter counts come from tensor
    shapes, so loading a large model is fast. Operators without a FLOP formula
    are counted at 1 FLOP per output element and listed in a warning.
    """
    onnx = _require_onnx()
    if isinstance(model, (str, os.PathLike)):
        name = name or Path(model).stem
        try:
            proto = onnx.load(os.fspath(model), load_external_data=False)
        except OSError:
            raise  # no such file, a directory: Python's own words
        except Exception as error:  # protobuf's DecodeError for a file that is no ONNX model
            raise OnnxImportError(import_failure(model, error, shown=os.fspath(model))) from error
    elif isinstance(model, onnx.ModelProto):
        proto = model
    else:  # 3 ended in "'int' object has no attribute 'graph'"
        raise TypeError(
            f"model: expected a path to an ONNX file or an onnx.ModelProto, got {type(model).__name__}"
        )
    return graph_from_onnx(proto, name=name or proto.graph.name or "onnx")


def _made_at(g: Any, name: str) -> dict[str, int]:
    """The index of the node that makes each tensor; a tensor two nodes make is a ValueError.

    ONNX assigns each name once; the second maker silently took the first one's place.
    """
    made_at: dict[str, int] = {}
    for idx, node in enumerate(g.node):
        for out in node.output:
            if out and out in made_at:
                raise ValueError(
                    f"graph {name!r}: tensor {out!r} is made by node {made_at[out]} and again by node {idx} "
                    "(an ONNX graph assigns each name once)"
                )
            if out:
                made_at[out] = idx
    return made_at


def _check_reads(
    node: Any, idx: int, reads: list[str], producer: Mapping[str, str], made_at: Mapping[str, int], name: str
) -> None:
    """Refuse a node reading a tensor that a later node makes (a cycle) or that nothing makes.

    Either was read as the model's input, at no warning: a cycle's edge dropped, a misspelt name
    made an input of the network.
    """
    for tensor in reads:
        if tensor in producer:
            continue
        where = made_at.get(tensor)
        if where == idx:
            raise ValueError(
                f"graph {name!r}: node {idx} ({node.op_type}) reads {tensor!r}, its own output (a cycle)"
            )
        if where is not None and where > idx:
            raise ValueError(
                f"graph {name!r}: node {idx} ({node.op_type}) reads {tensor!r}, which node {where} makes "
                "after it (a cycle, or nodes out of topological order)"
            )
        if where is None:
            raise ValueError(
                f"graph {name!r}: node {idx} ({node.op_type}) reads {tensor!r}, which no node, graph "
                "input or initializer makes"
            )


def _check_outputs(g: Any, made_at: Mapping[str, int], given: set[str], name: str) -> None:
    """Refuse a graph output that no node makes and that is no graph input or initializer.

    It was left out of the model's outputs at no warning (a misspelt name, a node deleted by
    hand): the model imported as if it had one output fewer, or none.
    """
    for out in g.output:
        if out.name not in made_at and out.name not in given:
            raise ValueError(
                f"graph {name!r}: output {out.name!r} is made by no node, graph input or initializer"
            )


def onnx_path_problem(path: str | os.PathLike[str]) -> str | None:
    """Why ``path`` cannot be an ONNX model file; None for a regular file (onnx then judges it).

    ``no such file``, ``is a directory``, ``is a FIFO (named pipe)`` or another device's words.

    Each reader of an ONNX path (a scenario's ``onnx:``, ``models show FILE``, ``calibrate --onnx``)
    asks it first: a FIFO was "no such file" to two of them and "ONNX file not found" to calibrate,
    as was a directory; onnx reading a FIFO would wait for a writer.
    """
    from offloadsim.bounded_read import not_a_file

    return not_a_file(path) if os.path.exists(path) else "no such file"


class OnnxImportError(ValueError):
    """A file :func:`load_onnx` could not read as an ONNX model; the message is one line."""


def import_failure(path: str | os.PathLike[str], error: BaseException, shown: str | None = None) -> str:
    """Why ``path`` could not be read as an ONNX model, in one line (``shown``: how to name it).

    Another kind of offloadsim file given in its place (a profile, a scenario) is named as such;
    else onnx's own complaint, on one line and cut at 200 characters, after ``cannot import``.
    A scenario's ``onnx:`` and ``models show FILE`` say it alike.
    """
    from offloadsim.input_kinds import ONNX_MODEL, misdirected_path

    if isinstance(error, OnnxImportError) and error.__cause__ is not None:  # said as onnx's own, as before
        error = error.__cause__
    wrong = misdirected_path(os.fspath(path), ONNX_MODEL)
    if wrong is not None:
        return wrong
    reason = " ".join(str(error).split())[:200] or type(error).__name__
    name = Path(path).name if shown is None else shown
    return f"cannot import {name} as an ONNX model ({type(error).__name__}: {reason})"


def _check_input_sizes(graph: Any, initializers: set[str]) -> None:
    """Refuse a model input whose sizes past the batch are unknown (``["N", 3, "H", "W"]``).

    Taken as 1 like a batch, they costed a CNN on a 1x1 image (and onnxruntime could not run it):
    only the leading batch dimension may be left open.
    """
    for vi in graph.input:
        if vi.name in initializers:
            continue
        tt = vi.type.tensor_type
        if not tt.HasField("shape"):
            raise ValueError(f"input {vi.name!r} has no shape: give the file fixed input sizes")
        for axis, dim in enumerate(tt.shape.dim):
            if axis > 0 and dim.dim_value <= 0:
                what = f"{dim.dim_param!r}" if dim.dim_param else "unknown"
                raise ValueError(
                    f"input {vi.name!r} has size {what} at axis {axis}; only a batch (axis 0) is taken "
                    f"as 1: give the file fixed input sizes"
                )


def graph_from_onnx(model: onnx.ModelProto, *, name: str) -> LayerGraph:
    """Convert an in-memory ``ModelProto`` (see :func:`load_onnx`)."""
    onnx = _require_onnx()
    try:
        model = onnx.shape_inference.infer_shapes(model, data_prop=True)
    except Exception as exc:  # keep going with the shapes the file declares
        warnings.warn(f"ONNX shape inference failed ({exc}); using declared shapes only", stacklevel=3)
    g = model.graph
    shapes: dict[str, tuple[int, ...]] = {}
    itemsize: dict[str, int] = {}
    for vi in (*g.input, *g.value_info, *g.output):
        tt = vi.type.tensor_type
        if tt.HasField("shape"):
            shapes[vi.name] = tuple(d.dim_value if d.dim_value > 0 else 1 for d in tt.shape.dim)
        if tt.elem_type:
            itemsize[vi.name] = _itemsize(onnx, tt.elem_type)
    initializers = {t.name: t for t in g.initializer}
    _check_input_sizes(g, set(initializers))
    for t in g.initializer:
        shapes[t.name] = tuple(t.dims)
        itemsize[t.name] = _itemsize(onnx, t.data_type)
    constants = set(initializers)
    producer = {vi.name: INPUT for vi in g.input if vi.name not in initializers}
    if not producer:
        raise ValueError(f"ONNX model {name!r} has no non-initializer input")

    layers: list[Layer] = []
    owned: set[str] = set()
    used_names: set[str] = {INPUT, OUTPUT}
    unknown: dict[str, int] = {}
    values = _ConstantValues(onnx, g)
    silu = _silu_pairs(g.node)
    adaptive = _adaptive_pool_pairs(g.node, values)
    absorbed = {sigmoid for sigmoid, _ in silu.values()} | {first for first, _, _ in adaptive.values()}
    made_at = _made_at(g, name)
    for idx, node in enumerate(g.node):
        data_inputs = [t for t in node.input if t and t not in constants]
        _check_reads(node, idx, data_inputs, producer, made_at, name)
        if node.op_type == "Constant" or not data_inputs:
            constants.update(node.output)  # folded: no data dependency on the model input
            continue
        if idx in absorbed:
            continue  # the Sigmoid of x * sigmoid(x): one SiLU layer at its Mul
        lname = _unique(node.name or f"{node.op_type}_{idx}", used_names)
        _require_shape(node, lname, shapes)
        for out in node.output:
            producer[out] = lname
        in_shapes = [shapes.get(t, ()) for t in node.input if t]
        out_shapes = [shapes.get(t, ()) for t in node.output if t]
        weights = True
        if idx in silu:
            data_inputs = [silu[idx][1]]
            out = out_shapes[0] if out_shapes else ()
            op, flops, macs, known = str(Op.ACT), ops.elementwise_flops("silu", out), 0, True
            attrs: list[tuple[str, Any]] = [("onnx_op", "Sigmoid+Mul"), ("kind", "silu")]
        elif idx in adaptive:
            _, x, size = adaptive[idx]
            data_inputs, x_shape = [x], shapes.get(x, ())
            flops = ops.adaptive_pool_flops(x_shape[1], x_shape[2:], (size, size)) if len(x_shape) == 4 else 0
            op, macs, known, weights = str(Op.POOL), 0, True, False  # the averaging matrices are no weights
            attrs = [("onnx_op", "MatMul+MatMul"), ("kind", "adaptive_avg"), ("output_size", size)]
        else:
            op, flops, macs, known = _cost(node, in_shapes, out_shapes, constants)
            attrs = [("onnx_op", node.op_type), *_zoo_attrs(node, in_shapes, out_shapes, values, constants)]
        if not known:
            unknown[node.op_type] = unknown.get(node.op_type, 0) + 1
        params, param_bytes = _weights(node, initializers, owned, itemsize) if weights else (0, 0)
        out0 = node.output[0]
        layers.append(
            Layer(
                name=lname,
                op=str(op),
                inputs=tuple(dict.fromkeys(producer.get(t, INPUT) for t in data_inputs)),
                input_shapes=tuple(shapes.get(t, ()) for t in data_inputs),
                output_shape=shapes.get(out0, ()),
                flops=flops,
                macs=macs,
                params=params,
                param_bytes=param_bytes,
                dtype_bytes=itemsize.get(out0, 4),
                output_bytes=sum(
                    numel(shapes.get(t, ())) * itemsize.get(t, 4) for t in node.output if t and t in shapes
                ),
                attrs=tuple(attrs),
            )
        )
    if unknown:
        listing = ", ".join(f"{op} x{n}" for op, n in sorted(unknown.items()))
        warnings.warn(
            f"no FLOP formula for ONNX op(s) {listing} in {name!r}: counted at 1 FLOP per output element",
            stacklevel=3,
        )
    graph_inputs = [vi.name for vi in g.input if vi.name not in initializers]
    _check_outputs(g, made_at, {*graph_inputs, *initializers}, name)
    outputs = tuple(dict.fromkeys(producer[o.name] for o in g.output if producer.get(o.name, INPUT) != INPUT))
    return LayerGraph(
        name=name,
        layers=tuple(layers),
        input_shape=shapes.get(graph_inputs[0], ()),
        input_bytes=sum(numel(shapes.get(t, ())) * itemsize.get(t, 4) for t in graph_inputs),
        outputs=outputs,
        meta={"family": "onnx", "source": "onnx"},
    )


def _require_shape(node: Any, layer: str, shapes: Mapping[str, tuple[int, ...]]) -> None:
    """Refuse a layer whose output ONNX shape inference gave no shape (an op outside its domains).

    Without one, the layer and every layer after it imported as a 1-element tensor of 0 bytes: a
    model of a few FLOPs whose cuts send nothing, said nowhere (com.microsoft's ``Gelu``).
    """
    if node.output[0] in shapes:
        return
    op = f"{node.domain} {node.op_type}" if node.domain not in ("", "ai.onnx") else node.op_type
    raise ValueError(
        f"node {layer!r} ({op}): ONNX shape inference gives its output {node.output[0]!r} no shape, "
        "so its FLOPs and bytes cannot be counted; export the model with standard ONNX ops"
    )


def _itemsize(onnx: Any, elem_type: int) -> int:
    try:
        return int(onnx.helper.tensor_dtype_to_np_dtype(elem_type).itemsize)
    except (KeyError, TypeError, ValueError):
        return 4


def _unique(base: str, used: set[str]) -> str:
    candidate, i = base, 1
    while candidate in used:
        candidate, i = f"{base}_{i}", i + 1
    used.add(candidate)
    return candidate


def _attr(node: Any, key: str, default: Any = None) -> Any:
    for a in node.attribute:
        if a.name == key:
            if a.ints:
                return list(a.ints)
            if a.type == a.STRING:
                return a.s.decode()
            return a.i if a.type == a.INT else a.f
    return default


# -- one representation: ONNX attributes in the zoo's names ---------------------------------

#: ONNX op -> the ``kind`` attribute the zoo's builder gives the same layer.
_KINDS = {
    "Relu": "relu",
    "Sigmoid": "sigmoid",
    "Tanh": "tanh",
    "Gelu": "gelu",
    "HardSwish": "hardswish",
    "LeakyRelu": "leaky_relu",
    "BatchNormalization": "batchnorm",
    "LayerNormalization": "layernorm",
    "RMSNormalization": "rmsnorm",
    "MaxPool": "max",
    "AveragePool": "avg",
    "GlobalAveragePool": "global_avg",
    "GlobalMaxPool": "global_max",
    "Flatten": "flatten",
}


class _ConstantValues:
    """Values of constant tensors (initializers and ``Constant`` nodes), read only when asked for."""

    def __init__(self, onnx: Any, graph: Any) -> None:
        self._onnx = onnx
        self._tensors = {t.name: t for t in graph.initializer}
        for node in graph.node:
            if node.op_type == "Constant" and node.output:
                for a in node.attribute:
                    if a.name == "value":
                        self._tensors[node.output[0]] = a.t

    def array(self, name: str) -> np.ndarray | None:
        """The value of constant ``name`` (None if it is not a constant or its data was not loaded)."""
        tensor = self._tensors.get(name)
        if tensor is None:
            return None
        try:
            return np.asarray(self._onnx.numpy_helper.to_array(tensor))
        except Exception:  # external data that was not loaded
            return None

    def scalar(self, name: str) -> float | None:
        """The value of a one-element constant ``name``, or None (not constant, not one element, external)."""
        array = self.array(name)
        return float(array.reshape(-1)[0]) if array is not None and array.size == 1 else None


def _snake(op_type: str) -> str:
    """``LeakyRelu`` -> ``leaky_relu``."""
    return "".join(f"_{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(op_type))


def _one(values: Sequence[int]) -> int | tuple[int, ...]:
    """One int when every axis agrees (the zoo's square kernels), else the per-axis tuple."""
    values = [int(v) for v in values]
    return values[0] if values and all(v == values[0] for v in values) else tuple(values)


def _window_attrs(node: Any, in_shape: tuple[int, ...], kernel: Sequence[int]) -> list[tuple[str, Any]]:
    """``kernel``, ``stride``, ``padding`` (and ``dilation`` when not 1) of a convolution or pooling node."""
    k = [int(v) for v in kernel]
    strides = _attr(node, "strides", [1] * len(k))
    dilations = _attr(node, "dilations", [1] * len(k))
    pads = _attr(node, "pads", None)
    auto_pad = str(_attr(node, "auto_pad", "NOTSET"))
    if pads is None and auto_pad.startswith("SAME") and len(in_shape) == len(k) + 2:
        begin, end = [], []
        for size, kk, s, d in zip(in_shape[2:], k, strides, dilations, strict=True):
            total = max((-(-size // s) - 1) * s + (kk - 1) * d + 1 - size, 0)
            small = total // 2
            begin.append(small if auto_pad == "SAME_UPPER" else total - small)
            end.append(total - begin[-1])
        pads = begin + end
    attrs: list[tuple[str, Any]] = [
        ("kernel", _one(k)),
        ("stride", _one(strides)),
        ("padding", _one(pads if pads is not None else [0] * 2 * len(k))),
    ]
    if any(int(d) != 1 for d in dilations):
        attrs.append(("dilation", _one(dilations)))
    return attrs


def _zoo_attrs(
    node: Any,
    in_shapes: Sequence[tuple[int, ...]],
    out_shapes: Sequence[tuple[int, ...]],
    values: _ConstantValues,
    constants: set[str],
) -> list[tuple[str, Any]]:
    """The node's attributes under the names and types the zoo's builder uses for the same layer.

    One representation, whatever the source: a convolution has ``kernel``,
    ``stride``, ``padding``, ``groups`` and ``bias`` (not ONNX's
    ``kernel_shape``/``strides``/``pads``/``group``), an activation, norm or
    pooling layer its ``kind``. Cost prediction (fusion units, cost-model
    groups, timed-unit lookup) reads these, so an exported and re-imported zoo
    model is predicted exactly as the zoo's own graph.
    """
    op = node.op_type
    data = in_shapes[0] if in_shapes else ()
    out = out_shapes[0] if out_shapes else ()
    if op in ("Conv", "ConvTranspose"):
        weight = in_shapes[1] if len(in_shapes) > 1 else ()
        kernel = _attr(node, "kernel_shape", None) or list(weight[2:])
        has_bias = len(node.input) > 2 and bool(node.input[2])
        return [
            *_window_attrs(node, data, kernel),
            ("groups", int(_attr(node, "group", 1))),
            ("bias", has_bias),
        ]
    if op == "Gemm":
        inner = data[0] if _attr(node, "transA", 0) else (data[-1] if data else 0)
        has_bias = len(node.input) > 2 and bool(node.input[2])
        return [("in_features", int(inner)), ("out_features", int(out[-1]) if out else 0), ("bias", has_bias)]
    if op == "MatMul" and len(in_shapes) > 1 and len(in_shapes[1]) == 2 and node.input[1] in constants:
        d_in, d_out = in_shapes[1]
        return [("in_features", int(d_in)), ("out_features", int(d_out)), ("bias", False)]
    if op in ("MaxPool", "AveragePool", "LpPool"):
        attrs: list[tuple[str, Any]] = [("kind", _KINDS.get(op, "lp"))]
        attrs += _window_attrs(node, data, _attr(node, "kernel_shape", [1]))
        return [*attrs, ("ceil", bool(_attr(node, "ceil_mode", 0)))]
    if op == "Clip":
        lo = values.scalar(node.input[1]) if len(node.input) > 1 and node.input[1] else _attr(node, "min")
        hi = values.scalar(node.input[2]) if len(node.input) > 2 and node.input[2] else _attr(node, "max")
        return [("kind", "relu6" if (lo, hi) == (0.0, 6.0) else "clip")]
    if op == "Concat":
        axis = int(_attr(node, "axis", 1))
        return [("axis", axis % len(out) if out else axis)]
    if op in ("Add", "Mul", "Softmax", "MatMul"):
        return []  # the zoo's layers of these kinds carry no attributes that change their cost
    return [("kind", _KINDS.get(op, _snake(op)))]


def _silu_pairs(nodes: Sequence[Any]) -> dict[int, tuple[int, str]]:
    """``{Mul node: (its Sigmoid node, x)}`` for every ``x * sigmoid(x)`` whose sigmoid feeds only the Mul.

    :func:`export_onnx` writes a SiLU so; the zoo has it as one layer, and so does the import.
    """
    readers: dict[str, int] = {}
    for node in nodes:
        for t in node.input:
            readers[t] = readers.get(t, 0) + 1
    sigmoid_of = {
        node.output[0]: (idx, node.input[0])
        for idx, node in enumerate(nodes)
        if node.op_type == "Sigmoid" and node.output and readers.get(node.output[0]) == 1
    }
    pairs: dict[int, tuple[int, str]] = {}
    for idx, node in enumerate(nodes):
        if node.op_type != "Mul" or len(node.input) != 2:
            continue
        for mine, other in ((0, 1), (1, 0)):
            hit = sigmoid_of.get(node.input[mine])
            if hit is not None and hit[1] == node.input[other]:
                pairs[idx] = hit
                break
    return pairs


def _cost(
    node: Any,
    in_shapes: Sequence[tuple[int, ...]],
    out_shapes: Sequence[tuple[int, ...]],
    constants: set[str],
) -> tuple[str, int, int, bool]:
    """(layer kind, FLOPs, MACs, formula known) of one ONNX node."""
    op = node.op_type
    out = out_shapes[0] if out_shapes else ()
    if op == "Conv":
        macs = numel(out) * numel(in_shapes[1][1:])
        return Op.CONV, 2 * macs, macs, True
    if op == "ConvTranspose":
        macs = numel(in_shapes[0]) * numel(in_shapes[1][1:])
        return Op.CONV_TRANSPOSE, 2 * macs, macs, True
    if op == "Gemm":
        a = in_shapes[0]
        inner = a[0] if _attr(node, "transA", 0) else a[-1]
        macs = numel(out) * inner
        return Op.LINEAR, 2 * macs, macs, True
    if op == "MatMul":
        a = in_shapes[0]
        macs = numel(out) * (a[-1] if a else 0)
        kind = Op.LINEAR if node.input[1] in constants else Op.MATMUL
        return kind, 2 * macs, macs, True
    if op in _POOL:
        return Op.POOL, ops.pool_flops(out, _attr(node, "kernel_shape", [1])), 0, True
    if op in _REDUCE:
        return Op.POOL if "Pool" in op else Op.ELEMENTWISE, numel(in_shapes[0]), 0, True
    if op in _UNARY:
        kind, per_element = _UNARY[op]
        return kind, per_element * numel(out), 0, True
    if op in _NARY:
        return _NARY[op], max(len(in_shapes) - 1, 1) * numel(out), 0, True
    if op in _MOVE:
        kind = _MOVE[op]
        if op == "Gather" and node.input[0] in constants:
            kind = Op.EMBEDDING
        return kind, 0, 0, True
    return Op.OTHER, sum(numel(s) for s in out_shapes), 0, False


def _weights(
    node: Any, initializers: dict[str, Any], owned: set[str], itemsize: dict[str, int]
) -> tuple[int, int]:
    """(trainable params, stored bytes) of the initializers ``node`` reads first.

    Batch-norm running mean and variance are stored but not trainable, as in
    torchvision's parameter counts.
    """
    params = nbytes = 0
    for pos, t in enumerate(node.input):
        if t not in initializers or t in owned:
            continue
        owned.add(t)
        count = numel(initializers[t].dims)
        nbytes += count * itemsize.get(t, 4)
        if not (node.op_type == "BatchNormalization" and pos >= 3):
            params += count
    return params, nbytes


# -- export ------------------------------------------------------------------------------


def export_onnx(
    graph: LayerGraph,
    path: str | os.PathLike[str],
    *,
    seed: int = 0,
    opset: int = 17,
    external_data: bool = False,
) -> Path:
    """Write ``graph`` as an ONNX model with random weights (He-normal, float32).

    Supports the zoo's CNN operators: convolution, linear (Gemm), max/average/
    global pooling, batch norm, ReLU/ReLU6/sigmoid/SiLU/tanh, add, multiply,
    concat and flatten. Transformer graphs raise ``NotImplementedError``.
    ``external_data=True`` stores the weights in ``<path>.data`` beside the model.
    """
    onnx = _require_onnx()
    from onnx import TensorProto, helper, numpy_helper

    refusal = export_refusal(graph)
    if refusal is not None:
        raise NotImplementedError(refusal)
    rng = np.random.default_rng(seed)
    input_name = _unique("input", {layer.name for layer in graph})
    nodes: list[Any] = []
    inits: list[Any] = []

    def tensor(src: str) -> str:
        return input_name if src == INPUT else src

    def weight(name: str, array: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(array.astype(np.float32, copy=False), name))
        return name

    for layer in graph:
        nodes.extend(_export_layer(layer, [tensor(s) for s in layer.inputs], rng, weight, helper))
    model = helper.make_model(
        helper.make_graph(
            nodes,
            graph.name,
            [helper.make_tensor_value_info(input_name, TensorProto.FLOAT, list(graph.input_shape))],
            [
                helper.make_tensor_value_info(o, TensorProto.FLOAT, list(graph[o].output_shape))
                for o in graph.outputs
            ],
            initializer=inits,
        ),
        opset_imports=[helper.make_opsetid("", opset)],
        producer_name="offloadsim",
    )
    path = Path(path)
    if external_data:
        onnx.save_model(
            model,
            os.fspath(path),
            save_as_external_data=True,
            all_tensors_to_one_file=True,
            location=f"{path.name}.data",
        )
    else:
        onnx.save_model(model, os.fspath(path))
    return path


def export_refusal(graph: LayerGraph) -> str | None:
    """Why :func:`export_onnx` cannot write ``graph`` (its operators that are not CNN ones), or None.

    >>> from offloadsim.models import get_model
    >>> export_refusal(get_model("alexnet")) is None, export_refusal(get_model("gpt2")).split(";")[0]
    (True, 'export_onnx supports CNN operators only')
    """
    unsupported = sorted({f"{layer.op}/{layer.attr('kind')}" for layer in graph if not _exportable(layer)})
    if unsupported:
        return f"export_onnx supports CNN operators only; {graph.name!r} has {', '.join(unsupported)}"
    return None


def _exportable(layer: Layer) -> bool:
    kind = layer.attr("kind")
    return (
        layer.op in (Op.CONV, Op.ADD, Op.MUL, Op.CONCAT)
        or (layer.op == Op.LINEAR and len(layer.input_shapes[0]) == 2)
        or (layer.op == Op.NORM and kind == "batchnorm")
        or (layer.op == Op.ACT and kind in ("relu", "relu6", "sigmoid", "silu", "tanh"))
        or (layer.op == Op.POOL and kind in ("max", "avg", "global_avg", "adaptive_avg"))
        or (layer.op == Op.RESHAPE and kind == "flatten")
    )


def _export_layer(
    layer: Layer, inputs: list[str], rng: np.random.Generator, weight: Any, helper: Any
) -> Iterable[Any]:
    """ONNX node(s) computing ``layer``; the last one writes the tensor ``layer.name``."""
    name, a = layer.name, layer.attr
    if layer.op == Op.CONV:
        c_in, c_out, k, groups = layer.input_shapes[0][1], layer.output_shape[1], a("kernel"), a("groups")
        fan_in = c_in // groups * k * k
        w = rng.standard_normal((c_out, c_in // groups, k, k), dtype=np.float32)
        w *= np.float32(np.sqrt(2.0 / fan_in))
        args = [inputs[0], weight(f"{name}.weight", w)]
        if a("bias"):
            args.append(weight(f"{name}.bias", np.zeros(c_out, np.float32)))
        p = a("padding")
        return [
            helper.make_node(
                "Conv",
                args,
                [name],
                name=name,
                kernel_shape=[k, k],
                strides=[a("stride")] * 2,
                pads=[p] * 4,
                group=groups,
            )
        ]
    if layer.op == Op.LINEAR:
        d_in, d_out = a("in_features"), a("out_features")
        w = rng.standard_normal((d_out, d_in), dtype=np.float32)
        w *= np.float32(np.sqrt(2.0 / d_in))
        args = [inputs[0], weight(f"{name}.weight", w)]
        if a("bias"):
            args.append(weight(f"{name}.bias", np.zeros(d_out, np.float32)))
        return [helper.make_node("Gemm", args, [name], name=name, transB=1)]
    if layer.op == Op.NORM:
        c = layer.output_shape[1]
        ones, zeros = np.ones(c, np.float32), np.zeros(c, np.float32)
        args = [
            inputs[0],
            weight(f"{name}.scale", ones),
            weight(f"{name}.shift", zeros),
            weight(f"{name}.mean", zeros),
            weight(f"{name}.var", ones),
        ]
        return [helper.make_node("BatchNormalization", args, [name], name=name)]
    if layer.op == Op.ACT:
        kind = a("kind")
        if kind == "relu6":
            lo, hi = f"{name}.min", f"{name}.max"
            return [
                _const(helper, lo, 0.0),
                _const(helper, hi, 6.0),
                helper.make_node("Clip", [inputs[0], lo, hi], [name], name=name),
            ]
        if kind == "silu":
            sig = f"{name}.sigmoid"
            return [
                helper.make_node("Sigmoid", inputs, [sig], name=sig),
                helper.make_node("Mul", [inputs[0], sig], [name], name=name),
            ]
        onnx_op = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh"}[kind]
        return [helper.make_node(onnx_op, inputs, [name], name=name)]
    if layer.op == Op.POOL:
        kind = a("kind")
        if kind == "global_avg":
            return [helper.make_node("GlobalAveragePool", inputs, [name], name=name)]
        if kind == "adaptive_avg":
            return adaptive_pool_nodes(
                helper, inputs[0], name, layer.input_shapes[0][2:], a("output_size"), weight
            )
        k, p = a("kernel"), a("padding")
        return [
            helper.make_node(
                "MaxPool" if kind == "max" else "AveragePool",
                inputs,
                [name],
                name=name,
                kernel_shape=[k, k],
                strides=[a("stride")] * 2,
                pads=[p] * 4,
                ceil_mode=int(bool(a("ceil"))),
            )
        ]
    if layer.op == Op.RESHAPE:
        return [helper.make_node("Flatten", inputs, [name], name=name, axis=1)]
    if layer.op == Op.CONCAT:
        return [helper.make_node("Concat", inputs, [name], name=name, axis=a("axis"))]
    onnx_op = {Op.ADD: "Add", Op.MUL: "Mul"}[Op(layer.op)]
    return [helper.make_node(onnx_op, inputs, [name], name=name)]


def adaptive_pool_matrix(size: int, out: int) -> np.ndarray:
    """``(out, size)`` float32 matrix averaging each adaptive-pool window (PyTorch's windows).

    >>> adaptive_pool_matrix(3, 2).tolist()
    [[0.5, 0.5, 0.0], [0.0, 0.5, 0.5]]
    """
    matrix = np.zeros((out, size), np.float32)
    for i, (start, end) in enumerate(ops.adaptive_windows(size, out)):
        matrix[i, start:end] = 1.0 / (end - start)
    return matrix


def adaptive_pool_nodes(
    helper: Any, x: str, y: str, in_hw: Sequence[int], size: int, weight: Any
) -> list[Any]:
    """An adaptive average pool of NCHW ``x`` to ``size x size`` as ONNX nodes, writing ``y``.

    ONNX has no adaptive pool with uneven windows (PyTorch's exporter refuses
    them), so it is two matrix products: ``rows (size, H) @ x @ cols (W, size)``,
    which average exactly PyTorch's windows. :func:`load_onnx` reads the pair
    back as one ``adaptive_avg`` pool. ``weight(name, array)`` adds an initializer.
    """
    rows = weight(f"{y}.rows", adaptive_pool_matrix(int(in_hw[0]), size))
    cols = weight(f"{y}.cols", np.ascontiguousarray(adaptive_pool_matrix(int(in_hw[1]), size).T))
    return [
        helper.make_node("MatMul", [rows, x], [f"{y}.pooled_rows"], name=f"{y}.pooled_rows"),
        helper.make_node("MatMul", [f"{y}.pooled_rows", cols], [y], name=y),
    ]


def _adaptive_pool_pairs(nodes: Sequence[Any], values: _ConstantValues) -> dict[int, tuple[int, str, int]]:
    """``{second MatMul: (first MatMul, x, size)}`` for each pair :func:`adaptive_pool_nodes` writes."""
    readers: dict[str, int] = {}
    for node in nodes:
        for t in node.input:
            readers[t] = readers.get(t, 0) + 1
    first_of: dict[str, tuple[int, str, np.ndarray]] = {}
    for idx, node in enumerate(nodes):
        if node.op_type == "MatMul" and len(node.input) == 2 and readers.get(node.output[0]) == 1:
            rows = values.array(node.input[0])
            if rows is not None and rows.ndim == 2:
                first_of[node.output[0]] = (idx, node.input[1], rows)
    pairs: dict[int, tuple[int, str, int]] = {}
    for idx, node in enumerate(nodes):
        if node.op_type != "MatMul" or len(node.input) != 2 or node.input[0] not in first_of:
            continue
        first, x, rows = first_of[node.input[0]]
        cols = values.array(node.input[1])
        size = rows.shape[0]
        if (
            cols is not None
            and cols.ndim == 2
            and cols.shape[1] == size
            and np.allclose(rows, adaptive_pool_matrix(rows.shape[1], size))
            and np.allclose(cols.T, adaptive_pool_matrix(cols.shape[0], size))
        ):
            pairs[idx] = (first, x, size)
    return pairs


def _const(helper: Any, name: str, value: float) -> Any:
    from onnx import TensorProto

    return helper.make_node(
        "Constant", [], [name], name=name, value=helper.make_tensor(name, TensorProto.FLOAT, [], [value])
    )
