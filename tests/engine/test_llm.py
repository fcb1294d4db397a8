"""LLM requests: prefill then token-by-token decode, with exact pipeline times."""

from __future__ import annotations

import math

import numpy as np
import pytest

from offloadsim.engine import simulate
from offloadsim.engine.llm import TOKEN_BYTES
from offloadsim.models.llm_cost import LLMCost
from offloadsim.scenario import load_scenario_text

SCENARIO = """
name: llm
duration: 1000 s
nodes:
  phone: {tier: device, processor: {speed: 20 GFLOP/s, memory_bandwidth: 10 GB/s}}
  edge: {tier: edge, processor: {speed: 2 TFLOP/s, memory_bandwidth: 200 GB/s}}
links:
  - {between: [phone, edge], bandwidth: 40 Mbps, latency: 4 ms}
applications:
  chat: {model: gpt2, prompt_tokens: 100, output_tokens: 5}
workload:
  - {app: chat, sources: phone, arrivals: trace, trace: trace.csv}
policy: POLICY
"""


def run_one(tmp_path, policy: str):
    (tmp_path / "trace.csv").write_text("time\n1.0\n")
    text = SCENARIO.replace("POLICY", policy)
    raw = simulate(load_scenario_text(text, source="<llm>", base_dir=tmp_path))
    assert list(raw.tasks["status"]) == ["completed"]
    return {k: v[0] for k, v in raw.tasks.items()}


def cost_and_processors():
    from offloadsim.models.zoo.llm import GPT2

    cost = LLMCost.of(GPT2)
    return cost, 20e9, 2e12


def send(size_bytes: float) -> float:
    return size_bytes * 8 / 40e6 + 0.004


def test_whole_request_on_the_edge_streams_tokens_back(tmp_path):
    cost, _, edge = cost_and_processors()
    t = run_one(tmp_path, "edge")
    prefill = cost.prefill_s(edge, 200e9, 0, 12, 100)
    ttft = send(100 * TOKEN_BYTES) + prefill + send(TOKEN_BYTES)
    assert t["ttft"] == pytest.approx(ttft, rel=1e-9)
    # Later tokens are computed back to back; each streams home while the next is computed.
    decodes = [cost.decode_s(edge, 200e9, 0, 12, 100 + j) for j in range(4)]
    last = 1.0 + send(100 * TOKEN_BYTES) + prefill + sum(decodes) + send(TOKEN_BYTES)
    assert t["finish"] == pytest.approx(last, rel=1e-9)
    assert t["tpot"] == pytest.approx(sum(decodes) / 4, rel=1e-9)
    # transfer_time counts each token's trip home in full, though it overlaps the next decode
    # (docs/cli.md says so), so with the compute it adds up to more than the request's latency.
    assert t["transfer_time"] == pytest.approx(send(100 * TOKEN_BYTES) + 5 * send(TOKEN_BYTES), rel=1e-9)
    assert t["transfer_time"] + t["compute_time"] > t["finish"] - t["arrival"] + 3 * send(TOKEN_BYTES)
    assert (t["prompt_tokens"], t["output_tokens"]) == (100, 5)
    from offloadsim.models.zoo.llm import GPT2

    assert t["kv_cache_bytes"] == (100 + 5) * GPT2.kv_bytes_per_token


def test_split_request_pays_a_round_trip_per_token(tmp_path):
    cost, phone, edge = cost_and_processors()
    t = run_one(tmp_path, "{name: fixed, nodes: [phone, edge], cuts: [6]}")
    hidden = cost.hidden_bytes
    ttft = (
        cost.prefill_s(phone, 10e9, 0, 6, 100)
        + send(100 * hidden)
        + cost.prefill_s(edge, 200e9, 6, 12, 100)
        + send(TOKEN_BYTES)
    )
    assert t["ttft"] == pytest.approx(ttft, rel=1e-9)
    steps = [
        cost.decode_s(phone, 10e9, 0, 6, 100 + j)
        + send(hidden)
        + cost.decode_s(edge, 200e9, 6, 12, 100 + j)
        + send(TOKEN_BYTES)
        for j in range(4)
    ]
    assert t["tpot"] == pytest.approx(sum(steps) / 4, rel=1e-9)
    assert t["split"] == 6
    assert t["placement"] == "phone>edge"


