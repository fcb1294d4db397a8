"""A plan whose transfers go in and out of one hop over one entry's links says each link is its own capacity.

A camera's resnet50 split over three boxes behind one access point (``between: [ap, box-*]`` at
100 Mbit/s, a ``fixed`` plan over ``box-0, box-1, box-2``) crosses box -> ap -> box at each cut, on
two links of full capacity each way: a shared Wi-Fi cell would carry each cut twice over one medium.
``validate`` printed only ``ok``.
"""

import pytest

from offloadsim.scenario.loader import load_scenario_text
from offloadsim.world.build import build_world

PIPE = """
name: pipe3
duration: 10 s
nodes:
  cam: {tier: device}
  ap: {tier: network}
  box: {count: 3, tier: edge, processor: {profile: cortex-a76, cores: 1}}
links:
  - {between: [cam, ap], bandwidth: 100 Mbps, latency: 2 ms}
  - {between: [ap, box-*], bandwidth: 100 Mbps, latency: 2 ms}
EXTRA
applications:
  classify: {model: resnet50}
workload:
  - {app: classify, sources: cam, rate: 3 /s}
policy: POLICY
"""
DIRECT = "  - {between: [box-0, box-1], bandwidth: 1 Gbps}\n  - {between: [box-1, box-2], bandwidth: 1 Gbps}"
PLAN = "{name: fixed, nodes: [box-0, box-1, box-2], cuts: [57, 110]}"


def _notes(policy: str = PLAN, extra: str = "") -> list[str]:
    text = PIPE.replace("POLICY", policy).replace("EXTRA", extra)
    world = build_world(load_scenario_text(text, source="<t>"))
    return [note for note in [*world.scenario_notes_under(), *world.notes] if "in and out of" in note]


def test_a_plan_relayed_through_one_hop_is_told_each_link_is_its_own_capacity():
    said = (
        'links[1]: the plan\'s transfers box-0 -> ap -> box-1, box-1 -> ap -> box-2 go in and out of "ap" '
        "over two of its links, each with its own capacity each way: on one shared cell (Wi-Fi) each "
        "would cross the medium twice and share it with every other, so throughput here may read far "
        "higher than such a cell carries "
        "(docs/scenario-format.md#a-shared-cell-links-are-not-a-shared-medium)"
    )
    assert set(_notes()) == {said}


@pytest.mark.parametrize(
    ("policy", "extra"),
    [
        ("{name: fixed, node: box-0}", ""),  # one station: nothing relayed
        ("edge", ""),  # no plan of stations
        (PLAN, DIRECT),  # boxes linked to each other: no relay
    ],
)
def test_a_plan_not_relayed_over_one_entry_is_not_noted(policy: str, extra: str):
    assert _notes(policy, extra) == []
