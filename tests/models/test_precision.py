"""A model's precision: named or given in bytes, refused when it names none, applied to bytes and KV cache."""

from __future__ import annotations

import numpy as np
import pytest

from offloadsim.cli import main
from offloadsim.engine import simulate
from offloadsim.models import LLM_CONFIGS, get_model
from offloadsim.models.llm_cost import LLMCost
from offloadsim.models.precision import PrecisionError, graph_precision, parse_precision
from offloadsim.models.zoo.llm import LLAMA_3_2_1B
from offloadsim.scenario import ScenarioError, load_scenario_text

LLM = """
name: llm
duration: 200 s
nodes:
  phone: {tier: device, processor: {speed: 1 TFLOP/s, memory_bandwidth: 10 GB/s}}
applications:
  chat: {model: llama-3.2-1b, prompt_tokens: 64, output_tokens: 8, params: PARAMS}
workload:
  - {app: chat, sources: phone, arrivals: periodic, period: 50 s}
policy: local
"""


@pytest.mark.parametrize(
    ("params", "precision", "size"),
    [
        ({"dtype_bytes": 0.5}, "int4", 0.5),
        ({"dtype_bytes": 1}, "int8", 1.0),
        ({"dtype_bytes": 2}, "fp16", 2.0),
        ({"dtype_bytes": 4.0}, "fp32", 4.0),
        ({"precision": "bf16"}, "bf16", 2.0),
        ({"precision": "INT4"}, "int4", 0.5),
        ({"precision": "bf16", "dtype_bytes": 2}, "bf16", 2.0),
    ],
)
def test_a_precision_is_named_or_given_in_bytes(params, precision, size):
    assert parse_precision(params) == (precision, size)


@pytest.mark.parametrize(
    ("params", "key"),
    [
        ({"dtype_bytes": -2}, "dtype_bytes"),
        ({"dtype_bytes": 0}, "dtype_bytes"),
        ({"dtype_bytes": 2.7}, "dtype_bytes"),
        ({"dtype_bytes": 3}, "dtype_bytes"),
        ({"dtype_bytes": "two"}, "dtype_bytes"),
        ({"dtype_bytes": True}, "dtype_bytes"),
        ({"dtype_bytes": [2]}, "dtype_bytes"),
        ({"precision": "fp12"}, "precision"),
        ({"precision": 16}, "precision"),
        ({"precision": "fp32", "dtype_bytes": 2}, "dtype_bytes"),
    ],
)
def test_a_value_that_names_no_precision_is_refused_with_its_key(params, key):
    with pytest.raises(PrecisionError) as caught:
        parse_precision(params)
    assert caught.value.key == key


@pytest.mark.parametrize("value", ["-2", "0", "2.7", "two", "[2]"])
def test_validate_refuses_a_bad_dtype_bytes_with_exit_2_and_the_key_path(tmp_path, capsys, value):
    path = tmp_path / "llm.yaml"
    path.write_text(LLM.replace("PARAMS", f"{{dtype_bytes: {value}}}"))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "applications.chat.params.dtype_bytes" in err and str(path) in err


def test_int4_is_refused_for_a_layer_graph():
    text = LLM.replace("model: llama-3.2-1b, prompt_tokens: 64, output_tokens: 8", "model: alexnet")
    with pytest.raises(ScenarioError, match=r"applications\.chat\.params\.precision: int4"):
        load_scenario_text(text.replace("PARAMS", "{precision: int4}"), source="<t>")


def test_int4_halves_the_weights_of_int8_but_keeps_16_bit_kv_cache_and_hidden_state():
    # int4 is weight-only (W4A16): half int8's weight bytes, but bf16's KV cache and hidden state.
    bf16, int8, int4 = (LLMCost.of(LLAMA_3_2_1B.with_precision(p)) for p in ("bf16", "int8", "int4"))
    assert int4.block_weight_bytes == pytest.approx(int8.block_weight_bytes / 2)
    assert int4.head_weight_bytes == pytest.approx(int8.head_weight_bytes / 2)
    assert int4.kv_bytes_per_token == bf16.kv_bytes_per_token == 2 * int8.kv_bytes_per_token
    assert int4.hidden_bytes == bf16.hidden_bytes == LLAMA_3_2_1B.d_model * 2