@pytest.mark.parametrize("policy", ["edge", "{name: fixed, nodes: [phone, edge], cuts: [6]}"])
def test_a_token_with_no_route_home_fails_its_request_and_stops_its_decode(tmp_path, policy):
    """The link goes down while the edge computes the first token: its trip home has no route.

    The run once stopped there with an internal error (NoRouteError, found by the fuzz
    campaign: seed 21, case 76); now the request fails with the reason any task's transfer
    with no route gets, and the edge computes no decode step for it.
    """
    first = run_one(tmp_path, policy)
    token_leaves = float(first["arrival"] + first["ttft"] - send(TOKEN_BYTES))
    step = (
        f"{{kind: link-schedule, link: [phone, edge], steps: [{{at: {token_leaves - 1e-4!r} s, up: false}}]}}"
    )
    text = SCENARIO.replace("POLICY", policy) + f"dynamics:\n  - {step}\n"
    raw = simulate(load_scenario_text(text, source="<llm>", base_dir=tmp_path))
    assert list(raw.tasks["status"]) == ["failed"]
    assert list(raw.tasks["reason"]) == ["no route from edge to phone"]
    assert raw.nodes["stages_completed"][raw.nodes["node"].index("edge")] == 1  # its prefill alone


def test_decode_is_memory_bound_and_prefill_compute_bound_on_the_phone():
    cost, phone, _ = cost_and_processors()
    flops_only = cost.prefill_s(phone, 0.0, 0, 12, 100)
    assert cost.prefill_s(phone, 10e9, 0, 12, 100) == pytest.approx(flops_only)
    step = cost.decode_s(phone, 10e9, 0, 12, 100)
    weights = 12 * cost.block_weight_bytes + cost.head_weight_bytes
    assert step == pytest.approx((weights + cost.kv_bytes_per_token * 100) / 10e9)
    assert step > cost.decode_s(phone, 0.0, 0, 12, 100)


def test_request_time_estimate_matches_the_sum_of_its_stages():
    cost, phone, _ = cost_and_processors()
    total = cost.request_s(phone, 10e9, 0, 12, 100, 5)
    by_hand = cost.prefill_s(phone, 10e9, 0, 12, 100) + sum(
        cost.decode_s(phone, 10e9, 0, 12, 100 + j) for j in range(4)
    )
    assert total == pytest.approx(by_hand, rel=1e-12)
    assert np.isfinite(total)


@pytest.mark.parametrize(
    ("chat", "window", "cut"),
    [
        # P(X + Y > 1024) for independent exponentials of means 200 and 150: 2.07 %.
        (
            "{model: gpt2, prompt_tokens: {exponential: 200}, output_tokens: {exponential: 150}}",
            1024,
            (200 * math.exp(-1024 / 200) - 150 * math.exp(-1024 / 150)) / 50,
        ),
        # Served by its alternative too: the shorter window of the two holds every request.
        (
            "{model: llama-3.2-1b, prompt_tokens: {lognormal: {mean: 500, sigma: 1}}, output_tokens: 200, "
            "alternatives: [small]}\n  small: {model: gpt2}",
            1024,
            None,
        ),
    ],
    ids=["own-window", "alternatives-window"],
)
def test_a_draw_past_the_context_window_is_cut_to_fit_never_costed_past_it(chat, window, cut):
    """Validation holds an unbounded distribution's means to the window; a rare long draw is cut."""
    from offloadsim.engine.llm import LLMWork
    from offloadsim.world import build_world

    text = SCENARIO.replace("{model: gpt2, prompt_tokens: 100, output_tokens: 5}", chat)
    text = text.replace("arrivals: trace, trace: trace.csv", "rate: 1 /s").replace("POLICY", "edge")
    world = build_world(load_scenario_text(text, source="<llm>"))
    make = LLMWork().maker(world.apps["chat"], "phone", np.random.default_rng(5), world.apps)
    drawn = np.array([make(i, 0.0).llm for i in range(4000)])
    total = drawn.sum(axis=1)
    assert total.max() == window  # requests that drew more were cut to the window exactly
    assert drawn.min() >= 1  # at least one prompt token and one output token
    if cut is not None:  # only the tail is cut (4.5 standard errors of 4,000 draws)
        assert abs((total == window).mean() - cut) < 0.01


