"""One member of a counted group set apart: a ``--set`` of its key, or a node of its name, was refused
as an unknown node or a clash, with no word of the way to do it (a group of its own)."""

from __future__ import annotations

from pathlib import Path

import pytest

from offloadsim.cli import main
from offloadsim.scenario import load_scenario

HINT = (
    '"phone-3" is one of nodes.phone\'s 4 alike members (its count); to set it apart, make it a group '
    "of its own, e.g. nodes.phone-slow, which phone-* still selects "
    "(docs/scenario-format.md#one-member-unlike-the-others)"
)


@pytest.fixture
def fleet(tiny_scenario: Path) -> Path:
    """The tiny scenario, whose ``phone`` group (selected by its name) a ``--set`` of its count makes 4."""
    return tiny_scenario


COUNT = ("--set", "nodes.phone.count=4")


def _refusal(capsys, *argv: str) -> str:
    assert main(list(argv)) == 2
    return capsys.readouterr().err


def test_a_set_into_a_member_says_it_is_one_of_its_group_and_how_to_set_it_apart(fleet, capsys):
    err = _refusal(capsys, "validate", str(fleet), *COUNT, "--set", "nodes.phone-3.processor.speed=1 GFLOP/s")
    assert err == (
        f'offloadsim: error: {fleet}: nodes.phone-3: cannot --set "nodes.phone-3.processor.speed=1 GFLOP/s": '
        f"{HINT}\n"
    )


@pytest.mark.parametrize("name", ["phone-4", "phone-03", "phon-3"])
def test_a_set_into_a_name_no_group_makes_is_still_an_unknown_node(fleet, capsys, name):
    err = _refusal(capsys, "validate", str(fleet), *COUNT, "--set", f"nodes.{name}.tier=edge")
    assert f'the scenario has no node "{name}"' in err and "alike members" not in err


def test_a_node_named_as_a_member_says_the_same(fleet, capsys):
    err = _refusal(capsys, "validate", str(fleet), *COUNT, "--set", "nodes.phone-3={tier: device}")
    err = err.removesuffix(' (set by --set "nodes.phone-3={tier: device}")\n') + "\n"
    assert (
        err
        == f'offloadsim: error: {fleet}: nodes.phone-3: node "phone-3" is also made by nodes.phone: {HINT}\n'
    )


def test_the_way_it_names_works_and_its_pattern_selects_the_member(fleet):
    slow = "nodes.phone-slow={tier: device, processor: {speed: 1 GFLOP/s}}"
    scenario = load_scenario(
        fleet,
        overrides=[
            "nodes.phone.count=3",
            slow,
            "workload[0].sources=phone-*",
            "links[0].between=[phone-*, edge]",
        ],
    )
    sources = {source for entry in scenario.workload for source in entry.sources}
    assert sources == {"phone-0", "phone-1", "phone-2", "phone-slow"}
    speeds = {node.name: node.processors[0].speed_flops for node in scenario.nodes if node.tier == "device"}
    assert speeds["phone-slow"] == 1e9 and speeds["phone-0"] == 10e9
