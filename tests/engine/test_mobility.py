"""Mobility and handover: exact events of a handover mid-transfer under each in-flight rule, the
random waypoint's area and coverage, the radio's rate by hand, determinism, and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from offloadsim.engine import simulate
from offloadsim.scenario import load_scenario_text
from offloadsim.world import WorldError, build_world
from offloadsim.world.dynamics.mobility import Mobility, _Walkers
from offloadsim.world.radio import Radio, path_loss_db, shannon_bps

# A phone walks at 10 m/s from x = 10 m (t = 0) to x = 90 m (t = 8 s) between ap-0 (x = 0) and
# ap-1 (x = 100), each covering 60 m.  Sampled each second, it is at 60 m at 5 s (still covered)
# and at 70 m at 6 s: it hands over to ap-1 at 6 s.  Radio links: 1 MB/s; ap-0's 5 ms, ap-1's 10 ms.
BASE = """
name: walk
duration: 20 s
nodes:
  phone: {tier: device, processor: {speed: 10 GFLOP/s}}
  ap: {count: 2, tier: network}
  edge: {tier: edge, processor: {speed: 100 GFLOP/s}}
links:
  - {between: [phone, ap-0], bandwidth: 8 Mbps, latency: 5 ms}
  - {between: [phone, ap-1], bandwidth: 8 Mbps, latency: 10 ms}
  - {between: [ap-*, edge], bandwidth: 1 Gbps, latency: 1 ms}
applications:
  job:
    stages: [{work: WORK}]
    input: INPUT
    output: 1 KB
workload:
  - {app: job, sources: phone, arrivals: trace, trace: arrivals.csv}
policy: {name: fixed, nodes: [edge]}
dynamics:
  - kind: mobility
    devices: phone
    access_points:
      - {node: ap-0, position: [0 m, 0 m], radius: 60 m}
      - {node: ap-1, position: [100 m, 0 m], radius: 60 m}
    file: walk.csv
    update: 1 s
    in_flight: RULE