def test_the_requests_cut_to_the_window_are_counted_with_their_tokens():
    """The maker counts each cut where it makes it; the kind's note sums them, tokens included."""
    from offloadsim.engine.llm import LLMWork
    from offloadsim.world import build_world

    chat = "{model: gpt2, prompt_tokens: {exponential: 200}, output_tokens: {exponential: 150}}"
    text = SCENARIO.replace("{model: gpt2, prompt_tokens: 100, output_tokens: 5}", chat)
    text = text.replace("arrivals: trace, trace: trace.csv", "rate: 1 /s").replace("POLICY", "edge")
    world = build_world(load_scenario_text(text, source="<llm>"))
    kind, app = LLMWork(), world.apps["chat"]
    makers = [kind.maker(app, "phone", np.random.default_rng(seed), world.apps) for seed in (5, 6)]
    served = np.array([make(i, 0.0).llm for make in makers for i in range(2000)])
    # The same draws again, uncut: what the requests asked for.
    asked = []
    for seed in (5, 6):
        rng = np.random.default_rng(seed)
        prompt, output = app.spec.prompt_tokens.sampler(rng), app.spec.output_tokens.sampler(rng)
        asked += [(max(1, round(prompt())), max(1, round(output()))) for _ in range(2000)]
    asked = np.array(asked)
    cut = (asked != served).any(axis=1)
    prompts, outputs = (asked - served).sum(axis=0)
    assert cut.sum() > 50 and prompts > 0 and outputs > 0  # 2 % of 4,000 requests: both kinds of cut
    (note,) = kind.notes(makers)
    assert note == (
        f"applications.chat: {cut.sum():,} requests drew more prompt and output tokens than the "
        f"1,024-token context window and were cut to fit, by {prompts + outputs:,} tokens in all "
        f"({prompts:,} of prompts, {outputs:,} of outputs; requests arrived after the warm-up, as the "
        "metrics count them); "
        "the records keep the tokens served"
    )
    assert kind.notes([kind.maker(app, "phone", np.random.default_rng(5), world.apps)]) == []  # none drawn


def test_a_run_whose_draws_pass_the_window_says_how_many_were_cut(tmp_path, capsys):
    from offloadsim.cli import main

    long = "{model: gpt2, prompt_tokens: {exponential: 300}, output_tokens: {exponential: 200}}"
    text = SCENARIO.replace("{model: gpt2, prompt_tokens: 100, output_tokens: 5}", long)
    text = text.replace("arrivals: trace, trace: trace.csv", "rate: 1 /s").replace("POLICY", "edge")
    path = tmp_path / "llm.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["run", str(path), "--out", str(tmp_path / "long"), "--set", "duration=200 s"]) == 0
    notes = [line for line in capsys.readouterr().out.splitlines() if "context window" in line]
    assert len(notes) == 1 and notes[0].startswith("note: applications.chat: "), notes
    # No warm-up: every request is in the records, and each one cut is served at the window exactly.
    import re

    import pandas as pd

    tasks = pd.read_parquet(tmp_path / "long" / "tasks.parquet")
    at_window = int((tasks["prompt_tokens"] + tasks["output_tokens"] == 1024).sum())
    count = re.match(r"note: applications\.chat: (\d+) requests? drew more", notes[0])
    assert count is not None and 0 < int(count[1]) <= at_window, (notes[0], at_window)
    path.write_text(
        text.replace(long, "{model: gpt2, prompt_tokens: 300, output_tokens: 200}"), encoding="utf-8"
    )
    assert main(["run", str(path), "--out", str(tmp_path / "short"), "--set", "duration=200 s"]) == 0
    assert "context window" not in capsys.readouterr().out


