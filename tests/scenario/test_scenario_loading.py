"""Loading whole scenarios: the design's example, groups and patterns, files, YAML details."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from scenario_testkit import DATA, HAVE_REGISTRY, HAVE_ZOO, SMALL

from offloadsim.scenario import (
    ScenarioError,
    load_scenario,
    load_scenario_data,
    load_scenario_text,
    read_document,
)
from offloadsim.scenario.distributions import Dist


def _quickstart_document() -> dict:
    """DESIGN.md's example, minus what sibling modules cannot provide yet."""
    document = read_document(DATA / "quickstart.yaml")
    if HAVE_ZOO:
        from offloadsim.models import list_models

        models = set(list_models())
        for name, app in list(document["applications"].items()):
            if "model" in app and app["model"] not in models:
                del document["applications"][name]
    else:
        document["applications"] = {k: v for k, v in document["applications"].items() if "model" not in v}
        document["workload"][0]["app"] = "job"
    if HAVE_REGISTRY:
        from offloadsim.policies.registry import available_policies

        if document["policy"]["name"] not in available_policies():
            document["policy"]["name"] = "local"
    return document


def test_design_example_loads():
    scenario = load_scenario_data(_quickstart_document(), source="quickstart.yaml", base_dir=DATA)
    assert scenario.name == "quickstart" and scenario.seed == 7
    assert (scenario.duration_s, scenario.warmup_s, scenario.end_s) == (120.0, 10.0, 130.0)
    assert [n.name for n in scenario.nodes] == [f"phone-{i}" for i in range(20)] + ["ap", "edge", "cloud"]
    phone = scenario.node("phone-7")
    assert phone.group == "phone" and phone.tier == "device"
    assert phone.processor is not None and phone.processor.profile == "cortex-a76"
    assert phone.power is not None and phone.power.transmit_w == 1.3
    assert scenario.node("ap").processor is None
    assert scenario.node("cloud").processor.cores == 8  # type: ignore[union-attr]
    assert len(scenario.links) == 22
    assert [link.index for link in scenario.links[-3:]] == [0, 1, 2]
    assert scenario.links[0].a == "phone-0" and scenario.links[0].b == "ap"
    assert scenario.links[-1].latency_s == pytest.approx(0.02)
    assert scenario.links[-1].bandwidth_bps == scenario.links[-1].reverse_bandwidth_bps == 200e6
    assert scenario.applications["job"].stages[0].work == Dist("exponential", (2e9,))
    (entry,) = scenario.workload
    assert entry.sources == tuple(f"phone-{i}" for i in range(20))
    assert entry.arrivals.kind == "poisson" and entry.arrivals.rate_per_s == 1.0
    assert scenario.policy.params == {"objective": "latency"}
    assert scenario.source == "quickstart.yaml"
    assert json.loads(json.dumps(scenario.document)) == scenario.document


@pytest.mark.skipif(not HAVE_ZOO, reason="offloadsim.models not importable yet")
def test_design_example_model_apps():
    scenario = load_scenario_data(_quickstart_document(), base_dir=DATA)
    classify = scenario.applications["classify"]
    assert classify.model == "resnet50" and not classify.synthetic
    assert classify.input == Dist.fixed(150e3) and classify.deadline_s == pytest.approx(0.2)


def test_defaults():
    scenario = load_scenario_text("name: bare\n")
    assert (scenario.seed, scenario.duration_s, scenario.warmup_s, scenario.description) == (0, 60.0, 0.0, "")
    assert scenario.nodes == () and scenario.links == () and scenario.workload == ()
    assert scenario.policy.name == "local" and scenario.policy.params == {}


