"""Adaptive average pooling as torchvision computes it, at input sizes whose windows are uneven.

torchvision's AlexNet and VGG end their features with ``AdaptiveAvgPool2d``, so
they accept any input size: VGG-16 at 112 px pools 3x3 features up to 7x7,
AlexNet at 320 px pools 9x9 down to 6x6. The expected values here come from
torchvision's architecture (layer by layer, by the usual formulas) and from
PyTorch's window rule, not from the builder; ONNX shape inference and
onnxruntime check the exported graph.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from offloadsim.models import get_model
from offloadsim.models.ops import adaptive_pool_flops, adaptive_windows

#: torchvision's classifier after a 7x7 (VGG) / 6x6 (AlexNet) adaptive pool: fixed whatever the input.
VGG_CLASSIFIER_MACS = 512 * 7 * 7 * 4096 + 4096 * 4096 + 4096 * 1000
ALEXNET_CLASSIFIER_MACS = 256 * 6 * 6 * 4096 + 4096 * 4096 + 4096 * 1000


def torch_adaptive_avg_pool(x: np.ndarray, out: int) -> np.ndarray:
    """PyTorch's reference loop (aten adaptive_avg_pool2d): start floor(i*H/out), end ceil((i+1)*H/out)."""
    n, c, h, w = x.shape
    y = np.empty((n, c, out, out), x.dtype)
    for i in range(out):
        h0, h1 = math.floor(i * h / out), math.ceil((i + 1) * h / out)
        for j in range(out):
            w0, w1 = math.floor(j * w / out), math.ceil((j + 1) * w / out)
            y[:, :, i, j] = x[:, :, h0:h1, w0:w1].mean(axis=(2, 3))
    return y


def alexnet_features_macs(size: int) -> int:
    """torchvision AlexNet's five convolutions at ``size`` px (conv1 11x11/4 pad 2, 3x3/2 max pools)."""

    def out(n: int, k: int, s: int, p: int) -> int:
        return (n + 2 * p - k) // s + 1

    h1 = out(size, 11, 4, 2)
    p1 = out(h1, 3, 2, 0)
    p2 = out(p1, 3, 2, 0)  # conv2 is 5x5 pad 2: same size
    return (
        64 * h1 * h1 * 3 * 11 * 11
        + 192 * p1 * p1 * 64 * 25
        + 384 * p2 * p2 * 192 * 9
        + 256 * p2 * p2 * 384 * 9
        + 256 * p2 * p2 * 256 * 9
    )


@pytest.mark.parametrize(("size", "out"), [(9, 6), (3, 7), (5, 7), (13, 6), (7, 7), (14, 7), (1, 7)])
def test_windows_follow_pytorchs_rule(size: int, out: int) -> None:
    windows = adaptive_windows(size, out)
    assert windows == [(math.floor(i * size / out), math.ceil((i + 1) * size / out)) for i in range(out)]
    assert windows[0][0] == 0 and windows[-1][1] == size
    assert all(end - start > 0 for start, end in windows)


@pytest.mark.parametrize(
    ("name", "size"), [("vgg16", 112), ("vgg16", 160), ("alexnet", 320), ("alexnet", 260)]
)
def test_torchvision_input_sizes_build_with_the_classifiers_shape(name: str, size: int) -> None:
    g = get_model(name, image_size=size)
    pooled = 7 if name == "vgg16" else 6
    channels = 512 if name == "vgg16" else 256
    assert g["avgpool"].output_shape == (1, channels, pooled, pooled)
    assert g.params == get_model(name).params  # the classifier does not depend on the input size


def test_vgg16_macs_at_112_and_160_px() -> None:
    features_224 = get_model("vgg16").macs - VGG_CLASSIFIER_MACS
    # every VGG conv is 3x3 with padding 1: its MACs scale with the image area
    for size in (112, 160):
        expected = features_224 * size * size // (224 * 224) + VGG_CLASSIFIER_MACS
        assert get_model("vgg16", image_size=size).macs == expected


def test_alexnet_macs_at_320_and_260_px() -> None:
    for size in (224, 320, 260):
        assert (
            get_model("alexnet", image_size=size).macs
            == alexnet_features_macs(size) + ALEXNET_CLASSIFIER_MACS
        )


