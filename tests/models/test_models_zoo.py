"""The built-in zoo against published figures, plus chain invariants and the registry."""

from __future__ import annotations

import numpy as np
import pytest

from offloadsim.models import (
    LLM_CONFIGS,
    UnknownModelError,
    as_chain,
    canonical_name,
    chain_cut_points,
    decode_bytes,
    decode_flops,
    decode_weight_bytes,
    get_model,
    kv_cache_bytes_per_token,
    layers_table,
    list_models,
    models_table,
    prefill_flops,
    prefill_graph,
)
from offloadsim.models.precision import PrecisionError
from offloadsim.models.registry import ParameterError, parameter_problems
from offloadsim.shapes import describe

# name -> (published GMACs or None, published parameter count). torchvision's "GFLOPS" column
# counts multiply-accumulates of conv/linear/matmul layers, i.e. our GMACs.
PUBLISHED = {
    # pytorch.org/vision/stable/models/generated/torchvision.models.alexnet.html: num_params 61100840;
    # GFLOPS 0.714 ("_ops" in AlexNet_Weights meta, torchvision/models/alexnet.py)
    "alexnet": (0.714, 61_100_840),
    # pytorch.org/vision/stable/models/generated/torchvision.models.vgg16.html: 138357544, 15.47
    "vgg16": (15.47, 138_357_544),
    # pytorch.org/vision/stable/models/generated/torchvision.models.resnet18.html: 11689512, 1.81
    "resnet18": (1.81, 11_689_512),
    # pytorch.org/vision/stable/models/generated/torchvision.models.resnet50.html: 25557032;
    # GFLOPS 4.089 ("_ops" in ResNet50_Weights meta, torchvision/models/resnet.py)
    "resnet50": (4.089, 25_557_032),
    # pytorch.org/vision/stable/models/generated/torchvision.models.mobilenet_v2.html: 3504872, 0.30
    "mobilenet_v2": (0.30, 3_504_872),
    # pytorch.org/vision/stable/models/generated/torchvision.models.efficientnet_b0.html: 5288548, 0.39
    "efficientnet_b0": (0.39, 5_288_548),
    # SqueezeNet1_1_Weights meta in torchvision/models/squeezenet.py (the docs page shows the same
    # weights): num_params 1235496, "_ops" 0.349
    "squeezenet1_1": (0.349, 1_235_496),
    # pytorch.org/vision/stable/models/generated/torchvision.models.vit_b_16.html: 86567656, 17.56
    "vit_b_16": (17.56, 86_567_656),
    # huggingface.co/collections/google/bert-release, bert-base-uncased: "110M parameters"
    "bert-base": (None, 110e6),
    # huggingface.co/openai-community/gpt2 model card: "the smallest version of GPT-2, with 124M parameters"
    "gpt2": (None, 124e6),
    # Llama 3.2 model card (meta-llama/Llama-3.2-1B), "Params: 1B (1.23B)"
    "llama-3.2-1b": (None, 1.23e9),
    # huggingface.co/keras/llama3_instruct_8b_en model card: "llama3.1_8b | 8.03B"
    "llama-3.1-8b": (None, 8.03e9),
}


def test_every_builtin_model_has_a_published_figure() -> None:
    assert set(PUBLISHED) == set(list_models())


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_macs_and_params_match_published_within_2_percent(name: str) -> None:
    graph = get_model(name)
    gmacs, params = PUBLISHED[name]
    assert graph.params == pytest.approx(params, rel=0.02)
    if gmacs is not None:
        assert graph.macs / 1e9 == pytest.approx(gmacs, rel=0.02)


TORCHVISION = [n for n, (gmacs, _) in PUBLISHED.items() if gmacs is not None]