"""


def scenario(tmp_path, rule="continue", times="1.0", work="1 GFLOP", size="8 MB", extra="", walk=None):
    (tmp_path / "arrivals.csv").write_text("time\n" + "\n".join(times.split()) + "\n")
    (tmp_path / "walk.csv").write_text(walk or "time,node,x,y\n0,phone,10,0\n8,phone,90,0\n")
    text = BASE.replace("RULE", rule).replace("WORK", work).replace("INPUT", size) + extra
    return load_scenario_text(text, source="<test>", base_dir=tmp_path)


def run(tmp_path, **kw):
    return simulate(scenario(tmp_path, **kw), record_stages=True)


def transfers(raw):
    stages = raw.stages
    return [
        (where, round(float(start), 9), round(float(end), 9))
        for kind, where, start, end in zip(
            stages["kind"], stages["where"], stages["start"], stages["end"], strict=True
        )
        if kind == "transfer"
    ]


def test_continue_sends_the_bytes_left_over_the_new_route(tmp_path):
    raw = run(tmp_path, rule="continue")
    # By hand: 8 MB up from 1 s at 1 MB/s: 5 MB by the handover at 6 s; the last 3 MB over ap-1 from
    # 6 s leave at 9 s and land 10 + 1 ms later.  10 ms compute; 1 KB back at 1 MB/s + 11 ms.
    up = 9.0 + 0.011
    finish = up + 0.010 + 0.001 + 0.011
    assert transfers(raw) == [("phone>edge", 1.0, round(up, 9)), ("edge>phone", 9.021, round(finish, 9))]
    tasks = raw.tasks
    assert tasks["status"][0] == "completed"
    assert tasks["latency"][0] == pytest.approx(finish - 1.0, rel=1e-12)
    assert tasks["handovers"][0] == 1.0
    assert tasks["bytes_sent"][0] == 8e6 + 1e3  # the step's bytes, once
    links = raw.links
    carried = {(a, b): n for a, b, n in zip(links["a"], links["b"], links["bytes"], strict=True)}
    assert carried[("phone", "ap-0")] == pytest.approx(5e6)  # each link carried what crossed it
    assert carried[("phone", "ap-1")] == pytest.approx(3e6)


def test_restart_sends_the_whole_step_again_over_the_new_route(tmp_path):
    raw = run(tmp_path, rule="restart")
    # All 8 MB again from 6 s: the last byte leaves at 14 s.
    up = 14.0 + 0.011
    finish = up + 0.010 + 0.001 + 0.011
    assert transfers(raw) == [("phone>edge", 1.0, round(up, 9)), ("edge>phone", 14.021, round(finish, 9))]
    assert raw.tasks["latency"][0] == pytest.approx(finish - 1.0, rel=1e-12)
    carried = {(a, b): n for a, b, n in zip(raw.links["a"], raw.links["b"], raw.links["bytes"], strict=True)}
    assert carried[("phone", "ap-1")] == pytest.approx(8e6)


def test_fail_ends_the_task_at_the_handover_through_the_kernels_abort(tmp_path):
    raw = run(tmp_path, rule="fail", times="1.0 6.5")
    tasks = raw.tasks
    assert list(tasks["status"]) == ["failed", "completed"]
    assert tasks["reason"][0] == "link down on the way from phone to edge"
    assert tasks["handovers"][0] == 1.0
    # The next task goes over ap-1 from the start: 8 s up + 11 ms, 10 ms, 1 ms + 11 ms back.
    assert tasks["latency"][1] == pytest.approx(8.0 + 0.011 + 0.010 + 0.001 + 0.011, rel=1e-12)
    assert tasks["handovers"][1] == 0.0
    assert raw.counters == {"arrived": 2, "dropped": 0, "completed": 1, "failed": 1}


@pytest.mark.parametrize("rule", ["continue", "restart", "fail"])
def test_a_later_step_of_a_plan_compiled_before_the_handover_takes_the_new_route(tmp_path, rule):
    # Up at 5.5 s (1 KB: 1 ms + 6 ms over ap-0), 1 s of compute at the edge across the handover at
    # 6 s, then 1 KB back over ap-1: 1 ms + 11 ms.  Nothing was in flight on the radio at 6 s.
    raw = run(tmp_path, rule=rule, times="5.5", work="100 GFLOP", size="1 KB")
    assert transfers(raw) == [("phone>edge", 5.5, 5.507), ("edge>phone", 6.507, 6.519)]
    assert raw.tasks["handovers"][0] == 1.0


def test_a_device_out_of_reach_is_cut_off_and_policies_see_its_attachment(tmp_path):
    from offloadsim.engine.simulation import Simulation
    from offloadsim.policies.registry import make_policy

    walk = "time,node,x,y\n0,phone,10,0\n2,phone,50,0\n3,phone,50,0\n4,phone,250,0\n"
    # At 4 s the phone is 250 m from ap-0 and 150 m from ap-1, each covering 60 m: out of reach.
    world = build_world(scenario(tmp_path, walk=walk, times="4.5", size="1 KB"))
    sim = Simulation(world, make_policy("fixed", {"nodes": ["edge"]}), "fixed", seed=1)
    seen = []
    for t in (0.5, 2.5, 3.5, 4.5):
        sim.env.timeout(t).callbacks.append(lambda _, t=t: seen.append((t, sim.view.attachment("phone"))))
    raw = sim.run()
    # 3.5: sampled at 3 s (x = 50: ap-0 still covers it); at 4 s x = 150: nobody covers it.
    assert seen == [(0.5, "ap-0"), (2.5, "ap-0"), (3.5, "ap-0"), (4.5, None)]
    assert list(raw.tasks["status"]) == ["dropped"]  # fixed's edge is unreachable: rejected


def test_the_view_answers_for_the_new_access_point_after_a_handover(tmp_path):
    from offloadsim.engine.simulation import Simulation
    from offloadsim.policies.registry import make_policy

    world = build_world(scenario(tmp_path, size="1 KB"))
    sim = Simulation(world, make_policy("edge"), "edge", seed=1)
    seen = []

    def look(_):
        view = sim.view
        seen.append((view.nearest("phone", "edge"), view.route_latency_s("phone", "edge")))

    for t in (0.5, 5.5, 6.5):
        sim.env.timeout(t).callbacks.append(look)
    sim.run()
    assert seen == [("edge", 0.006), ("edge", 0.006), ("edge", 0.011)]


def test_path_loss_and_shannon_against_a_hand_computed_value():
    # 23 dBm out, 40 dB at 1 m, exponent 3: at 100 m the loss is 40 + 30 log10(100) = 100 dB, so
    # -77 dBm arrives; over -95 dBm of noise that is 18 dB: 20 MHz x log2(1 + 10^1.8).
    assert float(path_loss_db(100.0, 3.0, 40.0)) == pytest.approx(100.0)
    assert float(path_loss_db(0.5, 3.0, 40.0)) == pytest.approx(40.0)  # within the reference distance
    expected = 20e6 * math.log2(1.0 + 10.0**1.8)
    assert float(shannon_bps(20e6, 18.0)) == pytest.approx(expected, rel=1e-12)
    radio = Radio(20e6, 23.0, -95.0, 3.0, 40.0)
    assert float(radio.rate_bps(100.0)) == pytest.approx(expected, rel=1e-12)


def test_the_radio_link_carries_its_shannon_rate_in_a_run(tmp_path):
    # The phone stands 100 m from ap-0 (radius 150 m): uplink as above; ap-0 sends at 30 dBm.
    extra = (
        "    radio: {bandwidth: 20 MHz, transmit_power: 23 dBm, noise: -95 dBm, exponent: 3, "
        "reference_loss: 40 dB}\n"
    )
    walk = "time,node,x,y\n0,phone,100,0\n"
    text = BASE.replace(
        "radius: 60 m}\n      - {node: ap-1", "radius: 150 m, transmit_power: 30 dBm}\n      - {node: ap-1"
    )
    (tmp_path / "arrivals.csv").write_text("time\n1.0\n")
    (tmp_path / "walk.csv").write_text(walk.replace("100,0", "0,100"))
    scen = load_scenario_text(
        text.replace("RULE", "continue").replace("WORK", "1 GFLOP").replace("INPUT", "8 MB") + extra,
        source="<test>",
        base_dir=tmp_path,
    )
    raw = simulate(scen)
    up = 20e6 * math.log2(1.0 + 10.0**1.8) / 8  # bytes/s at 100 m from ap-0
    down = 20e6 * math.log2(1.0 + 10.0**2.5) / 8  # 30 dBm: 25 dB of SNR
    # ap-1 is 141 m away (radius 60 m): ap-0 serves it throughout.
    expected = 8e6 / up + 0.006 + 0.010 + 1e3 / down + 0.006
    assert raw.tasks["latency"][0] == pytest.approx(expected, rel=1e-9)


WAYPOINTS = """
name: waypoints
duration: 600 s
nodes:
  phone: {count: 6, tier: device, processor: {speed: 10 GFLOP/s}}
  ap: {count: 3, tier: network}
  edge: {tier: edge, processor: {speed: 100 GFLOP/s}}
