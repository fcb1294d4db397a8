"""least-loaded, model-select and neurosurgeon price each processor of a node and run on the cheapest.

A phone with a CPU and an NPU, worked by hand: 1 GFLOP of synthetic work takes 1 s on the CPU (1
GFLOP/s), 0.25 s on the NPU (4 GFLOP/s) and 0.5 s on the edge server (2 GFLOP/s) plus its
transfers, so each policy runs it on the NPU; with the NPU slower than the CPU, or as fast (a tie
keeps the first processor), on the CPU, as before.  With calibrated and derived costs, an NPU
starved of memory bandwidth runs ResNet-50 and VGG-16 faster than the phone's Cortex-A76 and
MobileNetV2 and AlexNet slower: each request goes to the faster processor for its model.  Under a
burst the NPU's queue grows until the CPU is the cheaper, and work goes there.
"""

from __future__ import annotations

import warnings

import pytest

import offloadsim
from offloadsim.policies.balancing import LeastLoadedPolicy, expected_completion_s
from offloadsim.policies.registry import register_policy, unregister_policy

PHONE = """
name: phone-npu
duration: 10 s
nodes:
  phone:
    tier: device
    processors:
      cpu: {{speed: 1 GFLOP/s}}
      npu: {{speed: {npu}}}
  edge: {{tier: edge, processor: {{speed: 2 GFLOP/s}}}}
links:
  - {{between: [phone, edge], bandwidth: 1 Gbps, latency: 1 ms}}
applications:
  job: {{work: 1 GFLOP, input: 10 KB, output: 1 KB}}
workload:
  - {{app: job, sources: phone, arrivals: trace, trace: trace.csv}}
policy: {{name: local}}
"""

POLICIES = ["least-loaded", "model-select", "neurosurgeon", "neurosurgeon(load_aware=true)"]


def _run(tmp_path, scenario: str, times: list[float], policy: str):
    return _run_with_tasks(tmp_path, scenario, times, policy)[0]


def _run_with_tasks(tmp_path, scenario: str, times: list[float], policy: str):
    """The compute stages by task, and the task records, of a run of ``scenario`` under ``policy``."""
    (tmp_path / "trace.csv").write_text("time\n" + "".join(f"{t}\n" for t in times))
    path = tmp_path / "scenario.yaml"
    path.write_text(scenario)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the idle processor's warning under fixed
        result = offloadsim.run(path, policy=policy, stages=True)
    stages = result.stages
    return stages[stages["kind"] == "compute"].sort_values("task_id"), result.tasks.sort_values("task_id")


@pytest.mark.parametrize("policy", POLICIES)
def test_a_faster_npu_takes_the_work(tmp_path, policy):
    stages = _run(tmp_path, PHONE.format(npu="4 GFLOP/s"), [1, 4, 7], policy)
    assert list(stages["where"]) == ["phone"] * 3
    assert list(stages["processor"]) == ["npu"] * 3
    assert list(stages["end"] - stages["start"]) == pytest.approx([0.25] * 3)  # 1 GFLOP / 4 GFLOP/s


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("npu", ["0.5 GFLOP/s", "1 GFLOP/s"], ids=["slower", "as-fast"])
def test_a_slower_or_equal_npu_leaves_the_work_on_the_first_processor(tmp_path, policy, npu):
    """Slower, the NPU loses (2 s against the CPU's 1 s); as fast, the tie keeps the CPU, listed first.

    The edge server's 0.5 s plus its transfers beat the phone's CPU: neurosurgeon and the
    whole-task policies offload the task there, on its one processor, whichever the NPU's speed.
    """
    stages = _run(tmp_path, PHONE.format(npu=npu), [1, 4, 7], policy)
    assert list(stages["where"]) == ["edge"] * 3
    assert list(stages["processor"]) == ["cpu"] * 3
    phone_only = PHONE.format(npu=npu).replace("bandwidth: 1 Gbps", "bandwidth: 10 kbps")  # 8 s upload
    stages = _run(tmp_path, phone_only, [1, 4, 7], policy)
    assert list(stages["where"]) == ["phone"] * 3
    assert list(stages["processor"]) == ["cpu"] * 3


