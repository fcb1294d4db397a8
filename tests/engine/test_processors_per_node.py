"""Several processors per node, from the scenario: a plan names one, and its own profile prices the stage.

A node with a CPU (cortex-a76) and a GPU (t4) runs AlexNet whole; the
``fixed`` policy names the processor.  Each task's compute time is the sum
of AlexNet's per-layer times on the named processor's profile, looked up
here straight from the profile, and the two differ by far.
"""

from __future__ import annotations

import pytest

from offloadsim.engine import EngineError, simulate
from offloadsim.models import get_model
from offloadsim.policies import Plan
from offloadsim.scenario import PolicySpec, ScenarioError, load_scenario_text
from offloadsim.world import build_world
from offloadsim.world.profiles import get_profile, profile_search_path

SCENARIO = """
name: two-processors
duration: 10 s
nodes:
  box:
    tier: edge
    processors:
      cpu: {profile: cortex-a76, cores: 1}
      gpu: {profile: t4, cores: 1, model: fifo}
applications:
  classify: {model: alexnet, input: 150 KB, output: 4 KB}
workload:
  - {app: classify, sources: box, arrivals: trace, trace: trace.csv}
policy: {name: fixed, node: box, processors: [gpu]}
"""


@pytest.fixture
def scenario(tmp_path):
    (tmp_path / "trace.csv").write_text("time\n1\n5\n")
    return load_scenario_text(SCENARIO, source="two.yaml", base_dir=tmp_path)


def _profile_seconds(profile: str) -> float:
    return float(sum(get_profile(profile, profile_search_path(None)).layer_seconds(get_model("alexnet"))))


def test_the_scenario_declares_both_processors_the_first_is_the_default(scenario):
    box = scenario.node("box")
    assert [(p.name, p.profile, p.path) for p in box.processors] == [
        ("cpu", "cortex-a76", ("processors", "cpu")),
        ("gpu", "t4", ("processors", "gpu")),
    ]
    world = build_world(scenario)
    assert [p.spec.name for p in world.processors_of("box")] == ["cpu", "gpu"]
    assert world.processor("box").spec.name == "cpu"


def test_a_dry_run_lists_every_processor_of_a_node_not_only_its_first(scenario):
    # Only its first processor was listed, so a GPU that least-loaded or edge never uses (they plan
    # on each node's first) was nowhere to be seen before the run.
    summary = build_world(scenario).summary()
    assert "processors: box (cpu 15.68 GFLOP/s x1, gpu 3.24 TFLOP/s x1)" in summary


@pytest.mark.parametrize(("name", "profile"), [("gpu", "t4"), ("cpu", "cortex-a76")])
def test_the_named_processor_runs_the_stage_priced_by_its_own_profile(scenario, name, profile):
    policy = PolicySpec("fixed", {"node": "box", "processors": [name]})
    tasks = simulate(scenario, policy=policy).tasks
    assert list(tasks["status"]) == ["completed", "completed"]
    assert list(tasks["compute_time"]) == pytest.approx([_profile_seconds(profile)] * 2, rel=1e-12)


@pytest.mark.parametrize("name", ["gpu", "cpu"])
def test_a_stage_record_names_the_processor_it_ran_on(scenario, name):
    """The stage rows named the node only: a split between a node's GPU and CPU read as one place."""
    policy = PolicySpec("fixed", {"node": "box", "processors": [name]})
    stages = simulate(scenario, policy=policy, record_stages=True).stages
    assert stages is not None
    kinds, processors = list(stages["kind"]), list(stages["processor"])
    assert kinds and set(kinds) == {"compute"}  # no links: the tasks compute where they arrive
    assert set(processors) == {name}


def test_the_gpu_and_the_cpu_price_alexnet_differently(scenario):
    assert _profile_seconds("cortex-a76") > 10 * _profile_seconds("t4")


def test_no_processor_named_runs_on_the_first(scenario):
    tasks = simulate(scenario, policy=PolicySpec("fixed", {"node": "box"})).tasks
    assert list(tasks["compute_time"]) == pytest.approx([_profile_seconds("cortex-a76")] * 2, rel=1e-12)


def test_a_plan_naming_a_processor_the_node_lacks_is_a_one_line_error(scenario):
    with pytest.raises(EngineError, match='named processor "npu" at "box", which has "cpu", "gpu"'):
        simulate(scenario, policy=PolicySpec("fixed", {"node": "box", "processors": ["npu"]}))


