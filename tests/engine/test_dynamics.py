"""A world that changes during a run: exact events across a capacity step, links down and up."""

from __future__ import annotations

import pytest

from offloadsim.engine import simulate
from offloadsim.scenario import load_scenario_text
from offloadsim.world import WorldError, build_world

# One request at 1 s: 3 MB up to the edge, 1 GFLOP there (100 GFLOP/s), 1 KB back.
BASE = """
name: step
duration: 10 s
nodes:
  phone: {tier: device, processor: {speed: 10 GFLOP/s}}
  edge: {tier: edge, processor: {speed: 100 GFLOP/s}}
links:
  - {between: [phone, edge], bandwidth: 8 Mbps, latency: 5 ms}
applications:
  job:
    stages: [{work: 1 GFLOP}]
    input: 3 MB
    output: 1 KB
workload:
  - {app: job, sources: phone, arrivals: trace, trace: trace.csv}
policy: {name: fixed, nodes: [edge]}
"""


def run(tmp_path, dynamics: str, times: str = "1.0", record_stages: bool = False):
    (tmp_path / "trace.csv").write_text("time\n" + "\n".join(times.split()) + "\n")
    scenario = load_scenario_text(BASE + dynamics, source="<test>", base_dir=tmp_path)
    return simulate(scenario, record_stages=record_stages)


def test_one_transfer_across_capacity_steps_finishes_when_the_bytes_add_up(tmp_path):
    raw = run(
        tmp_path,
        """
dynamics:
  - kind: link-schedule
    link: [phone, edge]
    steps:
      - {at: 2 s, bandwidth: 4 Mbps}
      - {at: 3 s, bandwidth: 16 Mbps}
""",
        record_stages=True,
    )
    # By hand: from 1 s at 1 MB/s, 1 MB by 2 s; at 0.5 MB/s, 0.5 MB more by 3 s; the last 1.5 MB
    # at 2 MB/s takes 0.75 s: the last byte leaves at 3.75 s and lands 5 ms later.  Compute 10 ms;
    # the 1 KB answer at 2 MB/s (the step set both ways) takes 0.5 ms + 5 ms.
    upload_done = 3.75 + 0.005
    finish = upload_done + 0.010 + 1000 / 2e6 + 0.005
    tasks = raw.tasks
    assert tasks["status"][0] == "completed"
    assert tasks["latency"][0] == pytest.approx(finish - 1.0, rel=1e-12)
    stages = raw.stages
    upload = next(i for i, kind in enumerate(stages["kind"]) if kind == "transfer")
    assert stages["end"][upload] == pytest.approx(upload_done, rel=1e-12)
    # Utilisation against the capacity in force: 8 Mb/s for 2 s, 4 for 1 s, 16 for 7 s (phone->edge).
    links = raw.links
    forward = next(i for i in range(len(links["a"])) if (links["a"][i], links["b"][i]) == ("phone", "edge"))
    assert links["utilisation"][forward] == pytest.approx(3e6 * 8 / (8e6 * 2 + 4e6 * 1 + 16e6 * 7), rel=1e-9)


def test_a_reverse_bandwidth_and_a_latency_change_apply_to_what_starts_after_them(tmp_path):
    raw = run(
        tmp_path,
        """
dynamics:
  - kind: link-schedule
    link: 0
    steps:
      - {at: 0.5 s, latency: 20 ms, reverse_bandwidth: 800 kbps}
""",
    )
    # Planned after the change: 3 s up at 1 MB/s + 20 ms, 10 ms compute, 1 KB at 100 KB/s + 20 ms.
    assert raw.tasks["latency"][0] == pytest.approx(3.0 + 0.020 + 0.010 + 0.01 + 0.020, rel=1e-12)


def test_a_link_down_fails_the_transfer_on_it_refuses_new_tasks_and_serves_again_when_up(tmp_path):
    raw = run(
        tmp_path,
        """
dynamics:
  - kind: link-schedule
    link: [edge, phone]
    steps:
      - {at: 2 s, up: false}
      - {at: 6 s, up: true}
""",
        times="1.0 4.0 6.5",
    )
    tasks = raw.tasks
    assert list(tasks["status"]) == ["failed", "dropped", "completed"]
    assert tasks["reason"][0] == "link down on the way from phone to edge"
    assert tasks["reason"][1] == "rejected by the policy"  # fixed drops while its edge is unreachable
    assert tasks["latency"][2] == pytest.approx(3.0 + 0.005 + 0.010 + 0.001 + 0.005, rel=1e-12)
    assert raw.counters == {"arrived": 3, "dropped": 1, "completed": 1, "failed": 1}


