"""Nodes that fail and come back, and what happens to the work they abort: exact event logs by hand."""

from __future__ import annotations

import numpy as np
import pytest
from test_dynamics import BASE

from offloadsim.engine import simulate
from offloadsim.scenario import load_scenario_text
from offloadsim.world import WorldError, build_world
from offloadsim.world.dynamics import register_dynamics, unregister_dynamics

# test_dynamics' one request at 1 s, made heavier: 1 MB up to an edge at 8 Mbps (1 s + 5 ms),
# 10 GFLOP there (0.1 s at 100 GFLOP/s), an empty answer back (5 ms).  The phone runs 10 GFLOP/s.
ONE_EDGE = (
    BASE.replace("{work: 1 GFLOP}", "{work: 10 GFLOP}")
    .replace("input: 3 MB", "input: 1 MB")
    .replace("output: 1 KB", "output: 0 B")
)

# The edge goes down at 2.05 s, in the middle of the task's stage there (2.005 s to 2.105 s).
EDGE_DOWN = """
dynamics:
  - {kind: node-schedule, node: edge, steps: [{at: 2.05 s, up: false}, {at: 8 s, up: true}]}
"""


def run(tmp_path, text: str, times: str = "1.0", record_stages: bool = True):
    (tmp_path / "trace.csv").write_text("time\n" + "\n".join(times.split()) + "\n")
    scenario = load_scenario_text(text, source="<test>", base_dir=tmp_path)
    return simulate(scenario, record_stages=record_stages)


def stage_log(raw) -> list[tuple]:
    stages = raw.stages
    return [
        (
            int(stages["task_id"][i]),
            stages["kind"][i],
            stages["where"][i],
            stages["start"][i],
            stages["end"][i],
        )
        for i in range(len(stages["task_id"]))
    ]


def test_a_node_down_mid_stage_fails_its_task_refuses_work_and_serves_again_when_up(tmp_path):
    raw = run(tmp_path, ONE_EDGE + EDGE_DOWN, times="1.0 4.0 8.5")
    tasks = raw.tasks
    assert list(tasks["status"]) == ["failed", "dropped", "completed"]
    assert tasks["reason"][0] == "edge went down"
    assert tasks["reason"][1] == "rejected by the policy"  # fixed drops while its edge is unreachable
    # Back up at 8 s: the third request runs as if nothing happened (1.005 s up, 0.1 s there,
    # and the empty answer's 5 ms back).
    assert tasks["latency"][2] == pytest.approx(1.005 + 0.1 + 0.005, rel=1e-12)
    assert list(tasks["retries"]) == [0, 0, 0]
    assert list(tasks["final_node"]) == ["edge", "", "edge"]
    # The aborted stage is not booked: the stage log holds only what finished.
    assert [row[1:3] for row in stage_log(raw) if row[0] == 0] == [("transfer", "phone>edge")]
    # The edge was down from 2.05 s to 8 s of the 10 s measured; its core was freed at once.
    nodes = dict(zip(raw.nodes["node"], raw.nodes["availability"], strict=True))
    assert nodes == {"phone": 1.0, "edge": pytest.approx(1 - 5.95 / 10, rel=1e-12)}
    busy = dict(zip(raw.nodes["node"], raw.nodes["busy_s"], strict=True))
    assert busy["edge"] == pytest.approx((2.05 - 2.005) + 0.1, rel=1e-9)
    assert raw.counters == {"arrived": 3, "dropped": 1, "completed": 1, "failed": 1}


def test_a_failure_mid_stage_retries_the_same_plan_then_falls_back_to_the_device(tmp_path):
    raw = run(tmp_path, ONE_EDGE + EDGE_DOWN + "recovery: {retries: 1, backoff: 100 ms, fallback: local}\n")
    tasks = raw.tasks
    # By hand: the stage at the edge is aborted at 2.05 s.  The retry waits the backoff (0.1 s):
    # at 2.15 s the edge is still down, unreachable, so the retry fails at once.  The fallback
    # waits twice the backoff (0.2 s) and runs the whole job on the phone from 2.35 s: 10 GFLOP at
    # 10 GFLOP/s, done at 3.35 s.
    assert tasks["status"][0] == "completed"
    assert tasks["finish"][0] == pytest.approx(3.35, rel=1e-12)
    assert tasks["retries"][0] == 2
    assert tasks["final_node"][0] == "phone"
    assert tasks["placement"][0] == "phone"
    # What it spent over its attempts adds up: the upload of the first, the compute of the last.
    assert tasks["transfer_time"][0] == pytest.approx(1.005, rel=1e-12)
    assert tasks["compute_time"][0] == pytest.approx(1.0, rel=1e-12)
    assert tasks["bytes_sent"][0] == 1e6
    assert stage_log(raw) == [
        (0, "transfer", "phone>edge", 1.0, pytest.approx(2.005, rel=1e-12)),
        (0, "compute", "phone", pytest.approx(2.35, rel=1e-12), pytest.approx(3.35, rel=1e-12)),
    ]
    assert raw.counters == {"arrived": 1, "dropped": 0, "completed": 1, "failed": 0}


