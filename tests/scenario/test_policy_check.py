"""A policy's parameters and needs are checked against the scenario before anything runs.

Each mistake is refused by ``validate`` and by ``run`` (exit 2, one line with
the file and the key path) instead of failing in the middle of a run.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from scenario_testkit import small_document

from offloadsim import api
from offloadsim.cli import main
from offloadsim.policies import ComputingNode, Plan, Requirement, Tier, register_policy
from offloadsim.policies.registry import unregister_policy
from offloadsim.scenario import ScenarioError, ScenarioWarning, load_scenario, set_path

DELETE = object()
ISLAND = {"tier": "edge", "processor": {"speed": "1 GFLOP/s"}}  # a computing node with no link


def _write(tmp_path: Path, edits: dict[str, Any]) -> Path:
    document = small_document()
    for key, value in edits.items():
        if value is DELETE:
            *parent, last = key.split(".")
            node = document
            for part in parent:
                node = node[part]
            del node[last]
        else:
            set_path(document, key, value)
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def _case(id: str, policy: Any, key_path: str, expected: str, **edits: Any) -> Any:
    return pytest.param(
        policy, key_path, expected, {k.replace("__", "."): v for k, v in edits.items()}, id=id
    )


# (policy, key path, expected text, edits to the small scenario: phone-0..2, lonely, ap, edge)
MISTAKES = [
    _case(
        "fixed-unknown-node",
        {"name": "fixed", "node": "edgee"},
        "policy.node",
        'policy "fixed": "edgee" is not a node of this scenario (did you mean "edge"?)',
    ),
    _case(
        "fixed-forwarding-node",
        {"name": "fixed", "node": "ap"},
        "policy.node",
        '"ap" is a network node: it forwards and computes nothing; computing nodes: phone-0 .. phone-2, edge',
    ),
    _case(
        "fixed-node-without-processor",
        {"name": "fixed", "node": "lonely"},
        "policy.node",
        '"lonely" is a node without a processor',
    ),
    _case(
        "fixed-group-name",
        {"name": "fixed", "node": "phone"},
        "policy.node",
        '"phone" is a group of 3 nodes (phone-0 .. phone-2); name one node',
    ),
    _case(
        "fixed-unreachable-node",
        {"name": "fixed", "node": "island"},
        "policy.node",
        'no task source can reach "island": "phone-0", "phone-1", "phone-2" have no route to it',
        nodes__island=ISLAND,
    ),
    _case(
        "fixed-unreachable-node-one-source",
        {"name": "fixed", "node": "island"},
        "policy.node",
        'no task source can reach "island": "phone-0" has no route to it',
        nodes__island=ISLAND,
        nodes__phone__count=1,
    ),
    _case(
        "local-one-source-cannot-compute",
        "local",
        "policy",
        'policy "local" runs every task on its source, but "phone-0" (workload[0].sources) has no processor',
        nodes__phone__processor=DELETE,
        nodes__phone__count=1,
    ),
    _case(
        "fixed-list-unknown-node",
        {"name": "fixed", "nodes": ["$source", "egde"], "cuts": [1]},
        "policy.nodes[1]",
        '"egde" is not a node of this scenario (did you mean "edge"?)',
    ),
    _case(
        "fixed-source-cannot-compute",
        {"name": "fixed", "nodes": ["$source", "edge"], "cuts": [1]},
        "policy.nodes[0]",
        'policy "fixed" runs layers at the task\'s source ($source), but "phone-0", "phone-1", "phone-2" '
        "(workload[0].sources) have no processor",
        nodes__phone__processor=DELETE,
    ),
    _case(
        "fixed-cut-beyond-every-application",
        {"name": "fixed", "nodes": ["$source", "edge"], "cuts": [3]},
        "policy.cuts[0]",
        'policy "fixed" cuts at layer 3, but no application of the workload has that many layers '
        "(job: 1 layer); a cut at an application's layer count runs all of it before the cut",
    ),
    _case(
        "fixed-later-cut-beyond-every-application",
        {"name": "fixed", "nodes": ["$source", "edge", "phone-1"], "cuts": [1, 2]},
        "policy.cuts[1]",
        'policy "fixed" cuts at layer 2, but no application of the workload has that many layers '
        "(job: 1 layer, pipe: 1 layer)",
        applications__pipe={"stages": [{"work": "1 GFLOP"}]},
        workload=[
            {"app": "job", "sources": "phone-*", "rate": "1 /s"},
            {"app": "pipe", "sources": "phone-0", "rate": "1 /s"},
        ],
    ),
    _case(
        "neurosurgeon-unknown-server",
        {"name": "neurosurgeon", "server": "nope"},
        "policy.server",
        'policy "neurosurgeon": "nope" is not a node of this scenario',
    ),
    _case(
        "dads-unknown-server",
        {"name": "dads", "server": "nope"},
        "policy.server",
        'policy "dads": "nope" is not a node of this scenario',
    ),
    _case(
        "multi-tier-unknown-edge",
        {"name": "multi-tier", "edge": "nope"},
        "policy.edge",
        'policy "multi-tier": "nope" is not a node',
    ),
    _case(
        "multi-tier-forwarding-cloud",
        {"name": "multi-tier", "cloud": "ap"},
        "policy.cloud",
        '"ap" is a network node',
    ),
    _case(
        "tiers-misspelt",
        {"name": "random", "tiers": ["egde"]},
        "policy.tiers[0]",
        'policy "random": unknown tier "egde" (did you mean "edge"?); tiers: device, edge, cloud, network',
    ),
    _case(
        "tiers-without-computing-nodes",
        {"name": "least-loaded", "tiers": ["cloud"]},
        "policy.tiers",
        'policy "least-loaded" chooses among their computing nodes, but no node of tier cloud has a '
        "processor; "
        "tiers with computing nodes: device, edge",
    ),
    _case(
        "energy-objective-without-power",
        {"name": "neurosurgeon", "objective": "energy"},
        "policy.objective",
        'prices the device\'s joules (objective: energy), but "phone-0", "phone-1", "phone-2" have no power '
        "draw (give nodes.phone.power)",
        nodes__phone__power=DELETE,
    ),
    _case(
        "multi-tier-energy-without-power",
        {"name": "multi-tier", "objective": "energy"},
        "policy.objective",
        'policy "multi-tier" prices the device\'s joules',
        nodes__phone__power=DELETE,
    ),
    _case(
        "local-sources-cannot-compute",
        "local",
        "policy",
        'policy "local" runs every task on its source, but "phone-0", "phone-1", "phone-2" '
        "(workload[0].sources) have no processor",
        nodes__phone__processor=DELETE,
    ),
    _case(
        "edge-policy-without-edge-node",
        {"name": "edge"},
        "policy.name",
        'policy "edge" offloads every task to the nearest edge node, but no node of tier edge has a '
        "processor",
        nodes__edge__tier="cloud",
    ),
    _case(
        # Without a link to it, every task fell back to the phone and the run said "policy edge".
        "edge-policy-with-edge-node-out-of-reach",
        {"name": "edge"},
        "policy.name",
        'policy "edge" offloads every task to the nearest edge node, but no task source can reach a '
        'node of tier edge: "phone-0", "phone-1", "phone-2" have no route to "edge" (links: connect them)',
        links=[{"between": ["phone-*", "ap"], "bandwidth": "20 Mbps"}],
    ),
    _case(
        # Without a server in reach, every task ran on the phone under the split's name, unsaid.
        "neurosurgeon-with-no-server-in-reach",
        {"name": "neurosurgeon"},
        "policy.name",
        'policy "neurosurgeon" splits every task with the nearest edge node, else the nearest cloud node, '
        'but no task source can reach a node of tier edge or cloud: "phone-0", "phone-1", "phone-2" have '
        'no route to "edge" (links: connect them)',
        links=[{"between": ["phone-*", "ap"], "bandwidth": "20 Mbps"}],
    ),
    _case(
        "multi-tier-with-no-server-in-reach",
        {"name": "multi-tier"},
        "policy.name",
        'policy "multi-tier" splits every task over the nearest edge node and the nearest cloud node, '
        'but no task source can reach a node of tier edge or cloud: "phone-0", "phone-1", "phone-2" have '
        'no route to "edge" (links: connect them)',
        links=[{"between": ["phone-*", "ap"], "bandwidth": "20 Mbps"}],
    ),
    _case(
        "unknown-parameter",
        {"name": "edge", "fallbak": "drop"},
        "policy.fallbak",
        'policy "edge" has no parameter "fallbak" (did you mean "fallback"?)',
    ),
    _case(
        "misspelt-literal",
        {"name": "edge", "fallback": "lcoal"},
        "policy.fallback",
        'parameter "fallback" must be "local" | "drop", got "lcoal" (str) (did you mean "local"?)',
    ),
    _case(
        "node-of-wrong-type",
        {"name": "fixed", "node": 3},
        "policy.node",
        'parameter "node" must be computing node or $source | None, got 3 (int)',
    ),
]


@pytest.mark.parametrize(("policy", "key_path", "expected", "edits"), MISTAKES)
@pytest.mark.parametrize("verb", ["validate", "run"])
def test_validate_and_run_refuse_policy_mistakes_up_front(
    verb, policy, key_path, expected, edits, tmp_path, capsys
):
    path = _write(tmp_path, {**edits, "policy": policy})
    load_scenario(path)  # the scenario itself is fine: only the policy does not fit it
    out = tmp_path / "out"
    argv = [verb, str(path)] + (["--out", str(out)] if verb == "run" else [])
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert lines == [f"offloadsim: error: {path}: {key_path}: " + lines[0].split(f"{key_path}: ", 1)[1]]
    assert expected in lines[0], lines[0]
    assert captured.out == "" and not out.exists()


@pytest.mark.parametrize(
    ("policy", "edits"),
    [
        ({"name": "fixed", "nodes": ["$source", "edge"], "cuts": [0]}, {"nodes.phone.processor": DELETE}),
        (
            {"name": "neurosurgeon", "objective": "energy"},
            {"nodes.phone.power": DELETE, "nodes.phone.processor": DELETE},
        ),
        ({"name": "random", "tiers": ["edge", "cloud"]}, {}),
        ({"name": "fixed", "node": "$source"}, {}),
        ({"name": "multi-tier", "edge": "edge"}, {}),
        ({"name": "fixed", "nodes": ["$source", "edge"], "cuts": [1]}, {}),
    ],
    ids=[
        "empty-source-segment",
        "energy-without-local-compute",
        "one-tier-present",
        "source",
        "named-edge",
        "cut-at-the-layer-count",
    ],
)
def test_what_the_run_accepts_validate_accepts(policy, edits, tmp_path, capsys):
    path = _write(tmp_path, {**edits, "policy": policy})
    assert main(["validate", str(path)]) == 0, capsys.readouterr().err
    assert main(["run", str(path), "--out", str(tmp_path / "out"), "-q", "--set", "duration=2 s"]) == 0


def test_a_cut_beyond_some_applications_layers_is_a_note_under_the_table(tmp_path, capsys):
    """One plan may serve applications of several depths; the shallower ones' clamping is said."""
    path = _write(
        tmp_path,
        {
            "applications.pipe": {"stages": [{"work": "1 GFLOP"}] * 3},
            "workload": [
                {"app": "job", "sources": "phone-*", "rate": "1 /s"},
                {"app": "pipe", "sources": "phone-*", "rate": "1 /s"},
            ],
            "policy": {"name": "fixed", "nodes": ["$source", "edge"], "cuts": [2]},
        },
    )
    note = (
        'note: policy.cuts[0]: policy "fixed" cuts at layer 2, beyond the 1 layer of job: clamped there, '
        "so its tasks run all their layers on the stations before the cut"
    )
    assert main(["validate", str(path)]) == 0
    said = capsys.readouterr()
    assert said.err == "" and note in said.out.splitlines()  # validate and a dry run say it too, on stdout
    assert main(["run", str(path), "--dry-run"]) == 0
    said = capsys.readouterr()
    assert said.err == "" and note in said.out.splitlines()
    assert said.out.splitlines()[-1] == "dry run: nothing simulated, nothing written"
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--set", "duration=2 s"]) == 0
    assert note in capsys.readouterr().out.splitlines()
    assert note.removeprefix("note: ") in json.loads((out / "manifest.json").read_text())["notes"]
    argv = ["compare", str(path), "--policies", "fixed,local", "-n", "1", "--out", str(tmp_path / "c")]
    assert main([*argv, "--set", "duration=2 s"]) == 0
    assert note in capsys.readouterr().out.splitlines()
    # The same plan on the deeper application alone says nothing.
    path = _write(
        tmp_path,
        {
            "applications.job": {"stages": [{"work": "1 GFLOP"}] * 3},
            "policy": {"name": "fixed", "nodes": ["$source", "edge"], "cuts": [2]},
        },
    )
    assert main(["run", str(path), "--out", str(tmp_path / "deep"), "--set", "duration=2 s"]) == 0
    assert "policy.cuts" not in capsys.readouterr().out
    for argv in (["validate", str(path)], ["run", str(path), "--dry-run"]):
        assert main(argv) == 0
        lines = capsys.readouterr().out.splitlines()  # but its plain speed's and power's lines
        stated = ("the scenario's own figure", "energy rests on")
        assert [x for x in lines if x.startswith("note:") and not any(s in x for s in stated)] == []