def test_an_int4_llm_runs_with_a_16_bit_kv_cache_and_a_quarter_of_the_weight_reads(tmp_path):
    def run(params: str) -> dict:
        raw = simulate(load_scenario_text(LLM.replace("PARAMS", params), source="<t>"))
        assert set(raw.tasks["status"]) == {"completed"}
        return raw.tasks

    int4 = run("{dtype_bytes: 0.5}")
    bf16 = run("{}")
    kv = (64 + 8) * LLAMA_3_2_1B.kv_bytes_per_token
    assert int4["kv_cache_bytes"][0] == bf16["kv_cache_bytes"][0] == kv
    # decode is memory-bound on the phone: a quarter of the weight bytes, the same KV bytes per step
    cost = LLMCost.of(LLAMA_3_2_1B)
    weights, read = cost.weight_bytes(0, cost.layers), cost.kv_bytes_per_token * np.arange(64, 64 + 7)
    ratio = float(np.sum(weights / 4 + read) / np.sum(weights + read))
    assert int4["tpot"][0] == pytest.approx(bf16["tpot"][0] * ratio, rel=1e-9)
    assert 0.25 < ratio < 0.26


def test_zoo_models_take_a_precision():
    fp32 = get_model("resnet18")
    fp16 = get_model("resnet18", precision="fp16")
    assert graph_precision(fp32) == "fp32" and graph_precision(fp16) == "fp16"
    assert fp16.param_bytes * 2 == fp32.param_bytes
    assert graph_precision(get_model("llama-3.2-1b", precision="int8")) == "int8"
    assert graph_precision(get_model("llama-3.2-1b")) == "bf16"


# --- a model's precision selects the processor's peak ---------------------------------------

GPU = """
name: gpu
duration: 100 s
nodes:
  phone: {tier: device, processor: {profile: cortex-a76}}
  cloud: {tier: cloud, processor: {profile: a100}}
links:
  - {between: [phone, cloud], bandwidth: 1 Gbps, latency: 1 ms}
applications:
  chat: {model: llama-3.1-8b, prompt_tokens: 2048, output_tokens: 1, params: PARAMS}
workload:
  - {app: chat, sources: phone, arrivals: periodic, period: 50 s}
policy: cloud
"""


def test_a_bf16_llm_prefills_at_the_gpus_bf16_tensor_rate():
    from offloadsim.models.zoo.llm import LLAMA_3_1_8B
    from offloadsim.world import build_world
    from offloadsim.world.profiles import BUILTIN_PROFILES

    world = build_world(load_scenario_text(GPU.replace("PARAMS", "{}"), source="<t>"))
    a100 = BUILTIN_PROFILES["a100"]
    assert world.app_speed("chat", "cloud") == pytest.approx(312e12 * a100.efficiency)
    cost = LLMCost.of(LLAMA_3_1_8B)
    raw = simulate(world)
    expected = cost.prefill_s(312e12 * a100.efficiency, a100.memory_bandwidth_Bps, 0, cost.layers, 2048)
    fp32 = cost.prefill_s(a100.effective_flops, a100.memory_bandwidth_Bps, 0, cost.layers, 2048)
    assert raw.tasks["compute_time"][0] == pytest.approx(expected, rel=1e-9)
    assert fp32 > 10 * expected  # what the fp32 peak used to give
    # it states a bf16 peak: nothing to say but its decode ceiling and prefill efficiency (own tests)
    assert [note for note in _but_ceiling(world.notes) if "a100" in note] == []


def test_a_dry_run_shows_the_rate_a_model_runs_at_in_its_precision():
    # The processors line gives each profile's fp32 rate (a100: 7.8 TFLOP/s); a bf16 LLM runs at
    # 124.8 TFLOP/s there, and a hand check from the dry run used to be 16x off.
    from offloadsim.world import build_world

    summary = build_world(load_scenario_text(GPU.replace("PARAMS", "{}"), source="<t>")).summary()
    assert "cloud (7.8 TFLOP/s x1)" in summary
    assert "chat (llama-3.1-8b, 32 layer(s); in bf16 at phone 15.68 GFLOP/s, cloud 124.8 TFLOP/s)" in summary


