"""Distinct layer configurations of models, and runnable single-layer kernels for each backend.

A :class:`LayerConfig` is what a kernel's cost depends on: the operator, its
input and output shapes and its attributes. Layers with the same configuration
cost the same, so calibration times each configuration once. Backends:

* ``onnxruntime``: a one-node ONNX graph built with ``onnx.helper``, run by an
  ``InferenceSession`` with a fixed intra-op thread count and sequential
  execution, on any execution provider (``CPUExecutionProvider`` by default).
* ``numpy``: the same operator written in numpy (convolution as im2col and a
  matrix product), with no extra dependency.
* ``torch``: the operator through ``torch.nn.functional`` where torch is installed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from offloadsim.calibration.errors import CalibrationError
from offloadsim.models.graph import Layer, LayerGraph
from offloadsim.models.ops import numel

__all__ = [
    "BACKENDS",
    "LayerConfig",
    "Kernel",
    "distinct_configs",
    "kernel_for",
    "onnx_layer_model",
    "supported",
]

#: Backends ``offloadsim calibrate --backend`` accepts.
BACKENDS = ("onnxruntime", "numpy", "torch")

#: A ready-to-run kernel: calling it once runs the layer once.
Kernel = Callable[[], object]

_ACTS = ("relu", "relu6", "sigmoid", "silu", "tanh", "gelu")


@dataclass(frozen=True, slots=True)
class LayerConfig:
    """What one layer's run time depends on (no name, no position in a graph).

    >>> from offloadsim.models import get_model
    >>> cfg = LayerConfig.from_layer(get_model("alexnet")[0])
    >>> cfg.op, cfg.flops > 0, cfg.bytes_moved > 0
    ('conv', True, True)
    """

    op: str
    input_shapes: tuple[tuple[int, ...], ...]
    output_shape: tuple[int, ...]
    attrs: tuple[tuple[str, Any], ...]
    flops: int
    param_bytes: int
    dtype_bytes: int = 4

    @classmethod
    def from_layer(cls, layer: Layer) -> LayerConfig:
        """The configuration of ``layer``."""
        attrs = tuple(sorted((str(k), _plain(v)) for k, v in layer.attrs if k != "onnx_op"))
        return cls(
            op=str(layer.op),
            input_shapes=tuple(tuple(int(d) for d in s) for s in layer.input_shapes),
            output_shape=tuple(int(d) for d in layer.output_shape),
            attrs=attrs,
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
        return dict(self.attrs).get(name, default)

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
            groups, kernel = int(self.attr("groups", 1)), int(self.attr("kernel", 1))
            c_in = self.input_shapes[0][1] if len(self.input_shapes[0]) > 1 else 1
            if groups > 1 and groups == c_in:
                return "conv/depthwise"
            return "conv/pointwise" if kernel == 1 else "conv/spatial"
        kind = self.attr("kind")
        if self.op in ("pool", "act", "norm") and kind:
            return f"{self.op}/{kind}"
        return self.op


def _plain(value: Any) -> Any:
    """Attribute values as JSON-stable plain types (tuples become lists)."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return value.item()
    return value


def distinct_configs(graphs: Iterable[LayerGraph]) -> list[LayerConfig]:
    """Every distinct layer configuration of ``graphs``, in first-seen order.

    >>> from offloadsim.models import get_model
    >>> g = get_model("vgg16")
    >>> len(distinct_configs([g])) < len(g)
    True
    """
    seen: dict[str, LayerConfig] = {}
    for graph in graphs:
        for layer in graph:
            cfg = LayerConfig.from_layer(layer)
            seen.setdefault(cfg.key, cfg)
    return list(seen.values())


def supported(cfg: LayerConfig) -> bool:
    """Whether the kernels here can run ``cfg`` (CNN operators, linear, layer norm, softmax)."""
    kind = cfg.attr("kind")
    rank = len(cfg.input_shapes[0]) if cfg.input_shapes else 0
    if cfg.op == "conv":
        return rank == 4
    if cfg.op == "linear":
        return rank >= 2
    if cfg.op == "pool":
        return rank == 4 and kind in ("max", "avg", "global_avg")
    if cfg.op == "norm":
        return (kind == "batchnorm" and rank == 4) or kind == "layernorm"
    if cfg.op == "act":
        return kind in _ACTS
    if cfg.op in ("add", "mul"):
        return len(cfg.input_shapes) == 2
    if cfg.op == "concat":
        return len(cfg.input_shapes) >= 2
    if cfg.op == "softmax":
        return True
    return cfg.op == "reshape" and kind == "flatten"