MODELS = """
name: npu-memory-bound
duration: 10 s
nodes:
  phone:
    tier: device
    processors:
      cpu: {profile: cortex-a76}
      npu: {speed: 2 TFLOP/s, memory_bandwidth: 2 GB/s}
  edge: {tier: edge, processor: {speed: 1 GFLOP/s}}
links:
  - {between: [phone, edge], bandwidth: 1 Mbps, latency: 50 ms}
applications:
  mobilenet: {model: mobilenet_v2, input: 150 KB, output: 4 KB}
  resnet: {model: resnet50, input: 150 KB, output: 4 KB}
  alexnet: {model: alexnet, input: 150 KB, output: 4 KB}
  vgg: {model: vgg16, input: 150 KB, output: 4 KB}
workload:
  - {app: mobilenet, sources: phone, arrivals: trace, trace: trace.csv}
  - {app: resnet, sources: phone, arrivals: trace, trace: trace2.csv}
  - {app: alexnet, sources: phone, arrivals: trace, trace: trace3.csv}
  - {app: vgg, sources: phone, arrivals: trace, trace: trace4.csv}
policy: {name: local}
"""


@pytest.mark.parametrize("policy", POLICIES)
def test_each_model_goes_to_the_processor_that_runs_it_faster(tmp_path, policy):
    """An NPU of 2 GB/s runs MobileNetV2 and AlexNet slower than the CPU, ResNet-50 and VGG-16 faster.

    Each processor's stage time is read from a run of ``fixed`` on it, as the profile prices it:
    the policy runs each model on the one with the shorter time.
    """
    for name, at in [("trace2.csv", 3), ("trace3.csv", 5), ("trace4.csv", 7)]:
        (tmp_path / name).write_text(f"time\n{at}\n")
    seconds = {}
    for processor in ("cpu", "npu"):
        stages = _run(tmp_path, MODELS, [1], f"fixed(node=phone, processors=[{processor}])")
        seconds[processor] = list(stages["end"] - stages["start"])
    faster = ["cpu" if cpu < npu else "npu" for cpu, npu in zip(seconds["cpu"], seconds["npu"], strict=True)]
    assert faster == ["cpu", "npu", "cpu", "npu"]  # by task id: mobilenet, resnet, alexnet, vgg
    stages = _run(tmp_path, MODELS, [1], policy)
    assert list(stages["where"]) == ["phone"] * 4
    assert list(stages["processor"]) == faster
    best = [min(cpu, npu) for cpu, npu in zip(seconds["cpu"], seconds["npu"], strict=True)]
    assert list(stages["end"] - stages["start"]) == pytest.approx(best, rel=1e-12)


@pytest.mark.parametrize("policy", ["least-loaded", "least-loaded(in_transit=true)", "model-select"])
def test_a_busy_npu_sends_work_to_the_cpu_once_that_is_cheaper(tmp_path, policy):
    """Five tasks 10 ms apart; the edge server is too slow (4 s) to matter.

    The NPU serves each in 0.25 s: the k-th task (from 0) waits there 0.25 k - 0.01 k = 0.24 k s,
    so it would finish after 0.24 k + 0.25 s, against the idle CPU's 1 s: tasks 0 to 3 (0.97 s for
    the fourth) queue at the NPU, and the fifth (1.21 s there) runs on the CPU.
    """
    slow_edge = PHONE.format(npu="4 GFLOP/s").replace("speed: 2 GFLOP/s", "speed: 0.25 GFLOP/s")
    stages = _run(tmp_path, slow_edge, [1.0, 1.01, 1.02, 1.03, 1.04], policy)
    assert list(stages["processor"]) == ["npu"] * 4 + ["cpu"]
    assert list(stages["where"]) == ["phone"] * 5
    assert list(stages["start"]) == pytest.approx([1.0, 1.25, 1.5, 1.75, 1.04])


SPLIT = """
name: split-npu-gpu
duration: 10 s
nodes:
  phone:
    tier: device
    processors:
      cpu: {speed: 1 GFLOP/s}
      npu: {speed: 4 GFLOP/s}
  edge:
    tier: edge
    processors:
      cpu: {speed: 2 GFLOP/s}
      gpu: {speed: 12 GFLOP/s}
links:
  - {between: [phone, edge], bandwidth: 1 Gbps, latency: 1 ms}
applications:
  job:
    input: 100 MB
    stages:
      - {work: 1 GFLOP, output: 10 KB}
      - {work: 6 GFLOP, output: 1 KB}
workload:
  - {app: job, sources: phone, arrivals: trace, trace: trace.csv}
policy: {name: neurosurgeon, server: edge}
"""


