"""A time that holds a compute-bound prefill rests on the assumed efficiency, not on a bandwidth ceiling.

The LLM assistant's phones prefill Llama 3.2 1B's 32 to 128 prompt tokens on one Cortex-A76 core at
the built-in CPU profile's assumed 0.35 of its peak: 4 to 16 s of computing against 165 ms of
reading the weights. Its decode steps read every weight at the profile's full bandwidth, a ceiling,
and ``run`` printed its time to first token ``≥ 11,300 ms (bandwidth ceiling)``: a bound the
bandwidth does not give, as the prefill's time rests on an efficiency a measured phone may beat.
One Jetson Orin prefilling 16 tokens reads its weights for longer than it computes: that prefill is
as short as the bandwidth allows, and its time to first token stays a bound.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from offloadsim.cli import main
from offloadsim.scenario.loader import load_scenario
from offloadsim.world.build import build_world

ROOT = Path(__file__).resolve().parents[2]
ASSISTANT = ROOT / "scenarios" / "llm-assistant.yaml"
SHORT = ["--set", "duration=60 s", "--set", "warmup=0 s"]
ONE_JETSON = """
name: one-jetson
seed: 1
duration: 20 s
warmup: 0 s
nodes:
  phone: {tier: device, processor: {profile: cortex-a76, cores: 1}}
  edge: {tier: edge, processor: {profile: jetson-orin, cores: 1}}
links:
  - {between: [phone, edge], bandwidth: 1 Gbps, latency: 1 ms}
applications:
  chat: {model: llama-3.2-1b, prompt_tokens: 16, output_tokens: 64}
workload:
  - {app: chat, sources: phone, arrivals: closed, users: 1}
