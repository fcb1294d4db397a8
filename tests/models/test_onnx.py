"""ONNX import FLOP formulas on hand-built graphs, and export -> import round trips."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402 - after importorskip

from offloadsim.models import (  # noqa: E402 - after importorskip
    as_chain,
    chain_cut_points,
    cut_bytes,
    export_onnx,
    get_model,
    load_onnx,
)

F = TensorProto.FLOAT


def _model(nodes, inputs, outputs, inits=()):  # type: ignore[no-untyped-def]
    """A ModelProto from nodes; intermediate shapes are left to shape inference."""
    graph = helper.make_graph(
        nodes,
        "t",
        [helper.make_tensor_value_info(n, F, s) for n, s in inputs],
        [helper.make_tensor_value_info(n, F, None) for n in outputs],
        initializer=[numpy_helper.from_array(np.zeros(s, np.float32), n) for n, s in inits],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def _one(node, inputs, inits=()):  # type: ignore[no-untyped-def]
    """Import a single-node model and return its only layer."""
    g = load_onnx(_model([node], inputs, [node.output[0]], inits), name="one")
    assert len(g) == 1
    return g[0]


def test_conv_hand_count() -> None:
    node = helper.make_node("Conv", ["x", "w", "b"], ["y"], kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    layer = _one(node, [("x", [1, 3, 8, 8])], [("w", [4, 3, 3, 3]), ("b", [4])])
    # 4 output channels x 8 x 8 positions x (3 channels x 3 x 3) MACs
    assert layer.macs == 4 * 8 * 8 * 27 == 6912
    assert layer.flops == 2 * 6912
    assert layer.params == 4 * 27 + 4
    assert layer.output_shape == (1, 4, 8, 8) and layer.output_bytes == 4 * 64 * 4
    assert layer.op == "conv"


def test_grouped_conv_and_conv_transpose() -> None:
    dw = helper.make_node("Conv", ["x", "w"], ["y"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], group=4)
    assert _one(dw, [("x", [1, 4, 8, 8])], [("w", [4, 1, 3, 3])]).macs == 4 * 64 * 9
    up = helper.make_node("ConvTranspose", ["x", "w"], ["y"], kernel_shape=[2, 2], strides=[2, 2])
    layer = _one(up, [("x", [1, 4, 4, 4])], [("w", [4, 2, 2, 2])])
    assert layer.output_shape == (1, 2, 8, 8)
    assert layer.macs == 4 * 4 * 4 * (2 * 2 * 2)  # each input element scatters to 2 channels x 2x2


def test_gemm_and_matmul() -> None:
    gemm = helper.make_node("Gemm", ["x", "w", "b"], ["y"], transB=1)
    layer = _one(gemm, [("x", [1, 10])], [("w", [5, 10]), ("b", [5])])
    assert (layer.macs, layer.flops, layer.params, layer.op) == (50, 100, 55, "linear")
    mm = helper.make_node("MatMul", ["a", "b"], ["y"])
    layer = _one(mm, [("a", [1, 2, 4, 8]), ("b", [1, 2, 8, 3])])
    assert (layer.macs, layer.op, layer.params) == (2 * 4 * 3 * 8, "matmul", 0)
    weighted = helper.make_node("MatMul", ["a", "w"], ["y"])
    assert _one(weighted, [("a", [1, 7, 16])], [("w", [16, 32])]).op == "linear"


def test_pooling_norm_and_elementwise() -> None:
    x = [("x", [1, 4, 8, 8])]
    n = 4 * 8 * 8
    maxpool = helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[3, 3], strides=[2, 2])
    assert _one(maxpool, x).flops == 4 * 3 * 3 * 9  # 3x3 outputs, 9 compares each
    avg = helper.make_node("AveragePool", ["x"], ["y"], kernel_shape=[2, 2], strides=[2, 2])
    assert _one(avg, x).flops == 4 * 4 * 4 * 4
    assert _one(helper.make_node("GlobalAveragePool", ["x"], ["y"]), x).flops == n
    bn = helper.make_node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y"])
    layer = _one(bn, x, [("s", [4]), ("b", [4]), ("m", [4]), ("v", [4])])
    assert (layer.flops, layer.params, layer.param_bytes) == (2 * n, 8, 16 * 4)
    assert _one(helper.make_node("Relu", ["x"], ["y"]), x).flops == n
    assert _one(helper.make_node("Sigmoid", ["x"], ["y"]), x).flops == 4 * n
    assert _one(helper.make_node("Softmax", ["x"], ["y"]), x).flops == 5 * n
    ln = helper.make_node("LayerNormalization", ["x", "g", "b"], ["y"], axis=-1)
    layer = _one(ln, x, [("g", [8]), ("b", [8])])
    assert (layer.flops, layer.params) == (5 * n, 16)
    add = _one(helper.make_node("Add", ["x", "z"], ["y"]), [*x, ("z", [1, 4, 8, 8])])
    assert (add.flops, add.op) == (n, "add")


def test_data_movement_is_free() -> None:
    x = [("x", [1, 4, 8, 8])]
    assert _one(helper.make_node("Flatten", ["x"], ["y"], axis=1), x).flops == 0
    assert _one(helper.make_node("Transpose", ["x"], ["y"], perm=[0, 2, 3, 1]), x).flops == 0
    shape = numpy_helper.from_array(np.array([1, 256], np.int64), "s")
    model = _model([helper.make_node("Reshape", ["x", "s"], ["y"])], x, ["y"])
    model.graph.initializer.append(shape)
    layer = load_onnx(model, name="r")[0]
    assert (layer.flops, layer.params, layer.output_shape) == (0, 2, (1, 256))
    cat = helper.make_node("Concat", ["x", "z"], ["y"], axis=1)
    layer = _one(cat, [*x, ("z", [1, 2, 8, 8])])
    assert (layer.flops, layer.output_shape) == (0, (1, 6, 8, 8))


def test_unknown_op_is_counted_by_output_size_with_a_warning() -> None:
    node = helper.make_node("Einsum", ["a", "b"], ["y"], equation="ij,jk->ik")
    with pytest.warns(UserWarning, match="Einsum"):
        layer = _one(node, [("a", [3, 4]), ("b", [4, 5])])
    assert layer.flops == 15


def test_skip_connection_dag_and_symbolic_batch(tmp_path: Path) -> None:
    nodes = [
        helper.make_node("Relu", ["x"], ["a"], name="a"),
        helper.make_node("Sigmoid", ["a"], ["b"], name="b"),
        helper.make_node("Add", ["a", "b"], ["c"], name="c"),
    ]
    model = _model(nodes, [("x", ["N", 16])], ["c"])
    path = tmp_path / "skip.onnx"
    onnx.save(model, str(path))
    g = load_onnx(path)
    assert g.name == "skip" and [layer.name for layer in g] == ["a", "b", "c"]
    assert g.input_shape == (1, 16)  # symbolic batch taken as 1
    assert [cut_bytes(g, k) for k in range(4)] == [64, 64, 128, 64]
    assert chain_cut_points(g) == [0, 1, 3]


@pytest.mark.parametrize(
    ("dims", "said"),
    [
        (["N", 3, "H", "W"], "input 'x' has size 'H' at axis 2"),
        ([1, 3, 0, 8], "input 'x' has size unknown at axis 2"),
        (None, "input 'x' has no shape"),
    ],
)
def test_an_input_size_past_the_batch_left_open_is_refused(dims, said) -> None:
    """A 3x3 convolution of an ["N", 3, "H", "W"] input imported as one of a 1x1 image: 216 FLOPs."""
    node = helper.make_node("Conv", ["x", "w"], ["y"], kernel_shape=[3, 3])
    model = _model([node], [("x", dims)], ["y"], [("w", [4, 3, 3, 3])])
    with pytest.raises(ValueError, match="^" + re.escape(said) + ".*give the file fixed input sizes"):
        load_onnx(model, name="open")


def _round_trip(name: str, tmp_path: Path, external: bool) -> None:
    graph = get_model(name)
    path = export_onnx(graph, tmp_path / f"{name}.onnx", external_data=external)
    onnx.checker.check_model(str(path))
    back = load_onnx(path)
    assert back.flops == graph.flops
    assert back.macs == graph.macs
    assert back.params == graph.params
    assert back.param_bytes == graph.param_bytes
    assert back.input_bytes == graph.input_bytes and back.output_bytes == graph.output_bytes
    if len(back) == len(graph):
        assert np.array_equal(as_chain(back).cut_bytes, as_chain(graph).cut_bytes)


def test_round_trip_resnet18(tmp_path: Path) -> None:
    _round_trip("resnet18", tmp_path, external=False)


def test_round_trip_alexnet_with_external_weights(tmp_path: Path) -> None:
    _round_trip("alexnet", tmp_path, external=True)
    assert (tmp_path / "alexnet.onnx.data").stat().st_size > 200e6  # weights beside the model


def test_round_trip_relu6_silu_and_concat_networks(tmp_path: Path) -> None:
    _round_trip("mobilenet_v2", tmp_path, external=False)
    _round_trip("efficientnet_b0", tmp_path, external=False)  # SiLU -> Sigmoid + Mul
    _round_trip("squeezenet1_1", tmp_path, external=False)


def test_export_rejects_transformers(tmp_path: Path) -> None:
    with pytest.raises(NotImplementedError, match="CNN"):
        export_onnx(get_model("bert-base", seq_len=8), tmp_path / "bert.onnx")


def test_missing_onnx_gives_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ImportError, match=r"pip install 'offloadsim\[onnx\]'"):
        load_onnx("whatever.onnx")


def test_exported_model_runs_in_onnxruntime(tmp_path: Path) -> None:
    ort = pytest.importorskip("onnxruntime")
    path = export_onnx(get_model("squeezenet1_1"), tmp_path / "squeezenet.onnx")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (logits,) = session.run(None, {"input": np.ones((1, 3, 224, 224), np.float32)})
    assert logits.shape == (1, 1000) and np.isfinite(logits).all()


# -- one representation: imported layers carry the zoo's attribute names ---------------------------


def test_conv_attributes_are_the_zoos_names_and_types() -> None:
    node = helper.make_node(
        "Conv", ["x", "w", "b"], ["y"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], group=4
    )
    layer = _one(node, [("x", [1, 4, 8, 8])], [("w", [4, 1, 3, 3]), ("b", [4])])
    attrs = dict(layer.attrs)
    assert attrs == {"onnx_op": "Conv", "kernel": 3, "stride": 2, "padding": 1, "groups": 4, "bias": True}
    no_bias = helper.make_node("Conv", ["x", "w"], ["y"], kernel_shape=[1, 1])
    assert dict(_one(no_bias, [("x", [1, 4, 8, 8])], [("w", [2, 4, 1, 1])]).attrs)["bias"] is False


def test_per_axis_windows_stay_per_axis_and_same_padding_is_computed() -> None:
    node = helper.make_node(
        "Conv", ["x", "w"], ["y"], kernel_shape=[3, 1], pads=[1, 0, 1, 0], dilations=[2, 1]
    )
    attrs = dict(_one(node, [("x", [1, 2, 8, 8])], [("w", [2, 2, 3, 1])]).attrs)
    assert (attrs["kernel"], attrs["padding"], attrs["dilation"], attrs["stride"]) == (
        (3, 1),
        (1, 0, 1, 0),
        (2, 1),
        1,
    )
    same = helper.make_node(
        "Conv", ["x", "w"], ["y"], kernel_shape=[3, 3], strides=[2, 2], auto_pad="SAME_UPPER"
    )
    layer = _one(same, [("x", [1, 2, 8, 8])], [("w", [2, 2, 3, 3])])
    # out 4 = ceil(8/2): total padding (4-1)*2 + 3 - 8 = 1, the extra one at the end (SAME_UPPER)
    assert layer.output_shape == (1, 2, 4, 4) and dict(layer.attrs)["padding"] == (0, 0, 1, 1)


def test_pool_norm_and_activation_kinds() -> None:
    x = [("x", [1, 4, 8, 8])]
    pool = helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1)
    attrs = dict(_one(pool, x).attrs)
    assert attrs == {
        "onnx_op": "MaxPool",
        "kind": "max",
        "kernel": 3,
        "stride": 2,
        "padding": 0,
        "ceil": True,
    }
    assert dict(_one(helper.make_node("GlobalAveragePool", ["x"], ["y"]), x).attrs)["kind"] == "global_avg"
    bn = helper.make_node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y"])
    assert _one(bn, x, [(n, [4]) for n in "sbmv"]).attr("kind") == "batchnorm"
    assert _one(helper.make_node("Relu", ["x"], ["y"]), x).attr("kind") == "relu"
    assert _one(helper.make_node("LeakyRelu", ["x"], ["y"]), x).attr("kind") == "leaky_relu"
    assert _one(helper.make_node("Flatten", ["x"], ["y"], axis=1), x).attr("kind") == "flatten"
    for bounds, kind in (((0.0, 6.0), "relu6"), ((-1.0, 1.0), "clip")):
        consts = [
            helper.make_node("Constant", [], [n], value=helper.make_tensor(n, F, [], [v]))
            for n, v in zip(("lo", "hi"), bounds, strict=True)
        ]
        clip = helper.make_node("Clip", ["x", "lo", "hi"], ["y"])
        (layer,) = load_onnx(_model([*consts, clip], x, ["y"]), name="clip")
        assert layer.attr("kind") == kind


def test_x_times_sigmoid_x_is_one_silu_layer() -> None:
    nodes = [
        helper.make_node("Relu", ["x"], ["a"], name="a"),
        helper.make_node("Sigmoid", ["a"], ["s"], name="s"),
        helper.make_node("Mul", ["s", "a"], ["y"], name="swish"),
    ]
    g = load_onnx(_model(nodes, [("x", [1, 4, 8, 8])], ["y"]), name="silu")
    assert [(layer.name, layer.op, layer.attr("kind")) for layer in g] == [
        ("a", "act", "relu"),
        ("swish", "act", "silu"),
    ]
    assert g["swish"].inputs == ("a",) and g["swish"].flops == 5 * 4 * 8 * 8


def test_a_sigmoid_read_elsewhere_is_not_fused() -> None:
    nodes = [
        helper.make_node("Sigmoid", ["x"], ["s"], name="s"),
        helper.make_node("Mul", ["x", "s"], ["m"], name="m"),
        helper.make_node("Add", ["m", "s"], ["y"], name="y"),
    ]
    g = load_onnx(_model(nodes, [("x", [1, 8])], ["y"]), name="gate")
    assert [layer.name for layer in g] == ["s", "m", "y"]


_ONNX_SCENARIO = """\
name: onnx-precision
duration: 5 s
nodes:
  phone: {{tier: device}}
  edge: {{tier: edge, processor: {{profile: t4}}}}