@pytest.mark.parametrize("name", TORCHVISION)
def test_torchvision_parameter_counts_are_exact(name: str) -> None:
    assert get_model(name).params == PUBLISHED[name][1]


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_chain_invariants(name: str) -> None:
    graph = get_model(name)
    chain = as_chain(graph)
    n = len(graph)
    assert len(chain.flops) == len(chain.param_bytes) == len(chain.names) == len(chain.ops) == n
    assert len(chain.cut_bytes) == n + 1
    assert chain.cut_bytes[0] == graph.input_bytes
    assert chain.cut_bytes[-1] == graph.output_bytes
    assert chain.flops.sum() == graph.flops
    assert chain.cum_flops[-1] == graph.flops
    assert chain.param_bytes.sum() == graph.param_bytes
    assert np.all(chain.cut_bytes > 0)
    for layer in graph:
        if layer.op in ("conv", "linear", "matmul"):
            assert layer.flops == 2 * layer.macs  # FLOPs = 2 x MACs
        else:
            assert layer.macs == 0
    # at a single-tensor cut the bytes are exactly that tensor, which is one layer's output
    for k in chain_cut_points(graph)[1:-1]:
        assert chain.cut_bytes[k] in set(chain.output_bytes[:k])


def test_image_inputs_are_float32_tensors() -> None:
    assert get_model("resnet50").input_bytes == 3 * 224 * 224 * 4
    assert get_model("alexnet").output_bytes == 1000 * 4


def test_chains_and_dags() -> None:
    assert get_model("vgg16").is_chain() and get_model("alexnet").is_chain()
    resnet = get_model("resnet18")
    assert not resnet.is_chain()
    cuts = chain_cut_points(resnet)
    assert resnet.position("layer1.0.relu") + 1 in cuts  # block boundary
    assert resnet.position("layer1.0.conv1") + 1 not in cuts  # inside a residual block


def test_registry_aliases_and_cache() -> None:
    assert canonical_name("ResNet-50") == "resnet50"
    assert canonical_name("mobilenetv2") == "mobilenet_v2"
    assert canonical_name("bert-base-uncased") == "bert-base"
    assert get_model("resnet-50") is get_model("resnet50")
    assert get_model("bert-base", seq_len=64) is not get_model("bert-base")


@pytest.mark.parametrize(
    "name", ["resnet50@", "resnet50!", "resnet50 ", "-resnet50", "res#net50", "resnet--50"]
)
def test_a_name_with_other_characters_is_unknown_and_the_model_suggested(name: str) -> None:
    """Every character but a letter or digit was dropped: 'resnet50@' (a size forgotten) was resnet50."""
    with pytest.raises(UnknownModelError) as info:
        canonical_name(name)
    assert str(info.value).startswith(f'unknown model "{name}" (did you mean "resnet50"')


def test_names_are_read_without_case_and_separators() -> None:
    spelt = ["ResNet-50", "resnet_50", "RESNET 50", "ViT-B/16", "Llama 3.2 1B", "llama-3.2-1b"]
    assert [canonical_name(n) for n in spelt] == [*["resnet50"] * 3, "vit_b_16", *["llama-3.2-1b"] * 2]


def test_unknown_model_suggests_close_names() -> None:
    with pytest.raises(KeyError, match="resnet50") as info:
        get_model("resnet-5O")
    assert isinstance(info.value, UnknownModelError)
    assert "did you mean" in str(info.value)
    with pytest.raises(TypeError):
        get_model("resnet50", no_such_param=1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ([], "a whole number"),
        ("x" * 100, "a whole number"),
        ({"a": 1}, "a whole number"),
        (None, "a whole number"),
        (2.5, "a whole number"),
        (-(10**300), "a whole number at least 1"),
    ],
    ids=["empty-list", "long-text", "mapping", "null", "decimal", "huge-negative"],
)
def test_a_wrong_parameter_is_shown_as_every_message_shows_a_value(value: object, expected: str) -> None:
    # One wording for a user's value across the CLI: the registry wrote its own (an empty list was
    # "a list", a long string lost its closing quote) and showed a number below its least in full
    # (YAML reads any length of digits: a message of 300).
    assert parameter_problems("resnet18", {"num_classes": value}) == [
        ("num_classes", f"expected {expected}, got {describe(value)}")
    ]


def test_parameters_change_the_graph() -> None:
    short, long = get_model("bert-base", seq_len=64), get_model("bert-base", seq_len=256)
    assert short.params == long.params
    assert long.flops > 4 * short.flops > 0
    # a quarter of the pixels, a little more than a quarter of the work (odd sizes round up)
    quarter = get_model("resnet50").macs / 4
    assert get_model("resnet50", image_size=112).macs == pytest.approx(quarter, rel=0.1)


