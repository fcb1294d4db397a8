"""Whole runs: determinism, conservation, exact small pipelines, arrival processes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from offloadsim.engine import simulate
from offloadsim.policies.costs import reordered_cut_bytes
from offloadsim.scenario import PolicySpec, load_scenario_text

TWO_TIER = """
name: two-tier
seed: 3
duration: 200 s
warmup: 20 s
nodes:
  phone: {count: 4, tier: device, processor: {speed: 10 GFLOP/s},
          power: {idle: 0.5 W, busy: 3 W, transmit: 1.5 W, receive: 1 W}}
  ap: {tier: network}
  edge: {tier: edge, processor: {speed: 20 GFLOP/s, cores: 1, queue_limit: 5}}
links:
  - {between: [phone-*, ap], bandwidth: 20 Mbps, latency: 2 ms}
  - {between: [ap, edge], bandwidth: 100 Mbps, latency: 1 ms}
applications:
  job:
    work: {exponential: {mean: 2 GFLOP}}
    input: {uniform: [50 KB, 150 KB]}
    output: 2 KB
    deadline: 150 ms
workload:
  - {app: job, sources: phone-*, arrivals: poisson, rate: 3 /s}
policy: least-loaded
"""


def run(text: str, **kwargs):
    return simulate(load_scenario_text(text, source="<test>"), **kwargs)


def test_same_seed_gives_identical_records():
    a, b = run(TWO_TIER).tasks, run(TWO_TIER).tasks
    assert a.keys() == b.keys()
    for column in a:
        np.testing.assert_array_equal(a[column], b[column], err_msg=column)


def test_other_replication_gives_other_records():
    a, b = run(TWO_TIER).tasks, run(TWO_TIER, replication=1).tasks
    assert not np.array_equal(a["arrival"][:10], b["arrival"][:10])


def test_arrivals_are_common_random_numbers_across_policies():
    edge = run(TWO_TIER, policy=PolicySpec("edge")).tasks
    local = run(TWO_TIER, policy=PolicySpec("local")).tasks
    np.testing.assert_array_equal(np.sort(edge["arrival"]), np.sort(local["arrival"]))


def test_arrived_equals_completed_plus_dropped_plus_in_flight():
    raw = run(TWO_TIER, policy=PolicySpec("edge"))
    status = raw.tasks["status"]
    counts = {s: int(np.sum(status == s)) for s in ("completed", "dropped", "failed", "in_flight")}
    assert counts["dropped"] > 0, "the edge queue limit should drop some tasks in this scenario"
    assert counts["in_flight"] >= 0
    assert sum(counts.values()) == len(status)
    # Ids of measured tasks are contiguous: none lost between arrival and record.
    ids = np.sort(raw.tasks["task_id"])
    assert np.array_equal(ids, np.arange(ids[0], ids[0] + len(ids)))
    assert np.all(raw.tasks["arrival"] >= 20.0)
    done = status == "completed"
    assert np.allclose(raw.tasks["latency"][done], raw.tasks["finish"][done] - raw.tasks["arrival"][done])
    assert np.all(np.isnan(raw.tasks["finish"][~done]))


def test_in_flight_tasks_are_reported_not_lost():
    text = """
name: cut-off
duration: 10 s
nodes:
  box: {tier: device, processor: {speed: 1 FLOP/s}}
applications:
  job: {service: 4 s}
workload:
  - {app: job, sources: box, arrivals: trace, trace: trace.csv}
policy: local
"""
    # Arrivals at 0, 1, 2: served 0-4, 4-8, 8-12 -> the third is in flight at 10 s.
    import pathlib
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        pathlib.Path(folder, "trace.csv").write_text("time\n0\n1\n2\n")
        raw = simulate(load_scenario_text(text, source="<test>", base_dir=folder))
    assert list(raw.tasks["status"]) == ["completed", "completed", "in_flight"]
    assert list(raw.tasks["finish"][:2]) == [4.0, 8.0]
    # Time fields of an in-flight task cover only the steps it finished.
    assert list(raw.tasks["wait"]) == [0.0, 3.0, 0.0]


def test_split_pipeline_exact_times(tmp_path):
    # One request: 1 GFLOP on the phone (10 GFLOP/s) then 1 GFLOP on the edge (100 GFLOP/s),
    # 1 MB crosses the cut over 8 Mbps + 5 ms, 1 KB comes back.
    text = """
name: split
duration: 10 s
nodes:
  phone: {tier: device, processor: {speed: 10 GFLOP/s}}
  edge: {tier: edge, processor: {speed: 100 GFLOP/s}}
links:
  - {between: [phone, edge], bandwidth: 8 Mbps, latency: 5 ms}
