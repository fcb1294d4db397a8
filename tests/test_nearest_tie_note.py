"""``edge`` with two equally near edge servers sends every task to the first: said, not left to find.

Ties go to the first node (docs/policies.md), so "two edges" ran as one edge and a spare, silently.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from offloadsim.cli import main

QUICKSTART = str(Path(__file__).resolve().parents[1] / "scenarios" / "quickstart.yaml")
TWO_EDGES = ["--set", "nodes.edge.count=2"]
SAID = "ties go to the first node"
_FARTHER = (  # edge-1 0.5 ms farther than edge-0: nearest, not a tie
    "links=[{between: [phone-*, ap], bandwidth: 20 Mbps, latency: 3 ms}, "
    "{between: [ap, edge-0], bandwidth: 1 Gbps, latency: 0.5 ms}, "
    "{between: [ap, edge-1], bandwidth: 1 Gbps, latency: 1 ms}, "
    "{between: [edge-0, cloud], bandwidth: 200 Mbps, latency: 20 ms}]"
)


def _tie_notes(capsys, *argv: str) -> list[str]:
    assert main([*argv]) == 0
    captured = capsys.readouterr()
    return [line for line in (captured.out + captured.err).splitlines() if SAID in line]


def test_edge_with_two_equally_near_servers_says_all_go_to_the_first(capsys):
    (note,) = _tie_notes(capsys, "run", QUICKSTART, "--dry-run", "--policy", "edge", *TWO_EDGES)
    assert note == (
        "note: policy edge sends every task of phone-* to edge-0: edge-1 is as near (3.5 ms) and ties go "
        "to the first node, so edge-1 gets none of them; least-loaded (tiers: [edge]) spreads them"
    )


def test_the_note_says_what_the_run_did(tmp_path, capsys):
    """The note's claim, checked on the records: edge-1 ran no task, edge-0 all of them."""
    out = tmp_path / "run"
    argv = ["run", QUICKSTART, "--policy", "edge", *TWO_EDGES, "--set", "duration=5 s", "--out", str(out)]
    assert len(_tie_notes(capsys, *argv)) == 1
    tasks = pd.read_parquet(out / "tasks.parquet")
    assert len(tasks) > 50
    assert set(tasks["placement"].astype(str)) == {"edge-0"}


@pytest.mark.parametrize(
    "argv",
    [
        ["--policy", "least-loaded", *TWO_EDGES],  # spreads them
        ["--policy", "local", *TWO_EDGES],
        ["--policy", "edge"],  # one edge server: nothing tied
        ["--policy", "edge", *TWO_EDGES, "--set", _FARTHER],
        # the app hosted on edge-1 alone: edge runs it there (nearest that hosts it), edge-0 by its hosts
        ["--policy", "edge", *TWO_EDGES, "--set", "applications.classify.hosts=[edge-1]"],
    ],
    ids=["least-loaded", "local", "one-edge", "one-nearer", "one-hosts-it"],
)
def test_no_tie_note_where_nothing_is_left_idle_by_a_tie(argv, capsys):
    assert _tie_notes(capsys, "run", QUICKSTART, "--dry-run", *argv) == []


def test_compare_says_the_tie_note_holds_under_edge_only(capsys):
    argv = ["compare", QUICKSTART, "--policies", "edge,least-loaded", "--dry-run", *TWO_EDGES]
    (note,) = _tie_notes(capsys, *argv)
    assert note.endswith("spreads them (under edge only)")


def test_validate_says_it_of_the_policy_it_checks(capsys):
    """validate --policy edge said nothing of the tie (its notes were the scenario's own policy's,
    neurosurgeon's), while run --dry-run --policy edge said it; --show's notes likewise."""
    (note,) = _tie_notes(capsys, "validate", QUICKSTART, "--policy", "edge", *TWO_EDGES)
    dry = _tie_notes(capsys, "run", QUICKSTART, "--dry-run", "--policy", "edge", *TWO_EDGES)
    assert [note] == dry
    assert _tie_notes(capsys, "validate", QUICKSTART, "--policy", "edge", "--show", *TWO_EDGES) == [note]