def test_tables() -> None:
    table = models_table()
    columns = ["name", "layers", "GFLOPs", "GMACs", "parameters", "input_bytes", "output_bytes"]
    assert list(table.columns) == columns
    assert list(table["name"]) == list_models()
    assert table.set_index("name").loc["resnet50", "GFLOPs"] == pytest.approx(2 * 4.09, rel=0.02)
    layers = layers_table("resnet18")
    assert len(layers) == len(get_model("resnet18"))
    assert layers["cumulative_FLOPs"].iloc[-1] == get_model("resnet18").flops
    assert {"name", "op", "output_shape", "FLOPs", "output_bytes"} <= set(layers.columns)


# -- LLMs ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(LLM_CONFIGS))
def test_llm_graph_params_equal_closed_form(name: str) -> None:
    cfg = LLM_CONFIGS[name]
    assert get_model(name).params == cfg.params


@pytest.mark.parametrize("name", list(LLM_CONFIGS))
def test_prefill_flops_close_to_2N_per_token(name: str) -> None:
    """Kaplan et al.: forward FLOPs ~ 2 x non-embedding parameters per token (+ attention)."""
    cfg = LLM_CONFIGS[name]
    tokens = 128
    graph = get_model(name, tokens=tokens)
    embed = cfg.vocab * cfg.d_model * (1 if cfg.tied_embeddings else 2)
    embed += cfg.max_context * cfg.d_model if cfg.positional == "learned" else 0
    lm_head = 2 * cfg.vocab * cfg.d_model
    dense = 2 * (cfg.params - embed) * tokens
    attention = 4 * cfg.layers * cfg.heads * cfg.head_dim * tokens * (tokens + 1) / 2
    assert graph.flops - lm_head == pytest.approx(dense + attention, rel=0.02)


@pytest.mark.parametrize("name", list(LLM_CONFIGS))
def test_prefill_equals_sum_of_decode_steps(name: str) -> None:
    """Causal attention: prefilling T tokens does the work of T decode steps (LM head once)."""
    cfg = LLM_CONFIGS[name]
    tokens = 37
    steps = decode_flops(cfg, np.arange(tokens))
    lm_head = 2 * cfg.vocab * cfg.d_model
    assert prefill_graph(cfg, tokens).flops == pytest.approx(steps.sum() - (tokens - 1) * lm_head, rel=1e-12)
    assert prefill_flops(cfg, tokens) == prefill_graph(cfg, tokens).flops
    assert decode_flops(cfg, 10) == prefill_graph(cfg, 1, past_tokens=10).flops


def test_decode_memory_model() -> None:
    cfg = LLM_CONFIGS["llama-3.1-8b"]
    # 2 (K and V) x 32 layers x 8 KV heads x 128 head dim x 2 bytes (bf16)
    assert kv_cache_bytes_per_token(cfg) == 2 * 32 * 8 * 128 * 2 == 131072
    # untied: every weight except the input embedding table is read each step
    assert decode_weight_bytes(cfg) == (cfg.params - cfg.vocab * cfg.d_model + cfg.d_model) * 2
    assert decode_bytes(cfg, 4096) == decode_weight_bytes(cfg) + 4096 * 131072
    tied = LLM_CONFIGS["llama-3.2-1b"]
    assert decode_weight_bytes(tied) == (tied.params + tied.d_model) * 2
    assert np.all(np.diff(decode_flops(cfg, np.array([0, 100, 1000]))) > 0)


def test_llm_graph_shape_and_bytes() -> None:
    g = get_model("llama-3.2-1b", tokens=64)
    assert g.input_bytes == 64 * 8  # int64 token ids
    assert g.output_bytes == 128256 * 2  # last-token logits, bf16
    assert g["lm_head"].params == 0  # tied to the embedding table
    # input, after the embedding, after each of the 2 residual adds per block, after the final norm, output
    assert len(chain_cut_points(g)) == 1 + 1 + 16 * 2 + 1 + 1
    assert get_model("llama-3.2-1b", tokens=64, dtype_bytes=1).param_bytes == g.params
    with pytest.raises(ValueError):
        get_model("gpt2", tokens=2000)  # beyond the 1024-token context


