"""Runnable kernels for calibration units on each backend.

* ``onnxruntime``: the unit as a small ONNX graph built with ``onnx.helper``
  (the same nodes :func:`offloadsim.models.export_onnx` writes), run by an
  ``InferenceSession`` with a fixed intra-op thread count and sequential
  execution, on any execution provider (``CPUExecutionProvider`` by default,
  ``CUDAExecutionProvider`` on a GPU machine).
* ``numpy``: the layers written in numpy (convolution as im2col and a matrix
  product), with no extra dependency.
* ``torch``: the layers through ``torch.nn.functional`` where torch is installed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from offloadsim.calibration.errors import CalibrationError
from offloadsim.suggest import quoted
from offloadsim.world.profiles.fusion import LayerConfig, Unit

__all__ = [
    "BACKENDS",
    "Kernel",
    "import_onnxruntime",
    "kernel_for",
    "onnx_unit_model",
    "ort_session",
    "random_inputs",
    "supported",
]

#: Backends ``offloadsim calibrate --backend`` accepts.
BACKENDS = ("onnxruntime", "numpy", "torch")

#: A ready-to-run kernel: calling it once runs the unit once.
Kernel = Callable[[], object]

_ACTS = ("relu", "relu6", "sigmoid", "silu", "tanh", "gelu")


def supported(cfg: LayerConfig | Unit) -> bool:
    """Whether the kernels here can run ``cfg``: CNN operators, linear, layer norm, softmax.

    >>> from offloadsim.models import get_model
    >>> g = get_model("resnet18")
    >>> all(supported(LayerConfig.from_layer(layer)) for layer in g)
    True
    """
    if isinstance(cfg, Unit):
        return all(supported(c) for c in cfg.configs)
    kind = cfg.attr("kind")
    rank = len(cfg.input_shapes[0]) if cfg.input_shapes else 0
    if cfg.op == "conv":
        return rank == 4 and _square_window(cfg)
    if cfg.op == "linear":
        return rank >= 2
    if cfg.op == "pool":
        windowed = kind in ("max", "avg") and _square_window(cfg)
        return rank == 4 and (kind in ("global_avg", "adaptive_avg") or windowed)
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


def _square_window(cfg: LayerConfig) -> bool:
    """A window the kernels build: one int kernel, stride and padding per axis, no dilation.

    Imported ONNX layers may have per-axis values (lists); those are predicted by the fit.
    """
    return all(isinstance(cfg.attr(k, 1), int) for k in ("kernel", "stride", "padding")) and (
        cfg.attr("dilation", 1) == 1
    )


def external_shapes(unit: Unit) -> list[tuple[int, ...]]:
    """Shapes of the unit's inputs from outside: the head's, then each tail layer's extra ones."""
    shapes = list(unit.head.input_shapes)
    for cfg in unit.configs[1:]:
        shapes.extend(cfg.input_shapes[1:])
    return shapes


def random_inputs(unit: Unit, seed: int = 0) -> list[np.ndarray]:
    """Standard-normal float32 arrays for the unit's external inputs."""
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s, dtype=np.float32) for s in external_shapes(unit)]


def kernel_for(
    unit: Unit, backend: str, *, threads: int = 1, provider: str = "CPUExecutionProvider", seed: int = 0
) -> Kernel:
    """A callable that runs ``unit`` once on ``backend`` (inputs and weights prepared ahead).

    Raises :class:`CalibrationError` for an unknown backend, a backend that is
    not installed, or a unit with an unsupported layer.
    """
    check_known_backend(backend)
    if not supported(unit):
        raise CalibrationError(f"no {backend} kernel for {unit.group} with shapes {unit.head.input_shapes}")
    inputs = random_inputs(unit, seed)
    if backend == "onnxruntime":
        session = ort_session(onnx_unit_model(unit, seed=seed), threads, provider)
        feed = {f"x{i}": x for i, x in enumerate(inputs)}
        run = session.run
        return lambda: run(None, feed)
    if backend == "numpy":
        from offloadsim.calibration.numpy_ops import numpy_kernel

        return numpy_kernel(unit, inputs, np.random.default_rng(seed))
    from offloadsim.calibration.torch_ops import torch_kernel

    return torch_kernel(unit, inputs, threads, np.random.default_rng(seed))


