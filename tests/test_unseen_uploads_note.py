"""``least-loaded`` without ``in_transit`` sees no task whose input is on its way: said before the run.

A capacity planner balancing 500 cameras over 4 edges with ``least-loaded(tiers=[edge])`` read
21.5 % of deadlines missed where ``in_transit: true`` missed none (each 50 KB frame 20 ms on its
way, 500 decisions a second: about 11 while one uploads, all seeing the same free core), and no
line said why; docs/policies.md ("What least-loaded sees") does.
"""

from __future__ import annotations

import pytest

from offloadsim.cli import main

SAID = "policy least-loaded decides about"

#: 40 cameras at 5 frames/s each, a 50 KB frame 20 ms on its way to one of two edges.
CAMERAS = """\
name: cameras
duration: 5 s
nodes:
  cam: {count: 40, tier: device}
  ap: {tier: network}
  edge: {count: 2, tier: edge, processor: {speed: 500 GFLOP/s}}
links:
  - {between: [cam-*, ap], bandwidth: 20 Mbps, latency: 2 ms}
  - {between: [ap, edge-*], bandwidth: 10 Gbps, latency: 0.5 ms}
applications:
  detect: {work: 3 GFLOP, input: 50 KB, output: 1 KB}
workload:
  - {app: detect, sources: cam-*, rate: 5 /s}
policy: {name: least-loaded, tiers: [edge]}
"""


def _notes(capsys, *argv: str, said: str = SAID) -> list[str]:
    assert main([*argv]) == 0
    captured = capsys.readouterr()
    return [line for line in (captured.out + captured.err).splitlines() if said in line]


def test_many_decisions_during_one_upload_are_said(tmp_path, capsys):
    scenario = tmp_path / "cameras.yaml"
    scenario.write_text(CAMERAS)
    (note,) = _notes(capsys, "validate", str(scenario))
    # 200 tasks/s in all, each input 50,000 B x 8 / 20 Mbit/s + 2.5 ms = 22.5 ms: 4.5 decided meanwhile.
    assert note == (
        "note: policy least-loaded decides about 4.5 tasks while one task's input is on its way "
        "(cam-0's 50 KB takes 22.5 ms to edge-0; 200 tasks/s in all), and counts none of them in a "
        "node's wait until its input arrives, so they may all go to the node that looks free "
        "(herding: docs/policies.md#what-least-loaded-sees); in_transit: true counts them"
    )
    assert _notes(capsys, "run", str(scenario), "--dry-run") == [note]


@pytest.mark.parametrize(
    "argv",
    [
        ["--policy", "least-loaded(tiers=[edge], in_transit=true)"],  # counts them
        ["--policy", "random(tiers=[edge])"],  # prices no wait
        ["--set", "workload[0].rate=0.5 /s"],  # 20 tasks/s: 0.45 decided during an upload
        ["--set", "nodes.edge.count=1"],  # one candidate: nowhere else to go
        ["--set", "applications.detect.input=0 B"],  # nothing uploads
    ],
)
def test_no_note_where_no_herding_can_come_of_it(argv, tmp_path, capsys):
    scenario = tmp_path / "cameras.yaml"
    scenario.write_text(CAMERAS)
    assert _notes(capsys, "validate", str(scenario), *argv) == []


def test_the_note_says_what_the_run_did(tmp_path):
    """Its claim on the records: the same tasks wait longer where the tasks on their way go unseen."""
    import offloadsim

    scenario = tmp_path / "cameras.yaml"
    scenario.write_text(CAMERAS)
    waits = {}
    for in_transit in (False, True):
        policy = f"least-loaded(tiers=[edge], in_transit={str(in_transit).lower()})"
        result = offloadsim.run(str(scenario), policy=policy, overrides=["duration=10 s"])
        assert any(SAID in note for note in result.manifest["notes"]) is not in_transit
        waits[in_transit] = result.tasks["wait"].mean()
    # 2,000 tasks each at 60 % offered: 20 s of it waited 7.5 ms unseen and 2.6 ms counted.
    assert waits[False] > 2 * waits[True]


#: CAMERAS' 40 cameras balanced by by-group's least-loaded, beside 40 phones of another group kept local.
GROUPED = CAMERAS.replace(
    "  ap: {tier: network}\n",
    "  ap: {tier: network}\n  phone: {count: 40, tier: device, processor: {speed: 10 GFLOP/s}}\n",
).replace(
    "policy: {name: least-loaded, tiers: [edge]}\n",
    "  - {app: detect, sources: phone-*, rate: 5 /s}\n"
    "policy: {name: by-group, groups: {cam: {name: least-loaded, tiers: [edge]}}, default: local}\n",
)


