"""A radio tail ending within a clock tick of the battery's next check does not stop the clock."""

from __future__ import annotations

import math
import signal

import numpy as np
import pytest

from offloadsim.engine import TASK_COLUMNS, simulate
from offloadsim.policies.base import Plan
from offloadsim.policies.registry import register_policy, unregister_policy
from offloadsim.scenario import PolicySpec, load_scenario_text
from offloadsim.world.build import build_world
from offloadsim.world.topology import Topology

# Found by a run that never ended: at about 0.7 s the meter of phone-1 kept scheduling its next
# look at the battery for when its radio tail ends, which was less than a clock tick ahead (the
# tail's remaining time a rounding residue), so simulated time stood still.
SCENARIO = """
name: battery-flat
duration: 20 s
seed: 3
nodes:
  phone:
    count: 3
    tier: device
    processor: {speed: 10 GFLOP/s, cores: 2}
    power: {idle: 0.5 W, busy: 3 W, transmit: 1.3 W, receive: 1 W, tail: 0.2 s, battery: BATTERY}
  ap: {tier: network}
  edge: {tier: edge, processor: {speed: 100 GFLOP/s, cores: 2, queue_limit: 5}}
links:
  - {between: [phone-*, ap], bandwidth: 20 Mbps, latency: 2 ms}
  - {between: [ap, edge], bandwidth: 100 Mbps, latency: 5 ms}
applications:
  pipe:
    stages:
      - {work: {exponential: {mean: 1 GFLOP}}, output: 100 KB}
      - {service: {exponential: {mean: 20 ms}}, output: 10 KB}
      - {work: 3 GFLOP}
    input: {exponential: {mean: 200 KB}}
    output: 1 KB
  job:
    work: {exponential: {mean: 2 GFLOP}}
    input: 50 KB
    output: 2 KB
workload:
  - {app: pipe, sources: phone-*, arrivals: poisson, rate: 2 /s}
  - {app: job, sources: phone-*, arrivals: closed, users: 2, think: {exponential: {mean: 0.5 s}}}
  - {app: job, sources: phone-0, arrivals: periodic, period: 0.3 s, jitter: 0.1 s}
policy: edge
"""


def _run(battery_j: float) -> dict[str, tuple[float, float]]:
    """Each phone's (drained_at, energy_j); fails instead of hanging if the clock stands still."""

    def stuck(*_: object) -> None:
        raise TimeoutError("the run did not end: simulated time stood still")

    previous = signal.signal(signal.SIGALRM, stuck)
    signal.alarm(300)
    try:
        raw = simulate(load_scenario_text(SCENARIO.replace("BATTERY", f"{battery_j} J"), source="<t>"))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    nodes = raw.nodes
    return {
        name: (drained, energy)
        for name, drained, energy in zip(nodes["node"], nodes["drained_at"], nodes["energy_j"], strict=True)
        if name.startswith("phone")
    }


def test_the_run_ends_when_a_tail_ends_within_a_clock_tick_of_a_check():
    phones = _run(60.0)  # not flat within the 20 s
    assert all(math.isnan(drained) and 0.0 < energy < 60.0 for drained, energy in phones.values())


@pytest.mark.parametrize("battery_j", [20.0])
def test_a_battery_goes_flat_at_its_capacity(battery_j):
    phones = _run(battery_j)
    assert all(0.0 < drained < 20.0 for drained, _ in phones.values())
    assert all(math.isclose(energy, battery_j, rel_tol=1e-9) for _, energy in phones.values())