def test_a_maker_counts_its_cuts_in_sums_that_do_not_grow_with_the_run():
    """Bounded memory: the counts of 20 cuts and of 2,000 take the same room (no list per request)."""
    import pickle

    from offloadsim.engine.llm import ContextCuts

    few, many = ContextCuts("chat", 1024), ContextCuts("chat", 1024)
    for i in range(20):
        few.add(3, 4, float(i))
    for i in range(2000):
        many.add(3, 4, float(i))
    assert (many.requests, many.prompt_tokens, many.output_tokens) == (2000, 6000, 8000)
    assert len(pickle.dumps(many)) - len(pickle.dumps(few)) < 16  # a few more digits, no more


def test_a_maker_measured_from_the_warm_up_counts_only_the_requests_arrived_since():
    """``measure_from`` (the run's warm-up) drops earlier cuts; a request at the warm-up's end counts."""
    from offloadsim.engine.llm import LLMWork
    from offloadsim.world import build_world

    text = SCENARIO.replace("arrivals: trace, trace: trace.csv", "rate: 1 /s").replace("POLICY", "edge")
    world = build_world(load_scenario_text(text, source="<llm>"))
    kind, app = LLMWork(), world.apps["chat"]
    make = kind.maker(app, "phone", np.random.default_rng(5), world.apps)
    make.draw_prompt, make.draw_output = lambda: 2000.0, lambda: 50.0  # every request is cut
    make.measure_from(10.0)
    for i, now in enumerate((0.0, 9.5, 10.0, 12.0)):
        make(i, now)
    (counted,) = kind.context_cuts([make], 10.0)
    # 2,000 + 50 drawn, 1,023 + 1 served: 977 prompt and 49 output tokens cut per request.
    assert (counted.requests, counted.prompt_tokens, counted.output_tokens) == (2, 2 * 977, 2 * 49)
    with pytest.raises(ValueError, match=r"counted cuts from 10\.0 s, not 0\.0 s"):
        kind.context_cuts([make], 0.0)


def test_two_runs_in_one_process_count_their_own_cuts():
    """The counts live in each run's makers: a run after another in the same process counts as if alone."""
    chat = "{model: gpt2, prompt_tokens: {exponential: 300}, output_tokens: {exponential: 200}}"
    text = SCENARIO.replace("{model: gpt2, prompt_tokens: 100, output_tokens: 5}", chat)
    text = text.replace("arrivals: trace, trace: trace.csv", "rate: 1 /s").replace("POLICY", "edge")
    text = text.replace("duration: 1000 s", "duration: 300 s\nwarmup: 10 s")
    fitting = text.replace(chat, "{model: gpt2, prompt_tokens: 300, output_tokens: 200}")
    first = simulate(load_scenario_text(text, source="<llm>"))
    between = simulate(load_scenario_text(fitting, source="<llm>"))
    again = simulate(load_scenario_text(text, source="<llm>"))
    assert first.context_cuts and first.context_cuts[0]["requests"] > 5
    assert between.context_cuts == ()
    assert again.context_cuts == first.context_cuts
    noted = [[n for n in run.notes if "context window" in n] for run in (first, again)]
    assert noted[0] == noted[1] and len(noted[0]) == 1