def test_a_dry_run_counts_integer_rates_in_operations_as_profiles_show_does():
    # int8 arithmetic is no floating point: the dry run read "cloud 249.6 TFLOP/s" where
    # `offloadsim profiles show a100` says "int8 624 TOP/s" for the same peak.
    from offloadsim.world import build_world

    int8 = build_world(load_scenario_text(GPU.replace("PARAMS", "{precision: int8}"), source="<t>"))
    assert "in int8 at phone 62.72 GOP/s, cloud 249.6 TOP/s)" in int8.summary()
    int4 = build_world(load_scenario_text(GPU.replace("PARAMS", "{precision: int4}"), source="<t>"))
    assert "in fp16 with int4 weights at" in int4.summary()  # it computes in fp16
    assert "TOP/s" not in int4.summary()


def test_a_dry_runs_processor_rates_read_as_its_application_rates_do():
    # An h100's 26.8 TFLOP/s read "2.68e+04 GFLOP/s" on the processors line (and an a100's "7800
    # GFLOP/s"), beside "26.8 TFLOP/s" for the same processor on the applications line.
    from offloadsim.world import build_world

    text = GPU.replace("PARAMS", "{}").replace("profile: a100", "profile: h100")
    summary = build_world(load_scenario_text(text, source="<t>")).summary()
    processors = next(line for line in summary.splitlines() if line.startswith("processors:"))
    assert "cloud (26.8 TFLOP/s x1)" in processors and "e+" not in processors, processors


def test_a_precision_the_profile_lacks_falls_back_and_says_so():
    from offloadsim.world import build_world
    from offloadsim.world.profiles import BUILTIN_PROFILES

    world = build_world(load_scenario_text(GPU.replace("PARAMS", "{precision: int4}"), source="<t>"))
    a76 = BUILTIN_PROFILES["cortex-a76"]
    # int4 weights compute in fp16 (W4A16): never at the A100's int4 rate; the A76 states an fp16
    # peak (no bf16 one: the bf16 model falls back to fp32, with a note)
    assert world.app_speed("chat", "phone") == pytest.approx(89.6e9 * a76.efficiency)
    assert world.app_speed("chat", "cloud") == pytest.approx(312e12 * BUILTIN_PROFILES["a100"].efficiency)
    assert _but_ceiling(world.notes) == (
        "precision int4 (applications.chat): bytes and time only; accuracy is not modelled; fp16's peak is "
        "2x bf16's on cortex-a76: the data sheets' peak ratios, not measured; a comparison "
        "between precisions, or with offloading, rests on them (docs/models.md#precision)",
    )
    bf16 = build_world(load_scenario_text(GPU.replace("PARAMS", "{}"), source="<t>"))
    assert bf16.app_speed("chat", "phone") == pytest.approx(a76.effective_flops)  # bf16 widened to fp32
    assert _but_ceiling(bf16.notes) == (
        "applications.chat (bf16) on cortex-a76: states no bf16 peak; its fp32 peak stands in (bf16 -> fp32)",
    )
    int8 = build_world(load_scenario_text(GPU.replace("PARAMS", "{precision: int8}"), source="<t>"))
    assert int8.app_speed("chat", "cloud") == pytest.approx(624e12 * BUILTIN_PROFILES["a100"].efficiency)


def test_dnn_layers_cost_at_the_peak_of_the_models_precision():
    from offloadsim.world.profiles import BUILTIN_PROFILES
    from offloadsim.world.profiles.builtin import roofline_layer_seconds

    t4 = BUILTIN_PROFILES["t4"]
    graph = get_model("vgg16", precision="fp16")
    expected = roofline_layer_seconds(graph, 65e12 * t4.efficiency, t4.memory_bandwidth_Bps)
    assert np.array_equal(t4.layer_seconds(graph), expected)
    fp32 = t4.layer_seconds(get_model("vgg16"))
    assert t4.layer_seconds(graph).sum() < fp32.sum() / 2


def test_every_derived_profile_cites_a_source_for_each_peak_it_states():
    from offloadsim.world.profiles import BUILTIN_PROFILES

    for profile in BUILTIN_PROFILES.values():
        text = " ".join(profile.sources).lower()
        for precision, _ in profile.peaks:
            assert precision in text, (profile.name, precision)


TWO_PROCESSORS = """
name: cpu-and-gpu
nodes:
  phone: {tier: device, processor: {speed: 10 GFLOP/s}}
  edge:
    tier: edge
    processors:
      cpu: {speed: 200 GFLOP/s, cores: 8}
      gpu: {profile: t4, noise: true}
links:
  - {between: [phone, edge], bandwidth: 50 Mbps, latency: 5 ms, loss: 0.01}
applications:
  chat: {model: llama-3.2-1b, prompt_tokens: 64, output_tokens: 8}
workload:
  - {app: chat, sources: phone, arrivals: periodic, period: 1 s}
policy: {name: fixed, node: edge, processors: [gpu]}
"""


