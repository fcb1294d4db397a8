"""A model's precision: named or given in bytes, refused when it names none, applied to bytes and KV cache."""

from __future__ import annotations

import pytest

from offloadsim.cli import main
from offloadsim.engine import simulate
from offloadsim.models import get_model
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


def test_int4_halves_weights_and_kv_cache_against_int8():
    int8, int4 = (LLMCost.of(LLAMA_3_2_1B.with_precision(p)) for p in ("int8", "int4"))
    assert int4.kv_bytes_per_token == pytest.approx(int8.kv_bytes_per_token / 2)
    assert int4.block_weight_bytes == pytest.approx(int8.block_weight_bytes / 2)
    assert int4.kv_bytes_per_token > 0


def test_an_int4_llm_runs_with_its_half_byte_kv_cache(tmp_path):
    def run(params: str) -> dict:
        raw = simulate(load_scenario_text(LLM.replace("PARAMS", params), source="<t>"))
        assert set(raw.tasks["status"]) == {"completed"}
        return raw.tasks

    int4 = run("{dtype_bytes: 0.5}")
    bf16 = run("{}")
    assert int4["kv_cache_bytes"][0] == pytest.approx(bf16["kv_cache_bytes"][0] / 4)
    assert int4["kv_cache_bytes"][0] == (64 + 8) * LLAMA_3_2_1B.kv_bytes_per_token / 4
    # decode is memory-bound on the phone: a quarter of the bytes, a quarter of the time per token
    assert int4["tpot"][0] == pytest.approx(bf16["tpot"][0] / 4, rel=0.05)


def test_zoo_models_take_a_precision():
    fp32 = get_model("resnet18")
    fp16 = get_model("resnet18", precision="fp16")
    assert graph_precision(fp32) == "fp32" and graph_precision(fp16) == "fp16"
    assert fp16.param_bytes * 2 == fp32.param_bytes
    assert graph_precision(get_model("llama-3.2-1b", precision="int8")) == "int8"
    assert graph_precision(get_model("llama-3.2-1b")) == "bf16"
