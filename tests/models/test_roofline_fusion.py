"""A roofline (derived profile, plain speed) charges BatchNorm and activations as their own memory round trips
unless the processor says ``fusion: onnxruntime``; then onnxruntime's fused units are bounded instead.

The graph is conv(3->8, 3x3, no bias) -> BatchNormalization -> Relu on a 1x3x8x8 fp32 input,
built here with onnx.helper; every expected time below is worked out by hand from its shapes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from offloadsim.cli import main
from offloadsim.world.profiles.builtin import roofline_layer_seconds
from offloadsim.world.profiles.fusion import FUSION_RULES, NO_FUSION, ORT_FUSION

onnx = pytest.importorskip("onnx")
helper, numpy_helper = onnx.helper, onnx.numpy_helper

C_IN, C, H = 3, 8, 8
X_B = C_IN * H * H * 4  # 768 B of input
W_B = C * C_IN * 3 * 3 * 4  # 864 B of conv weights
BN_B = 4 * C * 4  # scale, shift, mean, variance: 128 B
Y_B = C * H * H * 4  # 2048 B: each layer's output
CONV_FLOPS = 2 * C * H * H * C_IN * 3 * 3  # 27,648
RELU_FLOPS = C * H * H  # one per element: 512
SPEED, MEMORY = 1e9, 1e6  # memory-bound: bytes / 1 MB/s dominate


def _model() -> onnx.ModelProto:
    weights = [numpy_helper.from_array(np.ones((C, C_IN, 3, 3), np.float32), "w")]
    weights += [numpy_helper.from_array(np.ones(C, np.float32), n) for n in ("g", "b", "m", "v")]
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c", "g", "b", "m", "v"], ["n"]),
        helper.make_node("Relu", ["n"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny",
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1, C_IN, H, H])],
        [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1, C, H, H])],
        weights,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


@pytest.fixture(scope="module")
def tiny():
    from offloadsim.models.onnx_io import load_onnx

    return load_onnx(_model(), name="tiny")


def test_unfused_roofline_charges_each_layer_its_own_round_trip(tiny):
    seconds = roofline_layer_seconds(tiny, SPEED, MEMORY)
    expected = [(X_B + W_B + Y_B) / MEMORY, (Y_B + BN_B + Y_B) / MEMORY, (Y_B + Y_B) / MEMORY]
    assert seconds == pytest.approx(expected, rel=1e-12)  # 3.68 + 4.224 + 4.096 ms


def test_fused_roofline_charges_one_round_trip_to_the_conv(tiny):
    seconds = roofline_layer_seconds(tiny, SPEED, MEMORY, ORT_FUSION)
    # the input, every weight (the batch norm's folded into the conv's), the last output
    assert seconds == pytest.approx([(X_B + W_B + BN_B + Y_B) / MEMORY, 0.0, 0.0], rel=1e-12)  # 3.808 ms


def test_a_folded_batch_norm_costs_no_flops(tiny):
    unfused = roofline_layer_seconds(tiny, SPEED, None)
    fused = roofline_layer_seconds(tiny, SPEED, None, ORT_FUSION)
    assert float(unfused.sum()) > float(fused.sum())
    assert fused == pytest.approx([(CONV_FLOPS + RELU_FLOPS) / SPEED, 0.0, 0.0], rel=1e-12)


def test_no_fusion_rules_keep_the_per_layer_roofline(tiny):
    assert np.array_equal(
        roofline_layer_seconds(tiny, SPEED, MEMORY, NO_FUSION), roofline_layer_seconds(tiny, SPEED, MEMORY)
    )


def test_what_fuses_is_onnxruntimes_list():
    # docs/profiles.md cites onnxruntime's graph optimizations: Conv+BatchNormalization folding, Conv
    # activation fusion (Relu, Clip: relu6, Sigmoid, Tanh), Gemm activation fusion, and the CPU's
    # Conv+Add(+activation) of a residual block; not SiLU/GELU (no such Conv fusion) nor a lone norm
    assert sorted(FUSION_RULES) == ["none", "onnxruntime"]
    rules = FUSION_RULES["onnxruntime"]
    assert rules is ORT_FUSION
    assert (rules.heads, rules.fold, rules.sum) == (("conv", "linear"), ("norm/batchnorm",), ("add",))
    assert set(rules.act) == {"act/relu", "act/relu6", "act/sigmoid", "act/tanh"}


def _scenario(tmp_path: Path, processor: str) -> Path:
    model = tmp_path / "tiny.onnx"
    onnx.save(_model(), model)
    path = tmp_path / "tiny.yaml"
    path.write_text(
        f"""name: tiny
seed: 1
duration: 10 s
nodes:
  device: {{tier: device, processor: {processor}}}
applications:
  app: {{onnx: tiny.onnx}}
workload:
  - {{app: app, sources: device, arrivals: poisson, rate: 1 /s}}