def test_a_stage_cut_short_by_the_flat_battery_is_its_tasks_energy(tmp_path):
    """As docs/scenario-format.md says: the phone's tasks add up to its energy less idle × the
    time it was on, the stage its battery cut short included (by hand: idle 0.5 W; stages of 1 s
    at 2.5 W above idle from 1 s and 3 s, 5 J; the third starts at 5 s and the 10 J are reached
    at 5 s + (10 - 7.5) / 3 W = 5.8333 s, 0.8333 s of it, 2.0833 J, charged to the third task)."""
    (tmp_path / "times.csv").write_text("time\n1\n3\n5\n7\n")
    text = """
name: flat-mid-stage
duration: 20 s
nodes:
  phone:
    tier: device
    processor: {speed: 1 GFLOP/s}
    power: {idle: 0.5 W, busy: 3 W, battery: 10 J}
applications:
  job: {work: 1 GFLOP}
workload:
  - {app: job, sources: phone, arrivals: trace, trace: times.csv}
policy: local
"""
    raw = simulate(load_scenario_text(text, source="<test>", base_dir=tmp_path))
    tasks, nodes = raw.tasks, raw.nodes
    assert list(tasks["status"]) == ["completed", "completed", "failed"]  # none sent once flat
    assert tasks["reason"][2] == "battery flat at phone"
    drained = nodes["drained_at"][0]
    assert drained == pytest.approx(5 + 2.5 / 3, rel=1e-12)
    assert nodes["energy_j"][0] == pytest.approx(10.0, rel=1e-12)
    assert list(tasks["device_energy"][:2]) == pytest.approx([2.5, 2.5], rel=1e-12)
    assert tasks["device_energy"][2] == pytest.approx(2.5 * (drained - 5.0), rel=1e-12)
    assert sum(tasks["device_energy"]) == pytest.approx(10.0 - 0.5 * drained, rel=1e-12)


# Two phones upload 1 MB each to the edge over one shared 8 Mbps (1 MB/s) ap—edge link (their own
# links to ap are fast): phone-0 from 0 s, phone-1 from 0.1 s.  phone-0 draws 2 W while sending
# (idle 1 W, transmit 2 W), so its 0.5 J battery runs flat at 0.25 s, mid-upload.
SHARED_UPLOADS = """
name: flat-mid-upload
duration: 10 s
network: {model: MODEL}
nodes:
  phone-0:
    tier: device
    processor: {speed: 1 GFLOP/s}
    power: {idle: 1 W, busy: 1 W, transmit: 2 W, receive: 1 W, battery: 0.5 J}
  phone-1: {tier: device, processor: {speed: 1 GFLOP/s}}
  ap: {tier: network}
  edge: {tier: edge, processor: {speed: 1000 GFLOP/s}}
links:
  - {between: [phone-*, ap], bandwidth: 100 Mbps}
  - {between: [ap, edge], bandwidth: 8 Mbps}
applications:
  job: {work: 1 MFLOP, input: 1 MB, output: 0 B}
workload:
  - {app: job, sources: phone-0, arrivals: trace, trace: t0.csv}
  - {app: job, sources: phone-1, arrivals: trace, trace: t1.csv}
policy: edge
"""


@pytest.mark.parametrize(
    ("model", "sent_by_drain"),
    [
        # max-min: phone-0 alone at 1 MB/s for 0.1 s (100 KB), then both at 0.5 MB/s until 0.25 s
        # (75 KB each): phone-0 had sent 175 KB, phone-1 75 KB.
        ("max-min", (175_000.0, 75_000.0)),
        # fifo: phone-0, first, holds the link at 1 MB/s until 0.25 s; phone-1 waits behind it.
        ("fifo", (250_000.0, 0.0)),
    ],
)
def test_a_flat_battery_cuts_its_devices_transfers_at_once(tmp_path, model, sent_by_drain):
    """The dead radio's upload stops at the drain, its bytes so far counted: from 0.25 s phone-1
    has the whole 1 MB/s, so its last byte leaves at 0.25 s + (1 MB - what it sent) / 1 MB/s.
    (Before, the flat phone's flow ran on to its end, sharing the link: phone-1's ended at 2 s.)"""
    (tmp_path / "t0.csv").write_text("time\n0\n")
    (tmp_path / "t1.csv").write_text("time\n0.1\n")
    text = SHARED_UPLOADS.replace("MODEL", model)
    raw = simulate(load_scenario_text(text, source="<test>", base_dir=tmp_path), record_stages=True)
    nodes, links, stages, tasks = raw.nodes, raw.links, raw.stages, raw.tasks
    assert nodes["drained_at"][0] == pytest.approx(0.25, abs=1e-12)
    assert list(tasks["status"]) == ["failed", "completed"]
    assert tasks["reason"][0] == "battery flat at phone-0"
    assert stages is not None
    (upload,) = [i for i, where in enumerate(stages["where"]) if where == "phone-1>edge"]
    phone_0, phone_1 = sent_by_drain
    assert stages["end"][upload] == pytest.approx(0.25 + (1e6 - phone_1) / 1e6, abs=1e-9)
    carried = {(a, b): carried for a, b, carried in zip(links["a"], links["b"], links["bytes"], strict=True)}
    assert carried["phone-0", "ap"] == pytest.approx(phone_0, abs=1e-3)  # the cut flow's bytes, as sent
    assert carried["ap", "edge"] == pytest.approx(phone_0 + 1e6, abs=1e-3)
    busy = dict(zip(zip(links["a"], links["b"], strict=True), links["busy_s"], strict=True))
    assert busy["ap", "edge"] == pytest.approx(0.25 + (1e6 - phone_1) / 1e6, abs=1e-9)