links:
  - {between: [phone-*, ap-*], bandwidth: 20 Mbps, latency: 2 ms}
  - {between: [ap-*, edge], bandwidth: 1 Gbps, latency: 1 ms}
applications:
  job: {stages: [{work: 1 GFLOP}], input: 200 KB, output: 1 KB}
workload:
  - {app: job, sources: phone-*, arrivals: poisson, rate: 1 /s}
policy: edge
dynamics:
  - kind: mobility
    devices: phone-*
    access_points:
      - {node: ap-0, position: [50 m, 50 m], radius: 80 m}
      - {node: ap-1, position: [200 m, 50 m], radius: 80 m}
      - {node: ap-2, position: [350 m, 50 m], radius: 60 m}
    random_waypoint: {area: [400 m, 100 m], speed: [1 m/s, 10 m/s], pause: 2 s}
    update: 0.5 s
    attach: ATTACH
"""


@pytest.mark.parametrize("attach", ["nearest", "strongest"])
def test_random_waypoint_stays_in_its_area_and_attachment_follows_coverage(attach):
    extra = (
        "    radio: {bandwidth: 20 MHz, transmit_power: 23 dBm, noise: -95 dBm, exponent: 3, "
        "reference_loss: 40 dB}\n"
        if attach == "strongest"
        else ""
    )
    world = build_world(load_scenario_text(WAYPOINTS.replace("ATTACH", attach) + extra, source="<t>"))
    (entry,) = world.dynamics
    spec = entry.spec
    walkers = _Walkers(spec.motion, spec.devices, np.random.default_rng(11))
    events = Mobility().timeline(spec, np.random.default_rng(11))
    ap = np.array([[p.x, p.y] for p in spec.access_points])
    radius = np.array([p.radius_m for p in spec.access_points])
    index = {point.node: j for j, point in enumerate(spec.access_points)}
    topology = world.topology.fork()  # the samples hand over when applied, as in a run
    heard = []
    topology.watch(lambda change: heard.append(change.what))
    attached = {device: -1 for device in spec.devices}
    handovers = 0
    pending = next(events)
    for step in range(1200):
        t = step * 0.5
        x, y = walkers.at(t)
        assert np.all((x >= 0) & (x <= 400) & (y >= 0) & (y <= 100))
        before = dict(attached)
        heard.clear()
        while pending is not None and pending[0] == t:
            with topology.applying(0):
                pending[1].apply(topology)
            pending = next(events)
        handovers += heard.count("handover") if step > 0 else 0
        for device in spec.devices:
            where = topology.attachment(device)
            attached[device] = index[where] if where is not None else -1
        for i, device in enumerate(spec.devices):
            distance = np.hypot(x[i] - ap[:, 0], y[i] - ap[:, 1])
            covered = distance <= radius
            now, was = attached[device], before[device]
            if step > 0 and was >= 0 and covered[was]:
                assert now == was  # no handover while covered
            elif covered.any():
                assert now >= 0 and covered[now]
                if attach == "nearest":
                    assert distance[now] == distance[covered].min()
                else:  # same transmit power everywhere: strongest is nearest here too
                    assert distance[now] == pytest.approx(distance[covered].min())
            else:
                assert now == -1
    assert handovers > 20  # the walk crossed cells many times


def test_a_mobile_run_is_deterministic_for_a_seed_and_differs_across_seeds():
    scen = load_scenario_text(WAYPOINTS.replace("ATTACH", "nearest").replace("600 s", "60 s"), source="<t>")
    world = build_world(scen)
    first, second = simulate(world, seed=3), simulate(world, seed=3)
    other = simulate(world, seed=4)
    for name in ("latency", "handovers", "placement"):
        np.testing.assert_array_equal(first.tasks[name], second.tasks[name])
    assert np.nansum(first.tasks["handovers"]) > 0
    assert list(first.tasks["latency"]) != list(other.tasks["latency"])
    assert world.topology.version == 0


def test_a_run_without_mobility_has_no_handover_values(tmp_path):
    scen = load_scenario_text(
        WAYPOINTS.split("dynamics:")[0].replace("phone-*, ap-*", "phone-*, ap-0"), source="<t>"
    )
    assert np.isnan(simulate(scen).tasks["handovers"]).all()


BAD_TRACE = "time,node,x,y\n0,phone,10,0\n"


@pytest.mark.parametrize(
    ("edit", "walk", "message"),
    [
        (
            ("node: ap-1,", "node: ap-9,"),
            None,
            "dynamics[0].access_points[1].node: expected the name of a node",
        ),
        (
            ("devices: phone", "devices: edge"),
            None,
            'dynamics[0].devices: "edge" is not a device (tier edge)',
        ),
        (("devices: phone", "devices: tablet-*"), None, 'dynamics[0].devices: "tablet-*" matches no node'),
        (
            ("radius: 60 m}\n", "radius: 0 m}\n"),
            None,
            "dynamics[0].access_points[0].radius: expected a positive",
        ),
        (
            ("radius: 60 m}\n", "radius: 60 s}\n"),
            None,
            "dynamics[0].access_points[0].radius: expected a length",
        ),
        (
            ("in_flight: continue", "in_flight: resume"),
            None,
            "dynamics[0].in_flight: expected one of continue",
        ),
        (("update: 1 s", "update: 0 s"), None, "dynamics[0].update: expected a positive time"),
        (("file: walk.csv", "file: nowhere.csv"), None, "dynamics[0].file: nowhere.csv: no such file"),
        ((), "time,node,x\n0,phone,1\n", "dynamics[0].file: walk.csv, line 1: expected a header row"),
        (  # the devices it moves named, and the closest (HB35's trial: a position trace naming "phone-9")
            (),
            "time,node,x,y\n0,phonee,1,1\n",
            'dynamics[0].file: walk.csv, line 2: "phonee" is not one of the devices it moves: "phone" '
            '(did you mean "phone"?)',
        ),
        (
            (),
            "time,node,x,y\n0,phone,-1,1\n",
            'dynamics[0].file: walk.csv, line 2, column "x": expected a non-negative',
        ),
        ((), "time,node,x,y\n2,phone,1,1\n1,phone,1,1\n", "dynamics[0].file: walk.csv, line 3: time 1 s"),
        (
            ("file: walk.csv", "random_waypoint: {area: [100 m, 0 m], speed: 1 m/s}"),
            None,
            "dynamics[0].random_waypoint.area[1]: expected a positive length",
        ),
        (
            ("file: walk.csv", "random_waypoint: {area: [100 m, 10 m], speed: [2 m/s, 1 m/s]}"),
            None,
            # it said "got a list", naming neither value
            "dynamics[0].random_waypoint.speed: expected [low, high] with low <= high, got low 2 m/s above "
            "high 1 m/s",
        ),
        (("in_flight: continue", "attach: strongest"), None, "dynamics[0].attach: strongest ranks access"),
        (
            ("node: ap-1,", "node: ap-0,"),
            None,
            'dynamics[0].access_points[1].node: "ap-0" is given twice, here and at access_points[0]: an',
        ),
        (  # a model and a trace: which one moves them?
            ("file: walk.csv", "file: walk.csv\n    random_waypoint: {area: [100 m, 10 m], speed: 1 m/s}"),
            None,
            "dynamics[0]: expected one of random_waypoint (a model) or file (a trace of positions), not both",
        ),
        (
            ("file: walk.csv", "trace: walk.csv"),
            None,
            'dynamics[0]: unknown key "trace"; expected one of kind, devices, access_points, update, '
            "random_waypoint, file, attach, in_flight, radio",  # each once, not the required ones twice
        ),
        (
            ("  - {between: [phone, ap-1], bandwidth: 8 Mbps, latency: 10 ms}\n", ""),
            None,
            'dynamics[0].access_points[1].node: no link joins "phone" and "ap-1"',
        ),
    ],
)
def test_a_bad_mobility_entry_is_named_by_its_key_path(tmp_path, edit, walk, message):
    text = BASE.replace("RULE", "continue").replace("WORK", "1 GFLOP").replace("INPUT", "1 KB")
    if edit:
        assert edit[0] in text
        text = text.replace(*edit)
    (tmp_path / "arrivals.csv").write_text("time\n1.0\n")
    (tmp_path / "walk.csv").write_text(walk or BAD_TRACE)
    with pytest.raises(WorldError) as caught:
        build_world(load_scenario_text(text, source="<test>", base_dir=tmp_path))
    assert str(caught.value).startswith(message), str(caught.value)


@pytest.mark.parametrize("verb", ["validate", "run"])
def test_the_cli_refuses_a_bad_mobility_entry_with_one_line_and_exit_2(tmp_path, capsys, verb):
    from offloadsim.cli import main

    (tmp_path / "arrivals.csv").write_text("time\n1.0\n")
    (tmp_path / "walk.csv").write_text("time,node,x,y\n0,phone,oops,1\n")
    path = tmp_path / "bad.yaml"
    path.write_text(BASE.replace("RULE", "continue").replace("WORK", "1 GFLOP").replace("INPUT", "1 KB"))
    out = tmp_path / "out"
    assert main([verb, str(path), *(["--out", str(out)] if verb == "run" else [])]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f'offloadsim: error: {path}: dynamics[0].file: walk.csv, line 2, column "x": expected a length'
    ), lines
    assert not out.exists()


@pytest.mark.parametrize(
    ("radio", "message"),
    [
        (
            "transmit_power: 23 W, noise: -95 dBm, exponent: 3, reference_loss: 40 dB",
            'dynamics[0].radio.transmit_power: expected a power level like "23 dBm", got "23 W": unknown',
        ),
        (
            "transmit_power: 23 dBm, noise: -95 dBm, exponent: 3, reference_loss: 400 dB",
            'dynamics[0].radio.reference_loss: expected a ratio in decibels like "40 dB", got "400 dB"',
        ),
        (
            "transmit_power: 23 dBm, noise: [1], exponent: 3, reference_loss: 40 dB",
            'dynamics[0].radio.noise: expected a power level like "23 dBm", got a list',
        ),
    ],
)
def test_levels_and_ratios_in_decibels_show_the_value_as_every_quantity_does(radio, message):
    """In double quotes, as ``links[0].bandwidth: ... got "fast"`` (dBm and dB said '23 W')."""
    text = WAYPOINTS.replace("ATTACH", "strongest") + f"    radio: {{bandwidth: 20 MHz, {radio}}}\n"
    with pytest.raises(WorldError) as caught:
        build_world(load_scenario_text(text, source="<t>"))
    assert str(caught.value).startswith(message), str(caught.value)


def test_handovers_move_leaves_in_place_and_routes_match_a_topology_built_afresh():
    from offloadsim.scenario.model import LinkSpec, NodeSpec
    from offloadsim.world.topology import Topology

    phones = [f"phone-{i}" for i in range(4)]
    aps = [f"ap-{j}" for j in range(3)]
    nodes = [NodeSpec(p, "phone", "device") for p in phones] + [NodeSpec(a, "ap", "network") for a in aps]
    nodes += [NodeSpec("edge", "edge", "edge"), NodeSpec("cloud", "cloud", "cloud")]
    links = [LinkSpec(p, a, 1e6, 1e6, 0.001 * (1 + j)) for p in phones for j, a in enumerate(aps)]
    links += [LinkSpec(a, "edge", 1e9, 1e9, 0.002) for a in aps]
    links += [LinkSpec("edge", "cloud", 1e9, 1e9, 0.02), LinkSpec("ap-0", "cloud", 1e8, 1e8, 0.05)]
    number = {(s.a, s.b): i for i, s in enumerate(links)}
    topo = Topology(nodes, links)
    where = {}
    for p in phones:
        topo.hand_over(p, tuple(number[(p, a)] for a in aps[1:]), number[(p, "ap-0")], "continue")
        where[p] = "ap-0"
    rng = np.random.default_rng(5)
    targets = ["edge", "cloud", "ap-2", *phones]
    for step in range(60):
        p = phones[int(rng.integers(len(phones)))]
        new = aps[int(rng.integers(len(aps)))] if step % 7 else None  # now and then: out of reach
        if new == where[p]:
            continue
        down = (number[(p, where[p])],) if where[p] is not None else ()
        cached = topo._trees is not None
        topo.hand_over(p, down, number[(p, new)] if new else -1, "continue")
        if down and cached:  # a leaf moved: its place in the cached trees moved, nothing was searched afresh
            assert topo._trees is not None and topo._searches
        where[p] = new
        fresh = Topology(nodes, links)
        for q in phones:
            for a in aps:
                fresh.set_link_up(number[(q, a)], where[q] == a)
        for a in phones:
            for b in targets:
                assert topo.reachable(a, b) == fresh.reachable(a, b)
                if a != b and fresh.reachable(a, b):
                    mine, theirs = topo.route(a, b), fresh.route(a, b)
                    assert (mine.nodes, mine.channels) == (theirs.nodes, theirs.channels)
                    assert mine.latency_s == pytest.approx(theirs.latency_s)
        assert topo.attachment(p) == new


def test_each_link_is_up_while_its_device_is_attached(tmp_path):
    """The links table's availability follows the handovers: the phone is on ap-0 until the handover
    at 6 s and on ap-1 for the other 14 s of 20 (every phone link read 100 % up, attached or not)."""
    links = run(tmp_path).links
    up = {
        (str(a), str(b)): float(v)
        for a, b, v in zip(links["a"], links["b"], links["availability"], strict=True)
        if "phone" in (str(a), str(b))
    }
    assert up == pytest.approx(
        {("phone", "ap-0"): 0.3, ("ap-0", "phone"): 0.3, ("phone", "ap-1"): 0.7, ("ap-1", "phone"): 0.7},
        abs=1e-12,
    )


def _phone_links(raw):
    return {
        (str(a), str(b)): round(float(v), 12)
        for a, b, v in zip(raw.links["a"], raw.links["b"], raw.links["availability"], strict=True)
        if str(a) == "phone"
    }


def test_a_link_schedule_bringing_up_a_link_to_an_access_point_not_attached_keeps_it_down(tmp_path):
    """The phone stands by ap-0 (ap-1 is 100 m off, out of its 60 m): its link to ap-1 is down all run.

    Before, mobility's handovers were not holds, so a `link-schedule`'s `up: true` on that link at
    10 s brought it up: the phone had two links, and a task at 12 s went out through ap-1.
    """
    extra = """
  - kind: link-schedule
    link: [phone, ap-1]
    steps: [{at: 5 s, up: false}, {at: 10 s, up: true}]