def test_count_expands_into_numbered_nodes_and_patterns_select_them():
    scenario = load_scenario_text(
        """
name: groups
nodes:
  phone: {count: 4, tier: device}
  tablet: {count: 1, tier: device}
  edge: {count: 2, tier: edge, processor: {speed: 1 TFLOP/s}}
links:
  - {between: ["phone-[0-1]", edge-0], bandwidth: 10 Mbps}
  - {between: [phone-2, edge-1], bandwidth: 10 Mbps}
  - {between: [phone-3, edge], bandwidth: 10 Mbps}
  - {between: [tablet, edge-*], bandwidth: 10 Mbps}
  - {between: [edge-*, edge-*], bandwidth: 10 Gbps}
applications: {job: {service: 1 ms}}
workload:
  - {app: job, sources: [phone-3, "phone-*", tablet-0], rate: 1 /s}
"""
    )
    names = [node.name for node in scenario.nodes]
    assert names == ["phone-0", "phone-1", "phone-2", "phone-3", "tablet-0", "edge-0", "edge-1"]
    pairs = [(link.a, link.b, link.index) for link in scenario.links]
    assert pairs == [
        ("phone-0", "edge-0", 0),
        ("phone-1", "edge-0", 0),
        ("phone-2", "edge-1", 1),
        ("phone-3", "edge-0", 2),
        ("phone-3", "edge-1", 2),
        ("tablet-0", "edge-0", 3),
        ("tablet-0", "edge-1", 3),
        ("edge-0", "edge-1", 4),
    ]
    assert scenario.workload[0].sources == ("phone-3", "phone-0", "phone-1", "phone-2", "tablet-0")


@pytest.mark.parametrize(("hosts", "nodes"), [("edge", ("edge",)), ("'phone-*'", ("phone-0", "phone-1"))])
def test_hosts_takes_one_pattern_as_sources_does(hosts, nodes):
    """A new user's ``hosts: edge`` was refused with "expected a list", where ``sources: phone`` is taken."""
    one = SMALL.replace("output: 4 KB}", f"output: 4 KB, hosts: {hosts}}}").replace(
        "phone: {count: 3", "phone: {count: 2"
    )
    assert load_scenario_text(one).applications["job"].hosts == nodes


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("hosts", "5", "expected a node pattern (edge-*) or a list of them, got 5"),
        ("hosts", "[]", "expected at least 1 item(s), got an empty list"),
        ("sources", "5", "expected a node pattern (edge-*) or a list of them, got 5"),
    ],
)
def test_node_patterns_other_than_a_pattern_or_a_list_are_refused_by_what_they_take(key, value, expected):
    """``hosts: 5`` said only "expected a list" (a single pattern is taken too); ``hosts: []`` ran nowhere."""
    text = SMALL.replace("output: 4 KB}", f"output: 4 KB, hosts: {value}}}") if key == "hosts" else SMALL
    if key == "sources":
        text = text.replace("sources: phone-*", f"sources: {value}")
        assert f"sources: {value}" in text
    with pytest.raises(ScenarioError) as raised:
        load_scenario_text(text)
    assert expected in str(raised.value), str(raised.value)


@pytest.mark.parametrize("hosts", ["ap", "[ap, lonely]", "[lonely, ap, ap]"])
def test_hosts_of_which_none_computes_are_refused(hosts):
    """``hosts: ap`` (a network node) was accepted, and every request then dropped in a run that exited 0."""
    text = SMALL.replace("output: 4 KB}", f"output: 4 KB, hosts: {hosts}}}")
    with pytest.raises(ScenarioError) as raised:
        load_scenario_text(text)
    assert str(raised.value).startswith(
        "<string>: applications.job.hosts: matches no node with a processor ("
    ), str(raised.value)
    assert 'so no request of "job" could be served' in str(raised.value)
    some = load_scenario_text(SMALL.replace("output: 4 KB}", "output: 4 KB, hosts: [ap, edge]}"))
    assert some.applications["job"].hosts == ("ap", "edge")  # one host computes: the others are harmless


