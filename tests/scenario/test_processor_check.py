"""A node's second processor that the policy never uses is a warning, not an idle GPU unsaid.

A node with a CPU first and a T4 second, under edge (or round-robin, or fixed
without ``processors``), ran every stage on the CPU: only fixed's ``processors``,
a plug-in's ``Plan.processors`` and the policies that price each processor
(least-loaded, model-select, neurosurgeon) choose a processor.
"""

from __future__ import annotations

import pytest
import yaml

from offloadsim.cli import main

SCENARIO = """\
name: two-processors
duration: 10 s
nodes:
  phone: {count: 2, tier: device, processor: {speed: 1 GFLOP/s}}
  edge:
    count: 2
    tier: edge
    processors:
      cpu: {speed: 10 GFLOP/s, cores: 4}
      gpu: {speed: 1 TFLOP/s}
      npu: {speed: 100 GFLOP/s}
links:
  - {between: [phone-*, edge-*], bandwidth: 100 Mbps, latency: 5 ms}
applications:
  job: {work: 1 GFLOP, input: 10 KB, output: 1 KB}
workload:
  - {app: job, sources: phone-*, rate: 1 /s}
"""


def _scenario(tmp_path, policy):
    document = yaml.safe_load(SCENARIO)
    document["policy"] = policy
    path = tmp_path / "two.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


FIXED_WITHOUT_PROCESSORS = {"name": "fixed", "node": "edge-0"}


@pytest.mark.parametrize("policy", ["edge", "round-robin", FIXED_WITHOUT_PROCESSORS])
def test_processors_a_shipped_policy_never_uses_are_a_warning(tmp_path, capsys, policy):
    path = _scenario(tmp_path, policy)
    name = policy if isinstance(policy, str) else policy["name"]
    lines = [
        f'offloadsim: warning: {path}: nodes.edge.processors.{idle}: policy "{name}" runs a node\'s '
        'stages on its first processor ("cpu"), never on this one (list first the processor to use, '
        "or choose one with the fixed policy's processors) [idle-processors]"
        for idle in ("gpu", "npu")
    ]
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err.splitlines() == lines  # one line per processor, not per node
    assert main(["run", str(path), "--out", str(tmp_path / "out"), "-q"]) == 0
    assert capsys.readouterr().err.splitlines() == lines


def test_a_set_deeper_in_an_idle_processor_is_not_blamed_for_its_warning(tmp_path, capsys):
    path = _scenario(tmp_path, "edge")
    assert main(["validate", str(path), "--set", "nodes.edge.processors.npu.speed=3 TFLOP/s"]) == 0
    err = capsys.readouterr().err
    assert "never on this one" in err and "set by" not in err and "of the key path" not in err


@pytest.mark.parametrize("policy", ["least-loaded", "model-select", "neurosurgeon"])
def test_a_policy_that_prices_each_processor_is_not_warned_of(tmp_path, capsys, policy):
    path = _scenario(tmp_path, policy)
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err == ""


def test_a_policy_that_names_its_processors_is_not_warned_of(tmp_path, capsys):
    path = _scenario(tmp_path, {"name": "fixed", "node": "edge-0", "processors": ["gpu"]})
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err == ""


def test_a_plugin_policy_may_choose_its_processors_so_it_is_not_warned_of(tmp_path, capsys):
    from offloadsim.policies.base import Plan
    from offloadsim.policies.registry import register_policy, unregister_policy

    class OnTheGpu:
        def decide(self, task, view):
            return Plan(nodes=("edge-0",), cuts=(), processors=("gpu",))

    register_policy("test-on-the-gpu")(OnTheGpu)
    try:
        path = _scenario(tmp_path, "test-on-the-gpu")
        assert main(["validate", str(path)]) == 0
        assert capsys.readouterr().err == ""
    finally:
        unregister_policy("test-on-the-gpu")


def test_a_policy_that_never_computes_on_a_node_is_not_blamed_for_its_idle_processors(tmp_path, capsys):
    """``fixed(node=edge-0)`` was said to run the phones' stages on their CPU: it runs none there."""
    document = yaml.safe_load(SCENARIO)
    # A 2 GFLOP/s CPU first: offered 50 % under local (no offered-load warning among these).
    document["nodes"]["phone"]["processors"] = {"cpu": {"speed": "2 GFLOP/s"}, "npu": {"speed": "1 TFLOP/s"}}
    del document["nodes"]["phone"]["processor"]
    for policy, blamed in (
        ({"name": "fixed", "node": "edge-0"}, ["edge.processors.gpu", "edge.processors.npu"]),
        ("local", ["phone.processors.npu"]),  # the phones compute; the edge servers never do
    ):
        document["policy"] = policy
        path = tmp_path / "npu.yaml"
        path.write_text(yaml.safe_dump(document), encoding="utf-8")
        assert main(["validate", str(path)]) == 0
        said = [line.split(": ")[3] for line in capsys.readouterr().err.splitlines()]
        assert said == [f"nodes.{key}" for key in blamed]


def test_a_sweep_says_at_which_points_a_warning_of_the_base_holds(tmp_path, capsys):
    """The warning of the base's own key named no point, though only the edge policy's points had it."""
    _scenario(tmp_path, "edge")
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(
        "base: two.yaml\ngrid:\n  links[0].bandwidth: [10 Mbps, 100 Mbps]\n"
        'policies: [edge, "fixed(node=edge-0, processors=[gpu])"]\n'
    )
    assert main(["sweep", str(sweep), "--dry-run", "--out", str(tmp_path / "out")]) == 0
    warned = capsys.readouterr().err.splitlines()
    assert len(warned) == 2 and all(
        line.endswith(" (at points 0 and 2) [idle-processors]") for line in warned
    )