def check_known_backend(backend: str) -> None:
    """CalibrationError unless ``backend`` is one of :data:`BACKENDS`."""
    if backend not in BACKENDS:
        raise CalibrationError(f"unknown backend {quoted(backend)}; choose one of {', '.join(BACKENDS)}")


# -- onnxruntime ----------------------------------------------------------------------------


def check_provider(ort: Any, provider: str) -> None:
    """CalibrationError unless onnxruntime ``ort`` has the execution provider ``provider``."""
    if provider not in ort.get_available_providers():
        raise CalibrationError(
            f"execution provider {quoted(provider)} is not available in this onnxruntime "
            f"(available: {', '.join(ort.get_available_providers())})"
        )


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
    model: Any,
    threads: int,
    provider: str = "CPUExecutionProvider",
    *,
    profile_prefix: str | None = None,
) -> Any:
    """An ``InferenceSession`` for ``model`` (ModelProto, bytes or path): fixed threads, sequential.

    All graph optimizations are on, as in deployment. ``profile_prefix``
    turns on onnxruntime's per-node profiler, writing there.
    """
    ort = import_onnxruntime()
    check_provider(ort, provider)
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    if profile_prefix is not None:
        options.enable_profiling = True
        options.profile_file_prefix = profile_prefix
    data = model if isinstance(model, (str, bytes)) else model.SerializeToString()
    return ort.InferenceSession(data, options, providers=[provider])


def onnx_unit_model(unit: Unit, *, seed: int = 0, opset: int = 17) -> Any:
    """An ONNX ``ModelProto`` computing ``unit`` (inputs ``x0``, ``x1``...; output ``y``).

    The nodes are those :func:`offloadsim.models.export_onnx` writes for the
    same layers, so onnxruntime fuses them as it does in a whole exported model.
    """
    import_onnxruntime()
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(seed)
    inits: list[Any] = []
    shapes = external_shapes(unit)
    xs = [f"x{i}" for i in range(len(shapes))]
    nodes: list[Any] = []
    ext = iter(xs)
    prev: str | None = None
    last = len(unit.configs) - 1
    for i, cfg in enumerate(unit.configs):
        prefix = f"l{i}."

        def weight(
            name: str,
            shape: tuple[int, ...],
            fill: float | None = None,
            prefix: str = prefix,
            value: np.ndarray | None = None,
        ) -> str:
            if value is not None:
                array = value.astype(np.float32, copy=False)
            elif fill is not None:
                array = np.full(shape, fill, np.float32)
            else:
                array = rng.standard_normal(shape, dtype=np.float32) * np.float32(0.05)
            inits.append(numpy_helper.from_array(array, prefix + name))
            return prefix + name

        ins = (
            [next(ext) for _ in cfg.input_shapes]
            if prev is None
            else [prev, *(next(ext) for _ in cfg.input_shapes[1:])]
        )
        out = "y" if i == last else f"h{i}"
        nodes.extend(_onnx_nodes(cfg, ins, out, prefix, weight, helper))
        prev = out
    graph = helper.make_graph(
        nodes,
        f"calib_{unit.group.replace('/', '_').replace('+', '_')}",
        [
            helper.make_tensor_value_info(x, TensorProto.FLOAT, list(s))
            for x, s in zip(xs, shapes, strict=True)
        ],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, list(unit.configs[-1].output_shape))],
        initializer=inits,
    )
    return helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="offloadsim"
    )