def kernel_for(
    cfg: LayerConfig,
    backend: str,
    *,
    threads: int = 1,
    provider: str = "CPUExecutionProvider",
    seed: int = 0,
) -> Kernel:
    """A callable that runs ``cfg`` once on ``backend`` (inputs and weights prepared ahead).

    Raises :class:`CalibrationError` for an unknown backend, a backend that is
    not installed, or an unsupported configuration.
    """
    if not supported(cfg):
        raise CalibrationError(f"no {backend} kernel for {cfg.group} with shapes {cfg.input_shapes}")
    rng = np.random.default_rng(seed)
    inputs = [rng.standard_normal(s, dtype=np.float32) for s in cfg.input_shapes]
    if backend == "onnxruntime":
        return _ort_kernel(cfg, inputs, threads, provider, rng)
    if backend == "numpy":
        from offloadsim.calibration.numpy_ops import numpy_kernel

        return numpy_kernel(cfg, inputs, rng)
    if backend == "torch":
        from offloadsim.calibration.torch_ops import torch_kernel

        return torch_kernel(cfg, inputs, threads, rng)
    raise CalibrationError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")


# -- onnxruntime ----------------------------------------------------------------------------


def import_onnxruntime() -> Any:
    """``onnxruntime``, or a CalibrationError that says how to install it."""
    try:
        import onnx  # noqa: F401  (the kernels are built with onnx.helper)
        import onnxruntime
    except ImportError:
        raise CalibrationError(
            "the onnxruntime backend needs onnx and onnxruntime: pip install 'offloadsim[onnx]' "
            "(or use --backend numpy)"
        ) from None
    return onnxruntime


def ort_session(
    model: Any, threads: int, provider: str = "CPUExecutionProvider", optimize: bool = True
) -> Any:
    """An ``InferenceSession`` for ``model`` (ModelProto or path): fixed threads, sequential."""
    ort = import_onnxruntime()
    if provider not in ort.get_available_providers():
        raise CalibrationError(
            f"execution provider {provider!r} is not available in this onnxruntime "
            f"(available: {', '.join(ort.get_available_providers())})"
        )
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = (
        ort.GraphOptimizationLevel.ORT_ENABLE_ALL if optimize else ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    )
    options.log_severity_level = 3
    data = model if isinstance(model, (str, bytes)) else model.SerializeToString()
    return ort.InferenceSession(data, options, providers=[provider])


def _ort_kernel(
    cfg: LayerConfig, inputs: list[np.ndarray], threads: int, provider: str, rng: np.random.Generator
) -> Kernel:
    session = ort_session(onnx_layer_model(cfg, rng), threads, provider)
    feed = {f"x{i}": x for i, x in enumerate(inputs)}
    run = session.run

    def kernel() -> object:
        return run(None, feed)

    return kernel


def onnx_layer_model(cfg: LayerConfig, rng: np.random.Generator | None = None, opset: int = 17) -> Any:
    """A one-layer ONNX ``ModelProto`` computing ``cfg`` (inputs ``x0``, ``x1``...; output ``y``).

    The nodes are those :func:`offloadsim.models.export_onnx` writes for the
    same layer, so a kernel timed alone runs the code a whole exported model runs.
    """
    import_onnxruntime()
    from onnx import TensorProto, helper, numpy_helper

    rng = rng or np.random.default_rng(0)
    inits: list[Any] = []

    def weight(name: str, shape: tuple[int, ...], fill: float | None = None) -> str:
        array = (
            np.full(shape, fill, np.float32)
            if fill is not None
            else (rng.standard_normal(shape, dtype=np.float32) * np.float32(0.05))
        )
        inits.append(numpy_helper.from_array(array, name))
        return name

    xs = [f"x{i}" for i in range(len(cfg.input_shapes))]
    nodes = _onnx_nodes(cfg, xs, weight, helper)
    graph = helper.make_graph(
        nodes,
        f"calib_{cfg.group.replace('/', '_')}",
        [helper.make_tensor_value_info(x, TensorProto.FLOAT, list(s)) for x, s in zip(xs, cfg.input_shapes)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, list(cfg.output_shape))],
        initializer=inits,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="offloadsim")