# Two edges behind an access point: edge-0 nearer (1 ms) than edge-1 (4 ms).
TWO_EDGES = """
name: failover
duration: 10 s
nodes:
  phone: {tier: device, processor: {speed: 10 GFLOP/s}}
  ap: {tier: network}
  edge-0: {tier: edge, processor: {speed: 100 GFLOP/s}}
  edge-1: {tier: edge, processor: {speed: 50 GFLOP/s}}
links:
  - {between: [phone, ap], bandwidth: 8 Mbps, latency: 5 ms}
  - {between: [ap, edge-0], bandwidth: 80 Mbps, latency: 1 ms}
  - {between: [ap, edge-1], bandwidth: 80 Mbps, latency: 4 ms}
applications:
  job: {stages: [{work: 10 GFLOP}], input: 1 MB, output: 0 B}
workload:
  - {app: job, sources: phone, arrivals: trace, trace: trace.csv}
policy: edge
"""


def test_another_server_fallback_moves_the_task_to_the_next_edge(tmp_path):
    raw = run(
        tmp_path,
        TWO_EDGES
        + "dynamics: [{kind: node-schedule, node: edge-0, steps: [{at: 2.1 s, up: false}]}]\n"
        + "recovery: {fallback: another, backoff: 50 ms}\n",
    )
    tasks = raw.tasks
    # By hand: 1 MB over phone->ap (1 MB/s) and ap->edge-0 (10 MB/s) shares nothing, so the
    # bottleneck rate is 1 MB/s: the last byte leaves at 2.0 s and lands 6 ms later, 2.006 s.
    # The stage (0.1 s) is aborted at 2.1 s.  After the backoff (50 ms) the policy, asked again
    # with edge-0 seen as down, picks edge-1: the input goes up again (1 s + 9 ms, 3.159 s), and
    # 10 GFLOP at 50 GFLOP/s take 0.2 s; the empty answer takes the 9 ms back: done at 3.368 s.
    assert tasks["status"][0] == "completed"
    assert tasks["finish"][0] == pytest.approx(2.15 + 1.009 + 0.2 + 0.009, rel=1e-12)
    assert tasks["retries"][0] == 1
    assert tasks["final_node"][0] == "edge-1"
    assert tasks["bytes_sent"][0] == 2e6
    assert [row[2] for row in stage_log(raw)] == ["phone>edge-0", "phone>edge-1", "edge-1", "edge-1>phone"]


@pytest.mark.parametrize("policy", ["edge", "{name: by-group, groups: {phone: edge}}"])
def test_another_server_after_a_timeout_avoids_the_edge_still_up_and_keeps_it_for_later_tasks(
    tmp_path, policy
):
    """The edge policy keeps each source's node while nothing goes down or up: asked with edge-0
    seen as down (it timed out, but is up), it answered edge-0 again from what it kept, and both
    tasks failed there a second time.  Inside by-group, it is asked on the view recovery hands it."""
    slow = TWO_EDGES.replace(
        "edge-0: {tier: edge, processor: {speed: 100 GFLOP/s}}",
        "edge-0: {tier: edge, processor: {speed: 1 GFLOP/s}}",
    ).replace("policy: edge", f"policy: {policy}")
    raw = run(tmp_path, slow + "recovery: {timeout: 3 s, fallback: another}\n", times="1.0 1.5 7.0")
    tasks = raw.tasks
    # By hand: each 1 MB input reaches edge-0 (10 GFLOP at 1 GFLOP/s: 10 s) and times out 3 s after
    # it arrived, at 4.0 and 4.5 s.  Again to edge-1: 0.5 MB alone over the 1 MB/s phone link, then
    # both at half of it: task 0's last byte leaves at 5.5 s, task 1's at 6.0 s; each lands 9 ms
    # later, runs 0.2 s and its empty answer takes 9 ms back.
    assert list(tasks["status"][:2]) == ["completed", "completed"]
    assert tasks["finish"][0] == pytest.approx(5.5 + 0.009 + 0.2 + 0.009, rel=1e-12)
    assert tasks["finish"][1] == pytest.approx(6.0 + 0.009 + 0.2 + 0.009, rel=1e-12)
    assert list(tasks["final_node"][:2]) == ["edge-1", "edge-1"]
    # The task after is the policy's as before: its usual edge-0, which is up.
    assert [row[2] for row in stage_log(raw) if row[0] == 2] == ["phone>edge-0"]


