"""Two ``mobility`` entries moving one device: refused, naming both; a moving device that goes down.

Before, both ran (exit 0): each entry held down the device's links to the access points it did not
choose, from its own walk, so the device was cut off wherever the two walks disagreed (with
``topology.attachment`` naming the later entry's choice) and, where their access points differed,
attached to two access points at once, from two places.  A device taken down by a node-schedule
keeps moving and comes back attached where its place says (docs/scenario-format.md).
"""

from __future__ import annotations

import numpy as np
import pytest
import simpy

from offloadsim.cli import main
from offloadsim.engine.dynamics import start_dynamics
from offloadsim.scenario import load_scenario_text
from offloadsim.world import build_world

SCENARIO = """\
name: movers
duration: 14 s
nodes:
  phone: {count: 3, tier: device, processor: {speed: 10 GFLOP/s}}
  ap: {count: 3, tier: network}
  edge: {tier: edge, processor: {speed: 100 GFLOP/s}}
links:
  - {between: [phone-*, ap-*], bandwidth: 20 Mbps, latency: 3 ms}
  - {between: [ap-*, edge], bandwidth: 1 Gbps, latency: 1 ms}
applications:
  job: {work: 1 GFLOP, input: 500 KB, output: 1 KB}
workload:
  - {app: job, sources: phone-*, rate: 2 /s}
policy: edge
dynamics:
"""

AP = {
    0: "{node: ap-0, position: [100 m, 100 m], radius: 150 m}",
    1: "{node: ap-1, position: [400 m, 100 m], radius: 150 m}",
    2: "{node: ap-2, position: [400 m, 100 m], radius: 150 m}",
}
RADIO = (
    ", radio: {bandwidth: 20 MHz, transmit_power: 23 dBm, noise: -95 dBm, exponent: 3, reference_loss: 40 dB}"
)


WALK = "random_waypoint: {area: [500 m, 200 m], speed: [1 m/s, 20 m/s]}"


def _mobility(devices: str, points: tuple[int, ...], motion: str = WALK, radio: bool = False) -> str:
    listed = ", ".join(AP[j] for j in points)
    return (
        f"{{kind: mobility, devices: '{devices}', access_points: [{listed}], {motion}, update: 1 s"
        f"{RADIO if radio else ''}}}"
    )


def _write(tmp_path, *entries: str):
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO + "".join(f"  - {entry}\n" for entry in entries))
    return path


def _line(path, device: str) -> str:
    return (
        f'offloadsim: error: {path}: dynamics[1].devices: moves "{device}", which dynamics[0].devices '
        "(mobility) also moves: each entry would hold down the device's links to the access points it did "
        "not choose, from its own walk, so the device would be cut off where the two disagree, or attached "
        "to two access points at once; let one entry move it (leave it out of dynamics[0].devices, or of "
        "this entry)"
    )


CASES = {  # the earlier entry's devices and access points, the later one's, with radio
    "one device, same access points": ("phone-1", (0, 1), "phone-1", (0, 1), False),
    "one device, other access points": ("phone-1", (0, 1), "phone-1", (2,), False),
    "overlapping groups": ("phone-*", (0, 1), "phone-[12]", (2,), False),
    "one device, other access points, radio": ("phone-1", (0,), "phone-1", (2,), True),
    "one device, same access points, radio": ("phone-*", (0, 1), "phone-1", (0, 1), True),
}