applications:
  job:
    stages:
      - {work: 1 GFLOP, output: 1 MB}
      - {work: 1 GFLOP}
    input: 3 MB
    output: 1 KB
workload:
  - {app: job, sources: phone, arrivals: trace, trace: trace.csv}
policy: {name: fixed, nodes: [phone, edge], cuts: [1]}
"""
    (tmp_path / "trace.csv").write_text("time\n1.5\n")
    raw = simulate(load_scenario_text(text, source="<test>", base_dir=tmp_path))
    t = raw.tasks
    assert t["status"][0] == "completed"
    arrival = t["arrival"][0]
    expected = 0.1 + (1.0 + 0.005) + 0.01 + (1000 * 8 / 8e6 + 0.005)
    assert t["latency"][0] == pytest.approx(expected, rel=1e-9)
    assert t["compute_time"][0] == pytest.approx(0.11)
    assert t["bytes_sent"][0] == pytest.approx(1_001_000)
    assert t["split"][0] == 1
    assert t["placement"][0] == "phone>edge"
    assert t["raw_input_offloaded"][0] == 0.0
    assert arrival == 1.5


def test_device_energy_counts_busy_transmit_and_receive():
    raw = run(TWO_TIER, policy=PolicySpec("edge"))
    t = raw.tasks
    done = t["status"] == "completed"
    # Offloaded: energy above idle = (1.5 - 0.5) W x upload time + (1 - 0.5) W x download
    # time, both > 0 and below (1.5 - 0.5) W x transfer_time.
    assert np.all(t["device_energy"][done] > 0)
    assert np.all(t["device_energy"][done] <= 1.0 * t["transfer_time"][done] + 1e-12)
    local = run(TWO_TIER, policy=PolicySpec("local")).tasks
    ok = local["status"] == "completed"
    np.testing.assert_allclose(local["device_energy"][ok], (3.0 - 0.5) * local["compute_time"][ok])


def test_closed_loop_keeps_users_busy_one_request_at_a_time():
    text = """
name: closed
duration: 100 s
nodes:
  box: {tier: device, processor: {speed: 1 FLOP/s}}
applications:
  job: {service: 1 s}
workload:
  - {app: job, sources: box, arrivals: closed, users: 1, think: 1 s}
policy: local
"""
    raw = run(text)
    arrivals = raw.tasks["arrival"]
    # think 1 s, serve 1 s: one request every 2 s, never two at once.
    np.testing.assert_allclose(np.diff(arrivals), 2.0)
    assert np.all(raw.tasks["wait"] == 0.0)


def test_a_closed_loop_user_thinks_before_its_first_request_as_documented():
    # docs/scenario-format.md (workload, think): the first request comes one think draw after start,
    # so a think longer than the run sends nothing at all.
    text = """
name: closed
duration: 100 s
nodes:
  box: {tier: device, processor: {speed: 1 FLOP/s}}
applications:
  job: {service: 1 s}
workload:
  - {app: job, sources: box, arrivals: closed, users: 1, think: THINK, start: 5 s}
policy: local
"""
    assert run(text.replace("THINK", "7 s")).tasks["arrival"][0] == 12.0
    assert len(run(text.replace("THINK", "200 s")).tasks["arrival"]) == 0


def test_periodic_arrivals_keep_their_period():
    text = """
name: periodic
duration: 50 s
nodes:
  box: {tier: device, processor: {speed: 1 GFLOP/s}}
applications:
  job: {work: 1 MFLOP}
workload:
  - {app: job, sources: box, arrivals: periodic, period: 0.5 s}
policy: local
"""
    arrivals = run(text).tasks["arrival"]
    np.testing.assert_allclose(np.diff(arrivals), 0.5)
    assert len(arrivals) == 100


def test_reordered_cut_bytes_matches_the_chain_for_the_identity_order():
    models = pytest.importorskip("offloadsim.models")
    for name in ("resnet18", "alexnet"):
        graph = models.get_model(name)
        chain = models.as_chain(graph)
        order = tuple(range(len(graph)))
        got = reordered_cut_bytes(graph, order, chain.cut_bytes[0], chain.cut_bytes[-1])
        np.testing.assert_allclose(got, chain.cut_bytes)


def test_reordered_cut_bytes_refuses_an_order_that_breaks_a_dependency():
    models = pytest.importorskip("offloadsim.models")
    graph = models.get_model("alexnet")
    order = (1, 0, *range(2, len(graph)))
    with pytest.raises(ValueError, match="before its input"):
        reordered_cut_bytes(graph, order, 1.0, 1.0)


def test_stage_records_account_for_every_second_of_a_task():
    raw = run(TWO_TIER, policy=PolicySpec("edge"), record_stages=True)
    stages, tasks = raw.stages, raw.tasks
    assert stages is not None
    done = tasks["status"] == "completed"
    for task_id, latency, compute in list(
        zip(tasks["task_id"][done], tasks["latency"][done], tasks["compute_time"][done], strict=True)
    )[:50]:
        mine = stages["task_id"] == task_id
        kinds = list(stages["kind"][mine])
        assert kinds == ["transfer", "compute", "transfer"]
        span = stages["end"][mine].max() - stages["submitted"][mine].min()
        assert span == pytest.approx(latency)
        busy = stages["end"][mine] - stages["start"][mine]
        assert busy[kinds.index("compute")] == pytest.approx(compute)
    assert run(TWO_TIER).stages is None


def test_stage_records_of_a_cnn_run_have_no_llm_phase():
    """``phase`` names an LLM request's prefill, decode steps and what its transfers carry; else empty."""
    stages = run(TWO_TIER, policy=PolicySpec("edge"), record_stages=True).stages
    assert stages is not None and len(stages["phase"]) > 0
    assert set(stages["phase"]) == {""}