def test_a_transfer_through_a_flat_device_fails_for_its_battery(tmp_path):
    """A device relaying another's transfer cuts it as it dies: the task fails, with its reason.

    phone-0 (idle 1 W, 0.25 J) sits between phone-1 and the access point and runs flat at 0.25 s,
    while phone-1's 1 MB upload at 1 MB/s (from 0 s) is a quarter through.  (phone-0 sends a byte
    of its own at 0 s: a meter looks at its battery as its radio or processors change, and a
    relay's flow is not its radio's, so a device never active would not be looked at.)"""
    (tmp_path / "t1.csv").write_text("time\n0\n")
    text = """
name: flat-relay
duration: 10 s
nodes:
  phone-0:
    tier: device
    processor: {speed: 1 GFLOP/s}
    power: {idle: 1 W, busy: 1 W, transmit: 1 W, receive: 1 W, battery: 0.25 J}
  phone-1: {tier: device, processor: {speed: 1 GFLOP/s}}
  ap: {tier: network}
  edge: {tier: edge, processor: {speed: 1000 GFLOP/s}}
links:
  - {between: [phone-1, phone-0], bandwidth: 8 Mbps}
  - {between: [phone-0, ap], bandwidth: 8 Mbps}
  - {between: [ap, edge], bandwidth: 8 Mbps}
applications:
  job: {work: 1 MFLOP, input: 1 MB, output: 0 B}
  ping: {work: 1 MFLOP, input: 1 B, output: 0 B}
workload:
  - {app: job, sources: phone-1, arrivals: trace, trace: t1.csv}
  - {app: ping, sources: phone-0, arrivals: trace, trace: t1.csv}
policy: edge
"""
    raw = simulate(load_scenario_text(text, source="<test>", base_dir=tmp_path))
    assert raw.nodes["drained_at"][0] == pytest.approx(0.25, abs=1e-12)
    tasks = raw.tasks
    status = dict(zip(tasks["source"], tasks["status"], strict=True))
    assert status == {"phone-0": "completed", "phone-1": "failed"}
    assert dict(zip(tasks["source"], tasks["reason"], strict=True))["phone-1"] == "battery flat at phone-0"
    # phone-1's flow sent 250 KB by the drain (but the byte's share of two microseconds), then stopped.
    cut = [250_000.0, 0.0, 250_000.0, 0.0, 250_000.0, 0.0]
    assert list(raw.links["bytes"]) == pytest.approx(cut, abs=2.0)


def test_a_flat_battery_cuts_an_llm_requests_prompt_on_its_way():
    """The ``llm`` kind sends its own flows: the prompt's 512 B leave phone-0 at 1 kbps (125 B/s)
    from the request's arrival; idle 1 W, 2 W while sending, 3 J: flat at arrival + (3 J - arrival
    × 1 W) / 2 W, when the prompt stops on both links (before, all 512 B went on to the edge)."""
    text = """
name: flat-llm
duration: 8 s
nodes:
  phone-0:
    tier: device
    processor: {profile: cortex-a76, cores: 1}
    power: {idle: 1 W, busy: 1 W, transmit: 2 W, receive: 1 W, battery: 3 J}
  ap: {tier: network}
  edge: {tier: edge, processor: {profile: jetson-orin, cores: 1}}
links:
  - {between: [phone-0, ap], bandwidth: 1 kbps}
  - {between: [ap, edge], bandwidth: 1 Gbps}
applications:
  chat: {model: llama-3.2-1b, prompt_tokens: 64, output_tokens: 4, hosts: [edge]}
workload:
  - {app: chat, sources: phone-0, arrivals: periodic, period: 5 s}
policy: edge
"""
    raw = simulate(load_scenario_text(text, source="<test>"))
    (arrival,) = raw.tasks["arrival"]
    assert list(raw.tasks["reason"]) == ["battery flat at phone-0"]
    drained = raw.nodes["drained_at"][0]
    assert drained == pytest.approx(arrival + (3.0 - arrival) / 2.0, abs=1e-9)
    assert 0.0 < drained - arrival < 512 / 125
    sent = 125.0 * (drained - arrival)
    assert list(raw.links["bytes"]) == pytest.approx([sent, 0.0, sent, 0.0], abs=1e-6)


