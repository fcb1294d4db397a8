"""Key paths and ``--set`` overrides."""

from __future__ import annotations

import copy

import pytest
import yaml
from scenario_testkit import small_document

from offloadsim.cli import main
from offloadsim.engine import EngineError
from offloadsim.scenario import (
    PathError,
    ScenarioError,
    apply_overrides,
    get_path,
    load_scenario,
    parse_path,
    set_path,
)


@pytest.mark.parametrize(
    ("path", "parts"),
    [
        ("seed", ("seed",)),
        ("links[0].bandwidth", ("links", 0, "bandwidth")),
        ("workload[-1].rate", ("workload", -1, "rate")),
        ("nodes.phone.count", ("nodes", "phone", "count")),
        ('applications.job.params["a.b"]', ("applications", "job", "params", "a.b")),
        ("policy.name", ("policy", "name")),
    ],
)
def test_parse_path(path: str, parts: tuple):
    assert parse_path(path) == parts


@pytest.mark.parametrize("path", ["", ".seed", "a..b", "links[x]", "links[0]bandwidth", "a[0", "a]"])
def test_malformed_paths(path: str):
    with pytest.raises(PathError):
        parse_path(path)


def test_get_path():
    document = small_document()
    assert get_path(document, "links[1].bandwidth") == "1 Gbps"
    assert get_path(document, "nodes.phone.count") == 3
    assert get_path(document, "links[-1].between") == ["ap", "edge"]
    with pytest.raises(PathError, match=r'^nodes\.tablet: no key "tablet" in nodes$'):
        get_path(document, "nodes.tablet.count")
    with pytest.raises(PathError, match=r"links\[2\]: no entry \[2\]: links has 2 entries"):
        get_path(document, "links[2].bandwidth")


def test_a_count_of_one_is_said_in_the_singular():
    """A list of one entry read "links has 1 entries"; every message that counts reads ``counted``."""
    document = small_document()
    document["links"] = document["links"][:1]
    with pytest.raises(PathError, match=r"no entry \[1\]: links has 1 entry$"):
        get_path(document, "links[1].bandwidth")
    from offloadsim.policies import PolicyParamError, make_policy
    from offloadsim.scenario.distributions import Dist

    with pytest.raises(PolicyParamError, match=r"one fewer than nodes \(0 for 1 node\), got \[4\]"):
        make_policy("fixed", {"nodes": ["a"], "cuts": [4]})
    assert Dist("empirical", (0.5,)).describe() == "empirical(1 value)"


def test_set_path_creates_missing_mappings_but_not_list_entries():
    document = small_document()
    set_path(document, "nodes.edge.power.idle", "20 W")
    assert document["nodes"]["edge"]["power"] == {"idle": "20 W"}
    set_path(document, "links[0]", {"between": ["a", "b"], "bandwidth": 1})
    assert document["links"][0]["between"] == ["a", "b"]
    with pytest.raises(PathError, match="no entry"):
        set_path(document, "workload[3].rate", 1)
    with pytest.raises(PathError, match=r"^name\.first: name is \"small\", not a mapping$"):
        set_path(document, "name.first", "x")
    with pytest.raises(PathError, match=r"nodes is a mapping; use \.KEY"):
        set_path(document, "nodes[0]", "x")
    with pytest.raises(PathError, match=r"links is a list; use \[INDEX\]"):
        set_path(document, "links.bandwidth", "x")


def test_set_path_names_a_missing_list_as_missing_not_as_a_mapping():
    # "link[0]" for "links[0]": the key is missing, so it must not be made a mapping and then
    # be refused as one ("link is a mapping; use .KEY" blamed the user for a mapping never written).
    document = small_document()
    missing = r'^link: no list "link" in the top level to take \[0\] \(did you mean "links"\?\)$'
    with pytest.raises(PathError, match=missing):
        set_path(document, "link[0].bandwidth", "5 Mbps")
    misspelt = r'^nodes\.phone\.procesors: no list "procesors" in nodes\.phone to take \[1\]'
    with pytest.raises(PathError, match=misspelt):
        set_path(document, "nodes.phone.procesors[1]", "x")
    assert "link" not in document and "procesors" not in document["nodes"]["phone"]


def test_cli_names_a_misspelt_list_key(capsys, tiny_scenario):
    code = main(["validate", str(tiny_scenario), "--set", "link[0].bandwidth=5 Mbps"])
    err = capsys.readouterr().err
    assert code == 2
    assert err == (
        f'offloadsim: error: {tiny_scenario}: link: cannot --set "link[0].bandwidth=5 Mbps": '
        'no list "link" in the top level to take [0] (did you mean "links"?)\n'
    )