def test_a_chain_may_mix_work_and_service_stages(tmp_path):
    text = """
name: mixed
duration: 10 s
nodes:
  box: {tier: device, processor: {speed: 10 GFLOP/s}}
applications:
  pipe:
    stages:
      - {work: 1 GFLOP}
      - {service: 50 ms}
      - {work: 3 GFLOP}
workload:
  - {app: pipe, sources: box, arrivals: trace, trace: trace.csv}
policy: local
"""
    (tmp_path / "trace.csv").write_text("time\n1\n")
    raw = simulate(load_scenario_text(text, source="<t>", base_dir=tmp_path))
    # 1 GFLOP / 10 GFLOP/s + 50 ms stated + 3 GFLOP / 10 GFLOP/s
    assert raw.tasks["compute_time"][0] == pytest.approx(0.1 + 0.05 + 0.3)
    assert raw.tasks["latency"][0] == pytest.approx(0.45)


@pytest.mark.parametrize(
    ("name", "policy"),
    [("quickstart", "edge"), ("neurosurgeon", None), ("edge-outage", None), ("commute", None)],
)
def test_recording_stages_leaves_every_task_record_unchanged(name, policy):
    """With no stage rows kept the kernel books a stage inline (Simulation._compute_done / _transfer_done);
    with them the ledger books it (Ledger.book_compute / book_transfer): the two must agree exactly."""
    import offloadsim

    scenario = Path(__file__).resolve().parents[2] / "scenarios" / f"{name}.yaml"
    plain = offloadsim.run(scenario, policy=policy, overrides=["duration=30 s"])
    staged = offloadsim.run(scenario, policy=policy, overrides=["duration=30 s"], stages=True)
    assert len(plain.tasks) > 10 and len(staged.stages) > 0
    pd.testing.assert_frame_equal(plain.tasks, staged.tasks)


def test_an_llm_deadline_is_on_the_last_token_not_the_first():
    # docs/scenario-format.md (applications, deadline): a researcher with a TTFT target must not
    # read deadline_met as one.
    text = """
name: llm-deadline
duration: 100 s
nodes:
  box: {tier: device, processor: {speed: 1 TFLOP/s, memory_bandwidth: 10 GB/s}}
applications:
  chat: {model: llama-3.2-1b, prompt_tokens: 16, output_tokens: 64, deadline: 1 s}
workload:
  - {app: chat, sources: box, arrivals: closed, users: 1, think: 1 s, stop: 1.5 s}
policy: local
"""
    tasks = run(text).tasks
    assert tasks["ttft"][0] < 1.0 < tasks["latency"][0]
    assert not tasks["deadline_met"][0]


def test_concurrent_llm_requests_are_not_batched_each_step_reads_the_weights_again():
    # docs/models.md ("Nor is batching"): two requests decoding at once on one core take turns, each
    # step reading all the weights, so each one's time per output token doubles.
    text = """
name: llm-no-batching
duration: 100 s
nodes:
  box: {tier: device, processor: {speed: 1 TFLOP/s, memory_bandwidth: 10 GB/s}}
applications:
  chat: {model: llama-3.2-1b, prompt_tokens: 16, output_tokens: 32}
workload:
  - {app: chat, sources: box, arrivals: closed, users: USERS, think: 1 s, stop: 1.5 s}
policy: local
"""
    alone = run(text.replace("USERS", "1")).tasks["tpot"]
    together = run(text.replace("USERS", "2")).tasks["tpot"]
    assert len(alone) == 1 and len(together) == 2
    np.testing.assert_allclose(together, 2 * alone[0], rtol=0.01)