def test_validate_takes_the_policy_a_run_would_use(tmp_path, capsys):
    path = _write(tmp_path, {"nodes.phone.processor": DELETE, "policy": "edge"})
    assert main(["validate", str(path)]) == 0
    capsys.readouterr()
    assert main(["validate", str(path), "--policy", "local"]) == 2
    assert 'policy "local" runs every task on its source' in capsys.readouterr().err


def _two_cameras(tmp_path: Path, link: dict[str, Any], policy: Any) -> Path:
    """The small scenario plus two cameras sending tasks, linked only as ``link`` says (an island maybe)."""
    document = small_document()
    document["nodes"]["cam"] = {"count": 2, "tier": "device", "processor": {"speed": "4 GFLOP/s"}}
    document["nodes"]["island"] = ISLAND
    document["links"].append(link)
    document["workload"].append({"app": "job", "sources": "cam-*", "rate": "1 /s"})
    document["policy"] = policy
    path = tmp_path / "two-cameras.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def _warned_by_validate_and_run(path: Path, warning: str, capsys: Any) -> None:
    """``validate`` and ``run`` both go on (exit 0) after the one warning line ``FILE: warning``."""
    line = f"offloadsim: warning: {path}: {warning} [policy-reach]"
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err.splitlines() == [line]
    assert main(["run", str(path), "--out", str(path.parent / "out"), "-q", "--set", "duration=2 s"]) == 0
    assert capsys.readouterr().err.splitlines() == [line]