def test_uneven_adaptive_pool_is_costed_window_by_window() -> None:
    layer = get_model("alexnet", image_size=320)["avgpool"]
    assert layer.input_shapes[0] == (1, 256, 9, 9) and layer.attr("kind") == "adaptive_avg"
    # windows of 2 on each axis (they overlap): 6x6 outputs x 2x2 adds x 256 channels
    assert layer.flops == adaptive_pool_flops(256, (9, 9), (6, 6)) == 256 * 36 * 4
    up = get_model("vgg16", image_size=112)["avgpool"]
    rows = sum(e - s for s, e in adaptive_windows(3, 7))
    assert up.flops == 512 * rows * rows and up.params == 0


def small_classifier(size: int, features: int, pooled: int):  # type: ignore[no-untyped-def]
    """conv (stride 2) -> relu -> adaptive pool -> flatten -> linear: the shape of torchvision's heads."""
    from offloadsim.models.builder import GraphBuilder

    b = GraphBuilder(f"head{size}", (1, 3, size, size), meta={"family": "cnn"})
    x = b.act(b.conv(b.input, 8, 3, stride=2, padding=1, name="conv"), "relu", name="relu")
    assert x.shape[2] == features
    x = b.adaptive_avgpool(x, pooled, name="avgpool")
    return b.build([b.linear(b.flatten(x, name="flatten"), 10, name="fc")])


@pytest.mark.parametrize(("size", "features", "pooled"), [(6, 3, 7), (18, 9, 6), (26, 13, 6), (28, 14, 7)])
def test_export_shape_inference_and_import_agree(tmp_path, size: int, features: int, pooled: int) -> None:
    onnx = pytest.importorskip("onnx")
    from offloadsim.models import export_onnx, load_onnx

    graph = small_classifier(size, features, pooled)
    path = export_onnx(graph, tmp_path / "m.onnx")
    inferred = onnx.shape_inference.infer_shapes(onnx.load(str(path)))
    shapes = {
        vi.name: tuple(d.dim_value for d in vi.type.tensor_type.shape.dim)
        for vi in (*inferred.graph.value_info, *inferred.graph.output)
    }
    assert shapes["avgpool"] == graph["avgpool"].output_shape == (1, 8, pooled, pooled)
    back = load_onnx(path)  # the two matrix products come back as one adaptive pool
    assert [layer.name for layer in back] == [layer.name for layer in graph]
    assert back["avgpool"].attrs[1:] == graph["avgpool"].attrs  # after onnx_op: the zoo's attributes
    assert (back.flops, back.macs, back.params) == (graph.flops, graph.macs, graph.params)


def test_the_exported_pool_computes_pytorchs_average(tmp_path) -> None:
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    from onnx import TensorProto, helper, numpy_helper

    from offloadsim.models.onnx_io import adaptive_pool_nodes

    for (h, w), out in (((9, 9), 6), ((3, 3), 7), ((13, 10), 6)):
        inits = []

        def weight(name, array, inits=inits):
            inits.append(numpy_helper.from_array(array, name))
            return name

        nodes = adaptive_pool_nodes(helper, "x", "y", (h, w), out, weight)
        model = helper.make_model(
            helper.make_graph(
                nodes,
                "pool",
                [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, h, w])],
                [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                initializer=inits,
            ),
            opset_imports=[helper.make_opsetid("", 17)],
        )
        x = np.random.default_rng(0).standard_normal((1, 4, h, w), dtype=np.float32)
        session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
        (y,) = session.run(None, {"x": x})
        np.testing.assert_allclose(y, torch_adaptive_avg_pool(x, out), rtol=1e-5, atol=1e-6)


def test_calibration_kernels_run_the_uneven_pool():
    from offloadsim.calibration.kernels import random_inputs, supported
    from offloadsim.calibration.numpy_ops import numpy_kernel
    from offloadsim.world.profiles.fusion import NO_FUSION, distinct_units

    (unit,) = [
        u
        for u in distinct_units([get_model("alexnet", image_size=320)], NO_FUSION)
        if u.group == "pool/adaptive_avg"
    ]
    assert supported(unit)
    x = random_inputs(unit)
    y = numpy_kernel(unit, x, np.random.default_rng(0))()
    np.testing.assert_allclose(y, torch_adaptive_avg_pool(x[0], 6), rtol=1e-5, atol=1e-6)
