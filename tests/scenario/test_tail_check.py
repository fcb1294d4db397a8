"""``plain-tails``: a node's radio tail written as a bare number of 20 or more is warned of.

A bare number is a quantity in its SI unit, so a new user's ``power: {tail: 200}`` held the
radio at transmit power for 200 s after every transfer, and the run said nothing of it: its
writer meant 200 ms.  No cellular radio's tail is 20 s or more (LTE's is about 11.6 s, 3G's up to
about 15 s), so a bare tail below 20 (``11.6``: LTE's in seconds) is what SI numbers are for, and
a value with a unit says what its writer meant.
"""

from __future__ import annotations

import pytest
from scenario_testkit import SHIPPED, check_warnings, small_document, write_document

from offloadsim.cli import main
from offloadsim.scenario import load_scenario
from offloadsim.scenario.checks import CheckedRun
from offloadsim.scenario.tail_check import plain_tails
from offloadsim.world.dynamics import quantity_keys


def _warnings(path):
    return check_warnings(path, "plain-tails")


def test_a_bare_tail_of_200_is_warned_of_naming_file_key_and_the_unit_to_write(tmp_path, capsys):
    document = small_document()
    document["nodes"]["phone"]["power"]["tail"] = 200
    path = write_document(tmp_path, document)
    assert main(["validate", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"offloadsim: warning: {path}: nodes.phone.power.tail: a bare number is read as seconds: "
        '200 s, not milliseconds; write "200 ms" if milliseconds were meant, or "200 s" to say seconds '
        "[plain-tails]"
    ]
    assert captured.out.startswith("ok: ")


def test_only_a_bare_tail_of_20_or_more_is_warned_of(tmp_path):
    cases = {
        200: True,
        20: True,
        1e6: True,
        19.9: False,  # longer than LTE's, but a tail some radio could hold, in seconds
        11.6: False,  # LTE's tail, in seconds: what SI numbers are for
        0.2: False,
        0: False,
        "200 ms": False,  # with a unit: what its writer meant
        "30 s": False,
    }
    warned = {}
    for tail in cases:
        document = small_document()
        document["nodes"]["phone"]["power"]["tail"] = tail
        warned[tail] = bool(_warnings(write_document(tmp_path, document)))
    assert warned == cases


def test_each_node_group_s_bare_tail_is_warned_of_at_its_own_key(tmp_path):
    document = small_document()
    document["nodes"]["phone"]["power"]["tail"] = 500
    document["nodes"]["watch"] = {"tier": "device", "power": {"idle": "0.1 W", "tail": 250}}
    document["nodes"]["lonely"]["power"] = {"idle": "0.1 W", "tail": "250 ms"}
    found = _warnings(write_document(tmp_path, document))
    assert [line.split(": ")[1] for line in found] == ["nodes.phone.power.tail", "nodes.watch.power.tail"]
    assert "500 s, not milliseconds" in found[0] and "250 s, not milliseconds" in found[1]


def test_a_set_that_writes_a_bare_tail_is_named_and_the_check_can_be_skipped(tmp_path, capsys):
    path = write_document(tmp_path, small_document())
    given = ["--set", "nodes.phone.power.tail=200"]
    assert main(["validate", str(path), *given]) == 0
    err = capsys.readouterr().err
    assert err.rstrip().endswith('(set by --set "nodes.phone.power.tail=200") [plain-tails]'), err
    assert main(["validate", str(path), *given, "--set", "skip_checks=[plain-tails]"]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_no_shipped_scenario_writes_a_bare_tail(path):
    scenario = load_scenario(path)
    run = CheckedRun(scenario, scenario.policy, lambda: None, quantity_keys=quantity_keys)
    assert plain_tails(run) == []
