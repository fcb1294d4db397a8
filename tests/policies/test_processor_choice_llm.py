"""An LLM request's prefill and decode are priced on each processor of a node, and run on the cheapest.

A phone with a CPU (100 GFLOP/s, 10 GB/s) and an NPU; GPT-2 in fp32 (124 M parameters, 494.6 MB of
weights read by every decode step, docs/models.md "LLMs: prefill and decode"); each request runs on
the phone (the edge server, 50 ms away over 1 Mbit/s and ten times slower, costs more than a
second a request, a tenth of a second each token's round trip alone).  The cost is the roofline
``max(FLOPs / speed, bytes / memory bandwidth)`` per stage (offloadsim/models/llm_cost.py):

* an NPU 4x the CPU in both (400 GFLOP/s, 40 GB/s) runs every stage in a quarter of the CPU's
  time, so it takes every request, each decode step ``decode_bytes / 40 GB/s``;
* an NPU of 400 GFLOP/s but 5 GB/s prefills a 128-token prompt (22.2 GFLOP) in 0.099 s
  (memory-bound: 494.6 MB / 5 GB/s) against the CPU's 0.222 s (compute-bound), and decodes each
  token in 0.101 s (the weights and a 128-token KV cache, 504 MB) against the CPU's 0.050 s: a
  request of one output token (prefill alone) goes to the NPU, one of 8 (0.222 + 7 x 0.050 =
  0.57 s on the CPU, 0.099 + 7 x 0.101 = 0.80 s on the NPU) stays on the CPU, listed first.

On a hand-made server with a CPU and a GPU, load-aware, a busy GPU loses the request to the CPU
once the waits of its stages cost more than its speed saves (the last test).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from types import SimpleNamespace

import pytest

import offloadsim
from offloadsim.models import LLM_CONFIGS, decode_bytes, prefill_flops

PHONE = """
name: phone-npu-llm
duration: 60 s
nodes:
  phone:
    tier: device
    processors:
      cpu: {{speed: 100 GFLOP/s, memory_bandwidth: 10 GB/s}}
      npu: {{speed: 400 GFLOP/s, memory_bandwidth: {npu_memory}}}
  edge: {{tier: edge, processor: {{speed: 10 GFLOP/s, memory_bandwidth: 1 GB/s}}}}
links:
  - {{between: [phone, edge], bandwidth: 1 Mbps, latency: 50 ms}}
applications:
  chat: {{model: gpt2, prompt_tokens: {prompt}, output_tokens: {output}}}
workload:
  - {{app: chat, sources: phone, arrivals: trace, trace: trace.csv}}