def test_full_mesh_links_each_pair_once():
    scenario = load_scenario_text(
        "name: mesh\nnodes: {n: {count: 5, tier: edge}}\nlinks: [{between: [n-*, n-*], bandwidth: 1 Gbps}]\n"
    )
    assert len(scenario.links) == 10
    assert len({frozenset((link.a, link.b)) for link in scenario.links}) == 10


def test_stages_chain_outputs():
    scenario = load_scenario_text(
        """
name: chain
applications:
  pipe:
    stages:
      - {work: 1 GFLOP, output: 1 MB}
      - {service: {uniform: [1 ms, 3 ms]}}
      - {work: 2 GFLOP}
    output: 4 KB
"""
    )
    stages = scenario.applications["pipe"].stages
    assert [stage.output for stage in stages] == [Dist.fixed(1e6), Dist.fixed(0.0), Dist.fixed(4e3)]
    assert stages[1].service == Dist("uniform", (0.001, 0.003)) and stages[1].work is None


def test_arrival_kinds(write):
    write("traces/t.csv", "time,source,camera\n0.5,,front\n1.0,phone-1,back\n1.0,phone-0,\n2 s,,front\n")
    path = write(
        "scenario.yaml",
        """
name: arrivals
nodes:
  phone: {count: 2, tier: device, processor: {speed: 1 GFLOP/s}}
applications: {job: {work: 1 MFLOP}}
workload:
  - {app: job, sources: phone-*, arrivals: periodic, period: 100 ms, jitter: 5 ms}
  - {app: job, sources: phone-*, arrivals: trace, trace: traces/t.csv}
  - {app: job, sources: phone-0, arrivals: closed, users: 3, think: {exponential: 2 s}}
  - {app: job, sources: phone-1, arrivals: closed, users: 1}
""",
    )
    periodic, trace, closed, closed_no_think = (entry.arrivals for entry in load_scenario(path).workload)
    assert (periodic.kind, periodic.period_s, periodic.jitter_s) == ("periodic", 0.1, 0.005)
    assert trace.trace == {"phone-0": (0.5, 1.0, 2.0), "phone-1": (0.5, 1.0, 2.0)}
    assert trace.trace_file == str(path.parent / "traces/t.csv")
    assert (closed.users, closed.think) == (3, Dist("exponential", (2.0,)))
    assert closed_no_think.think == Dist.fixed(0.0)
    assert not hasattr(periodic, "think") and not hasattr(periodic, "trace")  # each process, its own keys


def test_trace_rows_split_by_source(write):
    write("t.csv", "time,source\n0,phone-0\n1,\n3,phone-1\n4,phone-0\n")
    path = write(
        "s.yaml",
        "name: s\nnodes: {phone: {count: 2, tier: device, processor: {speed: 1}}}\n"
        "applications: {a: {service: 1 ms}}\n"
        "workload: [{app: a, sources: phone-*, arrivals: trace, trace: t.csv}]\n",
    )
    assert load_scenario(path).workload[0].arrivals.trace == {
        "phone-0": (0.0, 1.0, 4.0),
        "phone-1": (1.0, 3.0),
    }


def test_onnx_path_is_relative_to_the_scenario_file(write):
    onnx = write("models/net.onnx", "not really onnx")
    path = write(
        "s.yaml",
        "name: s\napplications:\n  a: {model: {onnx: models/net.onnx}}\n  b: {onnx: models/net.onnx}\n",
    )
    apps = load_scenario(path).applications
    assert apps["a"].onnx == apps["b"].onnx == str(onnx)
    assert apps["a"].model is None and not apps["a"].synthetic


def test_yaml_details_exponents_dates_and_merge_keys():
    scenario = load_scenario_text(
        """
name: yaml
description: 2024-05-01
nodes:
  a: {tier: edge, processor: {speed: 5e10}}
  b: {tier: edge}
  c: {tier: edge}
links:
  - &fast {between: [a, b], bandwidth: 1e9, latency: 1e-3}
  - {<<: *fast, between: [b, c]}
"""
    )
    assert scenario.description == "2024-05-01"
    assert scenario.node("a").processor.speed_flops == 5e10  # type: ignore[union-attr]
    assert [(link.bandwidth_bps, link.latency_s) for link in scenario.links] == [(1e9, 1e-3), (1e9, 1e-3)]


