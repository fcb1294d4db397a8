"""``validate``, ``run`` and ``compare`` say a ``links:`` entry over many devices gives each its own link.

70 phones ``between: [phone-*, ap]`` at 20 Mbit/s drew 1.4 Gbit/s from one access point, silently.
"""

import json

import pytest

from offloadsim.cli import main
from offloadsim.scenario.loader import load_scenario_text
from offloadsim.world.build import build_world
from offloadsim.world.notes.unshared_links import MANY_DEVICES

SCENARIO = """
name: cell
duration: 10 s
nodes:
  phone: {count: COUNT, tier: device, processor: {speed: 10 GFLOP/s}}
  ap: {tier: network}
  edge: {tier: edge, processor: {speed: 100 GFLOP/s}}
links:
  - {between: [phone-*, ap], bandwidth: 20 Mbps}
  - {between: [ap, edge], bandwidth: 1 Gbps}
applications:
  job: {work: 1 GFLOP}
workload:
  - {app: job, sources: phone-*, rate: 1 /s}
policy: edge
"""


def _validate_notes(count: int) -> list[str]:
    world = build_world(load_scenario_text(SCENARIO.replace("COUNT", str(count)), source="<t>"))
    return [note for note in world.scenario_notes_under() if "shared" in note]


def test_many_devices_on_one_node_are_told_each_has_its_own_link():
    assert _validate_notes(70) == [
        'links[0] gives each of the 70 devices it links to "ap" its own 20 Mbps (1.4 Gbps in all), '
        "not a share of one medium: to model a shared cell, route them through one hop "
        "(docs/scenario-format.md#a-shared-cell-links-are-not-a-shared-medium)"
    ]


@pytest.mark.parametrize("count", [1, MANY_DEVICES - 1])
def test_a_few_devices_are_not_noted(count):
    assert _validate_notes(count) == []


def test_a_run_says_it_under_its_table_as_validate_does(tmp_path, capsys):
    """A run's latencies rest on those links as a check of the file does: said by ``validate`` only, it
    was gone from the run's and the comparison's notes, and from their manifests."""
    path = tmp_path / "cell.yaml"
    path.write_text(SCENARIO.replace("COUNT", "20"), encoding="utf-8")
    said = 'note: links[0] gives each of the 20 devices it links to "ap" its own 20 Mbps (400 Mbps in all)'
    for command in (
        ["validate", str(path)],
        ["run", str(path), "--out", str(tmp_path / "run")],
        ["compare", str(path), "--policies", "local,edge", "-n", "2", "--out", str(tmp_path / "cmp")],
    ):
        assert main(command) == 0
        lines = capsys.readouterr().out.splitlines()
        assert sum(line.startswith(said) for line in lines) == 1, (command[0], lines)
    for folder in ("run", "cmp"):  # kept with the result's other notes
        notes = json.loads((tmp_path / folder / "manifest.json").read_text(encoding="utf-8"))["notes"]
        assert sum(note.startswith(said[len("note: ") :]) for note in notes) == 1, (folder, notes)


def test_a_sweeps_points_say_one_line_with_each_rate_and_count():
    """A sweep of the entry's bandwidth or of the phones said a line a point, alike but for the numbers."""
    from offloadsim.world.notes.registry import merged

    lines = []
    for count, rate in ((20, "20 Mbps"), (20, "5 Mbps"), (30, "5 Mbps")):
        text = SCENARIO.replace("COUNT", str(count)).replace("20 Mbps", rate)
        lines += build_world(load_scenario_text(text, source="<t>")).notes
    (line,) = [line for line in merged(lines) if "shared" in line]
    assert line.startswith(
        'links[0] gives each of the 20 or 30 devices it links to "ap" its own 5 Mbps or 20 Mbps, '
        "not a share of one medium"
    )