def test_the_fallback_may_fail_too_and_then_the_task_fails(tmp_path):
    # Both edges go down; the edge policy's own fallback is to drop the task (no local work).
    raw = run(
        tmp_path,
        TWO_EDGES.replace("policy: edge", "policy: {name: edge, fallback: drop}")
        + "dynamics: [{kind: node-schedule, node: edge-*, steps: [{at: 2.1 s, up: false}]}]\n"
        + "recovery: {retries: 2, fallback: another}\n",
    )
    tasks = raw.tasks
    assert tasks["status"][0] == "failed"
    assert tasks["retries"][0] == 3  # two retries of the same plan, then the fallback
    assert tasks["reason"][0] == "rejected by the policy"
    assert raw.counters == {"arrived": 1, "dropped": 0, "completed": 0, "failed": 1}


def test_a_timeout_abandons_a_slow_attempt_and_the_fallback_runs_it_locally(tmp_path):
    # The edge is slow (1 GFLOP/s: 10 s for the job); a 3 s timeout from the arrival gives up
    # at 4 s, and the phone runs it from then on: done at 5 s.
    slow = ONE_EDGE.replace(
        "edge: {tier: edge, processor: {speed: 100 GFLOP/s}}",
        "edge: {tier: edge, processor: {speed: 1 GFLOP/s}}",
    )
    raw = run(tmp_path, slow + "recovery: {timeout: 3 s, fallback: local}\n", times="1.0")
    tasks = raw.tasks
    assert tasks["status"][0] == "completed"
    assert tasks["finish"][0] == pytest.approx(5.0, rel=1e-12)
    assert tasks["retries"][0] == 1
    assert tasks["final_node"][0] == "phone"


def test_a_timeout_without_a_fallback_fails_the_task_at_its_time(tmp_path):
    slow = ONE_EDGE.replace("speed: 100 GFLOP/s", "speed: 1 GFLOP/s")
    raw = run(tmp_path, slow + "recovery: {timeout: 3 s}\n", times="1.0")
    tasks = raw.tasks
    assert tasks["status"][0] == "failed"
    assert tasks["reason"][0] == "timed out after 3 s"
    assert tasks["retries"][0] == 0


def test_a_task_whose_source_goes_down_is_not_retried(tmp_path):
    raw = run(
        tmp_path,
        ONE_EDGE
        + "dynamics: [{kind: node-schedule, node: phone, steps: [{at: 2.05 s, up: false}]}]\n"
        + "recovery: {retries: 3, fallback: local}\n",
    )
    assert raw.tasks["status"][0] == "failed"
    assert raw.tasks["reason"][0] == "phone went down"
    assert raw.tasks["retries"][0] == 0


def test_random_failures_are_deterministic_per_node_and_keyed_by_name(tmp_path):
    def downs(count: int) -> dict[str, float]:
        text = f"""
name: random-failures
duration: 500 s
nodes:
  edge: {{count: {count}, tier: edge, processor: {{speed: 1 GFLOP/s}}}}
  phone: {{tier: device, processor: {{speed: 1 GFLOP/s}}}}
links:
  - {{between: [phone, edge-*], bandwidth: 1 Gbps, latency: 1 ms}}
applications:
  job: {{work: 1 GFLOP}}
workload:
  - {{app: job, sources: phone, rate: 0.1 /s}}
dynamics:
  - {{kind: failures, nodes: edge-*, mtbf: 50 s, mttr: 10 s}}
"""
        raw = simulate(load_scenario_text(text, source="<test>"))
        return dict(zip(raw.nodes["node"], raw.nodes["availability"], strict=True))

    three, again, four = downs(3), downs(3), downs(4)
    assert three == again
    assert {name: four[name] for name in three} == three  # a new node leaves the others' failures alone
    edges = [three[f"edge-{i}"] for i in range(3)]
    assert len(set(edges)) == 3 and all(0.5 < a < 1.0 for a in edges)
    assert three["phone"] == 1.0


