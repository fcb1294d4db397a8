"""Two dynamics entries setting one link direction's rate: refused naming both, two link-schedules aside.

Before, both ran and the rate in force was whichever changed it last (exit 0): a schedule's step
to 0 bps at 5 s over a walk stepping every 2 s lasted until the walk's step at 6 s, and the walk
went on from its own last rate (10 Mbps, 0 for a second, then 15); a chain's bad spell ended at a
trace's next row; two walks took turns.  Two link-schedules act as one schedule (documented in
docs/scenario-format.md, next to the mobility rule), and an outage written as ``up: false`` holds
over a walk.
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
name: rate-pairs
duration: 20 s
nodes:
  phone: {tier: device, processor: {speed: 10 GFLOP/s}}
  edge: {tier: edge, processor: {speed: 100 GFLOP/s}}
links:
  - {between: [phone, edge], bandwidth: 20 Mbps, latency: 3 ms}
applications:
  job: {work: 1 GFLOP, input: 500 KB, output: 1 KB}
workload:
  - {app: job, sources: phone, rate: 2 /s}
policy: edge
dynamics:
"""

#: Entries that set the rate of phone→edge (a schedule's bandwidth sets edge→phone too).
ENTRIES = {
    "random-walk": "{kind: random-walk, link: [phone, edge], every: 2 s, step: 5 Mbps, min: 5 Mbps, "
    "max: 50 Mbps, start: 20 Mbps}",
    "link-schedule": "{kind: link-schedule, link: [phone, edge], steps: [{at: 5 s, bandwidth: 0 bps}, "
    "{at: 10 s, bandwidth: 20 Mbps}]}",
    "link-trace": "{kind: link-trace, link: [phone, edge], file: rate.csv}",
    "gilbert-elliott": "{kind: gilbert-elliott, link: 0, good: {bandwidth: 20 Mbps, mean: 4 s}, "
    "bad: {bandwidth: 2 Mbps, mean: 1 s}}",
}

PAIRS = [
    ("random-walk", "link-schedule"),
    ("link-schedule", "random-walk"),
    ("link-trace", "gilbert-elliott"),
    ("random-walk", "random-walk"),
    ("link-trace", "link-schedule"),
    ("gilbert-elliott", "random-walk"),
    ("link-trace", "link-trace"),
]

OUTAGE_HINT = "; for an outage, a link-schedule step up: false holds whatever the other sets"


def _write(tmp_path, *entries: str):
    (tmp_path / "rate.csv").write_text("time,bandwidth\n0,10 Mbps\n3,30 Mbps\n6,5 Mbps\n")
    (tmp_path / "latency.csv").write_text("time,latency\n0,5 ms\n3,8 ms\n")
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO + "".join(f"  - {entry}\n" for entry in entries))
    return path


def _line(path, direction: str, first: str, hint: str = "") -> str:
    return (
        f"offloadsim: error: {path}: dynamics[1].link: sets the rate of {direction}, which dynamics[0].link "
        f"({first}) also sets: each change would hold until the other's next, so the rate in force would "
        "be whichever of the two changed it last, a model of neither; let one entry set it (leave out "
        f"dynamics[0], or this entry){hint}"
    )