def test_neurosurgeon_cuts_between_the_fastest_processors(tmp_path):
    """The first stage on the NPU (0.25 s), 10 KB up (about 1.1 ms), the second on the GPU (0.5 s).

    Every other pair costs more: on the CPUs the same cut costs 1 + 3 s, the whole task on the NPU
    1.75 s, and offloading it all uploads 100 MB (0.8 s) before the GPU's 0.58 s.
    """
    stages = _run(tmp_path, SPLIT, [1, 4, 7], "neurosurgeon(server=edge)")
    ran_on = list(zip(stages["where"], stages["processor"], strict=True))
    assert ran_on == [("phone", "npu"), ("edge", "gpu")] * 3
    assert list(stages["end"] - stages["start"]) == pytest.approx([0.25, 0.5] * 3)


def test_multi_tier_cuts_between_the_fastest_processors_of_each_station(tmp_path):
    """As neurosurgeon's, with a cloud node behind the edge too slow to take a layer (1 GFLOP/s, 10 Mbps)."""
    scenario = SPLIT.replace(
        "links:\n",
        "  cloud: {tier: cloud, processor: {speed: 1 GFLOP/s}}\nlinks:\n"
        "  - {between: [edge, cloud], bandwidth: 10 Mbps, latency: 20 ms}\n",
    )
    stages = _run(tmp_path, scenario, [1, 4, 7], "multi-tier")
    ran_on = list(zip(stages["where"], stages["processor"], strict=True))
    assert ran_on == [("phone", "npu"), ("edge", "gpu")] * 3
    assert list(stages["end"] - stages["start"]) == pytest.approx([0.25, 0.5] * 3)
    first_only = scenario.replace("npu: {speed: 4 GFLOP/s}", "npu: {speed: 1 GFLOP/s}").replace(
        "gpu: {speed: 12 GFLOP/s}", "gpu: {speed: 2 GFLOP/s}"
    )
    stages = _run(tmp_path, first_only, [1, 4, 7], "multi-tier")  # ties: each node's first
    assert set(stages["processor"]) == {"cpu"}


DAG = """
name: dads-npu
duration: 10 s
nodes:
  phone:
    tier: device
    processors:
      cpu: {speed: 1 GFLOP/s}
      npu: {speed: %s}
  edge: {tier: edge, processor: {speed: 5 GFLOP/s}}
links:
  - {between: [phone, edge], bandwidth: 1 Mbps, latency: 5 ms}
applications:
  classify: {model: squeezenet1_1, input: 150 KB, output: 4 KB}
workload:
  - {app: classify, sources: phone, arrivals: trace, trace: trace.csv}
policy: {name: local}
"""


@pytest.mark.parametrize(
    ("npu", "where"), [("50 GFLOP/s", "npu"), ("1 GFLOP/s", "cpu")], ids=["faster", "as-fast"]
)
def test_dads_partitions_a_dag_on_the_faster_processor(tmp_path, npu, where):
    """SqueezeNet (a DAG: dads's own min-cut, not neurosurgeon's) stays on the phone behind 1 Mbps.

    The 150 KB frame takes 1.2 s to upload; SqueezeNet 1.1's 0.35 GFLOP take 14 ms on a 50 GFLOP/s
    NPU: every layer there.  An NPU as fast as the CPU is a tie, which keeps the CPU.
    """
    stages = _run(tmp_path, DAG % npu, [1, 4, 7], "dads")
    assert list(zip(stages["where"], stages["processor"], strict=True)) == [("phone", where)] * 3


# A 1 GFLOP job from one source, on a trace (the scenarios below add their nodes and links).
_ONE_JOB = """applications:
  job: {{work: 1 GFLOP, input: {input}, output: 1 KB}}
workload:
  - {{app: job, sources: {source}, arrivals: trace, trace: trace.csv}}
policy: {{name: local}}
"""

ENERGY = """
name: phone-npu-energy
duration: 10 s
nodes:
  phone:
    tier: device
    processors:
      cpu: {speed: 1 GFLOP/s}
      npu: {speed: 4 GFLOP/s, busy: %s}
    power: {idle: 0.5 W, busy: 3 W, transmit: 1.3 W, receive: 1 W}
  edge: {tier: edge, processor: {speed: 2 GFLOP/s}}
links:
  - {between: [phone, edge], bandwidth: 10 Mbps, latency: 1 ms}
""" + _ONE_JOB.format(source="phone", input="10 MB")