@pytest.mark.parametrize(
    ("dynamics", "message"),
    [
        (
            "[{kind: node-schedule, node: edg, steps: [{at: 1 s, up: false}]}]",
            r'dynamics\[0\]\.node: "edg" matches no node \(did you mean "edge"\?\)',
        ),
        (
            "[{kind: node-schedule, node: edge, steps: [{at: 1 s}]}]",
            r"dynamics\[0\]\.steps\[0\]\.up: missing \(required\)",
        ),
        ("[{kind: failures, nodes: edge, mtbf: 10 s}]", r"dynamics\[0\]\.mttr: missing \(required\)"),
        (
            "[{kind: failures, mtbf: 10 s, mttr: 1 s}]",
            r"dynamics\[0\]: expected either nodes .* or link, got neither",
        ),
        (
            "[{kind: failures, nodes: edge, mtbf: 0 s, mttr: 1 s}]",
            r"dynamics\[0\]\.mtbf: expected a positive time",
        ),
        (
            "[{kind: failures, nodes: edge, mtbf: {uniform: [0 s, 0 s]}, mttr: 1 s}]",
            r"dynamics\[0\]\.mtbf: expected a mean time above 0 s",
        ),
        (
            "[{kind: failures, nodes: edge, mtbf: {gamma: 1}, mttr: 1 s}]",
            r'dynamics\[0\]\.mtbf: unknown distribution "gamma"',
        ),
        (
            "[{kind: failures, link: [phone, ap], mtbf: 1 s, mttr: 1 s}]",
            r'dynamics\[0\]\.link: "ap" is not a node; expected two nodes \[A, B\] that a link joins',
        ),
    ],
)
def test_a_bad_failures_entry_is_named_by_its_key_path(tmp_path, dynamics, message):
    (tmp_path / "trace.csv").write_text("time\n1.0\n")
    scenario = load_scenario_text(ONE_EDGE + f"dynamics: {dynamics}\n", source="<test>", base_dir=tmp_path)
    with pytest.raises(WorldError, match="^" + message):
        build_world(scenario)