def test_runs_of_a_changing_world_are_deterministic_and_leave_the_world_unchanged(tmp_path):
    (tmp_path / "trace.csv").write_text("time\n1.0\n")
    scenario = load_scenario_text(
        BASE + "dynamics: [{kind: link-schedule, link: 0, steps: [{at: 2 s, bandwidth: 4 Mbps}]}]\n",
        source="<test>",
        base_dir=tmp_path,
    )
    world = build_world(scenario)
    first, second = simulate(world), simulate(world)
    assert list(first.tasks["latency"]) == list(second.tasks["latency"])
    assert world.topology.version == 0 and world.topology.capacity_bps(0) == 8e6


@pytest.mark.parametrize(
    ("dynamics", "message"),
    [
        (
            "[{kind: link-shedule, link: 0, steps: [{at: 1 s, up: false}]}]",
            'dynamics[0].kind: unknown kind "link-shedule" (did you mean "link-schedule"?)',
        ),
        ("[{link: 0}]", "dynamics[0].kind: missing (required)"),
        (  # not a name: said as what it is, not as "unknown kind a list"
            "[{kind: [link-schedule], link: 0}]",
            "dynamics[0].kind: expected a kind's name, one of failures, gilbert-elliott, link-schedule, "
            "link-trace, mobility, node-schedule, random-walk; got a list",
        ),
        (
            "[{kind: link-schedule, link: 3, steps: [{at: 1 s, up: false}]}]",
            "dynamics[0].link: no links[3] entry; the scenario has 1 (0 to 0)",
        ),
        (
            "[{kind: link-schedule, link: [phone, cloud], steps: [{at: 1 s, up: false}]}]",
            'dynamics[0].link: "cloud" is not a node; expected two nodes [A, B] that a link joins',
        ),
        (  # a typo of a node: the name it meant
            "[{kind: link-schedule, link: [phone, edg], steps: [{at: 1 s, up: false}]}]",
            'dynamics[0].link: "edg" is not a node (did you mean "edge"?); expected two nodes [A, B]',
        ),
        (  # a pattern, as links[].between takes: not here
            "[{kind: link-schedule, link: [phone-*, edge], steps: [{at: 1 s, up: false}]}]",
            'dynamics[0].link: "phone-*" is a pattern, not a node: name two nodes [A, B], or give the '
            "number of the links[] entry (all its links)",
        ),
        (  # two nodes, not linked: what the first one is linked to
            "[{kind: link-schedule, link: [phone, phone], steps: [{at: 1 s, up: false}]}]",
            'dynamics[0].link: no link joins "phone" and "phone" ("phone" is linked to "edge")',
        ),
        (
            "[{kind: link-schedule, link: 0, steps: [{at: 1 s, bandwith: 1 Mbps}]}]",
            'dynamics[0].steps[0]: unknown key "bandwith" (did you mean "bandwidth"?); expected one of at, '
            "bandwidth, reverse_bandwidth, latency, up",
        ),
        (  # a new user's: the name unquoted, and kind missing from the keys the entry takes
            "[{kind: node-schedule, node: edge, steps: [{at: 1 s, up: false}], extra: 1}]",
            'dynamics[0]: unknown key "extra"; expected one of kind, node, steps',
        ),
        (
            "[{kind: node-schedule, node: edge, stpes: [{at: 1 s, up: false}]}]",
            'dynamics[0]: unknown key "stpes" (did you mean "steps"?); expected one of kind, node, steps',
        ),
        (
            "[{kind: link-schedule, link: 0, steps: [{at: 1 s, bandwidth: 5 parsecs}]}]",
            "dynamics[0].steps[0].bandwidth: ",
        ),
        (
            "[{kind: link-schedule, link: 0, steps: [{at: 2 s, up: false}, {at: 1 s, up: true}]}]",
            "dynamics[0].steps[1].at: 1 s comes before the previous step's 2 s",
        ),
        (
            "[{kind: link-schedule, link: 0, steps: [{at: 1 s}]}]",
            "dynamics[0].steps[0]: expected at least one of bandwidth, reverse_bandwidth, latency, up",
        ),
        (
            "[{kind: link-schedule, link: 0, steps: [{at: 1 s, up: 0}]}]",
            "dynamics[0].steps[0].up: expected true or false",
        ),
        ("[{kind: link-schedule, link: 0, steps: []}]", "dynamics[0].steps: expected a non-empty list"),
    ],
)
def test_a_bad_dynamics_entry_is_named_by_its_key_path(tmp_path, dynamics, message):
    (tmp_path / "trace.csv").write_text("time\n1.0\n")
    scenario = load_scenario_text(BASE + f"dynamics: {dynamics}\n", source="<test>", base_dir=tmp_path)
    with pytest.raises(WorldError) as caught:
        build_world(scenario)
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize("verb", ["validate", "run"])
def test_the_cli_refuses_a_bad_dynamics_entry_with_one_line_and_exit_2(tmp_path, capsys, verb):
    from offloadsim.cli import main

    (tmp_path / "trace.csv").write_text("time\n1.0\n")
    path = tmp_path / "bad.yaml"
    path.write_text(BASE + "dynamics: [{kind: link-schedule, link: 0, steps: [{at: 1 s, latency: fast}]}]\n")
    out = tmp_path / "out"
    assert main([verb, str(path), *(["--out", str(out)] if verb == "run" else [])]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f"offloadsim: error: {path}: dynamics[0].steps[0].latency: "
    )
    assert not out.exists()