def _onnx_nodes(cfg: LayerConfig, xs: list[str], y: str, prefix: str, weight: Any, helper: Any) -> list[Any]:
    """ONNX node(s) reading ``xs`` and writing ``y`` for one layer."""
    a, out, kind = cfg.attr, cfg.output_shape, cfg.attr("kind")
    node = helper.make_node
    t = prefix + "t"  # an intermediate tensor, when a layer needs two nodes
    if cfg.op == "conv":
        c_in, k, groups = cfg.input_shapes[0][1], int(a("kernel")), int(a("groups", 1))
        args = [xs[0], weight("w", (out[1], c_in // groups, k, k))]
        if a("bias"):
            args.append(weight("b", (out[1],), 0.0))
        p = int(a("padding", 0))
        return [
            node(
                "Conv",
                args,
                [y],
                kernel_shape=[k, k],
                strides=[int(a("stride", 1))] * 2,
                pads=[p] * 4,
                group=groups,
            )
        ]
    if cfg.op == "linear":
        d_in, d_out = cfg.input_shapes[0][-1], out[-1]
        bias = a("bias", True)
        if len(cfg.input_shapes[0]) == 2:
            args = [xs[0], weight("w", (d_out, d_in))]
            if bias:
                args.append(weight("b", (d_out,), 0.0))
            return [node("Gemm", args, [y], transB=1)]
        if not bias:
            return [node("MatMul", [xs[0], weight("w", (d_in, d_out))], [y])]
        return [
            node("MatMul", [xs[0], weight("w", (d_in, d_out))], [t]),
            node("Add", [t, weight("b", (d_out,), 0.0)], [y]),
        ]
    if cfg.op == "pool":
        if kind == "global_avg":
            return [node("GlobalAveragePool", xs, [y])]
        if kind == "adaptive_avg":
            from offloadsim.models.onnx_io import adaptive_pool_nodes

            return adaptive_pool_nodes(
                helper,
                xs[0],
                y,
                cfg.input_shapes[0][2:],
                int(a("output_size")),
                lambda name, array: weight(name, array.shape, value=array),
            )
        k, p = int(a("kernel")), int(a("padding", 0))
        return [
            node(
                "MaxPool" if kind == "max" else "AveragePool",
                xs,
                [y],
                kernel_shape=[k, k],
                strides=[int(a("stride", k))] * 2,
                pads=[p] * 4,
                ceil_mode=int(bool(a("ceil"))),
            )
        ]
    if cfg.op == "norm":
        if kind == "layernorm":
            c = cfg.input_shapes[0][-1]
            return [
                node(
                    "LayerNormalization",
                    [xs[0], weight("g", (c,), 1.0), weight("b", (c,), 0.0)],
                    [y],
                    axis=-1,
                )
            ]
        c = cfg.input_shapes[0][1]
        args = [
            xs[0],
            weight("g", (c,), 1.0),
            weight("b", (c,), 0.0),
            weight("m", (c,), 0.0),
            weight("v", (c,), 1.0),
        ]
        return [node("BatchNormalization", args, [y])]
    if cfg.op == "act":
        return _onnx_act(kind, xs[0], y, t, prefix, node)
    if cfg.op in ("add", "mul"):
        return [node("Add" if cfg.op == "add" else "Mul", xs, [y])]
    if cfg.op == "concat":
        return [node("Concat", xs, [y], axis=int(a("axis", 1)))]
    if cfg.op == "softmax":
        return [node("Softmax", xs, [y], axis=-1)]
    return [node("Flatten", xs, [y], axis=1)]


def _onnx_act(kind: str, x: str, y: str, t: str, prefix: str, node: Any) -> list[Any]:
    """An activation as export_onnx writes it (ReLU6 as Clip, SiLU as x·sigmoid(x))."""
    from onnx import TensorProto, helper

    def const(name: str, value: float) -> tuple[str, Any]:
        full = prefix + name
        return full, node(
            "Constant", [], [full], value=helper.make_tensor(full, TensorProto.FLOAT, [], [value])
        )

    if kind == "relu6":
        (lo, n_lo), (hi, n_hi) = const("min", 0.0), const("max", 6.0)
        return [n_lo, n_hi, node("Clip", [x, lo, hi], [y])]
    if kind == "silu":
        return [node("Sigmoid", [x], [t]), node("Mul", [x, t], [y])]
    if kind == "gelu":  # x · ½(1 + erf(x/√2)); opset 17 has no Gelu node
        (r, n_r), (one, n_one), (half, n_half) = const("r", 2**-0.5), const("one", 1.0), const("half", 0.5)
        return [
            n_r,
            n_one,
            n_half,
            node("Mul", [x, r], [t + "u"]),
            node("Erf", [t + "u"], [t + "e"]),
            node("Add", [t + "e", one], [t + "f"]),
            node("Mul", [x, t + "f"], [t + "g"]),
            node("Mul", [t + "g", half], [y]),
        ]
    return [node({"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh"}[kind], [x], [y])]