policy: {{name: local}}
"""
    )
    return path


@pytest.mark.parametrize("fusion, expected_ms", [("none", 12.0), ("onnxruntime", 3.808)])
def test_a_scenarios_processor_key_picks_the_roofline(tmp_path, fusion, expected_ms):
    from offloadsim.scenario.loader import load_scenario
    from offloadsim.world.build import build_world

    processor = f"{{speed: 1 GFLOP/s, memory_bandwidth: 1 MB/s, fusion: {fusion}}}"
    world = build_world(load_scenario(_scenario(tmp_path, processor)))
    assert float(world.layer_seconds("app", "device").sum()) * 1e3 == pytest.approx(expected_ms, rel=1e-12)


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize(
    "processor, said",
    [
        (
            "{speed: 1 GFLOP/s, fusion: tensorrt}",
            "nodes.device.processor.fusion: expected one of none, onnxruntime",
        ),
        (
            "{profile: xeon-ort-1t, fusion: onnxruntime}",
            'nodes.device.processor.fusion: profile "xeon-ort-1t" is calibrated',
        ),
    ],
    ids=["unknown", "calibrated"],
)
def test_bad_fusion_is_refused_in_one_line(tmp_path, capsys, command, processor, said):
    path = _scenario(tmp_path, processor)
    argv = [command, str(path)] + (["--out", str(tmp_path / "out")] if command == "run" else [])
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and said in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


NPU = "{speed: 4 TFLOP/s, memory_bandwidth: 30 GB/s%s}"
NOTE = "a roofline charges each BatchNorm and activation its own round trip to memory"


def _npu_scenario(tmp_path: Path, fusion: str = "") -> Path:
    path = tmp_path / "npu.yaml"
    path.write_text(
        f"""name: npu
seed: 1
duration: 10 s
nodes:
  phone: {{tier: device, processor: {NPU % fusion}}}
applications:
  classify: {{model: mobilenet_v2, params: {{precision: int8}}}}
workload:
  - {{app: classify, sources: phone, arrivals: poisson, rate: 1 /s}}
policy: {{name: local}}
"""
    )
    return path


@pytest.mark.parametrize("argv", [["validate"], ["run", "--dry-run"]], ids=["validate", "dry-run"])
def test_an_unfused_roofline_is_noted_once_with_its_share(tmp_path, capsys, argv):
    from offloadsim.models import get_model

    assert main([argv[0], str(_npu_scenario(tmp_path)), *argv[1:]]) == 0
    out = capsys.readouterr()
    (note,) = [line for line in (out.out + out.err).splitlines() if NOTE in line]
    g = get_model("mobilenet_v2", precision="int8")
    share = (
        1
        - roofline_layer_seconds(g, 4e12, 30e9, ORT_FUSION).sum()
        / roofline_layer_seconds(g, 4e12, 30e9).sum()
    )
    assert (
        f"({share * 100:.0f} % of the compute of applications.classify (mobilenet_v2) "
        "on nodes.phone.processor)" in note
    )
    assert note.startswith("note: nodes.phone.processor: ") and "fusion: onnxruntime" in note


def test_a_fused_roofline_is_not_noted(tmp_path, capsys):
    assert main(["validate", str(_npu_scenario(tmp_path, ", fusion: onnxruntime"))]) == 0
    out = capsys.readouterr()
    assert NOTE not in out.out + out.err


EDGE_NPU = """name: npu-edge
seed: 1
duration: 10 s
nodes:
  phone: {tier: device, processor: {speed: 4 TFLOP/s, memory_bandwidth: 300 GB/s}}
  edge: {tier: edge, processor: {speed: 4 TFLOP/s, memory_bandwidth: 30 GB/s}}
links:
  - {between: [phone, edge], bandwidth: 50 Mbps, latency: 5 ms}
applications:
  classify: {model: mobilenet_v2, params: {precision: int8}}
workload:
  - {app: classify, sources: phone, arrivals: poisson, rate: 1 /s}
policy: {name: local}
"""


@pytest.mark.parametrize(
    ("policy", "said", "top"),
    [
        ("local", "nodes.phone.processor: ", 300e9),
        ("edge", "nodes.phone.processor, nodes.edge.processor: ", 30e9),
    ],
)
def test_the_share_quoted_is_of_the_processors_the_run_may_use(tmp_path, capsys, policy, said, top):
    """A local run quoted the edge server's share (60 %), which it never ran a layer on, not the phone's."""
    from offloadsim.models import get_model

    path = tmp_path / "edge.yaml"
    path.write_text(EDGE_NPU, encoding="utf-8")
    assert main(["run", str(path), "--dry-run", "--policy", policy]) == 0
    out = capsys.readouterr()
    (note,) = [line for line in (out.out + out.err).splitlines() if NOTE in line]
    g = get_model("mobilenet_v2", precision="int8")
    share = (
        1
        - roofline_layer_seconds(g, 4e12, top, ORT_FUSION).sum() / roofline_layer_seconds(g, 4e12, top).sum()
    )
    where = "nodes.phone.processor" if top == 300e9 else "nodes.edge.processor"
    assert note.startswith(f"note: {said}a roofline"), note
    assert f"({share * 100:.0f} % of the compute of applications.classify (mobilenet_v2) on {where})" in note