"""
    raw = run(tmp_path, times="12.0", size="8 KB", extra=extra, walk="time,node,x,y\n0,phone,10,0\n")
    assert _phone_links(raw) == {("phone", "ap-0"): 1.0, ("phone", "ap-1"): 0.0}
    assert [where for where, _, _ in transfers(raw)] == ["phone>edge", "edge>phone"]
    sent = {
        (str(a), str(b)): float(n)
        for a, b, n in zip(*(raw.links[c] for c in ("a", "b", "bytes")), strict=True)
    }
    assert sent["phone", "ap-1"] == 0 and sent["phone", "ap-0"] == 8e3


def test_a_handover_onto_a_link_a_schedule_holds_down_leaves_the_device_cut_off_until_the_window_ends(
    tmp_path,
):
    """The phone hands over to ap-1 at 6 s while a `link-schedule` holds phone-ap-1 down from 5 s to 10 s.

    It is attached to ap-1 (by position) but cut off until 10 s, when the window ends; before, the
    handover brought the link up at 6 s through the schedule's window.
    """
    extra = """
  - kind: link-schedule
    link: [phone, ap-1]
    steps: [{at: 5 s, up: false}, {at: 10 s, up: true}]
"""
    raw = run(tmp_path, times="7.0 11.0", size="8 KB", extra=extra)
    # phone-ap-0: attached 0-6 s; phone-ap-1: attached from 6 s, usable from 10 s (10 of 20 s).
    assert _phone_links(raw) == {("phone", "ap-0"): 0.3, ("phone", "ap-1"): 0.5}
    tasks = raw.tasks
    ended = {
        float(t): (str(s), str(n))
        for t, s, n in zip(*(tasks[c] for c in ("arrival", "status", "final_node")), strict=True)
    }
    assert ended[7.0][0] == "dropped"  # cut off at 7 s: no route to the edge
    assert ended[11.0] == ("completed", "edge")
    # Through ap-1 once the window ended: 8 KB at 1 MB/s, 10 ms to ap-1 and 1 ms on to the edge.
    assert transfers(raw)[0] == ("phone>edge", 11.0, 11.019)


def test_a_policy_asking_for_the_nearest_edge_sees_none_from_a_device_cut_off_by_a_held_link(tmp_path):
    """The same handover onto a held link, under `edge`, which had found phone's nearest edge through ap-0.

    The view moved its answer to ap-1's nearest edge, with a route from the phone that did not exist:
    the run stopped with NoRouteError at the handover.  Now the phone has no nearest edge until 10 s.
    """
    extra = """
  - kind: link-schedule
    link: [phone, ap-1]
    steps: [{at: 5 s, up: false}, {at: 10 s, up: true}]
