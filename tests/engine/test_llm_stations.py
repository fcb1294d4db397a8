"""``run --dry-run``'s stations table of an LLM's fixed plan, checked against hand rooflines and a run."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

import offloadsim
from offloadsim import api
from offloadsim.cli import main
from offloadsim.engine import checked_world, llm_stations, stations
from offloadsim.engine.llm_stations import Blocks, TokenHop, Tokens
from offloadsim.models.zoo.llm import LLAMA_3_2_1B, decode_weight_bytes, prefill_flops

ASSISTANT = Path(__file__).resolve().parents[2] / "scenarios" / "llm-assistant.yaml"

#: llm-assistant's 1B model over the phone, the edge and the cloud, cut after blocks 4 and 10,
#: on processors of round numbers (the phone's and the edge's) for the hand rooflines below.
THREE = (
    "policy={name: fixed, nodes: [$source, edge, cloud], cuts: [4, 10]}",
    "applications.chat-1b.hosts=[phone-*, edge, cloud]",
    "nodes.phone.processor={speed: 20 GFLOP/s, memory_bandwidth: 10 GB/s}",
    "nodes.edge.processor={speed: 10 TFLOP/s, memory_bandwidth: 100 GB/s}",
)

# Llama 3.2 1B (its config.json): d_model 2048, 32 heads and 8 KV heads of 64, ffn 8192, vocab
# 128256, 16 blocks, bf16 (2 bytes), tied embeddings.  One block: attention 2048 x 2048 x 2 (q, o)
# + 2048 x 512 x 2 (k, v) = 10,485,760, SwiGLU 3 x 2048 x 8192 = 50,331,648, two RMSNorms 4,096:
# 60,821,504 parameters, 121,643,008 bytes.  The LM head (tied: the embedding table read whole)
# 128256 x 2048 x 2 = 525,336,576 bytes, the final norm 4,096.  KV cache: 2 (K, V) x 512 x 2 bytes
# = 2,048 bytes per block and token.
BLOCK_BYTES = 121_643_008
HEAD_BYTES = 525_336_576
KV_BYTES = 2_048
LM_HEAD_FLOPS = 2 * 128_256 * 2048  # the last prompt token's logits


def _plan(*overrides: str) -> stations.StationPlan:
    scenario = api.load(ASSISTANT, list(overrides))
    (plan,) = stations.station_plans(checked_world(scenario), scenario.policy, scenario.seed)
    return plan


def test_a_station_is_its_hand_roofline_and_the_weights_add_up_to_the_model() -> None:
    """The phone's 4 blocks: a decode step reads their weights and KV cache at 10 GB/s, prefill computes
    at 20 GFLOP/s.

    Prompts uniform over 32 .. 128 tokens and outputs over 16 .. 64: the table's request has 80
    and 40, its decode step 99 tokens of context (80 .. 118, the 39 steps' mean).
    """
    plan = _plan(*THREE)
    assert plan.tokens == Tokens(80, 40, 99.0)
    phone, cut4, edge, cut10, cloud, home = plan.steps
    assert (phone.node, phone.start, phone.stop, phone.embedding, phone.head) == (
        "phone-0",
        0,
        4,
        True,
        False,
    )
    assert (edge.start, edge.stop, edge.embedding, edge.head) == (4, 10, False, False)
    assert (cloud.start, cloud.stop, cloud.embedding, cloud.head) == (10, 16, False, True)
    # Each block also reads 1/16 of the final norm and of the one embedding row a token (4,096 + 4,096 B).
    assert phone.weight_bytes == pytest.approx(4 * BLOCK_BYTES + 4 / 16 * 8192, rel=1e-12)
    assert cloud.weight_bytes == pytest.approx(6 * BLOCK_BYTES + 6 / 16 * 8192 + HEAD_BYTES, rel=1e-12)
    total = sum(s.weight_bytes for s in (phone, edge, cloud))
    assert total == pytest.approx(16 * BLOCK_BYTES + 8192 + HEAD_BYTES, rel=1e-12)
    assert total == pytest.approx(decode_weight_bytes(LLAMA_3_2_1B), rel=1e-12)
    # Decode: memory-bound, weights plus 4 blocks' KV cache of 99 tokens, over 10 GB/s (48.67 ms).
    assert phone.decode_s == pytest.approx((phone.weight_bytes + 4 * KV_BYTES * 99) / 10e9, rel=1e-12)
    # Prefill: compute-bound, a quarter of the prompt's FLOPs bar the LM head, at 20 GFLOP/s (2.5 s).
    flops = prefill_flops(LLAMA_3_2_1B, 80)
    assert phone.prefill_s == pytest.approx((flops - LM_HEAD_FLOPS) / 4 / 20e9, rel=1e-9)
    # The edge: six blocks, memory-bound at 100 GB/s for a decode step.
    assert edge.decode_s == pytest.approx((6 * BLOCK_BYTES + 6 / 16 * 8192 + 6 * KV_BYTES * 99) / 100e9)
    # Between stations: the prompt's 80 hidden states of 2048 bf16 values, then one a token; 8 B tokens home.
    assert (cut4.cut, cut4.what, cut4.prompt_bytes, cut4.token_bytes) == (4, "hidden", 80 * 4096, 4096)
    assert (cut4.route, cut4.links) == (("phone-0", "ap", "edge"), (0, 1))
    assert (cut10.cut, cut10.route, cut10.prompt_bytes, cut10.token_bytes) == (
        10,
        ("edge", "cloud"),
        80 * 4096,
        4096,
    )
    assert (home.cut, home.what, home.prompt_bytes, home.token_bytes) == (16, "tokens", None, 8)
    assert home.route == ("cloud", "edge", "ap", "phone-0")


@pytest.mark.parametrize(
    "policy",
    [
        "{name: fixed, nodes: [$source, edge, cloud], cuts: [4, 10]}",
        "{name: fixed, nodes: [edge, $source], cuts: [4]}",  # the prompt up, each token fed back to the edge
        "{name: fixed, node: cloud}",
    ],
)
def test_the_table_is_what_a_run_computes_and_sends(policy: str) -> None:
    """Every request of 80 prompt and 3 output tokens computes the stations' prefills and two decode steps.

    Their contexts are 80 and 81, each memory-bound (affine in the context): two steps at the
    table's 80.5.  It sends each hop's bytes a prompt, and a token: the hidden state and the token
    fed back for each of the two decode steps, each of the three tokens home.
    """
    overrides = (
        *THREE[1:],
        f"policy={policy}",
        "applications.chat-1b.prompt_tokens=80",
        "applications.chat-1b.output_tokens=3",
        "duration=200 s",
        "warmup=0 s",
    )
    plan = _plan(*overrides)
    assert plan.tokens == Tokens(80, 3, 80.5)
    held = [s for s in plan.steps if isinstance(s, Blocks)]
    sent = [h for h in plan.steps if isinstance(h, TokenHop)]
    assert sum(s.weight_bytes for s in held) == pytest.approx(decode_weight_bytes(LLAMA_3_2_1B), rel=1e-12)
    compute = sum(s.prefill_s + 2 * s.decode_s for s in held)
    per_token = {"hidden": 2, "fed back": 2, "tokens": 3, "prompt": 0}
    bytes_sent = sum((h.prompt_bytes or 0.0) + per_token[h.what] * (h.token_bytes or 0.0) for h in sent)
    tasks = offloadsim.run(api.load(ASSISTANT, list(overrides))).tasks
    assert len(tasks) >= 5 and (tasks.status == "completed").all()
    assert tasks.compute_time.to_numpy() == pytest.approx(compute, rel=1e-9)
    assert (tasks.bytes_sent == bytes_sent).all(), (tasks.bytes_sent.unique(), bytes_sent)


def test_run_dry_run_and_validate_show_print_it_for_llm_assistant(capsys: pytest.CaptureFixture[str]) -> None:
    """The 1B model split between each phone and the edge after block 4, as the scenario's header suggests."""
    split = ["--set", "policy={name: fixed, nodes: [$source, edge], cuts: [4]}"]
    assert main(["run", str(ASSISTANT), "--dry-run", *split]) == 0
    out = capsys.readouterr().out
    table = out[out.index("fixed plan of chat-1b") : out.index("dry run:")].splitlines()
    assert table[:2] == [
        "fixed plan of chat-1b (llama-3.2-1b, 16 blocks) for a request from phone-0 (first of 10 sources):",
        "  80 prompt and 40 output tokens (the means); "
        "a decode step at 99 tokens of context, the mean of its 39",
    ]
    assert [line.split()[:3] for line in table[2:]] == [
        ["phone-0", "blocks", "0-3"],
        ["cut", "4", "0.3277"],
        ["edge", "blocks", "4-15"],
        ["cut", "16", "(tokens)"],
    ]
    assert "embedding  weights 0.4866 GB" in table[2] and "LM head    weights 1.985 GB" in table[4]
    assert "not tabled" not in out
    assert main(["validate", str(ASSISTANT), "--show", *split]) == 0
    assert "\n".join(table) in capsys.readouterr().out


def test_a_station_down_at_the_start_is_marked_and_its_requests_dropped() -> None:
    """The edge down for the first 5 s: its line says so, and a request at 0 s is dropped."""
    down = "dynamics=[{kind: node-schedule, node: edge, steps: [{at: 0 s, up: false}, {at: 5 s, up: true}]}]"
    plan = _plan(*THREE, down)
    assert [s.down for s in plan.steps if isinstance(s, Blocks)] == ["", "dynamics[0].steps[0].at", ""]
    assert plan.dropped_at_start and plan.at_start == ()
    lines = stations.format_station_plan(plan)
    assert lines[-1] == f"  at 0 s, after the dynamics' changes then: dropped: {plan.dropped_at_start}"
    assert lines[4].endswith("(down at 0 s: dynamics[0].steps[0].at)"), lines[4]


def test_doctests() -> None:
    result = doctest.testmod(llm_stations)
    assert result.attempted > 0 and result.failed == 0
