"""A swept (or ``--set``) link that carried no bytes is said under the table, with the points it was idle at.

A new user's sweep zipped the direct edge-to-edge links' bandwidth and latency (10 Gbps/0.1 ms ...
10 Mbps/10 ms) under a three-station pipeline: routes take the lowest latency, so once the direct
links' latency passed the 2 ms through the access point the cut tensors went round them, and the
slowest link read the fastest time to first token, with nothing said.  The note's points are
checked against each point's own run (its links table), not against a list written here.
"""

from __future__ import annotations

import json

import pytest

from offloadsim import api
from offloadsim.analysis.idle_links import changed_entries, entry_bytes
from offloadsim.cli import main
from offloadsim.experiments.sweep import sweep
from offloadsim.experiments.sweep_spec import sweep_from_data
from offloadsim.scenario import ScenarioWarning

PIPELINE = "fixed(nodes=[edge-0, edge-1, edge-2], cuts=[12, 23])"
SCENARIO = """
name: pipeline
seed: 3
duration: 60 s
warmup: 5 s
nodes:
  phone: {count: 3, tier: device, processor: {profile: cortex-a76, cores: 1}}
  ap: {tier: network}
  edge: {count: 3, tier: edge, processor: {profile: jetson-orin, cores: 1}}
links:
  - {between: [phone-*, ap], bandwidth: 50 Mbps, latency: 5 ms}
  - {between: [ap, edge-*], bandwidth: 1 Gbps, latency: 1 ms}
  - {between: [edge-0, edge-1], bandwidth: 10 Gbps, latency: 0.1 ms}
  - {between: [edge-1, edge-2], bandwidth: 10 Gbps, latency: 0.1 ms}
applications:
  chat:
    model: llama-3.1-8b
    prompt_tokens: {uniform: [32, 128]}
    output_tokens: {uniform: [4, 8]}
    hosts: [edge-*]
workload:
  - {app: chat, sources: phone-*, arrivals: poisson, rate: 0.1 /s}
policy: local
"""
BANDWIDTHS = ["10 Gbps", "1 Gbps", "100 Mbps", "10 Mbps"]
LATENCIES = ["0.1 ms", "1 ms", "5 ms", "10 ms"]


def _idle_notes(notes) -> list[str]:
    return [note for note in notes if "carried no bytes" in note]


@pytest.fixture
def scenario_file(tmp_path):
    path = tmp_path / "pipeline.yaml"
    path.write_text(SCENARIO)
    return path


def _sweep(tmp_path, scenario_file, policies):
    data = {
        "base": str(scenario_file),
        "zip": {
            "links[2].bandwidth": BANDWIDTHS,
            "links[2].latency": LATENCIES,
            "links[3].bandwidth": BANDWIDTHS,
            "links[3].latency": LATENCIES,
        },
        "policies": policies,
        "replications": 2,
    }
    return sweep(sweep_from_data(data, str(tmp_path / "s.yaml")), out=tmp_path / "out", workers=1)


def _idle_in_own_run(scenario_file, bandwidth, latency) -> bool:
    """Whether links[2] carried nothing when the point is run on its own (its links table)."""
    sets = [
        f"links[{i}].{key}={value}"
        for i in (2, 3)
        for key, value in (("bandwidth", bandwidth), ("latency", latency))
    ]
    result = api.run(scenario_file, policy=PIPELINE.split("(")[0], overrides=sets, policy_params=_params())
    between = result.links[
        result.links["a"].isin(["edge-0", "edge-1"]) & result.links["b"].isin(["edge-0", "edge-1"])
    ]
    assert len(between) == 2  # both directions of the direct link
    assert result.links["bytes"].sum() > 0
    return float(between["bytes"].sum()) == 0.0


def _params() -> dict:
    return {"nodes": ["edge-0", "edge-1", "edge-2"], "cuts": [12, 23]}


def test_a_sweep_names_the_points_where_the_swept_links_carried_nothing(tmp_path, scenario_file):
    result = _sweep(tmp_path, scenario_file, [PIPELINE])
    (note,) = _idle_notes(result.notes)
    assert note in result.manifest["notes"]
    assert note.startswith(
        "links[2] (edge-0 <-> edge-1) and links[3] (edge-1 <-> edge-2), which the sweep varies"
    )
    assert "routes take the lowest latency" in note and "docs/scenario-format.md#routing" in note
    idle = [_idle_in_own_run(scenario_file, b, lat) for b, lat in zip(BANDWIDTHS, LATENCIES, strict=True)]
    assert any(idle) and not all(idle)  # the scenario is one where the route moves
    assert f"at {sum(idle)} of the 4 points" in note
    for bandwidth, latency, was_idle in zip(BANDWIDTHS, LATENCIES, idle, strict=True):
        assert (f"links[2].bandwidth={bandwidth}, links[2].latency={latency}," in note) == was_idle


def test_points_of_a_policy_that_moves_no_data_are_not_said(tmp_path, scenario_file):
    """``local`` sends nothing anywhere: its points' idle links say nothing of routes."""
    with pytest.warns(ScenarioWarning, match='every request of "chat" will be dropped'):  # only edges host it
        result = _sweep(tmp_path, scenario_file, ["local", PIPELINE])
    (note,) = _idle_notes(result.notes)
    assert "at 2 of the 8 points" in note and "policy.name=local" not in note
    assert note.count("policy.name=fixed") == 2