def test_a_tier_some_sources_cannot_reach_is_a_loud_warning(tmp_path, capsys):
    """Cameras with a link to nothing but each other: "policy edge" ran their tasks on the cameras."""
    path = _two_cameras(tmp_path, {"between": ["cam-0", "cam-1"], "bandwidth": "1 Gbps"}, "edge")
    _warned_by_validate_and_run(
        path,
        'policy: policy "edge": 2 of 5 task sources cannot reach a node of tier edge ("cam-0", "cam-1"); '
        "their tasks cannot be sent there",
        capsys,
    )


@pytest.mark.parametrize("policy", ["neurosurgeon", "dads", "multi-tier"])
def test_a_split_some_sources_cannot_reach_a_server_for_is_a_loud_warning(tmp_path, capsys, policy):
    path = _two_cameras(tmp_path, {"between": ["cam-0", "cam-1"], "bandwidth": "1 Gbps"}, policy)
    _warned_by_validate_and_run(
        path,
        f'policy: policy "{policy}": 2 of 5 task sources cannot reach a node of tier edge or cloud '
        '("cam-0", "cam-1"); their tasks cannot be sent there',
        capsys,
    )


CLOUD = {"tier": "cloud", "processor": {"speed": "100 GFLOP/s"}}


def test_multi_tier_with_the_cloud_out_of_every_sources_reach_is_a_loud_warning(tmp_path, capsys):
    """A cloud node left without a link: multi-tier split every task over the device and edge, unsaid."""
    document = small_document()
    document["nodes"]["cloud"] = CLOUD
    document["policy"] = "multi-tier"
    path = tmp_path / "no-cloud-link.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    _warned_by_validate_and_run(
        path,
        'policy: policy "multi-tier": no task source can reach a node of tier cloud ("phone-0", "phone-1", '
        '"phone-2" have no route to "cloud"): the tier drops out of every plan',
        capsys,
    )
    document["links"].append({"between": ["edge", "cloud"], "bandwidth": "1 Gbps"})
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err == ""
    del document["nodes"]["cloud"], document["links"][-1]  # no cloud at all: nothing left out of reach
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err == ""