@pytest.mark.parametrize("verb", ["validate", "run"])
def test_the_cli_refuses_a_bad_recovery_key_with_one_line_and_exit_2(tmp_path, capsys, verb):
    from offloadsim.cli.main import main

    (tmp_path / "trace.csv").write_text("time\n1.0\n")
    path = tmp_path / "bad.yaml"
    path.write_text(ONE_EDGE + "recovery: {retries: 1, fallback: elsewhere}\n")
    assert main([verb, str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "bad.yaml: recovery.fallback: expected one of drop, local, another" in err


@pytest.mark.parametrize("policy", ["random", "least-loaded", "round-robin", "edge"])
def test_policies_place_nothing_on_a_node_while_it_is_down(tmp_path, policy):
    (tmp_path / "trace.csv").write_text("time\n1.0\n")
    text = (
        TWO_EDGES.replace("policy: edge", f"policy: {policy}")
        .replace(
            "{app: job, sources: phone, arrivals: trace, trace: trace.csv}",
            "{app: job, sources: phone, rate: 20 /s}",
        )
        .replace("10 GFLOP}]", "0.1 GFLOP}]")
        .replace("input: 1 MB", "input: 1 KB")
    )
    steps = "[{at: 3 s, up: false}, {at: 6 s, up: true}]"
    text += f"dynamics: [{{kind: node-schedule, node: edge-0, steps: {steps}}}]\n"
    tasks = simulate(load_scenario_text(text, source="<test>", base_dir=tmp_path)).tasks
    arrival, final = tasks["arrival"], tasks["final_node"]
    during = (arrival > 3.0) & (arrival < 6.0)
    assert during.sum() > 30
    assert not np.any(final[during] == "edge-0")
    # ... and they use it again once it is back (edge first: it is the nearest).
    after = arrival > 6.5
    assert np.any(final[after] == "edge-0")


def test_random_link_failures_abort_transfers_and_the_link_is_up_part_of_the_time(tmp_path):
    text = ONE_EDGE.replace(
        "{app: job, sources: phone, arrivals: trace, trace: trace.csv}",
        "{app: job, sources: phone, rate: 5 /s}",
    ).replace("duration: 10 s", "duration: 200 s")
    text += "dynamics: [{kind: failures, link: [phone, edge], mtbf: 20 s, mttr: 5 s}]\n"
    raw = simulate(load_scenario_text(text, source="<test>"))
    reasons = set(raw.tasks["reason"][raw.tasks["status"] == "failed"])
    assert reasons == {"link down on the way from phone to edge"}
    up = raw.links["availability"]
    assert up[0] == up[1] and 0.5 < up[0] < 1.0  # both directions of the one link, down together
    assert all(a == 1.0 for a in raw.nodes["availability"])  # a link down leaves its nodes up


# phone -> ap -> edge: the upload's route crosses a router that can fail too.
VIA_AP = ONE_EDGE.replace("  edge: {tier", "  ap: {tier: network}\n  edge: {tier").replace(
    "  - {between: [phone, edge], bandwidth: 8 Mbps, latency: 5 ms}",
    "  - {between: [phone, ap], bandwidth: 8 Mbps, latency: 5 ms}\n"
    "  - {between: [ap, edge], bandwidth: 1 Gbps, latency: 0 ms}",
)


@pytest.mark.parametrize(("text", "down"), [(ONE_EDGE, "edge"), (VIA_AP, "ap"), (VIA_AP, "edge")])
def test_a_node_down_mid_upload_is_the_reason_its_task_failed(tmp_path, text, down):
    """The edge went down at 1.5 s, half-way through the task's upload to it (1 s to 2 s), and the
    task's reason read "link down on the way from phone to edge": no link went down, the node did,
    and the summary split one crash over as many reasons as there were senders."""
    dynamics = f"dynamics: [{{kind: node-schedule, node: {down}, steps: [{{at: 1.5 s, up: false}}]}}]\n"
    tasks = run(tmp_path, text + dynamics).tasks
    assert list(tasks["status"]) == ["failed"]
    assert tasks["reason"][0] == f"{down} went down"


@pytest.mark.parametrize(
    ("second", "down_s"),
    [
        ("{kind: node-schedule, node: edge, steps: [{at: 3 s, up: false}, {at: 6 s, up: true}]}", 4.0),
        # down 3 s to 6 s, and again from 9 s (up 3 s, down 3 s, ...): 1 s more before the end
        ("{kind: failures, nodes: edge, mtbf: {deterministic: 3 s}, mttr: {deterministic: 3 s}}", 5.0),
    ],
)
def test_overlapping_outages_of_one_node_keep_it_down_until_the_last_one_ends(tmp_path, second, down_s):
    # Two entries take the edge down: 2 s to 4 s, and 3 s to 6 s (a schedule, or a failure drawn
    # at exactly 3 s, repaired 3 s later).  The first entry's coming up at 4 s must not end the
    # second's outage: the edge is down from 2 s to 6 s.  (With the latest step setting the
    # state, it was up again from 4 s to 6 s.)
    text = ONE_EDGE + (
        "dynamics:\n"
        "  - {kind: node-schedule, node: edge, steps: [{at: 2 s, up: false}, {at: 4 s, up: true}]}\n"
        f"  - {second}\n"
    )
    raw = run(tmp_path, text, times="4.5 6.5")
    nodes = dict(zip(raw.nodes["node"], raw.nodes["availability"], strict=True))
    assert nodes["edge"] == pytest.approx(1 - down_s / 10, rel=1e-12)
    # The request at 4.5 s finds the edge down (fixed drops it); the one at 6.5 s is served.
    assert list(raw.tasks["status"]) == ["dropped", "completed"]


def test_overlapping_outages_of_one_link_keep_it_down_until_the_last_one_ends(tmp_path):
    text = ONE_EDGE + (
        "dynamics:\n"
        "  - {kind: link-schedule, link: [phone, edge], steps: [{at: 2 s, up: false}, {at: 4 s, up: true}]}\n"
        "  - {kind: link-schedule, link: 0, steps: [{at: 3 s, up: false}, {at: 6 s, up: true}]}\n"
    )
    raw = run(tmp_path, text, times="4.5 6.5")
    assert list(raw.links["availability"]) == pytest.approx([0.6, 0.6], rel=1e-12)
    assert list(raw.tasks["status"]) == ["dropped", "completed"]


class Cut:
    """A plug-in's own change: it calls the topology itself, through no shipped change class."""

    def __init__(self, link: int, up: bool):
        self.link = link
        self.up = up

    def apply(self, topology) -> None:
        topology.set_link_up(self.link, self.up)


class LinkCut:
    """``{kind: link-cut, link: [A, B], at: TIME, for: TIME}``: a plug-in kind cutting a link for a while."""

    name = "link-cut"

    def parse(self, entry):
        entry.keys(required=("link", "at", "for"))
        ((link, _),) = entry.links("link")
        return link, entry.quantity("at", "time"), entry.quantity("for", "time", positive=True)

    def timeline(self, spec, rng):
        link, at, length = spec
        yield at, Cut(link, False)
        yield at + length, Cut(link, True)


@pytest.fixture
def link_cut():
    register_dynamics(LinkCut())
    yield
    unregister_dynamics("link-cut")


@pytest.mark.parametrize(
    ("cut", "window"),
    [
        # the plug-in's outage overlaps the schedule's end (the schedule's up at 4 s ended it)
        ("at: 3 s, for: 3 s", "{at: 2 s, up: false}, {at: 4 s, up: true}"),
        # the schedule's outage overlaps the plug-in's end (its Cut(up) at 4 s brought the link up)
        ("at: 2 s, for: 2 s", "{at: 3 s, up: false}, {at: 6 s, up: true}"),
    ],
)
def test_a_plug_in_change_of_its_own_and_a_schedule_hold_one_link_down_until_both_let_it_up(
    tmp_path, link_cut, cut, window
):
    # Down 2 s to 4 s by one entry, 3 s to 6 s by the other: down 2 s to 6 s.  The plug-in's
    # change calls topology.set_link_up itself; the engine, which held only the shipped change
    # classes' up/down as entries' holds, let either entry's up end the other's outage.
    text = ONE_EDGE + (
        "dynamics:\n"
        f"  - {{kind: link-cut, link: [phone, edge], {cut}}}\n"
        f"  - {{kind: link-schedule, link: [phone, edge], steps: [{window}]}}\n"
    )
    raw = run(tmp_path, text, times="4.5 6.5")
    assert list(raw.links["availability"]) == pytest.approx([0.6, 0.6], rel=1e-12)
    assert list(raw.tasks["status"]) == ["dropped", "completed"]


POWERED = ONE_EDGE.replace(
    "phone: {tier: device, processor: {speed: 10 GFLOP/s}}",
    "phone: {tier: device, processor: {speed: 10 GFLOP/s}, "
    "power: {idle: 0.5 W, busy: 3 W, transmit: 1.5 W, receive: 1 W}}",
)


@pytest.mark.parametrize(
    ("policy", "device_j"),
    [
        # Two uploads of 1 MB, the first given up at 1.5 s and still sending: 2 s of radio at 1 W
        # above idle in all (1 s to 3 s, shared from 1.5 s), every joule the task's.
        ("{name: fixed, nodes: [edge]}", 2.0),
        # Two 1 s stages on the phone (the first given up at 1.5 s runs on to 2 s; the retry's
        # waits for it, is given up at 2 s and runs 2 s to 3 s): 2 s at 2.5 W above idle.
        ("local", 5.0),
    ],
)
def test_a_timed_out_attempts_energy_is_its_tasks(tmp_path, policy, device_j):
    """What an abandoned attempt's flow or stage still draws, before and after the timeout, is its
    task's device energy: the phone's tasks add up to its energy less idle × time."""
    text = POWERED.replace("policy: {name: fixed, nodes: [edge]}", f"policy: {policy}") + (
        "recovery: {timeout: 0.5 s, retries: 1}\n"
    )
    raw = run(tmp_path, text, record_stages=False)
    tasks = raw.tasks
    assert list(tasks["status"]) == ["failed"]
    assert tasks["reason"][0] == "timed out after 0.5 s"
    assert tasks["retries"][0] == 1
    phone = list(raw.nodes["node"]).index("phone")
    spent = raw.nodes["energy_j"][phone] - 0.5 * 10.0
    assert spent == pytest.approx(device_j, rel=1e-9)
    assert tasks["device_energy"][0] == pytest.approx(spent, rel=1e-9)


@pytest.mark.parametrize(
    ("recovery", "reason"),
    [
        # The 1 s stage on the phone (1 s to 2 s) loses its core at 1.4 s: 0.4 s at 2.5 W above idle.
        ("", "phone went down"),
        # Given up at 1.2 s, it runs on until the phone goes down at 1.4 s: the same 0.4 s.
        ("recovery: {timeout: 0.2 s}\n", "timed out after 0.2 s"),
    ],
)
def test_a_stage_cut_short_by_its_device_going_down_is_its_tasks_energy(tmp_path, recovery, reason):
    """As docs/scenario-format.md says: the phone's tasks add up to its energy less idle × time,
    the stage the phone's going down cut short included, for the time it ran."""
    text = (
        POWERED.replace("policy: {name: fixed, nodes: [edge]}", "policy: local")
        + "dynamics:\n  - {kind: node-schedule, node: phone, steps: [{at: 1.4 s, up: false}]}\n"
        + recovery
    )
    raw = run(tmp_path, text, record_stages=False)
    tasks = raw.tasks
    assert list(tasks["status"]) == ["failed"]
    assert tasks["reason"][0] == reason
    phone = list(raw.nodes["node"]).index("phone")
    assert raw.nodes["energy_j"][phone] - 0.5 * 10.0 == pytest.approx(2.5 * 0.4, rel=1e-9)
    assert tasks["device_energy"][0] == pytest.approx(2.5 * 0.4, rel=1e-9)


@pytest.mark.parametrize(
    ("policy", "reason"),
    [("{name: fixed, nodes: [edge]}", "rejected by the policy"), ("edge", "phone is down")],
)
def test_a_request_arriving_while_its_source_is_down_is_dropped_and_counted(tmp_path, policy, reason):
    """As docs/scenario-format.md says: the down phone's request arrives, and is dropped (fixed finds
    no route from it; edge falls back to the phone, which is down)."""
    text = (
        ONE_EDGE.replace("policy: {name: fixed, nodes: [edge]}", f"policy: {policy}")
        + "dynamics:\n  - {kind: node-schedule, node: phone, "
        + "steps: [{at: 3 s, up: false}, {at: 6 s, up: true}]}\n"
    )
    raw = run(tmp_path, text, times="1.0 4.0 7.0")
    assert list(raw.tasks["status"]) == ["completed", "dropped", "completed"]
    assert raw.tasks["reason"][1] == reason
    assert raw.counters == {"arrived": 3, "dropped": 1, "completed": 2, "failed": 0}


@pytest.mark.parametrize(
    "cut",
    [
        "",
        # ... and is cut short by the phone going down, then by the battery running flat (each
        # mid-stage: one of the second request's attempts is still running on).
        "dynamics:\n  - {kind: node-schedule, node: phone, steps: [{at: 18.3 s, up: false}]}\n",
        "battery",
    ],
)
def test_a_timed_out_llm_attempts_energy_is_its_tasks(tmp_path, cut):
    """An LLM request's prefill given up by the timeout runs on, on the phone: its task's energy."""
    text = """
name: llm-timeout
duration: 30 s
nodes:
  phone:
    tier: device
    processor: {profile: cortex-a76}
    power: {idle: 0.5 W, busy: 3 W}
applications:
  chat: {model: gpt2, prompt_tokens: 64, output_tokens: 16}
workload:
  - {app: chat, sources: phone, arrivals: periodic, period: 10 s}
policy: local
recovery: {timeout: 50 ms, retries: 1}
"""
    if cut == "battery":  # flat at 18.35 s, as the second request's attempts run
        text, cut = text.replace("busy: 3 W}", "busy: 3 W, battery: 13.5 J}"), ""
    raw = simulate(load_scenario_text(text + cut, source="<test>", base_dir=tmp_path))
    assert list(raw.tasks["status"][:2]) == ["failed", "failed"]
    on_s = 30.0 if np.isnan(raw.nodes["drained_at"][0]) else raw.nodes["drained_at"][0]
    assert on_s > 18.03  # after the second request arrived
    spent = raw.nodes["energy_j"][0] - 0.5 * on_s
    assert spent > 0.0
    assert sum(raw.tasks["device_energy"]) == pytest.approx(spent, rel=1e-9)


# Two phones upload 1 MB each to the edge at 8 Mbps (1 s, at 1 W above idle: 1 J) for 10 GFLOP
# there (0.1 s at 100 GFLOP/s): phone-1's request at 0 s (compiled first: the run's plan code 0)
# completes at 1.1 s; phone-0's at 2 s uploads until 3 s and loses its stage as the edge goes down
# at 3.05 s.  Its retry waits out the backoff until 4.05 s, not yet planned, and ends first: as
# phone-0 goes down at 3.5 s (failed), or as the run ends at 3.4 s (in flight).
WAITING_RETRY = """
name: retry-waiting
duration: DURATION
nodes:
  phone:
    count: 2
    tier: device
    power: {idle: 0.5 W, transmit: 1.5 W}
  edge: {tier: edge, processor: {speed: 100 GFLOP/s}}
links:
  - {between: [phone-*, edge], bandwidth: 8 Mbps, latency: 0 ms}
applications:
  job: {work: 10 GFLOP, input: 1 MB, output: 0 B}
workload:
  - {app: job, sources: phone-1, arrivals: trace, trace: trace.csv, stop: 1 s}
  - {app: job, sources: phone-0, arrivals: trace, trace: trace.csv, start: 1 s}
policy: edge
dynamics:
  - {kind: node-schedule, node: edge, steps: [{at: 3.05 s, up: false}]}
  - {kind: node-schedule, node: phone-0, steps: [{at: 3.5 s, up: false}]}
recovery: {retries: 1, backoff: 1 s}
"""


@pytest.mark.parametrize(
    ("duration", "status", "reason"),
    [("10 s", "failed", "phone-0 went down"), ("3.4 s", "in_flight", "")],
)
def test_a_retry_ended_in_its_backoff_is_recorded_as_its_sources(tmp_path, duration, status, reason):
    """As docs/scenario-format.md says: a device's tasks add up to its energy less idle × the time
    it was on.  The retry that ended before it was planned is recorded with the plan its task last
    ran (phone-0's, on the edge), not the run's first compiled plan (phone-1's): its 1 J is phone-0's.
    By hand, each phone: idle 0.5 W × the run, and 1 J for its one upload (1 s at 1.5 W - 0.5 W)."""
    text = WAITING_RETRY.replace("DURATION", duration)
    raw = run(tmp_path, text, times="0.0 2.0")
    tasks, nodes = raw.tasks, raw.nodes
    assert list(tasks["source"]) == ["phone-1", "phone-0"]
    assert list(tasks["status"]) == ["completed", status]
    assert tasks["reason"][1] == reason
    assert list(tasks["retries"]) == [0, 1]
    assert list(tasks["placement"]) == ["edge", "edge"]
    assert list(tasks["device_energy"]) == pytest.approx([1.0, 1.0], rel=1e-12)
    end_s = float(duration.split()[0])
    for i, node in enumerate(nodes["node"]):
        if node.startswith("phone"):
            assert nodes["energy_j"][i] == pytest.approx(0.5 * end_s + 1.0, rel=1e-12)
            mine = np.asarray(tasks["source"]) == node
            spent = float(np.sum(np.asarray(tasks["device_energy"])[mine]))
            assert spent == pytest.approx(nodes["energy_j"][i] - 0.5 * end_s, rel=1e-12)


@pytest.mark.parametrize(
    ("dynamics", "reason"),
    [
        (EDGE_DOWN, "edge is down"),
        # The link down from 2.05 s, as the edge computes: the answer has no way back, and the retry
        # none up; the edge itself is up.
        (EDGE_DOWN.replace("node-schedule, node: edge", "link-schedule, link: [phone, edge]"), None),
    ],
    ids=["node-down", "link-down"],
)
def test_a_retry_that_cannot_start_says_why_and_keeps_its_plan(tmp_path, dynamics, reason):
    """The retry of the same plan at 2.15 s, its edge still down or out of reach, failed the task
    with 'policy "fixed" placed a task on "edge", unreachable from its source' (the policy placed
    nothing then: recovery ran its plan again) and an empty placement and final node."""
    raw = run(tmp_path, ONE_EDGE + dynamics + "recovery: {retries: 1, backoff: 100 ms}\n")
    tasks = raw.tasks
    assert tasks["status"][0] == "failed"
    assert tasks["retries"][0] == 1
    assert tasks["reason"][0] == (reason or "no route from phone to edge")
    assert (tasks["placement"][0], tasks["final_node"][0]) == ("edge", "edge")
    assert raw.counters == {"arrived": 1, "dropped": 0, "completed": 0, "failed": 1}


def test_a_task_dropped_or_failed_records_when_it_was_lost_and_a_failures_are_its_time(tmp_path):
    """``finish`` is a completed task's only (NaN otherwise): when the others ended was not recorded.

    By hand: 1 KB up at 8 Mbps (1 ms + 5 ms), 50 GFLOP at the edge (0.5 s, one core, one stage may
    wait), an empty answer back (5 ms); the edge goes down at 1 s.  The request at 0.1 s completes
    at 0.611 s; the one at 0.4 s is in service (0.606 s to 1.106 s) and the one at 0.7 s waits
    behind it when the edge fails: both lost at 1 s.  The one at 0.9 s reaches the edge at 0.906 s,
    its queue full: dropped then; the one at 1.2 s is refused at once, its edge down.
    """
    text = (
        BASE.replace("{work: 1 GFLOP}", "{work: 50 GFLOP}")
        .replace("input: 3 MB", "input: 1 KB")
        .replace("output: 1 KB", "output: 0 B")
        .replace("speed: 100 GFLOP/s}", "speed: 100 GFLOP/s, queue_limit: 1}")
        + "dynamics:\n  - {kind: node-schedule, node: edge, steps: [{at: 1 s, up: false}]}\n"
    )
    records = run(tmp_path, text, times="0.1 0.4 0.7 0.9 1.2", record_stages=False).tasks
    order = np.argsort(records["arrival"])  # recorded as they ended: the drop at 0.906 s second
    tasks = {name: np.asarray(records[name])[order] for name in ("status", "reason", "finish", "lost_at")}
    assert list(tasks["status"]) == ["completed", "failed", "failed", "dropped", "dropped"]
    assert list(tasks["reason"][1:]) == [
        "edge went down",
        "edge went down",
        "queue full at edge",
        "rejected by the policy",
    ]
    assert tasks["finish"][0] == pytest.approx(0.1 + 0.006 + 0.5 + 0.005, rel=1e-12)
    assert np.isnan(tasks["finish"][1:]).all()  # latency and finish stay the completed tasks'
    assert np.isnan(tasks["lost_at"][0])
    assert list(tasks["lost_at"][1:3]) == [1.0, 1.0]  # the failure's own time, exactly
    assert tasks["lost_at"][3] == pytest.approx(0.9 + 0.006, rel=1e-12)
    assert tasks["lost_at"][4] == 1.2
