"""A required key misspelt is one problem, its spelling, not two (the HH36 trial).

``bandwith: 20 Mbps`` was two lines, ``links[0]: missing required key "bandwidth"`` and then
``links[0]: unknown key "bandwith" (did you mean "bandwidth"?)``: the first reads as if the key
had been left out, and a student adds a second ``bandwidth`` beside the misspelt one.
"""

from __future__ import annotations

import pytest

from offloadsim.scenario import ScenarioError, load_scenario_text

GOOD = """name: x
nodes:
  phone: {tier: device, processor: {speed: 1 GFLOP/s}}
  edge: {tier: edge, processor: {speed: 10 GFLOP/s}}
links:
  - {between: [phone, edge], bandwidth: 20 Mbps}
applications:
  job: {work: 1 GFLOP}
workload:
  - {app: job, sources: phone, rate: 1 /s}
"""


@pytest.mark.parametrize(
    ("right", "wrong", "key_path", "said"),
    [
        ("bandwidth: 20", "bandwith: 20", "links[0]", 'unknown key "bandwith" (did you mean "bandwidth"?)'),
        ("edge: {tier: edge", "edge: {tir: edge", "nodes.edge", 'unknown key "tir" (did you mean "tier"?)'),
        ("{app: job", "{ap: job", "workload[0]", 'unknown key "ap" (did you mean "app"?)'),
    ],
)
def test_a_misspelt_required_key_is_one_problem(right: str, wrong: str, key_path: str, said: str):
    text = GOOD.replace(right, wrong)
    assert text != GOOD
    with pytest.raises(ScenarioError) as refused:
        load_scenario_text(text, "lab.yml")
    problems = refused.value.problems
    assert [(p.key_path, p.message) for p in problems] == [(key_path, said)], str(refused.value)


def test_a_required_key_left_out_beside_an_unrelated_unknown_key_is_still_said():
    text = GOOD.replace("bandwidth: 20 Mbps", "colour: red")
    with pytest.raises(ScenarioError) as refused:
        load_scenario_text(text, "lab.yml")
    messages = sorted(p.message for p in refused.value.problems)
    assert messages[0] == 'missing required key "bandwidth"', messages
    assert messages[1].startswith('unknown key "colour"'), messages