links:
  - {{between: [phone, edge], bandwidth: 100 Mbps, latency: 1 ms}}
applications:
  net: {app}
workload:
  - {{app: net, sources: phone, arrivals: periodic, period: 1 s}}
policy: edge
"""


def _edge_compute_s(tmp_path: Path, app: str) -> float:
    import offloadsim

    file = tmp_path / "s.yaml"
    file.write_text(_ONNX_SCENARIO.format(app=app), encoding="utf-8")
    times = offloadsim.run(file).tasks["compute_time"]
    assert len(times) >= 4 and times.nunique() == 1
    return float(times.iloc[0])


def test_an_onnx_application_runs_in_the_precision_its_params_name(tmp_path: Path) -> None:
    """``params: {precision: int8}`` on an ONNX file was accepted and silently costed in fp32; it now
    costs the imported graph as the zoo costs the same model in that precision, to the nanosecond."""
    export_onnx(get_model("resnet18"), tmp_path / "r18.onnx")
    fp32 = _edge_compute_s(tmp_path, "{onnx: r18.onnx, input: 150 KB}")
    for params in ("{precision: int8}", "{dtype_bytes: 2}"):
        onnx_time = _edge_compute_s(tmp_path, f"{{onnx: r18.onnx, input: 150 KB, params: {params}}}")
        zoo_time = _edge_compute_s(tmp_path, f"{{model: resnet18, input: 150 KB, params: {params}}}")
        assert onnx_time == pytest.approx(zoo_time, rel=0, abs=1e-9)
        assert onnx_time < fp32 / 2  # the t4's int8 and fp16 peaks are 16 and 8 times its fp32 one


@pytest.mark.parametrize(
    ("app", "key", "fragment"),
    [
        ("{onnx: r18.onnx, params: {image_size: 112}}", "params.image_size", "shapes come from its file"),
        ("{work: 1 GFLOP, params: {precision: int8}}", "params.precision", "synthetic work has no model"),
    ],
)
def test_params_no_builder_reads_are_refused(tmp_path: Path, app: str, key: str, fragment: str) -> None:
    """An ONNX model's image size, or any parameter of synthetic work, used to be silently ignored."""
    from offloadsim.scenario import ScenarioError, load_scenario

    (tmp_path / "r18.onnx").write_bytes(b"")  # the loader checks the file exists; nothing reads it here
    file = tmp_path / "s.yaml"
    file.write_text(_ONNX_SCENARIO.format(app=app), encoding="utf-8")
    with pytest.raises(ScenarioError, match=f"applications.net.{key}: .*{fragment}"):
        load_scenario(file)