def test_validate_says_it_not_where_the_policy_checked_spreads_them(tmp_path, capsys):
    """The scenario's own policy is edge, but validate checks least-loaded: no tie to say."""
    edge_own = tmp_path / "edge-own.yaml"
    text = Path(QUICKSTART).read_text()
    edge_own.write_text(text.replace("policy: {name: neurosurgeon, objective: latency}", "policy: edge"))
    assert len(_tie_notes(capsys, "validate", str(edge_own), *TWO_EDGES)) == 1
    assert _tie_notes(capsys, "validate", str(edge_own), "--policy", "least-loaded", *TWO_EDGES) == []
    assert (
        _tie_notes(capsys, "validate", str(edge_own), "--policy", "least-loaded", "--show", *TWO_EDGES) == []
    )


def test_by_groups_inner_edge_says_it_of_its_group(capsys):
    grouped = ["--set", "policy={name: by-group, groups: {phone: edge}}"]
    (note,) = _tie_notes(capsys, "run", QUICKSTART, "--dry-run", *TWO_EDGES, *grouped)
    assert note == (
        'note: policy edge (of group "phone") sends every task of phone-* to edge-0: edge-1 is as near '
        "(3.5 ms) and ties go to the first node, so edge-1 gets none of them; least-loaded (tiers: [edge]) "
        "spreads them"
    )
    spread = ["--set", "policy={name: by-group, groups: {phone: least-loaded}, default: edge}"]
    assert _tie_notes(capsys, "run", QUICKSTART, "--dry-run", *TWO_EDGES, *spread) == []


# edge-0 down from 1 s to 3 s of a 4 s run: edge takes every task to edge-1 meanwhile.
_EDGE_0_DOWN = (
    "dynamics=[{kind: node-schedule, node: edge-0, steps: [{at: 1 s, up: false}, {at: 3 s, up: true}]}]"
)


def test_a_node_taken_down_makes_the_tie_hold_while_it_is_up(tmp_path, capsys):
    """With edge-0 down from 1 s to 3 s, the note said edge-1 "gets none of them", and edge-1 ran
    every task of those 2 s: the note now says so while edge-0 is up, and which entry takes it down."""
    out = tmp_path / "run"
    down = ["--set", _EDGE_0_DOWN, "--set", "duration=4 s", "--set", "warmup=0 s"]
    argv = ["run", QUICKSTART, "--policy", "edge", *TWO_EDGES, *down, "--out", str(out)]
    (note,) = _tie_notes(capsys, *argv)
    assert note == (
        "note: policy edge sends every task of phone-* to edge-0 while it is up (dynamics[0] takes it down): "
        "edge-1 is as near (3.5 ms) and ties go to the first node, so edge-1 gets none of them then; "
        "least-loaded (tiers: [edge]) spreads them"
    )
    tasks = pd.read_parquet(out / "tasks.parquet")
    on_1 = tasks[tasks["placement"].astype(str) == "edge-1"]
    assert len(on_1) > 10 and on_1["arrival"].between(1.0, 3.0).all()
    assert set(tasks.loc[~tasks["arrival"].between(1.0, 3.0), "placement"].astype(str)) == {"edge-0"}


def test_a_node_the_tie_leaves_idle_taken_down_changes_nothing_said(capsys):
    """edge-1 down (not the chosen edge-0): edge-1 still gets none, as the note says unqualified."""
    down = ["--set", _EDGE_0_DOWN.replace("node: edge-0", "node: edge-1")]
    (note,) = _tie_notes(capsys, "run", QUICKSTART, "--dry-run", "--policy", "edge", *TWO_EDGES, *down)
    assert "while" not in note
    assert note.endswith("so edge-1 gets none of them; least-loaded (tiers: [edge]) spreads them")


def test_a_link_taken_down_on_the_way_makes_the_tie_hold_while_the_way_is_as_written(tmp_path, capsys):
    """The link from ap to edge-0 down from 1 s to 3 s: edge-1 ran every task of those 2 s, which
    the note's unqualified "none of them" denied."""
    out = tmp_path / "run"
    link = _EDGE_0_DOWN.replace("node-schedule, node: edge-0", "link-schedule, link: [ap, edge-0]")
    down = ["--set", link, "--set", "duration=4 s", "--set", "warmup=0 s"]
    argv = ["run", QUICKSTART, "--policy", "edge", *TWO_EDGES, *down, "--out", str(out)]
    (note,) = _tie_notes(capsys, *argv)
    said = "to edge-0 while it is up and the way to it is as written (dynamics[0] changes the way to it): "
    assert said in note
    assert note.endswith("so edge-1 gets none of them then; least-loaded (tiers: [edge]) spreads them")
    tasks = pd.read_parquet(out / "tasks.parquet")
    on_1 = tasks[tasks["placement"].astype(str) == "edge-1"]
    assert len(on_1) > 10 and on_1["arrival"].between(1.0, 3.0).all()