ENERGY_POLICIES = ["neurosurgeon(objective=energy)", "multi-tier(objective=energy)", "dads(objective=energy)"]


@pytest.mark.parametrize("policy", ENERGY_POLICIES)
@pytest.mark.parametrize(
    ("npu_busy", "processor", "joules"),
    [("2 W", "npu", 0.5), ("12 W", "cpu", 2.5)],
    ids=["npu-frugal", "npu-hungry"],
)
def test_energy_prices_each_of_the_devices_processors_at_its_own_watts(
    tmp_path, policy, npu_busy, processor, joules
):
    """The device's layers go to the processor that spends fewer joules on them, not the faster.

    A busy CPU core draws 3 - 0.5 = 2.5 W above idle (the node's busy, its only sharer): the 1 GFLOP
    job takes 1 s there, 2.5 J.  The NPU, 4x faster, draws its own ``busy``: at 2 W its 0.25 s
    cost 0.5 J and it takes the work; at 12 W they cost 3 J, so the slower CPU keeps it.
    Offloading costs more than either: 10 MB up at 10 Mbit/s is 8 s of a 0.8 W radio, 6.4 J.
    """
    stages, tasks = _run_with_tasks(tmp_path, ENERGY % npu_busy, [1, 4, 7], policy)
    assert list(zip(stages["where"], stages["processor"], strict=True)) == [("phone", processor)] * 3
    assert list(tasks["device_energy"]) == pytest.approx([joules] * 3)


def test_neurosurgeon_energy_objective_prices_the_devices_npu_sharing_the_nodes_busy_power(tmp_path):
    """Without its own ``busy``, the NPU shares the node's 2.5 W with the CPU: 1.25 W a busy core.

    The first stage (1 GFLOP) on the NPU costs 0.25 s x 1.25 W = 0.31 J against the CPU's 1.25 J;
    the whole task on the NPU 1.75 s, 2.19 J; offloading it all 100 MB up (0.8 s at 0.8 W, 0.64 J).
    So the NPU runs the first stage, the 10 KB cut goes up (0.08 ms of radio), and the server's
    processors tie in joules (the device does not pay for them), which keeps its first.
    """
    powered = SPLIT.replace(
        "    tier: device\n",
        "    tier: device\n    power: {idle: 0.5 W, busy: 3 W, transmit: 1.3 W, receive: 1 W}\n",
    )
    stages, tasks = _run_with_tasks(
        tmp_path, powered, [1, 4, 7], "neurosurgeon(server=edge, objective=energy)"
    )
    assert list(stages.loc[stages["where"] == "phone", "processor"]) == ["npu"] * 3
    assert set(stages.loc[stages["where"] == "edge", "processor"]) == {"cpu"}  # 3 s each: two end in time
    # 0.3125 J computing, the rest the radio's: 10 KB up, 1 KB back
    assert list(tasks["device_energy"]) == pytest.approx([0.3125] * 3, abs=1e-3)


def test_every_decision_is_a_scan_of_every_node_and_processor(tmp_path):
    """The pruned search over nodes counting each node's fastest processor picks what a full scan picks.

    Three phones (CPU and NPU) and two edge servers (CPU and GPU) under load: each decision is
    checked against the first (node, processor) pair, in node then processor order, with the least
    :func:`expected_completion_s`.
    """
    scenario = """
name: scan
duration: 20 s
nodes:
  phone:
    count: 3
    tier: device
    processors: {cpu: {speed: 1 GFLOP/s}, npu: {speed: 3 GFLOP/s}}
  edge:
    count: 2
    tier: edge
    processors: {cpu: {speed: 4 GFLOP/s, cores: 2}, gpu: {speed: 10 GFLOP/s}}
links:
  - {between: [phone-*, edge-*], bandwidth: 50 Mbps, latency: 5 ms}
applications:
  job: {work: {exponential: {mean: 1 GFLOP}}, input: 200 KB, output: 1 KB}
workload:
  - {app: job, sources: phone-*, arrivals: poisson, rate: 3 /s}
policy: {name: least-loaded}
"""
    checked = []

    class Scanned(LeastLoadedPolicy):
        def decide(self, task, view):
            plan = super().decide(task, view)
            pairs = [
                (node, processor)
                for node in self._candidates(task, view, "least-loaded")
                for processor in (None, *view.processors(node)[1:])
            ]
            costs = [expected_completion_s(task, view, node, processor=p) for node, p in pairs]
            node, processor = pairs[costs.index(min(costs))]
            assert (plan.nodes, plan.processors) == ((node,), None if processor is None else (processor,))
            checked.append(processor)
            return plan

    path = tmp_path / "scan.yaml"
    path.write_text(scenario)
    unregister_policy("least-loaded-scanned")
    register_policy("least-loaded-scanned")(Scanned)
    try:
        offloadsim.run(path, policy="least-loaded-scanned")
    finally:
        unregister_policy("least-loaded-scanned")
    assert len(checked) > 100
    assert {None, "npu", "gpu"} <= set(checked)  # every kind of choice was made, and checked