def test_multi_tier_with_the_cloud_out_of_some_sources_reach_is_a_loud_warning(tmp_path, capsys):
    """Cameras reaching an edge node of their own, not the cloud behind the phones' edge."""
    path = _two_cameras(tmp_path, {"between": ["cam-*", "island"], "bandwidth": "1 Gbps"}, "multi-tier")
    document = yaml.safe_load(path.read_text())
    document["nodes"]["cloud"] = CLOUD
    document["links"].append({"between": ["edge", "cloud"], "bandwidth": "1 Gbps"})
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    _warned_by_validate_and_run(
        path,
        'policy: policy "multi-tier": 2 of 5 task sources cannot reach a node of tier cloud ("cam-0", '
        '"cam-1" have no route to "cloud"): the tier drops out of their plans',
        capsys,
    )
    with pytest.warns(ScenarioWarning, match="the tier drops out of their plans"):
        api.check_policy(api.load(path).policy, api.load(path))
    with warnings.catch_warnings():  # a policy that offloads to one tier only has nothing to say
        warnings.simplefilter("error")
        api.check_policy(api.load(path, ["policy=neurosurgeon"]).policy, api.load(path))


def test_a_split_with_a_named_server_checks_that_node_not_the_tiers(tmp_path, capsys):
    policy = {"name": "neurosurgeon", "server": "edge"}
    path = _two_cameras(tmp_path, {"between": ["cam-0", "cam-1"], "bandwidth": "1 Gbps"}, policy)
    _warned_by_validate_and_run(
        path,
        'policy.server: policy "neurosurgeon": 2 of 5 task sources cannot reach "edge" ("cam-0", "cam-1"); '
        "their tasks cannot be sent there",
        capsys,
    )