@pytest.mark.parametrize(
    ("nodes", "message"),
    [
        (  # a cycle: Add read b, which the Relu after it makes
            [
                helper.make_node("Add", ["x", "b"], ["a"]),
                helper.make_node("Relu", ["a"], ["b"]),
                helper.make_node("Relu", ["b"], ["y"]),
            ],
            "graph 'g': node 0 (Add) reads 'b', which node 1 makes after it "
            "(a cycle, or nodes out of topological order)",
        ),
        (  # a misspelt name
            [helper.make_node("Add", ["x", "nope"], ["y"])],
            "graph 'g': node 0 (Add) reads 'nope', which no node, graph input or initializer makes",
        ),
        (  # two makers of one name
            [helper.make_node("Relu", ["x"], ["y"]), helper.make_node("Sigmoid", ["x"], ["y"])],
            "graph 'g': tensor 'y' is made by node 0 and again by node 1 "
            "(an ONNX graph assigns each name once)",
        ),
    ],
)
def test_a_graph_reading_what_no_earlier_node_makes_is_refused(nodes, message):
    """Each was imported at no warning, the unknown tensor read as the model's input: a cycle's
    edge dropped, a misspelt name made an input of the network, the first of two makers forgotten."""
    with pytest.raises(ValueError) as info:
        load_onnx(_model(nodes, [("x", [1, 3, 8, 8])], ["y"]), name="g")
    assert str(info.value) == message