@pytest.mark.parametrize(
    ("assignment", "key_path", "named"),
    [
        # A complete application of its own: it ran, unused, and the one meant kept its work.
        (
            "applications.jobb.work=3 GFLOP",
            "applications.jobb",
            'no application "jobb" (did you mean "job"?)',
        ),
        # A complete node of its own, linked to nothing: it ran, and "edge" kept its one core.
        ("nodes.edg.tier=edge", "nodes.edg", 'no node "edg" (did you mean "edge"?)'),
        ("nodes.edg.processor.cores=4", "nodes.edg", 'no node "edg" (did you mean "edge"?)'),
    ],
)
def test_a_set_into_a_node_or_application_the_scenario_lacks_is_refused(
    assignment, key_path, named, capsys, tiny_scenario
):
    code = main(["validate", str(tiny_scenario), "--set", assignment])
    err = capsys.readouterr().err
    assert code == 2
    assert err == (
        f'offloadsim: error: {tiny_scenario}: {key_path}: cannot --set "{assignment}": the scenario has '
        f"{named}; to add one, give it whole: {key_path}={{...}}\n"
    )


def test_a_node_or_application_given_whole_by_a_set_is_added(tiny_scenario):
    scenario = load_scenario(
        tiny_scenario,
        overrides=[
            "applications.other={work: 3 GFLOP}",
            "applications.other.deadline=1 s",
            "nodes.cloud={tier: cloud, processor: {speed: 1 TFLOP/s}}",
            "nodes.cloud.processor.cores=2",
        ],
    )
    assert scenario.applications["other"].deadline_s == 1.0
    assert [node.processor.cores for node in scenario.nodes if node.name == "cloud"] == [2]


def test_apply_overrides_is_pure_and_reads_yaml_values():
    document = small_document()
    before = copy.deepcopy(document)
    result = apply_overrides(
        document,
        [
            "links[0].bandwidth=5 Mbps",
            "workload[0].rate = 3 /s",
            "nodes.phone.count=7",
            "links[1].between=[ap, phone-0]",
            "applications.job.work={exponential: {mean: 1 GFLOP}}",
            "description=a=b",
            "seed=1e3",
        ],
    )
    assert document == before
    assert result["links"][0]["bandwidth"] == "5 Mbps"
    assert result["workload"][0]["rate"] == "3 /s"
    assert result["nodes"]["phone"]["count"] == 7
    assert result["links"][1]["between"] == ["ap", "phone-0"]
    assert result["applications"]["job"]["work"] == {"exponential": {"mean": "1 GFLOP"}}
    assert result["description"] == "a=b"
    assert result["seed"] == 1000.0


def test_policy_name_override_works_on_a_policy_given_as_a_name():
    assert apply_overrides({"policy": "local"}, ["policy.name=edge"]) == {"policy": {"name": "edge"}}
    assert apply_overrides({}, ["policy.name=edge"]) == {"policy": {"name": "edge"}}
    assert apply_overrides({"policy": "local"}, ["policy=edge"]) == {"policy": "edge"}


def test_policy_name_override_to_another_policy_drops_the_old_parameters():
    # docs/scenario-format.md: --set policy.name=edge on the quickstart (neurosurgeon, objective: latency)
    neurosurgeon = {"policy": {"name": "neurosurgeon", "objective": "latency"}}
    assert apply_overrides(neurosurgeon, ["policy.name=edge"]) == {"policy": {"name": "edge"}}
    # the same policy keeps its parameters; the new policy's parameters may follow the switch
    assert apply_overrides(neurosurgeon, ["policy.name=neurosurgeon"]) == neurosurgeon
    switched = apply_overrides(neurosurgeon, ["policy.name=fixed", "policy.node=edge"])
    assert switched == {"policy": {"name": "fixed", "node": "edge"}}
    # a parameter set before the switch belonged to the old policy and goes with it
    dropped = apply_overrides(neurosurgeon, ["policy.node=edge", "policy.name=fixed"])
    assert dropped == {"policy": {"name": "fixed"}}


def test_override_errors_are_collected_and_name_the_file_and_path():
    with pytest.raises(ScenarioError) as caught:
        apply_overrides(small_document(), ["links[9].latency=1 ms", "nope", "duration.x=1"], source="q.yaml")
    assert str(caught.value).splitlines() == [
        'q.yaml: links[9]: cannot --set "links[9].latency=1 ms": no entry [9]: links has 2 entries',
        'q.yaml: cannot --set "nope": expected KEY.PATH=VALUE, got "nope"',
        'q.yaml: duration.x: cannot --set "duration.x=1": duration is "30 s", not a mapping',
    ]


