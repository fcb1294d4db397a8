"""A closed loop whose users start together and stay bunched says its numbers are its start's.

Sixteen users with no think time, a ViT-B/16 split over six Jetsons whose links to the access point
carry 100 Mbit/s each: requests that start together on fairly shared links end together, so the
users moved as one bunch and the stages took turns, every link far from full. The trial read
6.0 tasks/s over 20 s, 8.8 over 60 s and 17.4 after a 120 s warm-up, with nothing saying the
throughput depended on the run's length. The run warns so (``lockstep``); measured once the users
have drifted apart, or with a think time that spreads them, it does not.
"""

from __future__ import annotations

import re

import pytest

import offloadsim
from offloadsim.analysis.warning_kinds.lockstep import BUNCHED
from offloadsim.cli import main

SCENARIO = """
name: vit-pipe-closed
seed: SEED
duration: DURATION
warmup: WARMUP
nodes:
  cam: {tier: device, processor: {profile: cortex-a76, cores: 1}}
  ap: {tier: network}
  jet: {count: 6, tier: edge, processor: {profile: jetson-orin, cores: 1}}
links:
  - {between: [cam, ap], bandwidth: 1 Gbps, latency: 2 ms}
  - {between: [ap, jet-*], bandwidth: 100 Mbps, latency: 1 ms}
applications:
  vit: {model: vit_b_16}
workload:
  - {app: vit, sources: cam, arrivals: closed, users: 16THINK}
policy: {name: fixed, nodes: [jet-0, jet-1, jet-2, jet-3, jet-4, jet-5], cuts: [32, 60, 88, 116, 144]}
"""


def _scenario(tmp_path, duration="20 s", warmup="5 s", think="", seed=1):
    text = SCENARIO.replace("DURATION", duration).replace("WARMUP", warmup)
    path = tmp_path / f"pipe-{seed}.yaml"
    path.write_text(text.replace("THINK", think).replace("SEED", str(seed)), encoding="utf-8")
    return path


def _said(summary) -> list[str]:
    facts = summary.warning_facts
    return [w for w, f in zip(summary.warnings, facts, strict=True) if f.kind == "lockstep"]


def test_users_that_start_together_are_said_to_move_in_lockstep(tmp_path, capsys):
    path = _scenario(tmp_path)
    result = offloadsim.run(path)
    (text,) = _said(result.summary)
    assert text.startswith("closed loop in lockstep from its users' common start: vit from cam (16 users")
    assert "think: {exponential: 20 ms}" in text and "warmup" in text
    (facts,) = [f for f in result.summary.warning_facts if f.kind == "lockstep"]
    assert dict(facts.numbers)["cam/vit"] >= BUNCHED
    assert max(result.links["utilisation"]) < 0.5  # nothing full: the bunch, not a capacity, is the limit
    assert main(["run", str(path), "--out", str(tmp_path / "r")]) == 0
    assert "warning: closed loop in lockstep" in capsys.readouterr().out


def _kinds(summary) -> list[str]:
    return [facts.kind for facts in summary.warning_facts]


def test_a_loop_in_lockstep_is_not_told_more_users_raise_its_throughput(tmp_path):
    """The bunch, not the users' number, holds it down: the closed_loop warning leaves it to lockstep.

    Measured once the users drifted apart, the same loop is paced by its users, and says so.
    """
    bunched = offloadsim.run(_scenario(tmp_path)).summary
    assert "lockstep" in _kinds(bunched)
    assert "closed_loop" not in _kinds(bunched)
    assert not any("more users raise it" in text for text in bunched.warnings)
    apart = offloadsim.run(_scenario(tmp_path, "30 s", "120 s")).summary
    assert "lockstep" not in _kinds(apart)
    (paced,) = [
        t for t, f in zip(apart.warnings, apart.warning_facts, strict=True) if f.kind == "closed_loop"
    ]
    assert paced.startswith("closed loop paced by its users: vit from cam (16 users")


def test_a_run_still_climbing_out_of_its_start_is_warned_too(tmp_path):
    """A 20 ms exponential think time spreads the users, but not before the first quarter is gone."""
    summary = offloadsim.run(_scenario(tmp_path, "40 s", think=", think: {exponential: 20 ms}")).summary
    (text,) = _said(summary)
    rates = re.search(
        r"([\d.]+) tasks/s in the first quarter of the measured time, ([\d.]+) in the last", text
    )
    first, last = float(rates[1]), float(rates[2])
    assert last > 1.25 * first


@pytest.mark.parametrize(
    ("warmup", "think"),
    [("120 s", ""), ("5 s", ", think: {uniform: [0 s, 1 s]}")],
    ids=["drifted-apart", "spread-by-think"],
)
def test_users_apart_are_not_warned(tmp_path, warmup, think):
    for seed in (1, 2):
        summary = offloadsim.run(_scenario(tmp_path, "30 s", warmup, think, seed)).summary
        assert _said(summary) == []


def test_a_kind_leaves_out_only_the_loops_its_explainer_named():
    """Two loops, one explained by another kind's warning: the kind yielding is handed the other alone."""
    from offloadsim.analysis.warning_facts import WarningFacts
    from offloadsim.analysis.warning_list import run_warnings
    from offloadsim.analysis.warning_registry import WarningInputs, WarningKind, register, unregister

    handed = []

    def explain(inputs):
        return [("toy explainer: a/x", WarningFacts("toy_explainer", numbers=(("a/x", 1.0),)))]

    def yielding(inputs):
        handed.append(dict(inputs.loops))
        return []

    # Registered in the order that would detect the yielding kind first: the rule orders them.
    register(
        WarningKind(name="toy_yielding", detect=yielding, legend="", loops_explained_by=("toy_explainer",))
    )
    register(WarningKind(name="toy_explainer", detect=explain, legend=""))
    try:
        loops = {("a", "x"): (4, 0.0), ("b", "x"): (4, 0.0)}
        said = run_warnings(WarningInputs(tasks=None, nodes=None, duration_s=0.0, loops=loops), set())
    finally:
        unregister("toy_yielding")
        unregister("toy_explainer")
    assert handed == [{("b", "x"): (4, 0.0)}]
    assert [facts.kind for _, facts in said] == ["toy_explainer"]