@pytest.mark.parametrize("verb", ["validate", "run"])
@pytest.mark.parametrize(("first", "second"), PAIRS)
def test_two_entries_setting_one_rate_are_refused_naming_both(tmp_path, capsys, verb, first, second):
    path = _write(tmp_path, ENTRIES[first], ENTRIES[second])
    out = tmp_path / "out"
    assert main([verb, str(path), *(["--out", str(out)] if verb == "run" else [])]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    hint = OUTAGE_HINT if "link-schedule" in (first, second) else ""
    assert line == _line(path, "phone→edge", first, hint)
    assert not out.exists()


def test_the_direction_both_set_is_named(tmp_path, capsys):
    """A trace of [edge, phone] sets edge→phone; a schedule's reverse_bandwidth on [phone, edge] too."""
    trace = ENTRIES["link-trace"].replace("[phone, edge]", "[edge, phone]")
    schedule = "{kind: link-schedule, link: [phone, edge], steps: [{at: 5 s, reverse_bandwidth: 1 Mbps}]}"
    path = _write(tmp_path, trace, schedule)
    assert main(["validate", str(path)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line == _line(path, "edge→phone", "link-trace", OUTAGE_HINT)


@pytest.mark.parametrize(
    "other",
    [
        ENTRIES["random-walk"].replace("[phone, edge]", "[edge, phone]"),  # the other direction
        "{kind: link-schedule, link: [phone, edge], steps: [{at: 5 s, reverse_bandwidth: 1 Mbps}]}",
        "{kind: link-schedule, link: 0, steps: [{at: 5 s, up: false, latency: 9 ms}, {at: 8 s, up: true}]}",
        "{kind: link-trace, link: [phone, edge], file: latency.csv}",  # a latency only
        "{kind: gilbert-elliott, link: 0, good: {loss: 0, mean: 4 s}, bad: {loss: 0.2, mean: 1 s}}",
        "{kind: failures, link: 0, mtbf: 5 s, mttr: 1 s}",
    ],
)
def test_an_entry_setting_what_a_walk_leaves_alone_runs(tmp_path, capsys, other):
    path = _write(tmp_path, ENTRIES["random-walk"], other)
    assert main(["validate", str(path)]) == 0, capsys.readouterr().err
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 0


@pytest.mark.parametrize("moved", [0, 1])
def test_the_set_that_put_either_entry_on_the_link_is_named(tmp_path, capsys, moved):
    walks = [ENTRIES["random-walk"], ENTRIES["random-walk"]]
    walks[moved] = walks[moved].replace("[phone, edge]", "[edge, phone]")
    path = _write(tmp_path, *walks)
    given = f"dynamics[{moved}].link=[phone, edge]"
    assert main(["validate", str(path), "--set", given]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(_line(path, "phone→edge", "random-walk")), line
    assert line.endswith(f'(set by --set "{given}")'), line


def _rates(*entries: str, at: tuple[float, ...]) -> list[tuple[float, float, bool]]:
    """phone→edge's and edge→phone's rates (Mbps) and whether the link is up, at each time of ``at``."""
    scenario = load_scenario_text(SCENARIO + "".join(f"  - {entry}\n" for entry in entries), source="<test>")
    world = build_world(scenario)
    topology = world.topology.fork()
    env = simpy.Environment()
    start_dynamics(env, scenario, world.dynamics, topology, np.random.default_rng, 20.0)
    seen = []
    for time in at:
        env.run(until=time)
        seen.append((topology.capacity_bps(0) / 1e6, topology.capacity_bps(1) / 1e6, topology.link_up(0)))
    return seen


def test_two_link_schedules_act_as_one_the_later_entry_at_one_instant():
    plan = (
        "{kind: link-schedule, link: 0, steps: [{at: 3 s, bandwidth: 7 Mbps}, {at: 12 s, bandwidth: 9 Mbps}]}"
    )
    outage = (
        "{kind: link-schedule, link: [phone, edge], steps: [{at: 5 s, bandwidth: 0 bps}, "
        "{at: 10 s, bandwidth: 20 Mbps, reverse_bandwidth: 6 Mbps}, {at: 12 s, bandwidth: 4 Mbps}]}"
    )
    seen = _rates(plan, outage, at=(4.0, 6.0, 11.0, 13.0))
    assert seen == [(7.0, 7.0, True), (0.0, 0.0, True), (20.0, 6.0, True), (4.0, 4.0, True)]
    # The same steps in one entry, in time order, give the same rates.
    merged = (
        "{kind: link-schedule, link: 0, steps: [{at: 3 s, bandwidth: 7 Mbps}, {at: 5 s, bandwidth: 0 bps}, "
        "{at: 10 s, bandwidth: 20 Mbps, reverse_bandwidth: 6 Mbps}, {at: 12 s, bandwidth: 4 Mbps}]}"
    )
    assert _rates(merged, at=(4.0, 6.0, 11.0, 13.0)) == seen


def test_an_outage_written_as_up_false_holds_over_a_walk_and_ends_at_its_rate():
    walk = ENTRIES["random-walk"].replace("every: 2 s", "every: 1 s")
    outage = "{kind: link-schedule, link: [phone, edge], steps: [{at: 5 s, up: false}, {at: 10 s, up: true}]}"
    times = (4.5, 5.5, 6.5, 7.5, 8.5, 9.5, 10.5)
    seen = _rates(walk, outage, at=times)
    alone = _rates(walk, at=times)  # the walk's own rates: entry 0 draws the same in both
    assert [up for *_, up in seen] == [True, False, False, False, False, False, True]
    assert [rate for rate, *_ in seen] == [rate for rate, *_ in alone]
    assert len({rate for rate, *_ in seen[1:6]}) > 1  # the walk stepped while the link was down