@pytest.mark.parametrize("model", ["max-min", "fifo"])
def test_a_battery_flat_as_a_transfer_starts_sends_none_of_it(tmp_path, model):
    """The meter finds the battery flat as the upload's radio turns on at 1 s (half a nanojoule
    left: within its tolerance), before the kernel hands the flow to the network: not a byte of it
    moves (before, its megabyte crossed both links of the flat phone's route).  The phone's links
    are down by then, and the link model aborts a flow started over a link that is down."""
    (tmp_path / "t.csv").write_text("time\n1\n")
    text = """
name: flat-as-it-sends
duration: 10 s
network: {model: MODEL}
nodes:
  phone-0: {tier: device, processor: {speed: 1 GFLOP/s}, power: {idle: 1 W, battery: 1.0000000005 J}}
  ap: {tier: network}
  edge: {tier: edge, processor: {speed: 1000 GFLOP/s}}
links:
  - {between: [phone-0, ap], bandwidth: 8 Mbps}
  - {between: [ap, edge], bandwidth: 8 Mbps}
applications:
  job: {work: 1 MFLOP, input: 1 MB, output: 0 B}
workload:
  - {app: job, sources: phone-0, arrivals: trace, trace: t.csv}
policy: edge
"""
    raw = simulate(load_scenario_text(text.replace("MODEL", model), source="<test>", base_dir=tmp_path))
    assert raw.nodes["drained_at"][0] == 1.0
    assert list(raw.tasks["reason"]) == ["battery flat at phone-0"]
    assert list(raw.links["bytes"]) == [0.0, 0.0, 0.0, 0.0]
    assert list(raw.links["busy_s"]) == [0.0, 0.0, 0.0, 0.0]


IDLE = """
name: idle-battery
duration: 10 s
nodes:
  phone-0: {tier: device, processor: {speed: 1 GFLOP/s}, power: {idle: 1 W, busy: 2 W, battery: 0.25 J}}
  phone-1: {tier: device, processor: {speed: 1 GFLOP/s}, power: {idle: 0.5 W, battery: 1.9 J}}
  ap: {tier: network}
  edge: {tier: edge, processor: {speed: 1000 GFLOP/s}}
links:
  - {between: [phone-*, ap], bandwidth: 8 Mbps}
  - {between: [ap, edge], bandwidth: 8 Mbps}
applications:
  job: {work: 1 MFLOP, input: 1 KB, output: 0 B}
workload:
  - {app: job, sources: phone-1, arrivals: periodic, period: 1 s}
policy: local
"""


def test_a_battery_that_only_idles_runs_flat_at_capacity_over_idle_power():
    # phone-0 never computes nor sends: only its idle draw empties it, at 0.25 J / 1 W = 0.25 s
    # (the meter used to look at a battery only when its draw changed, so it never ran flat).
    # phone-1 computes 1 ms a second but, with no busy power given, draws its idle 0.5 W
    # throughout: flat at 1.9 J / 0.5 W = 3.8 s, and its arrivals from then on make no task.
    raw = simulate(load_scenario_text(IDLE, source="<t>"))
    nodes = {name: row for row, name in enumerate(raw.nodes["node"])}
    drained, energy = raw.nodes["drained_at"], raw.nodes["energy_j"]
    assert math.isclose(drained[nodes["phone-0"]], 0.25, rel_tol=1e-12)
    assert math.isclose(energy[nodes["phone-0"]], 0.25, rel_tol=1e-12)
    assert math.isclose(drained[nodes["phone-1"]], 3.8, rel_tol=1e-12)
    assert math.isclose(energy[nodes["phone-1"]], 1.9, rel_tol=1e-12)
    assert len(raw.tasks["task_id"]) == 4  # arrivals at 0, 1, 2 and 3 s; none once flat at 3.8 s


