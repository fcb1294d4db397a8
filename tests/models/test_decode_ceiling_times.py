"""Times that hold decode steps at a bandwidth ceiling read as bounds, as the time per output token does.

A run whose decode steps ran at a built-in profile's full memory bandwidth printed its time per
output token as ``≥ 12.1`` ms, but its time to first token and latency, which hold the same steps
(a request's own decode, or those queued ahead of its prefill), as measured numbers; and
``plot --kind cdf --metric tpot`` of it said nothing.  Now all of them read ``≥`` by the one rule
(:mod:`offloadsim.analysis.decode_ceiling`), in the run's table, a comparison's cells and the
figures; with a memory bandwidth the scenario gives, none does.

The first test re-derives a number by hand: one Jetson Orin decoding Llama 3.2 1B for one user
reads every weight and the KV cache so far at 204.8 GB/s each step, so its time per output token
is (weights + mean context × KV bytes a token) ÷ bandwidth, and its output token throughput at
saturation the inverse, near the 82.7 tokens/s ceiling the note gives (weights ÷ bandwidth).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import offloadsim
from offloadsim.cli import main

ONE_JETSON = """
name: one-jetson
seed: 1
duration: 60 s
warmup: 0 s
nodes:
  phone: {tier: device, processor: {profile: cortex-a76, cores: 1}}
  edge: {tier: edge, processor: {profile: jetson-orin, cores: 1}}
links:
  - {between: [phone, edge], bandwidth: 1 Gbps, latency: 1 ms}
applications:
  chat: {model: llama-3.2-1b, prompt_tokens: 16, output_tokens: 256}
workload:
  - {app: chat, sources: phone, arrivals: closed, users: 1}
policy: {name: fixed, nodes: [edge]}
"""
GIVEN = ["--set", "nodes.edge.processor.memory_bandwidth=100 GB/s"]
MARK = "(bandwidth ceiling)"


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    path = tmp_path / "one-jetson.yaml"
    path.write_text(ONE_JETSON, encoding="utf-8")
    return path


def _row(printed: str, label: str) -> str:
    (line,) = [line for line in printed.splitlines() if line.startswith(label)]
    return line


def test_one_jetson_decodes_at_its_bandwidth_over_the_bytes_each_step_reads(scenario: Path) -> None:
    result = offloadsim.run(scenario)
    # By hand: Llama 3.2 1B in bf16 reads 1,235,816,448 parameters' bytes a step (every matrix, the
    # tied LM head in full, one embedding row), 2 bytes each; its KV cache is 2 (K, V) x 16 layers x
    # 8 heads x 64 x 2 bytes = 32,768 bytes a token; the Jetson Orin's data sheet gives 204.8 GB/s.
    weights, kv, bandwidth = 1_235_816_448 * 2.0, 32_768.0, 204.8e9
    prompt, output = 16, 256
    # The steps for tokens 2..256 run at contexts 16..270 tokens: a mean of 16 + 254 / 2.
    tpot = (weights + (prompt + (output - 2) / 2) * kv) / bandwidth
    assert tpot == pytest.approx(0.0120914, rel=1e-6)
    done = result.tasks[result.tasks["status"] == "completed"]
    assert len(done) >= 10
    assert done["tpot"].to_numpy() == pytest.approx(tpot, rel=1e-9)  # every request: no queue, one node
    # Busy all the time with one user (the next prefill right after the last token), the Jetson
    # generates a token per step: about 1 / tpot = 82.7 a second, under the weights-only ceiling.
    ceiling = bandwidth / weights
    assert ceiling == pytest.approx(82.86, abs=0.01)
    rate = result.summary.output_tokens_per_s
    assert 0.99 / tpot < rate < 1 / tpot < ceiling, (rate, 1 / tpot)


def test_the_run_table_says_its_first_token_and_latency_times_are_bounds(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", str(scenario), "--out", str(tmp_path / "r")]) == 0
    printed = capsys.readouterr().out
    labels = ("mean latency", "p95 latency", "mean time to first token", "p95 time to first token")
    for label in (*labels, "mean time per output token"):
        assert re.search(r"≥ [\d,.]+\s+ms \(bandwidth ceiling\)$", _row(printed, label)), _row(printed, label)
    assert main(["run", str(scenario), *GIVEN, "--out", str(tmp_path / "g")]) == 0
    printed = capsys.readouterr().out
    for label in (*labels, "mean time per output token"):
        assert MARK not in _row(printed, label) and "≥" not in _row(printed, label)


def test_compare_cells_and_figures_say_the_bound_of_each_time(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from offloadsim import plots
    from offloadsim.experiments import read_results

    bound, given = tmp_path / "c", tmp_path / "cg"
    assert main(["compare", str(scenario), "--policies", "fixed", "-n", "2", "--out", str(bound)]) == 0
    printed = capsys.readouterr().out
    for label in ("mean latency", "mean time to first token"):
        assert re.search(r"≥ [\d,.]+( ± [\d,.]+)? \(ceiling\)$", _row(printed, label).rstrip()), label
    assert (
        main(["compare", str(scenario), *GIVEN, "--policies", "fixed", "-n", "2", "--out", str(given)]) == 0
    )
    printed = capsys.readouterr().out
    for label in ("mean latency", "mean time to first token"):
        assert "(ceiling)" not in _row(printed, label)

    def note(out: Path, kind: str, metric: str) -> str:
        fig = plots.plot_results(read_results(out), kind, metric=metric)
        return " ".join(fig._supxlabel.get_text().split())

    assert "each latency is a lower bound" in note(bound, "bars", "latency_mean_s")
    assert "each time to first token is a lower bound" in note(bound, "bars", "ttft_mean_s")
    # A CDF of each request's time per output token: each value a bound as the mean is.
    assert "each time per output token is a lower bound" in note(bound, "cdf", "tpot")
    assert "lower bound" not in note(given, "cdf", "tpot")
    assert "lower bound" not in note(given, "bars", "latency_mean_s")
    # A figure that draws no time says nothing of one (HG37's utilisation of an LLM compare said
    # "each latency is a lower bound", the default metric's note, of its bars of busy shares).
    assert "lower bound" not in note(bound, "utilisation", None)