def test_a_sweep_whose_swept_link_always_carries_bytes_says_nothing(tmp_path, scenario_file):
    data = {
        "base": str(scenario_file),
        "grid": {"links[2].bandwidth": ["1 Gbps", "10 Gbps"]},
        "policies": [PIPELINE],
    }
    result = sweep(sweep_from_data(data, str(tmp_path / "s.yaml")), out=tmp_path / "out", workers=1)
    assert _idle_notes(result.notes) == []
    assert all(row["bytes"][2] > 0 for row in result.manifest["link_bytes"])


def test_a_job_file_of_an_older_offloadsim_without_link_bytes_is_merged_without_the_note(
    tmp_path, scenario_file
):
    from offloadsim.experiments.storage import read_job_file, write_job_file

    _sweep(tmp_path, scenario_file, [PIPELINE])
    for file in (tmp_path / "out" / "points").glob("*.parquet"):  # as written before the key was
        tasks, meta = read_job_file(file)
        del meta["link_bytes"]
        write_job_file(file, tasks, meta)
    again = _sweep(tmp_path, scenario_file, [PIPELINE])
    assert again.ran == 0 and _idle_notes(again.notes) == []
    assert again.manifest["link_bytes"] == []


def test_compare_says_a_link_set_by_set_that_carried_nothing(tmp_path, scenario_file, capsys):
    out = tmp_path / "cmp"
    args = ["compare", str(scenario_file), "--policies", f"local,{PIPELINE}", "-n", "1", "--workers", "1"]
    assert main([*args, "--set", "links[2].latency=10 ms", "--out", str(out), "-q"]) == 0
    (note,) = _idle_notes(json.loads((out / "manifest.json").read_text())["notes"])
    assert note.startswith(
        'links[2] (edge-0 <-> edge-1, set by --set "links[2].latency=10 ms"), carried no bytes'
    )
    assert "under 1 of the 2 policies" in note and "policy=local" not in note
    assert main([*args, "--set", "links[2].latency=0.5 ms", "--out", str(tmp_path / "fast"), "-q"]) == 0
    assert _idle_notes(json.loads((tmp_path / "fast" / "manifest.json").read_text())["notes"]) == []


def test_a_run_says_a_link_its_set_changed_that_carried_nothing(tmp_path, scenario_file, capsys):
    """`run --set` on a link its traffic went round said nothing, where compare and sweep said so."""
    import pandas as pd

    out = tmp_path / "run"
    args = ["run", str(scenario_file), "--policy", PIPELINE, "--out", str(out)]
    assert main([*args, "--set", "links[2].latency=10 ms"]) == 0
    (note,) = _idle_notes(json.loads((out / "manifest.json").read_text())["notes"])
    assert note.startswith(
        'links[2] (edge-0 <-> edge-1, set by --set "links[2].latency=10 ms"), carried no bytes '
        "while other links carried the run's traffic: routes take the lowest latency"
    )
    assert f"note: {note}" in capsys.readouterr().out.splitlines()
    # the run's own links table: nothing between edge-0 and edge-1, bytes elsewhere
    links = pd.read_parquet(out / "links.parquet")
    direct = [{a, b} == {"edge-0", "edge-1"} for a, b in zip(links["a"], links["b"], strict=True)]
    assert any(direct) and links["bytes"][direct].sum() == 0 < links["bytes"].sum()
    # the link carrying the traffic, a run with no traffic, a link no --set changed: nothing said
    for given, policy in (("links[2].latency=0.5 ms", PIPELINE), ("links[2].latency=10 ms", "local")):
        assert (
            main(
                [
                    "run",
                    str(scenario_file),
                    "--policy",
                    policy,
                    "--set",
                    given,
                    "--overwrite",
                    "--out",
                    str(out),
                    "-q",
                ]
            )
            == 0
        )
        assert _idle_notes(json.loads((out / "manifest.json").read_text())["notes"]) == []
    assert (
        main(
            [
                "run",
                str(scenario_file),
                "--policy",
                PIPELINE,
                "--set",
                "links[0].latency=4 ms",
                "--overwrite",
                "--out",
                str(out),
                "-q",
            ]
        )
        == 0
    )
    assert _idle_notes(json.loads((out / "manifest.json").read_text())["notes"]) == []


def test_entry_bytes_adds_both_directions_of_every_pair_an_entry_links(scenario_file):
    result = api.run(scenario_file, policy="fixed", policy_params=_params())
    links = result.links
    carried = entry_bytes(api.load(scenario_file), links)
    assert len(carried) == 4
    edge = links["a"].str.startswith("edge")
    edge_to_ap = (links["a"].eq("ap") & links["b"].str.startswith("edge")) | (links["b"].eq("ap") & edge)
    assert carried[1] == pytest.approx(float(links.loc[edge_to_ap, "bytes"].sum())) and carried[1] > 0
    assert sum(carried) == pytest.approx(float(links["bytes"].sum()))


def test_changed_entries_reads_negative_indexes_and_ignores_other_keys():
    document = {"links": [{"between": ["a", "b"]}, {"between": ["b", "c"]}]}
    assert changed_entries(["links[-1].latency", "links[0]", "duration", "links[7].x"], document) == {
        0: "links[0] (a <-> b)",
        1: "links[1] (b <-> c)",
    }