# A mesh: phone-1 reaches the access point through phone-0 (2 ms) or, slower, through phone-2
# (10 ms).  phone-0 only idles (1 W) on a 0.25 J battery: flat at 0.25 s, down for good from then.
MESH = """
name: flat-mesh
duration: 10 s
nodes:
  phone-0: {tier: device, processor: {speed: 1 GFLOP/s}, power: {idle: 1 W, battery: 0.25 J}}
  phone-1: {tier: device, processor: {speed: 1 GFLOP/s}}
  phone-2: {tier: device, processor: {speed: 1 GFLOP/s}}
  ap: {tier: network}
  edge: {tier: edge, processor: {speed: 1000 GFLOP/s}}
links:
  - {between: [phone-1, phone-0], bandwidth: 8 Mbps, latency: 1 ms}
  - {between: [phone-0, ap], bandwidth: 8 Mbps, latency: 1 ms}
  - {between: [phone-1, phone-2], bandwidth: 8 Mbps, latency: 5 ms}
  - {between: [phone-2, ap], bandwidth: 8 Mbps, latency: 5 ms}
  - {between: [ap, edge], bandwidth: 8 Mbps}
applications:
  job: {work: 1 MFLOP, input: 1 MB, output: 0 B}
workload:
  - {app: job, sources: phone-1, arrivals: trace, trace: t.csv}
policy: edge
"""


def _mesh(tmp_path, times, text=MESH, policy=None):
    (tmp_path / "t.csv").write_text("time\n" + "".join(f"{t}\n" for t in times))
    scenario = load_scenario_text(text, source="<test>", base_dir=tmp_path)
    return simulate(scenario, policy=policy)


def _by_direction(links, column):
    return {(a, b): value for a, b, value in zip(links["a"], links["b"], links[column], strict=True)}


def test_a_route_no_longer_relays_through_a_flat_phone(tmp_path):
    """phone-1's upload at 1 s goes round by phone-2: not a byte crosses the dead phone-0 (before,
    its megabyte was relayed by phone-0 as if it were alive)."""
    raw = _mesh(tmp_path, [1])
    assert raw.nodes["drained_at"][0] == pytest.approx(0.25, abs=1e-12)
    assert list(raw.tasks["status"]) == ["completed"]
    carried = _by_direction(raw.links, "bytes")
    assert carried["phone-1", "phone-0"] == carried["phone-0", "ap"] == 0.0
    assert carried["phone-1", "phone-2"] == carried["phone-2", "ap"] == carried["ap", "edge"] == 1e6
    # 1 MB at 1 MB/s plus the 10 ms of phone-2's route, both ways (the empty reply's latency back).
    assert raw.tasks["latency"][0] == pytest.approx(1.0 + 0.010 + 1e-6 + 0.010, abs=1e-9)


def test_with_no_other_route_the_policy_sees_the_edge_unreachable(tmp_path):
    """Without phone-2, the edge is out of phone-1's reach once phone-0 is flat: ``edge`` runs the
    task on phone-1 itself, as when phone-0 goes down (before, it sent it through phone-0)."""
    text = MESH.replace("  - {between: [phone-1, phone-2], bandwidth: 8 Mbps, latency: 5 ms}\n", "")
    raw = _mesh(tmp_path, [1], text)
    assert list(raw.tasks["status"]) == ["completed"]
    assert list(raw.tasks["final_node"]) == ["phone-1"]
    assert set(raw.links["bytes"]) == {0.0}


def test_a_flat_phones_links_are_down_in_the_links_table_from_the_drain(tmp_path):
    """By hand: phone-0's two links (both ways) carried traffic for 0.25 s of the 10 s, so their
    availability is 0.025 and their mean capacity 0.025 × 8 Mbps; every other link's stays whole."""
    links = _mesh(tmp_path, [1]).links
    availability = _by_direction(links, "availability")
    mean_capacity = _by_direction(links, "mean_capacity")
    dead = {("phone-1", "phone-0"), ("phone-0", "phone-1"), ("phone-0", "ap"), ("ap", "phone-0")}
    for direction, value in availability.items():
        assert value == pytest.approx(0.025 if direction in dead else 1.0, rel=1e-12), direction
        expected = 8e6 * (0.025 if direction in dead else 1.0)
        assert mean_capacity[direction] == pytest.approx(expected, rel=1e-12), direction