def _but_plain_speeds(notes: tuple[str, ...]) -> tuple[str, ...]:
    """``notes`` but the plain speeds' own line and a GPU's batch-one line (their own tests:
    tests/test_stated_notes.py, tests/test_gpu_batch_one_note.py)."""
    return tuple(
        note
        for note in notes
        if "the scenario's own figure" not in note and "#batch-one-against-published-latencies" not in note
    )


def test_the_notes_cover_every_processor_and_the_keys_a_run_does_not_act_on():
    """A T4 beside a CPU had no note that bf16 falls back to its fp32 peak (only a node's first
    processor was looked at); a link's loss and a derived profile's noise were accepted and did
    nothing, without a word."""
    from offloadsim.world import build_world

    notes = _but_plain_speeds(build_world(load_scenario_text(TWO_PROCESSORS, source="<t>")).notes)
    assert notes == (
        "applications.chat (bf16) on t4: states no bf16 peak; its fp32 peak stands in (bf16 -> fp32)",
        "links[0].loss: packet loss is recorded (the links table's loss_rate), not simulated: "
        "it does not slow transfers",
        'nodes.edge.processors.gpu.noise: profile "t4" measured no run-to-run spread, so every stage '
        "takes its predicted time (noise needs a calibrated profile)",
        *UNBOUNDED_DECODE,
        _ceiling("llama-3.2-1b", "t4"),
    )
    plain = TWO_PROCESSORS.replace("gpu: {profile: t4, noise: true}", "gpu: {profile: a100}")
    plain = plain.replace(", loss: 0.01", "").replace(
        "cpu: {speed: 200 GFLOP/s, cores: 8}", "cpu: {speed: 1 TFLOP/s, noise: true}"
    )
    assert _but_plain_speeds(build_world(load_scenario_text(plain, source="<t>")).notes) == (
        "nodes.edge.processors.cpu.noise: a plain speed measured no run-to-run spread, so every stage "
        "takes its predicted time (noise needs a calibrated profile)",
        *UNBOUNDED_DECODE,
        _ceiling("llama-3.2-1b", "a100"),
    )


def _ceiling(model: str, profile: str) -> str:
    """The note that ``model``'s decode on built-in ``profile`` alone is a bandwidth ceiling."""
    from offloadsim.models import LLM_CONFIGS, decode_weight_bytes
    from offloadsim.world.profiles import BUILTIN_PROFILES

    rate = BUILTIN_PROFILES[profile].memory_bandwidth_Bps / decode_weight_bytes(LLM_CONFIGS[model])
    return (
        "LLM decode runs at the profile's full memory bandwidth, so its tokens/s is a ceiling, "
        f"not a measured rate (applications.chat ({model}) at most {rate:.3g} tok/s on {profile}): one "
        "request's measured decoding is slower (docs/profiles.md#llm-decoding-a-bandwidth-ceiling)"
    )


def _but_ceiling(notes: tuple[str, ...]) -> tuple[str, ...]:
    """``notes`` but the decode ceiling's, the GPU prefill's batch-one line and the CPU efficiency's (each
    tested on its own: tests/models/test_decode_ceiling_note.py, tests/test_gpu_batch_one_note.py,
    tests/test_cpu_efficiency_note.py)."""
    return tuple(
        note
        for note in notes
        if not note.startswith("LLM decode runs at the profile's full memory bandwidth")
        and "a built-in CPU profile runs each layer" not in note
        and "(docs/profiles.md#batch-one-against-published-latencies)" not in note
    )


#: The notes of TWO_PROCESSORS's plain speeds, which may run its LLM but give no memory bandwidth.
UNBOUNDED_DECODE = tuple(
    f"nodes.{where}: a plain speed with no memory_bandwidth prices the LLM decode of applications.chat "
    "by FLOPs alone, with no memory bound, so its time per output token is too short: give memory_bandwidth"
    for where in ("phone.processor", "edge.processors.cpu")
)