def test_a_rate_change_leaves_the_note_as_it_was(capsys):
    """A bandwidth step moves no route: edge-0 stays the nearest, and the note says so unqualified."""
    rate = "dynamics=[{kind: link-schedule, link: [ap, edge-0], steps: [{at: 1 s, bandwidth: 10 Mbps}]}]"
    argv = ["run", QUICKSTART, "--dry-run", "--policy", "edge", *TWO_EDGES, "--set", rate]
    (note,) = _tie_notes(capsys, *argv)
    assert "while" not in note


class _Nudge:
    """A plug-in kind that sets a link's latency (``{kind: nudge}``); ``links``: it declares its
    entries leave nodes alone, else it declares nothing."""

    name = "nudge"

    def __init__(self, links: bool):
        if links:
            from offloadsim.world.dynamics.base import LINKS_ONLY

            self.node_changes = lambda spec: LINKS_ONLY

    def parse(self, entry):
        return None

    def timeline(self, spec, rng):
        return iter(())


@pytest.mark.parametrize(("links", "said"), [(True, "may change the way to it"), (False, "may take it down")])
def test_a_plug_in_kind_may_send_the_tasks_elsewhere(capsys, links, said):
    """What a plug-in kind does to links is not declared: the note says it may, not that none go."""
    from offloadsim.world.dynamics import register_dynamics, unregister_dynamics

    register_dynamics(_Nudge(links))
    try:
        argv = [
            "run",
            QUICKSTART,
            "--dry-run",
            "--policy",
            "edge",
            *TWO_EDGES,
            "--set",
            "dynamics=[{kind: nudge}]",
        ]
        (note,) = _tie_notes(capsys, *argv)
    finally:
        unregister_dynamics("nudge")
    way = " and the way to it is as written" if links else ""
    assert f"to edge-0 while it is up{way} (dynamics[0] {said}): " in note


def test_a_split_policy_left_to_find_its_server_says_the_tie(tmp_path, capsys):
    """neurosurgeon without ``server`` splits with the nearest edge, ties to the first: a phone, a CPU
    edge and an as-near GPU edge compared neurosurgeon as if it never saw the GPU, silently."""
    out = tmp_path / "run"
    argv = ["run", QUICKSTART, *TWO_EDGES, "--set", "duration=3 s", "--set", "warmup=0 s", "--out", str(out)]
    (note,) = _tie_notes(capsys, *argv)
    assert note == (
        "note: policy neurosurgeon splits every task of phone-* with edge-0: edge-1 is as near (3.5 ms) and "
        "ties go to the first node, so edge-1 gets none of them; name the server to use: "
        "neurosurgeon(server=edge-1)"
    )
    placed = pd.read_parquet(out / "tasks.parquet")["placement"].astype(str)
    assert len(placed) > 20 and placed.str.contains("edge-0").any()
    assert not placed.str.contains("edge-1").any()


@pytest.mark.parametrize(
    ("policy", "said"),
    [
        ("dads", "policy dads splits every task of phone-* with edge-0: "),
        ("multi-tier", "policy multi-tier splits every task of phone-* with edge-0: "),
    ],
)
def test_dads_and_multi_tier_say_it_too(policy, said, capsys):
    (note,) = _tie_notes(capsys, "run", QUICKSTART, "--dry-run", "--policy", policy, *TWO_EDGES)
    assert note.startswith(f"note: {said}edge-1 is as near (3.5 ms)")
    param = "server" if policy == "dads" else "edge"
    assert note.endswith(f"; name the {param} to use: {policy}({param}=edge-1)")