def test_a_policy_that_places_a_stage_on_a_flat_phone_sends_nothing(tmp_path):
    """A plug-in policy that ignores ``view.is_up`` and places phone-1's task on phone-0 after its
    battery ran flat: the plan is refused as one on a node down is (phone-0 is out of reach), the
    task dropped with that reason, and no byte leaves (before, the megabyte was sent to the dead
    phone, whose processor then refused it)."""

    @register_policy("onto-phone-0")
    class OntoPhone0:
        """Always phone-0, up or not."""

        def decide(self, task, view):
            return Plan(("phone-0",))

    try:
        raw = _mesh(tmp_path, [1], policy=PolicySpec("onto-phone-0"))
    finally:
        unregister_policy("onto-phone-0")
    assert list(raw.tasks["status"]) == ["dropped"]
    assert list(raw.tasks["reason"]) == [
        'policy "onto-phone-0" placed a task on "phone-0", unreachable from its source'
    ]
    assert set(raw.links["bytes"]) == {0.0}


@pytest.mark.parametrize(
    ("down", "up", "on_s"),
    [
        ("2 s", "3 s", 0.25),  # the schedule's window after the drain at 0.25 s: up until then
        ("0.1 s", "0.5 s", 0.1),  # the battery runs flat (on its idle draw) inside the window
    ],
)
def test_a_node_schedule_does_not_revive_a_flat_phone(tmp_path, down, up, on_s):
    """A ``node-schedule`` takes phone-0 down and lets it up; its battery runs flat at 0.25 s,
    after the window or inside it: the schedule's ``up`` ends the schedule's own outage, not the
    battery's.  phone-0 and its links stay down to the end (up ``on_s`` of the 10 s) and the
    upload at 5 s goes round by phone-2 (before, the schedule's ``up`` brought the links back,
    and the route through phone-0)."""
    text = MESH + (
        "dynamics:\n  - kind: node-schedule\n    node: phone-0\n"
        f"    steps: [{{at: {down}, up: false}}, {{at: {up}, up: true}}]\n"
    )
    raw = _mesh(tmp_path, [5], text)
    assert raw.nodes["drained_at"][0] == pytest.approx(0.25, abs=1e-12)
    assert list(raw.tasks["status"]) == ["completed"]
    carried = _by_direction(raw.links, "bytes")
    assert carried["phone-1", "phone-0"] == 0.0 and carried["phone-1", "phone-2"] == 1e6
    assert _by_direction(raw.links, "availability")["phone-0", "ap"] == pytest.approx(on_s / 10, rel=1e-12)
    nodes = dict(zip(raw.nodes["node"], raw.nodes["availability"], strict=True))
    assert nodes["phone-0"] == pytest.approx(on_s / 10, rel=1e-12)


def test_runs_of_one_built_world_do_not_see_each_others_flat_battery(tmp_path):
    """The flat phone goes down in the run's own topology, never the world's: a second run of the
    same built world (as compare and sweep make them) starts with phone-0 up and gives the same
    records as the first, and as a run of a world built afresh."""
    (tmp_path / "t.csv").write_text("time\n0.1\n1\n2\n")
    scenario = load_scenario_text(MESH, source="<test>", base_dir=tmp_path)
    world = build_world(scenario)
    runs = [simulate(world), simulate(world), simulate(build_world(scenario))]
    assert world.topology.node_up("phone-0")
    first = runs[0]
    # The first upload, at 0.1 s, went through phone-0 and was cut as its battery ran flat.
    assert first.tasks["reason"][0] == "battery flat at phone-0"
    assert _by_direction(first.links, "availability")["phone-0", "ap"] == pytest.approx(0.025, rel=1e-12)
    for other in runs[1:]:
        np.testing.assert_equal(other.links, first.links)
        np.testing.assert_equal(other.nodes, first.nodes)
        for column in TASK_COLUMNS:
            np.testing.assert_equal(np.asarray(other.tasks[column]), np.asarray(first.tasks[column]), column)


