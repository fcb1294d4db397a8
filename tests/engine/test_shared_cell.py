"""Links are not a shared medium: a cell's capacity is shared only where the phones cross one hop.

``between: [phone-*, ap]`` gives every phone a link of its own, so N phones uploading at once each
get the link's whole rate; routed through one hop of that capacity (docs/scenario-format.md, "A
shared cell"), each gets 1/N of it, max-min fairly.
"""

import pytest

import offloadsim
from offloadsim.scenario.loader import load_scenario_text

PHONES = 5
CELL_BPS = 20e6
FRAME_BITS = 8e6  # 1 MB

SCENARIO = f"""
name: cell
duration: 5 s
nodes:
  phone: {{count: {PHONES}, tier: device, processor: {{speed: 10 GFLOP/s}}}}
  cell: {{tier: network}}
  edge: {{tier: edge, processor: {{speed: 1 TFLOP/s, cores: {PHONES}}}}}
links:
  - {{between: [phone-*, cell], bandwidth: LEG}}
  - {{between: [cell, edge], bandwidth: HOP}}
applications:
  job: {{work: 1 GFLOP, input: 1 MB, output: 0 B}}
workload:
  - {{app: job, sources: phone-*, arrivals: closed, users: 1, start: 1 s, stop: 1.1 s}}
policy: edge
"""


def _transfer_times(leg: str, hop: str) -> list[float]:
    scenario = load_scenario_text(SCENARIO.replace("LEG", leg).replace("HOP", hop), source="<cell>")
    tasks = offloadsim.run(scenario).tasks
    assert len(tasks) == PHONES and (tasks["start"] == 1.0).all()  # all upload at once
    return tasks["transfer_time"].tolist()


def test_phones_through_one_hop_share_its_capacity_each_one_nth():
    shared = _transfer_times(leg="10 Gbps", hop="20 Mbps")
    assert shared == pytest.approx([PHONES * FRAME_BITS / CELL_BPS] * PHONES, rel=0.01)


def test_a_links_entry_over_a_pattern_gives_each_phone_the_whole_rate():
    own = _transfer_times(leg="20 Mbps", hop="10 Gbps")
    assert own == pytest.approx([FRAME_BITS / CELL_BPS] * PHONES, rel=0.01)