"""
    scenario(tmp_path, times="1.0 7.0 11.0")  # writes the arrivals and the walk
    text = BASE.replace("RULE", "continue").replace("WORK", "1 GFLOP").replace("INPUT", "8 KB") + extra
    text = text.replace("policy: {name: fixed, nodes: [edge]}", "policy: edge")
    raw = simulate(load_scenario_text(text, source="<test>", base_dir=tmp_path))
    tasks = raw.tasks
    ended = {float(t): str(n) for t, n in zip(tasks["arrival"], tasks["final_node"], strict=True)}
    assert ended == {1.0: "edge", 7.0: "phone", 11.0: "edge"}  # 7 s: cut off, run where it arose


def test_a_step_along_a_file_s_tracks_reads_them_in_place_whatever_their_length(tmp_path):
    """A step interpolates each track by bisection: its time does not grow with the rows.

    The tracks are the arrays the file's reading gives; had ``np.interp`` to copy them (it copies
    a read-only array at every call), a step along 250,000-row tracks took 7 ms, not 44 us.
    """
    import time
    from pathlib import Path

    from offloadsim.scenario.csvdata import read_positions
    from offloadsim.world.dynamics.mobility import PositionTrace, _Tracks

    def step_s(rows: int) -> float:
        path = Path(tmp_path) / f"p{rows}.csv"
        path.write_text(
            "time,node,x,y\n" + "".join(f"{i // 2},p-{i % 2},{i % 10},{i % 7}\n" for i in range(rows))
        )
        tracks = read_positions(path, path.name)
        walk = _Tracks(PositionTrace(tuple(track[1:] for track in tracks.values())))
        best = math.inf
        for _ in range(5):
            start = time.perf_counter()
            for t in range(200):
                walk.at(t * 0.37)
            best = min(best, time.perf_counter() - start)
        return best

    short, long = step_s(2_000), step_s(400_000)  # tracks of 1,000 and 200,000 rows
    assert long < 10 * short, (short, long)


def test_a_sample_due_after_the_run_walks_no_legs(monkeypatch):
    """The engine reads a timeline one item ahead: its next sample was placed, walking every leg to it.

    With ``update: 1e6 s`` a run of 5 s walked each device about 40,000 legs to a
    sample it never applied (fuzz seed 33, case 126: 30 s for a 5 s run); the
    places are now found when a sample is applied.
    """
    legs = []
    leg = _Walkers._leg
    monkeypatch.setattr(_Walkers, "_leg", lambda self, i, now: (legs.append(now), leg(self, i, now)))
    text = (
        WAYPOINTS.replace("ATTACH", "nearest")
        .replace("600 s", "5 s")
        .replace("update: 0.5 s", "update: 1e6 s")
    )
    result = simulate(build_world(load_scenario_text(text, source="<t>")), seed=3)
    assert len(result.tasks) > 0
    assert max(legs) < 5.0 and len(legs) < 30  # each device's legs begun by 5 s: a few, none after


def test_the_summary_says_its_handovers_per_task_are_the_completed_tasks(tmp_path, capsys):
    """Under fail the task a handover hits ends failed: "mean handovers per task 0" read as if no task
    was in flight at a handover, while the one that was is left out as not completed."""
    from offloadsim.cli import main

    scenario(tmp_path, rule="fail", times="1.0 6.5")  # writes the arrivals and the walk beside it
    path = tmp_path / "walk.yaml"
    path.write_text(BASE.replace("RULE", "fail").replace("WORK", "1 GFLOP").replace("INPUT", "8 MB"))
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 0
    (row,) = [line for line in capsys.readouterr().out.splitlines() if "handover hits per task" in line]
    assert row.endswith("(of the 1 completed tasks, not the 1 dropped or failed)"), row
