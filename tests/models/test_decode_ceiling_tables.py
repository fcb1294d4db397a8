"""A time per output token and decode rate that rest on a bandwidth ceiling are printed as bounds.

HC31's trial read ``mean decode rate 823.879 ± 0.033 tokens/s`` and 1.21 ms per token for Llama
3.2 1B in the cloud: the A100's memory bandwidth over the weights, a ceiling (the note under the
table said so), printed with the precision of a measurement.  ``run``, ``compare`` and ``sweep``
print ``≤ 824`` tokens/s and ``≥ 1.21`` ms, marked "(bandwidth ceiling)" ("(ceiling)" in a
compare or sweep cell, under the note that names the bandwidth); the CSVs keep the full numbers.
HC35's found the rule hard to follow: only a mean within 3 % of one node's ceiling was a bound, so
a 3-Jetson pipeline on the same bound plus hops printed ``79.61 ± 0.15`` and a policy's decode rate
was a bound while its TPOT was not.  Now every run whose decode steps ran at a ceiling prints both
as bounds (queueing and hops only add to a time the hardware cannot beat); a decode at no ceiling
(a memory bandwidth the scenario gives) is printed as measured.
"""

from __future__ import annotations

import decimal
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from offloadsim.analysis.decode_ceiling import ceiling_bound, three_digits
from offloadsim.cli import main

ROOT = Path(__file__).resolve().parents[2]
CLOUD = ["--set", "applications.chat-1b.hosts=[cloud]", "--set", "policy={name: fixed, nodes: [cloud]}"]
SHORT = ["--set", "duration=120 s"]
MARK = "(bandwidth ceiling)"


def _row(printed: str, label: str) -> str:
    (line,) = [line for line in printed.splitlines() if line.startswith(label)]
    return line


def test_run_prints_the_cloud_decode_as_its_ceiling(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            ["run", str(ROOT / "scenarios/llm-assistant.yaml"), *CLOUD, *SHORT, "--out", str(tmp_path / "r")]
        )
        == 0
    )
    printed = capsys.readouterr().out
    rate = _row(printed, "mean decode rate per request")
    assert re.search(r"≤ 82[45]\s+tokens/s \(bandwidth ceiling\)$", rate), rate
    assert re.search(r"≥ 1\.21\s+ms \(bandwidth ceiling\)$", _row(printed, "mean time per output token"))
    assert "823." not in rate
    assert MARK in (tmp_path / "r" / "summary.txt").read_text()