def _stage_rows(tmp_path, policy: str, arrivals: str = "1.0\n") -> tuple[list[tuple], dict]:
    (tmp_path / "trace.csv").write_text("time\n" + arrivals)
    text = SCENARIO.replace("POLICY", policy)
    raw = simulate(load_scenario_text(text, source="<llm>", base_dir=tmp_path), record_stages=True)
    assert set(raw.tasks["status"]) == {"completed"}
    stages = raw.stages
    assert stages is not None
    names = ("task_id", "kind", "where", "phase", "bytes")
    return list(zip(*(list(stages[name]) for name in names), strict=True)), raw.tasks


@pytest.mark.parametrize(
    ("policy", "computed", "sent"),
    [
        (
            "edge",  # prompt up, the prefill and 4 decode steps there, each of the 5 tokens home
            [("edge", "prefill")] + [("edge", "decode")] * 4,
            {("phone>edge", "prompt", 100 * TOKEN_BYTES): 1, ("edge>phone", "token", TOKEN_BYTES): 5},
        ),
        (
            "{name: fixed, nodes: [phone, edge], cuts: [6]}",  # each step on both, hidden states between
            [("phone", "prefill"), ("edge", "prefill")] + [("phone", "decode"), ("edge", "decode")] * 4,
            {("phone>edge", "prefill-hidden", 100 * 768 * 4): 1, ("phone>edge", "decode-hidden", 768 * 4): 4}
            | {("edge>phone", "token", TOKEN_BYTES): 5},
        ),
    ],
)
def test_stage_rows_name_each_requests_prefill_decode_steps_and_what_each_transfer_carries(
    tmp_path, policy, computed, sent
):
    """One prefill per segment, then output - 1 decode steps per segment, on the nodes the plan says.

    The first token comes out of the prefill; each later one is a decode step.  Two requests,
    far apart: each has its own rows.
    """
    cost, _, _ = cost_and_processors()
    assert cost.hidden_bytes == 768 * 4  # gpt2's hidden state per token, float32
    rows, tasks = _stage_rows(tmp_path, policy, "1.0\n500.0\n")
    assert len(tasks["task_id"]) == 2
    for task_id in tasks["task_id"]:
        mine = [row[1:] for row in rows if row[0] == task_id]
        assert [(where, phase) for kind, where, phase, _ in mine if kind == "compute"] == computed
        transfers = [(where, phase, size) for kind, where, phase, size in mine if kind == "transfer"]
        assert {key: transfers.count(key) for key in set(transfers)} == sent


def test_a_split_whose_first_segment_is_not_the_source_sends_each_token_back_to_it(tmp_path):
    """Split between two nodes neither of which is the source: each token goes home and to the first."""
    text = SCENARIO.replace(
        "  edge: {tier: edge",
        "  near: {tier: edge, processor: {speed: 2 TFLOP/s, memory_bandwidth: 200 GB/s}}\n"
        "  edge: {tier: edge",
    ).replace(
        "links:\n",
        "links:\n  - {between: [phone, near], bandwidth: 40 Mbps, latency: 4 ms}\n"
        "  - {between: [near, edge], bandwidth: 40 Mbps, latency: 4 ms}\n",
    )
    (tmp_path / "trace.csv").write_text("time\n1.0\n")
    policy = "{name: fixed, nodes: [near, edge], cuts: [6]}"
    raw = simulate(
        load_scenario_text(text.replace("POLICY", policy), source="<llm>", base_dir=tmp_path),
        record_stages=True,
    )
    assert list(raw.tasks["status"]) == ["completed"]
    stages = raw.stages
    tokens = [
        where for where, phase in zip(stages["where"], stages["phase"], strict=True) if phase == "token"
    ]
    assert sorted(tokens) == ["edge>near"] * 4 + ["edge>phone"] * 5  # the last token needs no next step