def _ghost_output_model():  # type: ignore[no-untyped-def]
    """A Relu whose graph also lists an output ``z`` that no node, input or initializer makes."""
    return _model([helper.make_node("Relu", ["x"], ["y"])], [("x", [1, 3, 8, 8])], ["y", "z"])


def test_a_graph_output_nothing_makes_is_refused() -> None:
    """It was left out of the model's outputs at no warning: the model imported with one output fewer."""
    with pytest.raises(ValueError) as info:
        load_onnx(_ghost_output_model(), name="g")
    assert str(info.value) == "graph 'g': output 'z' is made by no node, graph input or initializer"


def test_graph_outputs_that_are_inputs_or_initializers_still_import() -> None:
    """A graph may hand back its input or a weight as an output: no node makes them, nothing is missing.

    Its outputs are declared with their shapes: left to it, ONNX shape inference gives ``y`` none in
    a graph that lists its input among its outputs, and a layer of no shape is refused.
    """
    model = _model(
        [helper.make_node("Add", ["x", "w"], ["y"])], [("x", [1, 4])], ["y", "x", "w"], inits=[("w", [1, 4])]
    )
    for output in model.graph.output:
        output.CopyFrom(helper.make_tensor_value_info(output.name, F, [1, 4]))
    assert load_onnx(model, name="g").outputs == ("Add_0",)