def test_a_queued_decode_at_a_ceiling_is_a_bound_and_one_at_none_is_measured(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # On the phones (the scenario's own policy) requests share one core: 5.3 of 6.07 tok/s at most,
    # each step still at the bandwidth ceiling, so what queueing adds rests on it too.
    scenario = str(ROOT / "scenarios/llm-assistant.yaml")
    assert main(["run", scenario, *SHORT, "--out", str(tmp_path / "r")]) == 0
    printed = capsys.readouterr().out
    assert re.search(
        r"≤ \d\.\d\d\s+tokens/s \(bandwidth ceiling\)$", _row(printed, "mean decode rate per request")
    )
    assert MARK in _row(printed, "mean time per output token")
    # A bandwidth the scenario gives the phones is its own, no ceiling: measured, as any number.
    given = ["--set", "nodes.phone.processor.memory_bandwidth=15 GB/s"]
    assert main(["run", scenario, *SHORT, *given, "--out", str(tmp_path / "g")]) == 0
    printed = capsys.readouterr().out
    assert MARK not in _row(printed, "mean decode rate per request")
    assert MARK not in _row(printed, "mean time per output token")


def test_a_pipeline_and_each_policy_of_a_comparison_say_their_bounds_alike(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipeline_scenario import SCENARIO

    # Three Jetsons, requests far apart: each token's steps at the ceiling plus two hops each way.
    path = tmp_path / "pipeline.yaml"
    path.write_text(SCENARIO.replace("arrivals: closed, users: USERS", "arrivals: poisson, rate: 2 /min"))
    assert main(["run", str(path), "--out", str(tmp_path / "p")]) == 0
    printed = capsys.readouterr().out
    assert re.search(r"≥ \d\d\.\d\s+ms \(bandwidth ceiling\)$", _row(printed, "mean time per output token"))
    assert MARK in _row(printed, "mean decode rate per request")
    # A comparison: multi-tier's TPOT a bound as its decode rate is; the phones' with a bandwidth
    # given (local) measured, in the same table.
    out = tmp_path / "c"
    given = ["--set", "nodes.phone.processor.memory_bandwidth=15 GB/s"]
    args = ["compare", str(ROOT / "scenarios/llm-assistant.yaml"), *SHORT, *given, "-n", "2"]
    assert main([*args, "--policies", "local,multi-tier", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    for label in ("mean time per output token", "mean decode rate per request"):
        local, tier = re.split(r"\s{2,}", _row(printed, label).strip())[1:3]
        assert "(ceiling)" not in local and tier.endswith("(ceiling)"), (local, tier)
    # A figure of either says what its values are, of the policies it draws that rest on a ceiling.
    from offloadsim import plots
    from offloadsim.experiments import read_results

    results = read_results(out)
    for metric, bound in (("tpot_mean_s", "lower bound"), ("decode_tokens_per_s_mean", "upper bound")):
        fig = plots.plot_results(results, "bars", metric=metric)
        note = " ".join(fig._supxlabel.get_text().split())
        assert f"{bound}, a measured server's" in note and "(under multi-tier)" in note, note
    fig = plots.plot_results(results, "bars", metric="tpot_mean_s", where={"policy": "local"})
    assert "bound" not in " ".join(fig._supxlabel.get_text().split())


def test_compare_and_sweep_print_the_bound_and_keep_the_full_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "c"
    args = [
        "compare",
        str(ROOT / "scenarios/llm-assistant.yaml"),
        *CLOUD,
        *SHORT,
        "--policies",
        "fixed",
        "-n",
        "2",
    ]
    assert main([*args, "--out", str(out)]) == 0
    rate = _row(capsys.readouterr().out, "mean decode rate per request")
    # the CI to the bound's precision (over 2 replications: t = 12.7), not five digits of it
    assert (
        re.search(r"≤ 82[45]( ± \d)? \(ceiling\)$", rate.rstrip()) and "." not in rate.split("(tokens/s)")[1]
    )
    kept = pd.read_csv(out / "summary.csv").set_index("metric").loc["decode_tokens_per_s_mean", "mean"]
    assert 0.97 * 825 < kept < 825 and kept != round(kept)  # the full number, not the bound
    assert f"{ceiling_bound('decode_tokens_per_s_mean', float(kept), [824.96])} " in rate

    (tmp_path / "s.yaml").write_text(
        f"base: {ROOT / 'scenarios/llm-assistant.yaml'}\n"
        "set:\n  applications.chat-1b.hosts: [cloud]\n  policy: {name: fixed, nodes: [cloud]}\n"
        "  duration: 120 s\n"
        "grid:\n  nodes.cloud.processor.profile: [a100, h100]\nreplications: 2\n"
    )
    assert main(["sweep", str(tmp_path / "s.yaml"), "--out", str(tmp_path / "s")]) == 0
    printed = capsys.readouterr().out
    assert re.search(r"^a100 .*≤ 82[45]( ± \d)? \(ceiling\)", printed, re.M), printed
    assert re.search(r"^h100 .*≤ 1,3[56]0( ± \d+)? \(ceiling\)", printed, re.M)  # each point its own ceiling
    # A sweep figure of it says so under it.
    from offloadsim import plots
    from offloadsim.experiments import read_results

    fig = plots.plot_results(read_results(tmp_path / "s"), "sweep", metric="tpot_mean_s")
    assert "is a lower bound" in " ".join(fig._supxlabel.get_text().split())
    # Its split figure draws layers, no time: it says nothing of a bound (it said "each latency").
    fig = plots.plot_results(read_results(tmp_path / "s"), "split")
    assert "lower bound" not in " ".join(fig._supxlabel.get_text().split())


#: Two phones as two source groups asking a cloud's A100 a 4-token prompt (its prefill bandwidth-bound:
#: the latencies a bound, not resting on an assumed efficiency) or their own core (``local``: the
#: prefill compute-bound at the profile's assumed efficiency), a few requests each.
_TWO_GROUPS = """\
name: llm-two-groups
seed: 5
duration: 20 s
warmup: 1 s
nodes:
  phone: {tier: device, processor: {profile: cortex-a76, cores: 1}}
  tab: {tier: device, processor: {profile: cortex-a76, cores: 1}}
  cloud: {tier: cloud, processor: {profile: a100, cores: 4}}
links:
  - {between: [phone, cloud], bandwidth: 50 Mbps, latency: 20 ms}
  - {between: [tab, cloud], bandwidth: 50 Mbps, latency: 20 ms}
applications:
  chat: {model: llama-3.2-1b, prompt_tokens: 4, output_tokens: 8}
workload:
  - {app: chat, sources: phone, rate: 0.5 /s}
  - {app: chat, sources: tab, rate: 0.5 /s}
policy: cloud
"""


def test_compares_group_tables_qualify_a_latency_as_its_headline_table_does(tmp_path: Path) -> None:
    """A group's latencies are its policy's runs', at the same ceiling: ``≥ … (ceiling)`` there too."""
    from offloadsim.experiments import compare

    (tmp_path / "groups.yaml").write_text(_TWO_GROUPS)
    text = compare(tmp_path / "groups.yaml", ["cloud", "local"], 2, workers=1).format_table(notes=False)
    headline, per_group = text.split("\n\nper source group")

    def cells(table: str, label: str) -> list[list[str]]:
        rows = [line for line in table.splitlines() if line.startswith(label)]
        return [re.split(r"\s{2,}", line.strip())[1:] for line in rows]

    (head,) = cells(headline, "mean latency (ms)")
    assert head[0].startswith("≥ ") and head[0].endswith(" (ceiling)")  # the cloud's: a bound
    assert head[1].endswith(" (assumed efficiency)")  # the phones' own prefill: an assumed efficiency
    groups = cells(per_group, "mean latency (ms)") + cells(per_group, "p95 latency (ms)")
    assert len(groups) == 4  # two groups' tables, two latency rows each
    for cloud, local in groups:
        assert re.fullmatch(r"≥ [\d,.]+( ± [\d,.]+)? \(ceiling\)", cloud), cloud
        assert local.endswith(" (assumed efficiency)") and "≥" not in local, local


def test_a_queueing_wait_behind_steps_at_a_ceiling_is_a_lower_bound(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Four users on the 3-Jetson pipeline queue behind each other's decode steps, each at the
    bandwidth ceiling: a queue's waits only grow as a service ahead of them does (Lindley's recursion),
    so a measured server's, its steps slower, waits as long or longer.  It read as measured.

    Prompts of 16 tokens: each Jetson's prefill then reads its weights for longer than it computes, a
    bound too; a prompt of 128 computes at the assumed efficiency, and the waits behind it rest on
    that (tests/models/test_prefill_efficiency_bounds.py)."""
    from pipeline_scenario import SCENARIO

    path = tmp_path / "pipeline.yaml"
    short = SCENARIO.replace("prompt_tokens: 128", "prompt_tokens: 16")
    path.write_text(short.replace("USERS", "4"))
    assert main(["run", str(path), "--out", str(tmp_path / "p")]) == 0
    wait = _row(capsys.readouterr().out, "mean queueing wait")
    assert re.search(r"≥ [\d,.]+\s+ms \(bandwidth ceiling\)$", wait), wait
    kept = pd.read_parquet(tmp_path / "p" / "tasks.parquet")
    done = kept[kept["status"] == "completed"]
    assert f"≥ {ceiling_bound('wait_mean_s', float(done['wait'].mean()), [12.6])[2:]} " in wait
    # The same pipeline given its bandwidth (no ceiling) reads its wait as measured.
    given = short.replace("USERS", "4").replace(
        "profile: jetson-orin,", "profile: jetson-orin, memory_bandwidth: 100 GB/s,"
    )
    path.write_text(given)
    assert main(["run", str(path), "--out", str(tmp_path / "g")]) == 0
    assert MARK not in _row(capsys.readouterr().out, "mean queueing wait")


def test_output_token_throughput_at_saturation_is_an_upper_bound(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Twenty users keep the pipeline's first Jetson busy all run, each decode step as short as its
    bandwidth allows: the tokens it generates a second are its capacity at the ceiling, the most the
    hardware gives, so a measured server's are as many or fewer.  It read as measured.  One user
    leaves every Jetson mostly idle: its throughput is what the user asked for, which a slower server
    would generate alike, and no bound."""
    from pipeline_scenario import SCENARIO

    label = "output token throughput"
    path = tmp_path / "pipeline.yaml"
    path.write_text(SCENARIO.replace("USERS", "20"))
    assert main(["run", str(path), "--out", str(tmp_path / "p")]) == 0
    rate = _row(capsys.readouterr().out, label)
    nodes = pd.read_parquet(tmp_path / "p" / "nodes.parquet").set_index("node")
    assert float(nodes.loc["edge-0", "utilisation"]) >= 0.99  # saturated
    tokens = float(nodes["tokens_generated"].sum()) / 120.0  # every token generated, 120 s measured
    bound = re.escape(three_digits(tokens, decimal.ROUND_CEILING))  # a rate's bound rounds up
    assert re.search(rf"^{label}\s+≤ {bound}\s+tokens/s \(bandwidth ceiling\)$", rate), rate
    path.write_text(SCENARIO.replace("USERS", "1"))
    assert main(["run", str(path), "--out", str(tmp_path / "one")]) == 0
    one = _row(capsys.readouterr().out, label)
    assert MARK not in one and "≤" not in one, one


def test_a_sweep_marks_the_output_token_throughput_of_its_saturated_points_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One user and twenty on the pipeline: the point at 20 (the first Jetson busy all run) prints its
    output token throughput as a bound, and its figure says so of that point; the point at 1 as measured.
    Prompts of 16 tokens, prefilled at the bandwidth: every time in the table a bound, none resting on
    the assumed efficiency (whose longer cells would push the throughput out of the first block)."""
    from pipeline_scenario import SCENARIO

    from offloadsim import plots
    from offloadsim.experiments import read_results

    short = SCENARIO.replace("prompt_tokens: 128", "prompt_tokens: 16")
    (tmp_path / "p.yaml").write_text(short.replace("USERS", "1"))
    (tmp_path / "s.yaml").write_text("base: p.yaml\ngrid:\n  workload[0].users: [1, 20]\nreplications: 1\n")
    assert main(["sweep", str(tmp_path / "s.yaml"), "--out", str(tmp_path / "s")]) == 0
    printed = capsys.readouterr().out
    results = read_results(tmp_path / "s")
    rates = results.metrics.set_index("point")["output_tokens_per_s"]  # one replication a point
    one, many = (float(rates[point]) for point in (0, 1))
    # Each point's first row: the table's first block, whose last column is the output token throughput.
    row_one = next(line for line in printed.splitlines() if line.startswith("1 "))
    row_many = next(line for line in printed.splitlines() if line.startswith("20 "))
    assert row_many.endswith(f"≤ {three_digits(many, decimal.ROUND_CEILING)} (ceiling)"), row_many
    assert not row_one.endswith("(ceiling)") and row_one.endswith(f"{one:.2f}"), row_one
    fig = plots.plot_results(results, "sweep", metric="output_tokens_per_s")
    note = " ".join(fig._supxlabel.get_text().split())
    assert "each output token throughput at saturation is an upper bound" in note
    assert "(at 1 of the 2 points drawn)" in note, note


def test_a_bound_is_rounded_the_way_it_holds_never_past_the_runs_own_value() -> None:
    """HG37's sweep printed a cloud's mean latency of 129.709 ms as ``≥ 130 (ceiling)``: a lower bound
    that the run's own value undercuts, as ``≤`` would be read of a rate rounded down.  A time now
    rounds down to its three digits and a rate up, and each still has three significant digits."""
    from offloadsim.analysis.decode_ceiling import ceiling_cell

    assert ceiling_bound("latency_mean_s", 0.129708594, [825.3]) == "≥ 129"
    assert ceiling_cell("latency_mean_s", 0.129708594, [825.3], 0.000435) == "≥ 129 (ceiling)"
    assert ceiling_bound("decode_tokens_per_s_mean", 823.1, [825.3]) == "≤ 824"
    values = [*(float(v) for v in np.geomspace(1e-4, 50.0, 997)), 0.0113, 0.129708594, 0.07961]
    for value in values:
        for name in ("latency_mean_s", "tpot_mean_s", "ttft_p95_s"):
            said = ceiling_bound(name, value, [13.6])
            assert said is not None and said.startswith("≥ ")
            bound = float(said[2:].replace(",", ""))
            # 0.0113 s is 11.299999999999999 ms in floats: its bound 11.3 holds to that noise
            assert bound <= value * 1e3 * (1 + 1e-12) < bound * 1.01, (name, value, said)
        said = ceiling_bound("decode_tokens_per_s_mean", value * 1e3, [13.6])
        assert said is not None and said.startswith("≤ ")
        bound = float(said[2:].replace(",", ""))
        assert bound * 0.99 < value * 1e3 <= bound * (1 + 1e-12), (value, said)