def test_a_node_some_sources_cannot_reach_is_a_loud_warning(tmp_path, capsys):
    path = _two_cameras(
        tmp_path, {"between": ["cam-*", "island"], "bandwidth": "1 Gbps"}, {"name": "fixed", "node": "edge"}
    )
    _warned_by_validate_and_run(
        path,
        'policy.node: policy "fixed": 2 of 5 task sources cannot reach "edge" ("cam-0", "cam-1"); '
        "their tasks cannot be sent there",
        capsys,
    )
    with pytest.warns(ScenarioWarning, match='2 of 5 task sources cannot reach "edge"'):
        api.run(path, overrides=["duration=2 s"])


def test_compare_and_sweep_check_every_policy_before_any_job(tmp_path, capsys):
    path = _write(tmp_path, {"nodes.phone.processor": DELETE, "policy": "edge"})
    out = tmp_path / "cmp"
    assert main(["compare", str(path), "--policies", "edge,local", "-n", "1", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    # Said at the argument that chose "local", not at the file's policy key, which says "edge".
    assert err.startswith(f'offloadsim: error: {path}: --policies local: policy "local" runs every task')
    assert not out.exists()
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(
        yaml.safe_dump(
            {"base": "scenario.yaml", "grid": {"policy.node": ["edge", "edgee"]}, "policies": ["fixed"]}
        ),
        encoding="utf-8",
    )
    assert main(["sweep", str(sweep), "--out", str(tmp_path / "sw"), "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert (
        '"edgee" is not a node of this scenario (did you mean "edge"?)' in err and len(err.splitlines()) == 1
    )
    assert not (tmp_path / "sw" / "points").exists()


@dataclass
class _Relay:
    """A plug-in: run everything on one named node, if the system has the tier it wants."""

    via: ComputingNode
    prefer: Tier = "edge"

    def requirements(self) -> tuple[Requirement, ...]:
        return (Requirement.computing_tier((self.prefer,), "prefers that tier", "prefer"),)

    def decide(self, task, view):
        return Plan.run_on(self.via)


@pytest.fixture
def relay_policy():
    register_policy("test-relay")(_Relay)
    yield "test-relay"
    unregister_policy("test-relay")


@pytest.mark.parametrize(
    ("params", "key_path", "expected"),
    [
        (
            {"via": "egde"},
            "policy.via",
            'policy "test-relay": "egde" is not a node of this scenario (did you mean',
        ),
        ({"via": "edge", "prefer": "clod"}, "policy.prefer", 'unknown tier "clod" (did you mean "cloud"?)'),
        ({"via": "edge", "prefer": "cloud"}, "policy.prefer", "prefers that tier, but no node of tier cloud"),
    ],
)
def test_plug_ins_declare_kinds_and_requirements_and_get_the_same_checks(
    relay_policy, params, key_path, expected, tmp_path
):
    path = _write(tmp_path, {"policy": {"name": relay_policy, **params}})
    scenario = load_scenario(path)
    with pytest.raises(ScenarioError) as caught:
        api.check_policy(scenario.policy, scenario)
    (problem,) = caught.value.problems
    assert (problem.file, problem.key_path) == (str(path), key_path)
    assert expected in problem.message


def test_plug_in_listing_shows_the_kinds(relay_policy, capsys):
    assert main(["policies"]) == 0
    out = capsys.readouterr().out
    assert "via: computing node (required)" in out and 'prefer: tier (default "edge")' in out


def test_a_valid_plug_in_configuration_passes(relay_policy, tmp_path):
    path = _write(tmp_path, {"policy": {"name": relay_policy, "via": "edge"}})
    scenario = load_scenario(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        api.check_policy(scenario.policy, scenario)