@pytest.mark.parametrize("verb", ["validate", "run"])
def test_run_and_validate_refuse_a_graph_output_nothing_makes(verb, tmp_path, capsys) -> None:
    from offloadsim.cli import main

    onnx.save(_ghost_output_model(), tmp_path / "ghost.onnx")
    file = tmp_path / "s.yaml"
    file.write_text(_ONNX_SCENARIO.format(app="{onnx: ghost.onnx, input: 1 KB}"), encoding="utf-8")
    out = tmp_path / "out"
    assert main([verb, str(file), *(["--out", str(out)] if verb == "run" else [])]) == 2
    assert capsys.readouterr().err == (
        f"offloadsim: error: {file}: applications.net.onnx: cannot import ghost.onnx as an ONNX model "
        "(ValueError: graph 'ghost': output 'z' is made by no node, graph input or initializer)\n"
    )
    assert not out.exists()


def test_load_onnx_says_in_one_line_what_it_cannot_read(tmp_path):
    """A file that is no ONNX model ended in protobuf's DecodeError, and load_onnx(3) in
    "'int' object has no attribute 'graph'"; the command line's words are unchanged."""
    from offloadsim.models import OnnxImportError
    from offloadsim.models.onnx_io import import_failure

    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"\x08\x07garbage" * 10)
    with pytest.raises(
        OnnxImportError, match=r"^cannot import .*junk\.onnx as an ONNX model \(DecodeError: "
    ) as info:
        load_onnx(junk)
    assert import_failure(junk, info.value).startswith(
        "cannot import junk.onnx as an ONNX model (DecodeError: "
    )
    with pytest.raises(
        TypeError, match=r"^model: expected a path to an ONNX file or an onnx\.ModelProto, got int$"
    ):
        load_onnx(3)