@pytest.mark.parametrize("verb", ["validate", "run"])
@pytest.mark.parametrize("case", list(CASES))
def test_two_mobility_entries_moving_one_device_are_refused_naming_both(tmp_path, capsys, verb, case):
    first, first_points, second, second_points, radio = CASES[case]
    path = _write(
        tmp_path,
        _mobility(first, first_points, radio=radio),
        _mobility(second, second_points, radio=radio),
    )
    out = tmp_path / "out"
    assert main([verb, str(path), *(["--out", str(out)] if verb == "run" else [])]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line == _line(path, "phone-1")
    assert not out.exists()


@pytest.mark.parametrize("moved", [0, 1])
def test_the_set_that_put_either_entry_on_the_device_is_named(tmp_path, capsys, moved):
    entries = [_mobility("phone-1", (0, 1)), _mobility("phone-1", (0, 1))]
    entries[moved] = entries[moved].replace("'phone-1'", "'phone-2'")
    path = _write(tmp_path, *entries)
    given = f"dynamics[{moved}].devices=phone-1"
    assert main(["validate", str(path), "--set", given]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(_line(path, "phone-1")), line
    assert line.endswith(f'(set by --set "{given}")'), line


def test_entries_moving_other_devices_run(tmp_path, capsys):
    path = _write(
        tmp_path,
        _mobility("phone-0", (0, 1), radio=True),
        _mobility("phone-[12]", (0, 1), radio=True),
    )
    assert main(["validate", str(path)]) == 0, capsys.readouterr().err
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 0


def _states(text: str, device: str, at: tuple[float, ...]) -> list[tuple[bool, str | None, list[bool]]]:
    """``device``'s node state, attachment and whether each of its links to ap-0 and ap-1 carries."""
    scenario = load_scenario_text(text, source="<test>")
    world = build_world(scenario)
    topology = world.topology.fork()
    env = simpy.Environment()
    start_dynamics(env, scenario, world.dynamics, topology, np.random.default_rng, 14.0)
    links = {(spec.a, spec.b): i for i, spec in enumerate(topology.links)}
    seen = []
    for time in at:
        env.run(until=time)
        carried = [topology.carries(links[(device, ap)]) for ap in ("ap-0", "ap-1")]
        seen.append((topology.node_up(device), topology.attachment(device), carried))
    return seen


def test_a_moving_device_taken_down_keeps_moving_and_comes_back_where_its_place_says(tmp_path):
    """Down from 3 s to 9 s, it walks from ap-0's reach to ap-1's (5 s to 7 s): back up on ap-1."""
    walk = tmp_path / "go.csv"
    walk.write_text("time,node,x,y\n0,phone-0,100,100\n4,phone-0,100,100\n7,phone-0,400,100\n")
    outage = "{kind: node-schedule, node: phone-0, steps: [{at: 3 s, up: false}, {at: 9 s, up: true}]}"
    text = SCENARIO + f"  - {_mobility('phone-0', (0, 1), f'file: {walk}')}\n  - {outage}\n"
    seen = _states(text, "phone-0", at=(2.5, 5.5, 8.5, 9.5))
    assert seen == [
        (True, "ap-0", [True, False]),
        (False, "ap-0", [False, False]),
        (False, "ap-1", [False, False]),  # handed over while down, by its place
        (True, "ap-1", [False, True]),
    ]


HOTSPOT = (
    SCENARIO.replace("name: movers", "name: hotspot")
    .replace(
        "  - {between: [phone-*, ap-*], bandwidth: 20 Mbps, latency: 3 ms}\n",
        "  - {between: [phone-*, hotspot], bandwidth: 20 Mbps, latency: 3 ms}\n"
        "  - {between: [hotspot, ap-*], bandwidth: 50 Mbps, latency: 3 ms}\n",
    )
    .replace("  ap: {count: 3,", "  hotspot: {tier: device}\n  ap: {count: 3,")
)
SPOT = "{node: hotspot, position: [100 m, 100 m], radius: 150 m}"
PHONES = f"{{kind: mobility, devices: 'phone-*', access_points: [{SPOT}], {WALK}, update: 1 s}}"
THE_HOTSPOT = f"{{kind: mobility, devices: hotspot, access_points: [{AP[0]}, {AP[1]}], {WALK}, update: 1 s}}"


@pytest.mark.parametrize("verb", ["validate", "run"])
@pytest.mark.parametrize("order", ["placed-first", "moved-first"])
def test_an_access_point_another_entry_moves_is_refused_naming_both(tmp_path, capsys, verb, order):
    """It ran (exit 0): the phones' entry kept the hotspot's coverage about the place it gave, while
    the other entry walked the hotspot away and handed it over between its own access points."""
    entries = (PHONES, THE_HOTSPOT) if order == "placed-first" else (THE_HOTSPOT, PHONES)
    path = tmp_path / "s.yaml"
    path.write_text(HOTSPOT + "".join(f"  - {entry}\n" for entry in entries))
    placed, moved = (0, 1) if order == "placed-first" else (1, 0)
    out = tmp_path / "out"
    assert main([verb, str(path), *(["--out", str(out)] if verb == "run" else [])]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line == (
        f'offloadsim: error: {path}: dynamics[{placed}].access_points[0].node: places "hotspot" as an '
        f"access point, which dynamics[{moved}].devices (mobility) moves: its coverage would stay about the "
        "position given here while the node walks away, and the devices attached to it would hand over by "
        f"where it is not; an access point stands still (leave it out of dynamics[{moved}].devices, or of "
        "this entry's access points)"
    )
    assert not out.exists()


def test_a_device_standing_still_may_be_an_access_point(tmp_path, capsys):
    path = tmp_path / "s.yaml"
    path.write_text(HOTSPOT + f"  - {PHONES}\n")
    assert main(["validate", str(path)]) == 0, capsys.readouterr().err