def test_an_image_size_past_the_largest_is_refused_in_a_scenario_as_after_an_at() -> None:
    # `params: {image_size: 1000000000}` validated and ran ResNet-50 at 8e22 MACs, where
    # `resnet50@1000000000` was refused: one bound for both spellings.
    from offloadsim.models.registry import MOST_PIXELS

    assert parameter_problems("resnet50", {"image_size": MOST_PIXELS}) == []
    assert parameter_problems("resnet50", {"image_size": MOST_PIXELS + 1}) == [
        ("image_size", f"expected a whole number at most {MOST_PIXELS:,}, got {MOST_PIXELS + 1}")
    ]
    assert parameter_problems("bert-base", {"seq_len": 10**6}) == []  # only image sizes are bounded


def test_a_scenario_image_size_past_the_largest_is_exit_2(capsys) -> None:
    from pathlib import Path

    from offloadsim.cli import main

    scenario = Path(__file__).resolve().parents[2] / "scenarios" / "quickstart.yaml"
    code = main(["validate", str(scenario), "--set", "applications.classify.params={image_size: 1000000000}"])
    lines = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(lines) == 1 and "applications.classify.params.image_size" in lines[0], lines
    assert "at most 16,384" in lines[0]


@pytest.mark.parametrize(
    ("model", "key"), [("resnet50", "num_classes"), ("vit_b_16", "num_classes"), ("bert-base", "vocab")]
)
def test_a_head_or_vocabulary_past_a_billion_is_refused(model, key) -> None:
    # `params: {num_classes: 10**30}` validated and ran ResNet-50 at 4e33 FLOPs (past the 1e30 a
    # synthetic `work` may be), exit 0 with no task completed.
    from offloadsim.models.registry import MOST_CLASSES

    assert parameter_problems(model, {key: MOST_CLASSES}) == []
    assert parameter_problems(model, {key: 10**30}) == [
        (key, f"expected a whole number at most 1,000,000,000, got {10**30}")
    ]


def test_a_scenario_num_classes_past_a_billion_is_exit_2(capsys) -> None:
    from pathlib import Path

    from offloadsim.cli import main

    scenario = Path(__file__).resolve().parents[2] / "scenarios" / "quickstart.yaml"
    code = main(
        ["validate", str(scenario), "--set", f"applications.classify.params={{num_classes: {10**30}}}"]
    )
    lines = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(lines) == 1, lines
    assert lines[0].startswith(
        f"offloadsim: error: {scenario}: applications.classify.params.num_classes: "
        f"expected a whole number at most 1,000,000,000, got {10**30} (set by --set "
    )


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("resnet50", {"image_size": "224"}, 'image_size: expected a whole number, got "224"'),
        ("resnet50", {"num_classes": 10**30}, "num_classes: expected a whole number at most 1,000,000,000"),
        ("gpt2", {"n_layers": 2}, 'n_layers: model "gpt2" has no parameter "n_layers"; it takes tokens'),
        ("gpt2", {"tokens": [1]}, "tokens: expected a whole number, got a list"),
        ("resnet50", {"precision": ["fp16"]}, "expected one of int4, int8, fp16, bf16, fp32, got ['fp16']"),
    ],
)
def test_get_model_names_a_parameter_it_does_not_take_as_given(name, params, message) -> None:
    # From Python these ended in the builder's TypeError ("can only concatenate str (not "int") to
    # str", "got an unexpected keyword argument") or the cache's ("unhashable type: 'list'").
    with pytest.raises(ValueError) as info:
        get_model(name, **params)
    assert str(info.value).startswith(message)
    assert isinstance(info.value, ParameterError if "precision" not in params else PrecisionError)


@pytest.mark.parametrize("name", [None, 3])
def test_a_model_name_that_is_no_text_is_an_unknown_model(name):
    """get_model(None) ended in an AttributeError from name.lower(), not the registry's KeyError."""
    from offloadsim.models.registry import UnknownModelError

    with pytest.raises(
        UnknownModelError, match=rf"model name: expected text like 'resnet50', got {type(name).__name__}"
    ):
        get_model(name)