def _contrib_gelu_model():  # type: ignore[no-untyped-def]
    """com.microsoft's Gelu, then a Relu: ONNX shape inference knows no shape past the contrib op."""
    gelu = helper.make_node("Gelu", ["x"], ["y"], domain="com.microsoft")
    model = _model([gelu, helper.make_node("Relu", ["y"], ["z"])], [("x", [1, 32, 64])], ["z"])
    model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    return model


def test_a_layer_whose_output_has_no_shape_is_refused() -> None:
    """An op outside the standard domain (the Gelu onnxruntime's transformer optimizer writes) left its
    output and every layer after it shapeless: each imported as a 1-element tensor of 0 bytes, so the
    model's FLOPs were a few and a cut after it sent nothing, without a word."""
    with pytest.raises(ValueError) as info:
        load_onnx(_contrib_gelu_model(), name="g")
    assert str(info.value) == (
        "node 'Gelu_0' (com.microsoft Gelu): ONNX shape inference gives its output 'y' no shape, "
        "so its FLOPs and bytes cannot be counted; export the model with standard ONNX ops"
    )


def test_validate_refuses_a_layer_whose_output_has_no_shape(tmp_path, capsys) -> None:
    from offloadsim.cli import main

    onnx.save(_contrib_gelu_model(), tmp_path / "gelu.onnx")
    file = tmp_path / "s.yaml"
    file.write_text(_ONNX_SCENARIO.format(app="{onnx: gelu.onnx, input: 1 KB}"), encoding="utf-8")
    assert main(["validate", str(file)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "applications.net.onnx: cannot import gelu.onnx" in err
    assert "node 'Gelu_0' (com.microsoft Gelu): ONNX shape inference gives its output 'y' no shape" in err