policy: {name: fixed, nodes: [edge]}
"""
RESTS = "(rests on the assumed compute efficiency)"
PREFILL_ROWS = ("mean latency", "p95 latency", "mean queueing wait", "mean time to first token")


def _row(printed: str, label: str) -> str:
    (line,) = [line for line in printed.splitlines() if line.startswith(label)]
    return line.rstrip()


@pytest.fixture
def jetson(tmp_path: Path) -> Path:
    path = tmp_path / "one-jetson.yaml"
    path.write_text(ONE_JETSON, encoding="utf-8")
    return path


def test_a_prefill_is_compute_bound_where_its_flops_take_longer_than_its_weights(jetson: Path) -> None:
    """By the roofline: the phone's prompts compute-bound, the Jetson's 16 tokens bandwidth-bound."""
    world = build_world(load_scenario(ASSISTANT))
    cost, proc = world.apps["chat-1b"].llm, world.processor("phone-0")
    assert cost is not None
    speed = world.app_speed("chat-1b", "phone-0")
    for prompt in (32, 128):
        computing = cost.prefill_s(speed, 0.0, 0, cost.layers, prompt)
        reading = cost.weight_bytes(0, cost.layers) / proc.memory_Bps
        assert computing > 20 * reading  # 4 s and more against 165 ms
        assert world.prefill_at_efficiency("chat-1b", "phone-0", proc.spec.name, 0, cost.layers, prompt)
    world = build_world(load_scenario(jetson))
    cost, proc = world.apps["chat"].llm, world.processor("edge")
    assert cost is not None
    computing = cost.prefill_s(world.app_speed("chat", "edge"), 0.0, 0, cost.layers, 16)
    assert computing < cost.weight_bytes(0, cost.layers) / proc.memory_Bps  # 1.9 ms against 12.1 ms
    assert not world.prefill_at_efficiency("chat", "edge", proc.spec.name, 0, cost.layers, 16)
    # A long prompt on the same Jetson computes for longer than it reads: compute-bound.
    assert world.prefill_at_efficiency("chat", "edge", proc.spec.name, 0, cost.layers, 512)


def test_a_compute_bound_prefill_s_times_say_what_they_rest_on_and_are_no_bound(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", str(ASSISTANT), *SHORT, "--out", str(tmp_path / "r")]) == 0
    printed = capsys.readouterr().out
    for label in PREFILL_ROWS:
        row = _row(printed, label)
        assert row.endswith(f"ms {RESTS}") and "≥" not in row and "bandwidth ceiling" not in row, row
    # its decode steps alone make the time per output token: still a bound, at the ceiling
    assert re.search(r"≥ [\d,.]+\s+ms \(bandwidth ceiling\)$", _row(printed, "mean time per output token"))
    manifest = (tmp_path / "r" / "manifest.json").read_text(encoding="utf-8")
    assert '"prefill_at_efficiency": true' in manifest


def test_a_bandwidth_bound_prefill_s_times_stay_bounds_at_the_ceiling(
    jetson: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", str(jetson), "--out", str(tmp_path / "r")]) == 0
    printed = capsys.readouterr().out
    for label in ("mean latency", "mean time to first token", "mean time per output token"):
        assert re.search(r"≥ [\d,.]+\s+ms \(bandwidth ceiling\)$", _row(printed, label)), _row(printed, label)
    assert RESTS not in printed
    assert "prefill_at_efficiency" not in (tmp_path / "r" / "manifest.json").read_text(encoding="utf-8")


def test_compare_cells_and_figures_mark_each_policy_by_what_bounds_it(
    jetson: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A phone's own prefill (``fixed`` on the phone) beside the Jetson's: one compare, two marks."""
    from offloadsim import plots
    from offloadsim.experiments import read_results

    policies = "fixed(nodes=[phone]),fixed(nodes=[edge])"
    out = tmp_path / "c"
    assert main(["compare", str(jetson), "--policies", policies, "-n", "2", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    phone, edge = re.split(r"\s{2,}", _row(printed, "mean time to first token (ms)"))[1:]
    assert phone.endswith("(assumed efficiency)") and "≥" not in phone, phone
    assert re.fullmatch(r"≥ [\d,.]+( ± [\d,.]+)? \(ceiling\)", edge), edge
    tpot = re.split(r"\s{2,}", _row(printed, "mean time per output token (ms)"))[1:]
    assert all(cell.endswith("(ceiling)") for cell in tpot), tpot
    fig = plots.plot_results(read_results(out), "bars", metric="ttft_mean_s")
    note = " ".join(fig._supxlabel.get_text().split())
    assert "each time to first token is a lower bound" in note
    assert "(under fixed(nodes=[edge]))" in note, note


def test_a_sweep_marks_its_compute_bound_prefill_s_point_alone_in_cells_and_manifest(
    jetson: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Prompts of 16 and 512 tokens on the Jetson: 16 prefill at the bandwidth, 512 compute-bound.

    The 512 point's times that hold its prefill read as its values, ``(assumed efficiency)``, and its
    manifest row says ``prefill_at_efficiency``; the 16 point's stay ``≥ … (ceiling)``, as does each
    point's time per output token (its decode steps alone). summary.csv keeps the full numbers.
    """
    import json

    import pandas as pd

    from offloadsim.analysis.decode_ceiling import ceiling_cell

    (tmp_path / "s.yaml").write_text(
        f"base: {jetson}\ngrid:\n  applications.chat.prompt_tokens: [16, 512]\nreplications: 1\n"
    )
    assert main(["sweep", str(tmp_path / "s.yaml"), "--out", str(tmp_path / "s")]) == 0
    printed = capsys.readouterr().out
    manifest = json.loads((tmp_path / "s" / "manifest.json").read_text(encoding="utf-8"))
    rows = {row["point"]: row for row in manifest["point_decode_ceilings"]}
    assert (rows[0]["prefill_at_efficiency"], rows[1]["prefill_at_efficiency"]) == (False, True)
    kept = pd.read_csv(tmp_path / "s" / "summary.csv").set_index(["point", "metric"])["mean"]
    # Each point's first row (the table's first block): mean latency, p95 latency, TTFT, TPOT.
    lines = printed.splitlines()
    short, long = (
        re.split(r"\s{2,}", next(x for x in lines if x.startswith(f"{p} ")).rstrip()) for p in (16, 512)
    )
    ttft_short, ttft_long = float(kept[0, "ttft_mean_s"]), float(kept[1, "ttft_mean_s"])
    assert short[3] == ceiling_cell("ttft_mean_s", ttft_short, rows[0]["ceilings"]), short
    assert all(re.fullmatch(r"≥ [\d,.]+ \(ceiling\)", cell) for cell in short[1:5]), short
    for cell in long[1:4]:  # latencies and TTFT: no bound, what they rest on
        assert cell.endswith(" (assumed efficiency)") and "≥" not in cell and "ceiling" not in cell, long
    assert float(long[3].split()[0].replace(",", "")) == pytest.approx(ttft_long * 1e3, abs=0.01)
    assert re.fullmatch(r"≥ [\d,.]+ \(ceiling\)", long[4]), long  # its TPOT: its decode steps alone
    assert ttft_long * 1e3 != float(long[3].split()[0])  # the CSV's full number, not the cell's