CITY = """
name: flat-city
duration: 30 s
seed: 4
nodes:
  phone:
    count: 24
    tier: device
    processor: {speed: 5 GFLOP/s}
    power: {idle: 0.5 W, busy: 3 W, transmit: 1.3 W, receive: 1 W, tail: 0.1 s, battery: 10 J}
  ap: {count: 3, tier: network}
  edge: {count: 2, tier: edge, processor: {speed: 100 GFLOP/s, cores: 2}}
  cloud: {tier: cloud, processor: {speed: 1 TFLOP/s, cores: 8}}
links:
  - {between: ["phone-*[0-3]", ap-0], bandwidth: 20 Mbps, latency: 2 ms}
  - {between: ["phone-*[4-6]", ap-1], bandwidth: 20 Mbps, latency: 2 ms}
  - {between: ["phone-*[7-9]", ap-2], bandwidth: 20 Mbps, latency: 2 ms}
  - {between: [ap-*, edge-0], bandwidth: 200 Mbps, latency: 1 ms}
  - {between: [ap-*, edge-1], bandwidth: 200 Mbps, latency: 3 ms}
  - {between: [edge-*, cloud], bandwidth: 1 Gbps, latency: 20 ms}
applications:
  infer:
    work: {exponential: {mean: 2 GFLOP}}
    input: {exponential: {mean: 100 KB}}
    output: 2 KB
workload:
  - {app: infer, sources: phone-*, arrivals: poisson, rate: 2 /s}
policy: edge
"""


@pytest.mark.parametrize("policy", ["edge", "least-loaded"])
def test_a_flat_phone_on_its_access_point_is_forgotten_in_place_with_the_same_records(monkeypatch, policy):
    """A phone hanging off its access point going flat moves only its own place in the topology's
    peeled trees and the view's answers (``Change.leaf``), as a handover does: the run's records are
    those of the same run where every drain drops every route, search and answer."""
    scenario = load_scenario_text(CITY.replace("policy: edge", f"policy: {policy}"), source="<test>")
    heard = []
    real = Topology._changed

    def listen(self, change, routes):
        heard.append(change)
        real(self, change, routes)

    monkeypatch.setattr(Topology, "_changed", listen)
    in_place = simulate(scenario)
    drained = [c for c in heard if c.what == "node-up"]
    assert len(drained) == 24 and all(c.leaf for c in drained)  # every phone ran flat, each a leaf
    monkeypatch.setattr(Topology, "_moved_leaf", lambda *_: False)  # the full recount, every time
    heard.clear()
    flushed = simulate(scenario)
    assert not any(c.leaf for c in heard)
    np.testing.assert_equal(in_place.nodes, flushed.nodes)
    np.testing.assert_equal(in_place.links, flushed.links)
    for column in TASK_COLUMNS:
        np.testing.assert_equal(np.asarray(in_place.tasks[column]), np.asarray(flushed.tasks[column]), column)


# A phone that draws nothing idle, 1 W computing, on a battery far below a nanojoule: it computes
# its one task from 1 s, so it runs flat 1e-12 J / 1 W after that, not before.
TINY_BATTERY = """
name: tiny-battery
duration: 5 s
nodes:
  phone: {tier: device, processor: {speed: 1 GFLOP/s}, power: {idle: 0 W, busy: 1 W, battery: 1e-12 J}}
  idler: {tier: device, processor: {speed: 1 GFLOP/s}, power: {idle: 0 W, busy: 1 W, battery: 1e-12 J}}
applications:
  job: {work: 1 GFLOP}
workload:
  - {app: job, sources: phone, arrivals: trace, trace: t.csv}
policy: local
"""


def test_a_battery_below_a_nanojoule_runs_flat_when_it_has_drawn_its_capacity_not_at_0_s(tmp_path):
    """The meter called a battery flat once within a nanojoule of its capacity, so one of less than
    a nanojoule was flat at 0 s (its drained_at 0, its energy 0 J), having drawn nothing."""
    (tmp_path / "t.csv").write_text("time\n1\n")
    raw = simulate(load_scenario_text(TINY_BATTERY, source="<t>", base_dir=tmp_path))
    nodes = {name: row for row, name in enumerate(raw.nodes["node"])}
    drained, energy = raw.nodes["drained_at"], raw.nodes["energy_j"]
    assert math.isnan(drained[nodes["idler"]]) and energy[nodes["idler"]] == 0.0  # drew nothing
    assert math.isclose(drained[nodes["phone"]], 1.0 + 1e-12, rel_tol=1e-15)
    assert math.isclose(energy[nodes["phone"]], 1e-12, rel_tol=1e-6)
    assert list(raw.tasks["status"]) == ["failed"]  # its stage cut short by the flat battery