policy: {{name: local}}
"""

POLICIES = ["neurosurgeon", "neurosurgeon(load_aware=true)", "multi-tier", "least-loaded", "model-select"]
GPT2 = LLM_CONFIGS["gpt2"]


def _stages(tmp_path, policy: str, npu_memory: str, prompt: int, output: int):
    (tmp_path / "trace.csv").write_text("time\n1\n20\n40\n")
    path = tmp_path / "scenario.yaml"
    path.write_text(PHONE.format(npu_memory=npu_memory, prompt=prompt, output=output))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the notes on plain speeds and idle processors
        result = offloadsim.run(path, policy=policy, stages=True)
    stages = result.stages
    assert (result.tasks["status"] == "completed").all()
    return stages[stages["kind"] == "compute"].sort_values(["task_id", "start"])


def test_the_hand_worked_numbers_are_the_cost_models():
    """The docstring's figures, from the docs' closed forms."""
    assert prefill_flops(GPT2, 128) == pytest.approx(22.2e9, rel=0.01)
    assert decode_bytes(GPT2, 0) == pytest.approx(494.6e6, rel=0.001)
    cpu = prefill_flops(GPT2, 128) / 100e9 + sum(decode_bytes(GPT2, 128 + j) / 10e9 for j in range(7))
    npu = decode_bytes(GPT2, 0) / 5e9 + sum(decode_bytes(GPT2, 128 + j) / 5e9 for j in range(7))
    assert (round(cpu, 2), round(npu, 2)) == (0.57, 0.80)


@pytest.mark.parametrize("policy", POLICIES)
def test_an_npu_four_times_the_cpu_takes_every_stage(tmp_path, policy):
    stages = _stages(tmp_path, policy, "40 GB/s", 32, 8)
    assert set(stages["where"]) == {"phone"}
    assert set(stages["processor"]) == {"npu"}
    first = stages[stages["task_id"] == stages["task_id"].min()]
    seconds = list(first["end"] - first["start"])
    assert len(seconds) == 8  # the prefill, then 7 decode steps
    # prefill: 5.55 GFLOP / 400 GFLOP/s (compute-bound); step j: decode_bytes(32 + j) / 40 GB/s
    assert seconds[0] == pytest.approx(prefill_flops(GPT2, 32) / 400e9, rel=1e-6)
    assert seconds[1:] == pytest.approx([decode_bytes(GPT2, 32 + j) / 40e9 for j in range(7)], rel=1e-6)


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize(("output", "processor"), [(1, "npu"), (8, "cpu")], ids=["prefill-only", "decoding"])
def test_a_memory_starved_npu_takes_only_the_prefill_only_request(tmp_path, policy, output, processor):
    stages = _stages(tmp_path, policy, "5 GB/s", 128, output)
    assert set(stages["where"]) == {"phone"}
    assert set(stages["processor"]) == {processor}
    prefill = stages.groupby("task_id").head(1)
    expected = decode_bytes(GPT2, 0) / 5e9 if processor == "npu" else prefill_flops(GPT2, 128) / 100e9
    assert list(prefill["end"] - prefill["start"]) == pytest.approx([expected] * 3, rel=0.01)


@pytest.mark.parametrize("gpu_wait", [0.05, 0.1], ids=["gpu-less-busy", "gpu-busier"])
@pytest.mark.parametrize("split", ["neurosurgeon", "multi-tier"])
def test_a_busy_gpu_loses_an_llm_request_once_its_waits_cost_more_than_it_saves(make_view, split, gpu_wait):
    """Load-aware, each of an LLM request's stages on a server waits that processor's expected wait.

    A hand-made edge server (its four blocks: the CPU prefills in 0.2 s and decodes a step in
    0.05 s, the GPU in 0.05 s and 0.01 s) takes a request of 5 output tokens whole (the phone and
    the cloud take 10 s a block).  A prefill and 4 decode steps each wait: on the idle CPU
    0.2 + 4 x 0.05 = 0.4 s; on the GPU 0.05 + 4 x 0.01 + 5 x wait, 0.34 s at a 0.05 s wait (it
    takes the request) and 0.59 s at 0.1 s (it loses it to the CPU).  The transfers are the same.
    """
    from offloadsim.policies.costs import LLMStage
    from offloadsim.policies.split import MultiTierPolicy, NeurosurgeonPolicy

    per_block = {("edge-0", None): (0.05, 0.0125), ("edge-0", "gpu"): (0.0125, 0.0025)}

    @dataclass
    class BusyGPU(make_view):
        def processors(self, node):
            return ("cpu", "gpu") if node == "edge-0" else super().processors(node)

        def expected_wait_s(self, node, processor=None):
            return gpu_wait if processor == "gpu" else 0.0

        def llm_stage(self, task, node, start, stop, processor=None):
            prefill, decode = per_block.get((node, processor), (10.0, 10.0))
            blocks = stop - start
            return LLMStage(node, prefill * blocks, [decode * blocks] * (task.llm[1] - 1), 1e3)

    task = SimpleNamespace(  # a 4-block request as a policy sees it
        id=0,
        app="chat",
        source="phone-0",
        arrival=0.0,
        deadline=math.nan,
        layers=4,
        flops=(1e9,) * 4,
        cut_bytes=(128.0, 16e3, 16e3, 16e3, 400.0),
        llm=(16, 5),
    )
    view = BusyGPU()
    if split == "neurosurgeon":
        policy = NeurosurgeonPolicy(server="edge-0", load_aware=True)
    else:
        policy = MultiTierPolicy(edge="edge-0", load_aware=True)
    policy.reset(view)
    plan = policy.decide(task, view)
    ran = [
        (node, (plan.processors or (None,) * len(plan.nodes))[i])
        for i, (node, start, stop) in enumerate(plan.segments(task.layers))
        if stop > start
    ]
    assert ran == [("edge-0", "gpu" if gpu_wait == 0.05 else None)]