def test_the_fixed_policy_needs_one_processor_per_node(scenario):
    with pytest.raises(EngineError, match=r"processors must name one per node \(1\), got 2"):
        simulate(scenario, policy=PolicySpec("fixed", {"node": "box", "processors": ["cpu", "gpu"]}))


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ("model: fifo}", "model: fifoo}"),
            r'^two.yaml: nodes.box.processors.gpu.model: unknown processor model "fifoo" '
            r'\(did you mean "fifo"\?\); known: fifo',
        ),
        (
            ("output: 4 KB}", "output: 4 KB, kind: modle}"),
            r'^two.yaml: applications.classify.kind: unknown kind of work "modle" \(did you mean "model"\?\)',
        ),
        (
            ("output: 4 KB}", "output: 4 KB, kind: llm}"),
            r'applications.classify.kind: "llm" does not fit this application, which is a model',
        ),
        (
            ("profile: t4,", "profile: a10,"),
            r'nodes.box.processors.gpu.profile: unknown profile "a10" \(did you mean "a100"\?\)',
        ),
    ],
)
def test_a_bad_processor_model_kind_or_profile_names_its_key_path(tmp_path, edit, message):
    (tmp_path / "trace.csv").write_text("time\n1\n")
    with pytest.raises((EngineError, ScenarioError), match=message):
        simulate(load_scenario_text(SCENARIO.replace(*edit), source="two.yaml", base_dir=tmp_path))


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ("    processors:\n", "    processor: {speed: 1 GFLOP/s}\n    processors:\n"),
            'nodes.box.processors: give either "processor" (one) or "processors" (several by name), not both',
        ),
        (("      gpu: {", "      g/pu: {"), 'processor name "g/pu" may contain only ASCII letters'),
        (("    tier: edge\n", "    tier: network\n"), 'remove "processors" or change "tier"'),
    ],
)
def test_a_bad_processors_entry_is_a_scenario_error(tmp_path, edit, message):
    (tmp_path / "trace.csv").write_text("time\n1\n")
    with pytest.raises(ScenarioError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_scenario_text(SCENARIO.replace(*edit), source="two.yaml", base_dir=tmp_path)


LLM = """
name: two-processors-llm
duration: 60 s
nodes:
  box:
    tier: edge
    processors:
      cpu: {profile: cortex-a76, cores: 1}
      gpu: {profile: t4, cores: 1}
applications:
  chat: {model: gpt2, prompt_tokens: 32, output_tokens: 8}
workload:
  - {app: chat, sources: box, arrivals: trace, trace: trace.csv}
policy: {name: fixed, node: box, processors: [gpu]}
"""


@pytest.mark.parametrize("name", ["gpu", "cpu"])
def test_llm_stages_are_priced_by_the_named_processor(tmp_path, name):
    """Prefill and every decode step of an LLM request on the named processor, at its own speed and memory."""
    from offloadsim.world import precision_speed

    (tmp_path / "trace.csv").write_text("time\n1\n30\n")
    scenario = load_scenario_text(LLM, source="llm.yaml", base_dir=tmp_path)
    world = build_world(scenario)
    proc, app = world.processor("box", name), world.apps["chat"]
    assert app.llm is not None
    speed = precision_speed(proc, app.precision)[0]
    expected = app.llm.request_s(speed, proc.memory_Bps, 0, app.layers, 32, 8)
    tasks = simulate(world, policy=PolicySpec("fixed", {"node": "box", "processors": [name]})).tasks
    assert list(tasks["status"]) == ["completed", "completed"]
    assert list(tasks["compute_time"]) == pytest.approx([expected] * 2, rel=1e-12)


ENERGY = """
name: phone-with-an-npu
duration: 10 s
nodes:
  phone:
    tier: device
    processors:
      cpu: {speed: 1 GFLOP/s, cores: 1}
      npu: {speed: 4 GFLOP/s, cores: 1}
    power: {idle: 1 W, busy: 3 W}
applications:
  job: {work: 2 GFLOP}
workload:
  - {app: job, sources: phone, arrivals: trace, trace: trace.csv}
policy: {name: fixed, node: phone, processors: [npu]}
"""


@pytest.mark.parametrize(("name", "seconds"), [("npu", 0.5), ("cpu", 2.0)])
def test_the_energy_meter_sees_every_processor_of_the_node(tmp_path, name, seconds):
    """``busy`` is the draw with every core busy: each of the two cores adds (3 - 1) / 2 W while busy."""
    (tmp_path / "trace.csv").write_text("time\n1\n4\n")
    scenario = load_scenario_text(ENERGY, source="npu.yaml", base_dir=tmp_path)
    raw = simulate(scenario, policy=PolicySpec("fixed", {"node": "phone", "processors": [name]}))
    assert list(raw.tasks["compute_time"]) == pytest.approx([seconds] * 2)
    assert list(raw.tasks["device_energy"]) == pytest.approx([1.0 * seconds] * 2, rel=1e-12)
    (energy,) = raw.nodes["energy_j"]
    assert energy == pytest.approx(1.0 * 10 + 1.0 * 2 * seconds, rel=1e-12)


def _npu_run(tmp_path, overrides: dict, name: str = "npu"):
    """The ENERGY scenario with ``overrides`` (``--set`` key -> value), run on processor ``name``."""
    (tmp_path / "trace.csv").write_text("time\n1\n4\n")
    scenario = load_scenario_text(
        ENERGY, source="npu.yaml", base_dir=tmp_path, overrides=[f"{k}={v}" for k, v in overrides.items()]
    )
    return simulate(scenario, policy=PolicySpec("fixed", {"node": "phone", "processors": [name]}))


@pytest.mark.parametrize("cpu_cores", [1, 4, 8])
def test_a_processor_with_its_own_busy_power_is_charged_it_whatever_the_cpu_cores(tmp_path, cpu_cores):
    """An NPU's energy per task fell as CPU cores were added (the node's busy over all cores): 2 W now."""
    raw = _npu_run(
        tmp_path, {"nodes.phone.processors.cpu.cores": cpu_cores, "nodes.phone.processors.npu.busy": "2 W"}
    )
    assert list(raw.tasks["device_energy"]) == pytest.approx([2.0 * 0.5] * 2, rel=1e-12)
    (energy,) = raw.nodes["energy_j"]
    assert energy == pytest.approx(1.0 * 10 + 2.0 * 2 * 0.5, rel=1e-12)


def test_the_cpu_shares_the_node_busy_power_alone_once_the_npu_has_its_own(tmp_path):
    """(3 - 1) W over the CPU's 4 cores: 0.5 W a busy core, the NPU's core no longer among them."""
    raw = _npu_run(
        tmp_path, {"nodes.phone.processors.cpu.cores": 4, "nodes.phone.processors.npu.busy": "2 W"}, "cpu"
    )
    assert list(raw.tasks["device_energy"]) == pytest.approx([0.5 * 2.0] * 2, rel=1e-12)


@pytest.mark.parametrize("verb", ["validate", "run"])
def test_validate_and_run_refuse_a_processor_the_fixed_policy_names_but_the_node_lacks(
    tmp_path, capsys, verb
):
    from offloadsim.cli import main

    (tmp_path / "trace.csv").write_text("time\n1\n")
    path = tmp_path / "two.yaml"
    path.write_text(SCENARIO.replace("processors: [gpu]", "processors: [gpus]"))
    out = ["--out", str(tmp_path / "out")] if verb == "run" else []
    assert main([verb, str(path), *out]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f'offloadsim: error: {path}: policy.processors[0]: policy "fixed" runs layers on processor "gpus", '
        'but node "box" has no processor "gpus" (did you mean "gpu"?); it has "cpu", "gpu"'
    ]
    assert not (tmp_path / "out").exists()


def test_a_run_says_how_busy_the_processors_its_nodes_table_leaves_out(scenario):
    """The nodes table reports a node's first processor: a run whose every stage ran on the GPU read
    "all computing nodes idle" and 0 % utilisation, with no word of the GPU's busy time."""
    gpu = simulate(scenario, policy=PolicySpec("fixed", {"node": "box", "processors": ["gpu"]}))
    assert list(gpu.nodes["utilisation"]) == [0.0]  # the cpu's row
    share = 2 * _profile_seconds("t4") / 10.0  # two stages on one core over 10 s measured
    said = [note for note in gpu.notes if "report each node's first processor only" in note]
    assert len(said) == 1 and f"other processors computed too: box gpu {share * 100:.1f} %" in said[0]
    cpu = simulate(scenario, policy=PolicySpec("fixed", {"node": "box", "processors": ["cpu"]}))
    assert cpu.nodes["utilisation"][0] > 0 and not any("first processor only" in n for n in cpu.notes)


def test_a_dry_run_gives_a_models_rate_on_every_processor_of_a_node(tmp_path):
    """The line of a model's rate in its precision gave each node's first processor only: an int8
    AlexNet read "at box 62.72 GOP/s" (the A76), where the plan's T4 runs it at 52 TOP/s."""
    (tmp_path / "trace.csv").write_text("time\n1\n5\n")
    int8 = "classify: {model: alexnet, params: {precision: int8},"
    text = SCENARIO.replace("classify: {model: alexnet,", int8)
    summary = build_world(load_scenario_text(text, source="two.yaml", base_dir=tmp_path)).summary()
    assert "; in int8 at box (cpu 62.72 GOP/s, gpu 52 TOP/s))" in summary


def _layer_seconds(profile: str) -> list[float]:
    return [
        float(s) for s in get_profile(profile, profile_search_path(None)).layer_seconds(get_model("alexnet"))
    ]


def test_one_node_named_twice_on_two_of_its_processors_hands_the_layers_from_one_to_the_other(scenario):
    """``nodes: [box, box]`` with ``processors: [gpu, cpu]``: the first layers on the GPU, the rest on
    the CPU, nothing sent between; the records name the node once, the stage rows each processor."""
    cut = 5
    policy = PolicySpec("fixed", {"nodes": ["box", "box"], "cuts": [cut], "processors": ["gpu", "cpu"]})
    raw = simulate(scenario, policy=policy, record_stages=True)
    tasks, stages = raw.tasks, raw.stages
    gpu, cpu = _layer_seconds("t4"), _layer_seconds("cortex-a76")
    assert list(tasks["status"]) == ["completed", "completed"]
    assert list(tasks["compute_time"]) == pytest.approx([sum(gpu[:cut]) + sum(cpu[cut:])] * 2, rel=1e-12)
    assert list(tasks["transfer_time"]) == list(tasks["bytes_sent"]) == [0.0, 0.0]
    assert list(tasks["placement"]) == ["box", "box"] and list(tasks["split"]) == [len(gpu)] * 2
    assert stages is not None
    assert list(stages["kind"]) == ["compute"] * 4 and list(stages["processor"]) == ["gpu", "cpu"] * 2


@pytest.mark.parametrize(
    ("processors", "on"),
    [("", ""), (", processors: [cpu, cpu]", ' on processor "cpu"')],
    ids=["first-processor", "same-processor"],
)
@pytest.mark.parametrize("verb", ["validate", "run"])
def test_one_node_named_twice_in_a_row_on_one_processor_is_refused(tmp_path, capsys, verb, processors, on):
    """Accepted, it ran the node's layers as two stages queueing on one processor one after the
    other, nothing sent between: a plan of one station with one more wait, most likely a typo."""
    from offloadsim.cli import main

    (tmp_path / "trace.csv").write_text("time\n1\n")
    path = tmp_path / "two.yaml"
    fixed = f"policy: {{name: fixed, nodes: [box, box], cuts: [5]{processors}}}"
    path.write_text(SCENARIO.replace("policy: {name: fixed, node: box, processors: [gpu]}", fixed))
    out = ["--out", str(tmp_path / "out")] if verb == "run" else []
    assert main([verb, str(path), *out]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f'offloadsim: error: {path}: policy.nodes: policy "fixed": nodes must not name a node twice in a row '
        f'on one processor: nodes[0] and nodes[1] are both "box"{on} (two stages queueing there one after '
        "the other, nothing sent between); give it once, or name two different processors of it in processors"
    ]
    assert not (tmp_path / "out").exists()


def _run_plan(scenario, plan):
    """Run ``scenario`` under a plug-in policy answering every task with ``plan``."""
    from offloadsim.policies.registry import register_policy, unregister_policy

    @register_policy("same-plan")
    class SamePlan:
        """Answer every task with one plan."""

        def decide(self, task, view):
            return plan

    try:
        return simulate(scenario, policy=PolicySpec("same-plan"), record_stages=True)
    finally:
        unregister_policy("same-plan")


@pytest.mark.parametrize(
    ("plan", "on"),
    [
        (Plan(("box", "box"), (5,)), '"cpu"'),
        (Plan(("box", "box"), (5,), ("gpu", "gpu")), '"gpu"'),
        (Plan(("box", "box"), (5,), (None, "cpu")), '"cpu"'),  # None: the node's first, the cpu
        (Plan(("box", "box", "box"), (5, 5), ("cpu", "gpu", "cpu")), '"cpu"'),  # the gpu's is empty
    ],
    ids=["first-processor", "same-name", "none-is-the-first", "across-an-empty-segment"],
)
def test_a_plug_in_plan_running_two_segments_in_a_row_on_one_processor_is_the_policys_error(
    scenario, plan, on
):
    """``fixed`` refuses a node twice in a row on one processor; a plug-in's plan ran silently, its
    layers as two stages queueing on the processor one after the other, nothing sent between."""
    with pytest.raises(EngineError) as raised:
        _run_plan(scenario, plan)
    message = str(raised.value)
    assert message.startswith('policy "same-plan" ran two segments in a row of task 0 ("classify") ')
    assert f'on one processor, {on} of "box"' in message and "\n" not in message


def test_a_plug_in_plan_on_two_processors_of_one_node_runs_and_an_empty_segment_between_is_skipped(
    scenario,
):
    for plan in (Plan(("box", "box"), (5,), ("gpu", "cpu")), Plan(("box", "box"), (0,))):
        raw = _run_plan(scenario, plan)
        assert list(raw.tasks["status"]) == ["completed", "completed"]
    cpu = _layer_seconds("cortex-a76")  # the last plan: the node's first processor, once
    assert list(raw.tasks["compute_time"]) == pytest.approx([sum(cpu)] * 2, rel=1e-12)