def test_a_by_group_policys_least_loaded_is_noted_for_its_groups_decisions_alone(tmp_path, capsys):
    """The note skipped least-loaded inside ``by-group``: the cameras herded all the same, unsaid."""
    scenario = tmp_path / "grouped.yaml"
    scenario.write_text(GROUPED)
    (note,) = _notes(capsys, "validate", str(scenario), said="decides about")
    # The cameras' 200 tasks/s, not the phones' (local decides those): 4.5 decided during an upload.
    assert note.startswith(
        'note: policy least-loaded (of group "cam") decides about 4.5 tasks while one task\'s input is '
        "on its way (cam-0's 50 KB takes 22.5 ms to edge-0; 200 tasks/s in all)"
    ), note
    counted = GROUPED.replace("tiers: [edge]}}", "tiers: [edge], in_transit: true}}")
    scenario.write_text(counted)
    assert _notes(capsys, "validate", str(scenario), said="decides about") == []


#: Two groups of 20 cameras at 2 frames/s sending to the same two edges, each balanced by its own
#: least-loaded: 40 tasks/s a group, 0.9 decided during one 22.5 ms upload, 1.8 of both groups.
TWO_GROUPS = (
    CAMERAS.replace("cam: {count: 40,", "cam: {count: 20,")
    .replace("  ap: {tier: network}\n", "  cam2: {count: 20, tier: device}\n  ap: {tier: network}\n")
    .replace("links:\n", "links:\n  - {between: [cam2-*, ap], bandwidth: 20 Mbps, latency: 2 ms}\n")
    .replace("rate: 5 /s}\n", "rate: 2 /s}\n  - {app: detect, sources: cam2-*, rate: 2 /s}\n")
    .replace(
        "policy: {name: least-loaded, tiers: [edge]}\n",
        "policy: {name: by-group, groups: {cam: {name: least-loaded, tiers: [edge]}, cam2: CAM2}}\n",
    )
)


def test_another_groups_uploads_to_the_same_edges_are_counted(tmp_path, capsys):
    """Each group's least-loaded sees neither group's uploads: 0.9 tasks of its own went unsaid."""
    scenario = tmp_path / "two.yaml"
    scenario.write_text(TWO_GROUPS.replace("CAM2", "{name: least-loaded, tiers: [edge]}"))
    notes = _notes(capsys, "validate", str(scenario), said="decides about")
    assert notes[0] == (
        'note: policy least-loaded (of group "cam") decides about 0.9 tasks while one task\'s input is '
        "on its way, and group \"cam2\"'s policy about 0.9 more (cam-0's 50 KB takes 22.5 ms to edge-0; "
        '80 tasks/s in all), and policy least-loaded (of group "cam") counts none of them in a node\'s '
        "wait until its input arrives, so they may all go to the node that looks free (herding: "
        "docs/policies.md#what-least-loaded-sees); in_transit: true counts its own alone, one "
        'least-loaded with in_transit: true deciding groups "cam" and "cam2" counts them all'
    ), notes
    assert len(notes) == 2, notes
    assert notes[1].startswith('note: policy least-loaded (of group "cam2") decides about 0.9'), notes
    # cam2's policy counting its own uploads still leaves them unseen by cam's.
    scenario.write_text(TWO_GROUPS.replace("CAM2", "{name: least-loaded, tiers: [edge], in_transit: true}"))
    (note,) = _notes(capsys, "validate", str(scenario), said="decides about")
    assert note.startswith('note: policy least-loaded (of group "cam") decides about 0.9'), note
    # cam2's tasks kept on the cameras upload nothing: cam's 0.9 alone is no herd.
    local = TWO_GROUPS.replace("cam2: CAM2", "cam2: local")
    scenario.write_text(local.replace("tier: device}", "tier: device, processor: {speed: 10 GFLOP/s}}"))
    assert _notes(capsys, "validate", str(scenario), said="decides about") == []


def test_model_select_without_in_transit_is_noted_as_least_loaded_is(tmp_path, capsys):
    """model-select prices a node's wait as least-loaded does: on CAMERAS it placed every task alike.

    5 replications of 20 s: mean wait 7.48 ± 0.32 ms, 2.46 ± 0.11 ms with ``in_transit: true``.
    """
    scenario = tmp_path / "cameras.yaml"
    scenario.write_text(CAMERAS)
    policy = "model-select(tiers=[edge])"
    (note,) = _notes(capsys, "validate", str(scenario), "--policy", policy, said="decides")
    assert note.startswith("note: policy model-select decides about 4.5 tasks while one task's input"), note
    assert note.endswith("in_transit: true counts them"), note
    policy = "model-select(tiers=[edge], in_transit=true)"
    assert _notes(capsys, "validate", str(scenario), "--policy", policy, said="decides") == []