@pytest.mark.parametrize(
    ("policy", "warned"),
    [
        ("least-loaded", False),
        ("model-select", False),
        ("neurosurgeon", False),
        ("multi-tier", False),
        ("local", True),
    ],
)
def test_the_idle_processor_warning_is_said_only_of_policies_that_do_not_choose(tmp_path, policy, warned):
    """A policy that prices every processor may use the NPU: no warning that it stays idle."""
    (tmp_path / "trace.csv").write_text("time\n1\n")
    path = tmp_path / "scenario.yaml"
    path.write_text(PHONE.format(npu="4 GFLOP/s"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        offloadsim.run(path, policy=policy)
    said = [str(w.message) for w in caught if "[idle-processors]" in str(w.message)]
    assert bool(said) == warned, said


def test_a_processor_a_node_lacks_is_named_with_the_ones_it_has(tmp_path):
    """A plug-in policy asking the view about a misspelt processor gets one line naming the node's."""
    from offloadsim.policies import Plan

    class Misspelt:
        def decide(self, task, view):
            view.compute_time_s(task, "phone", processor="npuu")
            return Plan.run_on("phone")

    (tmp_path / "trace.csv").write_text("time\n1\n")
    path = tmp_path / "scenario.yaml"
    path.write_text(PHONE.format(npu="4 GFLOP/s"))
    unregister_policy("test-misspelt-processor")
    register_policy("test-misspelt-processor")(Misspelt)
    try:
        with pytest.raises(RuntimeError) as error, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            offloadsim.run(path, policy="test-misspelt-processor")
    finally:
        unregister_policy("test-misspelt-processor")
    assert (
        'view.compute_time_s(): "phone" has no processor "npuu" (did you mean "npu"?); '
        'view.processors("phone") lists its own: cpu, npu'
    ) in str(error.value)


CAMERA = """
name: camera-gpu
duration: 10 s
nodes:
  camera: {tier: device}
  edge:
    tier: edge
    processors:
      cpu: {speed: 2 GFLOP/s}
      gpu: {speed: %s}
links:
  - {between: [camera, edge], bandwidth: 1 Gbps, latency: 1 ms}
""" + _ONE_JOB.format(source="camera", input="10 KB")


@pytest.mark.parametrize("policy", ["neurosurgeon", "neurosurgeon(load_aware=true)", "dads", "multi-tier"])
@pytest.mark.parametrize(
    ("gpu", "processor"), [("8 GFLOP/s", "gpu"), ("1 GFLOP/s", "cpu")], ids=["faster", "slower"]
)
def test_a_source_that_cannot_compute_sends_its_task_to_the_servers_quicker_processor(
    tmp_path, policy, gpu, processor
):
    """A camera runs no layer: everything goes to the edge, on the processor that runs it sooner.

    1 GFLOP takes 0.5 s on the edge's CPU, 0.125 s on a GPU of 8 GFLOP/s (which takes it) and 1 s
    on one of 1 GFLOP/s (which leaves it to the CPU); the transfers are the same on either.
    """
    stages = _run(tmp_path, CAMERA % gpu, [1, 4, 7], policy)
    assert list(zip(stages["where"], stages["processor"], strict=True)) == [("edge", processor)] * 3
    expected = 0.125 if processor == "gpu" else 0.5
    assert list(stages["end"] - stages["start"]) == pytest.approx([expected] * 3)