def test_a_plain_speed_that_may_decode_an_llm_without_a_memory_bandwidth_says_so():
    """Its decode was priced by FLOPs alone (a TPOT several times too short), without a word."""
    from offloadsim.world import build_world

    notes = build_world(load_scenario_text(TWO_PROCESSORS, source="<t>")).notes
    assert _but_plain_speeds(_but_ceiling(notes))[-2:] == UNBOUNDED_DECODE
    bounded = TWO_PROCESSORS.replace("speed: 10 GFLOP/s}", "speed: 10 GFLOP/s, memory_bandwidth: 20 GB/s}")
    hosted = bounded.replace("output_tokens: 8}", "output_tokens: 8, hosts: [phone]}")
    notes = build_world(load_scenario_text(hosted, source="<t>")).notes
    assert not any(
        "memory_bandwidth" in note for note in notes
    )  # the cpu may not run it, the phone is bounded
    other = TWO_PROCESSORS.replace(
        "chat: {model: llama-3.2-1b, prompt_tokens: 64, output_tokens: 8}", "chat: {model: alexnet}"
    )
    assert not any(
        "memory_bandwidth" in note for note in build_world(load_scenario_text(other, source="<t>")).notes
    )


def test_a_codec_no_narrower_than_the_model_says_it_compresses_nothing():
    """fp16 activations of an int8 model are wider than the model's own: the codec did nothing, silently."""
    from offloadsim.world import build_world

    text = TWO_PROCESSORS.replace("gpu: {profile: t4, noise: true}", "gpu: {profile: t4}").replace(
        ", loss: 0.01", ""
    )
    text = text.replace(
        "chat: {model: llama-3.2-1b, prompt_tokens: 64, output_tokens: 8}",
        "chat: {model: alexnet, compression: CODEC, params: {precision: PRECISION}}",
    )
    for codec, precision, said in (("fp16", "int8", True), ("int8", "int8", True), ("int8", "fp16", False)):
        world = build_world(
            load_scenario_text(text.replace("CODEC", codec).replace("PRECISION", precision), source="<t>")
        )
        note = (
            f"applications.chat.compression: {codec} is no narrower than the model's {precision} "
            "activations, so nothing is compressed (and nothing is spent on it)"
        )
        assert (note in world.notes) is said


def test_int4_on_a_layer_graph_is_refused_saying_what_int4_is_here():
    # int4 is weight-only quantisation of an LLM (W4A16): the refusal says so, and the KV bytes show it.
    with pytest.raises(PrecisionError) as caught:
        parse_precision({"precision": "int4"}, packed=False)
    message = str(caught.value)
    assert "int4 weights with 16-bit activations and KV cache" in message
    int4 = LLM_CONFIGS["llama-3.2-1b"].with_precision("int4")
    assert int4.kv_bytes_per_token == LLM_CONFIGS["llama-3.2-1b"].kv_bytes_per_token


PI_PRECISION = """
name: pi
duration: 20 s
nodes:
  pi: {tier: device, processor: {profile: raspberry-pi-4}}
applications:
  cls: {model: resnet18, params: {precision: int8}}
workload:
  - {app: cls, sources: pi, arrivals: poisson, rate: 0.2 /s}
policy: local
"""


def test_a_figure_of_a_precision_the_hardware_lacks_says_its_stand_in(tmp_path, capsys):
    """int8 on a raspberry-pi-4 runs at its fp32 peak: the table's note said so, its figure did not.

    A note, not a run warning: it is a fact of the scenario and the profile, known before any run
    and the same in each (run warnings are what a run measured); said under figures as under tables.
    """
    from offloadsim import plots
    from offloadsim.experiments import read_results

    (tmp_path / "pi.yaml").write_text(PI_PRECISION, encoding="utf-8")
    (tmp_path / "sweep.yaml").write_text(
        "name: pi-precision\nbase: pi.yaml\ngrid:\n  applications.cls.params.precision: [fp32, int8]\n",
        encoding="utf-8",
    )
    assert main(["sweep", str(tmp_path / "sweep.yaml"), "--out", str(tmp_path / "s"), "--workers", "1"]) == 0
    said = "applications.cls (int8) on raspberry-pi-4: states no int8 peak; its fp32 peak stands in"
    assert said in capsys.readouterr().out
    results = read_results(tmp_path / "s")
    assert not any(said in str(w) for w in results.manifest.get("run_warnings", []))  # not a warning
    fig = plots.plot_results(results, "sweep")
    assert said in " ".join(fig._supxlabel.get_text().split())