@pytest.mark.parametrize(
    ("assignment", "key_path", "expected"),
    [
        ("links[0].bandwidth=-5 Mbps", "links[0].bandwidth", 'expected a positive bandwidth like "20 Mbps"'),
        ("duration=-1 s", "duration", 'expected a positive time like "5 ms", got "-1 s"'),
        ("nodes.phone.count=0", "nodes.phone.count", "expected a value at least 1, got 0"),
        ("nodes.phone={count: 0, tier: device}", "nodes.phone.count", "expected a value at least 1"),
        ("nodes.phone.bogus=1", "nodes.phone", 'unknown key "bogus"'),
        ("policy.node=edgy", "policy.node", '"edgy" is not a node of this scenario'),
        # Found when the world is built, not when the file is read.
        ("nodes.edge.processor.profile=nope", "nodes.edge.processor.profile", 'unknown profile "nope"'),
        # The file's rate, made another process's key by the arrivals the --set chose: was not named.
        ("workload[0].arrivals=periodic", "workload[0].rate", '"rate" is a key of arrivals: poisson'),
    ],
    ids=["bandwidth", "duration", "count", "mapping", "unknown-key", "policy", "world", "arrivals"],
)
@pytest.mark.parametrize("verb", ["validate", "run"])
def test_a_value_a_set_gave_is_blamed_on_the_set(verb, assignment, key_path, expected, tmp_path, capsys):
    """The file's key path stays (it is where the value lives), and the --set that gave it is named."""

    document = small_document()
    document["policy"] = {"name": "fixed", "node": "edge"}
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    out = tmp_path / "out"
    argv = [verb, str(path), "--set", assignment] + (["--out", str(out)] if verb == "run" else [])
    assert main(argv) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"offloadsim: error: {path}: {key_path}: "), line
    assert expected in line and line.endswith(f' (set by --set "{assignment}")'), line
    assert not out.exists()


def test_a_key_the_arrivals_a_set_chose_need_is_blamed_on_that_set(tmp_path, capsys):
    """``arrivals: closed needs "users"`` named no --set, though ``arrivals=closed`` made it needed."""
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(small_document()), encoding="utf-8")
    sets = ["--set", "workload[0].arrivals=closed", "--set", "workload[0].rate=null"]
    assert main(["validate", str(path), *sets]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f'offloadsim: error: {path}: workload[0]: arrivals: closed needs "users"'), line
    assert line.endswith(' (set by --set "workload[0].arrivals=closed")'), line


def _python_entry(name: str):
    """A Python entry point that loads a scenario file with ``overrides``, by name."""
    import offloadsim
    import offloadsim.api
    from offloadsim.experiments import compare

    return {
        "load": lambda path, overrides: offloadsim.api.load(path, overrides),
        "run": lambda path, overrides: offloadsim.run(path, overrides=overrides),
        "compare": lambda path, overrides: compare(path, ["edge"], 1, workers=1, overrides=overrides),
    }[name]


@pytest.mark.parametrize(
    ("entry", "assignment", "key_path"),
    [
        ("load", "duration=-1 s", "duration"),
        ("load", "nodes.phone.bogus=1", "nodes.phone"),
        ("run", "duration=-1 s", "duration"),
        ("run", "nodes.edge.processor.profile=nope", "nodes.edge.processor.profile"),  # the world's
        ("compare", "links[0].bandwidth=-5 Mbps", "links[0].bandwidth"),
    ],
)
def test_a_value_python_overrides_gave_is_blamed_on_the_argument_not_on_a_set(
    entry, assignment, key_path, tmp_path, capsys
):
    """From Python the user wrote ``overrides=[...]``, not ``--set``: the message names what they wrote."""
    document = small_document()
    document["policy"] = {"name": "fixed", "node": "edge"}
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    with pytest.raises((ScenarioError, EngineError)) as caught:  # the engine: what the world refuses
        _python_entry(entry)(path, [assignment])
    (line,) = str(caught.value).splitlines()
    assert line.startswith(f"{path}: {key_path}: "), line
    assert line.endswith(f' (set by overrides="{assignment}")'), line
    assert "--set" not in line
    # The command line, reaching the same loader, still names the option its user typed.
    assert main(["validate", str(path), "--set", assignment]) == 2
    assert capsys.readouterr().err.rstrip().endswith(f' (set by --set "{assignment}")')