def test_pyyaml_is_not_changed_globally():
    assert yaml.safe_load("a: 1e9") == {"a": "1e9"}


def test_document_round_trips_through_load_scenario_data(tmp_path: Path):
    first = load_scenario_text(SMALL, base_dir=tmp_path, overrides=["links[0].bandwidth=5 Mbps"])
    again = load_scenario_data(first.document, base_dir=tmp_path)
    assert first.document["links"][0]["bandwidth"] == "5 Mbps"
    assert (again.nodes, again.links, again.workload, again.applications) == (
        first.nodes,
        first.links,
        first.workload,
        first.applications,
    )


def test_load_scenario_applies_overrides(write):
    path = write("small.yaml", SMALL)
    scenario = load_scenario(path, ["nodes.phone.count=5", "workload[0].rate=2 /s", "policy.name=local"])
    assert len([n for n in scenario.nodes if n.group == "phone"]) == 5
    assert scenario.workload[0].arrivals.rate_per_s == 2.0
    assert scenario.document["nodes"]["phone"]["count"] == 5


def test_load_scenario_data_refuses_non_mapping():
    with pytest.raises(ScenarioError, match=r"^<data>: expected a mapping at the top level, got a list$"):
        load_scenario_data([1, 2])  # type: ignore[arg-type]


def test_load_scenario_data_names_a_tuple_and_a_base_dir_that_is_no_path(tmp_path: Path):
    """From Python, a tuple where a list goes was "expected a list, got a list", and base_dir=3
    pathlib's TypeError, with a traceback."""
    document = yaml.safe_load(SMALL)
    document["links"] = tuple(document["links"])
    with pytest.raises(ScenarioError, match=r"^<data>: links: expected a list, got a tuple$"):
        load_scenario_data(document)
    with pytest.raises(ScenarioError, match=r"^<data>: base_dir: expected a directory path, got int$"):
        load_scenario_data(yaml.safe_load(SMALL), base_dir=3)  # type: ignore[arg-type]


def test_alias_bomb_is_refused_before_memory_is_spent(monkeypatch):
    from offloadsim import bounded_read

    monkeypatch.setattr(bounded_read, "MAX_VALUES", 10_000)
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    with pytest.raises(ScenarioError, match="more than 10,000 values once YAML aliases are expanded"):
        load_scenario_text("\n".join(levels) + "\nname: bomb\n", "bomb.yaml")


@pytest.mark.parametrize(
    ("given", "said"),
    [
        (
            Path("scenarios/quickstart.yaml"),
            r"expected the scenario's YAML text, got PosixPath \(load_scenario\(path\)",
        ),
        (3, "expected the scenario's YAML text, got int$"),
    ],
)
def test_load_scenario_text_given_no_text_says_so(given, said):
    """A file's Path (or a number) in place of the text ended in a TypeError from the YAML reader."""
    from offloadsim.scenario import load_scenario_text

    with pytest.raises(ScenarioError, match=said):
        load_scenario_text(given)


@pytest.mark.parametrize(
    ("given", "said"),
    [
        (
            {"name": "x"},
            r"^<dict>: expected a scenario file path \(load_scenario_data\(mapping\) loads a mapping\)$",
        ),
        (3, r"^<int>: expected a scenario file path$"),
    ],
)
def test_load_scenario_given_no_path_says_so(given, said):
    """A mapping (or a number) in place of the file's path ended in a TypeError from the file reader."""
    from offloadsim.scenario import load_scenario

    with pytest.raises(ScenarioError, match=said):
        load_scenario(given)