def _onnx_nodes(cfg: LayerConfig, xs: list[str], weight: Any, helper: Any) -> list[Any]:
    a, out = cfg.attr, cfg.output_shape
    kind = a("kind")
    if cfg.op == "conv":
        c_in, k, groups = cfg.input_shapes[0][1], int(a("kernel")), int(a("groups", 1))
        args = [xs[0], weight("w", (out[1], c_in // groups, k, k))]
        if a("bias"):
            args.append(weight("b", (out[1],), 0.0))
        p = int(a("padding", 0))
        return [
            helper.make_node(
                "Conv", args, ["y"], kernel_shape=[k, k], strides=[int(a("stride", 1))] * 2,
                pads=[p] * 4, group=groups,
            )
        ]
    if cfg.op == "linear":
        d_in, d_out = cfg.input_shapes[0][-1], out[-1]
        bias = a("bias", True)
        if len(cfg.input_shapes[0]) == 2:
            args = [xs[0], weight("w", (d_out, d_in))]
            if bias:
                args.append(weight("b", (d_out,), 0.0))
            return [helper.make_node("Gemm", args, ["y"], transB=1)]
        if not bias:
            return [helper.make_node("MatMul", [xs[0], weight("w", (d_in, d_out))], ["y"])]
        return [
            helper.make_node("MatMul", [xs[0], weight("w", (d_in, d_out))], ["t"]),
            helper.make_node("Add", ["t", weight("b", (d_out,), 0.0)], ["y"]),
        ]
    if cfg.op == "pool":
        if kind == "global_avg":
            return [helper.make_node("GlobalAveragePool", xs, ["y"])]
        k, p = int(a("kernel")), int(a("padding", 0))
        return [
            helper.make_node(
                "MaxPool" if kind == "max" else "AveragePool", xs, ["y"], kernel_shape=[k, k],
                strides=[int(a("stride", k))] * 2, pads=[p] * 4, ceil_mode=int(bool(a("ceil"))),
            )
        ]
    if cfg.op == "norm":
        c = cfg.input_shapes[0][1] if kind == "batchnorm" else cfg.input_shapes[0][-1]
        if kind == "layernorm":
            return [helper.make_node("LayerNormalization", [xs[0], weight("g", (c,), 1.0), weight("b", (c,), 0.0)],
                                     ["y"], axis=-1)]
        args = [xs[0], weight("g", (c,), 1.0), weight("b", (c,), 0.0), weight("m", (c,), 0.0),
                weight("v", (c,), 1.0)]
        return [helper.make_node("BatchNormalization", args, ["y"])]
    if cfg.op == "act":
        if kind == "relu6":
            return [helper.make_node("Clip", [xs[0], weight("lo", (), 0.0), weight("hi", (), 6.0)], ["y"])]
        if kind == "silu":
            return [helper.make_node("Sigmoid", xs, ["s"]), helper.make_node("Mul", [xs[0], "s"], ["y"])]
        if kind == "gelu":  # x * 0.5 * (1 + erf(x / sqrt 2)), opset 17 has no Gelu
            return [
                helper.make_node("Mul", [xs[0], weight("r", (), float(1 / np.sqrt(2)))], ["u"]),
                helper.make_node("Erf", ["u"], ["e"]),
                helper.make_node("Add", ["e", weight("one", (), 1.0)], ["f"]),
                helper.make_node("Mul", [xs[0], "f"], ["g"]),
                helper.make_node("Mul", ["g", weight("half", (), 0.5)], ["y"]),
            ]
        return [helper.make_node({"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh"}[kind], xs, ["y"])]
    if cfg.op in ("add", "mul"):
        return [helper.make_node("Add" if cfg.op == "add" else "Mul", xs, ["y"])]
    if cfg.op == "concat":
        return [helper.make_node("Concat", xs, ["y"], axis=int(a("axis", 1)))]
    if cfg.op == "softmax":
        return [helper.make_node("Softmax", xs, ["y"], axis=-1)]
    return [helper.make_node("Flatten", xs, ["y"], axis=1)]