def test_an_override_python_cannot_apply_is_named_as_the_argument(tmp_path, capsys):
    import offloadsim.api

    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(small_document()), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        offloadsim.api.load(path, ["duration.x=1"])
    assert str(caught.value) == (
        f'{path}: duration.x: cannot apply overrides="duration.x=1": duration is "30 s", not a mapping'
    )
    assert main(["validate", str(path), "--set", "duration.x=1"]) == 2
    assert 'cannot --set "duration.x=1": duration is' in capsys.readouterr().err


def test_a_problem_the_set_did_not_cause_is_not_blamed_on_it(tmp_path):
    document = small_document()
    document["links"][0]["bandwidth"] = "-5 Mbps"
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, ["links[1].bandwidth=2 Gbps", "duration=5 s"])
    (problem,) = caught.value.problems
    assert problem.key_path == "links[0].bandwidth" and "--set" not in problem.message


def test_a_set_whose_key_path_is_a_number_is_quoted_as_written(tmp_path, capsys):
    """``--set 1.5=3`` is key "5" of key "1": the message about "1" names the path the user wrote."""
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(small_document()), encoding="utf-8")
    assert main(["validate", str(path), "--set", "1.5=3"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f'offloadsim: error: {path}: unknown key "1" (of the key path "1.5"); expected')
    assert line.endswith('(set by --set "1.5=3")'), line


@pytest.mark.parametrize(("given_as", "said"), [("--set ", "--set "), ("overrides=", "overrides=")])
def test_one_key_given_twice_with_two_values_is_refused_naming_both(given_as, said):
    """The last of two overrides of one key won without a word; the paths compare parsed."""
    with pytest.raises(ScenarioError) as caught:
        apply_overrides({"duration": "1 s"}, ["duration=2s", "duration=3s"], "s.yaml", given_as)
    assert str(caught.value) == (
        f's.yaml: duration: given twice ({said}"duration=2s", then {said}"duration=3s"); give it once'
    )
    with pytest.raises(ScenarioError, match=r"^s\.yaml: nodes\.phone\.count: given twice "):
        apply_overrides({}, ['nodes["phone"].count=3', "nodes.phone.count=4"], "s.yaml")
    with pytest.raises(ScenarioError, match="given twice"):  # YAML's true is not 1
        apply_overrides({}, ["x=true", "x=1"], "s.yaml")


def test_a_negative_index_and_the_index_it_counts_to_are_one_key():
    """``links[-1]`` of three links is ``links[2]``: two values given to it were applied, the last kept."""
    doc = {"links": [{"bandwidth": "1 Mbps"}, {"bandwidth": "2 Mbps"}, {"bandwidth": "3 Mbps"}]}
    for sets, key in (
        (["links[-1].bandwidth=5 Mbps", "links[2].bandwidth=6 Mbps"], "links[2].bandwidth"),
        (["links[2].bandwidth=5 Mbps", "links[-1].bandwidth=6 Mbps"], "links[2].bandwidth"),
        (["links[-3].bandwidth=5 Mbps", "links[0].bandwidth=6 Mbps"], "links[0].bandwidth"),
    ):
        with pytest.raises(ScenarioError) as caught:
            apply_overrides(doc, sets, "s.yaml")
        shown = f'--set "{sets[0]}", then --set "{sets[1]}"'
        assert str(caught.value) == f"s.yaml: {key}: given twice ({shown}); give it once"
    with pytest.raises(ScenarioError, match=r"^s\.yaml: links\[1\]: given twice "):  # the whole entry too
        apply_overrides(doc, ["links[1]={bandwidth: 7 Mbps}", "links[-2]={bandwidth: 8 Mbps}"], "s.yaml")


def test_a_negative_index_counts_from_the_end_of_the_list_as_it_is_when_applied():
    """An earlier override that makes the list longer moves ``[-1]``: then it is another key."""
    doc = {"links": [{"bandwidth": "1 Mbps"}, {"bandwidth": "2 Mbps"}]}
    sets = ["links[-1].bandwidth=5 Mbps", "links=[{}, {}, {}]", "links[-1].bandwidth=6 Mbps"]
    with pytest.raises(ScenarioError, match=r"links\[1\]\.bandwidth: given twice"):
        apply_overrides(doc, sets[:1] + sets[2:], "s.yaml")  # without the longer list: one key
    assert apply_overrides(doc, sets)["links"] == [{}, {}, {"bandwidth": "6 Mbps"}]
    same = ["links[-1].bandwidth=5 Mbps", "links[1].bandwidth=5 Mbps"]  # one value twice: harmless
    assert apply_overrides(doc, same)["links"][1] == {"bandwidth": "5 Mbps"}


@pytest.mark.parametrize(
    "sets",
    [
        ["duration=2 s", "duration=2000 ms"],
        ["duration=2", "duration=2 s"],  # a plain number of a time is in seconds
        ["links[0].bandwidth=8 Mbps", "links[-1].bandwidth=1 MB/s"],
        ["applications.job.work=1 GFLOP", "applications.job.work=1000 MFLOP"],  # a distribution's one value
        ["workload[0].rate=5 /s", "workload[0].rate=300 /min"],
    ],
)
def test_two_spellings_of_one_quantity_are_one_value(sets):
    """`--set "duration=2 s" --set "duration=2000 ms"` was refused as two values: the scenario reads one."""
    doc = {"links": [{"bandwidth": "20 Mbps"}], "workload": [{"app": "job", "rate": "1 /s"}]}
    result = apply_overrides(doc, sets, "s.yaml")
    assert get_path(result, sets[1].partition("=")[0]) == yaml.safe_load(sets[1].partition("=")[2])


@pytest.mark.parametrize(
    "sets",
    [
        ["duration=2 s", "duration=3 s"],
        ['name="1 s"', 'name="1000 ms"'],  # a name, not a time: two names
        ["duration=2 s", "duration=2 GFLOP"],  # not a time: compared as written
        ["policy.timeout=1 s", "policy.timeout=1000 ms"],  # a policy's parameter: the schema cannot tell
    ],
)
def test_two_values_of_a_quantity_or_two_spellings_of_another_key_are_refused(sets):
    with pytest.raises(ScenarioError, match="given twice"):
        apply_overrides({"policy": {"name": "edge"}}, sets, "s.yaml")


def test_one_value_twice_and_overlapping_keys_are_applied_in_order():
    assert apply_overrides({}, ["duration=2 s", "duration= 2 s"]) == {"duration": "2 s"}
    doc = {"links": [{"between": ["a", "b"], "bandwidth": "20 Mbps"}]}
    result = apply_overrides(doc, ["links[0]={between: [a, c]}", "links[0].bandwidth=5 Mbps"])
    assert result["links"] == [{"between": ["a", "c"], "bandwidth": "5 Mbps"}]
    result = apply_overrides(doc, ["links[0].bandwidth=5 Mbps", "links[0]={between: [a, c]}"])
    assert result["links"] == [{"between": ["a", "c"]}]


def test_python_overrides_of_one_key_given_twice_are_refused(tiny_scenario):
    from offloadsim import api

    with pytest.raises(
        ScenarioError, match=r'given twice \(overrides="duration=2s", then overrides="duration=3s"\)'
    ):
        api.load(tiny_scenario, ["duration=2s", "duration=3s"])
    with pytest.raises(
        ScenarioError, match=r'given twice \(overrides="duration=2s", then overrides="duration=3s"\)'
    ):
        api.run(tiny_scenario, overrides=["duration=2s", "duration=3s"])
    assert api.load(tiny_scenario, ["duration=3s", "duration=3s"]).seed == 0


def test_python_seed_and_an_override_of_seed_with_two_values_are_refused(tiny_scenario):
    from offloadsim import api
    from offloadsim.errors import RunError

    expected = 'seed: given twice (seed=5, and 4 set by overrides="seed=4"); give it once'
    with pytest.raises(RunError) as caught:
        api.run(tiny_scenario, seed=5, overrides=["seed=4"])
    assert str(caught.value) == expected
    with pytest.raises(RunError) as caught:  # loaded first, then run: the scenario remembers the override
        api.run(api.load(tiny_scenario, ["seed=4"]), seed=5)
    assert str(caught.value) == expected
    assert api.run(tiny_scenario, seed=4, overrides=["seed=4"]).manifest["seed"] == 4


def test_python_an_override_of_the_files_policy_that_another_policy_would_drop_is_refused(tiny_scenario):
    """``policy="local", overrides=["policy.fallback=drop"]`` ran local without the value, without a word."""
    from offloadsim import api
    from offloadsim.errors import RunError

    with pytest.raises(RunError) as caught:
        api.run(tiny_scenario, policy="local", overrides=["policy.fallback=drop"])
    assert str(caught.value) == (
        'overrides="policy.fallback=drop" is a parameter of the file\'s policy "edge", which policy=local '
        "replaces, parameters and all: it would be dropped; to give it to local, pass it in policy_params"
    )
    kept = api.run(tiny_scenario, policy="edge", overrides=["policy.fallback=drop"])
    assert kept.manifest["policy"] == {"name": "edge", "params": {"fallback": "drop"}}