def test_stages_parquet_keeps_the_phase_as_a_category_beside_the_other_columns(tmp_path):
    """``run --stages`` writes the phase of each stage, read back with its fixed categories."""
    import pandas as pd

    from offloadsim import api
    from offloadsim.records.schema import STAGE_PHASES

    (tmp_path / "trace.csv").write_text("time\n1.0\n")
    text = SCENARIO.replace("POLICY", "{name: fixed, nodes: [phone, edge], cuts: [6]}")
    (tmp_path / "llm.yaml").write_text(text)
    api.run(tmp_path / "llm.yaml", stages=True, out=tmp_path / "run")
    stages = pd.read_parquet(tmp_path / "run" / "stages.parquet")
    assert list(stages.columns)[-1] == "phase"
    assert list(stages["phase"].cat.categories) == list(STAGE_PHASES)
    counts = stages["phase"].astype(str).value_counts().to_dict()
    assert counts == {"prefill": 2, "decode": 8, "prefill-hidden": 1, "decode-hidden": 4, "token": 5}


def test_ttft_holds_every_wait_before_the_first_token_and_tpot_only_those_after(tmp_path):
    """One request alone, then two arriving together on one core: TTFT and TPOT worked out by hand.

    TTFT is the first token's arrival at the source less the request's arrival, so it holds all the
    queueing before that token (B's prefill waits behind A's); TPOT is (last token − first token) /
    (output − 1), so it holds the waits after the first token and none before (A's decode steps wait
    behind B's prefill, which came first in the queue: that is A's time between tokens, honestly).
    TTFT + (output − 1) × TPOT is the latency, no wait counted twice or dropped.
    """
    cost, _, speed = cost_and_processors()
    memory = 200e9
    prefill = cost.prefill_s(speed, memory, 0, 12, 100)
    d = [cost.decode_s(speed, memory, 0, 12, 100 + j) for j in range(4)]  # contexts 100..103
    text = SCENARIO.replace("sources: phone", "sources: edge").replace("POLICY", "local")

    def run(arrivals: str) -> dict:
        (tmp_path / "trace.csv").write_text("time\n" + arrivals)
        raw = simulate(load_scenario_text(text, source="<llm>", base_dir=tmp_path))
        assert set(raw.tasks["status"]) == {"completed"}
        return {k: list(v) for k, v in raw.tasks.items()}

    alone = run("1.0\n")
    assert alone["ttft"][0] == pytest.approx(prefill, rel=1e-12)
    assert alone["tpot"][0] == pytest.approx(sum(d) / 4, rel=1e-12)
    assert alone["wait"][0] == 0.0

    both = run("1.0\n1.0\n")
    a, b = (both["task_id"].index(i) for i in sorted(both["task_id"]))
    # FIFO on one core: A's prefill, B's prefill, then their decode steps in turn (A d0, B d0, A d1 ...).
    want_ttft = (prefill, 2 * prefill)
    want_last = (2 * prefill + 2 * sum(d[:3]) + d[3], 2 * prefill + 2 * sum(d))
    want_tpot = ((want_last[0] - want_ttft[0]) / 4, (want_last[1] - want_ttft[1]) / 4)
    assert want_tpot == pytest.approx(((prefill + 2 * sum(d) - d[3]) / 4, 2 * sum(d) / 4), rel=1e-12)
    for i, row in enumerate((a, b)):
        assert both["ttft"][row] == pytest.approx(want_ttft[i], rel=1e-12)
        assert both["tpot"][row] == pytest.approx(want_tpot[i], rel=1e-12)
        assert both["latency"][row] == pytest.approx(want_last[i], rel=1e-12)
        assert both["ttft"][row] + 4 * both["tpot"][row] == pytest.approx(both["latency"][row], rel=1e-12)
    # The waits: A's four decode steps behind B's prefill, d0, d1 and d2; B's prefill behind A's and
    # its four decode steps behind A's d0 to d3.
    assert both["wait"][a] == pytest.approx(prefill + sum(d[:3]), rel=1e-12)
    assert both["wait"][b] == pytest.approx(prefill + sum(d), rel=1e-12)