@pytest.mark.parametrize("verb", ["validate", "run"])
@pytest.mark.parametrize("kind", ["link-schedule", "node-schedule"])
@pytest.mark.parametrize("step", [0, 1])
def test_a_step_a_set_puts_out_of_order_is_refused_naming_the_set(tmp_path, capsys, verb, kind, step):
    """Either step's ``--set`` may put the later one before the earlier: the refusal names it."""
    from offloadsim.cli import main

    (tmp_path / "trace.csv").write_text("time\n1.0\n")
    target = "link: 0" if kind == "link-schedule" else "node: edge"
    path = tmp_path / "steps.yaml"
    path.write_text(
        BASE
        + f"dynamics: [{{kind: {kind}, {target}, steps: [{{at: 2 s, up: false}}, {{at: 4 s, up: true}}]}}]\n"
    )
    assignment = f"dynamics[0].steps[{step}].at={'5 s' if step == 0 else '1 s'}"
    out = ["--out", str(tmp_path / "out")] if verb == "run" else []
    assert main([verb, str(path), "--set", assignment, *out]) == 2
    said = (
        "4 s comes before the previous step's 5 s"
        if step == 0
        else "1 s comes before the previous step's 2 s"
    )
    assert capsys.readouterr().err.splitlines() == [
        f'offloadsim: error: {path}: dynamics[0].steps[1].at: {said} (set by --set "{assignment}")'
    ]


def test_policies_and_the_engine_follow_a_route_change_with_no_stale_cache(tmp_path):
    # edge-a is nearest until its link slows to 50 ms at 3 s; the `edge` policy (nearest edge,
    # cached per source) must then send tasks to edge-b, over the route in force.
    text = """
name: nearest-moves
duration: 10 s
nodes:
  phone: {tier: device, processor: {speed: 10 GFLOP/s}}
  edge-a: {tier: edge, processor: {speed: 100 GFLOP/s}}
  edge-b: {tier: edge, processor: {speed: 100 GFLOP/s}}
links:
  - {between: [phone, edge-a], bandwidth: 8 Mbps, latency: 5 ms}
  - {between: [phone, edge-b], bandwidth: 8 Mbps, latency: 10 ms}
applications:
  job: {stages: [{work: 1 GFLOP}], input: 1 KB, output: 0 B}
workload:
  - {app: job, sources: phone, arrivals: trace, trace: trace.csv}
policy: edge
dynamics:
  - {kind: link-schedule, link: [phone, edge-a], steps: [{at: 3 s, latency: 50 ms}]}
"""
    (tmp_path / "trace.csv").write_text("time\n1.0\n2.0\n4.0\n5.0\n")
    raw = simulate(load_scenario_text(text, source="<test>", base_dir=tmp_path))
    tasks = raw.tasks
    assert list(tasks["placement"]) == ["edge-a", "edge-a", "edge-b", "edge-b"]
    hop = 1000 / 1e6
    assert list(tasks["latency"]) == pytest.approx(
        [hop + 0.005 + 0.01 + 0.005] * 2 + [hop + 0.01 + 0.01 + 0.01] * 2
    )