@pytest.mark.parametrize(
    "policy", ["neurosurgeon(server=edge-1)", "dads(server=edge-0)", "multi-tier(edge=edge-1)"]
)
def test_no_tie_note_where_the_split_policy_names_its_server(policy, capsys):
    assert _tie_notes(capsys, "run", QUICKSTART, "--dry-run", "--policy", policy, *TWO_EDGES) == []


def test_a_plug_in_subclass_of_edge_says_it_under_its_own_name(capsys):
    """A plug-in's ``class MyEdge(EdgePolicy)`` sends every task to the first of two as near servers
    as edge does; the note is registered for ``edge`` by name, and the subclass's name is another:
    its runs are named also as the classes it derives from are registered."""
    from offloadsim.policies.basic import EdgePolicy
    from offloadsim.policies.registry import register_policy, registered_names, unregister_policy

    @register_policy("test-my-edge")
    class MyEdge(EdgePolicy):
        """Edge's, as a plug-in would derive it."""

    try:
        assert registered_names(MyEdge()) == ("test-my-edge", "edge")
        (note,) = _tie_notes(capsys, "run", QUICKSTART, "--dry-run", "--policy", "test-my-edge", *TWO_EDGES)
    finally:
        unregister_policy("test-my-edge")
    assert note.startswith("note: policy test-my-edge sends every task of phone-* to edge-0: edge-1 is as")


def _road(tmp_path: Path, rsu_links: str) -> Path:
    """Two cars driving past two access points, each at its own end of a 400 m road."""
    scenario = tmp_path / "road.yaml"
    scenario.write_text(
        "name: road\nduration: 20 s\nwarmup: 0 s\nseed: 1\n"
        "nodes:\n  car: {count: 2, tier: device, processor: {speed: 10 GFLOP/s}}\n"
        "  rsu: {count: 2, tier: edge, processor: {speed: 100 GFLOP/s}}\n"
        "  edge: {count: 2, tier: edge, processor: {speed: 100 GFLOP/s}}\n"
        f"links:\n  - {{between: [car-*, rsu-*], bandwidth: 20 Mbps, latency: 2 ms}}\n{rsu_links}"
        "applications:\n  job: {work: 1 GFLOP, input: 100 KB, output: 1 KB}\n"
        "workload:\n  - {app: job, sources: car-*, rate: 5 /s}\npolicy: edge\n"
        "dynamics:\n  - kind: mobility\n    devices: car-*\n    access_points:\n"
        "      - {node: rsu-0, position: [100 m, 0 m], radius: 200 m}\n"
        "      - {node: rsu-1, position: [300 m, 0 m], radius: 200 m}\n"
        "    random_waypoint: {area: [400 m, 1 m], speed: 30 m/s}\n    update: 0.1 s\n"
    )
    return scenario


def test_moving_devices_reach_the_tier_through_their_access_point_not_a_tie(tmp_path, capsys):
    """Road-side units that are edge servers and access points: the written graph, every car linked
    to both, made them a tie, and the note said rsu-1 gets none of the tasks; a car attached to
    rsu-1 sends its tasks there, as the records show."""
    links = "  - {between: [rsu-*, edge-*], bandwidth: 1 Gbps, latency: 50 ms}\n"
    out = tmp_path / "run"
    assert _tie_notes(capsys, "run", str(_road(tmp_path, links)), "--out", str(out)) == []
    placed = pd.read_parquet(out / "tasks.parquet")["placement"].astype(str).value_counts()
    assert placed.get("rsu-0", 0) > 10 and placed.get("rsu-1", 0) > 10


def test_a_tie_behind_every_access_point_is_still_said_of_moving_devices(tmp_path, capsys):
    """Two edge servers equally near each access point: a car sees the tie wherever it is attached."""
    links = "  - {between: [rsu-*, edge-*], bandwidth: 1 Gbps, latency: 1 ms}\n"
    plain = _road(tmp_path, links)
    processing = "rsu: {count: 2, tier: edge, processor: {speed: 100 GFLOP/s}}"
    plain.write_text(plain.read_text().replace(processing, "rsu: {count: 2, tier: network}"))
    (note,) = _tie_notes(capsys, "run", str(plain), "--dry-run")
    assert "every task of car-0 and car-1 to edge-0" in note or "every task of car-* to edge-0" in note
    assert "edge-1 is as near (3 ms)" in note
