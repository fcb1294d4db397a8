"""``gilbert-elliott`` and ``random-walk`` links: their timelines, streams and bad entries."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from offloadsim.engine import simulate
from offloadsim.scenario import load_scenario_text
from offloadsim.world import WorldError, build_world
from offloadsim.world.dynamics import SetCapacity, SetLoss

BASE = """
name: random-links
duration: 30 s
nodes:
  phone: {tier: device, processor: {speed: 10 GFLOP/s}}
  edge: {tier: edge, processor: {speed: 100 GFLOP/s}}
links:
  - {between: [phone, edge], bandwidth: 10 Mbps, latency: 5 ms}
applications:
  job: {work: 1 GFLOP, input: 200 KB, output: 1 KB}
workload:
  - {app: job, sources: phone, rate: 2 /s}
policy: edge
"""

GE = (
    "{kind: gilbert-elliott, link: [phone, edge],"
    " good: {bandwidth: 20 Mbps, mean: 2 s}, bad: {bandwidth: 1 Mbps, mean: 1 s}%s}"
)
WALK = "{kind: random-walk, link: [phone, edge], every: 1 s, step: 3 Mbps, min: 2 Mbps, max: 12 Mbps%s}"


def world(*entries: str):
    text = BASE + "dynamics:\n" + "".join(f"  - {entry}\n" for entry in entries)
    return build_world(load_scenario_text(text, source="<test>"))


def test_a_gilbert_elliott_link_alternates_its_states_after_exponential_sojourns():
    built = world(GE % ", start: good")
    changes = list(itertools.islice(built.dynamics[0].timeline(np.random.default_rng(3)), 2001))
    rates = [change.bps for _, change in changes]
    assert rates[:4] == [20e6, 1e6, 20e6, 1e6]  # started good, then alternates
    times = np.array([at for at, _ in changes])
    assert times[0] == 0.0 and np.all(np.diff(times) > 0)
    sojourns = np.diff(times)
    good, bad = sojourns[0::2], sojourns[1::2]
    # 1000 exponential sojourns each: the means within 4 standard errors (mean/sqrt(1000)) of 2 s and 1 s.
    assert abs(good.mean() - 2.0) < 4 * 2.0 / np.sqrt(len(good))
    assert abs(bad.mean() - 1.0) < 4 * 1.0 / np.sqrt(len(bad))


def test_a_gilbert_elliott_state_sets_loss_both_ways_and_a_run_is_repeatable():
    built = world(
        "{kind: gilbert-elliott, link: 0, good: {bandwidth: 20 Mbps, loss: 0, mean: 2 s},"
        " bad: {bandwidth: 1 Mbps, loss: 0.2, mean: 1 s}, start: bad}"
    )
    first = list(itertools.islice(built.dynamics[0].timeline(np.random.default_rng(0)), 3))
    assert [type(change) for _, change in first] == [SetCapacity, SetLoss, SetLoss]
    assert {change.channel for _, change in first[1:]} == {0, 1}
    one, two = simulate(built), simulate(built)
    np.testing.assert_array_equal(one.tasks["latency"], two.tasks["latency"])
    other = simulate(built, replication=1)
    assert not np.array_equal(one.links["mean_capacity"], other.links["mean_capacity"])


def test_a_random_walk_steps_by_its_size_within_its_bounds_from_the_links_rate():
    built = world(WALK % "")
    changes = list(itertools.islice(built.dynamics[0].timeline(np.random.default_rng(1)), 500))
    assert [at for at, _ in changes] == [float(i) for i in range(500)]
    rates = np.array([change.bps for _, change in changes])
    assert rates[0] == 10e6  # the link's own rate
    assert rates.min() >= 2e6 and rates.max() <= 12e6
    steps = np.diff(rates)
    # 3 Mb/s either way, except where a bound reflected the step (10 + 3 comes back to 11 from 12).
    inside = (rates[:-1] >= 5e6) & (rates[:-1] <= 9e6)
    assert set(np.abs(steps[inside])) == {3e6}
    assert np.all(np.abs(steps) <= 3e6 + 1e-6)
    assert rates.min() < 5e6 and rates.max() > 9e6  # it wanders over the range


def test_kinds_draw_from_their_own_named_streams_so_adding_an_entry_leaves_them_alone():
    alone = simulate(world(GE % ""))
    with_walk = simulate(world(GE % "", WALK.replace("[phone, edge]", "[edge, phone]") % ""))
    # The walk drives edge->phone only; the chain's draws (phone->edge) are the same.
    forward = list(alone.links["a"]).index("phone")
    assert alone.links["mean_capacity"][forward] == with_walk.links["mean_capacity"][forward]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            GE.replace("mean: 1 s", "men: 1 s") % "",
            'dynamics[0].bad: unknown key "men" (did you mean "mean"?); expected one of mean, bandwidth, ',
        ),
        (GE.replace(", mean: 1 s", "") % "", "dynamics[0].bad.mean: missing (required)"),
        (GE.replace("mean: 2 s", "mean: 0 s") % "", "dynamics[0].good.mean: expected a positive time"),
        (
            GE.replace("bandwidth: 1 Mbps", "latency: 1 s") % "",
            "dynamics[0].bad: sets latency; expected what good sets: bandwidth",
        ),
        (GE % ", start: ugly", 'dynamics[0].start: expected good, bad or stationary, got "ugly"'),
        (
            GE.replace("bandwidth: 1 Mbps", "loss: 2") % "",
            "dynamics[0].bad.loss: expected a number from 0 to 1",
        ),
        (WALK % ", start: 20 Mbps", "dynamics[0].start: the walk starts at 2e+07 bit/s, outside [min, max]"),
        (WALK.replace("max: 12", "max: 1") % "", "dynamics[0].max: 1e+06 bit/s is below min"),
        (WALK.replace("every: 1 s, ", "") % "", "dynamics[0].every: missing (required)"),
        (WALK.replace("step: 3 Mbps", "step: 3 ms") % "", "dynamics[0].step: "),
    ],
)
def test_a_bad_random_link_entry_is_named_by_its_key_path(entry, message):
    with pytest.raises(WorldError) as caught:
        world(entry)
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize("verb", ["validate", "run"])
def test_the_cli_refuses_a_bad_gilbert_elliott_entry_with_exit_2(tmp_path, capsys, verb):
    from offloadsim.cli import main

    path = tmp_path / "bad.yaml"
    path.write_text(BASE + "dynamics:\n  - " + GE.replace("mean: 2 s", "mean: soon") % "" + "\n")
    out = tmp_path / "out"
    assert main([verb, str(path), *(["--out", str(out)] if verb == "run" else [])]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"offloadsim: error: {path}: dynamics[0].good.mean: ")
    assert not out.exists()


def test_the_docs_state_the_time_average_rate_of_their_own_example():
    """scenario-format.md said its example link (20 Mb/s for 10 s, 2 Mb/s for 2 s, on average)
    averages "15 Mb/s": (10 × 20 + 2 × 2) / 12 is 17, and a 3000 s run of it measures 17."""
    import re
    from pathlib import Path

    from offloadsim.world.dynamics.gilbert_elliott import stationary_mean

    docs = Path(__file__).resolve().parents[2] / "docs" / "scenario-format.md"
    section = docs.read_text(encoding="utf-8").split("### Random links", 1)[1].split("\n### ", 1)[0]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    stated = re.search(r"bad\.mean\)`\s+\((\d+(?:\.\d+)?) Mb/s above", section)
    assert stated is not None, "the sentence giving the example's time-average rate"
    built = build_world(load_scenario_text(example, source="<docs>"))
    assert float(stated.group(1)) * 1e6 == pytest.approx(stationary_mean(built.dynamics[0].spec))
