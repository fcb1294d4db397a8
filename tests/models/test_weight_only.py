"""An LLM at int4 is weight-only quantised (W4A16): 4-bit weights; activations, KV cache, arithmetic 16-bit.

Checked in closed form against a derived profile's numbers: on a jetson-orin (it states an int4
peak four times its fp16 and bf16 ones) an int4 model prefills in exactly the bf16 model's time,
and each memory-bound decode step reads a quarter of the weight bytes but the same KV-cache bytes.
"""

from __future__ import annotations

import numpy as np
import pytest

from offloadsim.engine import simulate
from offloadsim.engine.llm import llm_chain
from offloadsim.models import get_model
from offloadsim.models.llm_cost import LLMCost
from offloadsim.models.zoo.llm import GPT2, LLAMA_3_2_1B, decode_weight_bytes, prefill_flops
from offloadsim.scenario import load_scenario_text
from offloadsim.world.profiles import BUILTIN_PROFILES

PROMPT, OUTPUT = 512, 16
ORIN = f"""
name: orin
duration: 20 s
nodes:
  box: {{tier: device, processor: {{profile: jetson-orin}}}}
applications:
  chat: {{model: llama-3.2-1b, prompt_tokens: {PROMPT}, output_tokens: {OUTPUT}, params: PARAMS}}
workload:
  - {{app: chat, sources: box, arrivals: periodic, period: 10 s}}
policy: local
"""


def _run(params: str) -> dict:
    raw = simulate(load_scenario_text(ORIN.replace("PARAMS", params), source="<t>"))
    assert set(raw.tasks["status"]) == {"completed"}
    return raw.tasks


def test_int4_prefills_at_the_16_bit_rate_and_decodes_reading_a_quarter_of_the_weights():
    orin = BUILTIN_PROFILES["jetson-orin"]
    peaks = dict(orin.peaks)
    assert peaks["fp16"] == peaks["bf16"] == peaks["int4"] / 4
    bf16_rate = peaks["fp16"] * orin.efficiency  # never the int4 peak: W4A16 computes in fp16
    memory = orin.memory_bandwidth_Bps
    weights = decode_weight_bytes(LLAMA_3_2_1B)  # bf16: 2 bytes a weight
    kv = LLAMA_3_2_1B.kv_bytes_per_token  # bf16, int4 weights or not

    # prefill is compute-bound here (its FLOPs outlast reading the weights once)
    prefill_s = prefill_flops(LLAMA_3_2_1B, PROMPT) / bf16_rate
    assert prefill_s > weights / memory
    # each decode step is memory-bound: all the weights, the KV cache of its context
    contexts = np.arange(PROMPT, PROMPT + OUTPUT - 1)
    bf16_tpot = float(np.mean((weights + kv * contexts) / memory))
    int4_tpot = float(np.mean((weights / 4 + kv * contexts) / memory))

    bf16, int4 = _run("{}"), _run("{precision: int4}")
    assert bf16["ttft"][0] == pytest.approx(prefill_s, rel=1e-9)
    assert int4["ttft"][0] == pytest.approx(prefill_s, rel=1e-9)  # was a quarter of it (the int4 peak)
    assert bf16["tpot"][0] == pytest.approx(bf16_tpot, rel=1e-9)
    assert int4["tpot"][0] == pytest.approx(int4_tpot, rel=1e-9)
    assert int4["kv_cache_bytes"][0] == bf16["kv_cache_bytes"][0] == (PROMPT + OUTPUT) * kv


def test_a_decode_step_falls_by_the_weight_bytes_ratio_on_a_memory_bound_processor():
    bf16, int4 = LLMCost.of(LLAMA_3_2_1B), LLMCost.of(LLAMA_3_2_1B.with_precision("int4"))
    speed, memory = 1e15, 10e9  # memory-bound: FLOPs take next to nothing
    layers = bf16.layers
    assert int4.decode_s(speed, memory, 0, layers, 0) == pytest.approx(
        bf16.decode_s(speed, memory, 0, layers, 0) * 0.5 / 2, rel=1e-12
    )
    # with a context, only the weights shrink: the KV cache read is bf16's
    saved = 0.75 * decode_weight_bytes(LLAMA_3_2_1B) / memory
    assert bf16.decode_s(speed, memory, 0, layers, 4000) - int4.decode_s(
        speed, memory, 0, layers, 4000
    ) == pytest.approx(saved, rel=1e-9)
    assert int4.prefill_s(1e12, memory, 0, layers, 256) == bf16.prefill_s(1e12, memory, 0, layers, 256)


def test_int4_keeps_the_kv_cache_and_the_hidden_state_crossing_a_cut_at_16_bits():
    int4 = LLAMA_3_2_1B.with_precision("int4")
    assert (int4.weights, int4.precision, int4.dtype_bytes) == ("int4", "fp16", 2.0)
    assert int4.kv_bytes_per_token == LLAMA_3_2_1B.kv_bytes_per_token == 32768
    _, bf16_cuts = llm_chain(LLMCost.of(LLAMA_3_2_1B), 64, 8)
    _, int4_cuts = llm_chain(LLMCost.of(int4), 64, 8)
    assert int4_cuts == bf16_cuts
    assert int4_cuts[1] == 64 * LLAMA_3_2_1B.d_model * 2  # 64 tokens' fp16 hidden states


def test_an_fp32_checkpoint_at_int4_computes_in_fp16():
    int4 = GPT2.with_precision("int4")
    assert (int4.weights, int4.precision) == ("int4", "fp16")
    assert int4.kv_bytes_per_token == GPT2.kv_bytes_per_token / 2
    assert decode_weight_bytes(int4) == decode_weight_bytes(GPT2) / 8


def test_the_int4_prefill_graph_holds_half_byte_weights_and_16_bit_activations():
    bf16, int4 = get_model("llama-3.2-1b"), get_model("llama-3.2-1b", precision="int4")
    assert int4.params == bf16.params
    assert int4.param_bytes == pytest.approx(bf16.param_bytes / 4, rel=1e-6)
    assert int4.output_bytes == bf16.output_bytes == LLAMA_3_2_1B.vocab * 2
    assert int4.meta["precision"] == "fp16" and int4.meta["weights"] == "int4"


def test_another_precision_applies_to_every_tensor_again():
    back = LLAMA_3_2_1B.with_precision("int4").with_precision("bf16")
    assert back == LLAMA_3_2_1B
    int8 = LLAMA_3_2_1B.with_precision("int8")  # W8A8 (SmoothQuant): unchanged
    assert (int8.weights, int8.precision, int8.kv_bytes_per_token) == ("int8", "int8", 16384)
    with pytest.raises(ValueError, match="weights must be one of"):
        LLAMA_3_2_1B.replace(weights="int2")
    with pytest.raises(ValueError, match="int4 quantises the weights alone"):  # no int4 arithmetic
        LLAMA_3_2_1B.replace(dtype_bytes=0.5, precision="")


def test_a_fallback_note_names_the_16_bit_arithmetic_and_the_int4_weights():
    from offloadsim.world import build_world

    pi = ORIN.replace("jetson-orin", "raspberry-pi-4").replace("PARAMS", "{precision: int4}")
    world = build_world(load_scenario_text(pi, source="<t>"))
    assert world.notes[0] == (
        "applications.chat (fp16 with int4 weights) on raspberry-pi-4: states no fp16 peak; "
        "its fp32 peak stands in (fp16 -> fp32)"
    )
    assert "in fp16 with int4 weights at box " in world.summary()
